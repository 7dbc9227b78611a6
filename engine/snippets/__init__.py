"""Integration snippets: code that sends one event of a custom trigger to the engine,
tells it of a record as it is now (a record trigger's), or saves a contact (a trigger a
contact's save raises: Contact created...).

    generate_snippet(trigger, "python", url=..., key=..., catalog=...) -> str
    languages() -> [SnippetLanguage(name, title, extension, ...)]

The templates are data, in `resources/snippets/`.
"""

from .fields import (
    Field,
    SnippetError,
    contact_fields,
    event_fields,
    expected_body,
    record_fields,
)
from .generator import (
    DEFAULT_URL,
    KEY_PLACEHOLDER,
    LANGUAGES,
    SERVER_LANGUAGES,
    SnippetLanguage,
    contact_fires,
    generate_snippet,
    has_snippets,
    language,
    languages,
)
