"""risk flags of hanging certificates and frequent changes, with their rules' national settings

Revision ID: 5d2e8b41c9f7
Revises: e5c0a7f31b92
Create Date: 2026-12-08 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "5d2e8b41c9f7"
down_revision: str | Sequence[str] | None = "e5c0a7f31b92"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "risk_rule_setting",
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "params",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("rule", name=op.f("pk_risk_rule_setting")),
        schema="national",
    )
    op.create_table(
        "risk_flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("tenant", sa.String(length=41), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("practice_unit_id", sa.Integer(), nullable=True),
        sa.Column("person_hash", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=16), server_default=sa.text("'open'"), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column(
            "evidence",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "seen_keys",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("matching", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("outcome_reason", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_flag")),
        sa.UniqueConstraint("rule", "subject", name=op.f("uq_risk_flag_rule_subject")),
        schema="national",
    )
    op.create_index(
        "ix_risk_flag_state_rule", "risk_flag", ["state", "rule"], unique=False, schema="national"
    )
    op.create_index(
        "ix_risk_flag_tenant_state", "risk_flag", ["tenant", "state"], unique=False, schema="national"
    )
    op.create_table(
        "risk_flag_event",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("actor_name", sa.String(length=100), nullable=True),
        sa.Column("actor_place", sa.String(length=41), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["flag_id"], ["national.risk_flag.id"], name=op.f("fk_risk_flag_event_flag_id_risk_flag")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_flag_event")),
        schema="national",
    )
    op.create_index(
        op.f("ix_risk_flag_event_flag_id"), "risk_flag_event", ["flag_id"], unique=False, schema="national"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_risk_flag_event_flag_id"), table_name="risk_flag_event", schema="national")
    op.drop_table("risk_flag_event", schema="national")
    op.drop_index("ix_risk_flag_tenant_state", table_name="risk_flag", schema="national")
    op.drop_index("ix_risk_flag_state_rule", table_name="risk_flag", schema="national")
    op.drop_table("risk_flag", schema="national")
    op.drop_table("risk_rule_setting", schema="national")
