"""Whether the studio can open a window here, and what to say when it cannot.

Without a display, or without the system libraries Qt's platform plugin needs, Qt
prints a hint about `xcb-cursor0` whatever is actually missing and aborts the process
(exit status 134). The studio checks for a display before it starts Qt, and while the
QApplication is made it catches Qt's fatal message to explain instead: what is missing,
the Debian or Ubuntu packages that provide it, and that `waymark serve` runs headless.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

HEADLESS = ("The studio needs a desktop session. To run it without a screen (for tests "
            "and screenshots), set QT_QPA_PLATFORM=offscreen. `waymark serve` runs the "
            "engine headless, and every other command works without a screen too.")

QT_CAUSES = ("could not connect to display", "Failed to create wl_display")

# What PySide6's libraries and platform plugins load from the system, by the Debian and
# Ubuntu package that provides each (`ldd` on PySide6 6.11's libqxcb.so, libqwayland.so
# and libQt6Gui.so).
PACKAGES = {
    "libEGL.so.1": "libegl1", "libGL.so.1": "libgl1", "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1", "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3", "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0", "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0", "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1", "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0", "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0", "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0", "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0", "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1", "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1", "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0", "libwayland-egl.so.1": "libwayland-egl1",
    # QtWebEngine (the email preview): `objdump -p` NEEDED of PySide6-Addons 6.11's
    # libQt6WebEngineCore, QtWebEngineProcess and the libraries they bring, against
    # Debian 12 (bookworm: libasound2; libasound2t64 on Debian 13 and Ubuntu 24.04).
    "libnss3.so": "libnss3", "libnssutil3.so": "libnss3", "libsmime3.so": "libnss3",
    "libnspr4.so": "libnspr4", "libXcomposite.so.1": "libxcomposite1",
    "libXdamage.so.1": "libxdamage1", "libXext.so.6": "libxext6",
    "libXfixes.so.3": "libxfixes3", "libXrandr.so.2": "libxrandr2", "libXtst.so.6": "libxtst6",
    "libxkbfile.so.1": "libxkbfile1", "libasound.so.2": "libasound2",
    "libgbm.so.1": "libgbm1", "libxcb-dri3.so.0": "libxcb-dri3-0",
    "libexpat.so.1": "libexpat1", "libudev.so.1": "libudev1",
    "libbrotlicommon.so.1": "libbrotli1", "libbrotlidec.so.1": "libbrotli1",
    "libgssapi_krb5.so.2": "libgssapi-krb5-2",
}
WEB_ENGINE_FILES = ("lib/libQt6WebEngineCore.so.6", "libexec/QtWebEngineProcess")


def missing_display() -> str | None:
    """Why no window can open, when that is clear before Qt starts (Linux and the BSDs)."""
    if sys.platform in ("win32", "darwin") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return f"no display was found (DISPLAY and WAYLAND_DISPLAY are not set). {HEADLESS}"


def unloadable_libraries(error: ImportError) -> str:
    """Why PySide6 itself did not load: usually a system library it needs is missing."""
    names = re.findall(r"lib[\w.+-]*\.so[\w.]*", str(error))
    return f"the studio cannot start: {error}. {install_hint(names)}{HEADLESS}"


def platform_failure(qt_says: list[str]) -> str:
    """What to say instead of Qt's fatal "no Qt platform plugin could be initialized"."""
    reason = next((line for line in qt_says if any(cause in line for cause in QT_CAUSES)),
                  "Qt could not start any of its platform plugins")
    missing = [name for plugin in platform_plugins() for name in missing_libraries(plugin)]
    if missing:
        reason = f"Qt's platform plugin needs system libraries that are missing: " \
                 f"{', '.join(missing)}"
    return f"the studio cannot open a window: {reason}. {install_hint(missing)}{HEADLESS}"


def install_hint(libraries: list[str]) -> str:
    packages = sorted({PACKAGES[name] for name in libraries if name in PACKAGES})
    return f"On Debian or Ubuntu: sudo apt install {' '.join(packages)}. " if packages else ""


def platform_plugins() -> list[str]:
    """The platform plugins Qt tries, as it chooses them on Linux."""
    chosen = os.environ.get("QT_QPA_PLATFORM")
    if chosen:
        return [name.split(":")[0] for name in chosen.split(";") if name]
    wayland = os.environ.get("XDG_SESSION_TYPE") == "wayland" and \
        os.environ.get("WAYLAND_DISPLAY")
    return ["wayland", "xcb"] if wayland else ["xcb"]


def missing_libraries(plugin: str) -> list[str]:
    """The libraries `ldd` cannot find for one of PySide6's platform plugins."""
    from PySide6.QtCore import QLibraryInfo

    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)
    return unresolved(os.path.join(folder, "platforms", f"libq{plugin}.so"))


def missing_web_engine_libraries() -> list[str]:
    """The libraries `ldd` cannot find for QtWebEngine (none when PySide6-Addons is not
    installed: the preview then says so itself)."""
    import PySide6

    qt = os.path.join(os.path.dirname(PySide6.__file__), "Qt")
    found = [name for file in WEB_ENGINE_FILES for name in unresolved(os.path.join(qt, file))]
    return list(dict.fromkeys(found))


def unresolved(path: str) -> list[str]:
    """The libraries `ldd` cannot find for a library or program."""
    ldd = shutil.which("ldd")
    if ldd is None or not os.path.exists(path):
        return []
    try:
        listing = subprocess.run([ldd, path], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return []
    found = re.findall(r"^\s*(\S+) => not found", listing.stdout, re.MULTILINE)
    return list(dict.fromkeys(found))


class PlatformFailureCatcher:
    """Around making the QApplication: Qt's messages are held back, and its fatal one
    becomes `platform_failure`, said on stderr before the process exits with status 2
    instead of aborting. Without a fatal one, Qt's warnings are printed as Qt would."""

    def __init__(self) -> None:
        self.heard: list[str] = []

    def __enter__(self) -> PlatformFailureCatcher:
        from PySide6.QtCore import qInstallMessageHandler

        self._previous = qInstallMessageHandler(self._handle)
        return self

    def __exit__(self, *_exc: object) -> None:
        from PySide6.QtCore import qInstallMessageHandler

        qInstallMessageHandler(self._previous)
        for message in self.heard:
            print(message, file=sys.stderr)

    def _handle(self, kind, _context, message: str) -> None:
        from PySide6.QtCore import QtMsgType

        if kind == QtMsgType.QtFatalMsg:
            print(f"error: {platform_failure([*self.heard, message])}", file=sys.stderr,
                  flush=True)
            os._exit(2)
        if kind != QtMsgType.QtDebugMsg:
            self.heard.append(message)
