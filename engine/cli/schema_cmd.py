"""`waymark schema`: write the JSON Schemas of Waymark's document formats."""

from __future__ import annotations

import argparse
from pathlib import Path

from engine.schemas import write_schemas


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "schema", help="write the JSON Schemas of bundles and other formats",
        description="Regenerate the JSON Schemas from the models (default: resources/schema).",
    )
    parser.add_argument("--out", type=Path, default=None, help="folder to write into")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    for path in write_schemas(args.out):
        print(path)
    return 0
