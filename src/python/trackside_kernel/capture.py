"""Capturing the user's output and forwarding it as coalesced ``stream`` events.

Python-level writes (``sys.stdout``/``sys.stderr``) go straight to the forwarder, so their order is
exact. Writes to file descriptors 1 and 2 (subprocesses, C extensions) go through pipes read by two
threads; a sync marker written to both pipes at the end of a cell makes sure everything written
during the cell is forwarded before the cell's result.

Only the forwarder's own thread writes ``stream`` events, so an interrupt that lands while user code
prints can never cut a protocol line in half. Writers wait when more than ``high_water`` characters
are pending (backpressure), so a cell printing without end cannot exhaust memory.
"""
import codecs
import io
import os
import sys
import threading

MAX_CHUNK = 256 * 1024
DELAY_SECONDS = 0.02
HIGH_WATER = 8 * 1024 * 1024

SYNC_START = b"\x1e\x1etrackside-sync-"
SYNC_END = b"\x1e\x1e"


class Forwarder:
    """Buffers output per (cell, stream) and sends it in chunks of at most ``max_chunk`` characters."""

    def __init__(self, channel, max_chunk=MAX_CHUNK, delay=DELAY_SECONDS, high_water=HIGH_WATER):
        self._channel = channel
        self._max_chunk = max_chunk
        self._delay = delay
        self._high_water = high_water
        self._cond = threading.Condition()
        self._pending = []  # [cell, name, parts, size]
        self._size = 0
        self._urgent = False
        self._sending = False
        self.cell = None
        self._thread = threading.Thread(target=self._run, name="trackside-forwarder", daemon=True)
        self._thread.start()

    def write(self, name, text):
        if not text:
            return
        with self._cond:
            while self._size >= self._high_water and not self._channel.broken:
                self._cond.wait(0.5)
            cell = self.cell
            last = self._pending[-1] if self._pending else None
            if last is not None and last[0] == cell and last[1] == name:
                last[2].append(text)
                last[3] += len(text)
            else:
                self._pending.append([cell, name, [text], len(text)])
            was_empty = self._size == 0
            self._size += len(text)
            if was_empty or self._size >= self._max_chunk:
                self._cond.notify_all()

    def request_flush(self):
        """Asks for the pending output to be sent now, without waiting for it."""
        with self._cond:
            if self._pending:
                self._urgent = True
                self._cond.notify_all()

    def flush(self):
        """Sends everything pending and waits until it is written."""
        with self._cond:
            if self._pending:
                self._urgent = True
                self._cond.notify_all()
            while (self._pending or self._sending) and not self._channel.broken:
                self._cond.wait(0.5)

    def _run(self):
        while True:
            with self._cond:
                while not self._pending:
                    self._cond.wait()
                if not self._urgent and self._size < self._max_chunk:
                    self._cond.wait(self._delay)
                batch = self._pending
                self._pending = []
                self._size = 0
                self._urgent = False
                self._sending = True
                self._cond.notify_all()
            try:
                for cell, name, parts, _size in batch:
                    text = "".join(parts)
                    for start in range(0, len(text), self._max_chunk):
                        self._channel.send(
                            {"event": "stream", "cell": cell, "name": name, "text": text[start:start + self._max_chunk]}
                        )
            except Exception:  # noqa: BLE001 - keep forwarding whatever comes next
                pass
            finally:
                with self._cond:
                    self._sending = False
                    self._cond.notify_all()


class _BinaryCapture(io.RawIOBase):
    """``sys.stdout.buffer``: bytes decoded as UTF-8 and forwarded."""

    def __init__(self, forwarder, name, fd):
        super().__init__()
        self._forwarder = forwarder
        self._name = name
        self._fd = fd
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def writable(self):
        return True

    def write(self, data):
        self._forwarder.write(self._name, self._decoder.decode(bytes(data)))
        return len(data)

    def fileno(self):
        return self._fd

    def isatty(self):
        return False

    def flush(self):
        self._forwarder.request_flush()


class CapturedStream(io.TextIOBase):
    """Replaces ``sys.stdout``/``sys.stderr``: text goes to the forwarder under ``name``."""

    encoding = "utf-8"
    errors = "replace"
    newlines = None

    def __init__(self, forwarder, name, fd):
        super().__init__()
        self._forwarder = forwarder
        self._name = name
        self._fd = fd
        self._pid = os.getpid()
        self._child_pending = []
        self.buffer = _BinaryCapture(forwarder, name, fd)

    @property
    def name(self):
        return "<%s>" % self._name

    def writable(self):
        return True

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError("write() argument must be str, not %s" % type(text).__name__)
        if os.getpid() != self._pid:
            self._write_in_child(text)
        else:
            self._forwarder.write(self._name, text)
        return len(text)

    def _write_in_child(self, text):
        """A forked child has no forwarder thread: whole lines go to the fd, whose pipe the kernel reads."""
        self._child_pending.append(text)
        if "\n" in text:
            joined = "".join(self._child_pending)
            end = joined.rindex("\n") + 1
            self._child_pending = [joined[end:]] if end < len(joined) else []
            self._write_fd(joined[:end])

    def _write_fd(self, text):
        data = text.encode("utf-8", "replace")
        while data:
            data = data[os.write(self._fd, data):]

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        if os.getpid() != self._pid:
            pending, self._child_pending = "".join(self._child_pending), []
            self._write_fd(pending)
        else:
            self._forwarder.request_flush()

    def fileno(self):
        return self._fd

    def isatty(self):
        return False


def _held_back(data):
    """How many trailing bytes of ``data`` could be the start of a sync marker."""
    for size in range(min(len(SYNC_START) - 1, len(data)), 0, -1):
        if data.endswith(SYNC_START[:size]):
            return size
    return 0


class FdPump:
    """Reads a pipe that replaced fd 1 or 2 and forwards what it reads; recognises sync markers."""

    def __init__(self, read_fd, name, forwarder):
        self._fd = read_fd
        self._name = name
        self._forwarder = forwarder
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._cond = threading.Condition()
        self.seen = 0
        self.closed = False
        self._thread = threading.Thread(target=self._run, name="trackside-pump-%s" % name, daemon=True)
        self._thread.start()

    def wait_for(self, token, timeout):
        with self._cond:
            return self._cond.wait_for(lambda: self.seen >= token or self.closed, timeout)

    def _split(self, data):
        """Returns (output bytes, carried bytes, highest sync token seen)."""
        out = []
        token = 0
        pos = 0
        while True:
            start = data.find(SYNC_START, pos)
            if start < 0:
                keep = _held_back(data[pos:])
                out.append(data[pos:len(data) - keep])
                return b"".join(out), data[len(data) - keep:], token
            out.append(data[pos:start])
            end = data.find(SYNC_END, start + len(SYNC_START))
            if end < 0:
                if len(data) - start <= 64:
                    return b"".join(out), data[start:], token
                out.append(data[start:start + 1])
                pos = start + 1
                continue
            digits = data[start + len(SYNC_START):end]
            if digits.isdigit():
                token = max(token, int(digits))
                pos = end + len(SYNC_END)
            else:
                out.append(data[start:start + 1])
                pos = start + 1

    def _run(self):
        carry = b""
        try:
            while True:
                try:
                    chunk = os.read(self._fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                output, carry, token = self._split(carry + chunk)
                if output:
                    self._forwarder.write(self._name, self._decoder.decode(output))
                if token:
                    with self._cond:
                        self.seen = max(self.seen, token)
                        self._cond.notify_all()
        finally:
            if carry:
                self._forwarder.write(self._name, self._decoder.decode(carry, final=True))
            with self._cond:
                self.closed = True
                self._cond.notify_all()


def _identity(fd):
    try:
        stat = os.fstat(fd)
        return (stat.st_dev, stat.st_ino)
    except OSError:
        return None


class OutputCapture:
    """Sets up the capture: protocol fd, stdin to /dev/null, fds 1/2 to pipes, sys streams replaced."""

    def __init__(self):
        self.protocol_in = os.dup(0)
        self.protocol_out = os.dup(1)
        self.original_stderr = os.dup(2)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        self.forwarder = None
        self._pumps = []
        self._token = 0
        self._libc_fflush = None

    def start(self, channel):
        self.forwarder = Forwarder(channel)
        for fd, name in ((1, "stdout"), (2, "stderr")):
            try:
                read_fd, write_fd = os.pipe()
                os.dup2(write_fd, fd)
                os.close(write_fd)
                identity = _identity(fd)
                self._pumps.append((fd, identity, FdPump(read_fd, name, self.forwarder)))
            except OSError:
                pass  # Python-level capture still works; C-level output then goes to the original fd.
        sys.stdout = CapturedStream(self.forwarder, "stdout", 1)
        sys.stderr = CapturedStream(self.forwarder, "stderr", 2)
        try:
            import ctypes

            self._libc_fflush = ctypes.CDLL(None).fflush
        except Exception:  # noqa: BLE001 - ctypes or libc missing (Windows, static builds)
            self._libc_fflush = None

    def sync(self, timeout=5.0):
        """Forwards everything written so far (Python and fd level) and waits until it is sent."""
        for stream in (sys.__stdout__, sys.__stderr__):
            try:
                if stream is not None:
                    stream.flush()
            except Exception:  # noqa: BLE001
                pass
        if self._libc_fflush is not None:
            try:
                self._libc_fflush(None)
            except Exception:  # noqa: BLE001
                pass
        if self._pumps:
            self._token += 1
            marker = SYNC_START + str(self._token).encode("ascii") + SYNC_END
            for fd, identity, pump in self._pumps:
                # Only when fd 1/2 is still our pipe: a cell may have closed it or put a file there.
                if _identity(fd) != identity:
                    continue
                try:
                    os.write(fd, marker)
                except OSError:
                    continue
                pump.wait_for(self._token, timeout)
        self.forwarder.flush()
