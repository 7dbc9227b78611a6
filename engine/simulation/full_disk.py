"""A disk that fills while a simulation writes its workspace, said as such: "the disk is
full: no room left for the simulation's workspace in FOLDER", not a traceback."""

from __future__ import annotations

import errno
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .lifecycle_items import SimulationError


class NoRoom(SimulationError):
    """The disk filled while the simulation wrote its workspace (the place is the folder,
    not the bundle or the audience)."""


NEARLY_FULL = 1 << 20  # bytes free, below which SQLite's "disk I/O error" is a full disk


def no_room(error: BaseException, folder: Path) -> NoRoom | None:
    """`error` said as a full disk, when that is what it was (an OSError ENOSPC or
    EDQUOT, SQLite's "database or disk is full", or its "disk I/O error" on a disk with
    less than a megabyte free — a workspace opened with no room for its shared-memory
    file — however wrapped); else None."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        said = str(cause) if isinstance(cause, sqlite3.OperationalError) else ""
        if (isinstance(cause, OSError) and cause.errno in (errno.ENOSPC, errno.EDQUOT)) \
                or "disk is full" in said \
                or ("disk I/O error" in said and _free(folder) < NEARLY_FULL):
            return full_disk(folder)
        cause = getattr(cause, "orig", None) or cause.__cause__ or cause.__context__
    return None


def _free(folder: Path) -> int:
    """Bytes free on the disk `folder` is (or was to be) on."""
    for place in (folder, *folder.parents):
        try:
            return shutil.disk_usage(place).free
        except OSError:  # gone already, or never made
            continue
    return NEARLY_FULL


def full_disk(folder: Path) -> NoRoom:
    return NoRoom(f"the disk is full: no room left for the simulation's workspace in "
                  f"{folder} (free some space, or simulate fewer people)")


@contextmanager
def saying_full_disk(folder: Path) -> Iterator[None]:
    """What fails inside for a full disk raises NoRoom naming `folder`; anything else
    as it was."""
    try:
        yield
    except SimulationError:
        raise
    except Exception as error:
        full = no_room(error, folder)
        if full is None:
            raise
        raise full from None
