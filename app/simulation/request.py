"""What the Simulate dialog asks for, checked field by field, and the `waymark simulate`
arguments it becomes (no Qt here: the dialog shows the fields, this says what they mean).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from engine.model import Bundle, DocumentError, read_bundle, tile_title
from engine.model.durations import humanize_duration, parse_duration
from engine.simulation.audience import MAX_PEOPLE, generate, load_spec
from engine.simulation.replay import columns_of, header_of, mapping_problem, role_problems
from engine.validation import validate_bundle
from engine.validation.problems import Severity

GENERATED, CONTACTS, REPLAY = "generated", "contacts", "replay"
ROWS_REPORTED = 10_000  # a replay's refused rows the studio reads, to group by reason
# the spec's fields the dialog's fields replace, and what the dialog calls them
FIELD_NAMES = {"people": "People", "seed": "Seed", "start": "Start",
               "period": "Spread of entries", "end": "Simulated period",
               "journey": "Journey changes"}


class RequestError(ValueError):
    """A field of the dialog that cannot be simulated; `field` is its label."""

    def __init__(self, field_name: str, why: str) -> None:
        self.field = field_name
        super().__init__(f"{field_name}: {why}")


@dataclass(frozen=True)
class AudienceFields:
    """The generated audience as the dialog's fields say it; they override the spec's."""

    spec: dict  # the spec file's content
    spec_source: str  # its name, for errors
    people: int
    seed: int
    start: datetime
    spread: str  # entries arrive over this long (the spec's "period")
    period: str  # how long the simulation runs (the spec's "end")
    resolution: str = "PT1M"  # the grain of the drawn times (the spec's "resolution")


@dataclass(frozen=True)
class CompareWith:
    """B of a comparison, run on the same audience and seed as A: a version of the
    journey (None: the draft on the canvas) or a bundle file."""

    label: str  # how the results name it: "version 1 (live)", "the draft", "other.json"
    version: int | None = None
    bundle: Path | None = None


@dataclass(frozen=True)
class SimulationRequest:
    version: int | None  # None: the draft on the canvas
    source: str  # GENERATED, CONTACTS or REPLAY
    spec: dict = field(default_factory=dict)  # the effective audience spec
    segment: str | None = None  # with CONTACTS: only this segment's members
    workspace: str = ""  # with CONTACTS: the workspace whose contacts they are
    replay: Path | None = None  # with REPLAY: the events file
    columns: tuple[str, ...] = ()  # with REPLAY: COLUMN=FIELD
    period: str = "P5D"  # with REPLAY: how long after the last event
    compare: CompareWith | None = None  # run B too, on the same audience and seed

    @property
    def label(self) -> str:
        return "the draft" if self.version is None else f"version {self.version}"

    def arguments(self, bundle: Path, spec_file: Path, other: Path | None = None
                  ) -> list[str]:
        """The `waymark simulate` arguments (the runner adds --summary --json --keep
        --progress); `spec_file` is where `spec` was written, `other` B's bundle."""
        return [*self._audience(bundle, spec_file),
                *(["--compare", str(other)] if other is not None else [])]

    def _audience(self, bundle: Path, spec_file: Path) -> list[str]:
        if self.source == REPLAY:
            maps = [part for column in self.columns for part in ("--map", column)]
            # many more refused rows than the command prints (50): the results group them
            # by reason; not all, a hostile file's 200,000 took 0.7 s to group
            return [str(bundle), "--replay", str(self.replay), *maps, "--end", self.period,
                    "--problems", str(ROWS_REPORTED)]
        arguments = [str(bundle), "--generate", str(spec_file)]
        if self.source == CONTACTS:
            arguments[1:1] = ["--contacts", *(["--segment", self.segment] if self.segment
                                              else [])]
            arguments += ["--workspace", self.workspace]
        return arguments

    def write_spec(self, folder: Path) -> Path:
        path = folder / "audience.json"
        path.write_text(json.dumps(self.spec, indent=2, ensure_ascii=False), encoding="utf-8")
        return path


def read_spec(path: Path) -> dict:
    """A spec file's content; RequestError("Spec file", why) when it cannot be one."""
    try:
        text = path.read_bytes()
        load_spec(text, path.name)
        return json.loads(text)
    except OSError as exc:
        raise RequestError("Spec file", f"{path.name}: cannot read it ({exc.strerror})") \
            from None
    except DocumentError as exc:
        raise RequestError("Spec file", str(exc)) from None


def check_runnable(bundle: Bundle, field_name: str, label: str) -> None:
    """A draft that cannot be published cannot be simulated (the simulation publishes it
    in its throw-away workspace): refused here, naming its problems by tile, rather than
    failing in `waymark simulate` with a temporary folder's path, tile ids and codes."""
    problems = [p for p in validate_bundle(bundle) if p.severity == Severity.ERROR]
    if not problems:
        return
    names = {tile.id: tile_title(tile) for tile in bundle.journey.tiles}  # as the canvas
    listed = "; ".join(f"{names.get(p.tile_id, p.tile_id) if p.tile_id else 'Journey settings'}"
                       f": {p.message}" for p in problems[:3])
    more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
    count = "a problem" if len(problems) == 1 else f"{len(problems)} problems"
    raise RequestError(field_name, f"{label} has {count} to fix before it can run, as "
                                   f"Problems lists: {listed}{more}")


def compare_with(version: int | None, choice: tuple[str, int | None] | None,
                 label: str, bundle_file: Path | None) -> CompareWith | None:
    """The "Compare with" choice: nothing, ("version", N or None for the draft) or
    ("file", None) with `bundle_file`; RequestError("Compare with", why) when it cannot be
    B of `version`."""
    if choice is None:
        return None
    kind, other = choice
    if kind == "version":
        if other == version:
            raise RequestError("Compare with", f"{label} is the one simulated: choose "
                                               "another version, a bundle file or nothing")
        return CompareWith(label, version=other)
    if bundle_file is None:
        raise RequestError("Compare with", "choose the bundle file to compare with")
    try:
        read_bundle(bundle_file)
    except DocumentError as exc:
        raise RequestError("Compare with", str(exc)) from None
    return CompareWith(bundle_file.name, bundle=bundle_file)


def replay_request(version: int | None, path_text: str, columns_text: str,
                   period: str) -> SimulationRequest:
    path = _replay_file(path_text)
    if path is None:
        raise RequestError("Replay file", "choose a file of events that exists")
    columns = _columns(columns_text)
    mapping = _mapping(columns)
    problem = mapping_problem(mapping)
    if problem:
        raise RequestError("Columns", problem)
    header = _header(path)
    if header is not None:
        _check_columns(header, mapping)
    _duration("Simulated period", period, allow_zero=False)
    return SimulationRequest(version, REPLAY, replay=path, columns=columns,
                             period=period.strip())


def _replay_file(path_text: str) -> Path | None:
    """The file the field names ("~/exports/carts.csv" too), or None when it names none."""
    path = Path(path_text.strip()).expanduser()
    return path if path_text.strip() and path.is_file() else None


def _columns(columns_text: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in columns_text.split(",") if c.strip())


def _mapping(columns: tuple[str, ...]) -> dict[str, str]:
    mapping = {}
    for column in columns:
        name, _, field_name = column.partition("=")
        if not name.strip() or not field_name.strip():
            raise RequestError("Columns", f"{column!r}: write COLUMN=FIELD, e.g. "
                                          "cart_value=cart_total")
        mapping[name.strip()] = field_name.strip()
    return mapping


def _header(path: Path) -> list[str] | None:
    try:
        return header_of(path)
    except OSError as exc:
        raise RequestError("Replay file", f"{path.name}: cannot read it ({exc.strerror})") \
            from None
    except DocumentError as exc:
        raise RequestError("Replay file", f"{path.name}: {exc.args[0]}") from None


# headers likely to be a role no column is (the first such is suggested)
LIKELY = {"person": ("customer", "user", "contact", "client", "member", "email"),
          "time": ("when", "date", "time", "created"),
          "trigger": ("event", "type", "action")}


def _check_columns(header: list[str], mapping: dict[str, str]) -> None:
    """What `waymark simulate --replay` would refuse before reading a row, said of the
    Columns field (the engine's words name its --map option)."""
    listed = ", ".join(header)
    for name in mapping:
        if name not in header:
            raise RequestError("Columns", f"{name}=…: the file has no column {name!r} (its "
                                          f"columns: {listed})")
    columns = columns_of(header, mapping)
    for role, named in role_problems(columns):
        if named:
            raise RequestError("Columns", f"{named[0]!r} and {named[1]!r} are both the "
                                          f"{role}: keep one, and map the other to what it "
                                          f"is or to skip ({named[1]}=skip)")
        free = [c.header for c in columns if c.role not in ("trigger", "person", "time")]
        likely = next((h for word in LIKELY[role] for h in free if word in h.lower()),
                      "COLUMN")
        raise RequestError("Columns", f"no column is the {role}: add {likely}={role} if "
                                      f"that is it (the file's columns: {listed})")


def describe_columns(path_text: str, columns_text: str) -> str:
    """What each column of a CSV replay file is, as the Columns field maps them ("when →
    time, event → trigger, total"), or how a JSON-lines file names them; "" when there is
    no such file or the mapping is not written out yet."""
    path = _replay_file(path_text)
    if path is None:
        return ""
    try:
        header = header_of(path)
        mapping = _mapping(_columns(columns_text))
    except (OSError, DocumentError, RequestError):
        return ""
    if header is None:  # JSON lines: no header to read, each line names its own fields
        return ("JSON lines: each line names its fields (trigger, person, time, the "
                "attributes); Columns renames them")
    return "In the file: " + ", ".join(
        f"{column.header} → {column.attribute if column.role == 'attribute' else column.role}"
        if column.role != "attribute" or column.attribute != column.header else column.header
        for column in columns_of(header, mapping))


def effective_spec(fields: AudienceFields, bundle: Bundle) -> dict:
    """The spec with the fields' values, checked against the bundle; RequestError names
    the field (or the spec file's place) that is wrong."""
    spread = _duration("Spread of entries", fields.spread, allow_zero=True)
    period = _duration("Simulated period", fields.period, allow_zero=False)
    if spread >= period:
        raise RequestError("Spread of entries", f"{humanize_duration(spread)} is not shorter "
                           f"than the simulated period ({humanize_duration(period)}): the "
                           "last to enter would never be simulated")
    if not 1 <= fields.people <= MAX_PEOPLE:
        raise RequestError("People", f"between 1 and {MAX_PEOPLE:,}")
    spec = {**copy.deepcopy(fields.spec), "people": fields.people, "seed": fields.seed,
            "start": fields.start.isoformat(), "period": fields.spread.strip(),
            "end": fields.period.strip(), "resolution": fields.resolution}
    try:
        # one person is enough to check every name the spec uses against the bundle
        generate(load_spec(json.dumps({**spec, "people": 1}), fields.spec_source), bundle,
                 fields.spec_source)
    except DocumentError as exc:
        raise _named(exc) from None
    return spec


def _duration(label: str, text: str, allow_zero: bool) -> timedelta:
    try:
        duration = parse_duration(text)
    except ValueError as exc:
        raise RequestError(label, str(exc)) from None
    if duration < timedelta(0):
        raise RequestError(label, f"{humanize_duration(duration)} is negative")
    if duration == timedelta(0) and not allow_zero:
        raise RequestError(label, "must be longer than zero (e.g. 5 days)")
    return duration


def _named(error: DocumentError) -> RequestError:
    top = error.path.removeprefix("$.").split(".")[0].split("[")[0]
    if top in FIELD_NAMES:
        return RequestError(FIELD_NAMES[top], error.detail)
    return RequestError("Spec file", str(error))
