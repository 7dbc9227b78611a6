"""Every validation rule: a journey that breaks it, and the same journey mended."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from engine.delivery.compliance import STANDARD_FOOTER_HTML
from engine.delivery.settings import DeliverySettings, SenderProfile
from engine.model import (
    Arm,
    AttributeBranchTile,
    Branch,
    Condition,
    ConditionGroup,
    Edge,
    EmailContent,
    EmailTile,
    ExitRule,
    ExitTile,
    Goal,
    Journey,
    Schedule,
    Segment,
    SmsTile,
    SplitTile,
    StartSettings,
    TriggerDefinition,
    TriggerTile,
    WaitForTile,
    WaitTile,
)
from engine.validation import Stage, validate
from tests.engine.builders import ORDER_PLACED, WELCOME, catalog, chain, simple_journey

VIP = Segment(id="vip", name="VIP", condition=ConditionGroup(
    items=[Condition(source="contact", attribute="country", op="equals", value="NL")]))


def codes(journey: Journey, cat=None, delivery=None) -> set[str]:
    return {p.code for p in validate(journey, cat or catalog(segments=[VIP]),
                                     delivery=delivery)}


def edit(journey: Journey, fn: Callable[[Journey], None]) -> Journey:
    copy = journey.model_copy(deep=True)
    fn(copy)
    return copy


def branchy(n_branches: int = 1, **kw) -> Journey:
    branches = [Branch(id=f"b{i}", name=f"B{i}", condition=ConditionGroup(items=[
        Condition(attribute="total", op="gt", value=i)])) for i in range(n_branches)]
    tiles = [TriggerTile(id="start"), AttributeBranchTile(id="br", branches=branches),
             ExitTile(id="end")]
    edges = [Edge(source="start", target="br"), Edge(source="br", port="other", target="end")]
    edges += [Edge(source="br", port=b.id, target="end") for b in branches]
    return Journey(id="j", name="J", start=StartSettings(trigger="order_placed"),
                   tiles=tiles, edges=edges, **kw)


def split(mode: str, arms: list[Arm]) -> Journey:
    tiles = [TriggerTile(id="start"), SplitTile(id="sp", mode=mode, arms=arms),
             ExitTile(id="end")]
    edges = [Edge(source="start", target="sp")]
    edges += [Edge(source="sp", port=a.id, target="end") for a in arms]
    return Journey(id="j", name="J", start=StartSettings(trigger="order_placed"),
                   tiles=tiles, edges=edges)


def wait_for(**fields) -> Journey:
    return chain(TriggerTile(id="start"), EmailTile(id="mail", content="welcome"),
                 WaitForTile(id="wf", **fields), ExitTile(id="end"))


def wire_wait_for(journey: Journey) -> Journey:
    journey.edges = [e for e in journey.edges if e.source != "wf"]
    journey.edges += [Edge(source="wf", port="yes", target="end"),
                      Edge(source="wf", port="no", target="end")]
    return journey


def nested_wait_fors(depth: int) -> Journey:
    tiles = [TriggerTile(id="start")] + [WaitForTile(id=f"w{i}", trigger="order_placed")
                                          for i in range(depth)] + [ExitTile(id="end")]
    edges = [Edge(source="start", target="w0")]
    for i in range(depth):
        target = f"w{i + 1}" if i + 1 < depth else "end"
        edges += [Edge(source=f"w{i}", port="yes", target=target),
                  Edge(source=f"w{i}", port="no", target="end")]
    return Journey(id="j", name="J", start=StartSettings(trigger="order_placed"),
                   tiles=tiles, edges=edges)


def segment_journey(**start) -> Journey:
    settings = {"segments": ["vip"], "schedule": Schedule(at="2026-12-01T09:00:00Z"), **start}
    return simple_journey(type="segment", start=StartSettings(**settings))


def two_paths_to_wait_for(through_message: bool) -> Journey:
    """start -> split -> (a: email) -> wait-for on that email; (b) -> wait-for directly."""
    tiles = [TriggerTile(id="start"),
             SplitTile(id="sp", arms=[Arm(id="a", percent=50), Arm(id="b", percent=50)]),
             EmailTile(id="mail", content="welcome"),
             WaitForTile(id="wf", message="mail", interaction="opened"), ExitTile(id="end")]
    edges = [Edge(source="start", target="mail" if through_message else "sp"),
             Edge(source="mail", target="wf")]
    if through_message:
        tiles.pop(1)
    else:
        edges += [Edge(source="sp", port="a", target="mail"),
                  Edge(source="sp", port="b", target="wf")]
    edges += [Edge(source="wf", port="yes", target="end"),
              Edge(source="wf", port="no", target="end")]
    return Journey(id="j", name="J", start=StartSettings(trigger="order_placed"),
                   tiles=tiles, edges=edges)


@dataclass
class Rule:
    code: str
    bad: Callable[[], Journey]
    good: Callable[[], Journey]
    cat: Callable[[], object] | None = None
    good_cat: Callable[[], object] | None = None
    delivery: DeliverySettings | None = None  # the workspace's settings, for both


COMPLIANT = WELCOME.model_copy(update={
    "html": WELCOME.html + STANDARD_FOOTER_HTML})
ADDRESSED = DeliverySettings(senders=[SenderProfile(
    name="default", from_address="news@shop.example", postal_address="1 Main St, Springfield")])


def _drop_entry(j: Journey) -> None:
    j.tiles = [t for t in j.tiles if t.kind != "trigger"]
    j.edges = [e for e in j.edges if e.source != "start"]


def _second_entry(j: Journey) -> None:
    j.tiles.append(TriggerTile(id="start2"))
    j.edges.append(Edge(source="start2", target="mail"))


RULES = [
    Rule("no-entry", lambda: edit(simple_journey(), _drop_entry), simple_journey),
    Rule("multiple-entries", lambda: edit(simple_journey(), _second_entry), simple_journey),
    Rule("edge-into-entry",
         lambda: edit(simple_journey(), lambda j: j.edges.append(
             Edge(source="wait", target="start"))), simple_journey),
    Rule("duplicate-edge",
         lambda: edit(simple_journey(), lambda j: j.edges.append(
             Edge(source="mail", target="wait"))), simple_journey),
    Rule("extra-edge",
         lambda: edit(simple_journey(), lambda j: j.edges.append(
             Edge(source="mail", target="end"))), simple_journey),
    Rule("unknown-port",
         lambda: edit(simple_journey(), lambda j: j.edges.append(
             Edge(source="end", target="wait"))), simple_journey),
    Rule("no-successor",
         lambda: edit(simple_journey(), lambda j: j.edges.pop()), simple_journey),
    Rule("unreachable",
         lambda: edit(simple_journey(), lambda j: j.tiles.append(ExitTile(id="lost"))),
         simple_journey),
    Rule("cycle",
         lambda: edit(simple_journey(), lambda j: j.edges.__setitem__(
             2, Edge(source="wait", target="mail"))), simple_journey),
    Rule("too-many-branches", lambda: branchy(26), lambda: branchy(25)),
    Rule("no-branches", lambda: branchy(0), lambda: branchy(1)),
    Rule("duplicate-branch",
         lambda: split("percent", [Arm(id="a", percent=50), Arm(id="a", percent=50)]),
         lambda: split("percent", [Arm(id="a", percent=50), Arm(id="b", percent=50)])),
    Rule("split-arms", lambda: split("percent", [Arm(id="a", percent=100)]),
         lambda: split("percent", [Arm(id="a", percent=60), Arm(id="b", percent=40)])),
    Rule("split-total", lambda: split("percent", [Arm(id="a", percent=60),
                                                  Arm(id="b", percent=30)]),
         lambda: split("percent", [Arm(id="a", percent=70), Arm(id="b", percent=30)])),
    Rule("split-count", lambda: split("count", [Arm(id="a"), Arm(id="b")]),
         lambda: split("count", [Arm(id="a", count=100), Arm(id="b")])),
    Rule("branch-depth", lambda: nested_wait_fors(9), lambda: nested_wait_fors(8)),
    Rule("duration-range",
         lambda: chain(TriggerTile(id="s"), WaitTile(id="w", duration="P91D"), ExitTile(id="e")),
         lambda: chain(TriggerTile(id="s"), WaitTile(id="w", duration="P90D"), ExitTile(id="e"))),
    Rule("no-entry-trigger", lambda: simple_journey(start=StartSettings()), simple_journey),
    Rule("unknown-trigger",
         lambda: simple_journey(start=StartSettings(trigger="nope")), simple_journey),
    Rule("unknown-attribute",
         lambda: simple_journey(start=StartSettings(trigger="order_placed", conditions=(
             ConditionGroup(items=[Condition(attribute="order.missing", op="exists")])))),
         lambda: simple_journey(start=StartSettings(trigger="order_placed", conditions=(
             ConditionGroup(items=[Condition(attribute="order.total", op="gt", value=5)]))))),
    Rule("bad-operator",
         lambda: simple_journey(start=StartSettings(trigger="order_placed", conditions=(
             ConditionGroup(items=[Condition(attribute="total", op="contains", value="5")])))),
         lambda: simple_journey(start=StartSettings(trigger="order_placed", conditions=(
             ConditionGroup(items=[Condition(attribute="total", op="ge", value=5)]))))),
    Rule("unknown-segment",
         lambda: simple_journey(start=StartSettings(trigger="order_placed",
                                                    exclusions=["ghosts"])),
         lambda: simple_journey(start=StartSettings(trigger="order_placed",
                                                    exclusions=["vip"]))),
    Rule("trigger-with-segments",
         lambda: simple_journey(start=StartSettings(trigger="order_placed", segments=["vip"])),
         simple_journey),
    Rule("segment-with-trigger", lambda: segment_journey(trigger="order_placed"),
         segment_journey),
    Rule("no-segment", lambda: segment_journey(segments=[]), segment_journey),
    Rule("no-schedule", lambda: segment_journey(schedule=None), segment_journey),
    Rule("no-content",
         lambda: chain(TriggerTile(id="s"), EmailTile(id="m"), ExitTile(id="e")),
         lambda: chain(TriggerTile(id="s"), EmailTile(id="m", content="welcome"),
                       ExitTile(id="e"))),
    Rule("unknown-content",
         lambda: chain(TriggerTile(id="s"), EmailTile(id="m", content="gone"), ExitTile(id="e")),
         lambda: chain(TriggerTile(id="s"), EmailTile(id="m", content="welcome"),
                       ExitTile(id="e"))),
    Rule("channel-mismatch",
         lambda: chain(TriggerTile(id="s"), SmsTile(id="m", content="welcome"), ExitTile(id="e")),
         lambda: chain(TriggerTile(id="s"), SmsTile(id="m", content="text"), ExitTile(id="e"))),
    Rule("bad-contact-point",
         lambda: chain(TriggerTile(id="s"), EmailTile(id="m", content="welcome",
                                                      send_to="contact.phone"), ExitTile(id="e")),
         lambda: chain(TriggerTile(id="s"), EmailTile(id="m", content="welcome",
                                                      send_to="trigger.contactpoint_email"),
                       ExitTile(id="e"))),
    Rule("wait-for-nothing", lambda: wire_wait_for(wait_for()),
         lambda: wire_wait_for(wait_for(trigger="order_placed"))),
    Rule("unknown-message", lambda: wire_wait_for(wait_for(message="end", interaction="opened")),
         lambda: wire_wait_for(wait_for(message="mail", interaction="opened"))),
    Rule("bad-interaction",
         lambda: wire_wait_for(chain(TriggerTile(id="start"), SmsTile(id="mail", content="text"),
                                     WaitForTile(id="wf", message="mail", interaction="opened"),
                                     ExitTile(id="end"))),
         lambda: wire_wait_for(chain(TriggerTile(id="start"), SmsTile(id="mail", content="text"),
                                     WaitForTile(id="wf", message="mail",
                                                 interaction="delivered"),
                                     ExitTile(id="end")))),
    Rule("unknown-link",
         lambda: wire_wait_for(wait_for(message="mail", interaction="clicked",
                                        link="https://elsewhere.example")),
         lambda: wire_wait_for(wait_for(message="mail", interaction="clicked",
                                        link="https://shop.example/a"))),
    Rule("message-not-before", lambda: two_paths_to_wait_for(False),
         lambda: two_paths_to_wait_for(True)),
    Rule("unknown-trigger",  # a goal
         lambda: simple_journey(goal=Goal(trigger="never_defined")),
         lambda: simple_journey(goal=Goal(trigger="order_placed"))),
    Rule("unknown-trigger",  # an exit
         lambda: simple_journey(exits=[ExitRule(trigger="never_defined")]),
         lambda: simple_journey(exits=[ExitRule(trigger="email_opened")])),
    Rule("content-not-ready", simple_journey, simple_journey,
         cat=lambda: catalog(EmailContent(id="welcome", name="W", subject="Hi"))),
    Rule("trigger-not-ready", simple_journey, simple_journey,
         cat=lambda: catalog(triggers=[ORDER_PLACED.model_copy(update={"state": "draft"})])),
    Rule("trigger-stopped", simple_journey, simple_journey,
         cat=lambda: catalog(triggers=[ORDER_PLACED.model_copy(update={"state": "stopped"})])),
    Rule("content-template", simple_journey, simple_journey,
         cat=lambda: catalog(WELCOME.model_copy(update={"subject": "Hi {{ contact.firstname"}))),
    Rule("content-variable", simple_journey, simple_journey,
         cat=lambda: catalog(WELCOME.model_copy(update={"subject": "Hi {{ trigger.totl }}"}))),
    Rule("content-compliance", simple_journey, simple_journey, delivery=ADDRESSED,
         good_cat=lambda: catalog(COMPLIANT)),
]


@pytest.mark.parametrize("rule", RULES, ids=[f"{i}-{r.code}" for i, r in enumerate(RULES)])
def test_each_rule_flags_the_broken_journey_and_passes_the_mended_one(rule: Rule) -> None:
    broken_catalog = rule.cat() if rule.cat else None
    assert rule.code in codes(rule.bad(), broken_catalog, rule.delivery)
    assert rule.code not in codes(rule.good(), rule.good_cat() if rule.good_cat else None,
                                  rule.delivery)


def test_every_code_the_validator_declares_has_a_rule_here() -> None:
    from engine.validation.codes import CODES

    assert set(CODES) == {r.code for r in RULES}


def test_a_clean_journey_has_no_problems() -> None:
    assert validate(simple_journey(), catalog()) == []


def test_publish_problems_are_separate_from_design_problems() -> None:
    draft = catalog(EmailContent(id="welcome", name="W", subject="Hi"))
    problems = validate(simple_journey(), draft)
    assert [(p.code, p.stage) for p in problems] == [("content-not-ready", Stage.PUBLISH)]
    assert validate(simple_journey(), draft, publish=False) == []


def test_problems_name_the_tile_and_say_what_to_do() -> None:
    journey = edit(simple_journey(), lambda j: j.edges.pop())
    [problem] = [p for p in validate(journey, catalog()) if p.code == "no-successor"]
    assert problem.line() == (
        "wait: no-successor: this tile leads nowhere: connect it to the next step or an exit")


def test_a_branch_path_left_open_is_named_by_its_label() -> None:
    journey = wire_wait_for(wait_for(trigger="order_placed"))
    journey.edges = [e for e in journey.edges if e.port != "no"]
    [problem] = validate(journey, catalog())
    assert problem.tile_id == "wf"
    assert "the No path leads nowhere" in problem.message


def test_bad_operator_message_names_the_type_and_the_allowed_operators() -> None:
    journey = next(r for r in RULES if r.code == "bad-operator").bad()
    [problem] = [p for p in validate(journey, catalog()) if p.code == "bad-operator"]
    assert "'total' is a number attribute" in problem.message
    assert "between" in problem.message


def test_a_custom_trigger_condition_on_a_special_attribute_is_fine() -> None:
    journey = simple_journey(start=StartSettings(trigger="order_placed", conditions=(
        ConditionGroup(items=[Condition(attribute="contactpoint_email", op="exists")]))))
    assert validate(journey, catalog()) == []


def test_validation_never_raises_on_odd_but_loadable_documents() -> None:
    odd = Journey(id="j", name="J", tiles=[WaitForTile(id="w", message="w", interaction="opened"),
                                          TriggerTile(id="t")],
                  edges=[Edge(source="w", port="yes", target="w"),
                         Edge(source="t", port="zzz", target="t")])
    found = codes(odd, catalog(triggers=[TriggerDefinition(name="x", title="X")]))
    assert {"cycle", "unknown-port", "edge-into-entry", "unknown-message"} <= found
