"""Trackside's pipeline kernel: a persistent Python process driven over JSON lines.

Started as ``python3 -u -m trackside_kernel.bootstrap`` with this package's folder on PYTHONPATH.
Requests arrive one JSON object per line on stdin; events leave one JSON object per line on a
private duplicate of the original stdout. The user's output is captured and forwarded as
``stream`` events. Standard library only.

This file must stay parseable by old Pythons so that they fail with a clear message.
"""
import sys

MINIMUM_PYTHON = (3, 8)

if sys.version_info < MINIMUM_PYTHON:
    sys.stderr.write(
        "TRACKSIDE_KERNEL_UNSUPPORTED_PYTHON %d.%d.%d\n" % tuple(sys.version_info[:3])
    )
    sys.stderr.flush()
    sys.exit(3)
