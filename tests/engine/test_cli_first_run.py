"""First-run rough edges of the command line: odd --workspace paths, importing twice,
publishing again."""

from __future__ import annotations

import json
import re

import pytest

from engine.cli import main
from engine.resources import resource

CART = resource("samples", "abandoned_cart.json")


def test_a_folder_as_workspace_is_one_line_naming_what_to_give(tmp_path, capsys) -> None:
    assert main(["journeys", "list", "--workspace", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"error: {tmp_path}: is a folder; name a .waymark file inside it or a "
        "postgresql+psycopg:// URL\n")


def test_a_workspace_in_a_folder_that_does_not_exist_is_refused_and_not_made(
        tmp_path, capsys) -> None:
    path = tmp_path / "typo" / "shop.waymark"
    assert main(["import", str(CART), "--workspace", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"error: {path}: there is no folder {path.parent}; create it first or check the path\n")
    assert not path.parent.exists()


def test_a_file_that_is_not_a_workspace_is_refused_and_left_untouched(tmp_path, capsys) -> None:
    path = tmp_path / "notes.waymark"
    path.write_text("shopping list")
    assert main(["journeys", "list", "--workspace", str(path)]) == 2
    assert "is not a Waymark workspace" in capsys.readouterr().err
    assert path.read_text() == "shopping list"


def journeys(workspace: list[str], capsys) -> list[list[str]]:
    """`waymark journeys list` as rows of columns."""
    capsys.readouterr()
    assert main(["journeys", "list", *workspace]) == 0
    return [re.split(r"\s{2,}", line.strip())
            for line in capsys.readouterr().out.splitlines()[2:]]


def test_importing_a_journey_the_workspace_has_makes_a_named_copy(tmp_path, capsys) -> None:
    workspace = ["--workspace", str(tmp_path / "w.waymark")]
    assert main(["import", str(CART), "--publish", *workspace]) == 0
    assert main(["import", str(CART), *workspace]) == 0
    out = capsys.readouterr().out
    assert "imported 'abandoned-cart-copy' (Abandoned cart reminders (copy))" in out
    assert "a copy, as the workspace has 'abandoned-cart' already" in out
    assert main(["import", str(CART), *workspace]) == 0
    assert sorted(journeys(workspace, capsys)) == [
        ["abandoned-cart", "Abandoned cart reminders", "live", "1"],
        ["abandoned-cart-copy", "Abandoned cart reminders (copy)", "draft", "-"],
        ["abandoned-cart-copy-2", "Abandoned cart reminders (copy 2)", "draft", "-"]]


def test_import_replace_updates_the_draft_and_the_live_version_runs_on(tmp_path,
                                                                       capsys) -> None:
    workspace = ["--workspace", str(tmp_path / "w.waymark")]
    assert main(["import", str(CART), "--publish", *workspace]) == 0
    edited = json.loads(CART.read_text())
    edited["journey"]["tiles"][1]["name"] = "First reminder"
    (tmp_path / "edited.json").write_text(json.dumps(edited))
    assert main(["import", str(tmp_path / "edited.json"), "--replace", *workspace]) == 0
    assert "updated the draft of 'abandoned-cart'" in capsys.readouterr().out
    assert journeys(workspace, capsys) == [
        ["abandoned-cart", "Abandoned cart reminders", "live", "1", "yes"]]
    assert main(["import", str(tmp_path / "edited.json"), "--replace", "--publish",
                 *workspace]) == 0
    assert "published 'abandoned-cart' as version 2" in capsys.readouterr().out


def test_publishing_again_with_no_change_says_so_and_makes_no_version(tmp_path,
                                                                      capsys) -> None:
    workspace = ["--workspace", str(tmp_path / "w.waymark")]
    assert main(["import", str(CART), "--publish", *workspace]) == 0
    capsys.readouterr()
    for _ in range(2):
        assert main(["journeys", "publish", "abandoned-cart", *workspace]) == 0
        assert capsys.readouterr().out == (  # a new workspace's sender has no address yet
            "email-reminder: content-compliance: content 'Initial email reminder': The "
            "sender profile 'default' has no postal address — add it in the delivery "
            "settings (sender profiles)\n"
            "'abandoned-cart': no changes since version 1, so no new version\n")
    assert journeys(workspace, capsys) == [
        ["abandoned-cart", "Abandoned cart reminders", "live", "1"]]


@pytest.mark.parametrize("command", [["stats", "abandoned-cart"], ["export", "abandoned-cart"],
                                     ["serve", "--port", "0"]], ids=lambda c: c[0])
def test_every_command_refuses_a_folder_in_one_line(tmp_path, capsys, command) -> None:
    assert main([*command, "--workspace", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
