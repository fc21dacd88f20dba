"""The model registry through TracksideClient and register_model, against the real server."""

import os
import tempfile
import unittest

from server_fixture import reset_fluent, start_server

import trackside

SERVER = None
REGISTRY_MISSING = None


def setUpModule():
    global SERVER, REGISTRY_MISSING
    SERVER = start_server()
    client = trackside.TracksideClient()
    try:
        client.get_registered_model("registry-probe")
    except trackside.TracksideException as e:
        if e.error_code == "ENDPOINT_NOT_FOUND":
            REGISTRY_MISSING = "this server build does not serve /api/2.0/mlflow/registered-models/* yet: " + e.message
    finally:
        client.close()


def tearDownModule():
    reset_fluent()
    SERVER.stop()


class RegistryTest(unittest.TestCase):
    def setUp(self):
        if REGISTRY_MISSING:
            self.skipTest(REGISTRY_MISSING)
        self.client = trackside.TracksideClient()

    def tearDown(self):
        reset_fluent()
        if hasattr(self, "client"):
            self.client.close()

    def logged_model_run(self):
        folder = tempfile.mkdtemp()
        with open(os.path.join(folder, "MLmodel"), "w") as handle:
            handle.write("flavors:\n  python_function: {}\n")
        with trackside.start_run() as run:
            trackside.log_artifacts(folder, "model")
        return run

    def test_registered_model_create_get_update_rename_tag_search_delete(self):
        created = self.client.create_registered_model("churn", tags={"team": "growth"}, description="first")
        self.assertEqual((created.name, created.description, created.tags), ("churn", "first", {"team": "growth"}))
        self.assertIsInstance(created.creation_timestamp, int)
        with self.assertRaises(trackside.TracksideException) as duplicate:
            self.client.create_registered_model("churn")
        self.assertEqual(duplicate.exception.error_code, "RESOURCE_ALREADY_EXISTS")

        self.assertEqual(self.client.update_registered_model("churn", description="second").description, "second")
        self.client.set_registered_model_tag("churn", "tier", "gold")
        self.client.delete_registered_model_tag("churn", "team")
        self.assertEqual(self.client.get_registered_model("churn").tags, {"tier": "gold"})
        renamed = self.client.rename_registered_model("churn", "churn-v2")
        self.assertEqual(renamed.name, "churn-v2")
        with self.assertRaises(trackside.TracksideException) as gone:
            self.client.get_registered_model("churn")
        self.assertEqual(gone.exception.error_code, "RESOURCE_DOES_NOT_EXIST")

        self.client.create_registered_model("churn-other")
        found = self.client.search_registered_models(filter_string="name LIKE 'churn%'", order_by=["name ASC"])
        self.assertEqual([m.name for m in found], ["churn-other", "churn-v2"])
        self.assertEqual([m.name for m in trackside.search_registered_models(filter_string="name = 'churn-v2'")], ["churn-v2"])
        self.client.delete_registered_model("churn-other")
        self.assertEqual([m.name for m in self.client.search_registered_models(filter_string="name LIKE 'churn%'")], ["churn-v2"])

    def test_model_versions_stages_aliases_and_tags(self):
        run = self.logged_model_run()
        self.client.create_registered_model("scorer")
        source = run.info.artifact_uri + "/model"
        v1 = self.client.create_model_version("scorer", source, run_id=run.info.run_id, tags={"kind": "baseline"}, description="v1")
        v2 = self.client.create_model_version("scorer", source, run_id=run.info.run_id)
        self.assertEqual((v1.version, v2.version), ("1", "2"))
        self.assertEqual((v1.source, v1.run_id, v1.status, v1.current_stage), (source, run.info.run_id, "READY", "None"))
        self.assertEqual(v1.tags, {"kind": "baseline"})
        self.assertEqual(self.client.get_model_version("scorer", 1).description, "v1")
        self.assertEqual(self.client.update_model_version("scorer", "2", description="better").description, "better")

        staged = self.client.transition_model_version_stage("scorer", "1", "Production")
        self.assertEqual(staged.current_stage, "Production")
        self.client.transition_model_version_stage("scorer", 2, "Production", archive_existing_versions=True)
        self.assertEqual(self.client.get_model_version("scorer", "1").current_stage, "Archived")
        latest = {v.current_stage: v.version for v in self.client.get_latest_versions("scorer")}
        self.assertEqual(latest, {"Production": "2", "Archived": "1"})
        self.assertEqual([v.version for v in self.client.get_latest_versions("scorer", stages=["Production"])], ["2"])

        self.client.set_registered_model_alias("scorer", "champion", "2")
        self.client.set_registered_model_alias("scorer", "previous", 1)
        self.assertEqual(self.client.get_model_version_by_alias("scorer", "champion").version, "2")
        self.assertEqual(self.client.get_model_version("scorer", "2").aliases, ["champion"])
        self.assertEqual(self.client.get_registered_model("scorer").aliases, {"champion": "2", "previous": "1"})
        self.client.delete_registered_model_alias("scorer", "previous")
        self.assertEqual(self.client.get_registered_model("scorer").aliases, {"champion": "2"})

        self.client.set_model_version_tag("scorer", "2", "validated", "true")
        self.client.set_model_version_tag("scorer", key="by-stage", value="prod", stage="Production")
        self.assertEqual(self.client.get_model_version("scorer", "2").tags, {"validated": "true", "by-stage": "prod"})
        self.client.delete_model_version_tag("scorer", "2", "validated")
        self.assertEqual(self.client.get_model_version("scorer", "2").tags, {"by-stage": "prod"})

        self.assertEqual(self.client.get_model_version_download_uri("scorer", "1"), source)
        found = self.client.search_model_versions("name = 'scorer'")
        self.assertEqual(sorted(v.version for v in found), ["1", "2"])
        self.assertEqual(sorted(v.version for v in trackside.search_model_versions(filter_string="name = 'scorer'")), ["1", "2"])
        self.client.delete_model_version("scorer", "1")
        with self.assertRaises(trackside.TracksideException) as deleted:
            self.client.get_model_version("scorer", "1")
        self.assertEqual(deleted.exception.error_code, "RESOURCE_DOES_NOT_EXIST")

    def test_register_model_from_a_runs_uri_creates_the_model_then_versions(self):
        run = self.logged_model_run()
        first = trackside.register_model("runs:/{}/model".format(run.info.run_id), "from-run", tags={"origin": "test"})
        second = trackside.register_model("runs:/{}/model".format(run.info.run_id), "from-run")
        self.assertEqual((first.name, first.version, second.version), ("from-run", "1", "2"))
        self.assertEqual(first.run_id, run.info.run_id)
        self.assertEqual(first.source, run.info.artifact_uri + "/model")
        self.assertEqual(first.tags, {"origin": "test"})
        stored = self.client.get_registered_model("from-run")
        self.assertEqual(sorted(v.version for v in self.client.search_model_versions("name = 'from-run'")), ["1", "2"])
        self.assertEqual(stored.name, "from-run")
        with self.assertRaisesRegex(trackside.TracksideException, "runs URI"):
            trackside.register_model("runs:/", "bad-uri")


if __name__ == "__main__":
    unittest.main()
