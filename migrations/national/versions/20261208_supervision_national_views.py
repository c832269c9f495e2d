"""national supervision views: question terms and transfers-in of enquiries, registration history index

Revision ID: 5d81b2c4e9f7
Revises: 7a3c9e15b2d4
Create Date: 2026-12-08 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '5d81b2c4e9f7'
down_revision: str | Sequence[str] | None = '7a3c9e15b2d4'
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
    op.create_index(
        'ix_fact_registration_history',
        'fact_registration',
        ['tenant', 'registration_id', 'effective_on', 'event_id'],
        unique=False,
        schema='national',
        postgresql_include=['kind', 'valid_until', 'field'],
    )


def downgrade() -> None:
    op.drop_index('ix_fact_registration_history', table_name='fact_registration', schema='national')
    op.drop_index('ix_fact_enquiry_terms', table_name='fact_enquiry', schema='national', postgresql_using='gin')
    op.drop_column('fact_enquiry', 'terms', schema='national')
    op.drop_column('fact_enquiry', 'transferred_in', schema='national')
