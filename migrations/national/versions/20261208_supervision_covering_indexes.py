"""supervision at scale: cases per province, month and working days (fact_case_month); a province's registration events and the cases of a period read from the index alone

Revision ID: 9c4f1e7b2a63
Revises: 5d2e8b7c41f9
Create Date: 2026-12-08 06:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '9c4f1e7b2a63'
down_revision: str | Sequence[str] | None = '5d2e8b7c41f9'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REGISTRATION_INCLUDE = ['ends_on', 'valid_until', 'kind', 'city_code', 'county_code', 'categories', 'field']


def upgrade() -> None:
    op.create_table(
        'fact_case_month',
        sa.Column('tenant', sa.String(length=41), nullable=False),
        sa.Column('side', sa.String(length=8), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('working_days', sa.Integer(), nullable=False),
        sa.Column('cases', sa.Integer(), nullable=False),
        sa.Column('delegated', sa.Integer(), server_default=sa.text('0'), nullable=False),
        sa.Column('approved', sa.Integer(), server_default=sa.text('0'), nullable=False),
        sa.Column('overdue', sa.Integer(), server_default=sa.text('0'), nullable=False),
        sa.PrimaryKeyConstraint('tenant', 'side', 'month', 'working_days'),
        schema='national',
    )
    # Existing case facts, as repository.recompute_case_months counts them.
    op.execute(
        """
        INSERT INTO national.fact_case_month
            (tenant, side, month, working_days, cases, delegated, approved, overdue)
        SELECT tenant, 'received', date_trunc('month', received_on)::date, -1, count(*),
               count(*) FILTER (WHERE delegated), 0, 0
        FROM national.fact_case WHERE received_on IS NOT NULL GROUP BY 1, 3
        UNION ALL
        SELECT tenant, 'decided', date_trunc('month', decided_on)::date, coalesce(working_days, -1),
               count(*), 0, count(*) FILTER (WHERE outcome = 'approved'), count(*) FILTER (WHERE overdue)
        FROM national.fact_case WHERE decided_on IS NOT NULL GROUP BY 1, 3, 4
        """
    )
    op.drop_index('ix_fact_registration_tenant_effective', table_name='fact_registration', schema='national')
    op.create_index(
        'ix_fact_registration_tenant_effective',
        'fact_registration',
        ['tenant', 'effective_on'],
        unique=False,
        schema='national',
        postgresql_include=_REGISTRATION_INCLUDE,
    )
    op.drop_index('ix_fact_case_received', table_name='fact_case', schema='national')
    op.create_index(
        'ix_fact_case_received',
        'fact_case',
        ['received_on'],
        unique=False,
        schema='national',
        postgresql_include=['tenant', 'delegated'],
    )
    op.drop_index('ix_fact_case_decided', table_name='fact_case', schema='national')
    op.create_index(
        'ix_fact_case_decided',
        'fact_case',
        ['decided_on'],
        unique=False,
        schema='national',
        postgresql_include=['tenant', 'working_days', 'overdue', 'outcome'],
    )


def downgrade() -> None:
    op.drop_table('fact_case_month', schema='national')
    op.drop_index('ix_fact_case_decided', table_name='fact_case', schema='national')
    op.create_index('ix_fact_case_decided', 'fact_case', ['decided_on'], unique=False, schema='national')
    op.drop_index('ix_fact_case_received', table_name='fact_case', schema='national')
    op.create_index('ix_fact_case_received', 'fact_case', ['received_on'], unique=False, schema='national')
    op.drop_index('ix_fact_registration_tenant_effective', table_name='fact_registration', schema='national')
    op.create_index(
        'ix_fact_registration_tenant_effective',
        'fact_registration',
        ['tenant', 'effective_on'],
        unique=False,
        schema='national',
    )
