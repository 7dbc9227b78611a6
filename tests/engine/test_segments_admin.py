"""Segments as the Segments page and `waymark segments` see them: the member count of a
segment being edited, counted in SQL; the journeys that use one; static member lists;
conditions on attributes contacts do not have, warned."""

from __future__ import annotations

import pytest

from engine.cli import main
from engine.model import (
    Condition,
    ConditionGroup,
    Contact,
    Segment,
    StartSettings,
)
from engine.segments_admin import (
    SegmentInUse,
    add_members,
    delete_segment,
    journeys_using,
    member_count,
    members,
    new_segment_id,
    read_member_ids,
    remove_members,
    segment_problems,
)
from tests.engine.journeys import thank_then_wait


def where(attribute: str, op: str, value=None) -> ConditionGroup:
    return ConditionGroup(items=[Condition(source="contact", attribute=attribute, op=op,
                                           value=value)])


def in_segment(segment_id: str) -> ConditionGroup:
    return ConditionGroup(items=[Condition(source="segment", attribute=segment_id,
                                           op="in_segment")])


BIG = Segment(id="big-spenders", name="Big spenders", condition=where("spent", "ge", 100))
VIP = Segment(id="vip", name="VIP", kind="static")
LOYAL_BIG = Segment(id="loyal-big", name="Loyal and big", condition=in_segment("big-spenders"))


def people(h, count: int = 10) -> None:
    for i in range(count):
        h.workspace.save_contact(Contact(id=f"p{i}", attributes={"spent": i * 25}))


def test_the_member_count_follows_a_segment_as_it_is_edited_before_it_is_saved(
        harness_for) -> None:
    h = harness_for()
    people(h)
    assert member_count(h.workspace, BIG) == 6  # 100, 125, … 225
    edited = BIG.model_copy(update={"condition": where("spent", "lt", 50)})
    assert member_count(h.workspace, edited) == 2
    assert h.workspace.catalog().segments == {}  # counting saved nothing
    h.workspace.save_segment(BIG)
    assert member_count(h.workspace, LOYAL_BIG) == 6  # a segment of a segment


def test_a_static_segment_counts_the_listed_ids_that_are_contacts(harness_for) -> None:
    h = harness_for()
    people(h, 3)
    h.workspace.save_segment(VIP)
    added = add_members(h.workspace, "vip", ["p0", "p1", " p1 ", "later", ""])
    assert (added.added, added.already, added.not_contacts) == (3, 0, ["later"])
    assert member_count(h.workspace, VIP) == 2
    again = add_members(h.workspace, "vip", ["p1", "p2"])
    assert (again.added, again.already) == (1, 1)
    assert members(h.workspace, "vip") == (["later", "p0", "p1", "p2"], 4)
    assert remove_members(h.workspace, "vip", ["p0", "nobody"]) == 1
    h.workspace.save_contact(Contact(id="later"))
    assert member_count(h.workspace, VIP) == 3


def test_the_journeys_using_a_segment_are_found_in_drafts_and_running_versions(
        harness_for) -> None:
    bundle = thank_then_wait(start=StartSettings(trigger="order_placed",
                                                 exclusions=["loyal-big"],
                                                 reentry={"mode": "always"}))
    h = harness_for(bundle.model_copy(update={"segments": [BIG, LOYAL_BIG]}))
    h.workspace.save_segment(VIP)
    draft = h.workspace.new_journey("Only a draft")
    draft.start.exclusions = ["vip"]
    h.workspace.save_journey(draft)

    uses = {(u.journey_id, u.where) for u in journeys_using(h.workspace, "big-spenders")}
    assert uses == {("test-journey", "draft"), ("test-journey", "live v1")}  # via loyal-big
    assert [(u.journey_name, u.where) for u in journeys_using(h.workspace, "vip")] == [
        ("Only a draft", "draft")]
    with pytest.raises(SegmentInUse, match=r"Test journey \(live v1\)"):
        delete_segment(h.workspace, "big-spenders")
    assert "big-spenders" in h.workspace.catalog().segments
    delete_segment(h.workspace, "vip")  # a draft only: it will show "unknown segment"
    assert "vip" not in h.workspace.catalog().segments


def test_a_condition_on_an_attribute_contacts_do_not_have_is_warned(harness_for) -> None:
    h = harness_for()
    catalog = h.workspace.catalog()
    assert segment_problems(catalog, Segment(id="s", name="S", condition=where(
        "city", "equals", "Utrecht"))) == []
    [problem] = segment_problems(catalog, BIG)
    assert problem == "condition: contacts have no attribute 'spent'"
    looping = Segment(id="s", name="S", condition=in_segment("s"))
    assert "cannot contain itself" in segment_problems(
        catalog.__class__.build(segments=[looping]), looping)[-1]


def test_member_ids_are_read_from_a_list_or_a_csv_files_id_column(tmp_path) -> None:
    plain = tmp_path / "ids.txt"
    plain.write_text("p1\n\np2\n", encoding="utf-8")
    table = tmp_path / "ids.csv"
    table.write_bytes("name;Contact_ID\nJosé;p3\nAnn;p4\n".encode("cp1252"))
    assert read_member_ids(plain) == ["p1", "p2"]
    assert read_member_ids(table) == ["p3", "p4"]


def test_segments_on_the_command_line(harness_for, tmp_path, capsys) -> None:
    h = harness_for()
    people(h, 4)
    segment_file = tmp_path / "big.json"
    segment_file.write_text(BIG.model_copy(update={"condition": where("spent", "ge", 50)})
                            .model_dump_json(), encoding="utf-8")
    at = ["--workspace", h.workspace.location]
    assert main(["segments", "save", str(segment_file), *at]) == 0
    assert "warning: condition: contacts have no attribute 'spent'" in capsys.readouterr().out
    h.workspace.save_segment(VIP)
    assert main(["segments", "members", "vip", "--add", "p1", "p9", *at]) == 0
    assert "not contacts (yet): p9" in capsys.readouterr().out
    assert main(["segments", "list", *at]) == 0
    out = capsys.readouterr().out
    assert "big-spenders  Big spenders  dynamic  2" in out and "vip  " in out
    assert main(["segments", "show", "big-spenders", *at]) == 0
    assert "members now: 2" in capsys.readouterr().out
    assert main(["segments", "members", "big-spenders", "--add", "p1", *at]) == 2
    assert main(["segments", "delete", "nope", *at]) == 2
    assert new_segment_id(h.workspace, "VIP") == "vip-2"


def test_member_ids_that_are_no_ids_are_left_out_and_named(harness_for, tmp_path,
                                                           capsys) -> None:
    """A file's id with a control character, or longer than a contact's id, was listed:
    on PostgreSQL it failed the whole file (a NUL, or 200 characters in a 128 column)."""
    h = harness_for()
    people(h, 2)
    h.workspace.save_segment(VIP)
    ids = tmp_path / "ids.txt"
    ids.write_text("p1\nbad\x00id\n" + "x" * 200 + "\np2\n", encoding="utf-8")
    at = ["--workspace", h.workspace.location]
    assert main(["segments", "members", "vip", "--from", str(ids), *at]) == 0
    out = capsys.readouterr().out
    assert "added 2 (0 listed already)" in out
    assert "refused 'bad\\x00id': must not contain the NUL character" in out
    assert "longer than 128 characters" in out
    assert members(h.workspace, "vip") == (["p1", "p2"], 2)
