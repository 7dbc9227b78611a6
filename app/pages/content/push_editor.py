"""The push editor: title, body, deep link and picture, and the notification as a phone
shows it for the chosen contact."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.dialogs.fire_fields import mark_invalid
from app.docks.message_cards import PushCard
from app.docks.message_parts import PushParts
from app.properties.tile_forms import set_text
from engine.delivery.errors import TemplateProblem
from engine.model import Content

from .code_editor import CodeEditor
from .data import PreviewResult
from .editor_base import ContentEditor, mark_line_edit


class PushEditor(ContentEditor):
    channel = "push"
    main_field = "body"

    def build(self) -> None:
        self.title = QLineEdit()
        self.title.setObjectName("pushTitleEdit")
        self.title.setPlaceholderText("Bold, on one line")
        self.body_edit = CodeEditor(html=False)
        self.body_edit.setObjectName("pushBodyEdit")
        self.body_edit.setLineWrapMode(CodeEditor.LineWrapMode.WidgetWidth)
        self.body_edit.setMaximumHeight(140)
        self.link = QLineEdit()
        self.link.setObjectName("pushLink")
        self.link.setPlaceholderText("https://shop.example/cart or myapp://cart")
        self.image = QLineEdit()
        self.image.setObjectName("pushImageUrl")
        self.image.setPlaceholderText("https://… (optional)")
        for line in (self.title, self.link, self.image):
            line.textEdited.connect(lambda _t: self.touch())
        self.image.textEdited.connect(lambda _t: self._check_image())
        self.body_edit.edited.connect(self.touch)
        self.meta.addRow("Title", self.title)
        self.meta.addRow("Body", self.body_edit)
        self.meta.addRow("Deep link", self.link)
        self.meta.addRow("Image URL", self.image)
        self.watch_target(self.body_edit, self.title)

    def body(self) -> QWidget:
        self.card = PushCard()
        return self.beside_preview([self.tools(), self.meta, (QWidget(), 1)],
                                   _lock_screen(self.card))

    def fill(self, content: Content) -> None:
        for line, text in ((self.title, content.title), (self.link, content.url),
                           (self.image, content.image_url)):
            set_text(line, text or "")
        self.body_edit.set_source(content.body)
        self._check_image()

    def fields(self) -> dict[str, Any]:
        return {"title": self.title.text(), "body": self.body_edit.source(),
                "url": self.link.text().strip() or None,
                "image_url": self.image.text().strip() or None}

    def _check_image(self) -> None:
        url = self.image.text().strip()
        wrong = bool(url) and urlsplit(url).scheme != "https"
        mark_invalid(self.image, wrong)
        self.image.setToolTip("Phones load notification pictures over https only"
                              if wrong else "")

    def mark(self, problems: list[TemplateProblem]) -> None:
        self.body_edit.set_problems([p for p in problems if p.field == "body"])
        mark_line_edit(self.title, [p for p in problems if p.field == "title"])

    def show_preview(self, result: PreviewResult) -> None:
        if result.message is not None:
            message = result.message
            contact = self.context.contact()
            self.card.show_push(PushParts(contact.id if contact else "", message.title,
                                          message.body, message.url, message.image))

    def go_to(self, field: str, line: int | None, column: int | None) -> None:
        if field == "title":
            self.title.setFocus()
        else:
            self.body_edit.go_to(line or 1, column)


def _lock_screen(card: PushCard) -> QWidget:
    """The notification on a phone's lock screen, under the time."""
    phone = QFrame()
    phone.setObjectName("lockScreen")
    phone.setFixedWidth(380)
    clock = QLabel("9:41")
    clock.setObjectName("lockClock")
    date = QLabel("Tuesday 14 October")
    date.setObjectName("lockDate")
    inner = QVBoxLayout(phone)
    inner.setContentsMargins(0, 26, 0, 18)
    inner.setSpacing(0)
    for label in (clock, date):
        label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        inner.addWidget(label)
    inner.addWidget(card)
    inner.addStretch(1)
    outer = QWidget()
    row = QHBoxLayout(outer)
    row.setContentsMargins(16, 20, 16, 16)
    row.addStretch(1)
    row.addWidget(phone, 0, Qt.AlignmentFlag.AlignTop)
    row.addStretch(1)
    return outer
