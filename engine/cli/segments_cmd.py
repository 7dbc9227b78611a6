"""`waymark segments …`: list, show, save, delete segments; a static segment's members."""

from __future__ import annotations

import argparse
from pathlib import Path

from engine.model import Segment, parse_json
from engine.segments_admin import (
    SegmentInUse,
    add_members,
    delete_segment,
    journeys_using,
    member_count,
    members,
    read_member_ids,
    remove_members,
    segment_from_data,
    segment_problems,
)

from .common import add_workspace_option, fail, guarded, open_workspace, table


def register(subparsers: argparse._SubParsersAction) -> None:
    segments = subparsers.add_parser("segments", help="segments: members, journeys using them")
    actions = segments.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="every segment with its member count")
    show = actions.add_parser("show", help="a segment: conditions, members, journeys using it")
    save = actions.add_parser("save", help="add or replace a segment from a JSON file")
    save.add_argument("file")
    delete = actions.add_parser("delete", help="delete a segment no running journey uses")
    listed = actions.add_parser("members", help="a static segment's listed ids; add, remove")
    listed.add_argument("--add", nargs="+", default=[], metavar="ID")
    listed.add_argument("--remove", nargs="+", default=[], metavar="ID")
    listed.add_argument("--from", dest="from_file", metavar="FILE",
                        help="add the ids in FILE (one a line, or a CSV file's id column)")
    for sub in (show, delete, listed):
        sub.add_argument("segment")
    for sub in actions.choices.values():
        add_workspace_option(sub)
        sub.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        catalog = workspace.catalog()
        if args.action == "list":
            return _list(workspace, catalog)
        if args.action == "save":
            return _save(workspace, args.file)
        segment = catalog.segments.get(args.segment)
        if segment is None:
            return fail(f"there is no segment {args.segment!r}")
        if args.action == "show":
            return _show(workspace, catalog, segment)
        if args.action == "delete":
            try:
                delete_segment(workspace, segment.id)
            except SegmentInUse as error:
                return fail(str(error), 1)
            print(f"deleted segment {segment.id}")
            return 0
        return _members(workspace, segment, args)


def _list(workspace, catalog) -> int:
    rows = [[s.id, s.name, s.kind, f"{member_count(workspace, s):,}"]
            for s in catalog.segments.values()]
    print(table(rows, ["ID", "NAME", "KIND", "MEMBERS"]) if rows else "no segments yet")
    return 0


def _show(workspace, catalog, segment: Segment) -> int:
    print(f"{segment.name} ({segment.id}), {segment.kind}")
    if segment.condition is not None:
        print(f"  condition: {segment.condition.describe()}")
    for problem in segment_problems(catalog, segment):
        print(f"  warning: {problem}")
    print(f"  members now: {member_count(workspace, segment):,}")
    uses = journeys_using(workspace, segment.id)
    print("  used by: " + (", ".join(f"{u.journey_name} [{u.journey_id}] ({u.where})"
                                      for u in uses) or "no journey"))
    return 0


def _save(workspace, file: str) -> int:
    segment = segment_from_data(parse_json(Path(file).read_bytes(), file), file)
    workspace.save_segment(segment)
    for problem in segment_problems(workspace.catalog(), segment):
        print(f"warning: {problem}")
    print(f"saved segment {segment.id}")
    return 0


def _members(workspace, segment: Segment, args: argparse.Namespace) -> int:
    if segment.kind != "static" and (args.add or args.remove or args.from_file):
        return fail(f"{segment.id!r} is a dynamic segment: its conditions say who is in it")
    wanted = args.add + (read_member_ids(args.from_file) if args.from_file else [])
    if wanted:
        added = add_members(workspace, segment.id, wanted)
        print(f"added {added.added:,} ({added.already:,} listed already)")
        if added.not_contacts:
            print(f"  not contacts (yet): {', '.join(added.not_contacts[:20])}"
                  + (" …" if len(added.not_contacts) > 20 else ""))
        for contact_id, why in added.refused[:20]:
            print(f"  refused {contact_id[:60]!r}: {why}")
        if len(added.refused) > 20:
            print(f"  … {len(added.refused) - 20:,} more refused")
    if args.remove:
        print(f"removed {remove_members(workspace, segment.id, args.remove):,}")
    if not (wanted or args.remove):
        ids, total = members(workspace, segment.id)
        print("\n".join(ids) if ids else "no members listed")
        if total > len(ids):
            print(f"… {total - len(ids):,} more")
    return 0
