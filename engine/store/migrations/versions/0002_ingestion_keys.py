"""Ingestion keys: who may send trigger events to the socket.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:57:01.716309
"""

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ingestion_keys',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('key_hash', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.Column('revoked_at', sa.Float(), nullable=True),
    sa.Column('last_used_at', sa.Float(), nullable=True),
    sa.Column('rate_per_second', sa.Float(), nullable=False),
    sa.Column('burst', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ingestion_keys'))
    )


def downgrade() -> None:
    op.drop_table('ingestion_keys')
