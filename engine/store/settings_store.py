"""Workspace settings: delivery (channels, rules, tracking) is created once and kept.

The tracking secret inside DeliverySettings signs every tracked link; the settings are
saved the first time they are read, so links sent earlier keep working.

Credentials (see `engine.delivery.secrets`) are kept in the keyring when there is a usable
one: the settings row then holds them blank, and the row `delivery_keyring` lists which
paths the keyring has. Loading fills them in again, so the engine builds its channels
with them; a workspace saved before keeps its credentials where they were until they are
saved again.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from engine.delivery.secrets import (
    WORKSPACE_ONLY,
    KeyringUnavailable,
    SecretKeeper,
    get_path,
    keyring_name,
    secret_paths,
    set_path,
)
from engine.delivery.settings import DeliverySettings

from . import meta_store
from . import schema as s
from .upsert import upsert

DELIVERY = "delivery"
IN_KEYRING = "delivery_keyring"  # the secret paths the keyring holds for this workspace
log = logging.getLogger("waymark.store")


@dataclass
class SecretPlaces:
    """Where a save put the credentials that have a value: the studio warns about
    `in_workspace` (readable by anyone who can read the workspace file)."""

    in_keyring: list[str] = field(default_factory=list)
    in_workspace: list[str] = field(default_factory=list)
    keyring: str = "none"  # the backend's name
    given: list[str] = field(default_factory=list)  # the credentials this save was given
    problems: list[str] = field(default_factory=list)  # the keyring refused: why


def _value(conn: Connection, key: str) -> Any:
    return conn.execute(select(s.settings.c.value).where(s.settings.c.key == key)).scalar()


def stored_delivery_data(conn: Connection) -> dict[str, Any] | None:
    """The settings row as stored: credentials the keyring holds are blank."""
    return _value(conn, DELIVERY)


def keyring_paths(conn: Connection) -> list[str]:
    return list(_value(conn, IN_KEYRING) or [])


@dataclass(frozen=True)
class StoredSettings:
    """The settings as the workspace holds them (credentials the keyring holds blank),
    read in a transaction; `filled` then asks the keyring, outside it: a keyring can take
    its time (a locked one asks for its password), and nobody else may write meanwhile
    while a transaction waits for it."""

    data: dict[str, Any]
    in_keyring: tuple[str, ...]
    workspace_id: str

    def filled(self, keeper: SecretKeeper | None = None) -> DeliverySettings:
        """The settings as the engine uses them, every secret filled in."""
        data = copy.deepcopy(self.data)
        if self.in_keyring:
            keeper = keeper or SecretKeeper.for_workspace(self.workspace_id)
            for path in self.in_keyring:
                set_path(data, path, _from_keyring(keeper, path))
        return DeliverySettings.model_validate(data)


def stored_settings(conn: Connection) -> StoredSettings:
    """What `StoredSettings` says (call it in a writing transaction: a new workspace's
    settings, and its identity, are made and saved here)."""
    data = stored_delivery_data(conn)
    if data is None:
        data = DeliverySettings().model_dump(mode="json")
        _write(conn, data, [])
    return StoredSettings(data, tuple(keyring_paths(conn)), meta_store.workspace_id(conn))


def load_delivery_settings(conn: Connection, keeper: SecretKeeper | None = None
                           ) -> DeliverySettings:
    """The settings with every secret filled in, the keyring asked inside the caller's
    transaction: for a caller that holds no write lock others wait for (else read
    `stored_settings` in the transaction and fill it after)."""
    return stored_settings(conn).filled(keeper)


def delivery_settings_without_secrets(conn: Connection) -> DeliverySettings:
    """The settings with the keyring's credentials left blank, for what needs none (sender
    profiles when publishing): no keyring is asked, nothing is written."""
    data = stored_delivery_data(conn)
    return DeliverySettings() if data is None else DeliverySettings.model_validate(data)


def _from_keyring(keeper: SecretKeeper, path: str) -> str:
    try:
        value = keeper.get(path)
    except KeyringUnavailable as error:
        log.warning("%s; it is left empty", error)
        return ""
    if value is None:
        log.warning("%s is kept in the keyring, but the keyring (%s) has no entry for it "
                    "(another user or machine?): set it again", path, keyring_name(keeper.backend))
    return value or ""


def save_delivery_settings(conn: Connection, settings: DeliverySettings, *,
                           cleared: Iterable[str] = (), keeper: SecretKeeper | None = None
                           ) -> SecretPlaces:
    """Save the settings in the caller's transaction, the keyring asked within it (see
    `keep_secrets` for a save that asks it outside)."""
    before = StoredSettings(stored_delivery_data(conn) or {}, tuple(keyring_paths(conn)),
                            meta_store.workspace_id(conn))
    data, places = keep_secrets(before, settings, cleared=cleared, keeper=keeper)
    write_delivery_settings(conn, data, places)
    return places


def keep_secrets(before: StoredSettings, settings: DeliverySettings, *,
                 cleared: Iterable[str] = (), keeper: SecretKeeper | None = None
                 ) -> tuple[dict[str, Any], SecretPlaces]:
    """The settings' JSON to store over `before`, and where their credentials went: each
    with a value to the keyring if there is a usable one (put there now), else into the
    JSON. An empty credential keeps the one saved before unless its path is in
    `cleared`, so a form or file showing secrets blank never wipes them. No transaction
    is needed: the keyring may take its time."""
    data = settings.model_dump(mode="json")
    held, cleared = set(before.in_keyring), set(cleared)
    keep = _Keeping(before.workspace_id, keeper)
    for path in secret_paths(data):
        value = get_path(data, path)
        if value:
            keep.store(data, path, value)
        elif path in cleared:
            if path in held:
                keep.keeper.delete(path)
        elif path in held:
            keep.places.in_keyring.append(path)
        elif get_path(before.data, path):
            set_path(data, path, get_path(before.data, path))
            keep.places.in_workspace.append(path)
    for gone in held - set(keep.places.in_keyring):
        keep.keeper.delete(gone)  # moved to the workspace, cleared, or its header removed
    keep.places.in_workspace = [p for p in keep.places.in_workspace if p not in WORKSPACE_ONLY]
    return data, keep.places


def write_delivery_settings(conn: Connection, data: dict[str, Any], places: SecretPlaces
                            ) -> None:
    """Store what `keep_secrets` made."""
    _write(conn, data, places.in_keyring)


class _Keeping:
    """One save's keyring, looked for only when a credential needs it."""

    def __init__(self, workspace_id: str, keeper: SecretKeeper | None) -> None:
        self.workspace_id, self._keeper = workspace_id, keeper
        self.places = SecretPlaces(keyring=keyring_name(keeper.backend) if keeper else "none")

    @property
    def keeper(self) -> SecretKeeper:
        if self._keeper is None:
            self._keeper = SecretKeeper.for_workspace(self.workspace_id)
            self.places.keyring = keyring_name(self._keeper.backend)
        return self._keeper

    def store(self, data: dict[str, Any], path: str, value: str) -> None:
        self.places.given.append(path)
        if path not in WORKSPACE_ONLY and self.keeper.usable:
            try:
                self.keeper.put(path, value)
            except KeyringUnavailable as error:
                self.places.problems.append(str(error))
            else:
                set_path(data, path, "")
                self.places.in_keyring.append(path)
                return
        self.places.in_workspace.append(path)


def _write(conn: Connection, data: dict[str, Any], in_keyring: list[str]) -> None:
    upsert(conn, s.settings, {"key": DELIVERY}, {"value": data})
    upsert(conn, s.settings, {"key": IN_KEYRING}, {"value": sorted(in_keyring)})
