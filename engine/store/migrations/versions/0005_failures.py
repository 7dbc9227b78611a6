"""Events and runs set aside because processing them raised, so one never stops the rest.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('failures',
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('failed_at', sa.Float(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('resume_status', sa.String(length=16), nullable=True),
    sa.PrimaryKeyConstraint('kind', 'item_id', name=op.f('pk_failures'))
    )


def downgrade() -> None:
    op.drop_table('failures')
