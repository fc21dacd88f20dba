"""Errors and retries: the real server for 401/404/URI problems, a scripted http.server for retry rules."""

import json
import os
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, HTTPServer
from socketserver import ThreadingMixIn
from unittest import mock

from server_fixture import free_port, reset_fluent, start_server

import trackside

SERVER = None
RUN_JSON = {"run": {"info": {"run_id": "abc", "experiment_id": "0", "status": "RUNNING", "artifact_uri": "mlflow-artifacts:/0/abc/artifacts",
                             "lifecycle_stage": "active"}, "data": {}}}


def setUpModule():
    global SERVER
    SERVER = start_server()


def tearDownModule():
    reset_fluent()
    SERVER.stop()


class ScriptedServer(ThreadingMixIn, HTTPServer):
    """Answers each request with the next scripted reply: (status, JSON body), "drop" (close the socket
    without answering) or ("sleep", seconds); the last reply repeats. Records (method, path)."""

    daemon_threads = True

    def __init__(self, replies):
        self.replies = list(replies)
        self.requests = []
        self.lock = threading.Lock()
        HTTPServer.__init__(self, ("127.0.0.1", 0), ScriptedHandler)
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    @property
    def uri(self):
        return "http://127.0.0.1:{}".format(self.server_address[1])

    def next_reply(self, method, path):
        with self.lock:
            self.requests.append((method, path.split("?")[0]))
            return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    def close(self):
        self.shutdown()
        self.server_close()


class ScriptedHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        reply = self.server.next_reply(self.command, self.path)
        if reply == "drop":
            self.close_connection = True
            return
        if reply[0] == "sleep":
            time.sleep(reply[1])
            reply = (200, {})
        status, body = reply
        data = json.dumps(body).encode("utf-8") if not isinstance(body, bytes) else body
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if not isinstance(body, bytes) else "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout test)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = answer


def fast_client(uri, **options):
    options.setdefault("backoff_factor", 0.01)
    options.setdefault("backoff_jitter", 0.01)
    return trackside.TracksideClient(uri, token="t", **options)


class RetryTest(unittest.TestCase):
    def scripted(self, replies):
        server = ScriptedServer(replies)
        self.addCleanup(server.close)
        return server

    def test_a_get_is_retried_through_two_503s_then_succeeds(self):
        unavailable = (503, {"error_code": "TEMPORARILY_UNAVAILABLE", "message": "journal reopening"})
        server = self.scripted([unavailable, unavailable, (200, RUN_JSON)])
        run = fast_client(server.uri).get_run("abc")
        self.assertEqual(run.info.run_id, "abc")
        self.assertEqual(server.requests, [("GET", "/api/2.0/mlflow/runs/get")] * 3)

    def test_log_batch_is_retried_through_429_502_and_504(self):
        server = self.scripted([(429, {}), (502, b"<html>bad gateway</html>"), (504, {}), (200, {})])
        fast_client(server.uri).log_batch("abc", metrics=[trackside.entities.Metric("m", 1.0, 1, 0)])
        self.assertEqual(len(server.requests), 4)

    def test_a_400_is_never_retried(self):
        server = self.scripted([(400, {"error_code": "INVALID_PARAMETER_VALUE", "message": "no good"}), (200, RUN_JSON)])
        with self.assertRaises(trackside.TracksideException) as bad:
            fast_client(server.uri).get_run("abc")
        self.assertEqual(bad.exception.error_code, "INVALID_PARAMETER_VALUE")
        self.assertEqual(str(bad.exception), "INVALID_PARAMETER_VALUE: no good")
        self.assertEqual(bad.exception.get_http_status_code(), 400)
        self.assertEqual(len(server.requests), 1)

    def test_a_500_is_not_retried(self):
        server = self.scripted([(500, {"error_code": "INTERNAL_ERROR", "message": "bug"}), (200, RUN_JSON)])
        with self.assertRaises(trackside.TracksideException):
            fast_client(server.uri).get_run("abc")
        self.assertEqual(len(server.requests), 1)

    def test_a_non_idempotent_create_is_not_retried_on_503_or_a_dropped_connection(self):
        server = self.scripted([(503, {}), (200, {"run": RUN_JSON["run"]})])
        with self.assertRaises(trackside.TracksideException) as unavailable:
            fast_client(server.uri).create_run("0")
        self.assertEqual(unavailable.exception.error_code, "TEMPORARILY_UNAVAILABLE")
        self.assertEqual(len(server.requests), 1)
        dropped = self.scripted(["drop", (200, {"run": RUN_JSON["run"]})])
        with self.assertRaises(trackside.TracksideException):
            fast_client(dropped.uri).create_run("0")
        self.assertEqual(len(dropped.requests), 1)

    def test_a_dropped_connection_on_a_get_is_retried(self):
        server = self.scripted(["drop", (200, RUN_JSON)])
        self.assertEqual(fast_client(server.uri).get_run("abc").info.run_id, "abc")
        self.assertEqual(len(server.requests), 2)

    def test_retries_stop_after_max_retries(self):
        server = self.scripted([(503, {"error_code": "TEMPORARILY_UNAVAILABLE", "message": "still down"})])
        with self.assertRaises(trackside.TracksideException) as exhausted:
            fast_client(server.uri, max_retries=2).get_run("abc")
        self.assertEqual(len(server.requests), 3)
        self.assertIn("still down", str(exhausted.exception))
        with mock.patch.dict(os.environ, {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0"}):
            with self.assertRaises(trackside.TracksideException):
                trackside.TracksideClient(server.uri, token="t").get_run("abc")
        self.assertEqual(len(server.requests), 4)

    def test_a_slow_answer_times_out_with_a_clear_message(self):
        server = self.scripted([("sleep", 2.0)])
        started = time.monotonic()
        with self.assertRaises(trackside.TracksideException) as slow:
            fast_client(server.uri, timeout=0.3, max_retries=0).get_run("abc")
        self.assertLess(time.monotonic() - started, 1.5)
        self.assertEqual(slow.exception.error_code, "DEADLINE_EXCEEDED")
        self.assertIn("MLFLOW_HTTP_REQUEST_TIMEOUT", str(slow.exception))

    def test_a_non_json_error_body_reads_like_mlflow(self):
        server = self.scripted([(404, b"<html>Not Found</html>")])
        with self.assertRaises(trackside.TracksideException) as missing:
            fast_client(server.uri).get_run("abc")
        self.assertEqual(missing.exception.error_code, "ENDPOINT_NOT_FOUND")
        self.assertIn("failed with error code 404 != 200", str(missing.exception))


class ServerErrorTest(unittest.TestCase):
    def tearDown(self):
        reset_fluent()

    def test_a_bad_token_gets_401_with_a_token_hint(self):
        with self.assertRaises(trackside.TracksideException) as refused:
            trackside.TracksideClient(SERVER.uri, token="not-the-token").search_experiments()
        self.assertEqual(refused.exception.error_code, "UNAUTHENTICATED")
        self.assertEqual(refused.exception.get_http_status_code(), 401)
        self.assertIn("MLFLOW_TRACKING_TOKEN", str(refused.exception))
        self.assertIn("token", str(refused.exception))

    def test_no_token_says_none_was_sent(self):
        with mock.patch.dict(os.environ, {"MLFLOW_TRACKING_TOKEN": ""}):
            with self.assertRaisesRegex(trackside.TracksideException, "No token was sent: set MLFLOW_TRACKING_TOKEN"):
                trackside.TracksideClient(SERVER.uri).get_experiment("0")

    def test_a_refused_connection_asks_whether_trackside_is_running(self):
        started = time.monotonic()
        with self.assertRaises(trackside.TracksideException) as refused:
            trackside.TracksideClient("http://127.0.0.1:{}".format(free_port()), token="t").get_experiment("0")
        self.assertLess(time.monotonic() - started, 5.0)
        self.assertIn("connection refused", str(refused.exception))
        self.assertIn("Is Trackside running?", str(refused.exception))

    def test_a_missing_tracking_uri_says_how_to_set_it(self):
        with mock.patch.dict(os.environ, {"MLFLOW_TRACKING_URI": ""}):
            trackside.set_tracking_uri(None)
            self.assertIsNone(trackside.get_tracking_uri())
            with self.assertRaisesRegex(trackside.TracksideException, "No tracking URI is set. Set MLFLOW_TRACKING_URI"):
                trackside.start_run()
        self.assertEqual(trackside.get_tracking_uri(), SERVER.uri)

    def test_set_tracking_uri_wins_and_non_http_uris_are_refused_clearly(self):
        trackside.set_tracking_uri("file:///tmp/mlruns")
        try:
            self.assertEqual(trackside.get_tracking_uri(), "file:///tmp/mlruns")
            with self.assertRaisesRegex(trackside.TracksideException, "not supported by the Trackside client"):
                trackside.get_experiment("0")
        finally:
            trackside.set_tracking_uri(None)

    def test_missing_entities_raise_resource_does_not_exist(self):
        client = trackside.TracksideClient()
        with self.assertRaises(trackside.MlflowException) as missing:
            client.get_run("0" * 32)
        self.assertEqual(missing.exception.error_code, "RESOURCE_DOES_NOT_EXIST")
        self.assertEqual(str(missing.exception), "RESOURCE_DOES_NOT_EXIST: Run with id=00000000000000000000000000000000 not found")
        self.assertEqual(missing.exception.json["error_code"], "RESOURCE_DOES_NOT_EXIST")
        client.close()


if __name__ == "__main__":
    unittest.main()
