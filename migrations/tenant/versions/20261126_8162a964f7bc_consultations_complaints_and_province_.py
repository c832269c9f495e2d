"""consultations complaints and province faq

Revision ID: 8162a964f7bc
Revises: 70fe9199bc4e
Create Date: 2026-11-26 02:10:33.041265
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '8162a964f7bc'
down_revision: str | Sequence[str] | None = '70fe9199bc4e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('faq_entry',
    sa.Column('id', sa.Integer(), sa.Identity(always=True), nullable=False),
    sa.Column('topic', sa.String(length=32), nullable=False),
    sa.Column('question', sa.String(length=300), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_by', sa.String(length=50), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_faq_entry'))
    )
    op.create_index(op.f('ix_faq_entry_topic'), 'faq_entry', ['topic'], unique=False)
    op.create_table('consult_item',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=True), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('division_code', sa.String(length=6), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('submitter_name', sa.String(length=50), nullable=False),
    sa.Column('submitter_mobile', sa.String(length=11), nullable=False),
    sa.Column('applicant_id', sa.Uuid(), nullable=True),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), server_default=sa.text("'received'"), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('reminded', sa.String(length=16), server_default=sa.text("''"), nullable=False),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('replied_by', sa.String(length=50), nullable=True),
    sa.Column('transferred_to', sa.String(length=100), nullable=True),
    sa.Column('origin', sa.String(length=100), nullable=True),
    sa.Column('publication', sa.String(length=16), server_default=sa.text("'none'"), nullable=False),
    sa.Column('public_question', sa.Text(), nullable=True),
    sa.Column('public_answer', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_consult_item_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consult_item'))
    )
    op.create_index(op.f('ix_consult_item_code_hash'), 'consult_item', ['code_hash'], unique=False)
    op.create_index('ix_consult_item_unit_open', 'consult_item', ['unit_id', 'status', 'id'], unique=False)
    op.create_table('consult_attachment',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=True), nullable=False),
    sa.Column('item_id', sa.BigInteger(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['consult_item.id'], name=op.f('fk_consult_attachment_item_id_consult_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consult_attachment'))
    )
    op.create_index(op.f('ix_consult_attachment_item_id'), 'consult_attachment', ['item_id'], unique=False)
    op.create_table('consult_event',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=True), nullable=False),
    sa.Column('item_id', sa.BigInteger(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('actor_name', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['consult_item.id'], name=op.f('fk_consult_event_item_id_consult_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consult_event'))
    )
    op.create_index(op.f('ix_consult_event_item_id'), 'consult_event', ['item_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_consult_event_item_id'), table_name='consult_event')
    op.drop_table('consult_event')
    op.drop_index(op.f('ix_consult_attachment_item_id'), table_name='consult_attachment')
    op.drop_table('consult_attachment')
    op.drop_index('ix_consult_item_unit_open', table_name='consult_item')
    op.drop_index(op.f('ix_consult_item_code_hash'), table_name='consult_item')
    op.drop_table('consult_item')
    op.drop_index(op.f('ix_faq_entry_topic'), table_name='faq_entry')
    op.drop_table('faq_entry')
