"""A local scoring server with MLflow's protocol: ``python3 -m trackside.models.serve --model-dir D --port N``.

    POST /invocations   application/json: {"dataframe_split": {"columns": [...], "data": [[...]]}},
                        {"dataframe_records": [{...}]}, {"instances": [...]} or {"inputs": ...}
                        (optionally with "params"); text/csv: a header row and rows.
                        -> 200 {"predictions": [...]}
    GET  /ping, /health -> 200 when the model is loaded
    GET  /version       -> the Trackside version (text)

Bad payloads answer 400 ``{"error_code": "BAD_REQUEST", "message": ...}``; other content types 415.
Binds the loopback address only, and answers only requests addressed to it (``Host`` header), so a
web page cannot read predictions through DNS rebinding. When listening, prints one JSON line on stdout:
``{"event": "listening", "url": "http://127.0.0.1:PORT", "port": PORT}``; each request is logged on
stderr.
"""

import argparse
import json
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .mlmodel import TRACKSIDE_VERSION
from .pyfunc import load_pyfunc
from .table import InputError, Table, table_from_payload, to_json_value

MAX_BODY_BYTES = 64 * 1024 * 1024
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


class ScoringError(Exception):
    def __init__(self, status, message, error_code="BAD_REQUEST"):
        Exception.__init__(self, message)
        self.status = status
        self.message = message
        self.error_code = error_code


def invoke(model, content_type, body, lock=None):
    """The JSON answer to one ``/invocations`` body (raises ``ScoringError`` for a bad one)."""
    mime = (content_type or "").split(";")[0].strip().lower()
    params = None
    if mime == "text/csv":
        try:
            table = Table.from_csv_text(body.decode("utf-8-sig"))
        except (InputError, UnicodeDecodeError) as e:
            raise ScoringError(400, "Invalid CSV input: {}".format(e))
        from_text = True
    elif mime in ("application/json", ""):
        try:
            payload = json.loads(body.decode("utf-8") or "null")
        except (ValueError, UnicodeDecodeError) as e:
            raise ScoringError(400, "Invalid input. The body must be JSON (or text/csv): {}".format(e))
        try:
            table, params = table_from_payload(payload)
        except InputError as e:
            raise ScoringError(400, str(e))
        from_text = False
    else:
        raise ScoringError(415, "Unsupported content type '{}': send application/json (dataframe_split, dataframe_records, "
                                "instances or inputs) or text/csv.".format(content_type), error_code="BAD_REQUEST")
    try:
        if lock is not None:
            with lock:
                predictions = model.predict_table(table, params, from_text=from_text)
        else:
            predictions = model.predict_table(table, params, from_text=from_text)
    except InputError as e:
        raise ScoringError(400, str(e))
    except Exception as e:
        raise ScoringError(400, "The model failed on this input ({}: {}). Check that the input matches what the model "
                                "was trained on.".format(type(e).__name__, e))
    return {"predictions": to_json_value(predictions)}


class _Handler(BaseHTTPRequestHandler):
    server_version = "trackside-scoring/" + TRACKSIDE_VERSION
    protocol_version = "HTTP/1.1"
    # Headers and body leave in one write (flushed after each request), without Nagle's delay: a one-row
    # request is answered in about a millisecond instead of waiting ~40 ms for the client's delayed ACK.
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # noqa: A002 (BaseHTTPRequestHandler's name)
        pass

    def _send(self, status, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status, message, error_code="BAD_REQUEST"):
        self._send(status, json.dumps({"error_code": error_code, "message": message}))

    def _host_allowed(self):
        host = (self.headers.get("Host") or "").strip().lower()
        port = str(self.server.server_address[1])
        return any(host == "{}:{}".format(name, port) or host == name for name in LOOPBACK_HOSTS)

    def _timed(self, work):
        started = time.perf_counter()
        status = work()
        sys.stderr.write('{} "{} {}" {} {:.1f} ms\n'.format(
            self.client_address[0], self.command, self.path, status, (time.perf_counter() - started) * 1000))
        sys.stderr.flush()

    def do_GET(self):
        self._timed(self._get)

    def do_POST(self):
        self._timed(self._post)

    def _get(self):
        if not self._host_allowed():
            self._error(403, "Requests must be addressed to the loopback host.", "PERMISSION_DENIED")
            return 403
        path = self.path.split("?")[0]
        if path in ("/ping", "/health"):
            self._send(200, "\n")
            return 200
        if path == "/version":
            self._send(200, TRACKSIDE_VERSION, "text/plain; charset=utf-8")
            return 200
        self._error(404, "No such endpoint: GET {}. Try POST /invocations, GET /ping, /health or /version.".format(path),
                    "ENDPOINT_NOT_FOUND")
        return 404

    def _post(self):
        if not self._host_allowed():
            self._error(403, "Requests must be addressed to the loopback host.", "PERMISSION_DENIED")
            return 403
        path = self.path.split("?")[0]
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            self._error(413, "The body is {} bytes; the limit is {}.".format(length, MAX_BODY_BYTES))
            return 413
        body = self.rfile.read(length) if length else b""
        if path != "/invocations":
            self._error(404, "No such endpoint: POST {}. Predictions are at POST /invocations.".format(path), "ENDPOINT_NOT_FOUND")
            return 404
        try:
            answer = invoke(self.server.model, self.headers.get("Content-Type"), body, self.server.predict_lock)
        except ScoringError as e:
            self._error(e.status, e.message, e.error_code)
            return e.status
        self._send(200, json.dumps(answer, allow_nan=False))
        return 200


class ScoringServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, model, host, port):
        ThreadingHTTPServer.__init__(self, (host, port), _Handler)
        self.model = model
        self.predict_lock = threading.Lock()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m trackside.models.serve", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model-dir", required=True, help="The MLflow Model folder (with its MLmodel file)")
    parser.add_argument("--port", type=int, default=0, help="Port (0: any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="Loopback address to bind (127.0.0.1)")
    parser.add_argument("--stop-with-stdin", action="store_true",
                        help="Stop when standard input closes (the parent that started the server has gone)")
    args = parser.parse_args(argv)
    if args.host not in ("127.0.0.1", "localhost"):
        sys.stderr.write(json.dumps({"event": "error", "error_code": "INVALID_PARAMETER_VALUE",
                                     "message": "The scoring server binds the loopback address only, not {}.".format(args.host)}) + "\n")
        return 2
    try:
        model = load_pyfunc(args.model_dir)
    except Exception as e:
        sys.stderr.write(json.dumps({"event": "error", "error_code": "LOAD_ERROR", "message": getattr(e, "message", None) or str(e)}) + "\n")
        return 1
    try:
        server = ScoringServer(model, "127.0.0.1", args.port)
    except OSError as e:
        sys.stderr.write(json.dumps({"event": "error", "error_code": "PORT_UNAVAILABLE",
                                     "message": "Cannot listen on port {}: {}".format(args.port, e)}) + "\n")
        return 1
    port = server.server_address[1]
    sys.stdout.write(json.dumps({"event": "listening", "url": "http://127.0.0.1:{}".format(port), "port": port,
                                 "flavor": model.flavor}) + "\n")
    sys.stdout.flush()

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.stop_with_stdin:
        def watch_parent():
            while sys.stdin.buffer.read(4096):
                pass
            server.shutdown()

        threading.Thread(target=watch_parent, daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
