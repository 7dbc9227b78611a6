"""Alembic environment: Waymark runs migrations in-process on an open connection."""

from __future__ import annotations

from alembic import context

from engine.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only the workspace opener runs migrations
    raise RuntimeError("run migrations through engine.store.database.upgrade()")

context.configure(connection=connection, target_metadata=metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
