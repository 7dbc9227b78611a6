"""QtWebEngine's start-up needs, met before the QApplication exists.

The email preview renders with Chromium (QtWebEngine, from PySide6-Addons), because
QTextBrowser understands only a subset of HTML and CSS and would show a marketer an email
no recipient sees. Qt requires `QtWebEngineWidgets` to be imported, and OpenGL contexts
to be shared, before the application object is made; Chromium refuses to run as root
without `--no-sandbox`. When it cannot load at all (PySide6-Addons missing, a system
library such as libnss3 absent), the preview falls back to QTextBrowser and says so.

On a desktop, windows are composed through Qt's RHI from the start (QT_WIDGETS_RHI=1,
unless set otherwise): the first web view shown in a window that was not makes Qt create
the window again, and a click just then was lost (seen in a real window: a double-click on
the Outbox's first email opened nothing). Every window that shows an email preview ends up
composed so anyway; this only moves the switch to before the window is shown.
"""

from __future__ import annotations

import os
import re
import sys

_state: dict[str, str | None] = {}  # "why": None once QtWebEngine loaded, else the reason


def prepare_web_engine() -> str | None:
    """Get QtWebEngine ready (call before QApplication); None when it is, else why not."""
    if "why" in _state:
        return _state["why"]
    from PySide6.QtCore import QCoreApplication, Qt

    if QCoreApplication.instance() is not None and \
            "PySide6.QtWebEngineWidgets" not in sys.modules:
        _state["why"] = "QtWebEngine was not loaded before the application started"
        return _state["why"]  # loading it now would break Qt's OpenGL sharing
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Chromium's sandbox will not start as root (containers, CI): without this flag
        # the render process exits at once and every preview stays blank.
        flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
        if "--no-sandbox" not in flags:
            os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{flags} --no-sandbox".strip()
    try:
        import PySide6.QtWebEngineWidgets  # noqa: F401 - loads Chromium's libraries
    except ImportError as error:
        _state["why"] = _reason(error)
    else:
        _state["why"] = None
        compose_with_rhi(os.environ)
    return _state["why"]


def compose_with_rhi(environ) -> None:
    """Windows composed through RHI from the start on a desktop (see the module's
    docstring); not offscreen (nothing is composed there), nor where the person set it."""
    if environ.get("QT_QPA_PLATFORM", "").split(":")[0] not in ("offscreen", "minimal"):
        environ.setdefault("QT_WIDGETS_RHI", "1")


def web_engine_problem() -> str | None:
    """Why the preview cannot use QtWebEngine (None: it can)."""
    return prepare_web_engine() if "why" not in _state else _state["why"]


def _reason(error: ImportError) -> str:
    """Why, with what to install: PySide6-Addons, or the system libraries it lacks."""
    from app.desktop import install_hint

    text = str(error)
    if "QtWebEngine" in text and "No module" in text:
        return "QtWebEngine is not installed (pip install PySide6-Addons)"
    names = re.findall(r"lib[\w.+-]*\.so[\w.]*", text)
    return f"QtWebEngine cannot load: {text}. {install_hint(names)}".rstrip()
