"""Contacts as the Contacts page and `waymark contacts list | delete` see them: found and
sorted in SQL, a long list read page by page, one contact edited with its consents, and
what deleting one does to their journeys."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.cli import main
from engine.contacts_admin import (
    contact_order,
    contact_with_consents,
    delete_contact,
    rows_of,
    save_contact,
)
from engine.model import ConsentRecord, Contact, DocumentError, Segment
from engine.runtime.contact_removal import NoSuchContact
from engine.store import contacts_store, segment_members_store
from engine.store import schema as s
from engine.store.contacts_search import UnknownSortError
from engine.store.database import writing
from tests.engine.journeys import thank_then_wait

PEOPLE = [
    Contact(id="ann", email="Ann.Smith@example.com", phone="+31600000001",
            attributes={"age": 9, "city": "Utrecht"}),
    Contact(id="bob", email="bob@example.com", timezone="Europe/Amsterdam",
            attributes={"age": 10, "city": "Zwolle"}),
    Contact(id="carl", phone="+31600000003", attributes={"age": 100}),
    Contact(id="dana_smith", email="dana@example.org", attributes={"city": "Amersfoort"}),
    Contact(id="eve", email="eve%@example.com", test=True),
]


@pytest.fixture
def workspace(harness_for):
    h = harness_for()
    for person in PEOPLE:
        h.workspace.save_contact(person)
    return h.workspace


def ids(rows) -> list[str]:
    return [r.id for r in rows]


def test_search_finds_text_in_the_id_email_or_phone_whatever_its_case(workspace) -> None:
    assert ids(workspace.search_contacts("SMITH")) == ["ann", "dana_smith"]
    assert ids(workspace.search_contacts("0003")) == ["carl"]
    assert workspace.count_contacts("smith") == 2
    assert workspace.count_contacts() == len(PEOPLE)
    # % and _ are letters here, not patterns
    assert ids(workspace.search_contacts("e%")) == ["eve"]
    assert ids(workspace.search_contacts("a_s")) == ["dana_smith"]
    # a picker's prefix search: only what starts with the text
    assert ids(workspace.search_contacts("b", match="prefix")) == ["bob"]


def test_sorting_by_a_column_or_an_attribute_happens_in_sql_with_ties_broken_by_id(
        workspace) -> None:
    assert ids(workspace.search_contacts(sort="email")) == [
        "carl", "ann", "bob", "dana_smith", "eve"]  # no email first, then as SQL orders
    by_age = ids(workspace.search_contacts(sort="attributes.age"))
    assert by_age[-3:] == ["ann", "bob", "carl"]  # 9, 10, 100: as numbers, not as text
    assert ids(workspace.search_contacts(sort="test", descending=True))[0] == "eve"
    with pytest.raises(UnknownSortError, match="cannot sort by 'shoe_size'"):
        workspace.search_contacts(sort="shoe_size")


def test_pages_of_a_sorted_list_never_overlap_and_agree_with_the_whole_order(
        workspace) -> None:
    for sort in ("timezone", "created_at", "attributes.city", "kind"):
        order = contact_order(workspace, sort=sort, descending=True)
        pages = [workspace.search_contacts(sort=sort, descending=True, offset=o, limit=2)
                 for o in range(0, len(PEOPLE), 2)]
        assert [r.id for page in pages for r in page] == order
        assert sorted(order) == sorted(p.id for p in PEOPLE)


def test_rows_come_back_in_the_order_asked_and_deleted_ones_are_left_out(workspace) -> None:
    delete_contact(workspace, "carl")
    rows = rows_of(workspace, ["eve", "carl", "ann"])
    assert ids(rows) == ["eve", "ann"]
    assert rows[0].test is True and rows[1].attributes == {"age": 9, "city": "Utrecht"}
    assert rows[1].created_at <= rows[1].updated_at


def test_an_edited_contacts_consents_are_saved_exactly_as_listed(workspace) -> None:
    ann = contact_with_consents(workspace, "ann")
    assert ann.consents == []
    consents = [ConsentRecord(channel="email", status="opted_in"),
                ConsentRecord(channel="email", topic="news", status="opted_out"),
                ConsentRecord(channel="sms", purpose="transactional", status="opted_in")]
    saved = save_contact(workspace, ann.model_copy(update={"consents": consents}))
    assert (saved.created, saved.events) == (False, ["contact_updated"])
    assert _consents(workspace, "ann") == {
        ("email", "commercial", "", "opted_in"), ("email", "commercial", "news", "opted_out"),
        ("sms", "transactional", "", "opted_in")}
    when = _consent_times(workspace)
    save_contact(workspace, ann.model_copy(update={"consents": consents[:2]}))
    assert _consents(workspace, "ann") == {
        ("email", "commercial", "", "opted_in"), ("email", "commercial", "news", "opted_out")}
    assert _consent_times(workspace) == {k: v for k, v in when.items() if k[1] == "email"}
    assert save_contact(workspace, ann.model_copy(update={"consents": consents[:2]})
                        ).events == []  # saved as it was: nothing changed, nothing fires


def test_a_bad_email_or_phone_is_refused_naming_the_field_and_nothing_is_saved(
        workspace) -> None:
    with pytest.raises(DocumentError) as refused:
        save_contact(workspace, Contact(id="zed", email="zed@"))
    assert refused.value.path == "$.email"
    with pytest.raises(DocumentError) as refused:
        save_contact(workspace, Contact(id="zed", phone="call me"))
    assert refused.value.path == "$.phone"
    assert workspace.contact("zed") is None
    created = save_contact(workspace, Contact(id="zed", email="zed@example.com"))
    assert (created.created, created.events) == (True, ["contact_created"])


def test_deleting_a_contact_ends_their_runs_and_keeps_what_happened(harness_for) -> None:
    h = harness_for(thank_then_wait())
    h.person("ann")
    h.person("bob")
    h.workspace.save_segment(Segment(id="vip", name="VIP", kind="static"))
    with writing(h.workspace.db) as conn:
        contacts_store.set_consent(conn, "ann@example.com", "email", "commercial", "",
                                   "opted_out")
        segment_members_store.add_members(conn, "vip", ["ann", "bob"])
    h.fire("order_placed", "ann", total=5)
    h.fire("order_placed", "bob", total=5)
    assert [r.status for r in h.runs("ann")] == ["waiting"]

    assert delete_contact(h.workspace, "ann") == 1
    [run] = h.runs("ann")
    assert (run.status, run.end_reason, run.tile_id) == ("exited", "contact deleted", "wait")
    assert h.counters()[("wait", "exited", "contact deleted")] == 1
    assert [r.status for r in h.runs("bob")] == ["waiting"]  # nobody else is touched
    assert h.workspace.contact("ann") is None
    with h.workspace.db.connect() as conn:
        assert segment_members_store.member_ids(conn, "vip") == ["bob"]
        assert contacts_store.consents_for(conn, "ann@example.com", "email") == {
            ("commercial", ""): "opted_out"}  # the address's opt-out outlives the contact
        assert conn.execute(select(s.ledger.c.contact_id)).scalars().all() == ["ann", "bob"]
    h.advance(timedelta(days=2))
    assert [r.status for r in h.runs("ann")] == ["exited"]  # the wait's end wakes nothing
    with pytest.raises(NoSuchContact, match="there is no contact 'ann'"):
        delete_contact(h.workspace, "ann")


def test_contacts_list_and_delete_on_the_command_line(workspace, capsys) -> None:
    where = ["--workspace", workspace.location]
    assert main(["contacts", "list", "--search", "smith", "--sort", "email", "--desc",
                 *where]) == 0
    out = capsys.readouterr().out
    assert out.index("dana_smith") < out.index("ann") and " of " not in out  # all shown
    assert main(["contacts", "list", "--sort", "email", "--offset", "1", "--limit", "2",
                 *where]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "2–3 of 5"
    assert main(["contacts", "list", "--sort", "attributes.age", "--limit", "1", "--json",
                 *where]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["total"] == 5 and listed["contacts"][0]["id"] in ("dana_smith", "eve")
    assert main(["contacts", "list", "--sort", "size", *where]) == 2
    assert "cannot sort by 'size'" in capsys.readouterr().err
    assert main(["contacts", "delete", "bob", *where]) == 0
    assert "deleted bob" in capsys.readouterr().out
    assert main(["contacts", "delete", "bob", *where]) == 2
    assert "there is no contact 'bob'" in capsys.readouterr().err


def _consents(workspace, contact_id: str) -> set[tuple[str, str, str, str]]:
    contact = contact_with_consents(workspace, contact_id)
    return {(str(c.channel), str(c.purpose), c.topic, c.status) for c in contact.consents}


def _consent_times(workspace) -> dict[tuple, float]:
    with workspace.db.connect() as conn:
        return {(r.contact_point, r.channel, r.purpose, r.topic): r.updated_at
                for r in conn.execute(select(s.consents))}
