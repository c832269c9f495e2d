"""statistics: the due date of each case in the facts (open cases overdue at query time), saved custom queries

Revision ID: 5d2e8b7c41f9
Revises: 5d81b2c4e9f7
Create Date: 2026-12-08 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '5d2e8b7c41f9'
down_revision: str | Sequence[str] | None = '5d81b2c4e9f7'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows written before this revision get their due date at the next rebuild or nightly recount.
    op.add_column('fact_case', sa.Column('due_on', sa.Date(), nullable=True), schema='national')
    op.create_table(
        'saved_query',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('owner_tenant', sa.String(length=41), nullable=False),
        sa.Column('owner_account', sa.Uuid(), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('definition', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_query')),
        sa.UniqueConstraint('owner_tenant', 'owner_account', 'name', name=op.f('uq_saved_query_owner_tenant_owner_account_name')),
        schema='national',
    )


def downgrade() -> None:
    op.drop_table('saved_query', schema='national')
    op.drop_column('fact_case', 'due_on', schema='national')
