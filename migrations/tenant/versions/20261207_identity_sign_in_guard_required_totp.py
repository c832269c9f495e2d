"""sign-in failures counted in PostgreSQL; required second factor

Revision ID: 96ce8478a0de
Revises: 8e22542d0b27
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "96ce8478a0de"
down_revision: str | Sequence[str] | None = "8e22542d0b27"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "security_setting",
        sa.Column("totp_required", sa.String(length=16), server_default=sa.text("'none'"), nullable=False),
    )
    op.create_table(
        "sign_in_failure",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.Column("failures", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "window_started_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("kind", "subject", "source", name=op.f("pk_sign_in_failure")),
    )
    op.create_index(op.f("ix_sign_in_failure_last_at"), "sign_in_failure", ["last_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_sign_in_failure_last_at"), table_name="sign_in_failure")
    op.drop_table("sign_in_failure")
    op.drop_column("security_setting", "totp_required")
