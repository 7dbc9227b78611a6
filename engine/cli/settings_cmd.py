"""`waymark settings show | export | import | set | test-email`: delivery settings."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

from engine import delivery_setup
from engine.delivery.secrets import is_secret_path
from engine.model import parse_json
from engine.store.settings_store import SecretPlaces

from .common import add_workspace_option, fail, guarded, open_workspace

SECTIONS = [("Email", ["email"]), ("SMS", ["sms"]), ("Push", ["push"]),
            ("SMTP server", ["smtp"]), ("Webhook", ["webhook"]),
            ("Senders", ["senders", "default_sender"]), ("Tracking", ["tracking"]),
            ("Retries", ["retry"]), ("Other", ["outbox_folder", "message_id_domain"])]
RELOAD_NOTE = "a running engine takes it within 2 s"


def register(subparsers: argparse._SubParsersAction) -> None:
    settings = subparsers.add_parser(
        "settings", help="show and change the delivery settings",
        description="Delivery settings: where email, SMS and push go, consent, caps, quiet "
                    "hours, tracking. Keys are dotted paths (smtp.port, email.cap.per_day).")
    actions = settings.add_subparsers(dest="action", metavar="ACTION", required=True)
    show = actions.add_parser("show", help="the settings, section by section")
    show.add_argument("--json", action="store_true", help="as JSON, with where secrets are")
    export = actions.add_parser("export", help="write the settings (without secrets) as JSON")
    export.add_argument("file", nargs="?", help="default: standard output")
    imp = actions.add_parser("import", help="replace the settings with a JSON file's")
    imp.add_argument("file")
    put = actions.add_parser("set", help="set one setting: KEY VALUE (secrets: KEY -)")
    put.add_argument("key")
    put.add_argument("value", nargs="?", help="for a secret: - to type or pipe it")
    put.add_argument("--from-env", metavar="VAR", help="a secret's value from this variable")
    test = actions.add_parser("test-email", help="send one email the configured way")
    test.add_argument("address")
    for sub in actions.choices.values():
        add_workspace_option(sub)
        sub.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        if args.action == "show":
            return _show(delivery_setup.settings_view(workspace), args.json)
        if args.action == "export":
            return _export(delivery_setup.export_settings(workspace), args.file)
        if args.action == "import":
            data = parse_json(Path(args.file).read_bytes(), args.file)
            return _saved(delivery_setup.import_settings(workspace, data, args.file),
                          f"imported {args.file}", warn=True)
        if args.action == "test-email":
            answer = delivery_setup.send_test_email(workspace, args.address)
            print(answer.answer) if answer.sent else print(f"error: {answer.answer}",
                                                           file=sys.stderr)
            return 0 if answer.sent else 1
        return _set(workspace, args)


def _set(workspace: Any, args: argparse.Namespace) -> int:
    if not is_secret_path(args.key):
        if args.value is None or args.from_env:
            return fail(f"{args.key}: give its value: waymark settings set {args.key} VALUE")
        places = delivery_setup.set_setting(workspace, args.key, args.value)
        return _saved(places, f"{args.key} = {args.value}", warn=False)
    secret = _secret_value(args)
    if secret is None:
        return fail(f"{args.key} is a secret: give `-` to type it (or pipe it in) or "
                    "--from-env VAR, never the value itself (it would stay in your shell's "
                    "history)")
    places = delivery_setup.set_secret(workspace, args.key, secret)
    return _saved(places, f"{args.key} {'saved' if secret else 'cleared'}", warn=True)


def _secret_value(args: argparse.Namespace) -> str | None:
    if args.from_env:
        if args.value is not None or args.from_env not in os.environ:
            return None
        return os.environ[args.from_env]
    if args.value != "-":
        return None
    if sys.stdin.isatty():
        return getpass.getpass(f"{args.key}: ")
    return sys.stdin.read().rstrip("\r\n")


def _saved(places: SecretPlaces, done: str, *, warn: bool) -> int:
    """What was saved, and (for secrets just given) where they were kept."""
    where = f" (in the keyring: {', '.join(places.in_keyring)})" if places.in_keyring else ""
    print(f"{done}{where}; {RELOAD_NOTE}")
    for problem in places.problems:
        print(f"warning: {problem}", file=sys.stderr)
    exposed = [path for path in places.in_workspace if path in places.given]
    if exposed and warn:
        print(f"warning: no usable keyring on this machine (keyring: {places.keyring}): "
              f"{', '.join(exposed)} kept in the workspace file, readable by "
              "anyone who can read that file", file=sys.stderr)
    return 0


def _export(data: dict[str, Any], file: str | None) -> int:
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if file is None:
        sys.stdout.write(text)
    else:
        Path(file).write_text(text, encoding="utf-8")
        print(f"wrote {file} (secrets are not in it)")
    return 0


def _show(view: delivery_setup.SettingsView, as_json: bool) -> int:
    if as_json:
        print(json.dumps({"settings": view.data, "secrets": view.secrets,
                          "keyring": view.keyring}, indent=2, ensure_ascii=False))
        return 0
    for title, names in SECTIONS:
        lines = [line for name in names for line in _lines(view, name, view.data.get(name))]
        if "tracking" in names:
            lines.append(("tracking.secret", view.shown("tracking.secret")))
        print(title)
        print("\n".join(f"  {key:<34} {value}" for key, value in lines))
    print(f"\nkeyring: {view.keyring if view.keyring != 'none' else 'none usable'}")
    if view.in_workspace:
        print(f"warning: kept in the workspace file, not a keyring: "
              f"{', '.join(view.in_workspace)}", file=sys.stderr)
    return 0


def _lines(view: delivery_setup.SettingsView, key: str, value: Any) -> list[tuple[str, str]]:
    if is_secret_path(key):
        return [(key, view.shown(key))]
    if key.endswith(".quiet_hours") and isinstance(value, dict):
        return [(key, f"{value['start'][:5]}–{value['end'][:5]}")]
    if key.endswith(".body_template") or (key == "senders" and isinstance(value, list)):
        return _list_lines(key, value)
    if isinstance(value, dict):
        first = sorted(value, key=lambda name: name != "via")  # where a channel goes, first
        lines = [line for name in first for line in _lines(view, f"{key}.{name}", value[name])]
        return lines or [(key, "none")]
    if isinstance(value, list):
        return [(key, ", ".join(map(str, value)) or "none")]
    if value == "":
        return [(key, "(empty)")]
    return [(key, "none" if value is None else json.dumps(value, ensure_ascii=False).strip('"'))]


def _list_lines(key: str, value: Any) -> list[tuple[str, str]]:
    if key != "senders":
        return [(key, json.dumps(value, ensure_ascii=False))]
    return [(f"senders[{i}]", f"{s['name']}: {s['display_name']} <{s['from_address']}>"
             + (f", reply to {s['reply_to']}" if s.get("reply_to") else ""))
            for i, s in enumerate(value)]
