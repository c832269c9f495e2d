"""consultation locator published answers national faq

Revision ID: 05f1fc000aa4
Revises: 851724264f0d
Create Date: 2026-11-26 02:10:34.348740
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '05f1fc000aa4'
down_revision: str | Sequence[str] | None = '851724264f0d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('consult_locator',
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('tenant_slug', sa.String(length=41), nullable=False),
    sa.Column('item_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('code_hash', name=op.f('pk_consult_locator')),
    schema='national'
    )
    op.create_table('consult_published',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=True), nullable=False),
    sa.Column('tenant_slug', sa.String(length=41), nullable=False),
    sa.Column('item_id', sa.BigInteger(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consult_published')),
    sa.UniqueConstraint('tenant_slug', 'item_id', name=op.f('uq_consult_published_tenant_slug_item_id')),
    schema='national'
    )
    op.create_index(op.f('ix_consult_published_tenant_slug'), 'consult_published', ['tenant_slug'], unique=False, schema='national')
    op.create_table('faq_entry',
    sa.Column('id', sa.Integer(), sa.Identity(always=True), nullable=False),
    sa.Column('topic', sa.String(length=32), nullable=False),
    sa.Column('question', sa.String(length=300), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_by', sa.String(length=50), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_faq_entry')),
    schema='national'
    )
    op.create_index(op.f('ix_faq_entry_topic'), 'faq_entry', ['topic'], unique=False, schema='national')


def downgrade() -> None:
    op.drop_index(op.f('ix_faq_entry_topic'), table_name='faq_entry', schema='national')
    op.drop_table('faq_entry', schema='national')
    op.drop_index(op.f('ix_consult_published_tenant_slug'), table_name='consult_published', schema='national')
    op.drop_table('consult_published', schema='national')
    op.drop_table('consult_locator', schema='national')
