"""The workspace store: SQLAlchemy Core tables, Alembic migrations, small repositories.

Repositories are plain functions taking a `Connection`, so the runtime decides where a
transaction begins and ends.
"""
