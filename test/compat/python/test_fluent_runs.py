"""The fluent run lifecycle against the real server: experiments, start/end, nesting, params, tags, resumption."""

import os
import subprocess
import sys
import unittest

from server_fixture import reset_fluent, start_server

import trackside

SERVER = None


def setUpModule():
    global SERVER
    SERVER = start_server()


def tearDownModule():
    reset_fluent()
    SERVER.stop()


class FluentRunTest(unittest.TestCase):
    def setUp(self):
        self.client = trackside.TracksideClient()

    def tearDown(self):
        reset_fluent()

    def test_set_experiment_creates_a_missing_experiment_then_reuses_it(self):
        self.assertIsNone(trackside.get_experiment_by_name("fluent-exp"))
        created = trackside.set_experiment("fluent-exp")
        self.assertEqual(created.name, "fluent-exp")
        self.assertEqual(created.lifecycle_stage, "active")
        again = trackside.set_experiment(experiment_name="fluent-exp")
        self.assertEqual(again.experiment_id, created.experiment_id)
        self.assertEqual(trackside.set_experiment(experiment_id=created.experiment_id).name, "fluent-exp")
        with trackside.start_run() as run:
            pass
        self.assertEqual(run.info.experiment_id, created.experiment_id)

    def test_set_experiment_refuses_both_or_neither_and_deleted_or_missing_ones(self):
        with self.assertRaisesRegex(trackside.MlflowException, "exactly one of"):
            trackside.set_experiment()
        with self.assertRaisesRegex(trackside.MlflowException, "exactly one of"):
            trackside.set_experiment("a", experiment_id="0")
        with self.assertRaises(trackside.MlflowException) as missing:
            trackside.set_experiment(experiment_id="987654")
        self.assertEqual(missing.exception.error_code, "RESOURCE_DOES_NOT_EXIST")
        gone = trackside.create_experiment("fluent-deleted")
        trackside.delete_experiment(gone)
        with self.assertRaisesRegex(trackside.MlflowException, "Cannot set a deleted experiment 'fluent-deleted'"):
            trackside.set_experiment("fluent-deleted")

    def test_with_start_run_finishes_the_run_and_sets_mlflow_default_tags(self):
        with trackside.start_run(run_name="baseline", tags={"team": "vision", "rank": 3}, description="first try") as run:
            self.assertIs(trackside.active_run(), run)
            self.assertEqual(run.info.status, "RUNNING")
            self.assertEqual(run.info.run_name, "baseline")
        self.assertIsNone(trackside.active_run())
        stored = self.client.get_run(run.info.run_id)
        self.assertEqual(stored.info.status, "FINISHED")
        self.assertIsNotNone(stored.info.end_time)
        tags = stored.data.tags
        self.assertEqual(tags["mlflow.runName"], "baseline")
        self.assertEqual(tags["mlflow.note.content"], "first try")
        self.assertEqual(tags["team"], "vision")
        self.assertEqual(tags["rank"], "3")
        self.assertEqual(tags["mlflow.source.type"], "LOCAL")
        self.assertEqual(tags["mlflow.source.name"], sys.argv[0])
        self.assertTrue(tags["mlflow.user"])
        self.assertEqual(stored.info.user_id, tags["mlflow.user"])
        self.assertEqual(trackside.last_active_run().info.status, "FINISHED")

    def test_an_exception_in_the_block_ends_the_run_failed_and_propagates(self):
        with self.assertRaisesRegex(ZeroDivisionError, "division"):
            with trackside.start_run() as run:
                1 / 0
        self.assertEqual(self.client.get_run(run.info.run_id).info.status, "FAILED")
        self.assertIsNone(trackside.active_run())

    def test_end_run_with_a_status_and_without_an_active_run(self):
        trackside.end_run()  # nothing active: no error, as in MLflow
        run = trackside.start_run()
        trackside.end_run("KILLED")
        self.assertEqual(self.client.get_run(run.info.run_id).info.status, "KILLED")

    def test_nested_runs_carry_the_parent_run_id_and_a_second_top_level_run_is_refused(self):
        with trackside.start_run(run_name="parent") as parent:
            with self.assertRaisesRegex(Exception, "Run with UUID {} is already active".format(parent.info.run_id)):
                trackside.start_run()
            with trackside.start_run(run_name="child", nested=True) as child:
                self.assertIs(trackside.active_run(), child)
                with trackside.start_run(nested=True) as grandchild:
                    pass
            self.assertIs(trackside.active_run(), parent)
        child_tags = self.client.get_run(child.info.run_id).data.tags
        self.assertEqual(child_tags["mlflow.parentRunId"], parent.info.run_id)
        self.assertEqual(self.client.get_run(grandchild.info.run_id).data.tags["mlflow.parentRunId"], child.info.run_id)
        self.assertNotIn("mlflow.parentRunId", self.client.get_run(parent.info.run_id).data.tags)
        self.assertEqual(trackside.get_parent_run(child.info.run_id).info.run_id, parent.info.run_id)

    def test_params_and_tags_are_logged_and_a_param_conflict_raises_mlflow_message(self):
        with trackside.start_run() as run:
            self.assertEqual(trackside.log_param("alpha", 0.5), 0.5)
            trackside.log_params({"layers": 3, "optimizer": "adam"})
            trackside.log_param("alpha", 0.5)  # the same value again is fine
            trackside.set_tag("stage", "dev")
            trackside.set_tags({"owner": "me", "temporary": "yes"})
            trackside.delete_tag("temporary")
            with self.assertRaises(trackside.MlflowException) as conflict:
                trackside.log_param("alpha", 0.7)
        self.assertEqual(conflict.exception.error_code, "INVALID_PARAMETER_VALUE")
        self.assertIn("Changing param values is not allowed. Param with key='alpha' was already logged with value='0.5'", str(conflict.exception))
        self.assertTrue(str(conflict.exception).startswith("INVALID_PARAMETER_VALUE: "))
        data = self.client.get_run(run.info.run_id).data
        self.assertEqual(data.params, {"alpha": "0.5", "layers": "3", "optimizer": "adam"})
        self.assertEqual(data.tags["stage"], "dev")
        self.assertEqual(data.tags["owner"], "me")
        self.assertNotIn("temporary", data.tags)

    def test_logging_without_an_active_run_starts_one(self):
        trackside.log_param("auto", "yes")
        run = trackside.active_run()
        self.assertIsNotNone(run)
        trackside.end_run()
        self.assertEqual(self.client.get_run(run.info.run_id).data.params, {"auto": "yes"})

    def test_start_run_with_run_id_resumes_and_sets_running(self):
        with trackside.start_run() as first:
            pass
        with trackside.start_run(run_id=first.info.run_id, tags={"resumed": "1"}) as again:
            self.assertEqual(again.info.run_id, first.info.run_id)
            self.assertEqual(self.client.get_run(first.info.run_id).info.status, "RUNNING")
            self.assertEqual(again.data.tags["resumed"], "1")
        self.assertEqual(self.client.get_run(first.info.run_id).info.status, "FINISHED")

    def test_mlflow_run_id_in_the_environment_is_resumed_by_a_child_python(self):
        experiment_id = trackside.create_experiment("resume-from-env")
        with trackside.start_run(experiment_id=experiment_id) as run:
            pass
        code = (
            "import os, trackside\n"
            "trackside.log_metric('resumed', 2.5, step=3)\n"
            "trackside.log_param('from_child', 'yes')\n"
            "print(trackside.active_run().info.run_id)\n"
            "print('MLFLOW_RUN_ID' in os.environ)\n"
        )
        child = subprocess.run([sys.executable, "-c", code], env=SERVER.env(MLFLOW_RUN_ID=run.info.run_id),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
        self.assertEqual(child.returncode, 0, child.stderr)
        self.assertEqual(child.stdout.split(), [run.info.run_id, "False"])  # MLflow removes the variable once used
        stored = self.client.get_run(run.info.run_id)
        self.assertEqual(stored.data.metrics, {"resumed": 2.5})
        self.assertEqual(stored.data.params, {"from_child": "yes"})
        self.assertEqual(stored.info.status, "FINISHED")  # ended by the child's atexit handler
        self.assertEqual(len(trackside.search_runs(experiment_ids=[experiment_id])), 1)

    def test_a_child_python_that_crashes_leaves_its_run_failed_with_its_metrics(self):
        experiment_id = trackside.create_experiment("crash-at-exit")
        code = "import trackside\ntrackside.log_metric('before_crash', 1.0)\nraise RuntimeError('boom')\n"
        child = subprocess.run([sys.executable, "-c", code], env=SERVER.env(MLFLOW_EXPERIMENT_ID=experiment_id),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
        self.assertEqual(child.returncode, 1)
        self.assertIn("RuntimeError: boom", child.stderr)
        runs = trackside.search_runs(experiment_ids=[experiment_id], output_format="list")
        self.assertEqual(len(runs), 1)
        self.assertEqual(runs[0].info.status, "FAILED")
        self.assertEqual(runs[0].data.metrics, {"before_crash": 1.0})
        self.assertEqual(runs[0].data.tags["mlflow.source.name"], "-c")

    def test_mlflow_experiment_name_in_the_environment_creates_and_uses_the_experiment(self):
        child = subprocess.run([sys.executable, "-c", "import trackside\nwith trackside.start_run() as r:\n    print(r.info.experiment_id)\n"],
                               env=SERVER.env(MLFLOW_EXPERIMENT_NAME="from-environment"),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
        self.assertEqual(child.returncode, 0, child.stderr)
        experiment = trackside.get_experiment_by_name("from-environment")
        self.assertIsNotNone(experiment)
        self.assertEqual(child.stdout.strip(), experiment.experiment_id)

    def test_delete_run_marks_it_deleted_and_hides_it_from_default_searches(self):
        experiment_id = trackside.create_experiment("deletions")
        with trackside.start_run(experiment_id=experiment_id) as run:
            pass
        trackside.delete_run(run.info.run_id)
        self.assertEqual(trackside.get_run(run.info.run_id).info.lifecycle_stage, "deleted")
        self.assertEqual(trackside.search_runs(experiment_ids=[experiment_id]), [])
        deleted = trackside.search_runs(experiment_ids=[experiment_id], run_view_type=trackside.ViewType.DELETED_ONLY)
        self.assertEqual([row["run_id"] for row in deleted], [run.info.run_id])
        with self.assertRaisesRegex(trackside.MlflowException, "deleted state"):
            trackside.start_run(run_id=run.info.run_id)

    def test_import_trackside_as_mlflow_exposes_mlflow_names(self):
        import trackside as mlflow

        self.assertIs(mlflow.MlflowClient, mlflow.TracksideClient)
        self.assertIs(mlflow.tracking.MlflowClient, mlflow.TracksideClient)
        self.assertIs(mlflow.exceptions.MlflowException, mlflow.TracksideException)
        self.assertEqual(mlflow.entities.ViewType.ALL, 3)
        self.assertEqual(mlflow.get_tracking_uri(), os.environ["MLFLOW_TRACKING_URI"])
        for name in ("start_run", "end_run", "log_metric", "log_metrics", "log_param", "log_params", "set_tag", "set_tags",
                     "log_artifact", "log_artifacts", "log_dict", "log_text", "log_input", "search_runs", "get_run",
                     "set_experiment", "register_model", "active_run", "last_active_run", "flush"):
            self.assertTrue(callable(getattr(mlflow, name)), name)


if __name__ == "__main__":
    unittest.main()
