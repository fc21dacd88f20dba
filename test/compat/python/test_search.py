"""search_runs and experiment searches against the real server: MLflow's DataFrame columns as dicts."""

import datetime
import math
import unittest

from server_fixture import reset_fluent, start_server

import trackside

SERVER = None
EXPERIMENT_ID = None
RUNS = {}


def setUpModule():
    global SERVER, EXPERIMENT_ID
    SERVER = start_server()
    EXPERIMENT_ID = trackside.create_experiment("search-me", tags={"kind": "search"})
    for name, rmse, model in (("first", 0.9, "rf"), ("second", 0.4, "gbm"), ("third", 0.6, "rf")):
        with trackside.start_run(experiment_id=EXPERIMENT_ID, run_name=name) as run:
            trackside.log_metric("rmse", rmse)
            trackside.log_param("model", model)
            if name == "third":
                trackside.log_metric("only_third", 1.0)
        RUNS[name] = run.info.run_id


def tearDownModule():
    reset_fluent()
    SERVER.stop()


class SearchRunsTest(unittest.TestCase):
    def tearDown(self):
        reset_fluent()

    def test_rows_have_mlflow_dataframe_columns_with_nan_and_none_fill(self):
        rows = trackside.search_runs(experiment_ids=[EXPERIMENT_ID], order_by=["metrics.rmse ASC"])
        self.assertEqual([row["run_id"] for row in rows], [RUNS["second"], RUNS["third"], RUNS["first"]])
        first_columns = list(rows[0])[:6]
        self.assertEqual(first_columns, ["run_id", "experiment_id", "status", "artifact_uri", "start_time", "end_time"])
        for row in rows:
            self.assertEqual(set(row), set(rows[0]))  # every row has every column, as a DataFrame would
            self.assertEqual(row["experiment_id"], EXPERIMENT_ID)
            self.assertEqual(row["status"], "FINISHED")
            self.assertIsInstance(row["start_time"], datetime.datetime)
            self.assertEqual(row["start_time"].tzinfo, datetime.timezone.utc)
            self.assertLessEqual(row["start_time"], row["end_time"])
            self.assertTrue(row["artifact_uri"].endswith(row["run_id"] + "/artifacts"))
        self.assertEqual([row["metrics.rmse"] for row in rows], [0.4, 0.6, 0.9])
        self.assertEqual([row["params.model"] for row in rows], ["gbm", "rf", "rf"])
        self.assertEqual([row["tags.mlflow.runName"] for row in rows], ["second", "third", "first"])
        only = [row["metrics.only_third"] for row in rows]
        self.assertEqual(only[1], 1.0)
        self.assertTrue(math.isnan(only[0]) and math.isnan(only[2]))

    def test_filter_string_and_max_results(self):
        rows = trackside.search_runs([EXPERIMENT_ID], filter_string="params.model = 'rf' and metrics.rmse < 0.8")
        self.assertEqual([row["run_id"] for row in rows], [RUNS["third"]])
        self.assertEqual(len(trackside.search_runs([EXPERIMENT_ID], max_results=2)), 2)
        with self.assertRaises(trackside.MlflowException) as bad:
            trackside.search_runs([EXPERIMENT_ID], filter_string="params.model > 'a'")
        self.assertEqual(bad.exception.error_code, "INVALID_PARAMETER_VALUE")

    def test_default_experiment_names_and_all_experiments(self):
        trackside.set_experiment(experiment_id=EXPERIMENT_ID)
        self.assertEqual(len(trackside.search_runs()), 3)
        reset_fluent()
        by_name = trackside.search_runs(experiment_names=["search-me", "no-such-experiment"])
        self.assertEqual(len(by_name), 3)
        everywhere = trackside.search_runs(search_all_experiments=True, filter_string="params.model = 'gbm'")
        self.assertEqual([row["run_id"] for row in everywhere], [RUNS["second"]])
        with self.assertRaisesRegex(trackside.MlflowException, "not both"):
            trackside.search_runs(experiment_ids=[EXPERIMENT_ID], experiment_names=["search-me"])

    def test_output_formats(self):
        runs = trackside.search_runs([EXPERIMENT_ID], output_format="list", order_by=["attributes.run_name ASC"])
        self.assertEqual([r.info.run_name for r in runs], ["first", "second", "third"])
        self.assertEqual(runs[0].data.metrics, {"rmse": 0.9})
        try:
            import pandas
        except ImportError:
            with self.assertRaisesRegex(trackside.MlflowException, "needs pandas"):
                trackside.search_runs([EXPERIMENT_ID], output_format="pandas")
        else:
            frame = trackside.search_runs([EXPERIMENT_ID], output_format="pandas")
            self.assertEqual(len(frame), 3)
            self.assertIn("metrics.rmse", frame.columns)
            self.assertEqual(str(frame["start_time"].dtype), "datetime64[ns, UTC]")
        with self.assertRaisesRegex(ValueError, "Unsupported output format"):
            trackside.search_runs([EXPERIMENT_ID], output_format="xml")

    def test_client_search_runs_pages_with_a_token(self):
        client = trackside.TracksideClient()
        page = client.search_runs([EXPERIMENT_ID], max_results=2, order_by=["attributes.run_name ASC"])
        self.assertEqual([r.info.run_name for r in page], ["first", "second"])
        self.assertIsNotNone(page.token)
        rest = client.search_runs([EXPERIMENT_ID], max_results=2, order_by=["attributes.run_name ASC"], page_token=page.token)
        self.assertEqual([r.info.run_name for r in rest], ["third"])
        self.assertIsNone(rest.token)
        client.close()

    def test_search_experiments(self):
        found = trackside.search_experiments(filter_string="tags.kind = 'search'")
        self.assertEqual([e.experiment_id for e in found], [EXPERIMENT_ID])
        self.assertEqual(found[0].tags, {"kind": "search"})
        names = [e.name for e in trackside.search_experiments()]
        self.assertIn("Default", names)
        self.assertIn("search-me", names)
        self.assertEqual(trackside.get_experiment(EXPERIMENT_ID).name, "search-me")


if __name__ == "__main__":
    unittest.main()
