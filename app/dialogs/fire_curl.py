"""An event, or a record change, as curl commands to paste into a shell: the key is
`$WAYMARK_KEY`, never the studio's own."""

from __future__ import annotations

import json
import shlex
from typing import Any
from urllib.parse import quote

from app.engine_link import ContactSave, RecordChange

KEY_LINE = "# An ingestion key: `waymark keys create --name curl`, then export WAYMARK_KEY=…"


def curl_command(url: str, trigger: str, body: dict[str, Any]) -> str:
    return "\n".join([KEY_LINE, *_curl("POST", f"{url}/v1/triggers/{trigger}", body)])


def record_curl(url: str, change: RecordChange) -> str:
    """The change as an integration makes it: PATCH the record; a new one is made first
    (POST) for a trigger on updates, or made with every column for one on records made."""
    table = f"{url}/v1/records/{quote(change.table, safe='')}"
    record = f"{table}/{quote(change.record_id, safe='')}"
    if change.make_only:
        return "\n".join([KEY_LINE, *_curl("POST", table, change.body)])
    lines = [KEY_LINE]
    if change.make_first is not None:
        lines += ["# A new record is made first (409 when it exists: fine)",
                  *_curl("POST", table, {"id": change.record_id, **change.make_first}),
                  "# The change that fires the trigger"]
    else:
        lines += [f"# A record that does not exist yet (404): POST it, with its id, to {table}"]
    return "\n".join([*lines, *_curl("PATCH", record, change.values)])


def contact_curl(url: str, save: ContactSave) -> str:
    """The contact saved as an integration saves it: PUT, the whole contact."""
    contact = f"{url}/v1/contacts/{quote(save.contact_id, safe='')}"
    return "\n".join([KEY_LINE, *_curl("PUT", contact, save.values)])


def _curl(method: str, url: str, body: dict[str, Any]) -> list[str]:
    return [
        f"curl -sS -X {method} {shlex.quote(url)} \\",
        '  -H "Authorization: Bearer $WAYMARK_KEY" \\',
        "  -H 'Content-Type: application/json' \\",
        f"  -d {shlex.quote(json.dumps(body, ensure_ascii=False))}",
    ]
