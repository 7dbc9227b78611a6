"""The Waymark studio (PySide6). Depends on the engine's public API only."""
