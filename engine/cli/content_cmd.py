"""`waymark content list|check|ready|draft|delete|send-test`: the content library, as the
studio's Content page has it."""

from __future__ import annotations

import argparse
import json
import sys

from engine import content_library as library
from engine.delivery.errors import TemplateProblem
from engine.model import to_data
from engine.workspace import Workspace

from .common import add_workspace_option, fail, guarded, open_workspace, table
from .preview_cmd import parse_trigger_data


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("content", help="emails, text messages and pushes")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="every item: channel, status, purpose, "
                                               "the journeys that send it")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    subs = [listing]
    for name, text in (("check", "template problems (line and column) and what keeps it "
                                 "from being Ready; exit 1 if it cannot be"),
                       ("ready", "make it Ready to send (refused, saying why, when it "
                                 "cannot be)"),
                       ("draft", "make it a Draft again"),
                       ("delete", "delete it (refused while a live journey sends it)")):
        sub = actions.add_parser(name, help=text)
        sub.add_argument("content", help="the content id")
        subs.append(sub)
    test = actions.add_parser("send-test", help="render it and send it once through the "
                                                "configured channel; print the answer")
    test.add_argument("content", help="the content id")
    test.add_argument("--to", required=True, help="an email address, phone number or push "
                                                  "token, by the content's channel")
    test.add_argument("--contact", metavar="ID", help="whose data to render it with")
    test.add_argument("--data", metavar="JSON", help="the trigger's data as JSON or @FILE "
                      "(default: the data of the contact's latest event of the trigger, "
                      "else anyone's, else the trigger's typed placeholders)")
    for sub in (*subs, test):
        add_workspace_option(sub)
        sub.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    """Refusals (in use, not Ready) exit 1 with the reasons; unknown content exits 2."""
    try:
        return _run(args)
    except library.ContentNotReady as refused:
        print(f"error: {refused.args[0].split(':')[0]}:", file=sys.stderr)
        for problem in refused.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    except library.ContentInUse as refused:
        return fail(str(refused), 1)
    except library.ContentError as error:
        return fail(str(error))


def _run(args: argparse.Namespace) -> int:
    with open_workspace(args, create=args.action == "list") as workspace:
        if args.action == "list":
            return _list(library.library(workspace), args.json)
        if args.action == "check":
            return _check(workspace, args.content)
        if args.action == "send-test":
            return _send_test(workspace, args)
        if args.action == "delete":
            library.delete_content(workspace, args.content)
            print(f"deleted {args.content!r}")
            return 0
        content = library.set_ready(workspace, args.content, args.action == "ready")
        print(f"{content.name!r} is now {library.STATUS_LABELS[content.status]}")
    return 0


def _list(entries: list[library.LibraryEntry], as_json: bool) -> int:
    if as_json:
        for e in entries:
            print(json.dumps({**to_data(e.content), "used_by": [
                {"journey": u.journey_id, "name": u.name, "state": u.state}
                for u in e.used_by]}, ensure_ascii=False))
        return 0
    rows = [[e.content.id, e.content.name, e.content.channel, e.status_label,
             e.content.purpose.value, ", ".join(f"{u.name} ({u.state})" for u in e.used_by)]
            for e in entries]
    print(table(rows, ["ID", "NAME", "CHANNEL", "STATUS", "PURPOSE", "USED BY"]) if rows
          else "no content yet: make some in the studio's Content page")
    return 0


def _check(workspace: Workspace, content_id: str) -> int:
    content = library.entry(workspace, content_id).content
    triggers = library.triggers_of(workspace, content_id)
    problems = library.template_problems(content, workspace.catalog(), triggers or None)
    for problem in problems:
        kind = "warning" if problem.warning else "error"
        print(f"{content_id}: {_where(problem)}: {problem.message} [{kind}]")
    blocking = library.ready_problems(content, library.settings_without_secrets(workspace))
    for message in blocking:
        print(f"{content_id}: not Ready: {message}")
    if not blocking:
        print(f"{content_id}: may be Ready to send")
    return 1 if blocking else 0


def _where(problem: TemplateProblem) -> str:
    place = problem.field
    if problem.line is not None:
        place += f", line {problem.line}"
    if problem.column is not None:
        place += f", column {problem.column}"
    return place


def _send_test(workspace: Workspace, args: argparse.Namespace) -> int:
    content = library.entry(workspace, args.content).content
    contact = workspace.contact(args.contact) if args.contact else None
    if args.contact and contact is None:
        return fail(f"no contact {args.contact!r} in this workspace")
    if args.data is not None:
        data = parse_trigger_data(args.data)
        if isinstance(data, str):
            return fail(data)
    else:
        triggers = library.triggers_of(workspace, args.content)
        data = library.preview_trigger_data(workspace, triggers[0] if triggers else None,
                                            args.contact).data
    answer = library.send_test(workspace, content, args.to, contact=contact,
                               trigger_data=data)
    print(answer.answer)
    return 0 if answer.sent else 1
