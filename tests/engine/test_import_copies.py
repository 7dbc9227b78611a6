"""An import keeps the workspace's own content.

Found reading the import: a bundle exported before an email was reworded, imported
again (as a copy of its journey), wrote its old wording over the workspace's email, in
every draft that sends it, and said nothing. Now the bundle's differing content comes
in as a copy its journey sends; the same content is used as it is; `--replace` still
writes the bundle's.
"""

from __future__ import annotations

from engine import content_library
from engine.model import ContentStatus, read_bundle
from engine.resources import resource
from engine.workspace import Workspace
from tests.engine.serve_support import run_cli

SAMPLE = resource("samples", "abandoned_cart.json")
EMAIL = "cart-reminder-email"
REWORDED = "Still thinking it over, {{ contact.firstname }}?"


def reworded_workspace(path) -> str:
    """The sample imported, then its email's subject changed (the Content page's save; a
    draft, as this workspace has no sender address to make it Ready); the subject the
    bundle still has."""
    with Workspace.open(path) as workspace:
        workspace.import_bundle(read_bundle(SAMPLE))
        email = workspace.catalog().content[EMAIL]
        content_library.save_content(workspace, email.model_copy(update={
            "subject": REWORDED, "status": ContentStatus.DRAFT}))
        return email.subject


def email_tiles(workspace: Workspace, journey_id: str) -> set[str]:
    return {t.content for t in workspace.load_journey(journey_id).tiles
            if t.kind == "email"}


def test_content_reworded_since_the_export_stays_and_the_import_sends_a_copy(tmp_path):
    path = tmp_path / "shop.waymark"
    old_subject = reworded_workspace(path)
    done = run_cli("import", str(SAMPLE), "--workspace", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1:] == [
        f"  content {EMAIL!r} is different in the workspace, which keeps it: the bundle's "
        f"came in as '{EMAIL}-copy' (Initial email reminder (copy)) (--replace writes the "
        "bundle's over it instead)"]
    with Workspace.open(path) as workspace:
        content = workspace.catalog().content
        assert content[EMAIL].subject == REWORDED  # the workspace's words, kept
        assert content[f"{EMAIL}-copy"].subject == old_subject
        assert content[f"{EMAIL}-copy"].name == "Initial email reminder (copy)"
        assert email_tiles(workspace, "abandoned-cart") == {EMAIL}
        assert email_tiles(workspace, "abandoned-cart-copy") == {f"{EMAIL}-copy"}
        # the text and push it carries are as the workspace's: used, not copied
        assert not any(c.endswith("-copy") for c in content if c != f"{EMAIL}-copy")


def test_an_export_imported_back_uses_the_workspaces_content(tmp_path):
    path = tmp_path / "shop.waymark"
    reworded_workspace(path)
    exported = tmp_path / "cart.json"
    assert run_cli("export", "abandoned-cart", "--out", str(exported),
                   "--workspace", str(path)).returncode == 0
    done = run_cli("import", str(exported), "--workspace", str(path))
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 1, done.stdout
    with Workspace.open(path) as workspace:
        assert sorted(workspace.catalog().content) == sorted(
            c.id for c in read_bundle(SAMPLE).content)
        assert email_tiles(workspace, "abandoned-cart-copy") == {EMAIL}


def test_replace_writes_the_bundles_content_as_asked(tmp_path):
    path = tmp_path / "shop.waymark"
    old_subject = reworded_workspace(path)
    done = run_cli("import", str(SAMPLE), "--replace", "--workspace", str(path))
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 1, done.stdout
    with Workspace.open(path) as workspace:
        assert workspace.catalog().content[EMAIL].subject == old_subject
        assert EMAIL + "-copy" not in workspace.catalog().content


def test_the_same_bundle_imported_twice_sends_the_one_copy(tmp_path):
    """A second import of the old words uses the copy the first made (its ids and names
    free ones: "-copy", then "-copy-2" only for other words)."""
    path = tmp_path / "shop.waymark"
    reworded_workspace(path)
    with Workspace.open(path) as workspace:
        first = workspace.import_bundle_report(read_bundle(SAMPLE))
        second = workspace.import_bundle_report(read_bundle(SAMPLE))
        copy = (f"{EMAIL}-copy", "Initial email reminder (copy)")
        assert [(c.id, c.name) for c in first.copies] == [copy]
        assert [(c.id, c.name) for c in second.copies] == [copy]
        assert second.journey.id == "abandoned-cart-copy-2"
        assert email_tiles(workspace, second.journey.id) == {copy[0]}
        other = read_bundle(SAMPLE)
        other.content[0] = other.content[0].model_copy(update={"subject": "Third words"})
        third = workspace.import_bundle_report(other)
        assert [(c.id, c.name) for c in third.copies] == [
            (f"{EMAIL}-copy-2", "Initial email reminder (copy 2)")]
        assert len(workspace.catalog().content) == 5
