"""`waymark snippet TRIGGER --lang LANG`: code that sends one event of a custom trigger,
tells the engine of a record as it is now (a record trigger's), or saves a contact (the
triggers a contact's save raises: contact_created...)."""

from __future__ import annotations

import argparse
import sys

from engine.ingestion.address import DEFAULT_HOST, DEFAULT_PORT
from engine.model import TriggerState
from engine.snippets import SERVER_LANGUAGES, SnippetError, generate_snippet, languages
from engine.store import catalog_store

from .common import add_workspace_option, fail, guarded, open_workspace

STATE_NOTES = {TriggerState.DRAFT: "journeys can publish with it after",
               TriggerState.STOPPED: "the engine refuses its events until"}


def register(subparsers: argparse._SubParsersAction) -> None:
    names = ", ".join(language.name for language in languages())
    parser = subparsers.add_parser(
        "snippet", help="code that sends a trigger's event, a record or a contact",
        description="Prints code that sends one event of a custom trigger to the engine, "
                    "with its attributes as typed placeholders; for a record trigger, code "
                    "that sends a record as it is now (PATCH, or POST when it is new), with "
                    "its table's columns; for contact_created, lead_created and the "
                    "contact_*_updated triggers, code that saves a contact (PUT "
                    f"/v1/contacts/ID). Languages: {names} (records and contacts: "
                    f"{', '.join(SERVER_LANGUAGES)}).")
    parser.add_argument("trigger", nargs="?", help="a custom, record or contact trigger's name")
    parser.add_argument("--lang", metavar="LANG", help=f"one of {names}")
    parser.add_argument("--list", action="store_true", help="list the languages and stop")
    parser.add_argument("--url", default=f"http://{DEFAULT_HOST}:{DEFAULT_PORT}",
                        help="where the engine listens, as the caller reaches it "
                             "(default: %(default)s)")
    parser.add_argument("--key", help="an ingestion key to put in the code (default: the "
                                      "placeholder YOUR_INGESTION_KEY; `waymark keys create` "
                                      "makes one)")
    add_workspace_option(parser)
    parser.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    if args.list:
        for language in languages():
            print(f"{language.name:<12}{language.title}")
        return 0
    if not args.trigger or not args.lang:
        return fail("write `waymark snippet TRIGGER --lang LANG` with LANG one of "
                    f"{', '.join(language.name for language in languages())}")
    with open_workspace(args, create=False) as workspace, workspace.db.connect() as conn:
        catalog = catalog_store.load_catalog(conn)
    trigger = catalog.triggers.get(args.trigger)
    if trigger is None:
        return fail(f"no trigger named {args.trigger!r} (`waymark triggers list` shows them)")
    try:
        code = generate_snippet(trigger, args.lang, url=args.url, key=args.key, catalog=catalog)
    except SnippetError as error:
        return fail(str(error))
    if trigger.state != TriggerState.READY:
        print(f"note: {trigger.name!r} is {trigger.state.value}: {STATE_NOTES[trigger.state]} "
              f"`waymark triggers ready {trigger.name}`", file=sys.stderr)
    print(code, end="")
    return 0
