"""The one seam between the studio and where journeys live: a workspace, through the
engine's public API (`engine.workspace.Workspace`).

Everything the studio reads or writes goes through `StudioStore`, so the window never
touches files, SQL or the runtime directly; a change in the workspace API is a change
here only.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from engine import content_library
from engine.delivery.settings import DeliverySettings
from engine.model import (
    Bundle,
    BundleError,
    Catalog,
    Contact,
    Journey,
    LifecycleState,
    TriggerKind,
    dump_bundle,
    read_bundle,
)
from engine.model.references import collect_bundle
from engine.resources import sample_paths
from engine.runtime.lifecycle import LifecycleError
from engine.workspace import (
    BundleImport,
    JourneyInfo,
    JourneyNotFound,
    VersionInfo,
    Workspace,
)

STATES_WITH_VERSIONS = ("live", "paused", "stopped", "completed")


class StoreError(Exception):
    """An action the workspace refused, with a reason a person can read."""


@dataclass(frozen=True)
class PublishOutcome:
    version: int | None
    problems: list  # list[ValidationProblem] when refused

    @property
    def published(self) -> bool:
        return self.version is not None


class StudioStore:
    """A workspace as the studio sees it: journeys, their catalog, bundles, lifecycle."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    @classmethod
    def open(cls, location: str | Path | None = None) -> StudioStore:
        """Open (creating on first use) a workspace; the default one when no location."""
        return cls(Workspace.open(location))

    @property
    def location(self) -> str:
        return self.workspace.location

    def close(self) -> None:
        self.workspace.close()

    # --- journeys -------------------------------------------------------------------

    def catalog(self) -> Catalog:
        return self.workspace.catalog()

    def journeys(self) -> list[JourneyInfo]:
        return self.workspace.journeys()

    def info(self, journey_id: str) -> JourneyInfo:
        return self.workspace.journey_info(journey_id)

    def load(self, journey_id: str) -> Journey:
        try:
            return self.workspace.load_journey(journey_id)
        except JourneyNotFound:
            raise StoreError(f"there is no journey {journey_id!r} in this workspace") from None

    def save(self, journey: Journey) -> None:
        self.workspace.save_journey(journey)

    def new_journey(self, name: str) -> Journey:
        return self.workspace.new_journey(name)

    def duplicate(self, journey_id: str) -> Journey:
        return self.workspace.duplicate_journey(journey_id)

    def rename(self, journey_id: str, name: str) -> None:
        self.workspace.rename_journey(journey_id, name)

    def delete(self, journey_id: str) -> None:
        """Delete a draft; a journey that was ever published refuses (stop it instead)."""
        with _readable_errors():
            self.workspace.delete_journey(journey_id)

    # --- triggers and contacts (for test triggers) -------------------------------------

    def fireable_triggers(self) -> list:
        """The triggers the studio can fire, by title: those a website or app sends, and
        those a change of a business record raises (the record is changed); then those
        Waymark raises when a contact is saved (the contact is saved)."""
        kinds = (TriggerKind.CUSTOM, TriggerKind.RECORD, TriggerKind.BUSINESS)
        triggers = self.catalog().triggers.values()
        return sorted((t for t in triggers if t.kind in kinds),
                      key=lambda t: (t.kind == TriggerKind.BUSINESS, t.title.lower()))

    def search_contacts(self, text: str, limit: int = 50) -> list[tuple[str, str | None]]:
        """(id, email) of contacts whose id or email starts with `text`, at most `limit`:
        index range scans, so typing stays instant with 100,000 contacts."""
        rows = self.workspace.search_contacts(text, limit=limit, match="prefix")
        return [(row.id, row.email) for row in rows]

    def contact(self, contact_id: str) -> Contact | None:
        return self.workspace.contact(contact_id)

    def save_contact(self, contact: Contact) -> None:
        self.workspace.save_contact(contact)

    # --- bundles --------------------------------------------------------------------

    def read_bundle(self, path: str | Path) -> Bundle:
        """Raises `BundleError` naming the file and the place; nothing is written."""
        if self._is_own_file(path):
            raise BundleError("this is the open workspace's own file, not a journey bundle",
                              source=str(path))
        return read_bundle(path)

    def import_bundle(self, bundle: Bundle, source: str | Path = "bundle") -> Journey:
        """All or nothing: the journey as a draft, with what it references; a
        `BundleError` naming the place in `source` when the catalog's rules refuse it."""
        return self.import_bundle_report(bundle, source).journey

    def import_bundle_report(self, bundle: Bundle, source: str | Path = "bundle"
                             ) -> BundleImport:
        """As `import_bundle`, saying also what came in as a copy (content or a segment
        the workspace defines otherwise keeps its definition)."""
        return self.workspace.import_bundle_report(bundle, source=source)

    def export_bundle(self, journey_id: str, path: str | Path) -> Bundle:
        if self._is_own_file(path):
            raise StoreError(f"{Path(path).name} is the open workspace's own file: a bundle "
                             "written there would destroy the workspace")
        bundle = self.workspace.export_bundle(journey_id)
        try:
            Path(path).write_text(dump_bundle(bundle), encoding="utf-8")
        except OSError as error:  # a folder not writable, gone, a name that is a folder
            raise StoreError(f"{path} could not be written: "
                             f"{error.strerror or error}") from None
        return bundle

    def versions(self, journey_id: str) -> list[VersionInfo]:
        return self.workspace.versions(journey_id)

    def version_bundle(self, journey_id: str, version: int) -> Bundle:
        """A published version as it was published: the journey and what it used."""
        with _readable_errors():
            return self.workspace.load_version(journey_id, version)

    def simulation_bundle(self, journey: Journey, version: int | None) -> Bundle:
        """The bundle a simulation runs, as File → Export makes it: the journey as it is
        on the canvas (saved or not) with what it uses, or a published version's snapshot."""
        if version is None:
            draft = journey.model_copy(update={"state": LifecycleState.DRAFT})
            return collect_bundle(draft, self.catalog())
        return self.workspace.load_version(journey.id, version)

    def _is_own_file(self, path: str | Path) -> bool:
        """The workspace file, or its log or index: opening one of them here, even only to
        read it, would release SQLite's locks (see `app/file_dialogs.py`)."""
        if self.workspace.db.dialect.name != "sqlite":
            return False
        return any(_same_file(path, f"{self.location}{suffix}")
                   for suffix in ("", "-wal", "-shm", "-engine.lock"))

    def samples(self) -> list[Path]:
        return sample_paths()

    def open_sample(self, path: Path) -> BundleImport:
        """The sample's journey: the workspace's copy if it has one, else imported (with
        copies of what the workspace has reworded since: `import_bundle_report`)."""
        bundle = read_bundle(path)
        if any(info.id == bundle.journey.id for info in self.journeys()):
            return BundleImport(self.load(bundle.journey.id), [])
        return self.import_bundle_report(bundle, source=Path(path))

    # --- lifecycle ------------------------------------------------------------------

    def settings_for_checks(self) -> DeliverySettings:
        """The delivery settings without credentials (no keyring asked): what the journey's
        content is checked against."""
        return content_library.settings_without_secrets(self.workspace)

    def publish(self, journey_id: str) -> PublishOutcome:
        with _readable_errors():
            result = self.workspace.publish(journey_id)
        return PublishOutcome(result.version, list(result.problems))

    def pause(self, journey_id: str) -> None:
        with _readable_errors():
            self.workspace.pause(journey_id)

    def resume(self, journey_id: str) -> None:
        with _readable_errors():
            self.workspace.resume(journey_id)

    def stop(self, journey_id: str) -> None:
        with _readable_errors():
            self.workspace.stop(journey_id)


@contextmanager
def _readable_errors() -> Iterator[None]:
    try:
        yield
    except (LifecycleError, JourneyNotFound) as exc:
        raise StoreError(str(exc).strip("'\"")) from None


def _same_file(a: str | Path, b: str | Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist
        return False
