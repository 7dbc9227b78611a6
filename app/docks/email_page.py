"""An email in the outbox: the message as rendered, its plain text and its headers, and
buttons that open it or click a link through the engine's real tracking URLs."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QTabWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.icons import icon

from .email_preview import EmailPreview
from .message_parts import EmailParts
from .remote_content import remote_content

PHONE_WIDTH = 390  # a phone's CSS width: how most recipients first see an email


def _tool(name: str, text: str, icon_name: str) -> QToolButton:
    button = QToolButton()
    button.setObjectName(name)
    button.setText(text)
    button.setIcon(icon(icon_name))
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    return button


class EmailPage(QWidget):
    open_requested = Signal()
    click_requested = Signal(int)  # the link's number, from 0

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.parts: EmailParts | None = None
        self._bar_widths = (0, 0)  # the buttons' row with their words, with icons only
        self.mark_opened = _tool("markOpened", "Mark &opened", "opened")
        self.click_link = _tool("clickLink", "&Click link", "click")
        self.click_link.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.click_link.setMenu(QMenu(self.click_link))
        self.phone_width = _tool("phoneWidth", "&Phone width", "sms")
        self.phone_width.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.phone_width.setShortcut("Alt+P")
        self.phone_width.setCheckable(True)
        self.phone_width.setToolTip("Show the email as wide as a phone's screen (Alt+P)")
        self.blocked = _tool("blockedNote", "", "shield")  # says, never does: no click
        self.blocked.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.answer = QLabel()
        self.answer.setObjectName("trackAnswer")
        self.answer.setWordWrap(True)
        self.preview = EmailPreview()
        self.text = QPlainTextEdit(readOnly=True)
        self.text.setObjectName("emailText")
        self.headers = _headers_tree()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("emailTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.tabBar().setDrawBase(False)  # Fusion's base line ignores the theme
        self.tabs.addTab(_framed(self.preview), icon("email"), "Message")
        self.tabs.addTab(self.text, "Plain text")
        self.tabs.addTab(self.headers, "Headers")
        self._layout()
        self.mark_opened.clicked.connect(self.open_requested)
        self.phone_width.toggled.connect(self._phone_width)
        self.preview.link_hovered.connect(self._hovered)
        self.preview.link_clicked.connect(self._clicked_in_preview)

    def _layout(self) -> None:
        self.bar = bar = QHBoxLayout()
        bar.setContentsMargins(10, 6, 10, 6)
        bar.setSpacing(4)
        for button in (self.mark_opened, self.click_link, self.phone_width):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.blocked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.answer)
        layout.addWidget(self.tabs, 1)
        self.answer.hide()

    def show_email(self, parts: EmailParts) -> None:
        self.parts = parts
        self.answer.hide()
        self.preview.show_html(parts.html or f"<pre>{escape(parts.text)}</pre>")
        self.text.setPlainText(parts.text)
        self.headers.clear()
        for name, value in parts.headers:
            self.headers.addTopLevelItem(QTreeWidgetItem([name, value]))
        self._fill_links(parts.links)
        self._say_blocked(parts.html)
        self._measure_bar()

    # --- the buttons' row: words while there is room, icons only in a narrow dock -----

    def _worded(self) -> tuple[QToolButton, ...]:
        return (self.mark_opened, self.click_link, self.blocked)

    def _measure_bar(self) -> None:
        """How wide the row is with the buttons' words and without: in a laptop's Outbox
        dock (beside the list, the Simulation dock open) the words asked for 400 px and
        the list was squeezed to 110 px, the docks around pushed aside."""
        widths = []
        for style in (Qt.ToolButtonStyle.ToolButtonTextBesideIcon,
                      Qt.ToolButtonStyle.ToolButtonIconOnly):
            for button in self._worded():
                button.setToolButtonStyle(style)
            self.bar.invalidate()
            widths.append(self.bar.sizeHint().width())
        self._bar_widths = (widths[0], widths[1])
        self._fit_bar(self.width())
        self.updateGeometry()

    def _fit_bar(self, width: int) -> None:
        """Icons only (their words in the tooltips) when the words do not fit."""
        style = (Qt.ToolButtonStyle.ToolButtonTextBesideIcon if width >= self._bar_widths[0]
                 else Qt.ToolButtonStyle.ToolButtonIconOnly)
        for button in self._worded():
            if button.toolButtonStyle() != style:
                button.setToolButtonStyle(style)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        narrowest = max(self._bar_widths[1], self.tabs.minimumSizeHint().width())
        return QSize(min(hint.width(), narrowest), hint.height()) if narrowest else hint

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_bar(event.size().width())

    def changeEvent(self, event) -> None:
        """Another font or theme: the words' widths change."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange) \
                and self.parts is not None:
            self._measure_bar()

    def _fill_links(self, links: list[str]) -> None:
        menu = self.click_link.menu()
        menu.clear()
        for index, url in enumerate(links):
            action = menu.addAction(f"{index + 1}. {_short(url)}")
            action.setToolTip(url)
            action.triggered.connect(lambda _on=False, n=index: self.click_requested.emit(n))

    def _say_blocked(self, html: str) -> None:
        remote = remote_content(html)
        images = len(remote.images)
        self.blocked.setVisible(len(remote) > 0)
        if not remote:
            return
        self.blocked.setText(f"{images} image{'s' if images != 1 else ''} blocked" if images
                             else f"{len(remote)} blocked")
        tip = [self.blocked.text(),  # first: in a narrow dock it shows its icon only
               "The preview loads nothing from the network: mail programs that do tell "
               "the senders (and their tracking) that the email was opened."]
        if remote.open_pixel:
            tip.append("The open pixel was not loaded: viewing here does not count as "
                       "an open. Use Mark opened for that.")
        tip += [f"• {url}" for url in (*remote.images, *remote.other)][:12]
        self.blocked.setToolTip("\n".join(tip))

    def set_tracking(self, why_not: str | None) -> None:
        """Enable Mark opened and Click link, or disable them saying why."""
        parts = self.parts
        if why_not is None and parts is not None and not parts.token:
            why_not = "Tracking was off when this email was made: it has no open pixel " \
                      "or tracked links"
        has_links = parts is not None and bool(parts.links)
        self.mark_opened.setEnabled(why_not is None)
        self.click_link.setEnabled(why_not is None and has_links)
        # named first: in a narrow dock the buttons show their icons only
        self.mark_opened.setToolTip("Mark opened: " + (
            why_not or "load the open pixel through the engine's socket, as a mail "
                       "program showing images would"))
        self.click_link.setToolTip("Click link: " + (why_not or (
            "click one of the email's tracked links through the engine's socket"
            if has_links else "this email has no tracked links")))

    def show_answer(self, text: str, ok: bool) -> None:
        self.answer.setText(text)
        self.answer.setProperty("ok", ok)
        self.answer.style().unpolish(self.answer)
        self.answer.style().polish(self.answer)
        self.answer.show()

    def _phone_width(self, on: bool) -> None:
        self.preview.setMaximumWidth(PHONE_WIDTH if on else 16777215)

    def _hovered(self, url: str) -> None:
        """Where a link goes, as a mail program shows it on hover."""
        self.preview.setToolTip(url)

    def _clicked_in_preview(self, url: str) -> None:
        self.show_answer(f"Links do not open in the preview ({_short(url)}). Use Click "
                         "link to click one as the recipient would.", True)


def _headers_tree() -> QTreeWidget:
    tree = QTreeWidget()
    tree.setObjectName("emailHeaders")
    tree.setHeaderLabels(["Header", "Value"])
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    tree.setWordWrap(True)
    return tree


def _framed(preview: EmailPreview) -> QWidget:
    """The preview centred, so Phone width narrows it the way a phone would."""
    holder = QWidget()
    holder.setObjectName("previewHolder")
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    row.addStretch(0)
    row.addWidget(preview, 1)
    row.addStretch(0)
    return holder


def _short(url: str, limit: int = 70) -> str:
    return url if len(url) <= limit else url[:limit - 1] + "…"
