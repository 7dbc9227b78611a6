"""The email editor: subject, preheader, sender profile, the HTML body and its plain-text
part beside a live preview rendered by delivery's own renderer (QtWebEngine, fetching
nothing: the Outbox dock's `EmailPreview`)."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QLineEdit,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.docks.email_preview import EmailPreview
from app.icons import icon
from app.properties.fields import ValueCombo
from app.properties.tile_forms import set_text
from engine.delivery.compliance import STANDARD_FOOTER_HTML, STANDARD_FOOTER_TEXT
from engine.delivery.errors import TemplateProblem
from engine.delivery.html_text import html_to_text
from engine.delivery.settings import DeliverySettings
from engine.delivery.tracking import preheader_of
from engine.model import Content

from .code_editor import CodeEditor
from .data import PreviewResult
from .editor_base import ContentEditor, mark_line_edit


class EmailEditor(ContentEditor):
    channel = "email"
    main_field = "html"

    def build(self) -> None:
        self.subject = QLineEdit()
        self.subject.setObjectName("emailSubject")
        self.subject.setPlaceholderText("What the inbox shows first")
        self.preheader = QLineEdit()
        self.preheader.setObjectName("emailPreheader")
        self.preheader.setPlaceholderText("The line after the subject in the inbox "
                                          "(optional)")
        self.sender = ValueCombo()
        self.sender.setObjectName("emailSender")
        for line in (self.subject, self.preheader):
            line.textEdited.connect(lambda _t: self.touch())
        self.sender.value_chosen.connect(lambda _v: self.touch())
        self.html = CodeEditor(html=True)
        self.html.setObjectName("htmlEditor")
        self.text = CodeEditor(html=False)
        self.text.setObjectName("textEditor")
        self.own_text = QCheckBox("Write the plain text myself (otherwise it is made from "
                                  "the HTML)")
        self.own_text.toggled.connect(self._own_text)
        for editor in (self.html, self.text):
            editor.edited.connect(self.touch)
        self.footer = QToolButton()
        self.footer.setObjectName("insertFooter")
        self.footer.setText("Insert footer")
        self.footer.setIcon(icon("shield"))
        self.footer.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.footer.setToolTip("The unsubscribe and preferences links and the sender's "
                               "postal address, which commercial email must carry")
        self.footer.clicked.connect(self.insert_footer)
        self.meta.addRow("Sender", self.sender)
        self.meta.addRow("Subject", self.subject)
        self.meta.addRow("Preheader", self.preheader)
        self.watch_target(self.html, self.subject, self.preheader, self.text)

    def body(self) -> QWidget:
        self.tabs = QTabWidget()
        self.tabs.setObjectName("emailSourceTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.html, "HTML")
        plain = QWidget()
        box = QVBoxLayout(plain)
        box.setContentsMargins(0, 6, 0, 0)
        box.addWidget(self.own_text)
        box.addWidget(self.text, 1)
        self.tabs.addTab(plain, "Plain text")
        return self.beside_preview([self.meta, self.tools(self.footer), (self.tabs, 1)],
                                   self._preview())

    def _preview(self) -> QWidget:
        """The subject and preheader as the inbox shows them, above the email."""
        pane = QWidget()
        self.shown_subject = _plain_label("previewSubject")
        self.shown_preheader = _plain_label("previewPreheader")
        self.failure = QLabel()
        self.failure.setObjectName("renderFailure")
        self.failure.setWordWrap(True)
        self.failure.hide()
        self.preview = EmailPreview()
        self.loading = False  # Chromium has not yet shown the newest rendering
        self.preview.loaded.connect(lambda _ok: setattr(self, "loading", False))
        layout = QVBoxLayout(pane)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        for widget in (self.shown_subject, self.shown_preheader, self.failure):
            layout.addWidget(widget)
        layout.addWidget(self.preview, 1)
        return pane

    # --- fields ---------------------------------------------------------------------

    def fill(self, content: Content) -> None:
        self.show_senders(self.library.settings(), content.sender)
        set_text(self.subject, content.subject)
        set_text(self.preheader, content.preheader or "")
        self.html.set_source(content.html)
        self.own_text.blockSignals(True)
        self.own_text.setChecked(bool(content.text.strip()))
        self.own_text.blockSignals(False)
        self.text.set_source(content.text)
        self.text.setReadOnly(not content.text.strip())

    def show_senders(self, settings: DeliverySettings, chosen: str | None) -> None:
        senders = [(f"{s.name} · {s.from_address}", s.name) for s in settings.senders]
        self.sender.set_choices([("The default sender", None), *senders])
        self.sender.set_value(chosen, missing_label=f"{chosen} (missing)")

    def refresh_settings(self, settings: DeliverySettings) -> None:
        self.show_senders(settings, self.sender.value())

    def fields(self) -> dict[str, Any]:
        return {"subject": self.subject.text(), "preheader": self.preheader.text() or None,
                "html": self.html.source(), "sender": self.sender.value(),
                "text": self.text.source() if self.own_text.isChecked() else ""}

    def _own_text(self, own: bool) -> None:
        """Writing the text part starts from what the HTML makes, placeholders and all."""
        self.text.setReadOnly(not own)
        if own:
            self.text.set_source(html_to_text(self.html.source()))
            self.text.setFocus()
        self.touch()

    def insert_footer(self) -> None:
        """The standard footer at the end of the body (before </body>) and of the text."""
        source = self.html.source()
        if STANDARD_FOOTER_HTML in source:
            self.html.go_to(source[:source.index(STANDARD_FOOTER_HTML)].count("\n") + 1)
            return  # it is there already: show it rather than add a second one
        at = source.lower().rfind("</body>")
        at = len(source.rstrip()) if at < 0 else at
        self.html.set_source(source[:at].rstrip() + "\n" + STANDARD_FOOTER_HTML + "\n"
                             + source[at:].lstrip("\n"))
        if self.own_text.isChecked():
            self.text.set_source(self.text.source().rstrip() + "\n\n" + STANDARD_FOOTER_TEXT)
        self.touch()

    # --- problems and the preview ---------------------------------------------------

    def mark(self, problems: list[TemplateProblem]) -> None:
        self.html.set_problems([p for p in problems if p.field == "html"])
        self.text.set_problems([p for p in problems if p.field == "text"])
        mark_line_edit(self.subject, [p for p in problems if p.field == "subject"])
        mark_line_edit(self.preheader, [p for p in problems if p.field == "preheader"])

    def show_preview(self, result: PreviewResult) -> None:
        message = result.message
        self.failure.setVisible(message is None)
        if message is None:
            self.failure.setText("The preview waits for the template to work: "
                                 + (result.failure.reason if result.failure else
                                    "fix the errors listed below"))
            return
        self.shown_subject.setText(message.subject or "(no subject)")
        preheader = preheader_of(message.html)
        self.shown_preheader.setText(preheader)
        self.shown_preheader.setVisible(bool(preheader))
        self.loading = True
        self.preview.show_html(message.html or f"<pre>{escape(message.text)}</pre>")
        if not self.own_text.isChecked():
            self.text.set_source(message.text)

    def go_to(self, field: str, line: int | None, column: int | None) -> None:
        if field in ("html", "text"):
            self.tabs.setCurrentIndex(0 if field == "html" else 1)
            (self.html if field == "html" else self.text).go_to(line or 1, column)
        else:
            line_edit = self.subject if field == "subject" else self.preheader
            line_edit.setFocus()
            if column:
                line_edit.setCursorPosition(column - 1)



def _plain_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label
