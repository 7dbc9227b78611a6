"""Dialogs of the studio: firing a test trigger, the engine's settings."""
