"""The analytics dashboard: a journey's steps by kind and time.

`waymark stats --json` and the studio's dashboard count a journey's message steps,
entries and blocked or held reasons within a period; without this index each count read
every step of the journey (a third of a second each on a million steps). With
`version` in it, messages over time and entries are answered from the index alone.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 13:00:00
"""

from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f('ix_steps_journey_id_what_at_version'), 'steps',
                    ['journey_id', 'what', 'at', 'version'])


def downgrade() -> None:
    op.drop_index(op.f('ix_steps_journey_id_what_at_version'), table_name='steps')
