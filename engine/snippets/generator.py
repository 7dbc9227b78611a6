"""Renders a snippet: the event's fields, the address and the key, through one template.

The templates live in `resources/snippets/` (data, not code); this module only chooses
the template and hands it the escaping functions of its language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2

from engine.model import Catalog, TriggerDefinition, TriggerKind
from engine.resources import resource

from . import literals
from .fields import NOW, Field, SnippetError, event_fields

DEFAULT_URL = "http://127.0.0.1:8765"  # engine/ingestion/server.py DEFAULT_HOST:DEFAULT_PORT
KEY_PLACEHOLDER = "YOUR_INGESTION_KEY"


@dataclass(frozen=True)
class SnippetLanguage:
    name: str
    title: str
    extension: str
    quote: Callable[[str], str]
    comment: Callable[[str], str] = literals.comment_text

    @property
    def template(self) -> str:
        return f"{self.name}.{self.extension}.j2"


LANGUAGES: dict[str, SnippetLanguage] = {language.name: language for language in (
    SnippetLanguage("javascript", "JavaScript (browser fetch)", "js",
                    literals.javascript_string, literals.js_comment_text),
    SnippetLanguage("python", "Python (standard library)", "py", literals.python_string),
    SnippetLanguage("csharp", "C# (HttpClient, System.Text.Json)", "cs",
                    literals.csharp_string),
    SnippetLanguage("curl", "curl (POSIX shell)", "sh", literals.json_in_shell_quotes),
    SnippetLanguage("swift", "Swift (iOS, URLSession)", "swift", literals.swift_string),
    SnippetLanguage("kotlin", "Kotlin (Android, HttpURLConnection)", "kt",
                    literals.kotlin_string),
)}
ALIASES = {"js": "javascript", "py": "python", "c#": "csharp", "cs": "csharp", "sh": "curl",
           "shell": "curl", "kt": "kotlin"}

RAISED_BY_WAYMARK = {
    TriggerKind.RECORD: "a record trigger: Waymark raises it itself when a record changes "
                        "(POST/PATCH /v1/records/{table} or `waymark records`)",
    TriggerKind.BUSINESS: "a business trigger: Waymark raises it itself when a contact or "
                          "lead is created or changes",
    TriggerKind.INTERACTION: "an interaction trigger: Waymark raises it itself when one of "
                             "its messages is sent, delivered, opened, clicked or bounced",
}


def languages() -> list[SnippetLanguage]:
    return list(LANGUAGES.values())


def language(name: str) -> SnippetLanguage:
    found = LANGUAGES.get(ALIASES.get(name.lower(), name.lower()))
    if found is None:
        raise SnippetError(f"no snippets in {name!r}: choose one of {', '.join(LANGUAGES)}")
    return found


def generate_snippet(trigger: TriggerDefinition, language_name: str, *,
                     url: str = DEFAULT_URL, key: str | None = None,
                     catalog: Catalog | None = None,
                     values: Mapping[str, Any] | None = None) -> str:
    """Code that sends one event of a custom trigger to the engine at `url`.

    Without `key` the code holds the placeholder YOUR_INGESTION_KEY. `catalog` resolves
    entity attributes (built-in record tables without it); `values` replaces placeholders
    by attribute name (see `fields.event_fields`).
    """
    if trigger.kind != TriggerKind.CUSTOM:
        raise SnippetError(f"{trigger.name!r} is {RAISED_BY_WAYMARK[trigger.kind]}; "
                           "only custom triggers have snippets")
    chosen = language(language_name)
    fields = event_fields(trigger, catalog or Catalog.build(), values)
    return _template(chosen.template).render(
        trigger=trigger, fields=fields, uses_now=_uses_now(fields),
        url=check_url(url), key=key or KEY_PLACEHOLDER,
        key_is_placeholder=not key, q=chosen.quote, comment=chosen.comment,
        lines=literals.comment_lines, shell=literals.shell_quoted, camel=camel_case,
        pascal=pascal_case)


def _uses_now(fields: tuple[Field, ...]) -> bool:
    """Whether a field (a date-time attribute, nested ones too) is sent as "now": the
    snippet imports or sets what makes it only then (an unused import is a linter's
    complaint in the project it is pasted into)."""
    return any(f.kind == NOW or _uses_now(f.children) for f in fields)


def check_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", url):
        raise SnippetError(f"{url!r} is not an http:// or https:// address of a Waymark engine")
    return url


def camel_case(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


def pascal_case(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


@cache
def _environment() -> jinja2.Environment:
    # Code, not HTML: nothing is escaped for a browser here; every value passes through
    # its language's `q` or `comment` in the templates instead.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(resource("snippets")), autoescape=False,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True)


def _template(name: str) -> jinja2.Template:
    return _environment().get_template(name)
