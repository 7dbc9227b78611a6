"""The workspace: contacts, catalog, journeys and versions, runs, events, ledger, records.

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 12:41:46.269226
"""

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audience',
    sa.Column('journey_id', sa.String(length=64), nullable=False),
    sa.Column('contact_id', sa.String(length=128), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('journey_id', 'contact_id', name=op.f('pk_audience'))
    )
    op.create_table('consents',
    sa.Column('contact_point', sa.String(length=512), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('topic', sa.String(length=64), server_default='', nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('updated_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('contact_point', 'channel', 'purpose', 'topic', name=op.f('pk_consents'))
    )
    op.create_table('contacts',
    sa.Column('id', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=16), server_default='contact', nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('push_token', sa.String(length=512), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.Column('attributes', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.Column('updated_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_contacts_phone'), ['phone'], unique=False)

    op.create_table('content',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content'))
    )
    op.create_table('counters',
    sa.Column('journey_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('tile_id', sa.String(length=64), nullable=False),
    sa.Column('metric', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.String(length=200), server_default='', nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('journey_id', 'version', 'tile_id', 'metric', 'reason', name=op.f('pk_counters'))
    )
    op.create_table('events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('message_id', sa.String(length=200), nullable=True),
    sa.Column('trigger', sa.String(length=64), nullable=False),
    sa.Column('contact_id', sa.String(length=128), nullable=True),
    sa.Column('binding_id', sa.String(length=256), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('occurred_at', sa.Float(), nullable=False),
    sa.Column('received_at', sa.Float(), nullable=False),
    sa.Column('processed_at', sa.Float(), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
    sa.UniqueConstraint('message_id', name=op.f('uq_events_message_id'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_pending', ['id'], unique=False, sqlite_where=sa.text('processed_at IS NULL'), postgresql_where=sa.text('processed_at IS NULL'))

    op.create_table('goals',
    sa.Column('journey_id', sa.String(length=64), nullable=False),
    sa.Column('contact_id', sa.String(length=128), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('met_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('journey_id', 'contact_id', name=op.f('pk_goals'))
    )
    op.create_table('journeys',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=150), nullable=False),
    sa.Column('draft', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.Column('updated_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journeys'))
    )
    op.create_table('ledger',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('tile_id', sa.String(length=64), nullable=False),
    sa.Column('journey_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.String(length=128), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('contact_point', sa.String(length=512), nullable=True),
    sa.Column('content_id', sa.String(length=64), nullable=True),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('message_id', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('next_attempt_at', sa.Float(), nullable=True),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.Column('sent_at', sa.Float(), nullable=True),
    sa.Column('possibly_duplicate', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('payload', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger')),
    sa.UniqueConstraint('run_id', 'tile_id', name=op.f('uq_ledger_run_id_tile_id'))
    )
    with op.batch_alter_table('ledger', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_contact_point_channel_created_at'), ['contact_point', 'channel', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_status_next_attempt_at'), ['status', 'next_attempt_at'], unique=False)

    op.create_table('meta',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_meta'))
    )
    op.create_table('record_tables',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_record_tables'))
    )
    op.create_table('records',
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('id', sa.String(length=128), nullable=False),
    sa.Column('person_id', sa.String(length=128), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.Column('updated_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('table_name', 'id', name=op.f('pk_records'))
    )
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_records_person_id'), ['person_id'], unique=False)

    op.create_table('runs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('journey_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.String(length=128), nullable=False),
    sa.Column('binding_id', sa.String(length=256), nullable=True),
    sa.Column('tile_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('due_at', sa.Float(), nullable=True),
    sa.Column('entered_at', sa.Float(), nullable=False),
    sa.Column('arrived_at', sa.Float(), nullable=False),
    sa.Column('ended_at', sa.Float(), nullable=True),
    sa.Column('end_reason', sa.String(length=200), nullable=True),
    sa.Column('trigger_data', sa.JSON(), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_runs'))
    )
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_runs_contact_id_status'), ['contact_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_runs_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_runs_journey_id_version_tile_id_status'), ['journey_id', 'version', 'tile_id', 'status'], unique=False)

    op.create_table('segments',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_segments'))
    )
    op.create_table('settings',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_settings'))
    )
    op.create_table('split_fill',
    sa.Column('journey_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('tile_id', sa.String(length=64), nullable=False),
    sa.Column('arm_id', sa.String(length=64), nullable=False),
    sa.Column('taken', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('journey_id', 'version', 'tile_id', 'arm_id', name=op.f('pk_split_fill'))
    )
    op.create_table('triggers',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.Column('updated_at', sa.Float(), nullable=False),
    sa.Column('first_event_at', sa.Float(), nullable=True),
    sa.Column('last_event_at', sa.Float(), nullable=True),
    sa.Column('event_count', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_triggers'))
    )
    op.create_table('journey_versions',
    sa.Column('journey_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('accepting', sa.Boolean(), nullable=False),
    sa.Column('published_at', sa.Float(), nullable=False),
    sa.Column('paused_at', sa.Float(), nullable=True),
    sa.Column('ended_at', sa.Float(), nullable=True),
    sa.Column('next_start_at', sa.Float(), nullable=True),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['journey_id'], ['journeys.id'], name=op.f('fk_journey_versions_journey_id_journeys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('journey_id', 'version', name=op.f('pk_journey_versions'))
    )
    op.create_table('segment_members',
    sa.Column('segment_id', sa.String(length=64), nullable=False),
    sa.Column('contact_id', sa.String(length=128), nullable=False),
    sa.ForeignKeyConstraint(['segment_id'], ['segments.id'], name=op.f('fk_segment_members_segment_id_segments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('segment_id', 'contact_id', name=op.f('pk_segment_members'))
    )


def downgrade() -> None:
    op.drop_table('segment_members')
    op.drop_table('journey_versions')
    op.drop_table('triggers')
    op.drop_table('split_fill')
    op.drop_table('settings')
    op.drop_table('segments')
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_runs_journey_id_version_tile_id_status'))
        batch_op.drop_index(batch_op.f('ix_runs_due_at'))
        batch_op.drop_index(batch_op.f('ix_runs_contact_id_status'))

    op.drop_table('runs')
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_records_person_id'))

    op.drop_table('records')
    op.drop_table('record_tables')
    op.drop_table('meta')
    with op.batch_alter_table('ledger', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_status_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_ledger_contact_point_channel_created_at'))

    op.drop_table('ledger')
    op.drop_table('journeys')
    op.drop_table('goals')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_pending', sqlite_where=sa.text('processed_at IS NULL'), postgresql_where=sa.text('processed_at IS NULL'))

    op.drop_table('events')
    op.drop_table('counters')
    op.drop_table('content')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_phone'))
        batch_op.drop_index(batch_op.f('ix_contacts_email'))

    op.drop_table('contacts')
    op.drop_table('consents')
    op.drop_table('audience')
