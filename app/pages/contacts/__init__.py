"""The Contacts page (see page.py): the table, the contact editor and the CSV import."""

from .page import ContactsPage

__all__ = ["ContactsPage"]
