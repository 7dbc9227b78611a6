"""A person's runs in a journey by entry time: re-entry rules and goals look them up.

Without it the last entry of one person was found by reading every run of the journey.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 18:50:00
"""

from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f('ix_runs_contact_id_journey_id_entered_at'), 'runs',
                    ['contact_id', 'journey_id', 'entered_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_runs_contact_id_journey_id_entered_at'), table_name='runs')
