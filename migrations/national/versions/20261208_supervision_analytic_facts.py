"""analytic facts of the national supervision (registrations, cases, enquiries, practice units)

Revision ID: 7a3c9e15b2d4
Revises: 3e6fcffe6c5e
Create Date: 2026-12-08 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '7a3c9e15b2d4'
down_revision: str | Sequence[str] | None = '3e6fcffe6c5e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'fact_registration',
        sa.Column('tenant', sa.String(length=41), nullable=False),
        sa.Column('event_id', sa.BigInteger(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('person_hash', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('effective_on', sa.Date(), nullable=False),
        sa.Column('ground', sa.String(length=200), nullable=True),
        sa.Column('province_code', sa.String(length=6), nullable=False),
        sa.Column('city_code', sa.String(length=6), nullable=False),
        sa.Column('county_code', sa.String(length=6), nullable=False),
        sa.Column('categories', sa.String(length=32), nullable=False),
        sa.Column('scope', sa.String(length=32), nullable=False),
        sa.Column('practice_unit_id', sa.Integer(), nullable=False),
        sa.Column('unit_type', sa.String(length=32), nullable=True),
        sa.Column('field', sa.String(length=16), nullable=False),
        sa.Column('sex', sa.String(length=1), nullable=True),
        sa.Column('birth_year', sa.SmallInteger(), nullable=True),
        sa.Column('education', sa.String(length=20), nullable=True),
        sa.Column('major', sa.String(length=40), nullable=True),
        sa.Column('valid_until', sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint('tenant', 'event_id', name=op.f('pk_fact_registration')),
        schema='national',
    )
    op.create_index(
        'ix_fact_registration_effective', 'fact_registration', ['effective_on', 'kind'], unique=False, schema='national'
    )
    op.create_index(
        'ix_fact_registration_tenant_effective',
        'fact_registration',
        ['tenant', 'effective_on'],
        unique=False,
        schema='national',
    )
    op.create_index(
        op.f('ix_fact_registration_person_hash'), 'fact_registration', ['person_hash'], unique=False, schema='national'
    )
    op.create_table(
        'fact_case',
        sa.Column('tenant', sa.String(length=41), nullable=False),
        sa.Column('case_ref', sa.String(length=20), nullable=False),
        sa.Column('matter', sa.String(length=32), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('division_code', sa.String(length=6), nullable=True),
        sa.Column('handling_unit', sa.String(length=200), nullable=True),
        sa.Column('delegated', sa.Boolean(), server_default=sa.text('false'), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=True),
        sa.Column('accepted_on', sa.Date(), nullable=True),
        sa.Column('decided_on', sa.Date(), nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=True),
        sa.Column('supplement_notices', sa.SmallInteger(), server_default=sa.text('0'), nullable=False),
        sa.Column('working_days', sa.Integer(), nullable=True),
        sa.Column('overdue', sa.Boolean(), server_default=sa.text('false'), nullable=False),
        sa.PrimaryKeyConstraint('tenant', 'case_ref', name=op.f('pk_fact_case')),
        schema='national',
    )
    op.create_index('ix_fact_case_received', 'fact_case', ['received_on'], unique=False, schema='national')
    op.create_index('ix_fact_case_decided', 'fact_case', ['decided_on'], unique=False, schema='national')
    op.create_table(
        'fact_enquiry',
        sa.Column('tenant', sa.String(length=41), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('enquiry_id', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(length=40), nullable=False),
        sa.Column('division_code', sa.String(length=6), nullable=True),
        sa.Column('handling_unit', sa.String(length=200), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('within_limit', sa.Boolean(), nullable=True),
        sa.Column('transferred', sa.Boolean(), server_default=sa.text('false'), nullable=False),
        sa.Column('published', sa.Boolean(), server_default=sa.text('false'), nullable=False),
        sa.PrimaryKeyConstraint('tenant', 'kind', 'enquiry_id', name=op.f('pk_fact_enquiry')),
        schema='national',
    )
    op.create_index(
        'ix_fact_enquiry_received', 'fact_enquiry', ['kind', 'received_at'], unique=False, schema='national'
    )
    op.create_table(
        'fact_practice_unit',
        sa.Column('tenant', sa.String(length=41), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('unit_type', sa.String(length=32), nullable=False),
        sa.Column('field', sa.String(length=16), nullable=False),
        sa.Column('division_code', sa.String(length=6), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('licence_valid_until', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('tenant', 'unit_id', name=op.f('pk_fact_practice_unit')),
        schema='national',
    )
    op.create_table(
        'fact_source',
        sa.Column('tenant', sa.String(length=41), nullable=False),
        sa.Column('rebuilt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('recounted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('corrected', sa.Integer(), server_default=sa.text('0'), nullable=False),
        sa.PrimaryKeyConstraint('tenant', name=op.f('pk_fact_source')),
        schema='national',
    )


def downgrade() -> None:
    op.drop_table('fact_source', schema='national')
    op.drop_table('fact_practice_unit', schema='national')
    op.drop_index('ix_fact_enquiry_received', table_name='fact_enquiry', schema='national')
    op.drop_table('fact_enquiry', schema='national')
    op.drop_index('ix_fact_case_decided', table_name='fact_case', schema='national')
    op.drop_index('ix_fact_case_received', table_name='fact_case', schema='national')
    op.drop_table('fact_case', schema='national')
    op.drop_index(op.f('ix_fact_registration_person_hash'), table_name='fact_registration', schema='national')
    op.drop_index('ix_fact_registration_tenant_effective', table_name='fact_registration', schema='national')
    op.drop_index('ix_fact_registration_effective', table_name='fact_registration', schema='national')
    op.drop_table('fact_registration', schema='national')
