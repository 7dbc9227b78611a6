"""Unsaved changes kept on disk while the studio runs, offered back after it was killed.

A studio killed with a journey half drawn (a crash, the power, `kill -9`, a logout that
leaves no one to answer "Save changes?") lost the drawing. Two seconds after each change,
the journey on the canvas, unsaved, is written beside its workspace
(`shop.waymark` → `shop-unsaved/`; a PostgreSQL workspace's in the person's data folder);
saving, discarding, or undoing back to what is saved removes the file. When the studio
opens that journey again it asks whether to restore the changes: restored, they are on
the canvas unsaved (Undo goes back to the saved journey), as they were.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from platformdirs import user_data_path
from PySide6.QtCore import QObject, QTimer

from engine.model import BundleError, Journey, load_journey, to_data

if TYPE_CHECKING:
    from app.session import JourneySession

log = logging.getLogger(__name__)

KEEP_AFTER_MS = 2000  # after the last change: a drag or a name being typed is one write
FORMAT = 1


@dataclass(frozen=True)
class Kept:
    journey: Journey
    kept_at: datetime  # local time, as the person saw it


def unsaved_folder(location: str) -> Path:
    """Where the unsaved journeys of the workspace at `location` are kept."""
    if "://" not in location:  # an SQLite file, shown as its path
        path = Path(location)
        return path.with_name(f"{path.stem}-unsaved")
    digest = hashlib.sha256(location.encode()).hexdigest()[:16]
    return user_data_path("waymark", appauthor=False) / "unsaved" / digest


def _file(location: str, journey_id: str) -> Path:
    # hashed: ids differ by case alone ("Ann", "ann"), which some file systems do not
    name = hashlib.sha256(journey_id.encode()).hexdigest()[:16]
    return unsaved_folder(location) / f"{name}.json"


def keep(location: str, journey: Journey) -> Path:
    """Write `journey` as the unsaved changes to it (whole or not at all)."""
    path = _file(location, journey.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"format": FORMAT, "workspace": location,
            "kept_at": datetime.now().astimezone().isoformat(timespec="seconds"),
            "journey": to_data(journey)}
    part = path.with_suffix(".part")
    part.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(part, path)
    return path


def kept(location: str, journey_id: str) -> Kept | None:
    """The unsaved changes kept for the journey, if any (a file that cannot be read is
    left alone and not offered: a newer studio may have written it)."""
    path = _file(location, journey_id)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            return None
        journey = load_journey(data["journey"], source=str(path))
        when = datetime.fromisoformat(data["kept_at"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, BundleError) as error:
        log.warning("unsaved changes in %s not read: %s", path, error)
        return None
    return Kept(journey, when) if journey.id == journey_id else None


def kept_ids(location: str) -> list[str]:
    """The journeys with unsaved changes kept, the most recently kept first."""
    folder = unsaved_folder(location)
    found: list[tuple[float, str]] = []
    for path in folder.glob("*.json") if folder.is_dir() else []:
        try:
            journey_id = json.loads(path.read_text(encoding="utf-8"))["journey"]["id"]
            found.append((path.stat().st_mtime, journey_id))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return [journey_id for _when, journey_id in sorted(found, reverse=True)]


def forget(location: str, journey_id: str) -> None:
    path = _file(location, journey_id)
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # the last one: no empty folder left behind
        path.parent.rmdir()


class UnsavedKeeper(QObject):
    """Keeps the open journey's unsaved changes on disk as they are made (see above)."""

    def __init__(self, session: JourneySession) -> None:
        super().__init__(session)
        self.session = session
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(KEEP_AFTER_MS)
        self._timer.timeout.connect(self.keep_now)
        self._kept: tuple[str, str] | None = None  # (workspace, journey) written for
        self._warned = False
        stack = session.editor.undo_stack
        stack.indexChanged.connect(self._changed)
        stack.cleanChanged.connect(self._changed)
        self._listening = True

    def _editable(self) -> tuple[str, str] | None:
        session = self.session
        if session.store is None or session.info is None or session.viewed_version is not None:
            return None
        return session.store.location, session.info.id

    def _changed(self, *_args) -> None:
        if self.session.editor.undo_stack.isClean():
            self.forget()
        elif self._editable() is not None:
            self._timer.start()

    def keep_now(self) -> None:
        """Write the unsaved changes now (on a timer after each change, and when the studio
        is ended by a signal, with nobody to answer whether to save)."""
        self._timer.stop()
        where = self._editable()
        journey = self.session.editor.journey
        if where is None or self.session.editor.undo_stack.isClean() or journey.id != where[1]:
            return
        if self._kept is not None and self._kept != where:
            forget(*self._kept)
        try:
            keep(where[0], journey)
        except OSError as error:  # a folder it may not write to: said once, then quiet
            if not self._warned:
                self._warned = True
                self.session.status.emit(f"Unsaved changes are not kept on disk as you work "
                                         f"({error.strerror or error}): save them")
            return
        self._kept = where

    def adopt(self, location: str, journey_id: str) -> None:
        """The changes kept by an earlier studio are on this canvas now: saved, discarded
        or undone, their file goes as this studio's own would."""
        self._kept = (location, journey_id)

    def forget(self) -> None:
        """The changes were saved, discarded or undone: nothing to offer back."""
        self._timer.stop()
        if self._kept is not None:
            forget(*self._kept)
            self._kept = None

    def stop(self) -> None:
        """From now on keep nothing and remove nothing (the studio is ending)."""
        self._timer.stop()
        if self._listening:
            self._listening = False
            stack = self.session.editor.undo_stack
            stack.indexChanged.disconnect(self._changed)
            stack.cleanChanged.disconnect(self._changed)
