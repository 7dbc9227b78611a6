"""The Dashboard page: a journey's analytics (see page.py)."""

from .page import DashboardPage

__all__ = ["DashboardPage"]
