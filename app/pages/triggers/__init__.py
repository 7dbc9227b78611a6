"""The Triggers page: the trigger catalog, its editor and the integration snippets."""

from .page import TriggersPage

__all__ = ["TriggersPage"]
