"""The trail and test mode.

Every step the runtime records is kept (`steps`), for a person's path and the activity
feed; a person's events are found by an index; contacts can be test contacts, and a
journey's test version (number 0) keeps its options.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('steps',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.Column('what', sa.String(length=16), nullable=False),
    sa.Column('journey_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.String(length=128), nullable=False),
    sa.Column('tile_id', sa.String(length=64), nullable=True),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('branch', sa.String(length=64), nullable=True),
    sa.Column('branch_name', sa.String(length=150), nullable=True),
    sa.Column('until', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_steps'))
    )
    op.create_index(op.f('ix_steps_contact_id_id'), 'steps', ['contact_id', 'id'])
    op.create_index(op.f('ix_steps_journey_id_version_tile_id_what_id'), 'steps',
                    ['journey_id', 'version', 'tile_id', 'what', 'id'])
    op.create_index(op.f('ix_events_contact_id_id'), 'events', ['contact_id', 'id'])
    with op.batch_alter_table('contacts') as batch:
        batch.add_column(sa.Column('test', sa.Boolean(), server_default='0', nullable=False))
    with op.batch_alter_table('journey_versions') as batch:
        batch.add_column(sa.Column('test_options', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('journey_versions') as batch:
        batch.drop_column('test_options')
    with op.batch_alter_table('contacts') as batch:
        batch.drop_column('test')
    op.drop_index(op.f('ix_events_contact_id_id'), table_name='events')
    op.drop_index(op.f('ix_steps_journey_id_version_tile_id_what_id'), table_name='steps')
    op.drop_index(op.f('ix_steps_contact_id_id'), table_name='steps')
    op.drop_table('steps')
