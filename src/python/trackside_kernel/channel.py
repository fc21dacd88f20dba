"""The protocol channel: JSON lines written to a private file descriptor."""
import json
import os
import threading


class Channel:
    """Writes one JSON object per line to ``fd``; safe to call from several threads."""

    def __init__(self, fd):
        self._fd = fd
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self.broken = False

    def send(self, message):
        if os.getpid() != self._pid:
            return  # a forked child (os.fork, multiprocessing) must not speak for the kernel
        data = (json.dumps(message, ensure_ascii=True, allow_nan=False, default=str) + "\n").encode("ascii")
        with self._lock:
            if self.broken:
                return
            view = memoryview(data)
            try:
                while view:
                    written = os.write(self._fd, view)
                    view = view[written:]
            except OSError:
                # The host has gone away: nothing more can be reported.
                self.broken = True
