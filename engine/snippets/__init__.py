"""Integration snippets: code that sends one event of a custom trigger to the engine, or
tells it of a record as it is now (a record trigger's).

    generate_snippet(trigger, "python", url=..., key=..., catalog=...) -> str
    languages() -> [SnippetLanguage(name, title, extension, ...)]

The templates are data, in `resources/snippets/`.
"""

from .fields import Field, SnippetError, event_fields, expected_body, record_fields
from .generator import (
    DEFAULT_URL,
    KEY_PLACEHOLDER,
    LANGUAGES,
    RECORD_LANGUAGES,
    SnippetLanguage,
    generate_snippet,
    language,
    languages,
)
