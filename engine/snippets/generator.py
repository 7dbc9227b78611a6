"""Renders a snippet: the event's fields, the address and the key, through one template.

The templates live in `resources/snippets/` (data, not code); this module only chooses
the template and hands it the escaping functions of its language.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2

from engine.model import (
    CONTACT_MADE,
    CONTACT_TRIGGERS,
    Catalog,
    RecordAction,
    TriggerDefinition,
    TriggerKind,
)
from engine.resources import resource

from . import literals
from .fields import (
    NOW,
    Field,
    SnippetError,
    contact_fields,
    event_fields,
    record_fields,
    table_noun,
)

DEFAULT_URL = "http://127.0.0.1:8765"  # engine/ingestion/address.py DEFAULT_HOST:DEFAULT_PORT
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
    TriggerKind.INTERACTION: "an interaction trigger: Waymark raises it itself when one of "
                             "its messages is sent, delivered, opened, clicked or bounced",
}


# Records and contacts change in the system that keeps them (a help desk, a shop's back
# end, a sign-up service), in the languages such systems are written in; an app on a
# phone holds no one's records, and a key in it could change any record or contact.
SERVER_LANGUAGES = ("javascript", "python", "csharp", "curl")


@dataclass(frozen=True)
class RecordTarget:
    """What a record trigger's snippet changes: `table` (a name safe in code and URLs),
    `noun` (its title, such as "case"), `a_noun` ("a case", "an order"), `fires` (when the
    trigger fires, one sentence)."""
    table: str
    noun: str
    a_noun: str
    fires: str


@dataclass(frozen=True)
class ContactTarget:
    """What a contact trigger's snippet saves: `noun` ("contact" or "lead"), `a_noun`,
    `fires` (when the trigger fires, one sentence)."""
    noun: str
    a_noun: str
    fires: str


_CONTACT_FIRES = {
    None: "is saved with something changed: a field, an attribute or a consent (saved as "
          "it was, nothing fires)",
    "email": "is saved with a new email",
    "phone": "is saved with a new mobile phone",
}


def contact_fires(name: str) -> str:
    """When a trigger a contact's save raises fires, one sentence (the code's comment and
    the studio's Integration tab say it)."""
    kind, watched = CONTACT_TRIGGERS[name]
    fires = (f"is saved and Waymark does not have them yet{' (kind lead)' * (kind == 'lead')}"
             if name in CONTACT_MADE else _CONTACT_FIRES[watched])
    return f"The trigger fires when a {kind} {fires}."


def has_snippets(trigger: TriggerDefinition) -> bool:
    """Whether `generate_snippet` makes code for it: a custom or record trigger, or one a
    contact's save raises (not an interaction, which only Waymark's messages raise)."""
    return trigger.kind in (TriggerKind.CUSTOM, TriggerKind.RECORD) or (
        trigger.kind == TriggerKind.BUSINESS and trigger.name in CONTACT_TRIGGERS)


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
    """Code that sends one event of a custom trigger to the engine at `url`; for a record
    trigger, code that tells it of a record as it is now (PATCH, or POST when it is new:
    `fields.record_fields`); for a trigger a contact's save raises (Contact created...),
    code that saves the contact (PUT /v1/contacts/ID: `fields.contact_fields`). Records
    and contacts in the languages of SERVER_LANGUAGES.

    Without `key` the code holds the placeholder YOUR_INGESTION_KEY. `catalog` resolves
    entity attributes, record tables and contact attributes (built-in ones without it);
    `values` replaces placeholders by attribute, column or field name.
    """
    if not has_snippets(trigger):
        what = RAISED_BY_WAYMARK.get(trigger.kind, "raised by Waymark itself")
        raise SnippetError(f"{trigger.name!r} is {what}; "
                           "only custom, record and contact triggers have snippets")
    chosen = language(language_name)
    catalog = catalog or Catalog.build()
    record = contact = None
    if trigger.kind in (TriggerKind.RECORD, TriggerKind.BUSINESS):
        what = "records" if trigger.kind == TriggerKind.RECORD else "contacts"
        if chosen.name not in SERVER_LANGUAGES:
            raise SnippetError(
                f"{trigger.name!r} is a {what[:-1]} trigger: {what} change in the system "
                f"that keeps them, not in a {_short(chosen)} app; its snippets are in "
                f"{', '.join(_short(LANGUAGES[name]) for name in SERVER_LANGUAGES)}")
    if trigger.kind == TriggerKind.RECORD:
        fields, record = record_fields(trigger, catalog, values), record_target(trigger,
                                                                                catalog)
    elif trigger.kind == TriggerKind.BUSINESS:
        kind, watched = CONTACT_TRIGGERS[trigger.name]
        fields = contact_fields(catalog, kind, watched, values,
                                update=trigger.name not in CONTACT_MADE)
        contact = ContactTarget(kind, f"a {kind}", contact_fires(trigger.name))
    else:
        fields = event_fields(trigger, catalog, values)
    return _template(chosen.template).render(
        trigger=trigger, fields=fields, uses_now=_uses_now(fields), record=record,
        contact=contact, server=record or contact, url=check_url(url),
        key=key or KEY_PLACEHOLDER, key_is_placeholder=not key, q=chosen.quote,
        comment=chosen.comment, lines=literals.comment_lines, shell=literals.shell_quoted,
        camel=camel_case, pascal=pascal_case,
        url_part=lambda value: urllib.parse.quote(str(value), safe=""))


def record_target(trigger: TriggerDefinition, catalog: Catalog) -> RecordTarget:
    source = trigger.record
    table = catalog.record_tables[source.table]  # known: `record_fields` checked it
    noun = table_noun(table)
    a_noun = f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"
    titles = {column.name: column.title or column.name for column in table.columns}
    watched = " or ".join(titles.get(name, name) for name in source.columns)
    update = f"is updated and its {watched} changes" if watched else "is updated"
    fires = {RecordAction.CREATED: "is made (one Waymark does not have yet)",
             RecordAction.UPDATED: update,
             RecordAction.EITHER: f"is made, or {update.removeprefix('is ')}"}[source.action]
    return RecordTarget(source.table, noun, a_noun, f"The trigger fires when {a_noun} {fires}.")


def _short(language: SnippetLanguage) -> str:
    return language.title.split(" (")[0]


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
