"""export jobs of statistics reports (the file kept seven days)

Revision ID: e5c0a7f31b92
Revises: 7a3c9e15b2d4
Create Date: 2026-12-08 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = 'e5c0a7f31b92'
down_revision: str | Sequence[str] | None = '7a3c9e15b2d4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'export_job',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('owner_kind', sa.String(length=16), nullable=False),
        sa.Column('owner_tenant', sa.String(length=41), nullable=False),
        sa.Column('owner_id', sa.Uuid(), nullable=False),
        sa.Column('report', sa.String(length=80), nullable=False),
        sa.Column('report_label', sa.String(length=200), nullable=False),
        sa.Column('scope_tenant', sa.String(length=41), nullable=True),
        sa.Column('division_prefix', sa.String(length=6), nullable=True),
        sa.Column('params', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column('format', sa.String(length=8), nullable=False),
        sa.Column('encoding', sa.String(length=16), server_default=sa.text("'utf-8'"), nullable=False),
        sa.Column('status', sa.String(length=16), server_default=sa.text("'queued'"), nullable=False),
        sa.Column('progress', sa.SmallInteger(), server_default=sa.text('0'), nullable=False),
        sa.Column('row_count', sa.Integer(), nullable=True),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=120), nullable=True),
        sa.Column('content', sa.LargeBinary(), nullable=True),
        sa.Column('sha256', sa.String(length=64), nullable=True),
        sa.Column('size', sa.Integer(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        schema='national',
    )
    op.create_index(
        'ix_export_job_owner', 'export_job', ['owner_kind', 'owner_tenant', 'owner_id', 'created_at'], schema='national'
    )
    op.create_index('ix_export_job_created', 'export_job', ['created_at'], schema='national')


def downgrade() -> None:
    op.drop_index('ix_export_job_created', table_name='export_job', schema='national')
    op.drop_index('ix_export_job_owner', table_name='export_job', schema='national')
    op.drop_table('export_job', schema='national')
