"""Colours for HTML and Jinja in the content editors.

A QSyntaxHighlighter of our own rather than superqt's CodeSyntaxHighlight (Pygments):
that one lexes each line on its own, so a comment over several lines loses its colour,
and its colours come from Pygments styles, not the studio's light and dark themes. Here
comments (`<!-- -->`, `{# #}`) carry over lines as block states and every colour is a
theme token.
"""

from __future__ import annotations

import re

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from app import theme
from engine.model import TileKind

NORMAL, HTML_COMMENT, JINJA_COMMENT = -1, 1, 2

_TAG = re.compile(r"<(/?)([A-Za-z][\w:-]*)((?:[^>\"']|\"[^\"]*\"?|'[^']*'?)*)(/?>)?")
_ATTRIBUTE = re.compile(r"([\w:-]+)(\s*=\s*)?(\"[^\"]*\"?|'[^']*'?)?")
_ENTITY = re.compile(r"&#?\w+;")
_JINJA = re.compile(r"(\{\{|\{%-?)(.*?)(-?%\}|\}\}|$)")
_JINJA_TOKEN = re.compile(
    r"(?P<string>\"[^\"]*\"?|'[^']*'?)|(?P<number>\b\d+(?:\.\d+)?\b)"
    r"|(?P<filter>\|\s*\w+)|(?P<word>[A-Za-z_]\w*)")
KEYWORDS = frozenset({"if", "elif", "else", "endif", "for", "endfor", "in", "not", "and",
                      "or", "is", "set", "endset", "with", "endwith", "macro", "endmacro",
                      "call", "endcall", "filter", "endfilter", "raw", "endraw", "true",
                      "false", "none", "True", "False", "None", "loop"})
ROOTS = frozenset({"contact", "trigger", "journey", "sender", "unsubscribe_url",
                   "preferences_url"})


def _format(color: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    form = QTextCharFormat()
    form.setForeground(QColor(color))
    if bold:
        form.setFontWeight(QFont.Weight.DemiBold)
    form.setFontItalic(italic)
    return form


def formats(current: theme.Theme) -> dict[str, QTextCharFormat]:
    kinds = current.kinds
    return {"tag": _format(kinds[TileKind.EMAIL]),
            "attribute": _format(kinds[TileKind.ATTRIBUTE_BRANCH]),
            "string": _format(kinds[TileKind.TRIGGER]),
            "entity": _format(kinds[TileKind.SPLIT]),
            "comment": _format(current.muted, italic=True),
            "delimiter": _format(current.accent, bold=True),
            "keyword": _format(kinds[TileKind.WAIT_FOR], bold=True),
            "root": _format(kinds[TileKind.PUSH], bold=True),
            "filter": _format(kinds[TileKind.WAIT]),
            "number": _format(kinds[TileKind.SPLIT])}


class TemplateHighlighter(QSyntaxHighlighter):
    """`html=False` for subjects, plain text and SMS: Jinja only."""

    def __init__(self, document: QTextDocument, html: bool = True) -> None:
        super().__init__(document)
        self.html = html
        self.styles = formats(theme.current())

    def follow_theme(self) -> None:
        self.styles = formats(theme.current())
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        self.setCurrentBlockState(NORMAL)
        start = self._continue_comment(text)
        if self.html:
            self._html(text, start)
        self._jinja(text, start)

    def _continue_comment(self, text: str) -> int:
        """A comment left open on the line before: colour it to its end here."""
        previous = self.previousBlockState()
        if previous not in (HTML_COMMENT, JINJA_COMMENT):
            return 0
        closing = "-->" if previous == HTML_COMMENT else "#}"
        end = text.find(closing)
        if end < 0:
            self.setFormat(0, len(text), self.styles["comment"])
            self.setCurrentBlockState(previous)
            return len(text)
        self.setFormat(0, end + len(closing), self.styles["comment"])
        return end + len(closing)

    def _html(self, text: str, start: int) -> None:
        for tag in _TAG.finditer(text, start):
            self.setFormat(tag.start(), len(tag.group(1)) + len(tag.group(2)) + 1,
                           self.styles["tag"])
            if tag.group(4):
                self.setFormat(tag.end() - len(tag.group(4)), len(tag.group(4)),
                               self.styles["tag"])
            self._attributes(tag.group(3), tag.start(3))
        for entity in _ENTITY.finditer(text, start):
            self.setFormat(entity.start(), len(entity.group()), self.styles["entity"])
        self._comments(text, start, "<!--", "-->", HTML_COMMENT)

    def _attributes(self, text: str, offset: int) -> None:
        for attribute in _ATTRIBUTE.finditer(text):
            self.setFormat(offset + attribute.start(1), len(attribute.group(1)),
                           self.styles["attribute"])
            if attribute.group(3):
                self.setFormat(offset + attribute.start(3), len(attribute.group(3)),
                               self.styles["string"])

    def _jinja(self, text: str, start: int) -> None:
        for block in _JINJA.finditer(text, start):
            if not block.group(1):
                continue
            self.setFormat(block.start(1), len(block.group(1)), self.styles["delimiter"])
            self.setFormat(block.start(3), len(block.group(3)), self.styles["delimiter"])
            for token in _JINJA_TOKEN.finditer(block.group(2)):
                self._token(token, block.start(2))
        self._comments(text, start, "{#", "#}", JINJA_COMMENT)

    def _token(self, token: re.Match, offset: int) -> None:
        kind = token.lastgroup
        if kind == "word":
            word = token.group()
            kind = "keyword" if word in KEYWORDS else "root" if word in ROOTS else None
        if kind is not None:
            self.setFormat(offset + token.start(), len(token.group()), self.styles[kind])

    def _comments(self, text: str, start: int, opening: str, closing: str,
                  state: int) -> None:
        at = text.find(opening, start)
        while at >= 0:
            end = text.find(closing, at + len(opening))
            if end < 0:
                self.setFormat(at, len(text) - at, self.styles["comment"])
                self.setCurrentBlockState(state)
                return
            self.setFormat(at, end + len(closing) - at, self.styles["comment"])
            at = text.find(opening, end + len(closing))
