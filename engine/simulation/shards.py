"""A simulation in parts: its people split over processes, one per core.

People in a journey do not meet, with three exceptions, and a scenario is split only
when none can happen:
- a *split by count* fills its arms with everyone's entries: such a journey runs in one
  process;
- *record* items change business records that any person's trigger can read: one
  process;
- *contact points*: frequency caps and consents count per address, so people who share
  an email address or phone number (in their contact or anywhere in their triggers'
  attributes) are kept together.

Each process runs the ordinary `Simulator` on its `Portion` (its people's contacts,
memberships and items; every journey item) in a workspace of its own, numbering its rows
apart (`engine.store.numbering`); at the end the workspaces are joined into the first
one, which is then what a single process would have left: the same people, the same
steps and the same summary (random split arms are drawn from the person and their
entry time, not from a run's number). `tests/engine/test_simulation_shards.py` holds
the two to each other.

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
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from engine.model import Bundle, SplitTile
from engine.runtime.clock import SimulatedClock
from engine.runtime.records import StepRecord
from engine.store.numbering import SPAN, join_workspaces
from engine.workspace import Workspace

from .lifecycle_items import SimulationError, publish_bundles
from .scenario import RecordItem, Scenario
from .simulator import Portion, SimulationResult, Simulator
from .summary import simulation_summary

WORKSPACE = "simulation.waymark"
OUTBOX = "simulation-outbox"  # beside it (`Workspace.outbox_dir`)
FEWEST_PEOPLE = 2_000  # below this one process is quicker than starting another
PROGRESS_EVERY = 500  # steps between a process's progress figures


def processes_for(people: int) -> int:
    """How many processes a simulation of this many people is worth on this machine."""
    if people < FEWEST_PEOPLE or not sys.platform.startswith("linux"):
        return 1
    cores = len(os.sched_getaffinity(0))  # the cores this process may use, not the host's
    return max(1, min(cores, 8, people // (FEWEST_PEOPLE // 2)))


def why_one_process(bundle: Bundle, scenario: Scenario, base: Path | None) -> str | None:
    """Why this simulation cannot be split over processes, or None when it can."""
    bundles = [bundle, *publish_bundles(scenario, base, bundle.journey.id).values()]
    for each in bundles:
        for tile in each.journey.tiles:
            if isinstance(tile, SplitTile) and tile.mode == "count":
                return f"tile {tile.id} splits by count (its arms fill with everyone)"
    if any(isinstance(item, RecordItem) for item in scenario.events):
        return "the scenario changes business records (any person's trigger may read them)"
    return None


@dataclass(frozen=True)
class Progress:
    steps: int  # steps of all processes so far
    at: datetime  # the simulated time the slowest process has reached


def simulate_for_summary(bundle: Bundle, scenario: Scenario, workdir: Path | None,
                         base: Path | None = None, processes: int | None = None,
                         on_progress: Callable[[Progress], None] | None = None
                         ) -> tuple[dict[str, Any], SimulationResult, str | None]:
    """What `waymark simulate --summary` prints: the summary, the result (notes, the
    journey's moments, the number of steps) and, when the simulation ran in one process
    though more were asked for or worth it, why. `processes`: None for as many as the
    audience is worth on this machine (`processes_for`)."""
    people = {getattr(item, "person", None) for item in scenario.events}
    people.update(contact.id for contact in scenario.contacts)
    wanted = processes_for(len(people - {None})) if processes is None else processes
    reason = why_one_process(bundle, scenario, base) if wanted > 1 else None
    summary: dict[str, Any] = {}
    result = simulate_in_parts(
        bundle, scenario, 1 if reason else wanted, workdir,
        on_finish=lambda ws: summary.update(simulation_summary(ws, bundle.journey.id)),
        base=base, on_progress=on_progress)
    return summary, result, reason


def simulate_in_parts(bundle: Bundle, scenario: Scenario, parts: int, workdir: Path | None,
                      on_finish: Callable[[Workspace], None] | None = None,
                      base: Path | None = None,
                      on_progress: Callable[[Progress], None] | None = None
                      ) -> SimulationResult:
    """Like `Simulator(...).run()` without records (their number is `steps`): the
    workspace kept in `workdir`, when given, is the joined one. Raises SimulationError
    as the simulator does (the first process's to fail; the others are stopped)."""
    portions = split_people(scenario, parts)
    if len(portions) == 1:
        simulator = Simulator(bundle, scenario, workdir, on_finish=on_finish, base=base,
                              on_record=_counting(on_progress))
        simulator.result.records = _Discarded()
        result = simulator.run()
        result.records = []
        return result
    if workdir is not None:
        return _run_parts(bundle, scenario, portions, workdir, True, on_finish, base,
                          on_progress)
    with tempfile.TemporaryDirectory(prefix="waymark-sim-") as folder:
        return _run_parts(bundle, scenario, portions, Path(folder), False, on_finish, base,
                          on_progress)


def split_people(scenario: Scenario, parts: int) -> list[Portion]:
    """The people in `parts` portions of about equal work (items), those who share a
    contact point in the same one; the same scenario is always split the same way."""
    groups = _sharing_groups(scenario)
    members: dict[str, list[str]] = {}
    for key in groups.parent:
        if key.startswith("p:"):
            members.setdefault(groups.leader(key), []).append(key[2:])
    weight = dict.fromkeys(members, 1)
    for item in scenario.events:
        if (person := getattr(item, "person", None)) is not None:
            weight[groups.leader("p:" + person)] += 1
    parts = max(1, min(parts, len(members)))
    loads = [(0, index) for index in range(parts)]
    chosen: list[set[str]] = [set() for _ in range(parts)]
    for leader in sorted(members, key=lambda g: (-weight[g], g)):  # heaviest first
        load, index = heapq.heappop(loads)
        chosen[index].update(members[leader])
        heapq.heappush(loads, (load + weight[leader], index))
    return [Portion(frozenset(people), index * SPAN) for index, people in enumerate(chosen)]


class _Groups:
    """Keys joined into groups (union-find); a group's leader is its smallest key."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def leader(self, key: str) -> str:
        parent = self.parent
        root = parent.setdefault(key, key)
        while parent[root] != root:
            root = parent[root]
        while parent[key] != root:
            parent[key], key = root, parent[key]
        return root

    def join(self, a: str, b: str) -> None:
        ra, rb = self.leader(a), self.leader(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _sharing_groups(scenario: Scenario) -> _Groups:
    """People ("p:" + id) joined with every address-like value they carry ("a:" + it):
    their contact's, and any in their items' attributes and contact changes."""
    groups = _Groups()

    def carries(person: str, values: Iterable[Any]) -> None:
        key = "p:" + person
        groups.leader(key)
        for value in values:
            for text in _texts(value):
                groups.join(key, "a:" + text)

    for contact in scenario.contacts:
        carries(contact.id, (contact.email, contact.phone, contact.push_token))
    for item in scenario.events:
        if (person := getattr(item, "person", None)) is not None:
            values = list((getattr(item, "attributes", None) or {}).values())
            values += list((getattr(item, "set", None) or {}).values())
            carries(person, values)
    return groups


def _texts(value: Any) -> Iterable[str]:
    """The strings in an attribute value (nested in lists and objects too) that could be
    an address: an email address or a phone number has an @ or at least six digits."""
    if isinstance(value, str):
        if "@" in value:
            yield value.strip().lower()
        elif sum(ch.isdigit() for ch in value) >= 6:  # "+31 6 1234" and "+3161234" alike
            yield "".join(ch for ch in value if ch.isdigit())
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _texts(inner)
    elif isinstance(value, list | tuple):
        for inner in value:
            yield from _texts(inner)


# --- running the parts ------------------------------------------------------------------

def _counting(on_progress: Callable[[Progress], None] | None
              ) -> Callable[[StepRecord], None] | None:
    if on_progress is None:
        return None
    steps = 0

    def count(record: StepRecord) -> None:
        nonlocal steps
        steps += 1
        if steps % PROGRESS_EVERY == 0:
            on_progress(Progress(steps, record.at))
    return count


def _run_parts(bundle: Bundle, scenario: Scenario, portions: list[Portion], workdir: Path,
               keep: bool, on_finish: Callable[[Workspace], None] | None, base: Path | None,
               on_progress: Callable[[Progress], None] | None) -> SimulationResult:
    context = multiprocessing.get_context("fork")
    folders = [workdir, *(workdir / f".part-{n}" for n in range(1, len(portions)))]
    steps = context.Array("q", len(portions), lock=False)
    reached = context.Array("d", [scenario.start.timestamp()] * len(portions), lock=False)
    pipes, processes = [], []
    for index, portion in enumerate(portions):
        receive, send = context.Pipe(duplex=False)
        process = context.Process(
            target=_part, name=f"waymark-sim-{index}", daemon=True,
            args=(bundle, scenario, portion, folders[index], keep, base, send, steps,
                  reached, index, os.getpid()))
        process.start()
        send.close()
        pipes.append(receive)
        processes.append(process)
    try:
        answers = _wait(pipes, processes, steps, reached, on_progress)
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
            process.join()
    result = SimulationResult(steps=sum(a["steps"] for a in answers),
                              moments=answers[0]["moments"])
    result.notes = sorted(note for answer in answers for note in answer["notes"])
    database = workdir / WORKSPACE
    join_workspaces(database, [(folder / WORKSPACE, portion.first_id)
                               for folder, portion in zip(folders[1:], portions[1:], strict=True)])
    for folder in folders[1:]:
        if keep:
            _move_outbox(folder / OUTBOX, workdir / OUTBOX)
        shutil.rmtree(folder, ignore_errors=True)
    if on_finish is not None:
        with Workspace.open(database, clock=SimulatedClock(scenario.end_time()),
                            durable=False) as workspace:
            on_finish(workspace)
    return result


def _wait(pipes: list, processes: list, steps, reached,
          on_progress: Callable[[Progress], None] | None) -> list[dict[str, Any]]:
    answers: dict[int, dict[str, Any]] = {}
    while len(answers) < len(pipes):
        for index, pipe in enumerate(pipes):
            if index in answers or not pipe.poll(0.2 / len(pipes)):
                if index not in answers and not processes[index].is_alive() \
                        and not pipe.poll():
                    raise SimulationError(f"simulation process {index + 1} of "
                                          f"{len(pipes)} ended without an answer "
                                          f"(exit code {processes[index].exitcode})")
                continue
            answer = pipe.recv()
            if "error" in answer:
                raise SimulationError(answer["error"])
            if "crash" in answer:
                raise RuntimeError(f"simulation process {index + 1} failed:\n"
                                   f"{answer['crash']}")
            answers[index] = answer
        if on_progress is not None:
            at = datetime.fromtimestamp(min(reached), UTC)
            on_progress(Progress(sum(steps), at))
    return [answers[index] for index in range(len(pipes))]


def _part(bundle: Bundle, scenario: Scenario, portion: Portion, folder: Path, keep: bool,
          base: Path | None, answer, steps, reached, index: int, parent: int) -> None:
    """One process's part (forked): its people through the ordinary simulator."""
    _die_with_parent()
    counted = 0
    last = time.monotonic()

    def count(record: StepRecord) -> None:
        nonlocal counted, last
        counted += 1
        if counted % PROGRESS_EVERY == 0:
            steps[index], reached[index] = counted, record.at.timestamp()
            if time.monotonic() - last > 1.0:
                last = time.monotonic()
                if os.getppid() != parent:  # the simulation was cancelled (killed)
                    os._exit(1)

    try:
        folder.mkdir(parents=True, exist_ok=True)
        simulator = Simulator(bundle, scenario, folder, on_record=count, base=base,
                              portion=portion, outbox=keep)
        simulator.result.records = _Discarded()
        result = simulator.run()
        steps[index] = counted
        answer.send({"steps": result.steps, "notes": result.notes,
                     "moments": result.moments})
    except SimulationError as error:
        answer.send({"error": str(error)})
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
