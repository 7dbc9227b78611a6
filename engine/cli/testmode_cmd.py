"""`waymark test start|stop|next|status`: run a journey's draft for test contacts only."""

from __future__ import annotations

import argparse

from engine.runtime.testmode import TestInfo

from .common import add_workspace_option, fail, guarded, open_workspace, table


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "test", help="try a journey's draft on test contacts before publishing it",
        description="A test runs the journey's current draft (published or not) as a test "
                    "version that only test contacts (`waymark contacts add ID --test`) "
                    "enter; live traffic never does and `waymark stats` never counts it. "
                    "Messages go through the configured channels, marked test. A running "
                    "engine picks a change up within two seconds.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    start = actions.add_parser("start", help="start (or restart) a journey's test")
    start.add_argument("journey")
    start.add_argument("--waits", type=_seconds, metavar="SECONDS",
                       help="every wait and wait-for limit lasts at most this long")
    start.add_argument("--bypass-conditions", action="store_true",
                       help="let test contacts in whatever the entry conditions say")
    stop = actions.add_parser("stop", help="end a test: its runs, steps and messages go")
    stop.add_argument("journey")
    step = actions.add_parser("next", help="end a test contact's wait now (a wait-for "
                                           "takes its time-out branch)")
    step.add_argument("person")
    step.add_argument("--journey", help="only the test of this journey")
    status = actions.add_parser("status", help="the tests running")
    for sub, handler in ((start, run_start), (stop, run_stop), (step, run_next),
                         (status, run_status)):
        add_workspace_option(sub)
        sub.set_defaults(handler=guarded(handler))


def _seconds(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value}: give 0 seconds or more")
    return value


def run_start(args: argparse.Namespace) -> int:
    with open_workspace(args, create=False) as workspace:
        result = workspace.start_test(args.journey, wait_seconds=args.waits,
                                      bypass_entry_conditions=args.bypass_conditions)
    for problem in result.problems:
        print(problem.line())
    if not result.started:
        return fail(f"{args.journey!r} was not started as a test: fix the errors above", 1)
    again = " again (the earlier test runs were removed)" if result.replaced else ""
    print(f"testing {args.journey!r}{again}: only test contacts enter its draft; "
          + _options(args.waits, args.bypass_conditions))
    return 0


def _options(waits: int | None, bypass: bool) -> str:
    parts = [f"waits last at most {waits} s" if waits is not None else "waits as designed",
             "entry conditions bypassed" if bypass else "entry conditions apply"]
    return ", ".join(parts)


def run_stop(args: argparse.Namespace) -> int:
    with open_workspace(args, create=False) as workspace:
        removed = workspace.stop_test(args.journey)
    print(f"stopped the test of {args.journey!r}: {removed} test run(s) removed")
    return 0


def run_next(args: argparse.Namespace) -> int:
    with open_workspace(args, create=False) as workspace:
        runs = workspace.next_step_now(contact_id=args.person, journey_id=args.journey)
    print(f"{args.person}: the next step of test run(s) {', '.join(map(str, runs))} is due now")
    return 0


def run_status(args: argparse.Namespace) -> int:
    with open_workspace(args, create=False) as workspace:
        tests = workspace.running_tests()
    if not tests:
        print("no tests running: `waymark test start JOURNEY`")
        return 0
    print(table([_row(test) for test in tests],
                ["JOURNEY", "NAME", "STARTED (UTC)", "OPTIONS", "IN FLIGHT", "RUNS"]))
    return 0


def _row(test: TestInfo) -> list:
    return [test.journey_id, test.name, f"{test.started_at:%Y-%m-%d %H:%M:%S}",
            _options(test.options.wait_seconds, test.options.bypass_entry_conditions),
            test.in_flight, test.runs]

