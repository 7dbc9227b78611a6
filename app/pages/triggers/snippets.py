"""The snippet viewer: for a custom trigger, the code that sends one of its events, in
every language the engine generates (`waymark snippet --list`), each in a tab with
syntax highlighting and a Copy button, with the engine's address and the key to use. For
a record trigger, the code that tells the engine of a record as it is now; for a trigger
a contact's save raises (Contact created...), the code that saves a contact: both in the
languages of the systems that keep records and customers (the phone apps' tabs say why
they have none)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.icons import icon
from app.pages.keys import IngestionKeys
from app.pages.triggers.data import DEFAULT_URL, TriggerCatalog
from app.pages.triggers.highlight import SnippetHighlighter
from app.pages.triggers.key_chooser import KeyChooser
from app.properties.fields import hint
from engine.model import Catalog, TriggerDefinition, TriggerKind, TriggerState
from engine.snippets import SERVER_LANGUAGES, SnippetError, contact_fires, languages

# A record's or contact's code runs on a server: its JavaScript is for Node, not a page.
RECORD_TITLES = {"javascript": "JavaScript (Node 18+, fetch)"}

STATE_NOTES = {
    TriggerState.DRAFT: "Draft: the engine already takes its events, so the integration can "
                        "be tried now; journeys can be published with it once it is ready.",
    TriggerState.STOPPED: "Stopped: the engine refuses its events until it is made ready "
                          "again.",
}


class SnippetTab(QWidget):
    copy_requested = Signal(str)  # the language's name

    def __init__(self, name: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.code = QPlainTextEdit(readOnly=True)
        self.code.setObjectName("snippetCode")
        self.code.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.code.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.highlighter = SnippetHighlighter(self.code.document(), name)
        self.copy = QPushButton(icon("copy"), "Copy")
        self.copy.setObjectName("copySnippet")
        self.copy.setToolTip(f"Copy the {title} code")
        self.copy.clicked.connect(lambda: self.copy_requested.emit(self.name))
        bar = QHBoxLayout()
        self.title = hint(title)
        bar.addWidget(self.title, 1)
        bar.addWidget(self.copy)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.code, 1)

    def set_code(self, text: str) -> None:
        scroll = self.code.verticalScrollBar().value()
        self.code.setPlainText(text)
        self.code.verticalScrollBar().setValue(scroll)


class SnippetViewer(QWidget):
    status = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog_data: TriggerCatalog | None = None
        self.trigger: TriggerDefinition | None = None
        self.catalog = Catalog.build()
        self.url = QLineEdit(DEFAULT_URL)
        self.url.setObjectName("snippetUrl")
        self.url.setToolTip("Where the engine listens, as the website or app reaches it")
        self.keys = KeyChooser()
        self.note = hint("")
        self.problem = QLabel()
        self.problem.setObjectName("formError")
        self.problem.hide()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("snippetTabs")
        self.tab_of: dict[str, SnippetTab] = {}
        for language in languages():
            tab = SnippetTab(language.name, language.title)
            tab.copy_requested.connect(self.copy)
            self.tab_of[language.name] = tab
            self.tabs.addTab(tab, language.title.split(" (")[0])
        address = QHBoxLayout()
        address.addWidget(QLabel("Engine address"))
        address.addWidget(self.url, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.addWidget(self.note)
        layout.addLayout(address)
        for widget in (self.keys, self.problem, self.tabs):
            layout.addWidget(widget)
        self.url.textEdited.connect(lambda _t: self.render())
        self.keys.key_changed.connect(self.render)
        self.keys.key_created.connect(lambda key_id: self.status.emit(
            f"Made key {key_id}: it is in the snippets; copy it now, it is not shown again"))

    def show_trigger(self, data: TriggerCatalog | None, keys: IngestionKeys | None,
                     trigger: TriggerDefinition | None, catalog: Catalog) -> None:
        self.catalog_data, self.catalog = data, catalog
        if trigger is None or self.trigger is None or trigger.name != self.trigger.name:
            self.keys.set_data(keys, trigger.title if trigger else "")
        self.trigger = trigger
        note = STATE_NOTES.get(trigger.state, "") if trigger else ""
        if trigger is not None and trigger.kind == TriggerKind.BUSINESS:
            note = ("The system that keeps your customers (a sign-up service, a shop's back "
                    "end) runs this code where a contact is made or changes: it saves the "
                    f"whole contact (PUT replaces it). {contact_fires(trigger.name)}")
        if trigger is not None and trigger.kind == TriggerKind.RECORD:
            stopped = ("Stopped: record changes are kept but do not raise it until it is "
                       "made ready again. " if trigger.state == TriggerState.STOPPED else "")
            note = (f"{stopped}The system that keeps these records (a help desk, a shop's "
                    "back end) runs this code where one is made or changes: it sends the "
                    "record as it is now, and the trigger fires when what it watches "
                    "changed.")
        self.note.setText(note)
        self.note.setVisible(bool(self.note.text()))
        self._offer_languages()
        self.render()

    def _for_servers(self) -> bool:
        """Records and contacts: code for the systems that keep them, not phone apps."""
        return self.trigger is not None and self.trigger.kind in (TriggerKind.RECORD,
                                                                  TriggerKind.BUSINESS)

    def _offer_languages(self) -> None:
        """A record or contact trigger's code is for servers: the phone apps' tabs say why
        they have none (a disabled tab said nothing when clicked), and JavaScript's is for
        Node."""
        records = self.trigger is not None and self.trigger.kind == TriggerKind.RECORD
        what, keeper = (("record", "a help desk, a shop's back end") if records
                        else ("contact", "a sign-up service, a shop's back end"))
        for language in languages():
            tab = self.tab_of[language.name]
            offered = not self._for_servers() or language.name in SERVER_LANGUAGES
            tab.copy.setEnabled(offered)
            tab.code.setPlaceholderText("" if offered else (
                f"No {language.title.split(' (')[0]} code for a {what} trigger: {what}s change "
                f"in the system that keeps them ({keeper}), not in an app on a phone, and a "
                f"key in an app could change any {what}. Use the JavaScript (Node), Python, "
                "C# or curl code there."))
            tab.title.setText(RECORD_TITLES.get(language.name, language.title)
                              if self._for_servers() else language.title)

    def forget_key(self) -> None:
        """A key made here leaves the snippets (and the screen) for good."""
        if self.keys.key() is not None:
            self.keys.set_data(self.keys.data, self.keys.integration)
            self.render()

    def set_url(self, url: str) -> None:
        if url and url != self.url.text():
            self.url.setText(url)
            self.render()

    def render(self) -> None:
        if self.trigger is None or self.catalog_data is None:
            return
        try:
            for name, tab in self.tab_of.items():
                if self._for_servers() and name not in SERVER_LANGUAGES:
                    tab.set_code("")
                    continue
                tab.set_code(self.catalog_data.snippet(self.trigger, name, self.url.text(),
                                                       self.keys.key(), self.catalog))
        except SnippetError as error:  # an address that is not one
            self.problem.setText(f"Engine address: {error}")
            self.problem.show()
            return
        self.problem.hide()

    def copy(self, language: str) -> None:
        QGuiApplication.clipboard().setText(self.tab_of[language].code.toPlainText())
        title = self.tabs.tabText(list(self.tab_of).index(language))
        self.status.emit(f"Copied the {title} snippet {self.keys.describe()}")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:  # light ↔ dark: new colours
            for tab in self.tab_of.values():
                tab.highlighter.refresh()
        super().changeEvent(event)
