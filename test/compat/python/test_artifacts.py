"""Artifacts and inputs against the real server: proxy upload/list/download, local folders, dict/text, datasets."""

import json
import os
import shutil
import tempfile
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


def write(path, content):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(content if isinstance(content, bytes) else content.encode("utf-8"))


def read(path):
    with open(path, "rb") as handle:
        return handle.read()


class ArtifactTest(unittest.TestCase):
    def setUp(self):
        self.client = trackside.TracksideClient()
        self.folder = tempfile.mkdtemp(prefix="trackside-artifacts-")
        self.binary = bytes(range(256)) * 4096  # 1 MiB with every byte value

    def tearDown(self):
        reset_fluent()
        self.client.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def make_tree(self):
        source = os.path.join(self.folder, "outputs")
        write(os.path.join(source, "summary.txt"), "accuracy 0.93\n")
        write(os.path.join(source, "plots", "loss.bin"), self.binary)
        write(os.path.join(source, "plots", "deep", "nested", "note.md"), "# deep\n")
        return source

    def test_upload_list_and_download_through_the_proxy_including_nested_folders(self):
        source = self.make_tree()
        single = os.path.join(self.folder, "model.pkl")
        write(single, b"\x80\x04pickle")
        with trackside.start_run() as run:
            self.assertTrue(run.info.artifact_uri.startswith("mlflow-artifacts:/"))
            trackside.log_artifact(single)
            trackside.log_artifact(single, artifact_path="models/v1")
            trackside.log_artifacts(source, artifact_path="outputs")
            trackside.log_artifacts(os.path.join(source, "plots"))
        run_id = run.info.run_id
        root = self.client.list_artifacts(run_id)
        self.assertEqual([(f.path, f.is_dir) for f in root],
                         [("deep", True), ("loss.bin", False), ("model.pkl", False), ("models", True), ("outputs", True)])
        self.assertEqual([f.file_size for f in root if f.path == "loss.bin"], [len(self.binary)])
        outputs = self.client.list_artifacts(run_id, "outputs")
        self.assertEqual([f.path for f in outputs], ["outputs/plots", "outputs/summary.txt"])
        self.assertEqual([f.path for f in self.client.list_artifacts(run_id, "outputs/plots/deep/nested")],
                         ["outputs/plots/deep/nested/note.md"])
        # Read back through REST too: MLflow's run-relative listing agrees.
        listed = self.client._call("GET", "artifacts/list", query={"run_id": run_id, "path": "models/v1"})
        self.assertEqual(listed["files"], [{"path": "models/v1/model.pkl", "is_dir": False, "file_size": 8}])

        destination = os.path.join(self.folder, "download")
        local = self.client.download_artifacts(run_id, "outputs", destination)
        self.assertEqual(local, os.path.join(destination, "outputs"))
        self.assertEqual(read(os.path.join(local, "summary.txt")), b"accuracy 0.93\n")
        self.assertEqual(read(os.path.join(local, "plots", "loss.bin")), self.binary)
        self.assertEqual(read(os.path.join(local, "plots", "deep", "nested", "note.md")), b"# deep\n")
        one = self.client.download_artifacts(run_id, "models/v1/model.pkl")
        self.assertEqual(read(one), b"\x80\x04pickle")
        everything = self.client.download_artifacts(run_id, "", os.path.join(self.folder, "all"))
        self.assertEqual(read(os.path.join(everything, "deep", "nested", "note.md")), b"# deep\n")

    def test_log_artifact_of_a_folder_keeps_the_folder_name(self):
        source = self.make_tree()
        with trackside.start_run() as run:
            trackside.log_artifact(os.path.join(source, "plots"), "charts")
        self.assertEqual([f.path for f in self.client.list_artifacts(run.info.run_id, "charts")], ["charts/plots"])

    def test_download_of_a_missing_artifact_raises_not_found(self):
        with trackside.start_run() as run:
            trackside.log_text("x", "present.txt")
        with self.assertRaises(trackside.MlflowException) as missing:
            self.client.download_artifacts(run.info.run_id, "absent.txt", self.folder)
        self.assertEqual(missing.exception.error_code, "RESOURCE_DOES_NOT_EXIST")
        self.assertFalse(os.path.exists(os.path.join(self.folder, "absent.txt")))

    def test_paths_that_leave_the_run_are_refused(self):
        single = os.path.join(self.folder, "a.txt")
        write(single, "a")
        with trackside.start_run():
            with self.assertRaisesRegex(trackside.MlflowException, "leaves the run"):
                trackside.log_artifact(single, "../escape")

    def test_log_text_and_log_dict_as_json_and_yaml(self):
        config = {"model": {"layers": [64, 32], "dropout": 0.1}, "name": "baseline", "flags": ["yes", "no"], "empty": None}
        with trackside.start_run() as run:
            trackside.log_text("héllo\nworld\n", "notes/readme.txt")
            trackside.log_dict(config, "config.json")
            trackside.log_dict(config, "config/params.yaml")
            trackside.log_dict(config, "no-extension")
        run_id = run.info.run_id
        out = os.path.join(self.folder, "out")
        self.assertEqual(read(self.client.download_artifacts(run_id, "notes/readme.txt", out)).decode("utf-8"), "héllo\nworld\n")
        self.assertEqual(json.loads(read(self.client.download_artifacts(run_id, "config.json", out))), config)
        self.assertEqual(json.loads(read(self.client.download_artifacts(run_id, "no-extension", out))), config)
        text = read(self.client.download_artifacts(run_id, "config/params.yaml", out)).decode("utf-8")
        self.assertEqual(text, "empty: null\nflags:\n- 'yes'\n- 'no'\nmodel:\n  dropout: 0.1\n  layers:\n  - 64\n  - 32\nname: baseline\n")
        try:
            import yaml
        except ImportError:
            return
        self.assertEqual(yaml.safe_load(text), config)

    def test_a_local_folder_artifact_location_is_written_directly(self):
        location = os.path.join(self.folder, "local-store")
        experiment_id = trackside.create_experiment("local-artifacts", artifact_location="file://" + location)
        source = self.make_tree()
        with trackside.start_run(experiment_id=experiment_id) as run:
            self.assertTrue(run.info.artifact_uri.startswith("file://"))
            trackside.log_artifacts(source, "tree")
            trackside.log_text("plain", "plain.txt")
        run_folder = os.path.join(location, run.info.run_id, "artifacts")
        self.assertEqual(read(os.path.join(run_folder, "tree", "plots", "loss.bin")), self.binary)
        self.assertEqual(read(os.path.join(run_folder, "plain.txt")), b"plain")
        self.assertEqual([f.path for f in self.client.list_artifacts(run.info.run_id, "tree")], ["tree/plots", "tree/summary.txt"])
        local = self.client.download_artifacts(run.info.run_id, "tree", os.path.join(self.folder, "copy"))
        self.assertEqual(read(os.path.join(local, "plots", "deep", "nested", "note.md")), b"# deep\n")
        # The server reads the same folder (MLflow's run-relative listing).
        listed = self.client._call("GET", "artifacts/list", query={"run_id": run.info.run_id})
        self.assertEqual(sorted(f["path"] for f in listed["files"]), ["plain.txt", "tree"])

    def test_get_artifact_uri(self):
        with trackside.start_run() as run:
            self.assertEqual(trackside.get_artifact_uri(), run.info.artifact_uri)
            self.assertEqual(trackside.get_artifact_uri("model"), run.info.artifact_uri + "/model")

    def test_log_input_from_a_dict_and_from_a_name(self):
        with trackside.start_run() as run:
            logged = trackside.log_input(
                {"name": "train.csv", "source": "data/train.csv", "schema": {"columns": ["x", "y"]}, "profile": {"num_rows": 120}},
                context="training", tags={"split": "80%"})
            trackside.log_input("holdout", context="evaluation")
        inputs = self.client.get_run(run.info.run_id).inputs.dataset_inputs
        by_name = {i.dataset.name: i for i in inputs}
        self.assertEqual(sorted(by_name), ["holdout", "train.csv"])
        train = by_name["train.csv"]
        self.assertEqual(train.dataset.source_type, "local")
        self.assertEqual(json.loads(train.dataset.source), {"uri": "data/train.csv"})
        self.assertEqual(json.loads(train.dataset.schema), {"columns": ["x", "y"]})
        self.assertEqual(json.loads(train.dataset.profile), {"num_rows": 120})
        self.assertEqual(train.dataset.digest, logged.dataset.digest)
        self.assertEqual(len(train.dataset.digest), 8)
        self.assertEqual({t.key: t.value for t in train.tags}, {"split": "80%", "mlflow.data.context": "training"})
        holdout = by_name["holdout"]
        self.assertEqual((holdout.dataset.source_type, holdout.dataset.source), ("code", "{}"))
        self.assertEqual({t.key: t.value for t in holdout.tags}, {"mlflow.data.context": "evaluation"})
        filtered = trackside.search_runs(filter_string="datasets.context = 'training'", search_all_experiments=True)
        self.assertIn(run.info.run_id, [row["run_id"] for row in filtered])


if __name__ == "__main__":
    unittest.main()
