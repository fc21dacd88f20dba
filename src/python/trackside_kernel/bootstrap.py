"""Entry point of the pipeline kernel: ``python3 -u -m trackside_kernel.bootstrap``.

Requests (stdin, one JSON object per line):
    {"op": "execute", "cell": 3, "code": "...", "filename": "/path/script.py", "firstLine": 20}
    {"op": "interrupt"}   (for hosts that cannot send SIGINT, e.g. Windows)
    {"op": "shutdown"}
Events (a private duplicate of the original stdout, one JSON object per line):
    {"event": "ready", "python": "3.11.7", "pid": 123, "executable": "...", "packages": {...}, "autolog": "..."}
    {"event": "stream", "cell": 3, "name": "stdout", "text": "..."}
    {"event": "dataframes", "cell": 3, "dataframes": [{"name": "df", "rows": 10, "columns": 4}]}
    {"event": "result", "cell": 3, "status": "ok" | "error" | "interrupted", "durationMs": 1.5,
     "error": {"ename", "evalue", "traceback": [...], "line": 22}}
    {"event": "log", "text": "..."}   (the kernel's own problems, never the user's output)
SIGINT raises KeyboardInterrupt in the running cell and is ignored between cells.
"""
import atexit
import faulthandler
import importlib.util
import io
import json
import os
import platform
import queue
import signal
import sys
import threading
import _thread

from trackside_kernel.capture import OutputCapture
from trackside_kernel.channel import Channel
from trackside_kernel.dataframes import DataFrameTracker
from trackside_kernel.executor import Executor


def _importable(name):
    try:
        return importlib.util.find_spec(name) is not None
    except Exception:  # noqa: BLE001 - a broken package on the path
        return False


def _enable_autolog(packages):
    if os.environ.get("TRACKSIDE_KERNEL_AUTOLOG", "1") == "0":
        return "disabled"
    if not packages["mlflow"]:
        return "unavailable"
    try:
        import mlflow

        mlflow.autolog()
        return "enabled"
    except BaseException as exc:  # noqa: BLE001 - autolog must never stop the kernel
        return "failed: %s: %s" % (type(exc).__name__, exc)


class Kernel:
    def __init__(self):
        self.capture = OutputCapture()
        self.channel = Channel(self.capture.protocol_out)
        self.executor = Executor()
        self.dataframes = DataFrameTracker()
        self.requests = queue.Queue()
        self.pid = os.getpid()

    def log(self, text):
        self.channel.send({"event": "log", "text": text})

    def _on_sigint(self, signum, frame):
        if self.executor.running:
            raise KeyboardInterrupt

    def _read_requests(self):
        stream = os.fdopen(self.capture.protocol_in, "rb", buffering=0)
        reader = io.BufferedReader(stream, 65536)
        for raw in iter(reader.readline, b""):
            try:
                request = json.loads(raw.decode("utf-8"))
            except ValueError as exc:
                self.log("Ignored a request that is not JSON: %s" % exc)
                continue
            op = request.get("op")
            if op == "interrupt":
                if self.executor.running:
                    _thread.interrupt_main()
                continue
            self.requests.put(request)
            if op == "shutdown":
                return
        # The host closed stdin without asking for a shutdown (it died): stop the cell and leave.
        self.requests.put({"op": "shutdown"})
        if self.executor.running:
            _thread.interrupt_main()

    def _final_flush(self):
        if os.getpid() != self.pid:
            return
        try:
            self.capture.sync(timeout=1.0)
        except BaseException:  # noqa: BLE001 - leaving anyway
            pass

    def start(self):
        # Registered first, so it runs last: output of the user's own exit handlers is forwarded too.
        atexit.register(self._final_flush)
        faulthandler.enable(file=os.fdopen(os.dup(self.capture.original_stderr), "w"), all_threads=True)
        self.capture.start(self.channel)
        signal.signal(signal.SIGINT, self._on_sigint)
        packages = {name: _importable(name) for name in ("pandas", "polars", "mlflow")}
        autolog = _enable_autolog(packages)
        self.capture.sync()
        self.channel.send(
            {
                "event": "ready",
                "python": platform.python_version(),
                "implementation": platform.python_implementation(),
                "executable": sys.executable,
                "pid": os.getpid(),
                "packages": packages,
                "autolog": autolog,
            }
        )
        threading.Thread(target=self._read_requests, name="trackside-requests", daemon=True).start()

    def execute(self, request):
        cell = request.get("cell")
        self.capture.forwarder.cell = cell
        try:
            status, error, duration_ms = self.executor.execute(
                str(request.get("code", "")), str(request.get("filename") or "<cell>"), request.get("firstLine") or 1
            )
        except KeyboardInterrupt:
            # Landed between the cell's end and the bookkeeping: the cell did finish.
            status, error, duration_ms = "ok", None, 0.0
        if os.getpid() != self.pid:
            # A child forked by the cell ran to the cell's end: it must not serve requests.
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except Exception:  # noqa: BLE001
                    pass
            os._exit(0)
        self.capture.sync()
        self.capture.forwarder.cell = None
        try:
            changed = self.dataframes.changes(self.executor.namespace)
        except Exception as exc:  # noqa: BLE001
            self.log("Could not look for DataFrames: %s" % exc)
            changed = []
        if changed:
            self.channel.send({"event": "dataframes", "cell": cell, "dataframes": changed})
        result = {"event": "result", "cell": cell, "status": status, "durationMs": round(duration_ms, 3)}
        if error is not None:
            result["error"] = error
        self.channel.send(result)

    def serve(self):
        while True:
            request = self.requests.get()
            op = request.get("op")
            if op == "execute":
                self.execute(request)
            elif op == "shutdown":
                return
            else:
                self.log("Unknown request op: %r" % (op,))


def main():
    kernel = Kernel()
    try:
        kernel.start()
        kernel.serve()
    except BaseException as exc:  # noqa: BLE001 - report the kernel's own failure on the real stderr
        os.write(kernel.capture.original_stderr, ("trackside kernel failed: %r\n" % (exc,)).encode("utf-8", "replace"))
        raise


if __name__ == "__main__":
    main()
