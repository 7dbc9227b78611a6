"""The Settings dialog (Edit → Settings…): the workspace's delivery settings as forms."""

from app.dialogs.settings.dialog import SettingsDialog

__all__ = ["SettingsDialog"]
