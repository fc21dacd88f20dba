"""Buffered metrics against the real server: 10,000 log_metric calls, batching, NaN/inf, errors."""

import math
import time
import unittest

from server_fixture import reset_fluent, start_server

import trackside
from trackside import fluent

SERVER = None


def setUpModule():
    global SERVER
    SERVER = start_server()


def tearDownModule():
    reset_fluent()
    SERVER.stop()


class BatchRecorder(object):
    """Counts the log-batch requests the fluent client sends, and their metric counts."""

    def __init__(self):
        self.client = fluent._client()
        self.original = self.client._call
        self.batches = []
        self.client._call = self._call

    def _call(self, method, path, body=None, query=None):
        if path == "runs/log-batch":
            self.batches.append(len(body.get("metrics", [])))
        return self.original(method, path, body, query)

    def restore(self):
        self.client._call = self.original


class FluentMetricTest(unittest.TestCase):
    def setUp(self):
        self.client = trackside.TracksideClient()

    def tearDown(self):
        reset_fluent()
        self.client.close()

    def wait_for_points(self, run_id, key, expected, seconds=20):
        deadline = time.monotonic() + seconds
        while True:
            points = self.client.get_metric_history(run_id, key)
            if len(points) >= expected or time.monotonic() > deadline:
                return points
            time.sleep(0.01)

    def test_ten_thousand_log_metric_calls_reach_the_store_in_batches(self):
        recorder = BatchRecorder()
        try:
            with trackside.start_run() as run:
                started = time.perf_counter()
                for step in range(10000):
                    trackside.log_metric("loss", 1.0 / (step + 1), step=step)
                loop_seconds = time.perf_counter() - started
                # No flush(): the size threshold and the background thread must deliver on their own.
                points = self.wait_for_points(run.info.run_id, "loss", 10000)
                stored_seconds = time.perf_counter() - started
        finally:
            recorder.restore()
        print("\n    10,000 log_metric calls: loop {:.0f} ms ({:.1f} us/call); all points readable after {:.0f} ms; "
              "{} log-batch requests".format(loop_seconds * 1000, loop_seconds * 100, stored_seconds * 1000, len(recorder.batches)))
        self.assertEqual(len(points), 10000)
        self.assertEqual(sorted(p.step for p in points), list(range(10000)))
        self.assertEqual({p.step: p.value for p in points}[9], 0.1)
        self.assertEqual(sum(recorder.batches), 10000)
        self.assertLessEqual(max(recorder.batches), 1000)
        self.assertLessEqual(len(recorder.batches), 30)
        self.assertLess(loop_seconds, 5.0)
        self.assertEqual(self.client.get_run(run.info.run_id).data.metrics["loss"], 1.0 / 10000)

    def test_unbuffered_client_calls_for_comparison(self):
        run = self.client.create_run("0")
        started = time.perf_counter()
        for step in range(200):
            self.client.log_metric(run.info.run_id, "direct", float(step), step=step)
        per_call = (time.perf_counter() - started) / 200
        print("\n    TracksideClient.log_metric (one request each): {:.2f} ms/call".format(per_call * 1000))
        self.assertEqual(len(self.client.get_metric_history(run.info.run_id, "direct")), 200)

    def test_the_background_thread_sends_a_small_buffer_within_the_interval(self):
        with trackside.start_run() as run:
            trackside.log_metric("lonely", 42.0)
            started = time.perf_counter()
            points = self.wait_for_points(run.info.run_id, "lonely", 1, seconds=10)
            waited = time.perf_counter() - started
        self.assertEqual([p.value for p in points], [42.0])
        self.assertLess(waited, fluent._metric_buffer().interval + 2.0)

    def test_flush_and_end_run_send_everything_at_once(self):
        with trackside.start_run() as run:
            trackside.log_metric("a", 1.0, step=1)
            trackside.log_metrics({"b": 2.0, "c": 3.0}, step=7)
            trackside.flush()
            self.assertEqual(len(self.client.get_metric_history(run.info.run_id, "a")), 1)
            trackside.log_metric("late", 5.0)
        self.assertEqual(fluent._metric_buffer().pending_count, 0)
        metrics = self.client.get_run(run.info.run_id).data.metrics
        self.assertEqual(metrics, {"a": 1.0, "b": 2.0, "c": 3.0, "late": 5.0})
        self.assertEqual([p.step for p in self.client.get_metric_history(run.info.run_id, "b")], [7])

    def test_log_metric_keeps_step_and_timestamp(self):
        with trackside.start_run() as run:
            trackside.log_metric("timed", 0.25, step=12, timestamp=1700000000123)
        [point] = self.client.get_metric_history(run.info.run_id, "timed")
        self.assertEqual((point.value, point.step, point.timestamp), (0.25, 12, 1700000000123))

    def test_nan_and_infinities_round_trip(self):
        with trackside.start_run() as run:
            trackside.log_metric("weird", float("nan"), step=0)
            trackside.log_metric("weird", float("inf"), step=1)
            trackside.log_metric("weird", float("-inf"), step=2)
            trackside.log_metrics({"only_nan": math.nan})
        points = sorted(self.client.get_metric_history(run.info.run_id, "weird"), key=lambda p: p.step)
        self.assertTrue(math.isnan(points[0].value))
        # MLflow's SQL stores clamp +/-inf to the largest double; Trackside does the same.
        self.assertEqual(points[1].value, 1.7976931348623157e308)
        self.assertEqual(points[2].value, -1.7976931348623157e308)
        self.assertTrue(math.isnan(self.client.get_run(run.info.run_id).data.metrics["only_nan"]))

    def test_numpy_scalars_are_accepted(self):
        try:
            import numpy
        except ImportError:
            self.skipTest("numpy is not installed")
        with trackside.start_run() as run:
            trackside.log_metric("np", numpy.float32(0.5), step=int(numpy.int64(3)))
            trackside.log_metrics({"np64": numpy.float64(1.25)})
        self.assertEqual(self.client.get_run(run.info.run_id).data.metrics, {"np": 0.5, "np64": 1.25})

    def test_invalid_names_and_values_raise_at_the_call(self):
        with trackside.start_run():
            with self.assertRaisesRegex(trackside.MlflowException, r"Invalid metric name: 'bad key!'"):
                trackside.log_metric("bad key!", 1.0)
            with self.assertRaisesRegex(trackside.MlflowException, "Invalid metric name"):
                trackside.log_metric("a//b", 1.0)
            with self.assertRaisesRegex(trackside.MlflowException, "Got invalid value 'high' for metric 'x'"):
                trackside.log_metric("x", "high")
            with self.assertRaisesRegex(trackside.MlflowException, "Got invalid value True"):
                trackside.log_metric("x", True)

    def test_a_server_rejection_of_buffered_points_surfaces_on_flush(self):
        with trackside.start_run() as run:
            trackside.log_metric("negative_time", 1.0, timestamp=-5)
            with self.assertRaises(trackside.MlflowException) as rejected:
                trackside.flush()
            trackside.log_metric("fine", 1.0)
        self.assertEqual(rejected.exception.error_code, "INVALID_PARAMETER_VALUE")
        self.assertIn("Buffered metrics could not be logged", str(rejected.exception))
        self.assertIn("timestamp", str(rejected.exception))
        self.assertEqual(self.client.get_run(run.info.run_id).data.metrics, {"fine": 1.0})

    def test_threads_logging_at_once_lose_no_points(self):
        import threading

        with trackside.start_run() as run:
            def work(worker):
                for step in range(2000):
                    trackside.log_metric("worker{}".format(worker), float(step), step=step)

            threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        for worker in range(4):
            self.assertEqual(len(self.client.get_metric_history(run.info.run_id, "worker{}".format(worker))), 2000)

    @unittest.skipUnless(hasattr(__import__("os"), "fork"), "needs os.fork")
    def test_a_forked_child_uses_its_own_connection_and_buffer(self):
        import os

        with trackside.start_run() as run:
            trackside.log_metric("parent", 1.0, step=0)
            trackside.flush()  # the parent now holds a kept-alive connection
            trackside.log_metric("parent", 2.0, step=1)  # pending in the parent's buffer at fork time
            parent_connection = fluent._client()._transport._local.connection
            self.assertIsNotNone(parent_connection)
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    self.assertEqual(fluent._metric_buffer().pending_count, 0)  # the parent sends its own points
                    trackside.log_metric("child", 5.0, run_id=run.info.run_id)
                    trackside.flush()
                    used = fluent._client()._transport._local.connection
                    code = 0 if used is not None and used is not parent_connection else 2
                finally:
                    os._exit(code)
            _, status = os.waitpid(pid, 0)
            self.assertEqual(os.WEXITSTATUS(status), 0)
            trackside.log_metric("parent", 3.0, step=2)
        self.assertEqual(sorted(p.step for p in self.client.get_metric_history(run.info.run_id, "parent")), [0, 1, 2])
        self.assertEqual([p.value for p in self.client.get_metric_history(run.info.run_id, "child")], [5.0])

    def test_metrics_for_an_explicit_run_id_and_a_retried_batch_does_not_duplicate(self):
        run = self.client.create_run("0")
        trackside.log_metric("other", 3.0, step=1, run_id=run.info.run_id, timestamp=1000)
        trackside.flush()
        # The same batch sent again (as a retry would) leaves one point: Trackside ignores exact duplicates.
        self.client.log_batch(run.info.run_id, metrics=[trackside.entities.Metric("other", 3.0, 1000, 1)])
        self.assertEqual(len(self.client.get_metric_history(run.info.run_id, "other")), 1)
        self.assertIsNone(trackside.active_run())


if __name__ == "__main__":
    unittest.main()
