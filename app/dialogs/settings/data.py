"""The workspace's delivery settings for the Settings dialog, through the engine's public
API (`engine.delivery_setup`): what to show, a form's values as one edit, saving it, and a
test email through values not yet saved."""

from __future__ import annotations

import copy
from collections.abc import Iterable

from app.dialogs.settings.fields import SecretField, Setting
from app.store import StudioStore
from engine.delivery.secrets import set_path
from engine.delivery.setting_keys import SettingError
from engine.delivery_setup import (
    SettingsEdit,
    SettingsView,
    TrialEmail,
    prepare_test_email,
    save_settings,
    settings_view,
)
from engine.model import EmailContent
from engine.store.settings_store import SecretPlaces


class DeliverySetup:
    def __init__(self, store: StudioStore) -> None:
        self.store = store

    def view(self) -> SettingsView:
        return settings_view(self.store.workspace)

    def save(self, edit: SettingsEdit) -> SecretPlaces:
        """Raises SettingError naming the first refused value; then nothing is saved."""
        return save_settings(self.store.workspace, edit)

    def trial(self, edit: SettingsEdit) -> TrialEmail:
        """A test email through the edit's values (its blank credentials: the saved ones)."""
        return prepare_test_email(self.store.workspace, edit)

    def emails_using(self, sender: str) -> list[str]:
        """The names of the email content that names this sender profile."""
        return sorted(c.name for c in self.store.catalog().content.values()
                      if isinstance(c, EmailContent) and c.sender == sender)


def form_edit(view: SettingsView, settings: Iterable[Setting],
              secrets: Iterable[SecretField]) -> tuple[SettingsEdit, list[SettingError]]:
    """The form's values as one edit of the shown settings, and every value refused: those
    a field cannot read, then those the settings refuse, each named by its key."""
    data = copy.deepcopy(view.data)
    unread: list[SettingError] = []
    for field in settings:
        try:
            set_path(data, field.key, field.json_value())
        except SettingError as error:
            unread.append(error)
    secrets = list(secrets)
    typed = {secret.key: secret.typed() for secret in secrets if secret.typed()}
    cleared = tuple(s.key for s in secrets if s.cleared and s.key not in typed)
    edit = SettingsEdit(data, typed, cleared)
    return edit, unread + edit.problems()
