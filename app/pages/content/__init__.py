"""The Content page: emails, text messages and pushes, written and checked in the studio
(see page.py)."""

from .page import ContentPage

__all__ = ["ContentPage"]
