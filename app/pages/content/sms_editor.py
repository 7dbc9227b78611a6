"""The SMS editor: the text with a live count of characters and messages as the network
counts them (engine.delivery.sms_length), a warning naming the character that forces
UCS-2, and the text as the chosen contact gets it, on a phone."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QLabel, QWidget

from app.docks.message_cards import SmsCard
from app.docks.message_parts import SmsParts
from app.elided_label import ElidedLabel
from engine.delivery.errors import TemplateProblem
from engine.delivery.sms_length import sms_length
from engine.model import Content

from .code_editor import CodeEditor
from .data import PreviewResult
from .editor_base import ContentEditor


class SmsEditor(ContentEditor):
    channel = "sms"
    main_field = "text"

    def build(self) -> None:
        self.text = CodeEditor(html=False)
        self.text.setObjectName("smsText")
        self.text.setLineWrapMode(CodeEditor.LineWrapMode.WidgetWidth)
        self.text.edited.connect(self._typed)
        self.counter = _Counter()
        self.counter.setObjectName("smsCounter")
        self.encoding_warning = QLabel()
        self.encoding_warning.setObjectName("smsWarning")
        self.encoding_warning.setWordWrap(True)
        self.encoding_warning.hide()
        self.watch_target(self.text)

    def body(self) -> QWidget:
        self.phone = SmsCard()
        return self.beside_preview([self.meta, self.tools(right=self.counter), (self.text, 1),
                                    self.encoding_warning], self.phone)

    def fill(self, content: Content) -> None:
        self.text.set_source(content.text)
        self._count()

    def fields(self) -> dict[str, Any]:
        return {"text": self.text.source()}

    def _typed(self) -> None:
        self._count()  # at once, on every key: it is a few microseconds
        self.touch()

    def _count(self) -> None:
        source = self.text.source()
        length = sms_length(source)
        # With personalisation the text as written is not what is sent: said so, beside a
        # preview that counts the message as sent ("90 characters" here, "45" there).
        written = "As written: " if "{{" in source or "{%" in source else ""
        self.counter.setText(f"{written}{length.describe()} · {length.left} left")
        self.counter.setToolTip(self.counter.text() + (
            "\nCounted as written; the preview counts the message as the person chosen "
            "there gets it" if written else ""))
        self.encoding_warning.setText(length.warning())
        self.encoding_warning.setVisible(bool(length.forcing))

    def mark(self, problems: list[TemplateProblem]) -> None:
        self.text.set_problems([p for p in problems if p.field == "text"])

    def show_preview(self, result: PreviewResult) -> None:
        if result.message is not None:
            contact = self.context.contact()
            self.phone.show_sms(SmsParts(contact.phone or contact.id if contact else "",
                                         result.message.text))

    def go_to(self, _field: str, line: int | None, column: int | None) -> None:
        self.text.go_to(line or 1, column)


class _Counter(ElidedLabel):
    """As wide as a long message's count from the start (its length changing as one typed
    widened the editor, and the list beside it gave up the room), measured in the type it
    is drawn in: the style sheet's bold, known once polished (measured when made, in the
    plain type, "… · 52 left" was cut in a 1440 px window)."""

    LONGEST = "As written: 1,530 characters · 10 messages (UCS-2) · 670 left"

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        margins = self.contentsMargins()
        wide = self.fontMetrics().horizontalAdvance(self.LONGEST) + 4 + margins.left() \
            + margins.right() + 2 * self.margin()
        return QSize(max(hint.width(), wide), hint.height())
