"""TracksideClient (MlflowClient's methods) against the real server, checked by reading back through REST."""

import time
import unittest

from server_fixture import start_server

import trackside
from trackside.entities import Metric, Param, RunTag

SERVER = None


def setUpModule():
    global SERVER
    SERVER = start_server()


def tearDownModule():
    SERVER.stop()


class ClientExperimentTest(unittest.TestCase):
    def setUp(self):
        self.client = trackside.TracksideClient(SERVER.uri, token=SERVER.token)

    def tearDown(self):
        self.client.close()

    def test_experiment_lifecycle(self):
        experiment_id = self.client.create_experiment("client-exp", tags={"owner": "ana"})
        self.assertIsInstance(experiment_id, str)
        experiment = self.client.get_experiment(experiment_id)
        self.assertEqual((experiment.name, experiment.lifecycle_stage, experiment.tags), ("client-exp", "active", {"owner": "ana"}))
        self.assertTrue(experiment.artifact_location.startswith("mlflow-artifacts:/"))
        self.assertIsInstance(experiment.creation_time, int)
        self.assertEqual(self.client.get_experiment_by_name("client-exp").experiment_id, experiment_id)
        self.assertIsNone(self.client.get_experiment_by_name("nobody-made-this"))

        self.client.rename_experiment(experiment_id, "client-exp-renamed")
        self.client.set_experiment_tag(experiment_id, "stage", "review")
        renamed = self.client.get_experiment(experiment_id)
        self.assertEqual(renamed.name, "client-exp-renamed")
        self.assertEqual(renamed.tags["stage"], "review")

        self.client.delete_experiment(experiment_id)
        self.assertEqual(self.client.get_experiment(experiment_id).lifecycle_stage, "deleted")
        active = [e.experiment_id for e in self.client.search_experiments()]
        deleted = [e.experiment_id for e in self.client.search_experiments(view_type=trackside.ViewType.DELETED_ONLY)]
        self.assertNotIn(experiment_id, active)
        self.assertIn(experiment_id, deleted)
        self.client.restore_experiment(experiment_id)
        self.assertEqual(self.client.get_experiment(experiment_id).lifecycle_stage, "active")

        with self.assertRaises(trackside.TracksideException) as duplicate:
            self.client.create_experiment("client-exp-renamed")
        self.assertEqual(duplicate.exception.error_code, "RESOURCE_ALREADY_EXISTS")

    def test_search_experiments_filter_order_and_pages(self):
        for name in ("page-a", "page-b", "page-c"):
            self.client.create_experiment(name)
        first = self.client.search_experiments(max_results=2, filter_string="name LIKE 'page-%'", order_by=["name DESC"])
        self.assertEqual([e.name for e in first], ["page-c", "page-b"])
        second = self.client.search_experiments(max_results=2, filter_string="name LIKE 'page-%'", order_by=["name DESC"],
                                                page_token=first.token)
        self.assertEqual([e.name for e in second], ["page-a"])


class ClientRunTest(unittest.TestCase):
    def setUp(self):
        self.client = trackside.TracksideClient(SERVER.uri, token=SERVER.token)
        self.experiment_id = self.client.get_experiment_by_name("Default").experiment_id

    def tearDown(self):
        self.client.close()

    def test_create_update_terminate_delete_restore(self):
        started = int(time.time() * 1000) - 5000
        run = self.client.create_run(self.experiment_id, start_time=started, tags={"mlflow.user": "robot", "k": "v"}, run_name="made")
        self.assertEqual((run.info.status, run.info.run_name, run.info.start_time), ("RUNNING", "made", started))
        self.assertEqual(run.info.user_id, "robot")
        self.assertEqual(run.data.tags["k"], "v")

        updated = self.client.update_run(run.info.run_id, name="renamed")
        self.assertEqual(updated.run_name, "renamed")
        self.assertEqual(self.client.get_run(run.info.run_id).data.tags["mlflow.runName"], "renamed")
        self.client.set_terminated(run.info.run_id, "KILLED", end_time=started + 1000)
        stored = self.client.get_run(run.info.run_id)
        self.assertEqual((stored.info.status, stored.info.end_time), ("KILLED", started + 1000))

        self.client.delete_run(run.info.run_id)
        self.assertEqual(self.client.get_run(run.info.run_id).info.lifecycle_stage, "deleted")
        self.client.restore_run(run.info.run_id)
        self.assertEqual(self.client.get_run(run.info.run_id).info.lifecycle_stage, "active")

    def test_metric_param_tag_calls(self):
        run_id = self.client.create_run(self.experiment_id).info.run_id
        self.client.log_metric(run_id, "acc", 0.5, timestamp=1000, step=1)
        self.client.log_metric(run_id, "acc", 0.75, timestamp=2000, step=2)
        self.assertEqual(self.client.log_param(run_id, "lr", 0.01), 0.01)
        self.client.set_tag(run_id, "note", "hello")
        self.client.set_tag(run_id, "drop", "me")
        self.client.delete_tag(run_id, "drop")
        data = self.client.get_run(run_id).data
        self.assertEqual(data.metrics, {"acc": 0.75})
        self.assertEqual(data.params, {"lr": "0.01"})
        self.assertEqual(data.tags["note"], "hello")
        self.assertNotIn("drop", data.tags)
        history = self.client.get_metric_history(run_id, "acc")
        self.assertEqual([(m.key, m.value, m.timestamp, m.step) for m in sorted(history, key=lambda m: m.step)],
                         [("acc", 0.5, 1000, 1), ("acc", 0.75, 2000, 2)])
        with self.assertRaises(trackside.TracksideException) as missing:
            self.client.delete_tag(run_id, "never-set")
        self.assertEqual(missing.exception.error_code, "RESOURCE_DOES_NOT_EXIST")

    def test_log_batch_splits_above_mlflow_limits(self):
        run_id = self.client.create_run(self.experiment_id).info.run_id
        metrics = [Metric("batch", float(i), 1000 + i, i) for i in range(2500)]
        # 100 params of 6,000 chars and 100 tags of 4,000 fit MLflow's counts but not its 1 MB body limit together.
        params = [Param("p{}".format(i), str(i) * (6000 // len(str(i)))) for i in range(100)]
        tags = [RunTag("t{}".format(i), "x" * 4000) for i in range(120)]
        self.client.log_batch(run_id, metrics=metrics, params=params, tags=tags)
        data = self.client.get_run(run_id).data
        self.assertEqual(len(data.params), 100)
        self.assertEqual(data.params["p7"], "7" * 6000)
        self.assertEqual(len([k for k in data.tags if k.startswith("t")]), 120)
        history = self.client.get_metric_history(run_id, "batch")
        self.assertEqual(sorted(m.step for m in history), list(range(2500)))

    def test_metric_history_reads_every_page(self):
        run_id = self.client.create_run(self.experiment_id).info.run_id
        points = [Metric("long", float(i), i, i) for i in range(26000)]
        self.client.log_batch(run_id, metrics=points)
        history = self.client.get_metric_history(run_id, "long")
        self.assertEqual(len(history), 26000)  # the server answers at most 25,000 a page
        self.assertEqual(len({m.step for m in history}), 26000)

    def test_log_inputs_and_get_parent_run(self):
        from trackside.datasets import build_dataset_input

        parent = self.client.create_run(self.experiment_id)
        child = self.client.create_run(self.experiment_id, tags={"mlflow.parentRunId": parent.info.run_id})
        self.assertEqual(self.client.get_parent_run(child.info.run_id).info.run_id, parent.info.run_id)
        self.assertIsNone(self.client.get_parent_run(parent.info.run_id))
        self.client.log_inputs(child.info.run_id, [build_dataset_input("eval-set", context="eval")])
        [dataset_input] = self.client.get_run(child.info.run_id).inputs.dataset_inputs
        self.assertEqual(dataset_input.dataset.name, "eval-set")

    def test_client_artifacts(self):
        import os
        import tempfile

        run_id = self.client.create_run(self.experiment_id).info.run_id
        self.client.log_text(run_id, "abc", "texts/a.txt")
        self.client.log_dict(run_id, {"k": [1, 2]}, "d.yml")
        self.assertEqual([(f.path, f.is_dir) for f in self.client.list_artifacts(run_id)], [("d.yml", False), ("texts", True)])
        folder = tempfile.mkdtemp()
        local = self.client.download_artifacts(run_id, "texts", folder)
        with open(os.path.join(local, "a.txt")) as handle:
            self.assertEqual(handle.read(), "abc")
        with open(self.client.download_artifacts(run_id, "d.yml", folder)) as handle:
            self.assertEqual(handle.read(), "k:\n- 1\n- 2\n")


if __name__ == "__main__":
    unittest.main()
