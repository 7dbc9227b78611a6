"""The QWebEngineView behind the email preview, locked down (imported only where
QtWebEngine loads: see `web_engine.py`)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QColor
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineSettings,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
)
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QMenu, QWidget

from .email_preview import LOCAL_SCHEMES

Attribute = QWebEngineSettings.WebAttribute
SETTINGS = {  # nothing runs, nothing is fetched, nothing is kept
    Attribute.JavascriptEnabled: False, Attribute.JavascriptCanOpenWindows: False,
    Attribute.LocalStorageEnabled: False, Attribute.PluginsEnabled: False,
    Attribute.AutoLoadIconsForPage: False, Attribute.DnsPrefetchEnabled: False,
    Attribute.HyperlinkAuditingEnabled: False, Attribute.WebGLEnabled: False,
    Attribute.PdfViewerEnabled: False, Attribute.LocalContentCanAccessRemoteUrls: False,
    Attribute.LocalContentCanAccessFileUrls: False, Attribute.NavigateOnDropEnabled: False,
    Attribute.ErrorPageEnabled: False, Attribute.ScreenCaptureEnabled: False,
}


class BlockRemote(QWebEngineUrlRequestInterceptor):
    """Refuses every request that is not the previewed document itself."""

    blocked = Signal(str)

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        url = info.requestUrl()
        if url.scheme() not in LOCAL_SCHEMES:
            info.block(True)
            self.blocked.emit(url.toString())


class PreviewPage(QWebEnginePage):
    """Shows what it is given and navigates nowhere: a clicked link is reported."""

    link_clicked = Signal(str)

    def acceptNavigationRequest(self, url: QUrl, kind, _main_frame: bool) -> bool:
        if url.scheme() in LOCAL_SCHEMES:
            return True
        if kind == QWebEnginePage.NavigationType.NavigationTypeLinkClicked:
            self.link_clicked.emit(url.toString())
        return False  # a frame's page, a meta refresh, a form: nothing loads

    def javaScriptConsoleMessage(self, *_message) -> None:
        """Chromium reports each resource the content policy refused here; the preview
        says what it blocked itself, so these stay out of the terminal."""

    def createWindow(self, _kind):  # target="_blank": no new window, nothing loads
        return None


def private_profile(parent: QObject) -> QWebEngineProfile:
    """Off the record (no storage name): no cache, cookies or history on disk."""
    profile = QWebEngineProfile(parent)
    profile.setHttpCacheType(QWebEngineProfile.HttpCacheType.MemoryHttpCache)
    profile.setPersistentCookiesPolicy(
        QWebEngineProfile.PersistentCookiesPolicy.NoPersistentCookies)
    return profile


class SafeWebView(QWebEngineView):
    link_clicked = Signal(str)
    blocked = Signal(str)
    crashed = Signal(str)

    def __init__(self, profile: QWebEngineProfile, parent: QWidget | None = None) -> None:
        """`profile` must outlive the view's page (Qt warns otherwise): give it a parent
        that is deleted after the view."""
        super().__init__(parent)
        self.setObjectName("emailWebView")
        self.profile = profile
        self.guard = BlockRemote(self.profile)
        self.guard.blocked.connect(self.blocked)
        self.profile.setUrlRequestInterceptor(self.guard)
        settings = self.profile.settings()
        for attribute, on in SETTINGS.items():
            settings.setAttribute(attribute, on)
        page = PreviewPage(self.profile, self)
        page.setBackgroundColor(QColor("#ffffff"))  # as mail programs show email
        page.link_clicked.connect(self.link_clicked)
        page.renderProcessTerminated.connect(
            lambda status, code: self.crashed.emit(f"{status.name}, exit code {code}"))
        self.setPage(page)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.DefaultContextMenu)

    def contextMenuEvent(self, event) -> None:
        """Copy and Select all only: no Back, Reload, Save page or View source."""
        menu = QMenu(self)
        menu.addAction(self.pageAction(QWebEnginePage.WebAction.Copy))
        menu.addAction(self.pageAction(QWebEnginePage.WebAction.SelectAll))
        menu.exec(event.globalPos())
