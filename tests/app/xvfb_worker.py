"""Under Xvfb, each pytest-xdist worker on an X display of its own.

`.ci/studio-under-xvfb` runs the studio's tests on a real X display. Two studios on one
display without a window manager take the keyboard's focus from each other (a window's
shortcuts reach only the active one), so that pass ran in one process, and took five
minutes and more on a slow day. With WAYMARK_XVFB_PER_WORKER=1 each worker starts its own
Xvfb before Qt is loaded and points DISPLAY at it (when this module is imported: the
studio tests' conftest does so first); the server goes with the worker.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import signal
import subprocess

SCREEN = "1920x1200x24"


def own_display() -> str | None:
    """Start this worker's Xvfb and use it; the display's name, or None when not asked
    for (not under `studio-under-xvfb`, or not an xdist worker)."""
    if not os.environ.get("WAYMARK_XVFB_PER_WORKER") or \
            not os.environ.get("PYTEST_XDIST_WORKER"):
        return None
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", SCREEN, "-nolisten", "tcp"],
        pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        preexec_fn=_die_with_worker)
    os.close(write)
    with os.fdopen(read) as answer:  # Xvfb writes the display number once it listens
        number = answer.readline().strip()
    if not number:
        server.kill()
        raise RuntimeError(f"Xvfb did not start (exit code {server.wait()})")
    atexit.register(_stop, server)
    os.environ["DISPLAY"] = f":{number}"
    return os.environ["DISPLAY"]


def _die_with_worker() -> None:
    """In the server's process: it is ended when the worker ends, however the worker
    ends (xdist's workers need not run atexit handlers; Linux's parent-death signal)."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(5)
    except subprocess.TimeoutExpired:
        server.kill()


own_display()
