"""Buffered metric logging: ``log_metric`` appends to memory, batches go out with ``runs/log-batch``.

A batch (at most 1000 points per request) is sent when the buffer reaches ``batch_size`` points, by a
background thread every ``interval`` seconds, and on ``flush()`` (which ``end_run`` and the atexit handler
call). Only one batch is in flight at a time; past ``max_pending`` points the caller sends itself, so a
fast loop cannot grow memory without bound. An error in the background thread (a 4xx for a bad value,
or the server gone after retries) is raised by the next ``log_metric`` or ``flush``.
"""

import os
import threading

from .exceptions import TracksideException

DEFAULT_BATCH_SIZE = 1000
DEFAULT_INTERVAL_SECONDS = 0.5
DEFAULT_MAX_PENDING = 50000


class MetricBuffer(object):
    """Pending metric points per run; ``send(run_id, points)`` delivers one run's points."""

    def __init__(self, send, batch_size=DEFAULT_BATCH_SIZE, interval=DEFAULT_INTERVAL_SECONDS, max_pending=DEFAULT_MAX_PENDING):
        self._send = send
        self.batch_size = batch_size
        self.interval = interval
        self.max_pending = max(max_pending, batch_size)
        self._reset()

    def _reset(self):
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._pending = {}
        self._count = 0
        self._wake = threading.Event()
        self._thread = None
        self._error = None
        self._stopped = False

    @property
    def pending_count(self):
        return self._count

    def add(self, run_id, point):
        """Queues one point (a REST metric dict) for ``run_id``."""
        self._raise_background_error()
        with self._lock:
            self._pending.setdefault(run_id, []).append(point)
            self._count += 1
            count = self._count
        if count >= self.max_pending:
            self.flush()
            return
        if count >= self.batch_size:
            self._wake.set()
        if self._thread is None or not self._thread.is_alive():
            self._start_thread()

    def flush(self):
        """Sends every pending point now; raises the first error met (here or in the background)."""
        with self._send_lock:
            try:
                self._send_pending()
            except Exception as e:
                raise _buffered_error(e)
        self._raise_background_error()

    def discard(self):
        with self._lock:
            self._pending = {}
            self._count = 0

    def stop(self):
        """Flushes and stops the background thread (interpreter exit)."""
        self._stopped = True
        self._wake.set()
        self.flush()

    def _take(self):
        with self._lock:
            pending, self._pending, self._count = self._pending, {}, 0
        return pending

    def _send_pending(self):
        first_error = None
        for run_id, points in self._take().items():
            for start in range(0, len(points), self.batch_size):
                try:
                    self._send(run_id, points[start:start + self.batch_size])
                except Exception as e:  # keep sending the other runs' points; report the first failure
                    if first_error is None:
                        first_error = e
        if first_error is not None:
            raise first_error

    def _start_thread(self):
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._run, name="trackside-metric-flush", daemon=True)
            self._thread.start()

    def _run(self):
        while not self._stopped:
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._count == 0:
                continue
            try:
                with self._send_lock:
                    self._send_pending()
            except Exception as e:
                if self._error is None:
                    self._error = e

    def _raise_background_error(self):
        error, self._error = self._error, None
        if error is not None:
            raise _buffered_error(error)


def _buffered_error(error):
    """The error of a failed batch, saying that it concerns buffered points."""
    code = getattr(error, "error_code", "INTERNAL_ERROR")
    message = getattr(error, "message", str(error))
    wrapped = TracksideException("Buffered metrics could not be logged: " + message, error_code=code,
                                 http_status=getattr(error, "http_status", None))
    wrapped.__cause__ = error
    return wrapped


def interval_from_environment():
    try:
        return float(os.environ.get("TRACKSIDE_METRIC_FLUSH_INTERVAL", DEFAULT_INTERVAL_SECONDS))
    except ValueError:
        return DEFAULT_INTERVAL_SECONDS
