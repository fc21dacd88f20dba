"""HTTP to an MLflow-compatible server: JSON calls, raw uploads and downloads, safe retries.

Retries only what cannot do harm twice: connection errors and timeouts, and 429/502/503/504 answers,
for requests the caller marks idempotent (every GET; log-batch, log-metric, set-tag and the other
writes that are no-ops when repeated). A refused connection is retried briefly for any request, since
nothing reached the server. A 4xx is never retried. Backoff is exponential with jitter and honours
``Retry-After``. Settings: ``MLFLOW_HTTP_REQUEST_MAX_RETRIES`` (5), ``MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR``
(0.5 s), ``MLFLOW_HTTP_REQUEST_BACKOFF_JITTER`` (0.5 s), ``MLFLOW_HTTP_REQUEST_TIMEOUT`` (120 s).
"""

import json
import os
import random
import threading
import time

from . import config
from .exceptions import TracksideException, error_code_for_status, rest_exception

RETRY_STATUSES = frozenset([429, 502, 503, 504])
_CONNECT_RETRIES = 2
_MAX_BACKOFF_SECONDS = 20.0
# Reuse a kept-alive connection for a write only when it was used very recently: a connection the
# server closed while idle fails on send, and a write must not be sent twice.
_REUSE_IDLE_WRITE_SECONDS = 1.5
_REUSE_IDLE_READ_SECONDS = 30.0
USER_AGENT = "trackside-python/0.1.0"


class _Failure(Exception):
    """A transport failure before a response arrived: ``kind`` is refused, timeout or broken."""

    def __init__(self, kind, cause):
        super(_Failure, self).__init__(str(cause))
        self.kind = kind
        self.cause = cause


class RestTransport(object):
    """One server: base URL, credentials and a kept-alive connection per thread."""

    def __init__(self, base_url, token=None, basic_auth=None, max_retries=None, backoff_factor=None,
                 backoff_jitter=None, timeout=None, insecure_tls=None):
        from urllib.parse import urlsplit

        self.base_url = config.require_http_uri(base_url)
        parts = urlsplit(self.base_url)
        self._https = parts.scheme.lower() == "https"
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        self.token = token
        self.basic_auth = basic_auth
        self.max_retries = int(max_retries if max_retries is not None else config.env_number("MLFLOW_HTTP_REQUEST_MAX_RETRIES", 5, int))
        self.backoff_factor = float(backoff_factor if backoff_factor is not None else config.env_number("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", 0.5))
        self.backoff_jitter = float(backoff_jitter if backoff_jitter is not None else config.env_number("MLFLOW_HTTP_REQUEST_BACKOFF_JITTER", 0.5))
        self.timeout = float(timeout if timeout is not None else config.env_number("MLFLOW_HTTP_REQUEST_TIMEOUT", 120))
        self.insecure_tls = config.env_flag("MLFLOW_TRACKING_INSECURE_TLS") if insecure_tls is None else insecure_tls
        self._local = threading.local()
        self._open = set()
        self._open_lock = threading.Lock()
        self._pid = os.getpid()

    # ---- public calls -------------------------------------------------------------------------

    def call(self, method, endpoint, body=None, query=None, idempotent=None):
        """Sends one MLflow REST request (``endpoint`` like ``/api/2.0/mlflow/runs/get``); returns the JSON."""
        payload = None
        headers = {}
        if body is not None:
            payload = json.dumps(body, allow_nan=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        status, data, _ = self._exchange(method, endpoint, query, lambda: payload, headers, idempotent, None)
        return self._json_result(method, endpoint, status, data)

    def upload(self, endpoint, local_path):
        """PUTs a file's bytes (the artifact proxy); retried like an idempotent request."""
        size = os.path.getsize(local_path)
        handles = []

        def body():
            for handle in handles:
                handle.close()
            handles.append(open(local_path, "rb"))
            return handles[-1]

        headers = {"Content-Type": "application/octet-stream", "Content-Length": str(size)}
        try:
            status, data, _ = self._exchange("PUT", endpoint, None, body, headers, True, None)
        finally:
            for handle in handles:
                handle.close()
        return self._json_result("PUT", endpoint, status, data)

    def download(self, endpoint, local_path, query=None):
        """GETs raw bytes into ``local_path`` (written to a temporary name, then renamed)."""
        tmp = local_path + ".trackside-download"

        def sink(response):
            with open(tmp, "wb") as out:
                while True:
                    chunk = response.read(1 << 20)
                    if not chunk:
                        break
                    out.write(chunk)

        status, data, _ = self._exchange("GET", endpoint, query, lambda: None, {}, True, sink)
        if status != 200:
            if os.path.exists(tmp):
                os.remove(tmp)
            self._json_result("GET", endpoint, status, data)
        os.replace(tmp, local_path)

    def close(self):
        """Closes this thread's kept-alive connection."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None
            with self._open_lock:
                self._open.discard(connection)

    def close_all(self):
        """Closes every thread's connection (the client is done)."""
        with self._open_lock:
            connections, self._open = list(self._open), set()
        for connection in connections:
            connection.close()
        self._local = threading.local()

    def __del__(self):
        try:
            self.close_all()
        except Exception:
            pass

    # ---- the request loop ---------------------------------------------------------------------

    def _exchange(self, method, endpoint, query, body_factory, headers, idempotent, sink):
        if idempotent is None:
            idempotent = method == "GET"
        path = self._prefix + endpoint
        if query:
            from urllib.parse import urlencode

            path += "?" + urlencode([(k, v) for k, v in _query_items(query)])
        all_headers = {"User-Agent": USER_AGENT, "Accept": "application/json", "Accept-Encoding": "identity"}
        all_headers.update(self._auth_headers())
        all_headers.update(headers)
        attempt = 0
        while True:
            try:
                status, data, response_headers = self._once(method, path, body_factory(), all_headers, idempotent, sink)
            except _Failure as failure:
                limit = max(self.max_retries, 0)
                if failure.kind == "refused":
                    limit = min(limit, _CONNECT_RETRIES)
                elif not idempotent:
                    limit = 0
                if attempt >= limit:
                    raise self._transport_error(method, endpoint, failure, attempt + 1)
                self._sleep(attempt, None)
                attempt += 1
                continue
            if status in RETRY_STATUSES and idempotent and attempt < self.max_retries:
                self._sleep(attempt, response_headers.get("retry-after"))
                attempt += 1
                continue
            return status, data, response_headers

    def _once(self, method, path, body, headers, idempotent, sink):
        import http.client
        import socket

        connection = self._connection(idempotent)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response_headers = {k.lower(): v for k, v in response.getheaders()}
            if sink is not None and response.status == 200:
                sink(response)
                data = b""
            else:
                data = response.read()
        except ConnectionRefusedError as e:
            self.close()
            raise _Failure("refused", e)
        except (socket.timeout, TimeoutError) as e:
            self.close()
            raise _Failure("timeout", e)
        except (http.client.HTTPException, OSError) as e:
            self.close()
            raise _Failure("broken", e)
        self._local.last_used = time.monotonic()
        if response.will_close:
            self.close()
        return response.status, data, response_headers

    def _connection(self, idempotent):
        import http.client

        if os.getpid() != self._pid:
            # A forked child must not talk on its parent's sockets: forget them (the parent still uses them).
            self._pid = os.getpid()
            self._local = threading.local()
            self._open = set()
            self._open_lock = threading.Lock()
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            idle = time.monotonic() - getattr(self._local, "last_used", 0.0)
            if idle > (_REUSE_IDLE_READ_SECONDS if idempotent else _REUSE_IDLE_WRITE_SECONDS):
                self.close()
                connection = None
        if connection is None:
            if self._https:
                import ssl

                context = ssl._create_unverified_context() if self.insecure_tls else ssl.create_default_context()
                connection = http.client.HTTPSConnection(self._host, self._port, timeout=self.timeout, context=context)
            else:
                connection = http.client.HTTPConnection(self._host, self._port, timeout=self.timeout)
            self._local.connection = connection
            with self._open_lock:
                self._open.add(connection)
        return connection

    def _sleep(self, attempt, retry_after):
        delay = min(self.backoff_factor * (2 ** attempt), _MAX_BACKOFF_SECONDS) + random.uniform(0, self.backoff_jitter)
        if retry_after:
            try:
                delay = max(delay, min(float(retry_after), _MAX_BACKOFF_SECONDS))
            except ValueError:
                pass
        time.sleep(delay)

    def _auth_headers(self):
        if self.token:
            return {"Authorization": "Bearer " + self.token}
        if self.basic_auth:
            import base64

            raw = "{}:{}".format(*self.basic_auth).encode("utf-8")
            return {"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")}
        return {}

    # ---- results and errors -------------------------------------------------------------------

    def _json_result(self, method, endpoint, status, data):
        text = data.decode("utf-8", errors="replace") if data else ""
        parsed = None
        if text.strip():
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = None
        if status == 200:
            if parsed is None and text.strip() and "/api/2.0/mlflow/" in endpoint:
                raise TracksideException(
                    "API request to endpoint {} returned a body that is not JSON: {!r}".format(endpoint, text[:200]),
                    error_code="INTERNAL_ERROR", http_status=status)
            return parsed if isinstance(parsed, dict) else {}
        if isinstance(parsed, dict) and ("error_code" in parsed or "message" in parsed):
            error = rest_exception(parsed, status)
        else:
            error = TracksideException(
                "API request to endpoint {} failed with error code {} != 200. Response body: '{}'".format(endpoint, status, text[:500]),
                error_code=error_code_for_status(status), http_status=status)
        if status == 401:
            error.message = error.message + " " + self._token_hint()
            error.args = (error.message,)
        return _raise(error)

    def _token_hint(self):
        if not self.token and not self.basic_auth:
            return ("No token was sent: set MLFLOW_TRACKING_TOKEN to the store's token (the `token` file in the "
                    "Trackside store folder; terminals opened in VS Code with Trackside have it already).")
        return ("Check MLFLOW_TRACKING_TOKEN: it must be the token of the store this server serves (the `token` "
                "file in the Trackside store folder, or the --token given to `trackside server`).")

    def _transport_error(self, method, endpoint, failure, attempts):
        tries = "" if attempts == 1 else " (after {} attempts)".format(attempts)
        if failure.kind == "refused":
            return TracksideException(
                "Cannot connect to the tracking server at {}: connection refused{}. Is Trackside running? Open the "
                "workspace in VS Code with the Trackside extension or start `trackside server --store DIR`, then set "
                "MLFLOW_TRACKING_URI (and MLFLOW_TRACKING_TOKEN) to what it prints.".format(self.base_url, tries),
                error_code="TEMPORARILY_UNAVAILABLE")
        if failure.kind == "timeout":
            return TracksideException(
                "{} {} to {} timed out after {:g} s{} (MLFLOW_HTTP_REQUEST_TIMEOUT sets the limit).".format(
                    method, endpoint, self.base_url, self.timeout, tries),
                error_code="DEADLINE_EXCEEDED")
        return TracksideException(
            "{} {} to {} failed{}: {}: {}".format(method, endpoint, self.base_url, tries, type(failure.cause).__name__, failure.cause),
            error_code="TEMPORARILY_UNAVAILABLE")


def _raise(error):
    raise error


def _query_items(query):
    for key, value in query.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            for item in value:
                yield key, _query_value(item)
        else:
            yield key, _query_value(value)


def _query_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
