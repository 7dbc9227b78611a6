"""Syntax highlighting for the snippet viewer: one small tokenizer, a grammar per
language family (C-like, Python, shell), colours from the theme.

A line is read left to right so that `//` inside "http://…" stays part of the string;
strings that may span lines (shell's '…', Python's triple quotes, JavaScript's `…`)
carry over to the next line as the block's state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from app import theme
from engine.model import TileKind

NUMBER = re.compile(r"\d+(\.\d+)?([eE][+-]?\d+)?")
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SHELL_VARIABLE = re.compile(r"\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*|\()")



def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


C_LIKE = _words("break case catch class const continue default do else enum false finally for "
                "func function if import in is let new null private public return static "
                "struct throw true try using val var void while")


@dataclass(frozen=True)
class Grammar:
    keywords: frozenset[str]
    comment: str  # a line comment starts with this
    quotes: tuple[str, ...]  # longest first
    spanning: frozenset[str] = frozenset()  # quotes whose strings may span lines
    raw: frozenset[str] = frozenset()  # quotes without backslash escapes
    variables: bool = False  # shell: $NAME, ${NAME}, $(…)


def _grammar(words: str, comment: str = "//", quotes: tuple[str, ...] = ('"', "'"),
             **options: object) -> Grammar:
    return Grammar(_words(words) | C_LIKE, comment, quotes, **options)


GRAMMARS = {
    "javascript": _grammar("async await console fetch then", quotes=('"', "'", "`"),
                           spanning=frozenset("`")),
    "csharp": _grammar("async await namespace object readonly string"),
    "swift": _grammar("as guard self"),
    "kotlin": _grammar("fun private object apply"),
    "python": Grammar(_words("and as def elif else except False for from if import in is "
                             "None not or return True try with"),
                      "#", ('"""', "'''", '"', "'"), frozenset(('"""', "'''"))),
    "curl": Grammar(_words("curl echo if then fi cat"), "#", ("'", '"'),
                    frozenset("'"), frozenset("'"), variables=True),
}


class SnippetHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument, language: str) -> None:
        super().__init__(document)
        self.grammar = GRAMMARS[language]
        self.refresh()

    def refresh(self) -> None:
        """Take the current theme's colours (after a switch between light and dark)."""
        current = theme.current()
        self.formats = {
            "keyword": _format(current.accent, bold=True),
            "string": _format(current.ok),
            "comment": _format(current.muted, italic=True),
            "number": _format(current.warning),
            "variable": _format(current.kinds[TileKind.PUSH]),
        }
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        grammar, start = self.grammar, 0
        self.setCurrentBlockState(-1)
        if self.previousBlockState() >= 0:
            start = self._string(text, 0, grammar.quotes[self.previousBlockState()], 0)
        while 0 <= start < len(text):
            start = self._token(text, start)

    def _token(self, text: str, at: int) -> int:
        """Colour the token at `at`; where the next one starts (-1: the line is done)."""
        grammar = self.grammar
        if text.startswith(grammar.comment, at):
            self.setFormat(at, len(text) - at, self.formats["comment"])
            return -1
        quote = next((q for q in grammar.quotes if text.startswith(q, at)), None)
        if quote is not None:
            return self._string(text, at + len(quote), quote, at)
        if grammar.variables and (found := SHELL_VARIABLE.match(text, at)):
            self.setFormat(at, found.end() - at, self.formats["variable"])
            return found.end()
        for pattern, kind in ((WORD, "keyword"), (NUMBER, "number")):
            found = pattern.match(text, at)
            if found and (kind == "number" or found.group() in grammar.keywords):
                self.setFormat(at, found.end() - at, self.formats[kind])
            if found:
                return found.end()
        return at + 1

    def _string(self, text: str, at: int, quote: str, opened: int) -> int:
        """From `opened` to the closing quote; an open spanning string goes on below."""
        end = closing(text, at, quote, escapes=quote not in self.grammar.raw)
        if end < 0:
            self.setFormat(opened, len(text) - opened, self.formats["string"])
            if quote in self.grammar.spanning:
                self.setCurrentBlockState(self.grammar.quotes.index(quote))
            return -1
        self.setFormat(opened, end - opened, self.formats["string"])
        return end


def closing(text: str, at: int, quote: str, escapes: bool = True) -> int:
    """Where the string that `quote` opened ends (just past its closing quote), or -1."""
    index = at
    while index < len(text):
        if escapes and text[index] == "\\":
            index += 2
            continue
        if text.startswith(quote, index):
            return index + len(quote)
        index += 1
    return -1


def _format(color: str, *, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    result = QTextCharFormat()
    result.setForeground(QColor(color))
    if bold:
        result.setFontWeight(QFont.Weight.DemiBold)
    result.setFontItalic(italic)
    return result
