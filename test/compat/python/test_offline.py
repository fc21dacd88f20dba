"""The client's pure parts, without a server: YAML, wire encoding, batch splitting, the metric buffer, datasets."""

import json
import math
import threading
import time
import unittest

import server_fixture  # noqa: F401  (puts src/python on the path)

from trackside.artifact_repository import clean_artifact_path
from trackside.client import batch_chunks, metric_json
from trackside.datasets import build_dataset_input
from trackside.entities import Metric, RunStatus, ViewType, decode_double, encode_double
from trackside.exceptions import TracksideException
from trackside.metric_buffer import MetricBuffer
from trackside.yaml_emitter import to_yaml


class YamlEmitterTest(unittest.TestCase):
    def test_block_style_like_pyyaml(self):
        document = {"b": [1, {"x": "v", "z": [True, None]}], "a": {"nested": {"deep": 1.5}}, "empty": {}, "none": []}
        self.assertEqual(
            to_yaml(document, sort_keys=True),
            "a:\n  nested:\n    deep: 1.5\nb:\n- 1\n- x: v\n  z:\n  - true\n  - null\nempty: {}\nnone: []\n")
        self.assertEqual(to_yaml([[1, 2], [3]]), "- - 1\n  - 2\n- - 3\n")
        self.assertEqual(to_yaml("plain"), "plain\n")

    def test_strings_that_would_change_type_are_quoted(self):
        for text in ("yes", "No", "null", "~", "true", "1.0", "42", "-3", ".5", "1e3", "12:30", ".inf", "", " padded",
                     "a: b", "# not a comment", "- item", "'quoted'", "ends:", "{json}", "[list]", "*alias", "&anchor", "!tag"):
            line = to_yaml({"k": text})
            self.assertNotEqual(line, "k: " + text + "\n", text)
        self.assertEqual(to_yaml({"k": "it's"}), "k: it's\n")
        self.assertEqual(to_yaml({"k": "'q'"}), "k: '''q'''\n")
        self.assertEqual(to_yaml({"k": "two\nlines"}), 'k: "two\\nlines"\n')
        self.assertEqual(to_yaml({"k": "simple words"}), "k: simple words\n")
        self.assertEqual(to_yaml({"nan": float("nan"), "low": float("-inf"), "f": 2.0}), "nan: .nan\nlow: -.inf\nf: 2.0\n")
        self.assertEqual(to_yaml({"y": "n"}), "'y': 'n'\n")  # YAML 1.1 booleans for some readers

    def test_pyyaml_reads_back_what_it_wrote(self):
        try:
            import yaml
        except ImportError:
            self.skipTest("PyYAML is not installed")
        documents = [
            {"model": {"layers": [64, 32], "dropout": 0.1, "act": "relu"}, "flags": ["yes", "no", "on", "off", "y", "n"],
             "numbers": ["1", "1.5", "0x1F", "1_000", "+1", "-.5", "1e-3"], "odd": ["", " x", "a: b", "# c", "- d", "'q'", '"d"',
                                                                                    "tab\there", "uni ✓ é", "back\\slash", "%p", "@a", "`b"],
             "nested": [[1, [2, {"k": None}]], {}, []], "bools": [True, False], 3: "int key"},
            [1, 2.5, "three", None],
        ]
        for document in documents:
            self.assertEqual(yaml.safe_load(to_yaml(document)), document)


class WireTest(unittest.TestCase):
    def test_non_finite_doubles_use_protobuf_json_strings(self):
        self.assertEqual(encode_double(float("nan")), "NaN")
        self.assertEqual(encode_double(float("inf")), "Infinity")
        self.assertEqual(encode_double(-math.inf), "-Infinity")
        self.assertEqual(encode_double(1), 1.0)
        self.assertTrue(math.isnan(decode_double("NaN")))
        self.assertEqual(decode_double("-Infinity"), -math.inf)
        point = metric_json("m", float("inf"), 5, None)
        self.assertEqual(point, {"key": "m", "value": "Infinity", "timestamp": 5, "step": 0})
        self.assertEqual(json.dumps(point, allow_nan=False), '{"key": "m", "value": "Infinity", "timestamp": 5, "step": 0}')
        self.assertEqual(Metric("m", float("nan"), 1, 2).to_json()["value"], "NaN")

    def test_enums(self):
        self.assertEqual(ViewType.to_string(ViewType.DELETED_ONLY), "DELETED_ONLY")
        self.assertEqual(ViewType.to_string("all"), "ALL")
        self.assertEqual(RunStatus.to_string(RunStatus.KILLED), "KILLED")
        self.assertEqual(RunStatus.from_string("FAILED"), 4)
        self.assertTrue(RunStatus.is_terminated("FINISHED"))
        with self.assertRaises(ValueError):
            RunStatus.to_string("DONE")

    def test_batch_chunks_respect_counts_and_size(self):
        metrics = [{"key": "m", "value": 1.0, "timestamp": 1, "step": i} for i in range(2001)]
        chunks = batch_chunks(metrics, [], [])
        self.assertEqual([len(c["metrics"]) for c in chunks], [1000, 1000, 1])
        params = [{"key": "p%d" % i, "value": "v"} for i in range(250)]
        self.assertEqual([len(c["params"]) for c in batch_chunks([], params, [])], [100, 100, 50])
        mixed = batch_chunks(metrics[:950], params[:100], [{"key": "t", "value": "x"}] * 10)
        self.assertTrue(all(sum(len(v) for v in c.values()) <= 1000 for c in mixed))
        big = [{"key": "p%d" % i, "value": "v" * 6000} for i in range(100)] + []
        tags = [{"key": "t%d" % i, "value": "x" * 5000} for i in range(100)]
        self.assertTrue(all(len(json.dumps(c)) < 1000000 for c in batch_chunks([], big, tags)))

    def test_artifact_paths(self):
        self.assertEqual(clean_artifact_path(None), "")
        self.assertEqual(clean_artifact_path("/a//b/"), "a/b")
        self.assertEqual(clean_artifact_path("a\\b"), "a/b")
        for bad in ("..", "../x", "a/../../x", "C:/x"):
            with self.assertRaises(TracksideException, msg=bad):
                clean_artifact_path(bad)


class MetricBufferTest(unittest.TestCase):
    def make(self, **options):
        sent = []
        lock = threading.Lock()

        def send(run_id, points):
            with lock:
                sent.append((run_id, len(points)))

        buffer = MetricBuffer(send, **options)
        self.addCleanup(buffer.stop)
        return buffer, sent

    def wait_until(self, condition, seconds=5):
        deadline = time.monotonic() + seconds
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.005)
        return condition()

    def test_a_full_batch_wakes_the_sender_before_the_interval(self):
        buffer, sent = self.make(batch_size=10, interval=60)
        for i in range(10):
            buffer.add("r", {"step": i})
        self.assertTrue(self.wait_until(lambda: sum(n for _, n in sent) == 10))

    def test_the_interval_sends_a_partial_batch(self):
        buffer, sent = self.make(batch_size=1000, interval=0.05)
        buffer.add("r", {"step": 0})
        self.assertTrue(self.wait_until(lambda: sent == [("r", 1)]))

    def test_flush_sends_per_run_in_batches(self):
        buffer, sent = self.make(batch_size=3, interval=60)
        buffer._start_thread = lambda: None  # no background thread: flush does all the work
        for i in range(7):
            buffer.add("a", {"step": i})
        buffer.add("b", {"step": 0})
        buffer._wake.clear()
        buffer.flush()
        self.assertEqual(sorted(sent), [("a", 1), ("a", 3), ("a", 3), ("b", 1)])
        self.assertEqual(buffer.pending_count, 0)

    def test_errors_from_the_background_thread_surface_on_the_next_call(self):
        def failing(run_id, points):
            raise TracksideException("INVALID_PARAMETER_VALUE: nope", error_code="INVALID_PARAMETER_VALUE")

        buffer = MetricBuffer(failing, batch_size=1, interval=0.01)
        buffer.add("r", {"step": 0})
        self.assertTrue(self.wait_until(lambda: buffer._error is not None))
        with self.assertRaisesRegex(TracksideException, "Buffered metrics could not be logged: INVALID_PARAMETER_VALUE: nope"):
            buffer.add("r", {"step": 1})
        buffer.discard()
        buffer.stop()

    def test_backpressure_sends_from_the_caller_past_max_pending(self):
        buffer, sent = self.make(batch_size=5, interval=60, max_pending=12)
        buffer._start_thread = lambda: None
        for i in range(12):
            buffer.add("r", {"step": i})
        self.assertEqual(sum(n for _, n in sent), 12)


class DatasetTest(unittest.TestCase):
    def test_sources_digest_and_context(self):
        local = build_dataset_input({"name": "d", "source": "/data/x.csv"}, context="training")
        self.assertEqual((local.dataset.source_type, json.loads(local.dataset.source)), ("local", {"uri": "/data/x.csv"}))
        self.assertEqual([(t.key, t.value) for t in local.tags], [("mlflow.data.context", "training")])
        web = build_dataset_input({"name": "w", "source": "https://example.com/x.csv"})
        self.assertEqual((web.dataset.source_type, json.loads(web.dataset.source)), ("http", {"url": "https://example.com/x.csv"}))
        s3 = build_dataset_input({"name": "s", "source": "s3://bucket/key"})
        self.assertEqual(s3.dataset.source_type, "s3")
        again = build_dataset_input({"name": "d", "source": "/data/x.csv"})
        self.assertEqual(local.dataset.digest, again.dataset.digest)
        self.assertNotEqual(local.dataset.digest, build_dataset_input({"name": "d", "source": "/data/y.csv"}).dataset.digest)
        self.assertEqual(build_dataset_input("n", digest="abc").dataset.digest, "abc")
        with self.assertRaisesRegex(TracksideException, "Unknown dataset field"):
            build_dataset_input({"name": "x", "rows": 3})

    def test_an_mlflow_like_dataset_object(self):
        class Entity(object):
            name, digest, source_type, source, schema, profile = "e", "1234abcd", "local", '{"uri": "f"}', None, '{"num_rows": 3}'

        class LikeMlflowDataset(object):
            def _to_mlflow_entity(self):
                return Entity()

        built = build_dataset_input(LikeMlflowDataset(), context="eval")
        self.assertEqual((built.dataset.digest, built.dataset.source, built.dataset.profile), ("1234abcd", '{"uri": "f"}', '{"num_rows": 3}'))


if __name__ == "__main__":
    unittest.main()
