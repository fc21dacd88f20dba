"""MLflow Models through the Trackside client, against the real server: log → register → load by every URI
form → predict, for a pure-Python model (every interpreter) and a scikit-learn one (an interpreter that has
scikit-learn: this one, $TRACKSIDE_SKLEARN_PYTHON, or Debian's /usr/bin/python3 with python3-sklearn)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

from server_fixture import PYTHON_SOURCE, reset_fluent, start_server

import trackside
from trackside.models import MLmodel, load_pyfunc, save_model
from trackside.models.demo import LinearModel
from trackside.models.serve import ScoringError, invoke

SERVER = None
RECORDS = [{"tenure": t, "plan": float(t % 3 + 1), "calls": (t * 7 % 11) / 2.0} for t in range(1, 41)]
TARGETS = [3.0 * r["tenure"] + 10.0 * r["plan"] - 2.0 * r["calls"] + 5.0 for r in RECORDS]


def setUpModule():
    global SERVER
    SERVER = start_server()


def tearDownModule():
    reset_fluent()
    SERVER.stop()


def demo_model():
    rows = [dict(r, spend=y) for r, y in zip(RECORDS, TARGETS)]
    return LinearModel.fit(rows, "spend")


def cloudpickle_available():
    try:
        import cloudpickle  # noqa: F401
    except ImportError:
        return False
    return True


def sklearn_interpreter():
    """An interpreter that imports sklearn: this one, $TRACKSIDE_SKLEARN_PYTHON, or /usr/bin/python3."""
    candidates = [sys.executable, os.environ.get("TRACKSIDE_SKLEARN_PYTHON"), "/usr/bin/python3"]
    for candidate in candidates:
        if not candidate or not os.path.exists(candidate):
            continue
        probe = subprocess.run([candidate, "-c", "import sklearn, numpy"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if probe.returncode == 0:
            return candidate
    return None


class ModelsTest(unittest.TestCase):
    def setUp(self):
        self.client = trackside.TracksideClient()
        self.folder = tempfile.mkdtemp(prefix="trackside-models-")

    def tearDown(self):
        reset_fluent()
        self.client.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def test_log_register_and_load_by_every_uri_form(self):
        model = demo_model()
        example = RECORDS[:3]
        trackside.set_experiment("models-test")
        with trackside.start_run() as run:
            info = trackside.log_model(model, "model", input_example=example, registered_model_name="spend")
        self.assertEqual(info.model_uri, "runs:/{}/model".format(run.info.run_id))
        self.assertEqual(info.registered_model_version, "1")

        files = sorted(f.path for f in self.client.list_artifacts(run.info.run_id, "model"))
        for name in ("MLmodel", "conda.yaml", "input_example.json", "model.pkl", "python_env.yaml", "requirements.txt",
                     "serving_input_example.json"):
            self.assertIn("model/" + name, files)
        mlmodel = MLmodel.load(self.client.download_artifacts(run.info.run_id, "model/MLmodel", self.folder))
        self.assertEqual(sorted(mlmodel.flavors), ["python_function", "trackside.pickle"])
        self.assertEqual(mlmodel.flavors["python_function"]["loader_module"], "trackside.models.pickle_flavor")
        self.assertEqual(mlmodel.flavors["trackside.pickle"]["predict_input"], "records")
        self.assertEqual(mlmodel.run_id, run.info.run_id)
        self.assertEqual(mlmodel.artifact_path, "model")
        self.assertEqual(mlmodel.signature.input_names(), ["tenure", "plan", "calls"])
        self.assertEqual([s["type"] for s in mlmodel.signature.inputs], ["long", "double", "double"])
        self.assertEqual(mlmodel.signature.outputs, [{"type": "double", "required": True}])
        history = json.loads(self.client.get_run(run.info.run_id).data.tags["mlflow.log-model.history"])
        self.assertEqual(history[0]["artifact_path"], "model")

        # A second version, an alias on the first, and the second in Production.
        with trackside.start_run() as second:
            trackside.log_model(LinearModel({"tenure": 1.0}, 0.0), "model", input_example=example, registered_model_name="spend")
        self.client.set_registered_model_alias("spend", "champion", "1")
        self.client.transition_model_version_stage("spend", "2", "Production")

        expected = model.predict(RECORDS)
        for uri in ("runs:/{}/model".format(run.info.run_id), "models:/spend/1", "models:/spend@champion"):
            loaded = trackside.load_model(uri)
            self.assertEqual(loaded.predict(RECORDS), expected, uri)
        second_expected = [float(r["tenure"]) for r in RECORDS]
        for uri in ("models:/spend/Production", "models:/spend/production", "models:/spend/latest",
                    "runs:/{}/model".format(second.info.run_id)):
            self.assertEqual(trackside.load_model(uri).predict(RECORDS), second_expected, uri)
        # Columns (a dict of lists) and rows with extra columns reach the model as records too.
        loaded = trackside.load_model("models:/spend@champion")
        self.assertEqual(loaded.predict({"tenure": [1], "plan": [1.0], "calls": [0.0], "ignored": ["x"]}), model.predict([{"tenure": 1, "plan": 1.0, "calls": 0.0}]))

    def test_load_errors_name_what_is_wrong(self):
        with self.assertRaises(trackside.TracksideException) as missing:
            trackside.load_model("models:/no-such-model/1")
        self.assertEqual(missing.exception.error_code, "RESOURCE_DOES_NOT_EXIST")
        with self.assertRaises(trackside.TracksideException) as malformed:
            trackside.load_model("models:/a/b/c")
        self.assertIn("models:/<name>@<alias>", str(malformed.exception))
        path = os.path.join(self.folder, "m")
        save_model(demo_model(), path, input_example=RECORDS[:2])
        loaded = load_pyfunc(path)
        with self.assertRaises(ValueError) as schema:
            loaded.predict([{"tenure": 3}])
        self.assertIn("'plan', 'calls'", str(schema.exception))
        with self.assertRaises(ValueError) as typed:
            loaded.predict([{"tenure": "many", "plan": 1.0, "calls": 2.0}])
        self.assertIn("Column 'tenure' row 1", str(typed.exception))

    def test_a_class_defined_in_main_needs_code_paths_and_code_paths_make_it_loadable(self):
        module_file = os.path.join(self.folder, "flat_model.py")
        with open(module_file, "w") as handle:
            handle.write(textwrap.dedent("""
                class FlatModel(object):
                    def __init__(self, value):
                        self.value = value

                    def predict(self, rows):
                        return [self.value for _ in rows]
            """))
        sys.path.insert(0, self.folder)
        try:
            import flat_model

            class InMain(flat_model.FlatModel):
                pass

            InMain.__module__ = "__main__"
            if cloudpickle_available():
                # cloudpickle stores a __main__ class by value, so it loads without its script.
                saved = save_model(InMain(1), os.path.join(self.folder, "by-value"))
                self.assertEqual(saved.flavors["trackside.pickle"]["serialization_format"], "cloudpickle")
                self.assertEqual(load_pyfunc(os.path.join(self.folder, "by-value")).predict([{"x": 1}]), [1])
            else:
                with self.assertRaises(trackside.TracksideException) as refused:
                    save_model(InMain(1), os.path.join(self.folder, "refused"))
                self.assertIn("code_paths", str(refused.exception))
            with trackside.start_run() as run:
                trackside.log_model(flat_model.FlatModel(7), "flat", code_paths=[module_file], input_example=[{"x": 1}])
        finally:
            sys.path.remove(self.folder)
            sys.modules.pop("flat_model", None)
        # A fresh interpreter without the module on its path loads it from the model's code/ folder.
        script = "import trackside; print(trackside.load_model('runs:/{}/flat').predict([{{'x': 1}}, {{'x': 2}}]))".format(run.info.run_id)
        answer = subprocess.run([sys.executable, "-c", script], env=SERVER.env(), cwd=tempfile.gettempdir(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        self.assertEqual(answer.returncode, 0, answer.stderr)
        self.assertEqual(answer.stdout.strip(), "[7, 7]")

    def test_scoring_protocol_payload_forms_and_rejections(self):
        path = os.path.join(self.folder, "m")
        model = demo_model()
        save_model(model, path, input_example=RECORDS[:2])
        loaded = load_pyfunc(path)
        expected = model.predict(RECORDS[:2])
        columns = ["tenure", "plan", "calls"]
        data = [[r[c] for c in columns] for r in RECORDS[:2]]
        bodies = [
            ("application/json", {"dataframe_split": {"columns": columns, "data": data}}),
            ("application/json", {"dataframe_records": RECORDS[:2]}),
            ("application/json", {"instances": RECORDS[:2]}),
            ("application/json", {"inputs": {c: [r[c] for r in RECORDS[:2]] for c in columns}}),
            ("application/json; charset=utf-8", {"inputs": RECORDS[:2], "params": {}}),
        ]
        for content_type, body in bodies:
            answer = invoke(loaded, content_type, json.dumps(body).encode())
            self.assertEqual(answer, {"predictions": expected}, body)
        csv_body = "calls,plan,tenure,extra\n" + "\n".join("{},{},{},z".format(r["calls"], r["plan"], r["tenure"]) for r in RECORDS[:2])
        self.assertEqual(invoke(loaded, "text/csv", csv_body.encode()), {"predictions": expected})

        rejected = [
            ("application/json", b"{not json", 400, "must be JSON"),
            ("application/json", b"[1, 2]", 400, "exactly one of the fields"),
            ("application/json", json.dumps({"dataframe_records": RECORDS[:1], "inputs": []}).encode(), 400, "exactly one"),
            ("application/json", json.dumps({"dataframe_split": {"columns": columns}}).encode(), 400, "'data'"),
            ("application/json", json.dumps({"dataframe_records": [{"tenure": 1}]}).encode(), 400, "'plan', 'calls'"),
            ("application/json", json.dumps({"dataframe_split": {"columns": columns, "data": [[1, 2.0]]}}).encode(), 400, "3 columns are named"),
            ("text/csv", b"", 400, "header row"),
            ("text/plain", b"x", 415, "Unsupported content type"),
        ]
        for content_type, body, status, text in rejected:
            with self.assertRaises(ScoringError) as error:
                invoke(loaded, content_type, body)
            self.assertEqual(error.exception.status, status, body)
            self.assertIn(text, error.exception.message)

    def test_batch_scoring_edge_cases(self):
        from trackside.models.mlmodel import MLmodel as Meta
        from trackside.models.pyfunc import PyFuncModel
        from trackside.models.score import score_file
        from trackside.models.table import InputError

        seen = []

        def echo(records, params=None):
            seen.extend(records)
            return [{"label": "big" if (r["x"] or 0) > 1 else "small", "x": r["x"]} for r in records]

        untyped = PyFuncModel(Meta(), echo, "records")
        source = os.path.join(self.folder, "in.csv")
        with open(source, "w") as handle:
            handle.write("x,name\n1,a\n2.5,\n,c\n")
        target = os.path.join(self.folder, "out.csv")
        self.assertEqual(score_file(untyped, source, target), (3, 3))
        # Without a signature, CSV cells become numbers where every cell of the first batch is one.
        self.assertEqual(seen, [{"x": 1.0, "name": "a"}, {"x": 2.5, "name": ""}, {"x": None, "name": "c"}])
        with open(target) as handle:
            self.assertEqual(handle.read(), "x,name,prediction.label,prediction.x\n1,a,small,1.0\n2.5,,big,2.5\n,c,small,\n")

        typed = load_pyfunc(save_model(demo_model(), os.path.join(self.folder, "typed"), input_example=RECORDS[:2]).folder)
        with open(source, "w") as handle:
            handle.write("tenure,plan,calls\n1,1,\n")  # an empty double is NaN, which the demo model skips
        score_file(typed, source, target)
        with open(target) as handle:
            self.assertEqual(handle.read().splitlines()[1], "1,1,,{}".format(typed.predict([{"tenure": 1, "plan": 1.0, "calls": 0.0}])[0]))
        with open(source, "w") as handle:
            handle.write("tenure,plan,calls,prediction\n1,1,1,0\n")
        with self.assertRaises(InputError) as clash:
            score_file(typed, source, target)
        self.assertIn("--prediction-column", str(clash.exception))
        with open(source, "w") as handle:
            handle.write("tenure,plan,calls\n1,1,1\n1,1\n")
        with self.assertRaises(InputError) as ragged:
            score_file(typed, source, target)
        self.assertIn("has 2 fields but the header has 3", str(ragged.exception))
        self.assertFalse(os.path.exists(target + ".tmp"))

    def test_sklearn_model_logged_registered_and_loaded(self):
        interpreter = sklearn_interpreter()
        if interpreter is None:
            self.skipTest("no interpreter here imports sklearn (install python3-sklearn, or set TRACKSIDE_SKLEARN_PYTHON)")
        script = textwrap.dedent("""
            import json, sys
            import trackside
            from sklearn.linear_model import LinearRegression
            X = [[float(i), float(i % 5)] for i in range(50)]
            y = [2.0 * a - 3.0 * b + 1.0 for a, b in X]
            import pandas as pd
            frame = pd.DataFrame(X, columns=["size", "rooms"])
            model = LinearRegression().fit(frame, y)
            trackside.set_experiment("sklearn-models")
            with trackside.start_run() as run:
                info = trackside.log_model(model, "model", input_example=frame.head(3), registered_model_name="houses")
            trackside.TracksideClient().set_registered_model_alias("houses", "champion", info.registered_model_version)
            loaded = trackside.load_model("models:/houses@champion")
            records = [{"rooms": 1.0, "size": 10.0}, {"rooms": 4.0, "size": 3.0}]
            # The layout mlflow.sklearn.log_model writes (cloudpickle format; no input example).
            import os, pickle, tempfile
            from trackside.models import load_pyfunc
            folder = tempfile.mkdtemp()
            with open(os.path.join(folder, "model.pkl"), "wb") as handle:
                pickle.dump(model, handle)
            with open(os.path.join(folder, "MLmodel"), "w") as handle:
                handle.write("artifact_path: model\\nflavors:\\n  python_function:\\n    env:\\n      conda: conda.yaml\\n"
                             "      virtualenv: python_env.yaml\\n    loader_module: mlflow.sklearn\\n    model_path: model.pkl\\n"
                             "    predict_fn: predict\\n    python_version: 3.11.7\\n  sklearn:\\n    code: null\\n"
                             "    pickled_model: model.pkl\\n    serialization_format: cloudpickle\\n    sklearn_version: 1.2.1\\n"
                             "mlflow_version: 2.12.2\\nmodel_uuid: 5b2c\\nutc_time_created: '2024-05-02 09:15:42.123456'\\n")
            from_mlflow = [round(float(p), 6) for p in load_pyfunc(folder).predict(frame.head(2))]
            print(json.dumps({"run_id": run.info.run_id, "flavors": sorted(loaded.metadata.flavors),
                              "loader": loaded.metadata.flavors["python_function"]["loader_module"],
                              "format": loaded.metadata.flavors["sklearn"]["serialization_format"],
                              "kind": loaded.input_kind,
                              "predictions": [round(float(p), 6) for p in loaded.predict(records)],
                              "by_version": [round(float(p), 6) for p in trackside.load_model("models:/houses/1").predict(records)],
                              "from_mlflow": from_mlflow}))
        """)
        answer = subprocess.run([interpreter, "-c", script], env=SERVER.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                universal_newlines=True)
        self.assertEqual(answer.returncode, 0, answer.stderr)
        result = json.loads(answer.stdout.strip().splitlines()[-1])
        self.assertEqual(result["flavors"], ["python_function", "sklearn"])
        self.assertEqual((result["loader"], result["format"], result["kind"]), ("mlflow.sklearn", "pickle", "sklearn"))
        self.assertEqual(result["predictions"], [18.0, -5.0])  # the columns were reordered to the model's own order
        self.assertEqual(result["by_version"], result["predictions"])
        self.assertEqual(result["from_mlflow"], [1.0, 0.0])  # rows (0, 0) and (1, 1) of the training frame
        try:
            import sklearn  # noqa: F401
        except ImportError:
            # This interpreter cannot load it, and says what to install.
            with self.assertRaises(trackside.TracksideException) as error:
                trackside.load_model("models:/houses@champion")
            self.assertIn("pip install scikit-learn", str(error.exception))

    def test_models_written_by_mlflow_load_where_their_libraries_are(self):
        # An MLmodel as mlflow 2.x writes it (PyYAML layout: folded signature string) for a cloudpickled PythonModel.
        folder = os.path.join(self.folder, "pyfunc-model")
        os.makedirs(folder)
        with open(os.path.join(folder, "MLmodel"), "w") as handle:
            handle.write(textwrap.dedent("""\
                artifact_path: model
                flavors:
                  python_function:
                    cloudpickle_version: 3.0.0
                    code: null
                    env:
                      conda: conda.yaml
                      virtualenv: python_env.yaml
                    loader_module: mlflow.pyfunc.model
                    python_model: python_model.pkl
                    python_version: 3.11.7
                mlflow_version: 2.12.2
                model_uuid: 0a1b2c
                signature:
                  inputs: '[{"type": "double", "name": "a", "required": true}, {"type": "double", "name":
                    "b", "required": true}]'
                  outputs: '[{"type": "double", "required": true}]'
                  params: null
                utc_time_created: '2024-04-01 10:00:00.000000'
            """))
        mlmodel = MLmodel.load(folder)
        self.assertEqual(mlmodel.signature.input_names(), ["a", "b"])
        if not cloudpickle_available():
            with self.assertRaises(trackside.TracksideException) as error:
                load_pyfunc(folder)
            self.assertIn("pip install cloudpickle", str(error.exception))
            return
        import cloudpickle

        class AddColumns(object):
            """A PythonModel as MLflow calls it: load_context(context), then predict(context, model_input, params)."""

            def load_context(self, context):
                self.offset = context.model_config.get("offset", 0)

            def predict(self, context, model_input, params=None):
                if hasattr(model_input, "columns"):
                    return (model_input["a"] + model_input["b"] + self.offset).tolist()
                return [row["a"] + row["b"] + self.offset for row in model_input]

        with open(os.path.join(folder, "python_model.pkl"), "wb") as handle:
            cloudpickle.dump(AddColumns(), handle)
        loaded = load_pyfunc(folder)
        self.assertEqual(loaded.predict([{"b": 2, "a": 1.5}, {"a": 0, "b": 0}]), [3.5, 0.0])


if __name__ == "__main__":
    unittest.main()
