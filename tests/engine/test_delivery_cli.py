"""`waymark preview` and `waymark outbox` (modules ready, registered by the lead)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from engine.cli import main, outbox_cmd, preview_cmd
from engine.delivery import OutboxChannel
from engine.model import Contact, read_bundle
from engine.resources import resource
from engine.workspace import Workspace

from .delivery_support import compose


@pytest.fixture
def workspace_file(tmp_path: Path) -> Path:
    path = tmp_path / "shop.waymark"
    with Workspace.open(path) as workspace:
        for content in read_bundle(resource("samples") / "abandoned_cart.json").content:
            workspace.save_content(content)
        workspace.save_contact(Contact(id="c-1", email="ada@example.com",
                                       attributes={"firstname": "<b>Ada</b>"}))
    return path


def waymark(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers()
    preview_cmd.register(commands)
    outbox_cmd.register(commands)
    args = parser.parse_args(argv)
    return args.handler(args)


def test_preview_renders_a_message_for_a_contact_and_trigger_data(workspace_file, capsys):
    code = waymark("preview", "cart-reminder-email", "--contact", "c-1", "--html",
                   "--data", '{"cart_total": 80, "item_count": 2}',
                   "--workspace", str(workspace_file))
    shown = capsys.readouterr().out
    assert code == 0
    assert "subject: <b>Ada</b>, your cart is waiting" in shown
    assert "Hi &lt;b&gt;Ada&lt;/b&gt;, your cart with 2 items ($80) is saved." in shown


def test_preview_explains_bad_input_without_a_traceback(workspace_file, capsys):
    where = ("--workspace", str(workspace_file))
    assert waymark("preview", "cart-reminder-sms", "--data", "{oops", *where) == 2
    assert waymark("preview", "no-such-content", *where) == 2
    assert waymark("preview", "cart-reminder-sms", "--contact", "nobody", *where) == 2
    errors = capsys.readouterr().err
    assert "--data is not JSON" in errors
    assert "no content 'no-such-content'" in errors
    assert "no contact 'nobody'" in errors
    assert "Traceback" not in errors


def test_outbox_lists_what_was_sent(workspace_file, capsys):
    with Workspace.open(workspace_file) as workspace:
        folder = workspace.outbox_dir
    assert waymark("outbox", "--workspace", str(workspace_file)) == 0
    assert "the outbox is empty" in capsys.readouterr().out
    OutboxChannel(folder).send(compose())
    assert waymark("outbox", "--workspace", str(workspace_file)) == 0
    shown = capsys.readouterr().out
    assert "ada@example.com" in shown and "Ada, your cart is waiting" in shown
    assert "1 message(s)" in shown


def test_outbox_lists_the_folder_the_delivery_settings_name(workspace_file, tmp_path,
                                                              capsys):
    """`waymark settings set outbox_folder DIR` sent the messages there, and `waymark
    outbox` still listed the workspace's own folder: "the outbox is empty"."""
    elsewhere = tmp_path / "elsewhere"
    assert main(["settings", "set", "outbox_folder", str(elsewhere),
                 "--workspace", str(workspace_file)]) == 0
    with Workspace.open(workspace_file) as workspace:
        assert workspace.outbox_folder() == elsewhere
        OutboxChannel(workspace.delivery_settings().outbox_folder).send(compose())
    capsys.readouterr()
    assert waymark("outbox", "--workspace", str(workspace_file)) == 0
    shown = capsys.readouterr().out
    assert "ada@example.com" in shown and f"1 message(s) in {elsewhere}" in shown


def test_preview_shows_that_a_script_address_from_the_data_is_removed(workspace_file, capsys):
    code = waymark("preview", "cart-reminder-email", "--contact", "c-1", "--html",
                   "--data", '{"cart_url": " JavaScript:alert(1)"}',
                   "--workspace", str(workspace_file))
    shown = capsys.readouterr().out
    assert code == 0 and "alert" not in shown.split("warning:")[0]
    assert "warning: removed a javascript: address from <a href>" in shown
