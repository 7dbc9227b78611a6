"""Light and dark themes: the canvas colours and the widget style sheet, following the system.

The style sheet (`resources/styles/studio.qss`) names colours as `@tokens`; the two
`Theme`s below give their values, so the widgets and the painted canvas share one source.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from engine.model import TileKind
from engine.resources import resource

KIND_COLORS = {
    TileKind.TRIGGER: "#16a34a",
    TileKind.EMAIL: "#2563eb",
    TileKind.SMS: "#0891b2",
    TileKind.PUSH: "#7c3aed",
    TileKind.WAIT: "#d97706",
    TileKind.WAIT_FOR: "#db2777",
    TileKind.ATTRIBUTE_BRANCH: "#c2410c",
    TileKind.SPLIT: "#0d9488",
    TileKind.EXIT: "#64748b",
}


@dataclass(frozen=True)
class Theme:
    name: str
    window: str
    panel: str
    panel_alt: str
    border: str
    text: str
    muted: str
    accent: str
    accent_text: str
    hover: str
    canvas: str
    grid: str
    tile: str
    tile_border: str
    shadow: str
    edge: str
    error: str
    warning: str
    ok: str
    kinds: dict[TileKind, str] = field(default_factory=lambda: dict(KIND_COLORS))

    @property
    def dark(self) -> bool:
        return self.name == "dark"

    def color(self, token: str) -> QColor:
        return QColor(getattr(self, token))

    def kind_color(self, kind: str) -> QColor:
        return QColor(self.kinds[TileKind(kind)])


LIGHT = Theme(
    name="light", window="#f4f5f8", panel="#ffffff", panel_alt="#f8f9fb", border="#e2e5ea",
    text="#1c2430", muted="#667085", accent="#4f46e5", accent_text="#ffffff",
    hover="#eef0f4", canvas="#f1f3f6", grid="#cfd5de", tile="#ffffff",
    tile_border="#d9dde4", shadow="#1a101828", edge="#98a2b3", error="#dc2626",
    warning="#d97706", ok="#16a34a",
)
DARK = Theme(
    name="dark", window="#15171c", panel="#1c1f25", panel_alt="#20242b", border="#2d323b",
    text="#e6e8ec", muted="#9aa3b2", accent="#818cf8", accent_text="#11131a",
    hover="#272b33", canvas="#111318", grid="#2b3039", tile="#232730",
    tile_border="#363c47", shadow="#66000000", edge="#687386", error="#f87171",
    warning="#fbbf24", ok="#4ade80",
    kinds={k: QColor(v).lighter(125).name() for k, v in KIND_COLORS.items()},
)

_current: list[Theme] = [LIGHT]


def current() -> Theme:
    return _current[0]


def system_prefers_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def style_sheet(theme: Theme) -> str:
    text = resource("styles", "studio.qss").read_text(encoding="utf-8")
    tokens = {k: v for k, v in asdict(theme).items() if isinstance(v, str)}
    return re.sub(r"@([a-z_]+)", lambda m: tokens.get(m.group(1), m.group(0)), text)


def _palette(theme: Theme) -> QPalette:
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: theme.window, QPalette.ColorRole.Base: theme.panel,
        QPalette.ColorRole.AlternateBase: theme.panel_alt, QPalette.ColorRole.Text: theme.text,
        QPalette.ColorRole.WindowText: theme.text, QPalette.ColorRole.Button: theme.panel,
        QPalette.ColorRole.ButtonText: theme.text, QPalette.ColorRole.Highlight: theme.accent,
        QPalette.ColorRole.HighlightedText: theme.accent_text,
        QPalette.ColorRole.ToolTipBase: theme.panel, QPalette.ColorRole.ToolTipText: theme.text,
        QPalette.ColorRole.PlaceholderText: theme.muted, QPalette.ColorRole.Mid: theme.border,
    }
    for role, value in roles.items():
        palette.setColor(role, QColor(value))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(theme.muted))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText,
                     QColor(theme.muted))
    return palette


def studio_font() -> QFont:
    font = QFont()
    font.setFamilies(["Inter", "Segoe UI", "SF Pro Text", "Cantarell", "Noto Sans",
                      "DejaVu Sans"])
    font.setPointSizeF(9.5)
    return font


class ThemeManager(QObject):
    """Applies a theme to the application and follows the system's colour scheme."""

    changed = Signal(object)  # Theme

    def __init__(self, app: QApplication, forced: str | None = None) -> None:
        super().__init__(app)
        self._app = app
        self._forced = forced
        app.setStyle("Fusion")
        app.setFont(studio_font())
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._system_changed)
        self.apply(self._wanted())

    def _wanted(self) -> Theme:
        if self._forced:
            return DARK if self._forced == "dark" else LIGHT
        return DARK if system_prefers_dark() else LIGHT

    def _system_changed(self, _scheme: object) -> None:
        if not self._forced:
            self.apply(self._wanted())

    def force(self, name: str | None) -> None:
        self._forced = name
        self.apply(self._wanted())

    def apply(self, theme: Theme) -> None:
        _current[0] = theme
        self._app.setPalette(_palette(theme))
        self._app.setStyleSheet(style_sheet(theme))
        self.changed.emit(theme)
