"""Running one cell's code in the pipeline's namespace and describing what went wrong."""
import linecache
import os
import sys
import time
import traceback
import types

_THIS_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def _in_package(filename):
    return os.path.dirname(os.path.abspath(filename)) == _THIS_PACKAGE


class Executor:
    """One ``__main__`` namespace shared by every cell, as when the script runs top to bottom."""

    def __init__(self):
        self.module = types.ModuleType("__main__")
        self.namespace = self.module.__dict__
        self.namespace["__builtins__"] = __import__("builtins")
        # Keep the bootstrap's own module alive, then make the user's namespace the real __main__ so
        # that pickling classes defined in cells works.
        sys.modules["trackside_kernel._launcher"] = sys.modules.get("__main__")
        sys.modules["__main__"] = self.module
        self.running = False
        self._sources = {}
        self._script_seen = False

    def _remember_source(self, filename, first_line, code):
        """Keeps the cell's lines in linecache so tracebacks show them even when the file is unsaved."""
        lines = self._sources.setdefault(filename, [])
        cell_lines = code.splitlines(True)
        if cell_lines and not cell_lines[-1].endswith("\n"):
            cell_lines[-1] += "\n"
        end = first_line - 1 + len(cell_lines)
        if len(lines) < end:
            lines.extend(["\n"] * (end - len(lines)))
        lines[first_line - 1:end] = cell_lines
        self._install_source(filename)

    def _install_source(self, filename):
        lines = self._sources.get(filename)
        if lines is not None:
            linecache.cache[filename] = (sum(len(line) for line in lines), None, lines, filename)

    def _adopt_script(self, filename):
        if filename.startswith("<"):
            return
        self.namespace["__file__"] = filename
        if not self._script_seen:
            self._script_seen = True
            sys.argv[:] = [filename]
            folder = os.path.dirname(os.path.abspath(filename))
            if folder not in sys.path:
                sys.path.insert(0, folder)

    def execute(self, code, filename, first_line):
        """Runs ``code`` as lines ``first_line``… of ``filename``. Returns (status, error, duration ms)."""
        first_line = max(1, int(first_line))
        self._adopt_script(filename)
        self._remember_source(filename, first_line, code)
        status, error = "ok", None
        started = time.perf_counter()
        try:
            self.running = True
            try:
                compiled = compile("\n" * (first_line - 1) + code, filename, "exec", dont_inherit=True)
                exec(compiled, self.namespace)
            finally:
                self.running = False
        except KeyboardInterrupt as exc:
            status, error = "interrupted", self.describe_error(exc, filename)
        except SystemExit as exc:
            if exc.code not in (None, 0):
                status, error = "error", self.describe_error(exc, filename)
        except BaseException as exc:  # noqa: BLE001 - the cell's error is reported, not raised
            status, error = "error", self.describe_error(exc, filename)
        duration_ms = (time.perf_counter() - started) * 1000.0
        return status, error, duration_ms

    def describe_error(self, exc, filename):
        """``{ename, evalue, traceback, line}``; ``line`` is the innermost line of the script, if any."""
        self._install_source(filename)
        tb = exc.__traceback__
        while tb is not None and _in_package(tb.tb_frame.f_code.co_filename):
            tb = tb.tb_next
        line = None
        walker = tb
        while walker is not None:
            if walker.tb_frame.f_code.co_filename == filename:
                line = walker.tb_lineno
            walker = walker.tb_next
        if line is None and isinstance(exc, SyntaxError) and exc.filename == filename:
            line = exc.lineno
        try:
            summary = traceback.TracebackException(type(exc), exc, tb)
            if isinstance(exc, KeyboardInterrupt):
                # Drop the kernel's own signal handler from the end of the stack.
                frames = list(summary.stack)
                while frames and _in_package(frames[-1].filename):
                    frames.pop()
                summary.stack = traceback.StackSummary.from_list(frames)
            text = "".join(summary.format())
        except Exception:  # noqa: BLE001 - a broken __str__ or __repr__
            text = "%s: <unprintable error>\n" % type(exc).__name__
        try:
            evalue = str(exc)
        except Exception:  # noqa: BLE001
            evalue = "<unprintable error>"
        return {
            "ename": type(exc).__name__,
            "evalue": evalue,
            "traceback": text.rstrip("\n").split("\n"),
            "line": line,
        }
