"""Unsaved changes kept on disk while the studio runs, offered back after it was killed.

A studio killed with a journey half drawn or an email half written (a crash, the power,
`kill -9`, a logout that leaves no one to answer "Save changes?") lost them. Two seconds
after each change, the journey on the canvas (or the content in its editor), unsaved, is
written beside its workspace (`shop.waymark` → `shop-unsaved/`; a PostgreSQL workspace's
in the person's data folder); saving, discarding, or undoing back to what is saved removes
the file. When the studio opens that journey (or content) again it asks whether to
restore the changes: restored, they are back unsaved, as they were. The journey's keeper
is `UnsavedKeeper`; the content page keeps its editor's (`app.pages.content.page`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformdirs import user_data_path
from pydantic import TypeAdapter
from PySide6.QtCore import QObject, QTimer

from engine.model import BundleError, Content, Journey, load_journey, to_data

if TYPE_CHECKING:
    from app.session import JourneySession

log = logging.getLogger(__name__)

KEEP_AFTER_MS = 2000  # after the last change: a drag or a name being typed is one write
FORMAT = 1
_CONTENT = TypeAdapter(Content)


@dataclass(frozen=True)
class Kept:
    item: Any  # a Journey or a Content
    kept_at: datetime  # local time, as the person saw it


def unsaved_folder(location: str) -> Path:
    """Where the unsaved journeys and content of the workspace at `location` are kept."""
    if "://" not in location:  # an SQLite file, shown as its path
        path = Path(location)
        return path.with_name(f"{path.stem}-unsaved")
    digest = hashlib.sha256(location.encode()).hexdigest()[:16]
    return user_data_path("waymark", appauthor=False) / "unsaved" / digest


def content_key(content_id: str) -> str:
    """What content is kept under (a journey is kept under its id)."""
    return f"content:{content_id}"


def _file(location: str, key: str) -> Path:
    # hashed: ids differ by case alone ("Ann", "ann"), which some file systems do not
    name = hashlib.sha256(key.encode()).hexdigest()[:16]
    return unsaved_folder(location) / f"{name}.json"


def keep(location: str, journey: Journey) -> Path:
    """Write `journey` as the unsaved changes to it (whole or not at all)."""
    return _write(location, journey.id, "journey", to_data(journey))


def keep_content(location: str, content: Content) -> Path:
    return _write(location, content_key(content.id), "content", to_data(content))


def _write(location: str, key: str, kind: str, data: Any) -> Path:
    path = _file(location, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"format": FORMAT, "workspace": location,
                "kept_at": datetime.now().astimezone().isoformat(timespec="seconds"),
                kind: data}
    part = path.with_suffix(".part")
    part.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    os.replace(part, path)
    return path


def kept(location: str, journey_id: str) -> Kept | None:
    """The unsaved changes kept for the journey, if any (a file that cannot be read is
    left alone and not offered: a newer studio may have written it)."""
    found = _read(location, journey_id, "journey",
                  lambda data, path: load_journey(data, source=str(path)))
    return found if found is None or found.item.id == journey_id else None


def kept_content(location: str, content_id: str) -> Kept | None:
    found = _read(location, content_key(content_id), "content",
                  lambda data, _path: _CONTENT.validate_python(data))
    return found if found is None or found.item.id == content_id else None


def _read(location: str, key: str, kind: str, load: Callable[[Any, Path], Any]
          ) -> Kept | None:
    path = _file(location, key)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return None
        return Kept(load(data[kind], path), datetime.fromisoformat(data["kept_at"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, BundleError) as error:
        log.warning("unsaved changes in %s not read: %s", path, error)
        return None


def kept_ids(location: str, kind: str = "journey") -> list[str]:
    """The journeys (or content) with unsaved changes kept, the most recently kept
    first."""
    folder = unsaved_folder(location)
    found: list[tuple[float, str]] = []
    for path in folder.glob("*.json") if folder.is_dir() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            item = data.get(kind) if isinstance(data, dict) else None
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                found.append((path.stat().st_mtime, item["id"]))
        except (OSError, ValueError):
            continue
    return [item_id for _when, item_id in sorted(found, reverse=True)]


def forget(location: str, key: str) -> None:
    """`key`: a journey's id, or `content_key` of content."""
    path = _file(location, key)
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # the last one: no empty folder left behind
        path.parent.rmdir()


def offer(prompts: Any, location: str, key: str, found: Kept | None, saved: Any,
          name: str, where: str) -> Any | None:
    """The kept changes to restore, if the person wants them back (`Prompts.
    restore_unsaved`: Restore, Discard or Not now); None when nothing is kept, when what
    is kept is what is saved (then forgotten), or when discarded (forgotten) or put off.
    `key`: as `forget` takes it; `where`: "on the canvas", "in the editor"."""
    if found is None:
        return None
    if found.item == saved:  # saved after all
        forget(location, key)
        return None
    answer = prompts.restore_unsaved(name, when(found.kept_at), where)
    if answer == "discard":
        forget(location, key)
    return found.item if answer == "restore" else None


def when(moment: datetime) -> str:
    """"at 14:02" today, "on 1 Dec at 14:02" before."""
    local = moment.astimezone()
    clock = f"at {local:%H:%M}"
    return clock if local.date() == datetime.now().astimezone().date() else \
        f"on {local.day} {local:%b} {clock}"


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
