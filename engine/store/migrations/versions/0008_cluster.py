"""Several engines on one PostgreSQL workspace (see engine/cluster).

Each person's events, runs and ledger rows get their partition, a stored generated
column computed by PostgreSQL from the person's id (so every way a row is written gets
it), with an index for the query that takes each kind of work; the engines of a cluster
and the partitions' leases get tables of their own, and a ledger row says which engine
claimed it for sending. Nothing changes on SQLite: one file has one writer, and no
cluster.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 16:00:00
"""

from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

PARTITIONS = 64  # engine.cluster.partitions.PARTITIONS; fixed here, once
# The first byte of the id's MD5: the same in every PostgreSQL version (hashtext is not
# promised to be), and in Python (`partition_of`).
PART = ("(get_byte(decode(md5(coalesce(contact_id, '')), 'hex'), 0) % "
        f"{PARTITIONS}) STORED")

STATEMENTS = [
    f"ALTER TABLE events ADD COLUMN part smallint GENERATED ALWAYS AS {PART}",
    f"ALTER TABLE runs ADD COLUMN part smallint GENERATED ALWAYS AS {PART}",
    f"ALTER TABLE ledger ADD COLUMN part smallint GENERATED ALWAYS AS {PART}",
    "ALTER TABLE ledger ADD COLUMN claimed_by varchar(32)",
    "CREATE INDEX ix_events_part_pending ON events (part, id) WHERE processed_at IS NULL",
    "CREATE INDEX ix_runs_part_due_at ON runs (part, due_at) WHERE due_at IS NOT NULL",
    "CREATE INDEX ix_ledger_part_pending ON ledger (part, next_attempt_at) "
    "WHERE status = 'pending'",
    "CREATE INDEX ix_ledger_sending ON ledger (part) WHERE status = 'sending'",
    """CREATE TABLE cluster_engines (
        id varchar(32) PRIMARY KEY,
        host varchar(255) NOT NULL,
        pid integer NOT NULL,
        url varchar(255),
        started_at timestamptz NOT NULL,
        heartbeat_at timestamptz NOT NULL)""",
    """CREATE TABLE partition_leases (
        part smallint PRIMARY KEY,
        engine varchar(32),
        lease_until timestamptz,
        token bigint NOT NULL DEFAULT 0)""",
    f"INSERT INTO partition_leases (part) SELECT generate_series(0, {PARTITIONS - 1})",
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TABLE partition_leases")
    op.execute("DROP TABLE cluster_engines")
    for table in ("events", "runs", "ledger"):
        op.execute(f"ALTER TABLE {table} DROP COLUMN part")
    op.execute("ALTER TABLE ledger DROP COLUMN claimed_by")
