"""`waymark simulate BUNDLE (--scenario FILE | --generate SPEC | --replay FILE) [--json]
[--summary]`; the audience sources are in `simulate_sources`, --compare in
`simulate_compare`."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from engine.model import Bundle, read_bundle
from engine.runtime.records import StepRecord
from engine.simulation.full_disk import NoRoom
from engine.simulation.lifecycle_items import Moment
from engine.simulation.scenario import Scenario
from engine.simulation.shards import AUDIENCE, STAGES, Progress, simulate_for_summary
from engine.simulation.simulator import NEVER_SENT, SimulationError, SimulationResult, Simulator
from engine.simulation.summary import simulation_summary, summary_text
from engine.simulation.timeline import journey_moments, json_line, per_person

from .common import fail, guarded
from .simulate_compare import run_compare
from .simulate_sources import add_source_options, audience_file, build_scenario, option_problem

NOTES_SHOWN = 20  # a generated audience can raise thousands of the same note


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "simulate", help="run a journey against a scenario on a simulated clock",
        description="Runs the real runtime on a throw-away workspace: days pass in "
                    "seconds. Prints a timeline per person, or with --json one JSON object "
                    "per step (see resources/schema/simulation-step.schema.json).")
    parser.add_argument("bundle", type=Path, help="a journey bundle (.json)")
    people = parser.add_mutually_exclusive_group(required=True)
    people.add_argument("--scenario", type=Path,
                        help="people and what they do (see resources/samples/*.scenario.json)")
    people.add_argument("--generate", type=Path, metavar="SPEC",
                        help="a generated audience: N people drawn from distributions (see "
                             "resources/samples/*.audience.json and "
                             "resources/schema/audience-spec.schema.json)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--summary", action="store_true",
                        help="instead of every step, per-tile counts and messages at the end "
                             "(one JSON object with --json)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="keep the simulation's workspace and outbox in DIR (with "
                             "--compare: DIR/a and DIR/b)")
    parser.add_argument("--no-outbox", dest="outbox", action="store_false",
                        help="with --keep: keep the workspace only, without the outbox's "
                             "message files; messages are rendered and counted, not "
                             "finished (quicker; the studio runs so)")
    parser.add_argument("--progress", action="store_true",
                        help='JSON lines on stderr, at most 5 a second: {"progress": {"steps": '
                             'N, "at": ISO time, "done": share of the simulated period, '
                             '"work": estimated share of the work}}, and {"progress": '
                             '{"stage": "audience"}} while the audience is made, "finishing" '
                             "once every step is taken (for programs such as the studio; on "
                             "a terminal without it, a progress line)")
    parser.add_argument("--processes", type=_processes, metavar="N",
                        help="with --summary or --compare: split the people over N "
                             "processes (default: one per core for a large audience; 1 "
                             "for one process; at most one per core); the results are the "
                             "same")
    add_source_options(parser, people)
    parser.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    if (problem := option_problem(args)) is not None:
        return fail(problem)
    bundle = read_bundle(args.bundle)
    source = audience_file(args)
    said = _JsonProgress if args.progress else _Progress(shown_anywhere=sys.stderr.isatty())
    said.stage(AUDIENCE)  # generating or reading a large audience takes seconds
    try:
        scenario = build_scenario(args, bundle)
    except OSError as exc:
        return fail(f"{exc.filename or source}: cannot read the file ({exc.strerror})")
    progress = _progress(args, scenario)
    if args.compare is not None:
        args.summary = True  # no step lines: the comparison is the output
        try:  # --progress rises to the end of the period twice, its lines saying which run
            code = run_compare(args, bundle, scenario,
                               progress.count if progress.shown_anywhere else None,
                               _print_notes, progress.next_run)
            if code == 0:
                progress.finish()
            return code
        finally:
            progress.close()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    if args.summary:
        return _run_for_summary(args, bundle, scenario, progress)
    summary: dict[str, Any] = {}
    try:  # making the simulator reads the scenario's publish bundles: refused by name
        simulator = Simulator(
            bundle, scenario, args.keep, on_record=_also(progress, _on_record(args)),
            on_finish=lambda ws: summary.update(simulation_summary(ws, bundle.journey.id)),
            base=args.scenario.parent if args.scenario else None,
            on_moment=_on_moment(args), outbox=None if args.outbox else False)
        progress.simulator = simulator
        result = simulator.run()
        progress.finish()
    except SimulationError as error:
        return fail(_said(source, error))
    finally:
        progress.close()
    if result.moments:
        summary["lifecycle"] = [moment.to_dict() for moment in result.moments]
    _print_result(args, bundle, scenario, result, summary)
    _print_notes(result.notes)
    return 0


def _said(source: str, error: SimulationError) -> str:
    """An error names its place: the bundle or audience file, or (a full disk) the
    folder the simulation writes in."""
    return str(error) if isinstance(error, NoRoom) else f"{source}: {error}"


def _run_for_summary(args: argparse.Namespace, bundle: Bundle, scenario: Scenario,
                     progress: _Progress) -> int:
    """--summary: no step is printed, so the people may be split over processes."""
    try:
        summary, result, why = simulate_for_summary(
            bundle, scenario, args.keep, args.scenario.parent if args.scenario else None,
            args.processes, progress.count if progress.shown_anywhere else None,
            outbox=args.outbox)
        progress.finish()
    except SimulationError as error:
        return fail(_said(audience_file(args), error))
    finally:
        progress.close()
    if why and (args.processes or 1) > 1:
        result.notes.insert(0, f"one process: {why}")
    if result.moments:
        summary["lifecycle"] = [moment.to_dict() for moment in result.moments]
    _print_result(args, bundle, scenario, result, summary)
    _print_notes(result.notes)
    return 0


def _processes(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of processes (1 or more)")
    return number


def _on_moment(args: argparse.Namespace) -> Callable[[Moment], None] | None:
    """With --json, a lifecycle moment is a line of its own, in time order among the steps
    (it has `lifecycle` where a step has `person` and `what`)."""
    if args.json and not args.summary:
        return lambda moment: print(json.dumps(moment.to_dict()), flush=True)
    return None


def _on_record(args: argparse.Namespace) -> Callable[[StepRecord], None] | None:
    if args.json and not args.summary:
        return lambda r: print(json_line(r), flush=True)
    return None


def _also(progress: _Progress, steps: Callable[[StepRecord], None] | None
          ) -> Callable[[StepRecord], None] | None:
    if not progress.shown_anywhere:
        return steps
    if steps is None:
        return progress.show

    def both(record: StepRecord) -> None:
        progress.show(record)
        steps(record)
    return both


def _progress(args: argparse.Namespace, scenario: Scenario) -> _Progress:
    if args.progress:
        return _JsonProgress(scenario)
    return _Progress(shown_anywhere=sys.stderr.isatty())


class _Progress:
    """A line on a terminal's stderr: steps done, simulated time reached (twice a second)."""

    interval = 0.5

    def __init__(self, shown_anywhere: bool = True) -> None:
        self.shown_anywhere = shown_anywhere  # not when stderr is a pipe or a file
        self.steps, self.shown = 0, float("-inf")
        self.applied = 0  # the scenario's items applied
        self.simulator: Simulator | None = None  # one process, every step shown
        self.run: str | None = None  # with --compare, which of the two runs

    def show(self, record: StepRecord) -> None:
        self.steps += 1
        if time.monotonic() - self.shown >= self.interval:
            self.shown = time.monotonic()
            self.applied = self.simulator.applied if self.simulator else 0
            self.write(record.at)

    def count(self, progress: Progress) -> None:
        """Steps and items so far, or a stage (see engine.simulation.shards)."""
        if progress.stage is not None:
            self.steps = progress.steps or self.steps  # finishing: all of them
            self.stage(progress.stage, self.run)
            return
        self.steps, self.applied = progress.steps, progress.applied
        if time.monotonic() - self.shown >= self.interval:
            self.shown = time.monotonic()
            self.write(progress.at)

    def write(self, at: datetime) -> None:
        print(f"\r{self.steps} steps, simulated time {at:%Y-%m-%d %H:%M}",
              end="", file=sys.stderr, flush=True)

    def stage(self, stage: str, run: str | None = None) -> None:
        """A line of its own for the audience (a replay's report may follow); the
        progress line's place for the rest."""
        if self.shown_anywhere:
            print(f"\r\033[K{STAGES[stage]}…", end="\n" if stage == AUDIENCE else "",
                  file=sys.stderr, flush=True)

    def finish(self) -> None:
        pass

    def next_run(self, run: str) -> None:
        """With --compare: the runs one after the other ("a", then "b"); the one before
        has finished."""
        if self.run is not None:
            self.finish()
        self.run, self.steps = run, 0

    def close(self) -> None:
        if self.shown_anywhere:
            print("\r\033[K", end="", file=sys.stderr, flush=True)


class _JsonProgress(_Progress):
    """`--progress`: a JSON line at most 5 times a second, whatever stderr is; `done` is
    the share of the simulated period behind the clock, `work` an estimate of the share
    of the work done: the mean of `done` and the share of the scenario's items applied
    (an audience that arrives in the first hours of five days is most of the work while
    `done` is still small; the runs it started go on after its last item). A simulation
    that succeeds ends with a line saying 1.0 for both."""

    interval = 0.2

    def __init__(self, scenario: Scenario) -> None:
        super().__init__()
        self.start, self.end = scenario.start, scenario.end_time()
        self.items = len(scenario.events)

    def write(self, at: datetime) -> None:
        done = min(max((at - self.start) / (self.end - self.start), 0.0), 1.0)
        applied = min(self.applied / self.items, 1.0) if self.items else 1.0
        if at >= self.end:
            applied = 1.0
        line = {"steps": self.steps, "at": at.isoformat(), "done": round(done, 4),
                "work": round((done + applied) / 2, 4),
                **({"run": self.run} if self.run else {})}
        print(json.dumps({"progress": line}), file=sys.stderr, flush=True)

    @staticmethod
    def stage(stage: str, run: str | None = None) -> None:
        line = {"stage": stage, **({"run": run} if run else {})}
        print(json.dumps({"progress": line}), file=sys.stderr, flush=True)

    def finish(self) -> None:
        time.sleep(max(0.0, self.shown + self.interval - time.monotonic()))  # keeps the rate
        self.write(self.end)

    def close(self) -> None:
        pass


def _print_result(args: argparse.Namespace, bundle: Bundle, scenario: Scenario,
                  result: SimulationResult, summary: dict[str, Any]) -> None:
    if args.summary and args.json:
        print(json.dumps({"summary": summary, "period": scenario.period()},
                         ensure_ascii=False))
        return
    if args.json:
        return
    tz = ZoneInfo(bundle.journey.start.timezone)
    print(f"{bundle.journey.name}: {scenario.start.astimezone(tz):%a %d %b %Y %H:%M} → "
          f"{scenario.end_time().astimezone(tz):%a %d %b %Y %H:%M} ({tz.key})\n")
    if args.summary:
        if result.moments:
            print(journey_moments(result.moments, tz) + "\n")
        print(summary_text(summary))
    else:
        print(per_person(result.records, bundle.journey, tz, result.moments))


def _print_notes(notes: list[str]) -> None:
    ignored = [note for note in notes if note.endswith(NEVER_SENT)]
    if ignored:
        notes = [note for note in notes if not note.endswith(NEVER_SENT)]
        print(f"note: {len(ignored)} interactions ignored: the person never got that message "
              "(not entered, blocked or held before it)", file=sys.stderr)
    for note in notes[:NOTES_SHOWN]:
        print(f"note: {note}", file=sys.stderr)
    if len(notes) > NOTES_SHOWN:
        print(f"note: … and {len(notes) - NOTES_SHOWN} more like these", file=sys.stderr)

