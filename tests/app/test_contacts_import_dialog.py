"""Importing a CSV file through the Contacts page's dialog: the columns as the engine reads
them, a broken row named by its row, the good rows in, the encoding found or refused
with the row and byte, and a cancel that leaves whole batches."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from app.pages.contacts import ContactsPage
from tests.app.contacts_support import shown_page, write_csv


@pytest.fixture
def page(qtbot, prompts, themes, tmp_path):
    with shown_page(qtbot, ContactsPage, tmp_path / "w.waymark", prompts) as page:
        yield page


def open_dialog(page, prompts, qtbot, file):
    prompts.files_to_open = [file]
    page.import_csv()
    dialog = page.importer
    qtbot.waitUntil(lambda: dialog.start.isEnabled() or dialog.problem.isVisible(),
                    timeout=5000)
    return dialog


def imported_ids(page) -> set[str]:
    return {r.id for r in page.store.workspace.search_contacts(limit=10_000)}


def test_a_file_with_a_broken_row_imports_the_good_rows_and_names_the_broken_one(
        page, prompts, qtbot, tmp_path) -> None:
    file = write_csv(tmp_path / "people.csv", [
        "Customer ID,E-mail,Age,VIP,Signed up",
        "c1,ann@example.com,34,yes,2024-03-01",
        "c2,bob@,41,no,2024-03-02",
        "c3,carl@example.com,29",
        "c4,dee@example.com,52,no,2024-01-09"])
    dialog = open_dialog(page, prompts, qtbot, file)
    assert dialog.encoding.currentText() == "utf-8"
    assert [(c.header, c.field, c.attribute, str(c.type) if c.type else None)
            for c in dialog.preview.columns] == [
        ("Customer ID", "id", "", None), ("E-mail", "email", "", None),
        ("Age", "attribute", "age", "number"), ("VIP", "attribute", "vip", "boolean"),
        ("Signed up", "attribute", "signed_up", "datetime")]
    assert dialog.rows_table.item(2, 0).text() == "broken: 3 values where the header has " \
                                                  "5 columns"
    with qtbot.waitSignal(page.status, timeout=10_000) as said:
        dialog.start.click()
        qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
    assert said.args == ["Imported 2 contacts from people.csv; 2 rows refused"]
    assert dialog.steps.currentWidget() is dialog.result
    assert dialog.result.summary.text().startswith("Imported 2 contacts (2 new, 0 updated)")
    dialog.result.copy.click()
    assert QGuiApplication.clipboard().text() == (
        "row 3, column E-mail: 'bob@' is not an email address\n"
        "row 4: 3 values where the header has 5 columns")
    assert imported_ids(page) == {"c1", "c4"}
    assert page.store.contact("c1").attributes == {"age": 34, "vip": True,
                                                  "signed_up": "2024-03-01T00:00:00Z"}
    assert page.store.catalog().contact_attributes["vip"].type == "boolean"  # declared
    qtbot.waitUntil(lambda: page.model.total == 2)


def test_a_person_listed_twice_is_imported_once_and_the_report_names_the_rows(
        page, prompts, qtbot, tmp_path) -> None:
    file = write_csv(tmp_path / "people.csv", [
        "Customer ID,E-mail,City", "c1,ann@example.com,Delft", "c2,bob@example.com,Gouda",
        "c1,,Leiden"])
    dialog = open_dialog(page, prompts, qtbot, file)
    dialog.start.click()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
    assert dialog.result.summary.text().splitlines()[:2] == [
        "Imported 2 contacts (2 new, 0 updated) in "
        f"{dialog.report.seconds:.1f} s; 0 rows refused.",
        "1 row had the id of an earlier row, its cells laid over it: row 4 (c1, as on "
        "row 2)."]
    assert page.store.contact("c1").attributes == {"city": "Leiden"}


def test_the_first_rows_show_their_values_whole(page, prompts, qtbot, tmp_path) -> None:
    """Seen in a real window: every column of the first rows was 120 px, so an email
    address read "ann@example.…" while the table's right half stayed empty."""
    file = write_csv(tmp_path / "people.csv", [
        "id,email,note", "c-1,annabel.lee-worthington@example.com,hi",
        f"c-2,bo@example.com,{'x' * 400}"])
    dialog = open_dialog(page, prompts, qtbot, file)
    table = dialog.rows_table
    metrics = table.fontMetrics()
    email = table.item(0, 1)
    assert metrics.horizontalAdvance(email.text()) < table.columnWidth(1)
    assert table.columnWidth(2) <= 320 and table.item(1, 2).toolTip() == "x" * 400
    dialog.reject()


def test_a_type_changed_in_the_mapping_is_the_type_imported(page, prompts, qtbot,
                                                            tmp_path) -> None:
    file = write_csv(tmp_path / "people.csv", ["id,Zip,Notes", "c1,01234,x", "c2,9999,y"])
    dialog = open_dialog(page, prompts, qtbot, file)
    assert str(dialog.preview.columns[1].type) == "number"
    row = 1
    dialog.mapping.cellWidget(row, 4).set_value("text")
    dialog.mapping.cellWidget(row, 4).value_chosen.emit("text")
    dialog.mapping.cellWidget(2, 2).set_value("skip")
    dialog.mapping.cellWidget(2, 2).value_chosen.emit("skip")
    qtbot.waitUntil(lambda: dialog.preview.columns[2].field == "skip"
                    and str(dialog.preview.columns[1].type) == "text", timeout=5000)
    assert dialog.preview.columns[1].how == "mapped"
    dialog.start.click()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
    assert page.store.contact("c1").attributes == {"zip": "01234"}  # the leading 0 kept


def test_the_encoding_is_found_and_a_wrong_one_is_refused_naming_row_and_byte(
        page, prompts, qtbot, tmp_path) -> None:
    file = write_csv(tmp_path / "excel.csv", ["id;City", "c1;Zürich", "c2;Köln €"],
                     encoding="cp1252")
    dialog = open_dialog(page, prompts, qtbot, file)
    assert dialog.encoding.currentText() == "cp1252"
    assert dialog.rows_table.item(1, 1).text() == "Köln €"
    dialog.encoding.setCurrentText("utf-8")
    dialog.encoding.activated.emit(0)
    qtbot.waitUntil(dialog.problem.isVisible, timeout=5000)
    assert dialog.problem.text() == ("excel.csv: row 2: byte 12 (0xfc) is not utf-8 text: "
                                     "choose the encoding it was saved in (it looks like "
                                     "cp1252)")
    assert not dialog.start.isEnabled()
    assert imported_ids(page) == set()


def test_cancel_mid_import_leaves_whole_batches_and_says_up_to_which_row(
        page, prompts, qtbot, tmp_path) -> None:
    rows = 5000
    file = write_csv(tmp_path / "many.csv", ["id,email"] + [
        f"c{i},p{i}@example.com" for i in range(rows)])
    dialog = open_dialog(page, prompts, qtbot, file)
    dialog.batch_rows = 100
    progress = []
    dialog.progressed.connect(lambda p: (progress.append(p), dialog.cancel()))
    dialog.start.click()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20_000)
    report = dialog.report
    assert report.cancelled and progress
    assert 0 < report.imported < rows
    assert report.imported % 100 == 0  # whole batches, never part of one
    assert report.imported == report.last_committed_row - 1  # every row up to it, no more
    assert len(imported_ids(page)) == report.imported
    assert f"the good rows up to row {report.last_committed_row:,} are imported, none " \
           "after it" in dialog.result.summary.text()


def test_clicking_import_with_the_encoding_field_focused_imports_at_once(
        page, prompts, qtbot, tmp_path) -> None:
    """The dialog opens with the focus in the encoding field; the click that takes it
    away must still import (it once read the file again and swallowed the click)."""
    file = write_csv(tmp_path / "people.csv", ["id,email", "c1,ann@example.com"])
    dialog = open_dialog(page, prompts, qtbot, file)
    dialog.activateWindow()
    dialog.encoding.lineEdit().setFocus()
    qtbot.waitUntil(dialog.encoding.lineEdit().hasFocus, timeout=5000)
    qtbot.mouseClick(dialog.start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
    assert imported_ids(page) == {"c1"}


def test_the_dialog_fits_the_screen_it_opens_on(page, prompts, qtbot, tmp_path) -> None:
    """Seen in a real 1366×768 window: the dialog opened 760 px tall, its Import button at
    the screen's bottom edge; it takes at most nine tenths of the screen's free area."""
    file = write_csv(tmp_path / "people.csv", ["id,email", "c-1,ann@example.com"])
    dialog = open_dialog(page, prompts, qtbot, file)
    area = dialog.screen().availableGeometry()
    assert dialog.height() <= area.height() * 9 // 10
    assert dialog.width() <= area.width() * 9 // 10
    dialog.reject()
