"""national supervision views: question terms and transfers-in of enquiries, when each registration event stops holding

Revision ID: 5d81b2c4e9f7
Revises: 5d2e8b41c9f7
Create Date: 2026-12-08 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '5d81b2c4e9f7'
down_revision: str | Sequence[str] | None = '5d2e8b41c9f7'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        'fact_enquiry',
        sa.Column('transferred_in', sa.Boolean(), server_default=sa.text('false'), nullable=False),
        schema='national',
    )
    op.add_column(
        'fact_enquiry',
        sa.Column(
            'terms', postgresql.ARRAY(sa.String(length=20)), server_default=sa.text("'{}'"), nullable=False
        ),
        schema='national',
    )
    op.create_index('ix_fact_enquiry_terms', 'fact_enquiry', ['terms'], unique=False, schema='national', postgresql_using='gin')
    op.add_column('fact_registration', sa.Column('ends_on', sa.Date(), nullable=True), schema='national')
    # Existing facts: the next event of the registration or the day after valid_until, whichever
    # is first; a closing event (no valid_until) ends on its own date.
    op.execute(
        """
        UPDATE national.fact_registration AS f SET ends_on = s.ends_on
        FROM (
            SELECT tenant, event_id,
                   CASE WHEN valid_until IS NULL THEN effective_on
                        ELSE least(lead(effective_on) OVER (PARTITION BY tenant, registration_id
                                                            ORDER BY effective_on, event_id),
                                   valid_until + 1) END AS ends_on
            FROM national.fact_registration
        ) AS s
        WHERE f.tenant = s.tenant AND f.event_id = s.event_id
        """
    )
    op.create_index(
        'ix_fact_registration_history',
        'fact_registration',
        ['tenant', 'registration_id', 'effective_on', 'event_id'],
        unique=False,
        schema='national',
    )
    op.create_index(
        'ix_fact_registration_holding',
        'fact_registration',
        ['effective_on', 'ends_on'],
        unique=False,
        schema='national',
        postgresql_include=['tenant', 'field'],
        postgresql_where=sa.text('ends_on > effective_on'),
    )
    op.create_table(
        'fact_validity_month',
        sa.Column('tenant', sa.String(length=41), nullable=False),
        sa.Column('field', sa.String(length=16), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('change', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('tenant', 'field', 'month', name=op.f('pk_fact_validity_month')),
        schema='national',
    )
    op.execute(
        """
        INSERT INTO national.fact_validity_month (tenant, field, month, change)
        SELECT tenant, field, month, sum(step) FROM (
            SELECT tenant, field, date_trunc('month', effective_on)::date AS month, 1 AS step
            FROM national.fact_registration WHERE ends_on > effective_on
            UNION ALL
            SELECT tenant, field, date_trunc('month', ends_on)::date, -1
            FROM national.fact_registration WHERE ends_on > effective_on
        ) AS steps
        GROUP BY tenant, field, month HAVING sum(step) <> 0
        """
    )


def downgrade() -> None:
    op.drop_table('fact_validity_month', schema='national')
    op.drop_index('ix_fact_registration_holding', table_name='fact_registration', schema='national')
    op.drop_index('ix_fact_registration_history', table_name='fact_registration', schema='national')
    op.drop_column('fact_registration', 'ends_on', schema='national')
    op.drop_index('ix_fact_enquiry_terms', table_name='fact_enquiry', schema='national', postgresql_using='gin')
    op.drop_column('fact_enquiry', 'terms', schema='national')
    op.drop_column('fact_enquiry', 'transferred_in', schema='national')
