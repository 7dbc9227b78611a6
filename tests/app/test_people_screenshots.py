"""Screenshots of the Contacts and Segments pages for people to look at
(tests/screenshots/): the contacts table with a search, the contact editor refusing a
time zone, the CSV import's column mapping and its report, and the segment editor with
its live count — light and dark."""

from __future__ import annotations

import pytest

from app.pages.contacts import ContactsPage
from app.pages.segments import SegmentsPage
from engine.model import AttributeDef, Condition, ConditionGroup, Segment
from engine.store import catalog_store
from engine.store.database import writing
from engine.workspace import Workspace
from tests.app.contacts_support import fill, shown_page, write_csv
from tests.app.test_engine_screenshots import shoot


@pytest.fixture
def shop(tmp_path):
    location = tmp_path / "shop.waymark"
    fill(location, 5000)
    with Workspace.open(location) as workspace, writing(workspace.db) as conn:
        catalog_store.save_contact_attributes(conn, [
            AttributeDef(name="age", type="number", title="Age"),
            AttributeDef(name="vip", type="boolean", title="VIP"),
            AttributeDef(name="first_name", type="text", title="First name")])
    return location


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_screenshots_of_the_contacts_page_and_its_dialogs(qtbot, prompts, themed, shop,
                                                          tmp_path, mode) -> None:
    themed(mode)
    with shown_page(qtbot, ContactsPage, shop, prompts, (1400, 780)) as page:
        qtbot.waitUntil(lambda: page.model.total == 5000, timeout=5000)
        qtbot.wait(50)
        shoot(page, f"contacts-table-{mode}", ratio=1.0)
        qtbot.keyClicks(page.search, "son12")
        qtbot.waitUntil(lambda: page.model.total == 111, timeout=5000)
        shoot(page, f"contacts-search-{mode}", ratio=1.0)
        page.table.selectRow(0)
        page.edit_selected()
        page.editor.timezone.setCurrentText("Mars/Olympus_Mons")
        page.editor.save_button.click()
        shoot(page.editor, f"contact-editor-refused-{mode}", ratio=1.0)
        page.editor.reject()
        shoot_import(page, prompts, qtbot, tmp_path, mode)


def shoot_import(page, prompts, qtbot, tmp_path, mode: str) -> None:
    file = write_csv(tmp_path / "people.csv", [
        "Customer ID,E-mail,Mobile,Age,VIP,Signed up,City",
        "n1,ann@example.com,+31 6 1234 5678,34,yes,2024-03-01,Utrecht",
        "n2,bob@,+31600000002,41,no,2024-03-02,Zwolle",
        "n3,carl@example.com,29",
        "n4,dee@example.com,,52,no,2024-01-09,Delft",
        "n5,eve@example.com,+31600000005,sixty,no,2024-02-11,Gouda"])
    prompts.files_to_open = [file]
    page.import_csv()
    dialog = page.importer
    qtbot.waitUntil(dialog.start.isEnabled, timeout=5000)
    shoot(dialog, f"contacts-import-mapping-{mode}", ratio=1.0)
    dialog.start.click()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
    shoot(dialog, f"contacts-import-report-{mode}", ratio=1.0)
    dialog.accept()


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_screenshots_of_the_segment_editor(qtbot, prompts, themed, shop, mode) -> None:
    themed(mode)
    with Workspace.open(shop) as workspace:
        workspace.save_segment(Segment(
            id="older-vips", name="Older VIPs", description="60 and over, VIP",
            condition=ConditionGroup(items=[
                Condition(source="contact", attribute="age", op="ge", value=60),
                Condition(source="contact", attribute="vip", op="is_true"),
                Condition(source="contact", attribute="shoe_size", op="exists")])))
        workspace.save_segment(Segment(id="press", name="Press list", kind="static"))
    with shown_page(qtbot, SegmentsPage, shop, prompts, (1300, 820)) as page:
        qtbot.waitUntil(lambda: "of 5,000 contacts" in page.editor.count.text(),
                        timeout=5000)
        qtbot.wait(50)
        shoot(page, f"segment-editor-{mode}", ratio=1.0)
