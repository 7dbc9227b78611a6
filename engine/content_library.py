"""A workspace's content library as people work with it: what the studio's Content page
and `waymark content` call.

Content is an email, an SMS or a push message; Draft until it is made Ready to send,
which journeys need before they publish. Ready content never holds a template that does
not compile, and commercial email is Ready only with an unsubscribe link and the
sender's postal address (`engine.delivery.compliance`): a save that would break either
is refused and the saved version stays as it was. A Draft may be saved with problems.
Published journeys keep their own copy of the content, so editing or deleting it here
changes what they send only when they are published again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from engine.delivery import trial_send
from engine.delivery.compliance import compliance_problems
from engine.delivery.errors import TemplateProblem
from engine.delivery.message import RenderedMessage
from engine.delivery.personalise import RenderContext, render
from engine.delivery.settings import DeliverySettings
from engine.delivery.template_check import TemplateNames, check_content
from engine.model import (
    Catalog,
    Channel,
    Contact,
    Content,
    ContentStatus,
    EmailContent,
    PushContent,
    SmsContent,
)
from engine.model.naming import copy_name, free_id, free_name, slug
from engine.snippets.fields import event_fields, expected_body
from engine.store import catalog_store, journeys_store, meta_store, settings_store
from engine.store import schema as s
from engine.store.database import writing
from engine.store.times import from_ts, iso_z
from engine.workspace import Workspace

CONTENT_CLASSES = {Channel.EMAIL: EmailContent, Channel.SMS: SmsContent,
                   Channel.PUSH: PushContent}
NEW_NAMES = {Channel.EMAIL: "New email", Channel.SMS: "New SMS", Channel.PUSH: "New push"}
STATUS_LABELS = {ContentStatus.DRAFT: "Draft", ContentStatus.READY: "Ready to send"}


class ContentError(Exception):
    """Something the library refused, with a reason a person can read."""


class ContentInUse(ContentError):
    """Content a live or paused journey sends cannot be deleted."""


class ContentNotReady(ContentError):
    """Ready content must pass its checks; `problems` says what is missing, each alone."""

    def __init__(self, name: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{name!r} cannot be Ready to send: " + "; ".join(problems))


@dataclass(frozen=True)
class JourneyUse:
    journey_id: str
    name: str
    state: str  # draft | live | paused | stopped | completed

    @property
    def running(self) -> bool:
        return self.state in journeys_store.ACTIVE_STATES


@dataclass(frozen=True)
class LibraryEntry:
    content: Content
    used_by: tuple[JourneyUse, ...]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.content.status]

    def matches(self, text: str) -> bool:
        """Search: the words typed, each in the name, id or any of its templates."""
        haystack = " ".join([self.content.name, self.content.id,
                             *self.content.templates().values()]).lower()
        return all(word in haystack for word in text.lower().split())


def library(workspace: Workspace) -> list[LibraryEntry]:
    """Every content item, by name, with the journeys that send it."""
    with workspace.db.connect() as conn:
        items = catalog_store.load_content(conn)
        uses = journeys_store.content_uses(conn)
    return sorted((LibraryEntry(item, tuple(JourneyUse(*u) for u in uses.get(item.id, ())))
                   for item in items), key=lambda e: (e.content.name.lower(), e.content.id))


def entry(workspace: Workspace, content_id: str) -> LibraryEntry:
    found = next((e for e in library(workspace) if e.content.id == content_id), None)
    if found is None:
        raise ContentError(f"there is no content {content_id!r} in this workspace")
    return found


# --- making and removing ---------------------------------------------------------

def new_content(workspace: Workspace, channel: Channel | str, name: str | None = None,
                **fields: Any) -> Content:
    """A Draft of the channel, saved, with a name ("New email", or the one given; "… 2"
    when taken) and an id no other content has."""
    channel = Channel(channel)
    with writing(workspace.db) as conn:
        taken = catalog_store.load_content(conn)
        name = free_name(name or NEW_NAMES[channel], {c.name for c in taken})
        content = CONTENT_CLASSES[channel](id=_new_id(name, taken), name=name, **fields)
        catalog_store.save_content(conn, content)
    return content


def duplicate_content(workspace: Workspace, content_id: str) -> Content:
    """A Draft copy: "Name (copy)", then "(copy 2)"…"""
    original = entry(workspace, content_id).content
    with writing(workspace.db) as conn:
        taken = catalog_store.load_content(conn)
        name = copy_name(original.name, {c.name for c in taken})
        copy = original.model_copy(update={"id": _new_id(name, taken), "name": name,
                                           "status": ContentStatus.DRAFT})
        catalog_store.save_content(conn, copy)
    return copy


def _new_id(name: str, taken: list[Content]) -> str:
    return free_id(slug(name, "content"), {c.id for c in taken})


def delete_content(workspace: Workspace, content_id: str) -> None:
    """Refused (ContentInUse, naming them) while live or paused journeys send it."""
    found = entry(workspace, content_id)
    running = [use for use in found.used_by if use.running]
    if running:
        names = ", ".join(f"{use.name!r} ({use.state})" for use in running)
        raise ContentInUse(f"{found.content.name!r} is not deleted: the journey"
                           f"{'s' if len(running) > 1 else ''} {names} send"
                           f"{'' if len(running) > 1 else 's'} it. Stop "
                           f"{'them' if len(running) > 1 else 'it'}, or choose other "
                           "content in its message tiles and publish again")
    with writing(workspace.db) as conn:
        catalog_store.delete_content(conn, content_id)


# --- checking and saving ---------------------------------------------------------

def triggers_of(workspace: Workspace, content_id: str) -> list[str]:
    """The entry triggers of the journeys that send the content (their data is what its
    templates see as `trigger`)."""
    found = []
    for use in entry(workspace, content_id).used_by:
        trigger = workspace.load_journey(use.journey_id).start.trigger
        if trigger and trigger not in found:
            found.append(trigger)
    return found


def template_problems(content: Content, catalog: Catalog, triggers: list[str] | None
                      ) -> list[TemplateProblem]:
    """Errors and warnings of every template field, with lines and columns. `triggers`
    None: not known yet, so `trigger.…` names are not checked."""
    return check_content(content, TemplateNames.of(catalog, triggers))


def ready_problems(content: Content, settings: DeliverySettings) -> list[str]:
    """What keeps the content from being Ready to send: templates that do not compile,
    then what the law asks of commercial email. [] when it may be Ready."""
    broken = [p.describe() for p in check_content(content) if not p.warning]
    sender = settings.sender(content.sender) if isinstance(content, EmailContent) else None
    return broken + compliance_problems(content, sender)


def save_content(workspace: Workspace, content: Content) -> None:
    """Save; Ready content with problems is refused (ContentNotReady) and the saved
    version is kept."""
    if content.status == ContentStatus.READY:
        problems = ready_problems(content, settings_without_secrets(workspace))
        if problems:
            raise ContentNotReady(content.name, problems)
    workspace.save_content(content)


def set_ready(workspace: Workspace, content_id: str, ready: bool = True) -> Content:
    """Make saved content Ready to send (checked: ContentNotReady), or a Draft again."""
    status = ContentStatus.READY if ready else ContentStatus.DRAFT
    content = entry(workspace, content_id).content.model_copy(update={"status": status})
    save_content(workspace, content)
    return content


def settings_without_secrets(workspace: Workspace) -> DeliverySettings:
    """The delivery settings for checks and previews: no keyring is asked."""
    with workspace.db.connect() as conn:
        return settings_store.delivery_settings_without_secrets(conn)


# --- previewing and sending a test -----------------------------------------------

def sample_trigger_data(catalog: Catalog, trigger_name: str | None, now: datetime
                        ) -> dict[str, Any]:
    """An event's attributes as the trigger's snippet fills them: typed placeholders
    (text as its name in capitals, numbers 0, false, date-times `now`)."""
    trigger = catalog.triggers.get(trigger_name or "")
    if trigger is None:
        return {}
    body = expected_body(event_fields(trigger, catalog), now=iso_z(now) or "",
                         message_id="preview")
    return dict(body.get("attributes") or {})


# How far back the preview looks for an event of a trigger: the newest events only, so
# that a trigger not fired for a long time costs a bounded scan (events have no index by
# trigger; a person's events do, so a contact's own are always found).
RECENT_EVENTS = 20_000


@dataclass(frozen=True)
class PreviewData:
    """The trigger data a preview starts from, and where it came from (for the page)."""

    data: dict[str, Any]
    source: str


def preview_trigger_data(workspace: Workspace, trigger_name: str | None,
                         contact_id: str | None = None) -> PreviewData:
    """The data of the contact's latest event of the trigger, else of the latest one
    anyone sent (among the newest RECENT_EVENTS), else the typed placeholders."""
    catalog = workspace.catalog()
    trigger = catalog.triggers.get(trigger_name or "")
    if trigger is None:
        return PreviewData({}, "")
    events = s.events
    mine = (events.c.contact_id == contact_id) if contact_id else None
    with workspace.db.connect() as conn:
        newest = conn.execute(select(func.max(events.c.id))).scalar() or 0
        row = None
        if mine is not None:
            row = _latest_event(conn, trigger.name, mine)
        if row is None:
            row = _latest_event(conn, trigger.name, events.c.id > newest - RECENT_EVENTS)
    if row is None:
        return PreviewData(sample_trigger_data(catalog, trigger.name, workspace.now()),
                           f"Placeholders: no {trigger.title} event yet")
    when = from_ts(row.occurred_at).astimezone().strftime("%Y-%m-%d %H:%M")
    if contact_id and row.contact_id == contact_id:
        return PreviewData(dict(row.data), f"{contact_id}’s latest {trigger.title} event, "
                                           f"{when}")
    return PreviewData(dict(row.data), f"The latest {trigger.title} event: "
                                       f"{row.contact_id}’s, {when}")


def _latest_event(conn, trigger: str, where) -> Any:
    events = s.events
    return conn.execute(select(events.c.contact_id, events.c.data, events.c.occurred_at)
                        .where(events.c.trigger == trigger, where)
                        .order_by(events.c.id.desc()).limit(1)).first()


def preview(content: Content, contact: Contact | None, trigger_data: dict[str, Any],
            settings: DeliverySettings) -> RenderedMessage:
    """The message as delivery renders it for this person and event (without tracking:
    links stay as written, no open pixel). Raises RenderError naming field and line."""
    sender = settings.sender(content.sender) if isinstance(content, EmailContent) else None
    return render(content, RenderContext.of(contact, trigger_data, "preview", "Preview"),
                  link_domains=settings.tracking.link_domains, sender=sender)


def send_test(workspace: Workspace, content: Content, recipient: str, *,
              contact: Contact | None = None,
              trigger_data: dict[str, Any] | None = None) -> trial_send.SendTestAnswer:
    """Render the content (as it is in the editor, saved or not) for the contact and data
    and send it once through the configured channel; the channel's answer. Blocking."""
    with writing(workspace.db) as conn:
        workspace_id = meta_store.workspace_id(conn)
    settings = workspace.delivery_settings()
    context = RenderContext.of(contact, trigger_data or {}, "test-send", "Test send")
    return trial_send.send_test_message(
        settings, content, recipient, now=workspace.now(), context=context,
        outbox_folder=settings.outbox_folder or workspace.outbox_dir,
        workspace_id=workspace_id)
