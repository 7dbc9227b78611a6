"""`waymark contacts import FILE.csv`: good rows in, refused rows reported by row, column
and reason, no half-written batch, triggers only when asked."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text

from engine.cli import main
from engine.contacts_import import ImportFailed, import_contacts_csv
from engine.model import AttributeDef, Contact
from engine.store import catalog_store
from engine.store import schema as s
from engine.store.database import writing
from engine.workspace import Workspace

HEADER = "id,Email,Phone,Age,VIP,Signed up,Notes\n"


@pytest.fixture
def workspace_file(tmp_path: Path) -> Path:
    path = tmp_path / "shop.waymark"
    Workspace.open(path).close()
    return path


def write(tmp_path: Path, body: str | bytes, name: str = "people.csv") -> Path:
    file = tmp_path / name
    file.write_bytes(body if isinstance(body, bytes) else body.encode())
    return file


def imported(workspace: Path, *argv: str) -> int:
    return main(["contacts", "import", *argv, "--workspace", str(workspace)])


def contacts(workspace: Path) -> dict[str, Contact]:
    with Workspace.open(workspace) as ws:
        with ws.db.connect() as conn:
            ids = conn.execute(select(s.contacts.c.id)).scalars().all()
        return {i: ws.contact(i) for i in ids}


def events(workspace: Path) -> list[tuple[str, str]]:
    with Workspace.open(workspace) as ws, ws.db.connect() as conn:
        return [(r.trigger, r.contact_id) for r in conn.execute(
            select(s.events).order_by(s.events.c.id))]


def test_good_rows_go_in_typed_and_refused_rows_are_named_by_row_column_and_reason(
        workspace_file, tmp_path, capsys) -> None:
    file = write(tmp_path, HEADER +
                 "c1,ann@example.com,+31 6 1234 5678,34,yes,2024-03-01,hello\n"
                 "c2,bob@,+31600000000,41,no,2024-03-02T10:00:00+01:00,\n"
                 'c3,"carl@example.com,,,,,\n'
                 "c4,dee@example.com,,29,true,,x,extra\n"
                 "c5,eve@example.com,12,30,false,,\n"
                 ",fay@example.com,,30,false,,\n"
                 "c7,gus@example.com,,2.5e3,false,2024-03-03 08:00,\"two\nlines\"\n")
    assert imported(workspace_file, str(file)) == 1  # the good rows are in
    out = capsys.readouterr().out
    assert "imported 2 contacts (2 new, 0 updated)" in out and "5 rows refused" in out
    for problem in ("row 3, column Email: 'bob@' is not an email address",
                    "row 4: a quoted value starts here and is never closed",
                    "row 5: 8 values where the header has 7 columns",
                    "row 6, column Phone: '12' is not a phone number",
                    "row 7, column id: empty: every contact needs an id"):
        assert problem in out
    people = contacts(workspace_file)
    assert set(people) == {"c1", "c7"}
    assert people["c1"].attributes == {"age": 34, "vip": True,
                                       "signed_up": "2024-03-01T00:00:00Z", "notes": "hello"}
    assert people["c7"].attributes == {"age": 2500.0, "vip": False, "notes": "two\nlines",
                                       "signed_up": "2024-03-03T08:00:00Z"}
    assert people["c1"].phone == "+31 6 1234 5678" and people["c1"].email == "ann@example.com"


def test_the_mapping_names_fields_forces_types_renames_and_skips(workspace_file, tmp_path,
                                                                  capsys) -> None:
    with Workspace.open(workspace_file) as ws, writing(ws.db) as conn:
        # the workspace declares `score` a number
        catalog_store.save_contact_attributes(conn, [AttributeDef(name="score", type="number")])
    file = write(tmp_path, "Customer,Mail,Zip,Score,Secret\n"
                           "k1,ann@example.com,02139,7,x\nk2,bob@example.com,10001,n/a,y\n")
    assert imported(workspace_file, str(file), "--map", "Customer=id", "--map", "Mail=email",
                    "--map", "Zip=attr.postcode:text", "--map", "Secret=skip",
                    "--dry-run") == 1
    out = capsys.readouterr().out
    assert "Zip → attribute postcode (text, mapped)" in out
    assert "Score → attribute score (number, declared)" in out
    assert "Secret → skipped" in out
    assert "row 3, column Score: expected a number" in out and "got 'n/a'" in out
    assert "would import 1 contact (" in out and contacts(workspace_file) == {}
    assert imported(workspace_file, str(file), "--map", "Customer=id", "--map",
                    "Zip=attr.postcode:text", "--map", "Secret=skip") == 1
    assert contacts(workspace_file)["k1"].attributes == {"postcode": "02139", "score": 7,
                                                         "mail": "ann@example.com"}


def test_a_file_that_cannot_be_imported_says_why_and_imports_nothing(workspace_file,
                                                                     tmp_path, capsys) -> None:
    no_id = write(tmp_path, "name,email\nAnn,ann@example.com\n")
    assert imported(workspace_file, str(no_id)) == 2
    assert "no column holds the contact's id: name it with --map COLUMN=id" in \
        capsys.readouterr().err
    assert imported(workspace_file, str(no_id), "--map", "nmae=id") == 2
    assert "--map nmae=…: there is no column 'nmae' (the columns: name, email)" in \
        capsys.readouterr().err
    assert imported(workspace_file, str(no_id), "--map", "name=attr:colour") == 2
    assert "TYPE one of text, number, boolean, datetime" in capsys.readouterr().err
    assert contacts(workspace_file) == {}


def test_a_file_in_another_encoding_is_named_with_the_byte_and_the_option_to_use(
        workspace_file, tmp_path, capsys) -> None:
    latin = write(tmp_path, "id,firstname\nz1,Zo\xeb\n".encode("latin-1"), "latin.csv")
    assert imported(workspace_file, str(latin)) == 2
    error = capsys.readouterr().err
    assert "row 2: byte 18 (0xeb) is not utf-8 text" in error
    assert "run again with --encoding cp1252" in error
    assert imported(workspace_file, str(latin), "--encoding", "latin-1") == 0
    utf16 = write(tmp_path, "id,firstname\nz2,Zoë\n".encode("utf-16"), "utf16.csv")
    assert imported(workspace_file, str(utf16)) == 2
    assert "the file is UTF-16" in capsys.readouterr().err
    assert imported(workspace_file, str(utf16), "--encoding", "utf-16") == 0
    people = contacts(workspace_file)
    assert people["z1"].attributes == people["z2"].attributes == {"firstname": "Zoë"}


def test_a_row_updates_its_contact_and_an_empty_cell_changes_nothing(workspace_file,
                                                                      tmp_path) -> None:
    with Workspace.open(workspace_file) as ws:
        ws.save_contact(Contact(id="c1", email="old@example.com", phone="+31600000000",
                                timezone="Europe/Amsterdam", attributes={"tier": "gold"}))
    file = write(tmp_path, "id,email,phone,city\nc1,new@example.com,,Delft\n")
    assert imported(workspace_file, str(file)) == 0
    person = contacts(workspace_file)["c1"]
    assert (person.email, person.phone, person.timezone) == \
        ("new@example.com", "+31600000000", "Europe/Amsterdam")
    assert person.attributes == {"tier": "gold", "city": "Delft"}


def test_a_row_with_the_id_of_an_earlier_row_is_laid_over_it_and_said(workspace_file,
                                                                        tmp_path, capsys
                                                                        ) -> None:
    """An export listing a person twice: the later row's cells go over the earlier's, as
    an update would, and the report names the rows (it used to count an "update" of a
    contact the same file had just made, and say nothing), also across batches."""
    with Workspace.open(workspace_file) as ws:
        ws.save_contact(Contact(id="c9", email="c9@example.com"))
    file = write(tmp_path, "id,email,city\nc1,a@example.com,Delft\nc2,b@example.com,\n"
                           "c9,,Gouda\nc1,,Leiden\nc3,c@example.com,\nc9,new@example.com,\n")
    with Workspace.open(workspace_file) as ws:
        report = import_contacts_csv(ws, file, batch_rows=2)
    assert (report.created, report.updated, report.imported) == (3, 1, 4)
    assert [str(r) for r in report.repeated] == [
        "row 5: c1 is also on row 2; this row's cells were laid over that row's",
        "row 7: c9 is also on row 4; this row's cells were laid over that row's"]
    people = contacts(workspace_file)
    assert (people["c1"].email, people["c1"].attributes) == ("a@example.com",
                                                            {"city": "Leiden"})
    assert (people["c9"].email, people["c9"].attributes) == ("new@example.com",
                                                            {"city": "Gouda"})
    capsys.readouterr()
    assert imported(workspace_file, str(file)) == 0  # a note, not a refusal
    out = capsys.readouterr().out
    assert "imported 4 contacts (0 new, 4 updated)" in out
    assert ("2 rows had the id of an earlier row, their cells laid over it: row 5 (c1, as "
            "on row 2), row 7 (c9, as on row 4).") in out


def test_business_triggers_fire_only_when_asked_as_put_contacts_fires_them(
        workspace_file, tmp_path, capsys) -> None:
    with Workspace.open(workspace_file) as ws:
        ws.save_contact(Contact(id="c1", email="old@example.com"))
    file = write(tmp_path, "id,email\nc1,new@example.com\nc2,two@example.com\n")
    assert imported(workspace_file, str(file)) == 0
    assert "business triggers not fired" in capsys.readouterr().out
    assert events(workspace_file) == []
    file = write(tmp_path, "id,email\nc1,newer@example.com\nc3,three@example.com\n")
    assert imported(workspace_file, str(file), "--fire-triggers") == 0
    assert "3 events fired" in capsys.readouterr().out
    assert events(workspace_file) == [("contact_updated", "c1"),
                                      ("contact_email_updated", "c1"),
                                      ("contact_created", "c3")]
    assert imported(workspace_file, str(file), "--fire-triggers") == 0  # the same again
    assert "0 events fired" in capsys.readouterr().out
    assert len(events(workspace_file)) == 3


def numbered(count: int) -> str:
    return "id,email\n" + "".join(f"c{i},p{i}@example.com\n" for i in range(1, count + 1))


def test_a_cancelled_import_keeps_whole_batches_and_nothing_after(workspace_file,
                                                                   tmp_path) -> None:
    file = write(tmp_path, numbered(10))
    seen = []
    with Workspace.open(workspace_file) as ws:
        report = import_contacts_csv(ws, file, batch_rows=3, progress=seen.append,
                                     cancelled=lambda: len(seen) == 2)
    assert report.cancelled and report.imported == 6 and report.last_committed_row == 7
    assert [p.row for p in seen] == [4, 7] and seen[-1].rows == 11
    assert sorted(contacts(workspace_file)) == sorted(f"c{i}" for i in range(1, 7))


def test_a_batch_that_fails_is_rolled_back_whole_and_the_report_says_what_is_in(
        workspace_file, tmp_path) -> None:
    with Workspace.open(workspace_file) as ws, writing(ws.db) as conn:
        conn.execute(text("CREATE TRIGGER full BEFORE INSERT ON contacts WHEN NEW.id = 'c5' "
                          "BEGIN SELECT RAISE(ABORT, 'the disk is full'); END"))
    file = write(tmp_path, numbered(8))
    with Workspace.open(workspace_file) as ws, pytest.raises(ImportFailed) as failed:
        import_contacts_csv(ws, file, batch_rows=2)
    assert failed.value.report.last_committed_row == 5
    assert "rows up to 5 are imported, none after" in str(failed.value)
    assert "the disk is full" in str(failed.value)
    assert sorted(contacts(workspace_file)) == ["c1", "c2", "c3", "c4"]


def test_auto_finds_the_encoding_a_spreadsheet_saved_the_file_in(workspace_file,
                                                                 tmp_path) -> None:
    for name, encoding in (("excel.csv", "cp1252"), ("utf16.csv", "utf-16"),
                           ("bom.csv", "utf-8-sig")):
        file = write(tmp_path, "id,City\nc1,Zürich €\n".encode(encoding), name)
        assert imported(workspace_file, str(file), "--encoding", "auto") == 0
        assert contacts(workspace_file)["c1"].attributes == {"city": "Zürich €"}


def test_imported_attribute_columns_can_be_declared_with_their_types(workspace_file,
                                                                     tmp_path) -> None:
    with Workspace.open(workspace_file) as ws, writing(ws.db) as conn:
        catalog_store.save_contact_attributes(conn, [AttributeDef(name="age", type="text")])
    file = write(tmp_path, "id,Age,VIP,Signed up,City\nc1,34,yes,2024-03-01,Utrecht\n")
    assert imported(workspace_file, str(file)) == 0
    with Workspace.open(workspace_file) as ws:
        assert "vip" not in ws.catalog().contact_attributes  # only when asked
    assert imported(workspace_file, str(file), "--declare-attributes") == 0
    with Workspace.open(workspace_file) as ws:
        declared = ws.catalog().contact_attributes
    assert {name: str(declared[name].type) for name in ("age", "vip", "signed_up", "city")} \
        == {"age": "text", "vip": "boolean", "signed_up": "datetime", "city": "text"}
    assert declared["signed_up"].title == "Signed up"


def test_one_of_each_is_said_in_the_singular(workspace_file, tmp_path, capsys) -> None:
    file = write(tmp_path, "id,email\nc1,a@example.com\nc2,not-an-address\n")
    capsys.readouterr()
    assert imported(workspace_file, str(file)) == 1
    out = capsys.readouterr().out
    assert "imported 1 contact (1 new, 0 updated)" in out and "s; 1 row refused" in out
