"""An event as a curl command to paste into a shell: the key is `$WAYMARK_KEY`, never
the studio's own."""

from __future__ import annotations

import json
import shlex
from typing import Any


def curl_command(url: str, trigger: str, body: dict[str, Any]) -> str:
    return "\n".join([
        "# An ingestion key: `waymark keys create --name curl`, then export WAYMARK_KEY=…",
        f"curl -sS -X POST {shlex.quote(f'{url}/v1/triggers/{trigger}')} \\",
        '  -H "Authorization: Bearer $WAYMARK_KEY" \\',
        "  -H 'Content-Type: application/json' \\",
        f"  -d {shlex.quote(json.dumps(body, ensure_ascii=False))}",
    ])
