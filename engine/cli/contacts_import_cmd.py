"""`waymark contacts import FILE.csv`: contacts from a CSV file (see engine.contacts_import)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from engine.contacts_import import (
    CsvPreview,
    ImportFailed,
    ImportProgress,
    ImportReport,
    counted,
    import_contacts_csv,
    preview_csv,
    repeated_note,
)

from .common import fail, open_workspace
from .values import column_mapping

SHOWN_PROBLEMS = 100


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                        help="a column as a contact field (id, email, phone, push_token, "
                             "timezone, kind), skip, attr[:TYPE] or attr.NAME[:TYPE] "
                             "(TYPE: text, number, boolean, datetime)")
    parser.add_argument("--dry-run", action="store_true",
                        help="show the columns and first rows, check every row, import none")
    parser.add_argument("--encoding", default="utf-8",
                        help="the file's encoding (utf-8); auto guesses it (UTF-16 by its "
                             "byte order mark, UTF-8, else Windows-1252)")
    parser.add_argument("--declare-attributes", action="store_true",
                        help="add the attribute columns the workspace does not list yet to "
                             "its contact attributes, typed as imported")
    parser.add_argument("--fire-triggers", action="store_true",
                        help="fire contact created / updated as PUT /v1/contacts does")


def run(args: argparse.Namespace) -> int:
    mapping = column_mapping(args.map)
    if mapping is None:
        return fail("--map takes COLUMN=FIELD")
    stop = threading.Event()
    with open_workspace(args) as workspace, _first_interrupt_stops(stop):
        if args.dry_run:
            _show_preview(preview_csv(workspace, args.file, mapping=mapping,
                                      encoding=args.encoding))
        try:
            report = import_contacts_csv(
                workspace, args.file, mapping=mapping, encoding=args.encoding,
                dry_run=args.dry_run, fire_triggers=args.fire_triggers,
                progress=_progress_line if sys.stderr.isatty() else None,
                cancelled=stop.is_set, declare=args.declare_attributes)
        except ImportFailed as failed:
            _print_report(failed.report, args.fire_triggers)
            return fail(str(failed))
    _print_report(report, args.fire_triggers)
    if report.cancelled:
        return 130
    return 1 if report.refused else 0  # the good rows are in; a script learns of the rest


class _first_interrupt_stops:
    """Ctrl+C asks the import to stop after the batch it is writing; a second one stops
    at once (the batch then being written is rolled back)."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop, self.before = stop, None

    def __enter__(self) -> None:
        if threading.current_thread() is threading.main_thread():
            self.before = signal.signal(signal.SIGINT, self._interrupted)

    def _interrupted(self, *_: object) -> None:
        self.stop.set()
        signal.signal(signal.SIGINT, self.before)

    def __exit__(self, *_: object) -> None:
        if self.before is not None:
            signal.signal(signal.SIGINT, self.before)


def _progress_line(progress: ImportProgress) -> None:
    print(f"\rrow {progress.row:,} of about {progress.rows:,}: {progress.imported:,} "
          f"imported, {progress.refused:,} refused", end="", file=sys.stderr, flush=True)


def _show_preview(preview: CsvPreview) -> None:
    print("columns:")
    for column in preview.columns:
        print(f"  {column.describe()}")
    print("first rows:")
    for row in preview.first_rows:
        shown = ", ".join(row.values) if row.values is not None else f"(broken: {row.problem})"
        print(f"  row {row.row}: {shown}")


def _print_report(report: ImportReport, fired: bool) -> None:
    if sys.stderr.isatty():
        print(file=sys.stderr)  # end the progress line
    verb = "would import" if report.dry_run else "imported"
    print(f"{verb} {counted(report.imported, 'contact')} ({report.created:,} new, "
          f"{report.updated:,} updated) in {report.seconds:.1f} s; "
          f"{counted(len(report.refused), 'row')} refused")
    if not report.dry_run:
        print(f"business triggers: {report.events:,} events fired"
              + (" (a contact saved as it was fires nothing)" if report.updated else "")
              if fired else "business triggers not fired (--fire-triggers fires contact "
                            "created / updated)")
    if report.cancelled:
        print(f"cancelled: the good rows up to row {report.last_committed_row:,} are "
              "imported (each batch all or nothing), none after it")
    if report.repeated:
        print(repeated_note(report))
    for problem in report.refused[:SHOWN_PROBLEMS]:
        print(f"  {problem}")
    if len(report.refused) > SHOWN_PROBLEMS:
        print(f"  … and {counted(len(report.refused) - SHOWN_PROBLEMS, 'more row')} refused")
