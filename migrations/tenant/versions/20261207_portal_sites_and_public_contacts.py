"""province sites and public contacts

Revision ID: 8b1e64d2c9f7
Revises: 8162a964f7bc
Create Date: 2026-12-07 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '8b1e64d2c9f7'
down_revision: str | Sequence[str] | None = '8162a964f7bc'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'site_link',
        sa.Column('key', sa.String(length=32), nullable=False),
        sa.Column('url', sa.String(length=300), nullable=False),
        sa.Column('updated_by', sa.String(length=64), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_site_link')),
    )
    op.create_table(
        'public_contact',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('officer_id', sa.Uuid(), nullable=False),
        sa.Column('work_phone', sa.String(length=40), nullable=False),
        sa.Column('duties', sa.String(length=200), nullable=False),
        sa.Column('sort_order', sa.SmallInteger(), server_default=sa.text('0'), nullable=False),
        sa.Column('updated_by', sa.String(length=64), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.ForeignKeyConstraint(
            ['officer_id'], ['officer.id'], name=op.f('fk_public_contact_officer_id_officer'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_public_contact_unit_id_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_public_contact')),
        sa.UniqueConstraint('officer_id', name=op.f('uq_public_contact_officer_id')),
    )
    op.create_index(op.f('ix_public_contact_unit_id'), 'public_contact', ['unit_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_public_contact_unit_id'), table_name='public_contact')
    op.drop_table('public_contact')
    op.drop_table('site_link')
