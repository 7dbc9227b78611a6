"""`waymark preview CONTENT --contact ID --data JSON`: render a message as a person gets it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from engine.delivery import RenderContext, RenderError, check_templates, render
from engine.model.json_values import TOO_DEEP_TO_READ

from .common import add_workspace_option, fail, guarded, open_workspace


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "preview", help="render a message for a contact and trigger data",
        description="Print the personalised message (subject, text, HTML) without sending "
                    "it. Exit status: 0 rendered, 1 a template failed, 2 bad arguments.")
    parser.add_argument("content", help="the content id")
    parser.add_argument("--contact", metavar="ID", help="a contact or lead id")
    parser.add_argument("--data", metavar="JSON", default="{}",
                        help="the trigger's data as JSON, or @FILE to read it from a file")
    parser.add_argument("--html", action="store_true", help="also print the HTML part")
    add_workspace_option(parser)
    parser.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    trigger = parse_trigger_data(args.data)
    if isinstance(trigger, str):
        return fail(trigger)
    with open_workspace(args, create=False) as workspace:
        content = workspace.catalog().content.get(args.content)
        contact = workspace.contact(args.contact) if args.contact else None
    if content is None:
        return fail(f"no content {args.content!r} in this workspace")
    if args.contact and contact is None:
        return fail(f"no contact {args.contact!r} in this workspace")
    for problem in check_templates(content):
        print(f"{args.content}: {problem.describe()}")
    try:
        message = render(content, RenderContext.of(contact, trigger))
    except RenderError as error:
        return fail(f"{args.content}: {error.reason}", code=1)
    print(_describe(message.model_dump(), args.html))
    return 0


def parse_trigger_data(text: str) -> dict[str, Any] | str:
    """The parsed data, or a message saying what is wrong with it."""
    try:
        raw = Path(text[1:]).read_text("utf-8") if text.startswith("@") else text
        data = json.loads(raw)
    except OSError as error:
        return f"cannot read {text[1:]}: {error.strerror}"
    except json.JSONDecodeError as error:
        return f"--data is not JSON: {error.msg} (line {error.lineno}, column {error.colno})"
    except RecursionError:
        return f"--data is not JSON Waymark can read: {TOO_DEEP_TO_READ}"
    return data if isinstance(data, dict) else "--data must be a JSON object"


def _describe(parts: dict[str, Any], with_html: bool) -> str:
    shown = ["subject", "title", "body", "url", "text"] + (["html"] if with_html else [])
    lines = []
    for name in shown:
        value = parts.get(name)
        if value:
            lines.append(f"{name}:" + ("\n" + value.rstrip() if "\n" in value or name
                                       in ("text", "html") else f" {value}"))
    if parts.get("links"):
        lines.append("links: " + ", ".join(parts["links"]))
    lines += [f"warning: {warning}" for warning in parts.get("warnings", [])]
    return "\n".join(lines)
