"""The workspace's tables (SQLAlchemy Core). Times are UTC epoch seconds (floats).

Floats keep the hot paths cheap on SQLite and PostgreSQL alike and compare correctly in
indexes; `engine.store.times` converts at the edges. The Alembic revisions in
`migrations/versions` create exactly these tables; a test checks they agree.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

meta = Table(
    "meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

settings = Table(
    "settings", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", JSON, nullable=False),
)

contacts = Table(
    "contacts", metadata,
    Column("id", String(128), primary_key=True),
    Column("kind", String(16), nullable=False, server_default="contact"),  # contact | lead
    Column("email", String(320)),
    Column("phone", String(32)),
    Column("push_token", String(512)),
    Column("timezone", String(64)),
    Column("attributes", JSON, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    # a test contact: only they enter a journey's test version (see runtime.testmode)
    Column("test", Boolean, nullable=False, server_default="0"),
    Index(None, "email"),
    Index(None, "phone"),
)

consents = Table(
    "consents", metadata,
    Column("contact_point", String(512), primary_key=True),
    Column("channel", String(16), primary_key=True),
    Column("purpose", String(16), primary_key=True),  # commercial | transactional
    Column("topic", String(64), primary_key=True, server_default=""),
    Column("status", String(16), nullable=False),  # opted_in | opted_out
    Column("updated_at", Float, nullable=False),
)

triggers = Table(
    "triggers", metadata,
    Column("name", String(64), primary_key=True),
    Column("definition", JSON, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("first_event_at", Float),
    Column("last_event_at", Float),
    Column("event_count", Integer, nullable=False, server_default="0"),
)

content = Table(
    "content", metadata,
    Column("id", String(64), primary_key=True),
    Column("definition", JSON, nullable=False),
    Column("updated_at", Float, nullable=False),
)

segments = Table(
    "segments", metadata,
    Column("id", String(64), primary_key=True),
    Column("definition", JSON, nullable=False),
    Column("updated_at", Float, nullable=False),
)

segment_members = Table(  # static segments only; dynamic ones are evaluated in SQL
    "segment_members", metadata,
    Column("segment_id", String(64), ForeignKey("segments.id", ondelete="CASCADE"),
           primary_key=True),
    Column("contact_id", String(128), primary_key=True),
)

record_tables = Table(
    "record_tables", metadata,
    Column("name", String(64), primary_key=True),
    Column("definition", JSON, nullable=False),
)

journeys = Table(
    "journeys", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(150), nullable=False),
    Column("draft", JSON, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)

journey_versions = Table(
    "journey_versions", metadata,
    Column("journey_id", String(64), ForeignKey("journeys.id", ondelete="CASCADE"),
           primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("snapshot", JSON, nullable=False),  # a bundle: the journey and what it uses
    Column("state", String(16), nullable=False),  # live | paused | stopped | completed
    Column("accepting", Boolean, nullable=False),  # the newest live version takes entrants
    Column("published_at", Float, nullable=False),
    Column("paused_at", Float),
    Column("ended_at", Float),
    Column("next_start_at", Float),  # segment-based: the next scheduled entry
    Column("seed", Integer, nullable=False),  # random splits reproduce
    # the test version (number 0, state "test"): its options, e.g. {"wait_seconds": 5}
    Column("test_options", JSON),
)

runs = Table(
    "runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("journey_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("contact_id", String(128), nullable=False),
    Column("binding_id", String(256)),
    Column("tile_id", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # active | waiting | held | completed | ...
    Column("due_at", Float),
    Column("entered_at", Float, nullable=False),
    Column("arrived_at", Float, nullable=False),  # when the run reached its current tile
    Column("ended_at", Float),
    Column("end_reason", String(200)),
    Column("trigger_data", JSON, nullable=False),
    Column("state", JSON, nullable=False),  # interactions seen, branch taken, held reason...
    Index(None, "due_at"),
    Index(None, "contact_id", "status"),
    Index(None, "journey_id", "version", "tile_id", "status"),
    Index(None, "contact_id", "journey_id", "entered_at"),  # re-entry rules, goals
)

events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", String(200), unique=True),
    Column("trigger", String(64), nullable=False),
    Column("contact_id", String(128)),
    Column("binding_id", String(256)),
    Column("data", JSON, nullable=False),
    Column("occurred_at", Float, nullable=False),
    Column("received_at", Float, nullable=False),
    Column("processed_at", Float),
    Column("outcome", Text),
    Column("inbox_id", Integer),  # the receipt the socket answered with (see store.inbox)
    Index("ix_events_pending", "id", sqlite_where=text("processed_at IS NULL"),
          postgresql_where=text("processed_at IS NULL")),
    Index(None, "contact_id", "id"),  # a person's events, newest first (activity)
)

failures = Table(  # events and runs set aside because processing them raised
    "failures", metadata,
    Column("kind", String(8), primary_key=True),  # event | run
    Column("item_id", Integer, primary_key=True),  # events.id or runs.id
    Column("failed_at", Float, nullable=False),
    Column("error", Text, nullable=False),  # the exception's type and message, truncated
    Column("resume_status", String(16)),  # a run's status before, given back by a retry
)

steps = Table(  # the trail: every step of every run, as the runtime recorded it
    "steps", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    Column("what", String(16), nullable=False),  # engine.runtime.records.What
    Column("journey_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("contact_id", String(128), nullable=False),
    Column("tile_id", String(64)),
    Column("run_id", Integer),  # none for an entry that was blocked
    Column("channel", String(16)),
    Column("reason", Text),
    Column("branch", String(64)),  # the port taken
    Column("branch_name", String(150)),
    Column("until", Float),
    Index(None, "contact_id", "id"),  # a person's trail, newest first
    Index(None, "journey_id", "version", "tile_id", "what", "id"),  # the people behind a count
    Index(None, "journey_id", "what", "at", "version"),  # the dashboard: steps over time
)

ledger = Table(  # one row per (run, message tile): the delivery ledger
    "ledger", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, nullable=False),
    Column("tile_id", String(64), nullable=False),
    Column("journey_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("contact_id", String(128), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("contact_point", String(512)),
    Column("content_id", String(64)),
    Column("purpose", String(16), nullable=False),
    Column("message_id", String(200), nullable=False),
    Column("status", String(24), nullable=False),  # pending|sending|sent|delivered|failed|blocked
    Column("reason", Text),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", Float),
    Column("created_at", Float, nullable=False),
    Column("sent_at", Float),
    Column("possibly_duplicate", Boolean, nullable=False, server_default="0"),
    Column("payload", JSON),  # what was rendered and sent, for the outbox and previews
    UniqueConstraint("run_id", "tile_id"),
    Index(None, "status", "next_attempt_at"),
    Index(None, "contact_point", "channel", "created_at"),
)

counters = Table(
    "counters", metadata,
    Column("journey_id", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("tile_id", String(64), primary_key=True),  # "" for the journey as a whole
    Column("metric", String(32), primary_key=True),
    Column("reason", String(200), primary_key=True, server_default=""),
    Column("value", Integer, nullable=False),
)

goals = Table(  # a goal counts once per person and journey
    "goals", metadata,
    Column("journey_id", String(64), primary_key=True),
    Column("contact_id", String(128), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("run_id", Integer),
    Column("met_at", Float, nullable=False),
)

split_fill = Table(  # split by count: how many people each arm has taken
    "split_fill", metadata,
    Column("journey_id", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("tile_id", String(64), primary_key=True),
    Column("arm_id", String(64), primary_key=True),
    Column("taken", Integer, nullable=False),
)

audience = Table(  # segment-based journeys: who was in the audience at the last refresh
    "audience", metadata,
    Column("journey_id", String(64), primary_key=True),
    Column("contact_id", String(128), primary_key=True),
    Column("present", Boolean, nullable=False),
)

records = Table(  # business records (cases, orders...) whose changes fire record triggers
    "records", metadata,
    Column("table_name", String(64), primary_key=True),
    Column("id", String(128), primary_key=True),
    Column("person_id", String(128)),
    Column("data", JSON, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index(None, "person_id"),
)

ingestion_keys = Table(  # who may send events; only a hash of each key is kept
    "ingestion_keys", metadata,
    Column("id", String(32), primary_key=True),  # the key's public part, shown in lists
    Column("name", String(100), nullable=False),
    Column("key_hash", String(128), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("revoked_at", Float),
    Column("last_used_at", Float),
    Column("rate_per_second", Float, nullable=False),
    Column("burst", Integer, nullable=False),
)
