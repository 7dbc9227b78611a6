"""`waymark validate FILE`: one line per problem; exit 0 clean, 1 errors, 2 unreadable."""

from __future__ import annotations

import argparse
import sys

from engine.catalog_rules import bundle_problems
from engine.model import BundleError, read_bundle
from engine.validation import has_errors, validate_bundle


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate", help="check a journey bundle (JSON) and list its problems",
        description="Print one line per problem as `tile-id: code: message` (a problem "
                    "of the bundle's tables, triggers or contact attributes as `place: "
                    "catalog: message`). Exit status: 0 no errors, 1 errors found, 2 the "
                    "file is not JSON or not a bundle.",
    )
    parser.add_argument("file", help="a journey bundle (.json)")
    parser.add_argument("--design", action="store_true",
                        help="design checks only; skip the publish checks (content ready...)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        bundle = read_bundle(args.file)
    except BundleError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    problems = validate_bundle(bundle, publish=not args.design)
    catalog = bundle_problems(bundle)  # its tables, triggers, contact attributes
    for problem in catalog:
        print(problem.line())
    for problem in problems:
        print(problem.line())
    errors = len(catalog) + sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) + len(catalog) - errors
    summary = f"{args.file}: {errors} error(s), {warnings} warning(s)"
    print(summary if problems or catalog else f"{args.file}: no problems", file=sys.stderr)
    return 1 if catalog or has_errors(problems) else 0
