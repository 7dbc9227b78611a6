"""A generated audience: N people drawn from distributions, as a `Scenario`.

`waymark simulate BUNDLE --generate SPEC.json` reads an `AudienceSpec`, checks it against
the bundle (triggers, their attributes and types, the journey's message tiles) and turns
it into an ordinary scenario, so the simulator runs it unchanged. The same spec and seed
always give the same scenario: every draw comes from generators seeded by the spec's seed
and the section they serve, so adding a behaviour does not reshuffle the people.
"""

from __future__ import annotations

import difflib
import random
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field, FiniteFloat, ValidationError, model_validator

from engine.model import (
    MESSAGE_KINDS,
    SPECIAL_ATTRIBUTES,
    AttributeDef,
    AttributeType,
    Bundle,
    Catalog,
    Contact,
    DocumentError,
    RecordAction,
    RecordSource,
    TriggerKind,
    interaction_trigger_name,
    parse_json,
)
from engine.model.base import DocModel
from engine.model.conditions import Op
from engine.model.durations import parse_duration
from engine.model.errors import from_validation_error

from .collector import fewer_collections
from .scenario import (
    Interaction,
    JourneyItem,
    Scenario,
    check_lifecycle_order,
    period_problem,
    when,
)

MAX_PEOPLE = 1_000_000
MAX_JOURNEY_CHANGES = 20  # a pause and a resume a day for ten days; more is a spec gone wrong
# An interaction drawn at the very moment of entry would come before the message is sent.
EARLIEST = timedelta(minutes=1)


class AudienceError(DocumentError):
    """A spec that does not fit the bundle, naming the field ($.behaviours[1].does.tile)."""


# --- distributions ---------------------------------------------------------------------


# Numbers in a spec are finite: 1e999 reads as infinity, which drew an infinite cart
# total (or, made whole, stopped the generator with an OverflowError).
class NormalParams(DocModel):
    mean: FiniteFloat
    sd: FiniteFloat = Field(ge=0)
    min: FiniteFloat | None = Field(default=None,
                                    description="draws below are clipped to it")
    max: FiniteFloat | None = Field(default=None,
                                    description="draws above are clipped to it")


DISTRIBUTIONS = ("uniform", "normal", "choice", "constant")


class Distribution(DocModel):
    """Exactly one of uniform, normal, choice, constant. One model rather than a union, so
    that a mistake is reported at its own field ($.entry.attributes.cart_total.unifrom)."""

    uniform: tuple[FiniteFloat, FiniteFloat] | None = Field(
        default=None, description="[low, high], drawn evenly")
    normal: NormalParams | None = None
    choice: dict[str, FiniteFloat] | None = Field(
        default=None, min_length=1,
        description="value -> weight (keys are read as the attribute's type)")
    constant: bool | int | FiniteFloat | str | None = None
    digits: int = Field(default=2, ge=0, le=6,
                        description="decimals kept by uniform and normal; 0 for whole numbers")

    @property
    def form(self) -> str:
        return next(name for name in DISTRIBUTIONS if getattr(self, name) is not None)

    @model_validator(mode="after")
    def _one_form(self) -> Distribution:
        given = [name for name in DISTRIBUTIONS if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join(DISTRIBUTIONS)}")
        if self.uniform is not None and self.uniform[0] > self.uniform[1]:
            raise ValueError("uniform: low must not be above high")
        if self.choice is not None and (any(w < 0 for w in self.choice.values())
                                        or not sum(self.choice.values()) > 0):
            raise ValueError("choice: weights must be zero or more, and not all zero")
        return self


Share = Annotated[float, Field(ge=0, le=1, description="a share of everyone: 0.3 is 30 %")]


# --- the spec ----------------------------------------------------------------------------


class Entry(DocModel):
    trigger: str = Field(description="the trigger each person's entry event is of")
    attributes: dict[str, Distribution] = Field(default_factory=dict)


class ContactSpec(DocModel):
    email: Share = 1.0
    phone: Share = 0.0
    push_token: Share = 0.0
    attributes: dict[str, Distribution] = Field(default_factory=dict)


class InteractionDoes(DocModel):
    kind: Literal["interaction"] = "interaction"
    tile: str = Field(description="the message tile's id")
    interaction: Interaction
    link: str | None = None


class TriggerDoes(DocModel):
    kind: Literal["trigger"] = "trigger"
    trigger: str
    attributes: dict[str, Distribution] = Field(default_factory=dict)


class Behaviour(DocModel):
    share: Share
    within: str = Field(description="a duration: the time is drawn evenly between a minute "
                                    "and this long after the person's entry (or `after`), "
                                    "on the spec's resolution")
    after: int | None = Field(default=None, ge=0, description=(
        "the index of an earlier behaviour: only people who did it do this one, timed "
        "after it (a click after an open); `share` is still a share of everyone"))
    does: Annotated[InteractionDoes | TriggerDoes, Field(discriminator="kind")]

    @model_validator(mode="after")
    def _window(self) -> Behaviour:
        try:
            window = parse_duration(self.within)
        except ValueError as exc:
            raise ValueError(f"within: {exc}") from None
        if window < EARLIEST:
            raise ValueError("within: must be at least a minute (PT1M)")
        return self


class JourneyChange(DocModel):
    """The journey paused, resumed or stopped while the simulated people go through it
    (publishing another version takes a bundle: a written scenario's journey item)."""

    at: str = Field(description="how long after the start (P2D), or an ISO date-time "
                                "with a zone")
    action: Literal["pause", "resume", "stop"]


class AudienceSpec(DocModel):
    people: int = Field(ge=1, le=MAX_PEOPLE)
    seed: int = 1
    start: AwareDatetime
    period: str = Field(default="PT0S", description="entries arrive evenly over this long "
                                                    "after the start (PT0S: all at the start)")
    end: str = Field(default="P5D", description="how long the simulation runs after the start")
    resolution: str = Field(default="PT1M", description=(
        "times are drawn in whole steps of this after the start, from a second (PT1S) to "
        "an hour (PT1H): on the minute by default, so that people who share a moment are "
        "stepped together, which a large audience needs to be fast"))
    entry: Entry
    contacts: ContactSpec = Field(default_factory=ContactSpec)
    behaviours: list[Behaviour] = Field(default_factory=list)
    journey: list[JourneyChange] = Field(
        default_factory=list, max_length=MAX_JOURNEY_CHANGES,
        description="the journey paused, resumed or stopped at these times after the start, "
                    "in order")

    @model_validator(mode="after")
    def _order(self) -> AudienceSpec:
        for name in ("period", "end"):
            try:
                when(getattr(self, name), self.start)  # a duration the calendar can hold
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from None
        try:
            step = parse_duration(self.resolution)
        except ValueError as exc:
            raise ValueError(f"resolution: {exc}") from None
        if not timedelta(seconds=1) <= step <= timedelta(hours=1) or step.microseconds:
            raise ValueError("resolution: must be whole seconds, from a second (PT1S) to an "
                             "hour (PT1H)")
        if (problem := period_problem(self.start, when(self.end, self.start))) is not None:
            raise ValueError(": ".join(problem))
        for index, behaviour in enumerate(self.behaviours):
            _check_after(index, behaviour, self.behaviours)
        self._check_journey()
        return self

    def _check_journey(self) -> None:
        """Each change at a time the calendar holds, within the simulation, in order, and
        one the journey's state allows then (no resume of a journey not paused)."""
        timeline, end = [], when(self.end, self.start)
        for index, change in enumerate(self.journey):
            try:
                at = when(change.at, self.start)
            except ValueError as exc:
                raise ValueError(f"journey[{index}].at: {exc}") from None
            if at < self.start:
                raise ValueError(f"journey[{index}].at: {change.at} is before the start")
            if at > end:
                raise ValueError(f"journey[{index}].at: {change.at} is after the simulation "
                                 f"ends ({self.end})")
            if timeline and at < timeline[-1][0]:
                raise ValueError(f"journey[{index}].at: before the change above it")
            timeline.append((at, index, JourneyItem(at=change.at, action=change.action)))
        check_lifecycle_order(timeline, "journey")


def _check_after(index: int, behaviour: Behaviour, behaviours: list[Behaviour]) -> None:
    if behaviour.after is None:
        return
    if behaviour.after >= index:
        raise ValueError(f"behaviours[{index}].after: must name an earlier behaviour")
    if behaviour.share > behaviours[behaviour.after].share:
        raise ValueError(f"behaviours[{index}].share: more than the share of "
                         f"behaviours[{behaviour.after}], which it comes after")


def load_spec(text: str | bytes, source: str = "audience spec") -> AudienceSpec:
    data = parse_json(text, source)
    try:
        return AudienceSpec.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc, data, source, text) from None


# --- checking against the bundle ---------------------------------------------------------

Sampler = Any  # Callable[[random.Random], value]


def _fail(place: str, message: str) -> AudienceError:
    return AudienceError(message, path=f"$.{place}")


def did_you_mean(name: str, known: list[str]) -> str:
    """The hint " (did you mean X?)" for the closest known name; "" when none is close."""
    close = closest(name, known)
    return f" (did you mean {close}?)" if close else ""


def closest(name: str, known: list[str]) -> str | None:
    """The known name closest to `name`, if one is close."""
    return next(iter(difflib.get_close_matches(name, known, n=1, cutoff=0.6)), None)


def _typed_key(key: str, kind: AttributeType, place: str) -> Any:
    """A choice's key (JSON keys are text) as the attribute's type."""
    if kind == AttributeType.NUMBER:
        try:
            number = float(key)
        except ValueError:
            raise _fail(place, f"{key!r} is not a number") from None
        return int(number) if number.is_integer() else number
    if kind == AttributeType.BOOLEAN:
        if key not in ("true", "false"):
            raise _fail(place, f"{key!r} is not true or false")
        return key == "true"
    return key


def _typed_constant(value: Any, kind: AttributeType, place: str) -> Any:
    fits = {AttributeType.NUMBER: isinstance(value, int | float) and not isinstance(value, bool),
            AttributeType.BOOLEAN: isinstance(value, bool)}.get(kind, isinstance(value, str))
    if not fits:
        raise _fail(place, f"a {kind.value} attribute cannot hold {value!r}")
    return value


def _rounded(value: float, digits: int) -> float | int:
    return round(value) if digits == 0 else round(value, digits)


def sampler(dist: Distribution, kind: AttributeType, place: str) -> Sampler:
    """A function of a random generator drawing one value of `kind`, or an AudienceError."""
    if kind == AttributeType.ENTITY:
        raise _fail(place, "an entity attribute (a record) cannot be generated")
    if dist.constant is not None:
        value = _typed_constant(dist.constant, kind, place + ".constant")
        return lambda rng: value
    if dist.choice is not None:
        values = [_typed_key(k, kind, f"{place}.choice") for k in dist.choice]
        weights = list(dist.choice.values())
        return lambda rng: rng.choices(values, weights)[0]
    if kind != AttributeType.NUMBER:
        raise _fail(f"{place}.{dist.form}", f"a {kind.value} attribute cannot hold numbers; "
                                            "use choice or constant")
    if dist.uniform is not None:
        low, high = dist.uniform
        return lambda rng: _rounded(rng.uniform(low, high), dist.digits)
    n = dist.normal
    low = -float("inf") if n.min is None else n.min
    high = float("inf") if n.max is None else n.max
    return lambda rng: _rounded(min(high, max(low, rng.gauss(n.mean, n.sd))), dist.digits)


def _attribute_samplers(dists: dict[str, Distribution], known: dict[str, AttributeType],
                        place: str, strict: bool = True) -> dict[str, Sampler]:
    """Unknown names are refused when `strict` (a trigger's); otherwise drawn as given."""
    samplers = {}
    for name, dist in dists.items():
        if name not in known and strict:
            raise _fail(f"{place}.{name}",
                        f"no attribute {name!r}{did_you_mean(name, list(known))}")
        kind = known.get(name) or _loose_kind(dist)
        samplers[name] = sampler(dist, kind, f"{place}.{name}")
    return samplers


def _loose_kind(dist: Distribution) -> AttributeType:
    """An undeclared contact attribute: numbers from uniform and normal, a constant's own
    type, text from a choice."""
    if dist.form in ("uniform", "normal") or (
            isinstance(dist.constant, int | float) and not isinstance(dist.constant, bool)):
        return AttributeType.NUMBER
    return AttributeType.BOOLEAN if isinstance(dist.constant, bool) else AttributeType.TEXT


def _trigger_samplers(trigger: str, dists: dict[str, Distribution], catalog: Catalog,
                      place: str) -> dict[str, Sampler]:
    definition = catalog.triggers.get(trigger)
    if definition is None:
        raise _fail(f"{place}.trigger", f"no trigger {trigger!r} in the bundle"
                                        f"{did_you_mean(trigger, list(catalog.triggers))}")
    known = {a.name: a.type for a in catalog.trigger_attributes(definition)}
    return _attribute_samplers(dists, known, f"{place}.attributes")


def drawn_attributes(catalog: Catalog, trigger: Any) -> list[AttributeDef]:
    """What a generated entry of `trigger` carries, typed: for a record trigger the
    columns of its record (the person's column aside: the generator fills it), else the
    trigger's own attributes (the person's id, contact points and binding aside, which the
    generator gives; an entity attribute neither, a record it cannot draw)."""
    record = record_source(trigger)
    if record is not None:
        table = catalog.record_tables.get(record.table)
        person = {record.person_column, *(table.person_columns if table else ())}
        return [c for c in table.columns if c.name not in person] if table else []
    special = {a.name for a in SPECIAL_ATTRIBUTES}
    return [a for a in catalog.trigger_attributes(trigger)
            if a.name not in special and a.type != AttributeType.ENTITY]


def record_source(trigger: Any) -> RecordSource | None:
    return trigger.record if trigger.kind == TriggerKind.RECORD else None


def _entry_samplers(spec: AudienceSpec, catalog: Catalog
                    ) -> tuple[dict[str, Sampler], RecordSource | None]:
    """The entry's draws, and the record source of a record trigger: its people enter by
    a change to a record about them (a support case resolved), as the trigger fires on
    it; drawn as a trigger event, nobody met the entry's "case.status equals Resolved"."""
    definition = catalog.triggers.get(spec.entry.trigger)
    record = record_source(definition) if definition is not None else None
    if record is None:
        return _trigger_samplers(spec.entry.trigger, spec.entry.attributes, catalog,
                                 "entry"), None
    if record.table not in catalog.record_tables:
        raise _fail("entry.trigger", f"{definition.name!r} changes {record.table} records, "
                                     "a table the bundle does not have")
    known = {a.name: a.type for a in drawn_attributes(catalog, definition)}
    return _attribute_samplers(spec.entry.attributes, known, "entry.attributes"), record


def _check_interaction(does: InteractionDoes, bundle: Bundle, place: str) -> None:
    tiles = {t.id: t for t in bundle.journey.tiles if t.kind in MESSAGE_KINDS}
    tile = tiles.get(does.tile)
    if tile is None:
        raise _fail(f"{place}.tile", f"no message tile {does.tile!r} in the journey"
                                     f"{did_you_mean(does.tile, list(tiles))}")
    channel = str(tile.kind)
    if does.interaction != "unsubscribed" and \
            interaction_trigger_name(channel, does.interaction) is None:
        raise _fail(f"{place}.interaction",
                    f"{channel} messages have no {does.interaction!r} ({does.tile} is {channel})")


# --- generating --------------------------------------------------------------------------


def _seconds(duration: str) -> int:
    return int(parse_duration(duration).total_seconds())


def _does(behaviour: Behaviour, index: int, bundle: Bundle, catalog: Catalog) -> Sampler:
    """A function (rng, person, seconds) -> the scenario item for one behaviour."""
    place, does = f"behaviours[{index}].does", behaviour.does
    if isinstance(does, InteractionDoes):
        _check_interaction(does, bundle, place)
        fields = does.model_dump(exclude_none=True)
        return lambda rng, person, at: {**fields, "at": at, "person": person}
    draws = _trigger_samplers(does.trigger, does.attributes, catalog, place)
    return lambda rng, person, at: {
        "kind": "trigger", "at": at, "trigger": does.trigger, "person": person,
        "attributes": {name: draw(rng) for name, draw in draws.items()}}


def generate(spec: AudienceSpec, bundle: Bundle, source: str = "audience spec",
             contacts: list[Contact] | None = None) -> Scenario:
    """The scenario of `spec`'s people, or an AudienceError naming the field that does not
    fit the bundle. Reproducible: the same spec gives the same scenario, item for item.
    Given `contacts`, they are the people (the spec's `people` and `contacts` unused)."""
    try:
        with fewer_collections():
            return _generate(spec, bundle, contacts)
    except AudienceError as error:
        raise AudienceError(error.detail, source=source, path=error.path) from None


def _generate(spec: AudienceSpec, bundle: Bundle, given: list[Contact] | None) -> Scenario:
    catalog = Catalog.from_bundle(bundle)
    entry, record = _entry_samplers(spec, catalog)
    declared = {a.name: a.type for a in catalog.contact_attributes.values()}
    contact_draws = _attribute_samplers(spec.contacts.attributes, declared,
                                        "contacts.attributes", strict=False)
    behaviours = [_does(b, i, bundle, catalog) for i, b in enumerate(spec.behaviours)]
    if given is None:
        people = [f"p{n:0{len(str(spec.people))}d}" for n in range(1, spec.people + 1)]
        contacts: list[Any] = _contacts(spec, people, contact_draws)
    else:
        people, contacts = [c.id for c in given], given
    entered = _entries(spec, people, entry, record)
    events = [item for _, items in entered for item in items]
    times: list[list[int | None]] = [[at for at, _ in entered]]
    for index, behaviour in enumerate(spec.behaviours):
        base = times[0] if behaviour.after is None else times[behaviour.after + 1]
        done, items = _behaviour(spec, index, base, people, behaviours[index])
        times.append(done)
        events += items
    events += [{"kind": "journey", "action": change.action,
                "at": f"PT{int((when(change.at, spec.start) - spec.start).total_seconds())}S"}
               for change in spec.journey]
    events.sort(key=lambda item: int(item["at"][2:-1]))  # "PT123S"; stable per person
    return Scenario.model_validate({"start": spec.start, "end": spec.end, "seed": spec.seed,
                                    "contacts": contacts, "events": events})


def _rng(spec: AudienceSpec, section: str) -> random.Random:
    return random.Random(f"{spec.seed}:{section}")


def _contacts(spec: AudienceSpec, people: list[str], draws: dict[str, Sampler]
              ) -> list[dict[str, Any]]:
    rng, shares = _rng(spec, "contacts"), spec.contacts
    contacts = []
    for number, person in enumerate(people, start=1):
        contact: dict[str, Any] = {"id": person}
        if rng.random() < shares.email:
            contact["email"] = f"{person}@example.com"
        if rng.random() < shares.phone:
            contact["phone"] = f"+3160{number:07d}"
        if rng.random() < shares.push_token:
            contact["push_token"] = f"tok-{person}"
        contact["attributes"] = {name: draw(rng) for name, draw in draws.items()}
        contacts.append(contact)
    return contacts


def _entries(spec: AudienceSpec, people: list[str], draws: dict[str, Sampler],
             record: RecordSource | None = None) -> list[tuple[int, list[dict[str, Any]]]]:
    """Each person's entry time and the scenario items that make them enter."""
    rng, period, step = _rng(spec, "entry"), _seconds(spec.period), _seconds(spec.resolution)
    entries = []
    for person in people:
        at = round(rng.uniform(0, period)) // step * step
        values = {name: draw(rng) for name, draw in draws.items()}
        if record is not None:
            entries.append((at, record_items(record, person, f"PT{at}S", values)))
            continue
        entries.append((at, [{"kind": "trigger", "at": f"PT{at}S",
                              "trigger": spec.entry.trigger, "person": person,
                              "attributes": values}]))
    return entries


def record_items(record: RecordSource, person: str, at: str, values: dict[str, Any]
                 ) -> list[dict[str, Any]]:
    """A record about `person` that fires the trigger: made with its drawn values when
    the trigger watches records made; made, then given its values (the watched columns
    among them change) when it watches records updated."""
    made = {"kind": "record", "at": at, "table": record.table, "id": f"{record.table}-{person}"}
    if record.action == RecordAction.UPDATED:
        return [{**made, "values": {record.person_column: person}}, {**made, "values": values}]
    return [{**made, "values": {record.person_column: person, **values}}]


def _behaviour(spec: AudienceSpec, index: int, base: list[int | None], people: list[str],
               make: Sampler) -> tuple[list[int | None], list[dict[str, Any]]]:
    """Who does behaviour `index` and when (None: not done), and its scenario items."""
    behaviour, rng = spec.behaviours[index], _rng(spec, f"behaviour:{index}")
    earlier = 1.0 if behaviour.after is None else spec.behaviours[behaviour.after].share
    chance = behaviour.share / earlier if earlier else 0.0
    low, high = int(EARLIEST.total_seconds()), _seconds(behaviour.within)
    step = _seconds(spec.resolution)
    done: list[int | None] = []
    items = []
    for person, since in zip(people, base, strict=True):
        if since is None or rng.random() >= chance:
            done.append(None)
            continue
        at = since + _on_step(round(rng.uniform(low, high)), step, low, high)
        done.append(at)
        items.append(make(rng, person, f"PT{at}S"))
    return done, items


def _on_step(drawn: int, step: int, low: int, high: int) -> int:
    """`drawn` (between `low` and `high` seconds) moved up to a whole step, or down when
    that is beyond `high`; kept as drawn when no whole step lies between the two."""
    up = -(-drawn // step) * step
    if up <= high:
        return up
    down = high // step * step
    return down if down >= low else drawn


# --- a spec to begin with ----------------------------------------------------------------

# of everyone, for each message: opened; clicked (within an hour of opening, where the
# channel opens); and the journey's goal within two days
STARTER_OPENED, STARTER_CLICKED, STARTER_GOAL = 0.4, 0.1, 0.05


def starter_spec(bundle: Bundle, start: datetime, people: int = 1000) -> dict[str, Any] | None:
    """A spec for a journey that has none of its own, as JSON data (valid for `load_spec`):
    its entry trigger's typed attributes drawn plainly (numbers 0 to 100, true or false,
    text "sample"), the contact points its message tiles need, for each message a share
    opening and a smaller one clicking, and a share reaching the goal. None when the
    journey does not start on a trigger of the bundle."""
    catalog = Catalog.from_bundle(bundle)
    journey = bundle.journey
    definition = catalog.triggers.get(journey.start.trigger or "")
    if definition is None:
        return None
    messages = [t for t in journey.tiles if t.kind in MESSAGE_KINDS]
    channels = {str(t.kind) for t in messages}
    behaviours: list[dict[str, Any]] = []
    for number, tile in enumerate(messages):
        # timed from the entry: the first message soon; the later ones (after waits the
        # spec cannot see) over three days
        within, opened = "PT6H" if number == 0 else "P3D", None
        if interaction_trigger_name(str(tile.kind), "opened") is not None:
            opened = len(behaviours)
            behaviours.append({"share": STARTER_OPENED, "within": within, "does": {
                "kind": "interaction", "tile": tile.id, "interaction": "opened"}})
        if interaction_trigger_name(str(tile.kind), "clicked") is not None:
            behaviours.append({"share": STARTER_CLICKED, "within": "PT1H" if opened is not None
                               else within, **({"after": opened} if opened is not None else {}),
                               "does": {"kind": "interaction", "tile": tile.id,
                                        "interaction": "clicked"}})
    goal = catalog.triggers.get(journey.goal.trigger or "") if journey.goal else None
    if goal is not None:
        behaviours.append({"share": STARTER_GOAL, "within": "P2D", "does": {
            "kind": "trigger", "trigger": goal.name, "attributes": _plain(catalog, goal)}})
    return {"people": people, "seed": 1, "start": start.isoformat(), "period": "PT12H",
            "end": "P5D",
            "entry": {"trigger": definition.name, "attributes": _entry_draws(
                catalog, definition, journey.start.conditions)},
            "contacts": {"email": 1.0, "phone": 0.5 if "sms" in channels else 0.0,
                         "push_token": 0.5 if "push" in channels else 0.0},
            "behaviours": behaviours}


def behaviour_choices(bundle: Bundle) -> list[dict[str, Any]]:
    """What people can do in a journey's simulation, as behaviours' `does`: open and
    click each message (where its channel has them), unsubscribe from each email, and do
    the goal's and the exits' triggers (their attributes drawn plainly)."""
    catalog = Catalog.from_bundle(bundle)
    journey = bundle.journey
    choices: list[dict[str, Any]] = []
    for tile in (t for t in journey.tiles if t.kind in MESSAGE_KINDS):
        channel = str(tile.kind)
        for interaction in ("opened", "clicked"):
            if interaction_trigger_name(channel, interaction) is not None:
                choices.append({"kind": "interaction", "tile": tile.id,
                                "interaction": interaction})
        if channel == "email":
            choices.append({"kind": "interaction", "tile": tile.id,
                            "interaction": "unsubscribed"})
    rules = [journey.goal] if journey.goal is not None else []
    for name in dict.fromkeys(r.trigger for r in [*rules, *journey.exits] if r.trigger):
        if (trigger := catalog.triggers.get(name)) is not None:
            choices.append({"kind": "trigger", "trigger": name,
                            "attributes": _plain(catalog, trigger)})
    return choices


_PLAIN = {AttributeType.NUMBER: {"uniform": [0, 100], "digits": 0},
          AttributeType.BOOLEAN: {"choice": {"true": 1, "false": 1}},
          AttributeType.TEXT: {"constant": "sample"}}


def _entry_draws(catalog: Catalog, trigger: Any, conditions: Any) -> dict[str, Any]:
    """The entry's plain draws (a record trigger's: its record's columns), those its
    entry conditions ask about replaced by draws meeting them where the attribute can
    hold them (a condition on an attribute the trigger does not have, or with a value of
    another type, keeps the plain draw: the made spec must never be one the person is
    told is wrong)."""
    attributes = drawn_attributes(catalog, trigger)
    draws = {a.name: dict(_PLAIN[a.type]) for a in attributes if a.type in _PLAIN}
    kinds = {a.name: a.type for a in attributes}
    record = record_source(trigger)
    for name, draw in _meeting(conditions, record.table if record else None).items():
        if name not in draws:
            continue
        try:
            sampler(Distribution.model_validate(draw), kinds[name], name)
        except (AudienceError, ValidationError):
            continue
        draws[name] = draw
    return draws


def _meeting(conditions: Any, table: str | None = None) -> dict[str, Any]:
    """Draws that meet the entry's conditions on the trigger's own attributes (or, for a
    record trigger, its `table`'s columns: `case.status`) for most people (an equals as
    the constant it asks for, a bound as a range around it that passes about two in
    three): with plain draws most people stopped at the entry."""
    draws: dict[str, Any] = {}
    for leaf in conditions.leaves() if conditions is not None else []:
        name = leaf.attribute
        if table is not None and name.startswith(f"{table}."):
            name = name[len(table) + 1:]
        if leaf.source != "trigger" or "." in name:
            continue  # another record's column, the contact's, a segment: not drawn here
        value = leaf.value
        if leaf.op in (Op.EQ, Op.EQUALS) and value is not None:
            draws[name] = {"constant": value}
        elif leaf.op in (Op.IS_TRUE, Op.IS_FALSE):
            draws[name] = {"constant": leaf.op == Op.IS_TRUE}
        elif leaf.op == Op.BETWEEN:
            draws[name] = {"uniform": sorted(value), "digits": 0}
        elif leaf.op in (Op.GT, Op.GE) and isinstance(value, int | float):
            draws[name] = {"uniform": [value / 2, value * 2.5], "digits": 0}
        elif leaf.op in (Op.LT, Op.LE) and isinstance(value, int | float):
            draws[name] = {"uniform": [0, value * 1.5], "digits": 0}
    return draws


def _plain(catalog: Catalog, trigger: Any) -> dict[str, Any]:
    """Plain draws of a trigger's own attributes (not the person's id and contact points,
    which the generator gives; not records or dates, which it cannot draw plainly)."""
    special = {a.name for a in SPECIAL_ATTRIBUTES}
    return {a.name: dict(_PLAIN[a.type]) for a in catalog.trigger_attributes(trigger)
            if a.name not in special and a.type in _PLAIN}
