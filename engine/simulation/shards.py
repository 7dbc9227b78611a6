"""A simulation in parts: its people split over processes, one per core.

People in a journey do not meet, with a few exceptions, and a scenario is split only
when none can happen:
- a *split by count* fills its arms with everyone's entries; *record* items change
  business records that any person's trigger can read; a version that stops taking
  people in (an entry window that closes, a scenario that pauses, stops or publishes)
  completes when the last of everyone has left it; and steps older than the trail's
  retention are pruned on a schedule that depends on everyone: such simulations run in
  one process (`why_one_process` says why);
- *contact points*: frequency caps and consents count per address, so people who share
  one (their contact's fields the journey sends to, the trigger attributes it sends to,
  a consent's contact point) are kept together.

Each process runs the ordinary `Simulator` on its `Portion` (its people's contacts,
memberships and items; every journey item) in a workspace of its own, numbering its rows
apart (`engine.store.numbering`); at the end the workspaces are joined into the first
one, which is then what a single process would have left: the same people, the same
steps and the same summary (random split arms are drawn from the person and their
entry time, not from a run's number). `tests/engine/test_simulation_shards.py` holds
the two to each other. A throw-away simulation (no folder to keep) is not joined: each
part counts the summary of its people and the parent adds them up.

Processes are forked (Linux): the scenario is already in memory and is not copied. On
other systems, or for a small audience (a process costs about half a second to start
and join), the simulation runs in one process.
"""

from __future__ import annotations

import contextlib
import ctypes
import heapq
import multiprocessing
import os
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.delivery.contact_points import TRIGGER_FALLBACK, normalise_phone
from engine.model import Bundle, EmailTile, PushTile, SmsTile, SplitTile
from engine.model.conditions import resolve_path
from engine.runtime.clock import SimulatedClock
from engine.runtime.records import StepRecord
from engine.store.numbering import SPAN, join_workspaces
from engine.store.steps_store import RETENTION
from engine.workspace import Workspace

from .collector import fewer_collections
from .full_disk import NoRoom, full_disk, saying_full_disk
from .lifecycle_items import SimulationError
from .scenario import ContactItem, JourneyItem, RecordItem, Scenario, TriggerItem
from .simulator import Portion, SimulationResult, Simulator
from .summary import added_parts, summary_of, summary_part

WORKSPACE = "simulation.waymark"
OUTBOX = "simulation-outbox"  # beside it (`Workspace.outbox_dir`)
FEWEST_PEOPLE = 2_000  # below this one process is quicker than starting another
# A throw-away simulation's processes each take their people in parts of about this many,
# one after another, each in a workspace of its own: a 50,000-person part was 11 % slower
# per person than a 5,000 one (a workspace that outgrows SQLite's cache, a bigger heap),
# and 100,000 people in ten parts on two processes took 69.8 s against 77.7 s in two, in
# the same phase of this machine (`tests/perf/test_simulation_perf.py`); each part costs
# ~0.3 s to prepare and count. A kept simulation is not cut further: its parts' workspaces
# are joined.
PART_PEOPLE = 10_000
PROGRESS_EVERY = 500  # steps between a process's progress figures


def processes_for(people: int) -> int:
    """How many processes a simulation of this many people is worth on this machine."""
    if people < FEWEST_PEOPLE or not sys.platform.startswith("linux"):
        return 1
    return max(1, min(_cores(), 8, people // (FEWEST_PEOPLE // 2)))


def parts_for(people: int, processes: int) -> int:
    """How many parts a throw-away simulation's people are cut into: about PART_PEOPLE
    each, as many for every process (30,000 people on two processes are four parts of
    7,500, not three of 10,000: with three, one process ran two parts while the other,
    done with its one, waited 10 s of a 27 s run)."""
    rounds = max(1, -(-people // (PART_PEOPLE * processes)))
    return rounds * processes


def why_one_process(bundle: Bundle, scenario: Scenario) -> str | None:
    """Why this simulation cannot be split over processes, or None when it can (a
    scenario that publishes other bundles is one of the reasons)."""
    if not sys.platform.startswith("linux"):
        return "parts are forked processes, on Linux only"
    for tile in bundle.journey.tiles:
        if isinstance(tile, SplitTile) and tile.mode == "count":
            return f"tile {tile.id} splits by count (its arms fill with everyone)"
    if any(isinstance(item, RecordItem) for item in scenario.events):
        return "the scenario changes business records (any person's trigger may read them)"
    # A version that takes no more people completes when the last of everyone leaves it;
    # after that it counts no goal and takes no lifecycle action.
    if any(isinstance(item, JourneyItem) for item in scenario.events):
        return ("the scenario pauses, resumes, stops or publishes the journey (whether a "
                "version is still running then depends on everyone in it)")
    if bundle.journey.start.window_end is not None:
        return ("the journey stops taking people in at a set time (its version completes "
                "when the last of everyone leaves it)")
    if scenario.end_time() - scenario.start > RETENTION:
        return (f"the simulated period is longer than the trail keeps steps "
                f"({RETENTION.days} days), which are pruned as it goes")
    return None


@dataclass(frozen=True)
class Progress:
    steps: int  # steps of all processes so far
    at: datetime  # the simulated time the slowest process has reached
    applied: int = 0  # the scenario's items applied by all processes so far
    stage: str | None = None  # FINISHING: every step is taken; joining, counting remain


FINISHING = "finishing"
AUDIENCE = "audience"  # before the steps: the audience is generated or read
STAGES = {AUDIENCE: "preparing the audience", FINISHING: "counting the results"}  # in words


def simulate_for_summary(bundle: Bundle, scenario: Scenario, workdir: Path | None,
                         base: Path | None = None, processes: int | None = None,
                         on_progress: Callable[[Progress], None] | None = None,
                         outbox: bool = True
                         ) -> tuple[dict[str, Any], SimulationResult, str | None]:
    """What `waymark simulate --summary` prints: the summary, the result (notes, the
    journey's moments, the number of steps) and, when the simulation ran in one process
    though more were asked for or worth it, why. `processes`: None for as many as the
    audience is worth on this machine (`processes_for`); more than `most_processes()` are
    not started (the result's notes say so). `outbox` False: a workspace kept in `workdir`
    has no outbox (see `simulate_in_parts`)."""
    wanted = processes_for(_people(scenario)) if processes is None else processes
    capped = min(wanted, most_processes())
    reason = why_one_process(bundle, scenario) if capped > 1 else None
    result = simulate_in_parts(bundle, scenario, 1 if reason else capped, workdir,
                               base=base, on_progress=on_progress, outbox=outbox)
    if capped < wanted and not reason:
        result.notes.insert(0, f"{capped} processes, not {wanted}: the cores this process "
                               "may use (more would share them and take more memory)")
    return summary_of(result.summary), result, reason


def most_processes() -> int:
    """The most processes a simulation starts, however many are asked for: one per core
    this process may use, and two on a single core (the people split as on any machine)."""
    return max(2, _cores())


def _cores() -> int:
    """The cores this process may use, not the host's (Linux; elsewhere one process runs)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


def simulate_in_parts(bundle: Bundle, scenario: Scenario, parts: int, workdir: Path | None,
                      base: Path | None = None,
                      on_progress: Callable[[Progress], None] | None = None,
                      outbox: bool = True) -> SimulationResult:
    """Like `Simulator(...).run()` without records (their number is `steps`), with the
    journey's summary (`result.summary`): the workspace kept in `workdir`, when given, is
    the joined one. Without `workdir` nobody will see the workspace, so the parts are not
    joined: each summarises its people and their figures are added up (joining a
    100,000-person simulation's workspaces took longer than summarising the parts).
    Raises SimulationError as the simulator does (the first process's to fail; the
    others are stopped). `outbox` False: the workspace is kept without an outbox, its
    messages counted and not finished, as a throw-away one's (the studio reads no
    message file: for 20,000 people it wrote 24,000, 99 MB, and removed them again)."""
    if parts > 1 and workdir is not None:
        portions = split_people(scenario, parts, bundle)
        if len(portions) > 1:
            return _run_parts(bundle, scenario, _each_alone(portions), workdir, base,
                              on_progress, keep=True, outbox=outbox)
    elif parts > 1:
        portions = split_people(scenario, parts_for(_people(scenario), parts), bundle)
        if len(portions) > 1:
            shares = [portions[n::parts] for n in range(min(parts, len(portions)))]
            with tempfile.TemporaryDirectory(prefix="waymark-sim-") as folder:
                return _run_parts(bundle, scenario, shares, Path(folder), base, on_progress,
                                  keep=False, outbox=False)
    simulator = Simulator(bundle, scenario, workdir, base=base,
                          outbox=workdir is not None and outbox)
    simulator.on_record = _counting(on_progress, simulator)
    simulator.on_finish = _finishing(_summarising(simulator), on_progress, simulator)
    simulator.result.records = _Discarded()
    result = simulator.run()
    result.records = []
    return result


def _people(scenario: Scenario) -> int:
    people = {getattr(item, "person", None) for item in scenario.events}
    people.update(contact.id for contact in scenario.contacts)
    return len(people - {None})


def _each_alone(portions: list[Portion]) -> list[list[Portion]]:
    return [[portion] for portion in portions]


def _summarising(simulator: Simulator) -> Callable[[Workspace], None]:
    """An `on_finish` that keeps the journey's summary in the simulator's result."""
    def summarise(workspace: Workspace) -> None:
        simulator.result.summary = summary_part(workspace, simulator.bundle.journey.id)
    return summarise


def split_people(scenario: Scenario, parts: int, bundle: Bundle) -> list[Portion]:
    """The people in `parts` portions of about equal work (items), those who share a
    contact point in the same one; the same scenario is always split the same way."""
    with fewer_collections():  # a large audience's groups are many small objects
        return _split(scenario, parts, bundle)


def _split(scenario: Scenario, parts: int, bundle: Bundle) -> list[Portion]:
    groups = _sharing_groups(scenario, bundle)
    items = Counter(getattr(item, "person", None) for item in scenario.events)
    members: dict[str, list[str]] = {}
    weight: Counter[str] = Counter()
    for person in groups.parent:
        leader = groups.leader(person)
        members.setdefault(leader, []).append(person)
        weight[leader] += items[person]
    parts = max(1, min(parts, len(members)))
    loads = [(0, index) for index in range(parts)]
    chosen: list[set[str]] = [set() for _ in range(parts)]
    for leader in sorted(members, key=lambda g: (-weight[g], g)):  # heaviest first
        load, index = heapq.heappop(loads)
        chosen[index].update(members[leader])
        heapq.heappush(loads, (load + 1 + weight[leader], index))
    return [Portion(frozenset(people), index * SPAN) for index, people in enumerate(chosen)]


class _Groups:
    """People joined into groups (union-find); a group's leader is its smallest id."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def add(self, key: str) -> None:
        self.parent.setdefault(key, key)

    def leader(self, key: str) -> str:
        parent = self.parent
        root = parent[key]
        if root == key:  # most people, in a big audience, share nothing
            return key
        while parent[root] != root:
            root = parent[root]
        while parent[key] != root:
            parent[key], key = root, parent[key]
        return root

    def join(self, a: str, b: str) -> None:
        ra, rb = self.leader(a), self.leader(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _sharing_groups(scenario: Scenario, bundle: Bundle) -> _Groups:
    """People joined with everyone who has an address they may be sent to or have a
    consent for (normalised): their contact's fields and attributes the journey's message
    tiles send to, the trigger attributes they send to (and the fallbacks
    `contactpoint_email` / `contactpoint_phone`), the same in contact changes, and their
    consents' contact points. Joining too much only costs parallelism."""
    contact_paths = {"email", "phone", "push_token"}
    trigger_paths = set(TRIGGER_FALLBACK.values())
    for tile in bundle.journey.tiles:
        if isinstance(tile, EmailTile | SmsTile | PushTile):
            source, _, path = tile.contact_point().partition(".")
            (trigger_paths if source == "trigger" else contact_paths).add(path)
    contact_keys, trigger_keys = _split_paths(contact_paths), _split_paths(trigger_paths)
    groups = _Groups()
    owners: dict[str, str] = {}  # an address: the first person seen with it

    def has(person: str, address: str) -> None:
        owner = owners.setdefault(_normalised(address), person)
        if owner != person:
            groups.join(person, owner)

    def carries(person: str, data: dict[str, Any], paths: list[list[str]]) -> None:
        groups.add(person)
        for first, *rest in paths:
            value = data.get(first)
            if rest and value is not None:
                value = resolve_path(value, ".".join(rest))
            if isinstance(value, str | int) and str(value).strip():
                has(person, str(value))

    for contact in scenario.contacts:
        carries(contact.id, contact.as_condition_data(), contact_keys)
        for consent in contact.consents:
            if consent.contact_point:
                has(contact.id, consent.contact_point)
    sent_to = {first for first, *_ in trigger_keys}  # a trigger's data seldom holds any
    for item in scenario.events:
        if isinstance(item, TriggerItem):
            if sent_to.isdisjoint(item.attributes):
                groups.add(item.person)
            else:
                carries(item.person, item.attributes, trigger_keys)
        elif isinstance(item, ContactItem):
            carries(item.person, item.set, contact_keys)
        elif (person := getattr(item, "person", None)) is not None:
            groups.add(person)
    return groups


def _split_paths(paths: set[str]) -> list[list[str]]:
    """Dotted paths as their parts, in a fixed order (the first part is looked up alone:
    a big audience's trigger data rarely holds an address at all)."""
    return [path.split(".") for path in sorted(paths)]


def _normalised(address: str) -> str:
    """One form for the ways an address is written: case, spaces, a phone's separators."""
    text = address.strip().lower()
    return normalise_phone(text) or text


# --- running the parts ------------------------------------------------------------------

def _counting(on_progress: Callable[[Progress], None] | None, simulator: Simulator
              ) -> Callable[[StepRecord], None] | None:
    if on_progress is None:
        return None
    steps = 0

    def count(record: StepRecord) -> None:
        nonlocal steps
        steps += 1
        if steps % PROGRESS_EVERY == 0:
            on_progress(Progress(steps, record.at, simulator.applied))
    return count


def _finishing(on_finish: Callable[[Workspace], None],
               on_progress: Callable[[Progress], None] | None, simulator: Simulator
               ) -> Callable[[Workspace], None]:
    """`on_finish`, said first: the steps are taken, what remains is counting them."""
    if on_progress is None:
        return on_finish

    def finish(workspace: Workspace) -> None:
        on_progress(Progress(simulator.result.steps, simulator.scenario.end_time(),
                             simulator.applied, FINISHING))
        on_finish(workspace)
    return finish


def _run_parts(bundle: Bundle, scenario: Scenario, shares: list[list[Portion]],
               workdir: Path, base: Path | None,
               on_progress: Callable[[Progress], None] | None, *,
               keep: bool, outbox: bool) -> SimulationResult:
    """The parts in processes of their own, one process per share (its parts one after
    another); `keep`: a part per process, joined into the first's workspace (in
    `workdir`) and summarised there, else each part summarises its people and their
    summaries are added up. `outbox`: kept, with the outbox's files. The other
    processes' folders go whatever happens."""
    folders = [workdir, *(workdir / f".part-{n}" for n in range(1, len(shares)))]
    for folder in folders[1:]:
        shutil.rmtree(folder, ignore_errors=True)  # left by a run that was killed
    database = workdir / WORKSPACE
    try:
        try:
            answers = _run_processes(bundle, scenario, shares, folders, keep,
                                     keep and outbox, base, on_progress)
        except NoRoom:  # in one of the parts' folders: said of the simulation's own
            raise full_disk(workdir) from None
        if on_progress is not None:
            on_progress(Progress(sum(a["steps"] for a in answers), scenario.end_time(),
                                 len(scenario.events), FINISHING))
        if keep:
            with saying_full_disk(workdir):  # the joined workspace can fill it too
                _join(database, folders, [share[0] for share in shares])
            for folder in folders[1:]:
                _move_outbox(folder / OUTBOX, workdir / OUTBOX)
    finally:
        for folder in folders[1:]:
            shutil.rmtree(folder, ignore_errors=True)
    result = SimulationResult(steps=sum(a["steps"] for a in answers),
                              moments=answers[0]["moments"])
    result.notes = sorted(note for answer in answers for note in answer["notes"])
    if keep:
        with Workspace.open(database, clock=SimulatedClock(scenario.end_time()),
                            durable=False) as workspace:
            result.summary = summary_part(workspace, bundle.journey.id)
    else:
        result.summary = added_parts([part for answer in answers
                                      for part in answer["summaries"]], bundle.journey)
    return result


def _join(database: Path, folders: list[Path], portions: list[Portion]) -> None:
    try:
        join_workspaces(database, [(folder / WORKSPACE, portion.first_id)
                                   for folder, portion in zip(folders[1:], portions[1:],
                                                              strict=True)])
    except (sqlite3.Error, ValueError) as error:
        raise SimulationError(f"joining the parts' workspaces failed: {error}") from error


def _run_processes(bundle: Bundle, scenario: Scenario, shares: list[list[Portion]],
                   folders: list[Path], keep: bool, outbox: bool, base: Path | None,
                   on_progress: Callable[[Progress], None] | None
                   ) -> list[dict[str, Any]]:
    context = multiprocessing.get_context("fork")
    steps = context.Array("q", len(shares), lock=False)
    applied = context.Array("q", len(shares), lock=False)  # items, of the scenario's
    done = context.Array("d", len(shares), lock=False)  # the share of its parts' periods
    pipes, processes = [], []
    try:
        for index, share in enumerate(shares):
            receive, send = context.Pipe(duplex=False)
            process = context.Process(
                target=_part, name=f"waymark-sim-{index}", daemon=True,
                args=(bundle, scenario, share, folders[index], keep, outbox, base, send,
                      (steps, applied, done), index, os.getpid()))
            process.start()
            send.close()
            pipes.append(receive)
            processes.append(process)
        return _wait(pipes, processes, (steps, applied, done), on_progress, scenario)
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
            process.join()


def _wait(pipes: list, processes: list, shared: tuple,
          on_progress: Callable[[Progress], None] | None, scenario: Scenario
          ) -> list[dict[str, Any]]:
    answers: dict[int, dict[str, Any]] = {}
    steps, applied, done = shared
    start, period = scenario.start, scenario.end_time() - scenario.start
    while len(answers) < len(pipes):
        for index, pipe in enumerate(pipes):
            if index not in answers and pipe.poll(0.2 / len(pipes)):
                answers[index] = _answer(pipe, processes[index], f"{index + 1} of {len(pipes)}")
        if on_progress is not None:  # the simulated time the slowest process stands for
            on_progress(Progress(sum(steps), start + period * min(done), sum(applied)))
    return [answers[index] for index in range(len(pipes))]


def _answer(pipe, process, which: str) -> dict[str, Any]:
    """A process's answer; one that failed or ended without one fails the simulation."""
    try:
        answer = pipe.recv()
    except (EOFError, OSError):  # it died (killed, out of memory) before it answered
        process.join(5)
        raise SimulationError(f"simulation process {which} ended without an answer "
                              f"(exit code {process.exitcode})") from None
    if "error" in answer:
        raise (NoRoom if answer.get("no_room") else SimulationError)(answer["error"])
    if "crash" in answer:
        raise RuntimeError(f"simulation process {which} failed:\n{answer['crash']}")
    return answer


def _part(bundle: Bundle, scenario: Scenario, share: list[Portion], folder: Path,
          keep: bool, outbox: bool, base: Path | None, answer, shared: tuple, index: int,
          parent: int) -> None:
    """One process's parts (forked), one after another: their people through the
    ordinary simulator. `shared`: the arrays its progress goes into (steps and items
    applied so far, the share of its parts' simulated periods behind it). `keep`: the
    workspace is kept in `folder` (to be joined; one part); `outbox`: with its outbox's
    files. Unless kept, each part's workspace goes once it is summarised, and the answer
    carries the summaries."""
    steps, applied, done = shared
    _die_with_parent()
    if os.getppid() != parent:  # killed before the signal was asked for
        os._exit(1)
    counted, before = 0, 0  # steps; items of the parts before this one
    start, period = scenario.start, (scenario.end_time() - scenario.start).total_seconds()
    last = time.monotonic()

    def count(record: StepRecord) -> None:
        nonlocal counted, last
        counted += 1
        if counted % PROGRESS_EVERY == 0:
            steps[index], applied[index] = counted, before + simulator.applied
            behind = (record.at - start).total_seconds() / period if period else 1.0
            done[index] = (part + min(max(behind, 0.0), 1.0)) / len(share)
            if time.monotonic() - last > 1.0:
                last = time.monotonic()
                if os.getppid() != parent:  # the simulation was cancelled (killed)
                    os._exit(1)

    try:
        notes, moments, summaries = [], None, []
        for part, portion in enumerate(share):  # `count` reads `part`
            where = folder if keep else folder / f"part-{part}"
            where.mkdir(parents=True, exist_ok=True)
            simulator = Simulator(bundle, scenario, where, on_record=count, base=base,
                                  portion=portion, outbox=outbox)
            if not keep:
                simulator.on_finish = _summarising(simulator)
            simulator.result.records = _Discarded()
            result = simulator.run()
            before += simulator.applied
            notes += result.notes
            moments = result.moments if moments is None else moments
            if not keep:
                summaries.append(result.summary)
                shutil.rmtree(where, ignore_errors=True)
        steps[index], applied[index], done[index] = counted, before, 1.0
        answer.send({"steps": counted, "notes": notes, "moments": moments or [],
                     "summaries": summaries})
    except SimulationError as error:
        answer.send({"error": str(error), "no_room": isinstance(error, NoRoom)})
    except BaseException:
        answer.send({"crash": traceback.format_exc()})
    finally:
        answer.close()


def _die_with_parent() -> None:
    """A cancelled simulation's parent is killed (the studio's Cancel): its parts go with
    it at once (Linux's parent-death signal; failing that, they look every second)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class _Discarded(list):
    """A part's records are counted, not kept: the parent has the joined workspace."""

    def __iadd__(self, records):  # type: ignore[override]
        return self


def _move_outbox(source: Path, target: Path) -> None:
    if not source.is_dir():
        return
    target.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        path.rename(target / path.name)
