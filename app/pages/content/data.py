"""What the Content page reads and writes, through the engine's public API only
(`engine.content_library`, the workspace): no SQL, no Qt."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from app.store import StudioStore
from engine import content_library as library
from engine.content_library import JourneyUse, LibraryEntry, PreviewData
from engine.delivery.compliance import compliance_problems
from engine.delivery.errors import RenderError, TemplateProblem
from engine.delivery.message import RenderedMessage
from engine.delivery.settings import DeliverySettings
from engine.delivery.template_check import TemplateNames, check_content
from engine.delivery.trial_send import SendTestAnswer
from engine.model import Catalog, Contact, Content, EmailContent, Journey, TriggerKind

UNSAVED = "draft, unsaved"  # the state a use on the canvas, not yet saved, is shown with


@dataclass(frozen=True)
class PreviewRequest:
    """One refresh of the preview: the content as typed, for whom, with what data."""

    number: int
    content: Content
    contact: Contact | None
    trigger_data: dict[str, Any]
    settings: DeliverySettings
    names: TemplateNames


@dataclass(frozen=True)
class PreviewResult:
    number: int
    problems: list[TemplateProblem]     # the templates' own, with lines and columns
    compliance: list[str]               # what keeps it from being Ready (commercial email)
    message: RenderedMessage | None     # None when a template failed to render
    failure: RenderError | None = None
    seconds: float = 0.0                # how long checking and rendering took


def check_and_render(request: PreviewRequest) -> PreviewResult:
    """The work of one refresh, on a worker thread: the same checks and renderer as
    delivery and publishing."""
    started = time.perf_counter()
    content = request.content
    problems = check_content(content, request.names)
    sender = request.settings.sender(content.sender) \
        if isinstance(content, EmailContent) else None
    compliance = compliance_problems(content, sender)
    message, failure = None, None
    if not any(not p.warning for p in problems):
        try:
            message = library.preview(content, request.contact, request.trigger_data,
                                      request.settings)
        except RenderError as error:
            failure = error
    return PreviewResult(request.number, problems, compliance, message, failure,
                         time.perf_counter() - started)


class ContentLibrary:
    """The workspace's content as the page shows it."""

    def __init__(self, store: StudioStore,
                 unsaved: Callable[[], Journey | None] = lambda: None) -> None:
        """`unsaved`: the journey on the canvas while it has edits not saved (its tiles
        say which content it sends; the workspace still holds what it sent before)."""
        self.store, self.unsaved = store, unsaved

    @property
    def workspace(self):
        return self.store.workspace

    def entries(self) -> list[LibraryEntry]:
        journey = self.unsaved()
        return [_with_unsaved(entry, journey)
                for entry in library.library(self.workspace)]

    def entry(self, content_id: str) -> LibraryEntry:
        return _with_unsaved(library.entry(self.workspace, content_id), self.unsaved())

    def catalog(self) -> Catalog:
        return self.store.catalog()

    def settings(self) -> DeliverySettings:
        return library.settings_without_secrets(self.workspace)

    def new(self, channel: str, name: str | None = None) -> Content:
        return library.new_content(self.workspace, channel, name)

    def duplicate(self, content_id: str) -> Content:
        return library.duplicate_content(self.workspace, content_id)

    def delete(self, content_id: str) -> None:
        library.delete_content(self.workspace, content_id)

    def save(self, content: Content) -> None:
        library.save_content(self.workspace, content)

    def triggers_of(self, content_id: str) -> list[str]:
        found = library.triggers_of(self.workspace, content_id)
        journey = self.unsaved()
        trigger = journey.start.trigger if journey is not None else None
        if trigger and trigger not in found and content_id in _sent_by(journey):
            found.append(trigger)
        return found

    def trigger_titles(self) -> dict[str, str]:
        """name → title of every trigger, business events too ("Contact created")."""
        return {name: trigger.title for name, trigger in self.catalog().triggers.items()}

    def triggers(self) -> list[tuple[str, str]]:
        """(title, name) of the triggers whose data a message can show."""
        found = [(t.title, t.name) for t in self.catalog().triggers.values()
                 if t.kind in (TriggerKind.CUSTOM, TriggerKind.RECORD)]
        return sorted(found, key=lambda pair: pair[0].lower())

    def preview_data(self, trigger: str | None, contact_id: str | None) -> PreviewData:
        """The contact's latest event of the trigger, else anyone's, else placeholders."""
        return library.preview_trigger_data(self.workspace, trigger, contact_id)

    def contact(self, contact_id: str) -> Contact | None:
        return self.store.contact(contact_id) if contact_id else None

    def send_test(self, content: Content, recipient: str, contact: Contact | None,
                  data: dict[str, Any]) -> SendTestAnswer:
        """Blocking: call it on a worker thread."""
        return library.send_test(self.workspace, content, recipient, contact=contact,
                                 trigger_data=data)


def _sent_by(journey: Journey) -> set[str]:
    return {content for tile in journey.tiles if (content := getattr(tile, "content", None))}


def _with_unsaved(entry: LibraryEntry, journey: Journey | None) -> LibraryEntry:
    """The entry with the canvas's unsaved journey as it is now: a message tile linked to
    the content a moment ago (its "New content…") uses it; one linked elsewhere no
    longer does. A live or paused version that sends it still does."""
    if journey is None:
        return entry
    uses = [use for use in entry.used_by if use.journey_id != journey.id or use.running]
    if entry.content.id in _sent_by(journey) and not any(
            use.journey_id == journey.id for use in uses):
        uses.append(JourneyUse(journey.id, journey.name, UNSAVED))
    if uses == list(entry.used_by):
        return entry
    return replace(entry, used_by=tuple(sorted(uses, key=lambda use: use.name.lower())))
