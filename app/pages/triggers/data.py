"""What the Triggers page reads and changes, through the engine's public API only
(`engine.trigger_catalog`, `engine.snippets`): the CLI's `waymark triggers`, `tables`
and `snippet` call the same functions."""

from __future__ import annotations

from app.store import StudioStore
from engine import trigger_catalog
from engine.ingestion.address import DEFAULT_HOST, DEFAULT_PORT, base_url
from engine.model import Catalog, RecordTable, TriggerDefinition, TriggerState
from engine.snippets import generate_snippet
from engine.trigger_catalog import EventsSeen, TriggerEntry
from engine.trigger_uses import JourneyUse

DEFAULT_URL = base_url(DEFAULT_HOST, DEFAULT_PORT)


class TriggerCatalog:
    """The trigger catalog of one open workspace."""

    def __init__(self, store: StudioStore) -> None:
        self.workspace = store.workspace

    def entries(self) -> list[TriggerEntry]:
        return trigger_catalog.list_triggers(self.workspace)

    def events_seen(self) -> dict[str, EventsSeen]:
        return trigger_catalog.events_seen(self.workspace)

    def entry(self, name: str) -> TriggerEntry:
        return trigger_catalog.trigger_entry(self.workspace, name)

    def catalog(self) -> Catalog:
        return self.workspace.catalog()

    def journeys(self, name: str) -> list[JourneyUse]:
        return trigger_catalog.trigger_journeys(self.workspace, name)

    def create(self, trigger: TriggerDefinition, table: RecordTable | None) -> None:
        trigger_catalog.create_trigger(self.workspace, trigger, table)

    def update(self, trigger: TriggerDefinition, table: RecordTable | None, *,
               dry_run: bool = False) -> list[str]:
        return trigger_catalog.update_trigger(self.workspace, trigger, table, dry_run=dry_run)

    def set_state(self, name: str, state: TriggerState) -> None:
        trigger_catalog.set_trigger_state(self.workspace, name, state)

    def delete(self, name: str) -> None:
        trigger_catalog.delete_trigger(self.workspace, name)

    def snippet(self, trigger: TriggerDefinition, language: str, url: str,
                key: str | None, catalog: Catalog) -> str:
        return generate_snippet(trigger, language, url=url, key=key, catalog=catalog)
