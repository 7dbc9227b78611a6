"""What is open — a workspace and one of its journeys — and the actions on them: open,
save, new, duplicate, rename, delete, import, export, samples, publish, pause, stop.

Everything persistent goes through `StudioStore` (the seam); every question to the
person goes through `Prompts`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal

from app import recovery
from app.editor import JourneyEditor
from app.prompts import Prompts
from app.properties.start_section import entry_triggers
from app.store import STATES_WITH_VERSIONS, StoreError, StudioStore
from engine.model import BundleError, Catalog
from engine.store.database import WorkspaceDetachedError
from engine.workspace import JourneyInfo

RECENT_KEY = "recent_workspaces"
MAX_RECENT = 8


def on_workspace(failed: object = None) -> Callable:
    """An action that reads or writes the workspace. If the workspace was cut off from
    this process (`WorkspaceDetachedError`: its log was replaced by another process),
    nothing was done: say so, open the workspace again, and answer `failed`."""

    def wrap(action: Callable) -> Callable:
        @functools.wraps(action)
        def run(self: JourneySession, *args, **kwargs):
            try:
                return action(self, *args, **kwargs)
            except WorkspaceDetachedError as error:
                self.reopen_after(error)
                return failed

        return run

    return wrap


class JourneySession(QObject):
    status = Signal(str)                 # a message for the status bar
    journeys_changed = Signal(list, object)  # list[JourneyInfo], the open journey's id
    opened = Signal()                    # a journey (or workspace) was opened
    publish_refused = Signal(list)       # the problems that stopped a publish
    workspace_opened = Signal(str)       # another workspace is open: its location

    def __init__(self, editor: JourneyEditor, prompts: Prompts, settings: QSettings) -> None:
        super().__init__()
        self.editor, self.prompts, self.settings = editor, prompts, settings
        self.store: StudioStore | None = None
        self.info: JourneyInfo | None = None
        # An earlier version shown instead of the newest (its people finishing on it):
        # read-only, never saved over the draft. None: the newest, as usual.
        self.viewed_version: int | None = None
        self.keeper = recovery.UnsavedKeeper(self)  # unsaved changes kept on disk

    @property
    def journey_id(self) -> str | None:
        return self.info.id if self.info else None

    @property
    def is_live(self) -> bool:
        return self.info is not None and self.info.state in STATES_WITH_VERSIONS

    # --- workspaces -----------------------------------------------------------------

    def open_workspace(self, location: str | Path | None = None) -> bool:
        if not self.maybe_save():
            return False
        store = self._open_store(location)
        if store is None:
            return False
        if self.store is not None:
            self.store.close()
        self.store, self.info = store, None
        self._remember(store.location)
        self.workspace_opened.emit(store.location)
        # before the journey opens: what opening it says (restored changes, an error)
        # is the last word, not this
        self.status.emit(f"Opened workspace {store.location}")
        journeys = store.journeys()
        if journeys:  # the one the studio was killed editing, else the first
            ids = {info.id for info in journeys}
            kept = [i for i in recovery.kept_ids(store.location) if i in ids]
            self.open_journey(kept[0] if kept else journeys[0].id, check_saved=False)
        else:
            self.refresh_list()
            self.opened.emit()
        return True

    def _open_store(self, location: str | Path | None) -> StudioStore | None:
        try:
            return StudioStore.open(location)
        except Exception as exc:  # a file that is not a workspace, or a newer one
            self.prompts.error("Cannot open the workspace", str(exc))
            return None

    def reopen_after(self, error: WorkspaceDetachedError) -> None:
        """Open the workspace again (closing it first is safe: see `engine.store.wal_guard`);
        the journey on the canvas stays as it is, unsaved changes included."""
        location = self.store.location
        self.store.close()
        self.store = self._open_store(location)
        if self.store is None:
            return
        unsaved = self.info is not None and not self.editor.undo_stack.isClean()
        then = (f"Your changes to “{self.editor.journey.name}” are still here: save them "
                "again.") if unsaved else "Try again."
        self.status.emit("Not done: the workspace was changed behind the studio's back")
        self.prompts.error("The workspace was changed behind the studio's back",
                           f"{error}\n\nThe studio has opened it again. {then}")
        self.refresh_list()

    def recent_workspaces(self) -> list[str]:
        value = self.settings.value(RECENT_KEY, [])
        return [value] if isinstance(value, str) else list(value or [])

    def _remember(self, location: str) -> None:
        recent = [location, *[r for r in self.recent_workspaces() if r != location]]
        self.settings.setValue(RECENT_KEY, recent[:MAX_RECENT])

    # --- journeys -------------------------------------------------------------------

    @on_workspace()
    def refresh_list(self) -> None:
        journeys = self.store.journeys() if self.store else []
        self.journeys_changed.emit(journeys, self.journey_id)

    @on_workspace(failed=False)
    def open_journey(self, journey_id: str, check_saved: bool = True) -> bool:
        if self.store is None or (check_saved and not self.maybe_save()):
            return False
        try:
            journey = self.store.load(journey_id)
            self.info = self.store.info(journey_id)
        except StoreError as exc:
            self.status.emit(str(exc))
            return False
        read_only = self.is_live and not self.info.changed_since_publish
        self.viewed_version = None
        self.editor.load(journey, self.store.catalog(), read_only=read_only)
        self.refresh_list()
        self._offer_kept()
        self.opened.emit()
        return True

    def _offer_kept(self) -> None:
        """Changes to the journey just opened that the studio was ended before saving
        (see `app.recovery`): restored on the canvas, unsaved, if the person wants them."""
        location, journey_id = self.store.location, self.info.id
        name = self.editor.journey.name  # as the list names it, whatever the changes did
        journey = recovery.offer(self.prompts, location, journey_id,
                                 recovery.kept(location, journey_id), self.editor.journey,
                                 name, "on the canvas")
        if journey is None:
            return
        if self.editor.read_only:  # live, unchanged since: the changes are a new version
            self.editor.set_read_only(False)
        self.editor.restore(journey)
        self.keeper.adopt(location, journey_id)
        self.status.emit(f"Restored the unsaved changes to “{name}”: save them to keep "
                         "them (Undo goes back)")

    def show_version(self, version: int | None) -> bool:
        """The open journey's `version` on the canvas, read-only with its counts (None or
        the newest: the journey as usual). After a new version is published, the people
        who entered before finish on theirs: this is where they are seen."""
        if self.store is None or self.info is None:
            return False
        if version is None or version == self.info.version:
            return self.open_journey(self.info.id)
        if not self.maybe_save():
            return False
        try:
            bundle = self.store.version_bundle(self.info.id, version)
        except StoreError as exc:
            self.status.emit(str(exc))
            return False
        self.viewed_version = version  # before the load: what reacts to it sees it
        self.editor.load(bundle.journey, Catalog.from_bundle(bundle), read_only=True)
        self.opened.emit()
        self.status.emit(f"Showing version {version} of “{self.info.name}”, read-only: "
                         f"version {self.info.version} is the newest")
        return True

    def maybe_save(self) -> bool:
        """True when it is fine to leave the open journey (saved, discarded, or clean)."""
        if self.info is None or self.editor.undo_stack.isClean():
            return True
        answer = self.prompts.unsaved_changes(self.editor.journey.name)
        if answer == "save":
            return self.save()
        if answer == "discard":
            self.keeper.forget()
        return answer == "discard"

    @on_workspace(failed=False)
    def save(self) -> bool:
        if self.store is None or self.info is None:
            return False
        if self.viewed_version is not None:  # an earlier version: never over the draft
            self.status.emit(f"Not saved: version {self.viewed_version} is shown read-only "
                             "(choose the newest version to edit the journey)")
            return False
        self.store.save(self.editor.journey)
        self.editor.undo_stack.setClean()
        self.info = self.store.info(self.info.id)
        self.refresh_list()
        self.status.emit(f"Saved “{self.editor.journey.name}”")
        return True

    @on_workspace()
    def new_journey(self, trigger: str | None = None) -> None:
        """A new journey, its name and trigger asked for (`trigger`: the one offered,
        from the Triggers page's New journey); the trigger may be left for later."""
        if self.store is None or not self.maybe_save():
            return
        catalog = self.store.catalog()
        known = catalog.triggers.get(trigger) if trigger else None
        answer = self.prompts.new_journey(entry_triggers(catalog),
                                          known.title if known else "New journey",
                                          trigger if known else None)
        if answer is None or not answer[0]:
            return
        name, trigger = answer
        journey = self.store.new_journey(name[:150])
        if trigger:
            journey.start.trigger = trigger
            self.store.save(journey)
        self.open_journey(journey.id, check_saved=False)
        self.status.emit(f"Created “{journey.name}”: double-click a tile in the palette to "
                         "add it after the start, or drag one onto the canvas")

    @on_workspace()
    def duplicate(self, journey_id: str) -> None:
        if self.store is not None and self.maybe_save():
            copy = self.store.duplicate(journey_id)
            self.open_journey(copy.id, check_saved=False)
            self.status.emit(f"Duplicated as “{copy.name}”")

    @on_workspace()
    def rename(self, journey_id: str) -> None:
        if self.store is None:
            return
        current = self.editor.journey.name if journey_id == self.journey_id else \
            self.store.load(journey_id).name
        name = self.prompts.text("Rename journey", "New name:", current)
        if not name:
            return
        if journey_id == self.journey_id:
            self.editor.update_settings(name=name[:150])
            self.save()
        else:
            self.store.rename(journey_id, name[:150])
            self.refresh_list()

    @on_workspace()
    def delete(self, journey_id: str) -> None:
        if self.store is None:
            return
        info = next((i for i in self.store.journeys() if i.id == journey_id), None)
        name = info.name if info is not None else journey_id
        if info is not None and info.state != "draft":
            self.status.emit(f"Not deleted: “{name}” has been published (version "
                             f"{info.version}, {info.state}), so it is kept with its "
                             "versions; stop it instead (Journey → Stop…)")
            return
        if not self.prompts.confirm("Delete journey", f"Delete the draft “{name}”? "
                                    "This cannot be undone.", "Delete"):
            return
        try:
            self.store.delete(journey_id)
        except StoreError as exc:
            self.status.emit(f"Not deleted: {exc}")
            return
        recovery.forget(self.store.location, journey_id)  # changes kept after a crash
        if journey_id == self.journey_id:
            self.info = None
            self.editor.undo_stack.setClean()
            remaining = self.store.journeys()
            if remaining:
                self.open_journey(remaining[0].id, check_saved=False)
        self.refresh_list()
        self.status.emit(f"Deleted “{name}”")

    # --- bundles --------------------------------------------------------------------

    @on_workspace()
    def import_bundle(self, path: Path | None = None) -> str | None:
        path = path or self.prompts.open_bundle_path()
        if self.store is None or path is None:
            return None
        try:  # read first: a file that cannot be imported asks nobody to leave a journey
            bundle = self.store.read_bundle(path)
        except BundleError as exc:
            self.status.emit(f"Not imported: {exc}")
            self.prompts.error("Cannot import the bundle", str(exc))
            return None
        if not self.maybe_save():
            return None
        taken = {i.id for i in self.store.journeys()}
        if bundle.journey.id in taken:
            fresh = _free_id(bundle.journey.id, taken)
            bundle = bundle.model_copy(update={
                "journey": bundle.journey.model_copy(update={"id": fresh})})
        try:
            report = self.store.import_bundle_report(bundle, source=Path(path))
        except BundleError as exc:
            self.status.emit(f"Not imported: {exc}")
            self.prompts.error("Cannot import the bundle", str(exc))
            return None
        journey = report.journey
        self.open_journey(journey.id, check_saved=False)
        # content or a segment the workspace defines otherwise stays; the journey uses a
        # copy (its name is on the canvas's tiles and the Content page)
        self.status.emit(import_said(f"Imported “{journey.name}”", report.copies,
                                     Path(path).name))
        return journey.id

    @on_workspace()
    def export_bundle(self, path: Path | None = None) -> Path | None:
        if self.store is None or self.info is None:
            return None
        path = path or self.prompts.save_bundle_path(f"{self.info.id}.json")
        if path is None or (not self.editor.undo_stack.isClean() and not self.save()):
            return None
        try:
            self.store.export_bundle(self.info.id, path)
        except StoreError as exc:
            self.status.emit(f"Not exported: {exc}")
            self.prompts.error("Cannot export the bundle", str(exc))
            return None
        self.status.emit(f"Exported “{self.editor.journey.name}” to {path}")
        return path

    @on_workspace()
    def open_sample(self, path: Path) -> None:
        if self.store is not None and self.maybe_save():
            try:  # the catalog's rules can refuse it: a trigger of the sample's, changed here
                opened = self.store.open_sample(path)
            except BundleError as exc:
                self.status.emit(f"Sample not opened: {exc}")
                self.prompts.error("Cannot open the sample", str(exc))
                return
            journey = opened.journey
            self.open_journey(journey.id, check_saved=False)
            self.status.emit(import_said(f"Opened the sample “{journey.name}”",
                                         opened.copies))

    # --- lifecycle ------------------------------------------------------------------

    @on_workspace(failed=False)
    def publish(self) -> bool:
        if self.store is None or self.info is None or (
                not self.editor.undo_stack.isClean() and not self.save()):
            return False
        before = self.info.version if self.is_live else None
        outcome = self.store.publish(self.info.id)
        if outcome.published and outcome.version == before:
            self.status.emit(f"Nothing to publish: “{self.info.name}” has not changed since "
                             f"version {before}, which stays live")
            self.open_journey(self.info.id, check_saved=False)
            return True
        if not outcome.published:
            count = len(outcome.problems)
            self.status.emit(f"Not published: {count} problem{'s' if count != 1 else ''} "
                             "to fix first (see Problems)")
            self.publish_refused.emit(outcome.problems)
            return False
        self.open_journey(self.info.id, check_saved=False)
        warnings = len(outcome.problems)  # a version that published has no errors
        self.status.emit(f"Published version {outcome.version}: “{self.info.name}” is live"
                         + (f", with {warnings} warning{'s' if warnings != 1 else ''} "
                            "(see Problems)" if warnings else ""))
        return True

    def edit_as_new_version(self) -> None:
        if self.viewed_version is not None:  # a new version starts from the newest
            return
        self.editor.set_read_only(False)
        self.opened.emit()
        self.status.emit("Editing a new version: publish it to replace the live one; "
                         "people already in the journey finish on theirs")

    @on_workspace()
    def change_state(self, action: str) -> None:
        if self.store is None or self.info is None:
            return
        if action == "stop" and not self.prompts.confirm(
                "Stop journey", "Stopping takes everyone out of the journey and cannot be "
                "undone.", "Stop journey"):
            return
        try:
            getattr(self.store, action)(self.info.id)
        except StoreError as exc:
            self.status.emit(f"Not done: {exc}")
            return
        self.open_journey(self.info.id, check_saved=False)
        self.status.emit(f"“{self.info.name}” is now {self.info.state}")


def _free_id(base: str, taken: set[str]) -> str:
    n = 2
    while f"{base[:58]}-{n}" in taken:
        n += 1
    return f"{base[:58]}-{n}"


def import_said(done: str, copies: list, file: str = "") -> str:
    """The status line after an import: what was `done` ("Imported “…”"), then the
    `file` it came from or, when the journey uses copies, of what (the file left out:
    short enough for the bar beside its figures; more than two are counted)."""
    if not copies:
        return f"{done} from {file}" if file else done
    if len(copies) == 1:
        return f"{done}: it uses a copy of “{copies[0].wanted_name}” (the workspace's differs)"
    what = (" and ".join(f"“{c.wanted_name}”" for c in copies) if len(copies) == 2
            else f"{len(copies)} items")
    return f"{done}: it uses copies of {what} (the workspace's differ)"
