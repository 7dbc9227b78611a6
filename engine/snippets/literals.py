"""Text made safe for each language: string literals and one-line comments.

Whatever a trigger's title, description or a value holds (quotes, backslashes, newlines,
`*/`, `</script>`, `$`, `\\(`), the generated code means what it says. Comments are
single line (`//` or `#`), so only line breaks — including the ones some languages
count (U+0085, U+2028, U+2029) — and invisible controls are taken out of them.
"""

from __future__ import annotations

import json
import re
import textwrap
import unicodedata

_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def comment_text(text: str) -> str:
    """One line of plain text: line breaks and control characters become spaces."""
    cleaned = "".join(" " if unicodedata.category(c) in _INVISIBLE else c for c in text)
    return " ".join(cleaned.split())


def comment_lines(text: str, width: int = 84) -> list[str]:
    return textwrap.wrap(comment_text(text), width, break_on_hyphens=False) or [""]


_HTML_OPENERS = re.compile(r"<(?=[!/]|script)", re.IGNORECASE)


def js_comment_text(text: str) -> str:
    """Also safe inside an inline <script>: no `</script`, `<!--` or `<script`."""
    return _HTML_OPENERS.sub("<\\\\", comment_text(text))


def _escaped(text: str, escapes: dict[str, str], other) -> str:
    """Each character kept, replaced from `escapes`, or spelled by `other` when unprintable."""
    return "".join(escapes.get(c) or (c if c.isprintable() else other(c)) for c in text)


def _utf16_units(c: str) -> list[int]:
    data = c.encode("utf-16-be", "surrogatepass")
    return [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2)]


_C_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def python_string(text: str) -> str:
    def other(c: str) -> str:
        n = ord(c)
        return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}"
    return '"' + _escaped(text, _C_ESCAPES, other) + '"'


def javascript_string(text: str) -> str:
    """JSON (ASCII only), with <, > and & spelled out so it is safe in an inline <script>."""
    quoted = json.dumps(text, ensure_ascii=True)
    return quoted.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")


def csharp_string(text: str) -> str:
    """A regular C# string literal: JSON's escapes are all C# escapes too."""
    return json.dumps(text, ensure_ascii=True)


def kotlin_string(text: str) -> str:
    """`$` starts a template in Kotlin, so it is escaped; Kotlin has no `\\f`."""
    def other(c: str) -> str:
        return "".join(f"\\u{unit:04X}" for unit in _utf16_units(c))
    return '"' + _escaped(text, {**_C_ESCAPES, "$": "\\$"}, other) + '"'


def swift_string(text: str) -> str:
    """Swift spells code points as \\u{…}; escaping the backslash also disarms `\\(`."""
    return '"' + _escaped(text, {**_C_ESCAPES, "\0": "\\0"}, lambda c: f"\\u{{{ord(c):X}}}") + '"'


def shell_quoted(text: str) -> str:
    """One single-quoted POSIX shell word."""
    return "'" + text.replace("'", "'\\''") + "'"


def json_in_shell_quotes(text: str) -> str:
    """A JSON string for the inside of a single-quoted shell word (the curl body)."""
    return json.dumps(text, ensure_ascii=True).replace("'", "'\\''")
