"""What every sub-command shares: the --workspace option and readable failures."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.model import DocumentError
from engine.runtime.lifecycle import LifecycleError
from engine.store.database import WorkspaceError, default_workspace_path
from engine.store.lock import WorkspaceBusyError
from engine.workspace import JourneyNotFound, Workspace

EXPECTED_ERRORS = (DocumentError, WorkspaceError, WorkspaceBusyError, LifecycleError,
                   JourneyNotFound)


def add_workspace_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workspace", metavar="PATH", default=None,
        help=f"a workspace file or a postgresql:// URL (default: {default_workspace_path()})")


def open_workspace(args: argparse.Namespace, create: bool = True) -> Workspace:
    if args.workspace is not None:
        check_workspace_path(args.workspace)
    return Workspace.open(args.workspace, create=create)


def check_workspace_path(location: str) -> None:
    """A path that cannot be a workspace file is refused before anything is made."""
    if "://" in location:
        return
    path = Path(location).expanduser()
    if path.is_dir():
        raise WorkspaceError(f"{location}: is a folder; name a .waymark file inside it or a "
                             "postgresql+psycopg:// URL")
    if not path.parent.is_dir():
        raise WorkspaceError(f"{location}: there is no folder {path.parent}; create it first "
                             "or check the path")


def fail(message: str, code: int = 2) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def guarded(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Expected failures become one clear line on stderr, never a traceback."""

    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except JourneyNotFound as error:
            return fail(f"no journey {error.args[0]!r} in this workspace")
        except EXPECTED_ERRORS as error:
            return fail(str(error))
        except OSError as error:  # a file named on the command line: gone, a folder...
            if not _named(args, error.filename):
                raise  # another file's trouble is ours, not a slip of the person's
            return fail(f"{error.filename}: {error.strerror or error}")

    return run


def _named(args: argparse.Namespace, filename: Any) -> bool:
    """Whether `filename` is a path given on the command line."""
    if not isinstance(filename, (str, Path)):
        return False
    given = {Path(value) for value in vars(args).values() if isinstance(value, (str, Path))}
    return Path(filename) in given


def table(rows: list[list[Any]], headers: list[str]) -> str:
    cells = [headers, *[[("" if c is None else str(c)) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
             for row in cells]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])
