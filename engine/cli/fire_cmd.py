"""`waymark fire TRIGGER --contact ID --attr name=value`: a test event through the socket.

It takes the path an integration takes: HTTP to the running engine, with a key.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from typing import Any

from engine.ingestion import keys
from engine.ingestion.address import DEFAULT_HOST, DEFAULT_PORT
from engine.store import catalog_store
from engine.store.database import writing
from engine.store.lock import engine_holder

from .common import add_workspace_option, fail, guarded, open_workspace
from .values import typed_values

DEFAULT_URL = f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "fire", help="send a test trigger event to the running engine",
        description="Sends one event over HTTP to `waymark serve` (or the studio), as an "
                    "integration would. Without --key (or $WAYMARK_KEY) it makes a key for "
                    "this one event and revokes it afterwards.")
    parser.add_argument("trigger")
    parser.add_argument("--contact", required=True, help="the authId: contact or lead id")
    parser.add_argument("--attr", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--binding", help="a bindingId such as Appointment/123")
    parser.add_argument("--message-id", help="a messageId (the same one twice is applied once)")
    parser.add_argument("--email", help="contactpoint_email, for people not yet known")
    parser.add_argument("--phone", help="contactpoint_phone")
    parser.add_argument("--url", help="where the engine listens (default: the socket of the "
                        f"engine running this workspace, else http://{DEFAULT_HOST}:"
                        f"{DEFAULT_PORT})")
    parser.add_argument("--key", default=os.environ.get("WAYMARK_KEY"),
                        help="an ingestion key (default: $WAYMARK_KEY)")
    add_workspace_option(parser)
    parser.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    with open_workspace(args, create=False) as workspace:
        with workspace.db.connect() as conn:
            trigger = catalog_store.load_trigger(conn, args.trigger)
        holder = None if args.url else engine_holder(workspace.db, workspace.location)
        url = args.url or (holder.url if holder and holder.url else DEFAULT_URL)
        attributes = typed_values(args.attr, trigger.attributes if trigger else [], "--attr")
        body = {"authId": args.contact, "attributes": attributes,
                **{k: v for k, v in (("bindingId", args.binding), ("messageId", args.message_id),
                                     ("contactpoint_email", args.email),
                                     ("contactpoint_phone", args.phone)) if v}}
        key, temporary = args.key, None
        if not key:
            with writing(workspace.db) as conn:
                temporary, key = keys.create_key(conn, "waymark fire (temporary)")
        try:
            status, answer = post_event(
                f"{url.rstrip('/')}/v1/triggers/{args.trigger}", key, body)
        finally:
            if temporary is not None:
                with writing(workspace.db) as conn:
                    keys.revoke_key(conn, temporary.id)
    if status is None:
        return fail(f"no engine answers at {url}: start one with `waymark serve` "
                    f"({answer})")
    print(f"{status} {json.dumps(answer)}")
    if status == 401 and not args.url and holder is None:
        # The key is this workspace's: what answers at the default address is the engine
        # of another workspace (a studio open on it, another serve).
        print(f"no engine runs this workspace ({workspace.location}); the one at {url} "
              "runs another workspace, which does not know this workspace's keys: start "
              "this one's with `waymark serve --port N`", file=sys.stderr)
    return 0 if status in (200, 202) else 1


def post_event(url: str, key: str, body: dict[str, Any], timeout: float = 10,
               method: str = "POST") -> tuple[int | None, Any]:
    """POST one event (or PATCH a record); (status, answer), or (None, why) when nothing
    answers at `url` (the studio's fire dialog sends through this too)."""
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method=method,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
    except (urllib.error.URLError, OSError) as error:
        return None, getattr(error, "reason", error)
