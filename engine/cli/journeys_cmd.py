"""`waymark journeys list|publish|pause|resume|stop`."""

from __future__ import annotations

import argparse

from engine.workspace import Workspace

from .common import add_workspace_option, fail, guarded, open_workspace, table


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("journeys", help="list journeys and change their state")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="every journey with its state and version")
    add_workspace_option(listing)
    listing.set_defaults(handler=guarded(run_list))
    for name, helptext in (("publish", "check and publish the draft as a new live version"),
                           ("pause", "hold people at entry and message tiles"),
                           ("resume", "let held people go on"),
                           ("stop", "end a version for good; people in it exit")):
        action = actions.add_parser(name, help=helptext)
        action.add_argument("journey")
        if name == "stop":
            action.add_argument("--version", type=int, help="only this version")
        add_workspace_option(action)
        action.set_defaults(handler=guarded(run_action))


def run_list(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        infos = workspace.journeys()
    rows = [[j.id, j.name, j.state, j.version or "-",
             "yes" if j.changed_since_publish and j.version else ""] for j in infos]
    print(table(rows, ["ID", "NAME", "STATE", "VERSION", "UNPUBLISHED CHANGES"])
          if rows else "no journeys yet: `waymark import resources/samples/abandoned_cart.json`")
    return 0


def report_publish(workspace: Workspace, journey_id: str) -> int:
    result = workspace.publish(journey_id)
    for problem in result.problems:
        print(problem.line())
    if not result.published:
        return fail(f"{journey_id!r} was not published: fix the errors above", 1)
    if result.unchanged:
        name = workspace.journey_info(journey_id).name
        print(f"{journey_id!r}: no changes since version {result.version}, so no new version"
              + (f"; it is now called {name!r}" if result.renamed else ""))
    else:
        print(f"published {journey_id!r} as version {result.version}")
    return 0


def run_action(args: argparse.Namespace) -> int:
    with open_workspace(args, create=False) as workspace:
        if args.action == "publish":
            return report_publish(workspace, args.journey)
        if args.action == "pause":
            print(f"paused {args.journey!r} version {workspace.pause(args.journey)}")
        elif args.action == "resume":
            print(f"resumed {args.journey!r} version {workspace.resume(args.journey)}")
        else:
            stopped = workspace.stop(args.journey, args.version)
            print(f"stopped {args.journey!r} version(s) {', '.join(map(str, stopped))}")
    return 0
