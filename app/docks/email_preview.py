"""An email's HTML as its recipient sees it, rendered by Chromium (QtWebEngine), that
never fetches anything.

Nothing in a preview may reach the network: the open pixel would tell the engine the
email was opened, remote images would tell their hosts someone looked. So the page runs
in an off-the-record profile with JavaScript off and a request interceptor that blocks
every request that is not the page itself; a Content-Security-Policy says the same to
Chromium; and clicking a link navigates nowhere (the link is reported instead). Where
QtWebEngine cannot run, a QTextBrowser that loads nothing shows the email, with a note.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QImage, QTextDocument
from PySide6.QtWidgets import QLabel, QStackedWidget, QTextBrowser, QVBoxLayout, QWidget

from .remote_content import with_content_policy
from .web_engine import web_engine_problem

LOCAL_SCHEMES = frozenset({"data", "about"})  # the preview's own document, nothing else
MAX_HTML_BYTES = 2_000_000  # what QWebEnginePage.setHtml takes (a data: URL)


class EmailPreview(QWidget):
    """`show_html` renders one email; `loaded` says when it has."""

    loaded = Signal(bool)
    link_clicked = Signal(str)  # a link the person clicked in the preview (not followed)
    link_hovered = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emailPreview")
        self.note = QLabel()
        self.note.setObjectName("previewNote")
        self.note.setWordWrap(True)
        self.note.hide()
        self.stack = QStackedWidget()
        self.web = None  # made when the first email is shown: Chromium costs memory
        self.fallback: _SafeTextBrowser | None = None
        self.blocked_requests: list[str] = []  # what the interceptor refused
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.note)
        layout.addWidget(self.stack, 1)

    @property
    def uses_web_engine(self) -> bool:
        return self.web is not None and self.stack.currentWidget() is self.web

    def show_html(self, html: str) -> None:
        self.blocked_requests.clear()
        problem = web_engine_problem()
        size = len(html.encode("utf-8"))
        if problem is None and size > MAX_HTML_BYTES:
            problem = f"this email's HTML is {size / 1e6:.1f} MB, more than the web view " \
                      "takes"
        if problem is None and self._web() is not None:
            self._show_note(None)
            self.stack.setCurrentWidget(self.web)
            self.web.page().setHtml(with_content_policy(html), QUrl("about:blank"))
            return
        self._show_note(f"{problem or 'QtWebEngine stopped'}: a simplified rendering "
                        "(QTextBrowser), which may differ from what mail programs show.")
        browser = self._fallback()
        self.stack.setCurrentWidget(browser)
        browser.setHtml(html)
        self.loaded.emit(True)

    def page_text(self, callback) -> None:
        """The rendered page's text, handed to `callback` (asynchronously from Chromium)."""
        if self.uses_web_engine:
            self.web.page().toPlainText(callback)
        else:
            callback(self._fallback().toPlainText())

    def _show_note(self, text: str | None) -> None:
        self.note.setText(text or "")
        self.note.setVisible(bool(text))

    def _web(self):
        if self.web is None and web_engine_problem() is None:
            from .web_view import SafeWebView, private_profile

            self.profile = private_profile(self)  # a child after the stack: outlives the page
            self.web = SafeWebView(self.profile)
            self.web.page().loadFinished.connect(self.loaded)
            self.web.link_clicked.connect(self.link_clicked)
            self.web.page().linkHovered.connect(self.link_hovered)
            self.web.blocked.connect(self.blocked_requests.append)
            self.web.crashed.connect(self._crashed)
            self.stack.addWidget(self.web)
        return self.web

    def _crashed(self, why: str) -> None:
        self._show_note(f"The web view stopped ({why}); the next email shown starts it "
                        "again.")

    def _fallback(self) -> _SafeTextBrowser:
        if self.fallback is None:
            self.fallback = _SafeTextBrowser()
            self.fallback.anchorClicked.connect(lambda url: self.link_clicked.emit(
                url.toString()))
            self.stack.addWidget(self.fallback)
        return self.fallback


class _SafeTextBrowser(QTextBrowser):
    """Loads no resource at all (images show as their alt text) and follows no link."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("emailFallback")
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        palette = self.palette()
        palette.setColor(palette.ColorRole.Base, QColor("#ffffff"))  # as a mail program
        palette.setColor(palette.ColorRole.Text, QColor("#1c2430"))
        self.setPalette(palette)

    def loadResource(self, kind: int, _url: QUrl):
        """Nothing is loaded: an image is a blank pixel, anything else empty (None, or an
        empty image, would send Qt looking on the disk)."""
        if kind == QTextDocument.ResourceType.ImageResource.value:
            blank = QImage(1, 1, QImage.Format.Format_ARGB32)
            blank.fill(Qt.GlobalColor.transparent)
            return blank
        return QByteArray()
