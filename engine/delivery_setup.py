"""A workspace's delivery settings as people see and change them: what `waymark settings`
and the studio's Settings dialog call.

Keys are the settings' dotted paths (`engine.delivery.setting_keys`); credentials are
kept apart (`engine.delivery.secrets`): never in a view or an export, stored in the
keyring where there is a usable one. Every save marks the workspace changed, so a running
engine takes the new settings at its next heartbeat (within 2 s).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.delivery import trial_send
from engine.delivery.secrets import (
    MASK,
    WORKSPACE_ONLY,
    Place,
    get_path,
    is_secret_path,
    keyring_name,
    secret_paths,
    secrets_in,
    set_path,
    system_keyring,
    without_secrets,
)
from engine.delivery.setting_keys import (
    SettingError,
    setting_problems,
    validated,
    with_setting,
)
from engine.delivery.settings import DeliverySettings
from engine.store import meta_store, settings_store
from engine.store.database import writing
from engine.store.settings_store import SecretPlaces
from engine.workspace import Workspace


@dataclass(frozen=True)
class SettingsView:
    """The settings to show: `data` is their JSON with credentials blank and the tracking
    key left out; `secrets` says where each credential that has a value is kept."""

    data: dict[str, Any]
    secrets: dict[str, str]  # path -> Place.KEYRING | Place.WORKSPACE
    keyring: str  # the usable keyring's name, or "none"

    @property
    def in_workspace(self) -> list[str]:
        """Credentials readable by anyone who can read the workspace file: warn."""
        return sorted(p for p, place in self.secrets.items()
                      if place == Place.WORKSPACE and p not in WORKSPACE_ONLY)

    def shown(self, path: str) -> str:
        place = self.secrets.get(path)
        return f"{MASK} (in the {place})" if place else "not set"


def settings_view(workspace: Workspace) -> SettingsView:
    data = _stored(workspace)
    with workspace.db.connect() as conn:
        held = settings_store.keyring_paths(conn)
    places = {path: Place.WORKSPACE for path in secrets_in(data)}
    places.update({path: Place.KEYRING for path in held})
    return SettingsView(without_secrets(data), places, keyring_name(system_keyring()))


def export_settings(workspace: Workspace) -> dict[str, Any]:
    """For a file: everything but the credentials (blank) and the tracking key."""
    return settings_view(workspace).data


def import_settings(workspace: Workspace, data: Any, source: str) -> SecretPlaces:
    """Replace the settings with `data` (parsed JSON, as `export_settings` writes it).
    Credentials the data leaves blank, and the tracking key when it has none, stay as
    they were; credentials it has are stored as `set_secret` stores them."""
    if not isinstance(data, dict):
        raise SettingError("expected a JSON object of delivery settings", source=source)
    data = _with_tracking_key(dict(data), _stored(workspace))
    return workspace.save_delivery_settings(validated(data, source=source))


def _with_tracking_key(data: dict[str, Any], saved: dict[str, Any]) -> dict[str, Any]:
    """`data` keeping the saved tracking key when it has none (links already sent)."""
    if not get_path(data, "tracking.secret"):
        tracking = dict(data.get("tracking") or {})
        tracking["secret"] = get_path(saved, "tracking.secret")
        data["tracking"] = tracking
    return data


def set_setting(workspace: Workspace, key: str, value: str) -> SecretPlaces:
    """Set one setting from text typed by a person: `set_setting(ws, "smtp.port", "2525")`.
    Raises SettingError naming the key and what it expects."""
    if is_secret_path(key):
        raise SettingError("is a secret: give it with set_secret (on the command line: "
                           "`-` to type it or pipe it, or --from-env VAR)", source=key)
    return workspace.save_delivery_settings(with_setting(_stored(workspace), key, value))


def set_secret(workspace: Workspace, key: str, value: str) -> SecretPlaces:
    """Store a credential (in the keyring where there is one); an empty value clears it."""
    if not is_secret_path(key):
        raise SettingError("is not a secret: set it with its value", source=key)
    data = _stored(workspace)
    set_path(data, key, value)
    settings = validated(data, typed={key: MASK})
    return workspace.save_delivery_settings(settings, cleared=() if value else (key,))


@dataclass(frozen=True)
class SettingsEdit:
    """Settings as a form edits them: `data` as `settings_view` shows it (credentials
    blank, no tracking key), the credentials typed into the form (`secrets`, by path; a
    blank one keeps the saved) and the saved ones to forget (`cleared`)."""

    data: dict[str, Any]
    secrets: Mapping[str, str] = field(default_factory=dict)
    cleared: tuple[str, ...] = ()

    def filled(self) -> dict[str, Any]:
        """The data with the typed credentials in it."""
        data = copy.deepcopy(self.data)
        for path, value in self.secrets.items():
            set_path(data, path, value)
        return data

    def problems(self) -> list[SettingError]:
        """Every value the settings would refuse, named by its key; nothing is saved."""
        return setting_problems(self.filled(), typed=dict.fromkeys(self.secrets, MASK))


def save_settings(workspace: Workspace, edit: SettingsEdit) -> SecretPlaces:
    """Save a form's settings at once. Raises SettingError naming the key of the first
    refused value (then nothing is saved); credentials left blank keep the saved ones
    unless cleared, and the tracking key stays."""
    data = _with_tracking_key(edit.filled(), _stored(workspace))
    settings = validated(data, typed=dict.fromkeys(edit.secrets, MASK))
    return workspace.save_delivery_settings(settings, cleared=edit.cleared)


@dataclass(frozen=True)
class TrialEmail:
    """What a test email needs, read from the workspace beforehand: sending it (blocking,
    on a worker thread) touches no database."""

    settings: DeliverySettings
    now: datetime
    outbox_folder: str | Path
    workspace_id: str

    def send(self, address: str) -> trial_send.SendTestAnswer:
        return trial_send.send_test_email(self.settings, address, now=self.now,
                                          outbox_folder=self.outbox_folder,
                                          workspace_id=self.workspace_id)


def prepare_test_email(workspace: Workspace, edit: SettingsEdit | None = None) -> TrialEmail:
    """A test email through the saved settings, or through a form's unsaved `edit`
    (its blank credentials are the saved ones): a wrong password can be tried without
    losing the right one. Raises SettingError for a refused value of the edit."""
    with writing(workspace.db) as conn:
        workspace_id = meta_store.workspace_id(conn)
    settings = workspace.delivery_settings()
    if edit is not None:
        settings = _unsaved(edit, settings.model_dump(mode="json"))
    return TrialEmail(settings, workspace.now(),
                      settings.outbox_folder or workspace.outbox_dir, workspace_id)


def _unsaved(edit: SettingsEdit, saved: dict[str, Any]) -> DeliverySettings:
    data = _with_tracking_key(edit.filled(), saved)
    for path in secret_paths(data):
        if not get_path(data, path) and path not in edit.cleared and get_path(saved, path):
            set_path(data, path, get_path(saved, path))
    return validated(data, typed=dict.fromkeys(edit.secrets, MASK))


def send_test_email(workspace: Workspace, address: str,
                    edit: SettingsEdit | None = None) -> trial_send.SendTestAnswer:
    """Send one test email through the configured email channel (or an unsaved edit's);
    the server's answer."""
    return prepare_test_email(workspace, edit).send(address)


def _stored(workspace: Workspace) -> dict[str, Any]:
    """The settings' JSON as the workspace holds it (keyring credentials blank), brought
    up to date by the model."""
    with writing(workspace.db) as conn:
        data = settings_store.stored_delivery_data(conn)
        if data is None:
            return settings_store.load_delivery_settings(conn).model_dump(mode="json")
    return validated(data, source="the workspace's settings").model_dump(mode="json")
