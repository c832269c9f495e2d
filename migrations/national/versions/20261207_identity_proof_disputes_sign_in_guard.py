"""applicants' confirmed mobiles and verified names; account disputes with their documents;
sign-in failures counted in PostgreSQL; required second factor for national staff

Revision ID: 3e6fcffe6c5e
Revises: c47d0e5b93a1
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3e6fcffe6c5e"
down_revision: str | Sequence[str] | None = "c47d0e5b93a1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "applicant",
        sa.Column("mobile_confirmed_at", sa.DateTime(timezone=True), nullable=True),
        schema="national",
    )
    op.add_column(
        "applicant", sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True), schema="national"
    )
    op.add_column(
        "applicant", sa.Column("verified_by", sa.String(length=32), nullable=True), schema="national"
    )
    # Accounts made before registration asked for proof keep working: their mobile numbers
    # have received reset codes all along and count as confirmed; their names stay unverified.
    op.execute("UPDATE national.applicant SET mobile_confirmed_at = created_at")
    op.add_column(
        "security_setting",
        sa.Column("totp_required", sa.String(length=16), server_default=sa.text("'none'"), nullable=False),
        schema="national",
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
        schema="national",
    )
    op.create_index(
        op.f("ix_sign_in_failure_last_at"), "sign_in_failure", ["last_at"], unique=False, schema="national"
    )
    op.create_table(
        "account_dispute",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("province", sa.String(length=41), nullable=False),
        sa.Column("status", sa.String(length=16), server_default=sa.text("'open'"), nullable=False),
        sa.Column("applicant_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("id_type", sa.String(length=16), nullable=False),
        sa.Column("id_number", sa.String(length=32), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("certificate_no", sa.String(length=40), nullable=False),
        sa.Column("verified_by", sa.String(length=32), nullable=False),
        sa.Column("mobile", sa.String(length=11), nullable=False),
        sa.Column("mobile_confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("account_name", sa.String(length=50), nullable=False),
        sa.Column("account_mobile", sa.String(length=11), nullable=False),
        sa.Column("account_created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("filed_ip", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_by_name", sa.String(length=50), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["applicant_id"],
            ["national.applicant.id"],
            name=op.f("fk_account_dispute_applicant_id_applicant"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_dispute")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_account_dispute_code_hash")),
        schema="national",
    )
    op.create_index(
        op.f("ix_account_dispute_applicant_id"),
        "account_dispute",
        ["applicant_id"],
        unique=False,
        schema="national",
    )
    op.create_index(
        "ix_account_dispute_province",
        "account_dispute",
        ["province", "status", "id"],
        unique=False,
        schema="national",
    )
    op.create_table(
        "dispute_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dispute_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("first_opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_opened_by", sa.String(length=50), nullable=True),
        sa.ForeignKeyConstraint(
            ["dispute_id"],
            ["national.account_dispute.id"],
            name=op.f("fk_dispute_document_dispute_id_account_dispute"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_document")),
        schema="national",
    )
    op.create_index(
        op.f("ix_dispute_document_dispute_id"),
        "dispute_document",
        ["dispute_id"],
        unique=False,
        schema="national",
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_dispute_document_dispute_id"), table_name="dispute_document", schema="national")
    op.drop_table("dispute_document", schema="national")
    op.drop_index("ix_account_dispute_province", table_name="account_dispute", schema="national")
    op.drop_index(op.f("ix_account_dispute_applicant_id"), table_name="account_dispute", schema="national")
    op.drop_table("account_dispute", schema="national")
    op.drop_index(op.f("ix_sign_in_failure_last_at"), table_name="sign_in_failure", schema="national")
    op.drop_table("sign_in_failure", schema="national")
    op.drop_column("security_setting", "totp_required", schema="national")
    op.drop_column("applicant", "verified_by", schema="national")
    op.drop_column("applicant", "verified_at", schema="national")
    op.drop_column("applicant", "mobile_confirmed_at", schema="national")
