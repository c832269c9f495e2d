"""tenant registry: the province administrator's own site links

Revision ID: 3f9c2a71d0b4
Revises: 05f1fc000aa4
Create Date: 2026-12-07 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '3f9c2a71d0b4'
down_revision: str | Sequence[str] | None = '05f1fc000aa4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        'tenant',
        sa.Column(
            'site_links',
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        schema='national',
    )


def downgrade() -> None:
    op.drop_column('tenant', 'site_links', schema='national')
