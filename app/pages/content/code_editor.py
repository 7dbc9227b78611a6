"""A template editor: line numbers, HTML/Jinja colours, and each problem on its line.

Problems (`TemplateProblem`s from the engine's template check) are drawn where they
are: a wavy underline under the name or token they are about (red for errors, amber for
warnings), or the whole line tinted when no column is known, and a dot in the gutter;
hovering shows the message.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QPainter,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QToolTip, QWidget

from app import theme
from engine.delivery.errors import TemplateProblem

from .highlighter import TemplateHighlighter

GUTTER_PADDING = 14


class CodeEditor(QPlainTextEdit):
    """`edited` fires on every change the person makes (not on `set_source`)."""

    edited = Signal()

    def __init__(self, html: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeEditor")
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 2)
        self.highlighter = TemplateHighlighter(self.document(), html=html)
        self.problems: list[TemplateProblem] = []
        self.gutter = _Gutter(self)
        self._loading = False
        self.blockCountChanged.connect(self._fit_gutter)
        self.updateRequest.connect(self._scroll_gutter)
        self.textChanged.connect(self._changed)
        self._fit_gutter()

    # --- text -------------------------------------------------------------------------

    def source(self) -> str:
        return self.toPlainText()

    def set_source(self, text: str) -> None:
        self._loading = True
        try:
            self.setPlainText(text)
        finally:
            self._loading = False

    def insert(self, text: str) -> None:
        """Type `text` at the cursor, as one undo step."""
        self.textCursor().insertText(text)
        self.setFocus()

    def go_to(self, line: int, column: int | None = None) -> None:
        block = self.document().findBlockByNumber(max(0, line - 1))
        cursor = QTextCursor(block)
        if column:
            cursor.movePosition(QTextCursor.MoveOperation.Right,
                                n=min(column - 1, max(0, block.length() - 1)))
        self.setTextCursor(cursor)
        self.centerCursor()
        self.setFocus()

    def _changed(self) -> None:
        if not self._loading:
            self.edited.emit()

    # --- problems ---------------------------------------------------------------------

    def set_problems(self, problems: list[TemplateProblem]) -> None:
        self.problems = [p for p in problems if p.line is not None]
        current = theme.current()
        marks = [self._mark(p, QColor(current.warning if p.warning else current.error))
                 for p in self.problems]
        self.setExtraSelections([m for m in marks if m is not None])
        self.gutter.update()

    def _mark(self, problem: TemplateProblem, color: QColor) -> QTextEdit.ExtraSelection | None:
        block = self.document().findBlockByNumber(problem.line - 1)
        if not block.isValid():
            return None
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(block)
        form = QTextCharFormat()
        if problem.column:
            cursor.setPosition(block.position() + min(problem.column - 1, block.length() - 1))
            cursor.setPosition(min(cursor.position() + max(problem.length, 1),
                                   block.position() + block.length() - 1),
                               QTextCursor.MoveMode.KeepAnchor)
            form.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            form.setUnderlineColor(color)
        else:
            tint = QColor(color)
            tint.setAlpha(40)
            form.setBackground(tint)
            form.setProperty(QTextFormat.Property.FullWidthSelection, True)
        form.setToolTip(problem.message)
        selection.cursor, selection.format = cursor, form
        return selection

    def problems_on(self, line: int) -> list[TemplateProblem]:
        return [p for p in self.problems if p.line == line]

    def event(self, event) -> bool:
        if event.type() == event.Type.ToolTip:
            line = self.cursorForPosition(event.pos()).blockNumber() + 1
            messages = [p.message for p in self.problems_on(line)]
            if messages:
                QToolTip.showText(event.globalPos(), "\n".join(messages), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def follow_theme(self) -> None:
        self.highlighter.follow_theme()
        self.set_problems(self.problems)

    # --- the gutter -------------------------------------------------------------------

    def gutter_width(self) -> int:
        digits = len(str(max(1, self.blockCount())))
        return GUTTER_PADDING + self.fontMetrics().horizontalAdvance("9") * max(2, digits) + 8

    def _fit_gutter(self, _count: int = 0) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _scroll_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self.gutter.scroll(0, dy)
        else:
            self.gutter.update(0, rect.y(), self.gutter.width(), rect.height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        area = self.contentsRect()
        self.gutter.setGeometry(QRect(area.left(), area.top(), self.gutter_width(),
                                      area.height()))

    def paint_gutter(self, painter: QPainter) -> None:
        current = theme.current()
        painter.fillRect(self.gutter.rect(), current.color("panel_alt"))
        marked = {p.line: p for p in sorted(self.problems, key=lambda p: p.warning,
                                            reverse=True)}
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        while block.isValid() and top <= self.gutter.height():
            number = block.blockNumber() + 1
            if block.isVisible():
                self._paint_number(painter, number, top, height, marked.get(number), current)
            top += round(self.blockBoundingRect(block).height())
            block = block.next()

    def _paint_number(self, painter: QPainter, number: int, top: int, height: int,
                      problem: TemplateProblem | None, current: theme.Theme) -> None:
        if problem is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(current.warning if problem.warning else current.error))
            painter.drawEllipse(4, top + height // 2 - 3, 7, 7)
        painter.setPen(current.color("text" if problem else "muted"))
        painter.drawText(QRect(0, top, self.gutter.width() - 6, height),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                         str(number))


class _Gutter(QWidget):
    def __init__(self, editor: CodeEditor) -> None:
        super().__init__(editor)
        self.editor = editor
        self.setObjectName("codeGutter")

    def sizeHint(self) -> QSize:
        return QSize(self.editor.gutter_width(), 0)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        self.editor.paint_gutter(painter)
        painter.end()

    def event(self, event) -> bool:
        if event.type() == event.Type.ToolTip:
            cursor = self.editor.cursorForPosition(event.pos())
            messages = [p.message for p in self.editor.problems_on(cursor.blockNumber() + 1)]
            if messages:
                QToolTip.showText(event.globalPos(), "\n".join(messages), self)
                return True
        return super().event(event)
