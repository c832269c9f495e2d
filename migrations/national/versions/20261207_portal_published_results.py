"""published results across provinces (national read model)

Revision ID: c47d0e5b93a1
Revises: 3f9c2a71d0b4
Create Date: 2026-12-07 12:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'c47d0e5b93a1'
down_revision: str | Sequence[str] | None = '3f9c2a71d0b4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'published_result',
        sa.Column('id', sa.BigInteger(), nullable=False),
        sa.Column('event_uuid', sa.Uuid(), nullable=False),
        sa.Column('tenant', sa.String(length=41), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('effective_on', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('name', sa.String(length=50), nullable=False),
        sa.Column('certificate_no', sa.String(length=40), nullable=False),
        sa.Column('unit_name', sa.String(length=200), nullable=False),
        sa.Column('division_code', sa.String(length=6), nullable=False),
        sa.Column('categories', sa.String(length=32), nullable=False),
        sa.Column('scope', sa.String(length=32), nullable=False),
        sa.Column('summary', sa.String(length=300), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_published_result')),
        sa.UniqueConstraint('event_uuid', name=op.f('uq_published_result_event_uuid')),
        schema='national',
    )
    op.create_index(
        'ix_published_result_recent', 'published_result', ['effective_on', 'id'], unique=False, schema='national'
    )
    op.create_index(
        'ix_published_result_tenant_recent',
        'published_result',
        ['tenant', 'effective_on'],
        unique=False,
        schema='national',
    )
    op.create_index(
        op.f('ix_published_result_name'), 'published_result', ['name'], unique=False, schema='national'
    )
    op.create_index(
        op.f('ix_published_result_certificate_no'),
        'published_result',
        ['certificate_no'],
        unique=False,
        schema='national',
    )


def downgrade() -> None:
    op.drop_table('published_result', schema='national')
