"""registration: education and major (学历, 专业)

Revision ID: 5d2e8a41c7b9
Revises: 96ce8478a0de
Create Date: 2026-12-08 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '5d2e8a41c7b9'
down_revision: str | Sequence[str] | None = '96ce8478a0de'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('registration', sa.Column('education', sa.String(length=20), nullable=True))
    op.add_column('registration', sa.Column('major', sa.String(length=40), nullable=True))


def downgrade() -> None:
    op.drop_column('registration', 'major')
    op.drop_column('registration', 'education')
