"""The workspace file: migrations, refusals that leave files untouched, one engine at a time."""

from __future__ import annotations

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from engine.model import Contact
from engine.store.database import (
    MIGRATIONS,
    REVISIONS,
    WorkspaceError,
    create_db_engine,
    head_revision,
    upgrade,
)
from engine.store.lock import EngineLock, WorkspaceBusyError
from engine.store.schema import metadata
from engine.workspace import Workspace


def test_a_workspace_made_by_the_first_revision_is_upgraded_with_its_data(tmp_path) -> None:
    path = tmp_path / "old.waymark"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO contacts (id, kind, email, attributes, created_at, "
                          "updated_at) VALUES ('ann', 'contact', 'ann@example.com', '{}', 1, 1)"))
    engine.dispose()
    with Workspace.open(path) as workspace:
        assert workspace.contact("ann").email == "ann@example.com"
        with workspace.db.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            assert current == head_revision() != "0001"
            conn.execute(text("SELECT count(*) FROM ingestion_keys")).scalar_one()


def test_the_revisions_read_from_file_names_are_alembics_chain() -> None:
    """Opening an up-to-date workspace reads its revision against these, without alembic;
    a migration whose file name does not start with its revision would go unseen."""
    script = ScriptDirectory(str(MIGRATIONS))
    chain = [rev.revision for rev in script.walk_revisions()]
    assert list(REVISIONS) == chain[::-1]
    assert head_revision() == script.get_current_head()


def test_the_migrations_build_exactly_the_tables_the_code_uses(tmp_path) -> None:
    with Workspace.open(tmp_path / "w.waymark") as workspace, workspace.db.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_sqlite_workspaces_use_wal_and_foreign_keys(tmp_path) -> None:
    with Workspace.open(tmp_path / "w.waymark") as workspace, workspace.db.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_a_workspace_from_a_newer_waymark_is_refused_and_left_untouched(tmp_path) -> None:
    path = tmp_path / "new.waymark"
    Workspace.open(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE alembic_version SET version_num = '0099'")
    before = path.read_bytes()
    with pytest.raises(WorkspaceError, match="made by a newer Waymark"):
        Workspace.open(path)
    assert path.read_bytes() == before


def test_a_corrupted_file_is_refused_and_left_untouched(tmp_path) -> None:
    path = tmp_path / "broken.waymark"
    path.write_bytes(b"\x00garbage" * 100)
    with pytest.raises(WorkspaceError, match="not a Waymark workspace"):
        Workspace.open(path)
    assert path.read_bytes() == b"\x00garbage" * 100


def test_another_sqlite_database_is_refused_and_left_untouched(tmp_path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE invoices (id INTEGER)")
    before = path.read_bytes()
    with pytest.raises(WorkspaceError, match="not a Waymark workspace"):
        Workspace.open(path)
    assert path.read_bytes() == before


def test_opening_a_missing_workspace_without_create_says_so(tmp_path) -> None:
    with pytest.raises(WorkspaceError, match="no workspace at"):
        Workspace.open(tmp_path / "nope.waymark", create=False)


def test_only_one_engine_may_hold_a_workspace(tmp_path) -> None:
    with Workspace.open(tmp_path / "w.waymark") as workspace:
        first = EngineLock(workspace.db, workspace.location)
        first.acquire()
        second = EngineLock(workspace.db, workspace.location)
        with pytest.raises(WorkspaceBusyError, match="another Waymark engine"):
            second.acquire()
        first.release()
        second.acquire()
        second.release()


def test_contacts_keep_their_attributes_and_dates_become_utc(tmp_path) -> None:
    with Workspace.open(tmp_path / "w.waymark") as workspace:
        workspace.save_contact(Contact(id="ann", attributes={
            "joined": "2026-11-23T10:00:00+01:00", "points": 3, "nested": {"a": 1}}))
        assert workspace.contact("ann").attributes == {
            "joined": "2026-11-23T09:00:00Z", "points": 3, "nested": {"a": 1}}
