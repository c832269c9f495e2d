"""index of each registration's latest event (in validity on a day, per province and field)

Revision ID: 5d81b0c4e7a2
Revises: 7a3c9e15b2d4
Create Date: 2026-12-08 05:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '5d81b0c4e7a2'
down_revision: str | Sequence[str] | None = '7a3c9e15b2d4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_fact_registration_latest ON national.fact_registration "
        "(tenant, registration_id, effective_on DESC, event_id DESC) INCLUDE (valid_until, field)"
    )


def downgrade() -> None:
    op.drop_index('ix_fact_registration_latest', table_name='fact_registration', schema='national')
