"""Workspace pages beside the journey canvas (see each page's module)."""
