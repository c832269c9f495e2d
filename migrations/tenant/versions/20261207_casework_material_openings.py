"""material openings by officers, the receiving authority of an application, settled notices

Revision ID: 8e22542d0b27
Revises: 8b1e64d2c9f7
Create Date: 2026-12-07 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8e22542d0b27"
down_revision: str | Sequence[str] | None = "8b1e64d2c9f7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "material_opening",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("attachment_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Uuid(), nullable=False),
        sa.Column("officer_name", sa.String(length=50), nullable=False),
        sa.Column("unit_name", sa.String(length=100), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_material_opening_application_id_application"),
        ),
        sa.ForeignKeyConstraint(
            ["attachment_id"],
            ["application_attachment.id"],
            name=op.f("fk_material_opening_attachment_id_application_attachment"),
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officer.id"], name=op.f("fk_material_opening_officer_id_officer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_material_opening")),
    )
    op.create_index(
        "ix_material_opening_case", "material_opening", ["application_id", "officer_id"], unique=False
    )
    op.create_index(
        op.f("ix_material_opening_attachment_id"), "material_opening", ["attachment_id"], unique=False
    )
    # Append-only: who opened which material is the record decisions rely on.
    op.execute(
        "CREATE TRIGGER material_opening_append_only BEFORE UPDATE OR DELETE "
        "ON material_opening FOR EACH ROW EXECUTE FUNCTION forbid_change()"
    )
    op.execute(
        "CREATE TRIGGER material_opening_no_truncate BEFORE TRUNCATE "
        "ON material_opening FOR EACH STATEMENT EXECUTE FUNCTION forbid_change()"
    )
    op.add_column("application", sa.Column("received_by", sa.String(length=200), nullable=True))
    op.add_column("office_message", sa.Column("resolution", sa.String(length=200), nullable=True))


def downgrade() -> None:
    op.drop_column("office_message", "resolution")
    op.drop_column("application", "received_by")
    op.execute("DROP TRIGGER IF EXISTS material_opening_no_truncate ON material_opening")
    op.execute("DROP TRIGGER IF EXISTS material_opening_append_only ON material_opening")
    op.drop_index(op.f("ix_material_opening_attachment_id"), table_name="material_opening")
    op.drop_index("ix_material_opening_case", table_name="material_opening")
    op.drop_table("material_opening")
