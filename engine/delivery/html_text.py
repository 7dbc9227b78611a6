"""A readable plain-text version of an HTML email, for its text/plain part.

A small scanner rather than `html.parser`: email HTML is tags and text, and the stdlib
parser's generality cost a fifth of rendering each email. Script, style, head and title
are skipped to their closing tag, whatever they hold; comments and doctypes vanish;
character references are decoded as the HTML standard says (`html.unescape`).
"""

from __future__ import annotations

import re
from html import unescape

_BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "ul",
                     "ol", "blockquote", "section", "article", "header", "footer", "hr"})
_HIDDEN = {tag: re.compile(rf"</{tag}\s*>", re.IGNORECASE)
           for tag in ("script", "style", "head", "title")}
_TOKEN = re.compile(r"""
      <!--.*?(?:-->|\Z)                                   # a comment
    | <[!?][^>]*>?                                        # doctype, processing instruction
    | <(/?)([a-zA-Z][^\s/>]*)((?:[^>"']|"[^"]*"|'[^']*')*)>?  # a tag; quotes may hold >
    | ([^<]+|<)                                           # text (a lone < is text)
""", re.DOTALL | re.VERBOSE)
_HREF = re.compile(r"""(?:^|\s)href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""",
                   re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def html_to_text(html: str) -> str:
    """Paragraphs on their own lines, list items with dashes, links as "text (url)"."""
    chunks: list[str] = []
    href: str | None = None
    anchor: list[str] = []
    position, end = 0, len(html)
    while position < end:
        token = _TOKEN.match(html, position)
        position = token.end()
        closing, tag, attributes, text = token.groups()
        if text is not None:
            text = _SPACE.sub(" ", unescape(text))
            chunks.append(text)
            if href is not None:
                anchor.append(text)
            continue
        if tag is None:
            continue  # a comment or a doctype
        tag = tag.lower()
        if tag in _HIDDEN:
            if not closing:
                found = _HIDDEN[tag].search(html, position)
                position = found.end() if found else end
        elif tag == "br":
            chunks.append("\n")
        elif tag in _BLOCKS:
            chunks.append("\n\n")
        elif tag == "li" and not closing:
            chunks.append("\n- ")
        elif tag == "a" and not closing:
            href, anchor = _href(attributes), []
        elif tag == "a" and href is not None:
            words = " ".join("".join(anchor).split())
            if href.startswith(("http://", "https://")) and href != words:
                chunks.append(f" ({href})")
            href = None
    lines = [line.strip() for line in "".join(chunks).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def _href(attributes: str) -> str | None:
    found = _HREF.search(attributes)
    if found is None:
        return None
    return unescape(next(value for value in found.groups() if value is not None))
