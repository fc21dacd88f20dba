"""Starts the real Trackside server (``node dist/cli.js server --store <tmp> --port 0``) for a test module.

    SERVER = None

    def setUpModule():
        global SERVER
        SERVER = start_server()      # also points MLFLOW_TRACKING_URI / MLFLOW_TRACKING_TOKEN at it

    def tearDownModule():
        SERVER.stop()
"""

import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
PYTHON_SOURCE = os.path.join(REPO, "src", "python")
CLI = os.path.join(REPO, "dist", "cli.js")
if PYTHON_SOURCE not in sys.path:
    sys.path.insert(0, PYTHON_SOURCE)

import trackside  # noqa: E402  (after the path above, for runs without PYTHONPATH)
from trackside import fluent  # noqa: E402

FLUENT_ENV = ("MLFLOW_RUN_ID", "MLFLOW_EXPERIMENT_NAME", "MLFLOW_EXPERIMENT_ID")


class TracksideServer(object):
    """One server process over a fresh temporary store."""

    def __init__(self):
        if not os.path.exists(CLI):
            raise RuntimeError("{} is missing: run `npm run build` first.".format(CLI))
        self.store = tempfile.mkdtemp(prefix="trackside-pytest-")
        node = os.environ.get("TRACKSIDE_NODE") or shutil.which("node") or "node"
        self.process = subprocess.Popen(
            [node, CLI, "server", "--store", self.store, "--port", "0"],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        self.stderr_lines = []
        lines = queue.Queue()
        threading.Thread(target=self._pump, args=(self.process.stdout, lines.put), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.process.stderr, self.stderr_lines.append), daemon=True).start()
        self.uri = None
        deadline = time.monotonic() + 30
        while self.uri is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.process.poll() is not None:
                self.stop()
                raise RuntimeError("trackside server did not print MLFLOW_TRACKING_URI: " + "".join(self.stderr_lines))
            try:
                line = lines.get(timeout=min(remaining, 0.5))
            except queue.Empty:
                continue
            if line.startswith("MLFLOW_TRACKING_URI="):
                self.uri = line.strip().split("=", 1)[1]
        with open(os.path.join(self.store, "token")) as handle:
            self.token = handle.read().strip()

    @staticmethod
    def _pump(stream, put):
        for line in iter(stream.readline, ""):
            put(line)

    def env(self, **extra):
        """An environment for a child ``python3`` that logs to this server with the client on its path."""
        env = dict(os.environ)
        for name in FLUENT_ENV:
            env.pop(name, None)
        env["PYTHONPATH"] = PYTHON_SOURCE + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        env["MLFLOW_TRACKING_URI"] = self.uri
        env["MLFLOW_TRACKING_TOKEN"] = self.token
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def activate(self):
        """Points this process's fluent API at the server (through the environment, as a terminal would)."""
        os.environ["MLFLOW_TRACKING_URI"] = self.uri
        os.environ["MLFLOW_TRACKING_TOKEN"] = self.token
        trackside.set_tracking_uri(None)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.store, ignore_errors=True)


def start_server():
    for name in FLUENT_ENV:
        os.environ.pop(name, None)
    server = TracksideServer()
    server.activate()
    return server


def reset_fluent():
    """Ends runs left active by a test and forgets the active experiment and fluent environment."""
    while trackside.active_run() is not None:
        try:
            trackside.end_run()
        except Exception:
            fluent._active_run_stack[:] = fluent._active_run_stack[:-1]
    fluent._active_experiment_id = None
    for name in FLUENT_ENV:
        os.environ.pop(name, None)


def free_port():
    """A local port nothing listens on (bound, then released)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port
