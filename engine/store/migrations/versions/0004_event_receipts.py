"""Events keep the receipt the ingestion socket answered with (their id in the inbox).

A client that sends the same messageId again is told the first answer's eventId, also
after the event has moved from the socket's inbox into the workspace.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 20:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('events') as batch:
        batch.add_column(sa.Column('inbox_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('events') as batch:
        batch.drop_column('inbox_id')
