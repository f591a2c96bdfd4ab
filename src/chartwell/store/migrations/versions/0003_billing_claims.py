"""billing: the claims we build and send, their batches, the X12 control numbers used

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 08:19:57.269043
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('claim_batches',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('interchange_control_number', sa.Integer(), nullable=False),
    sa.Column('group_control_number', sa.Integer(), nullable=False),
    sa.Column('claim_count', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=300), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_batches')),
    sa.UniqueConstraint('interchange_control_number', name=op.f('uq_claim_batches_interchange_control_number'))
    )
    control_numbers = op.create_table('x12_control_numbers',
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', name=op.f('pk_x12_control_numbers'))
    )
    # one row per sequence, so the first export can lock it (store/billing.py CONTROL_KINDS)
    op.bulk_insert(control_numbers, [{'kind': 'ISA13', 'last_value': 0},
                                     {'kind': 'GS06', 'last_value': 0}])
    op.create_table('billing_claims',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('patient_control_number', sa.String(length=38), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('frequency', sa.String(length=1), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('encounter_id', sa.Uuid(), nullable=True),
    sa.Column('patient_id', sa.Uuid(), nullable=True),
    sa.Column('payer_identifier', sa.String(length=80), nullable=False),
    sa.Column('payer_name', sa.String(length=200), nullable=False),
    sa.Column('payer_claim_number', sa.String(length=50), nullable=True),
    sa.Column('replaces_claim_id', sa.Uuid(), nullable=True),
    sa.Column('total_charge', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('balance', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('first_date_of_service', sa.DateTime(timezone=True), nullable=True),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('findings', sa.JSON(), nullable=False),
    sa.Column('batch_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['claim_batches.id'], name=op.f('fk_billing_claims_batch_id_claim_batches')),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounters.id'], name=op.f('fk_billing_claims_encounter_id_encounters')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_billing_claims_patient_id_patients')),
    sa.ForeignKeyConstraint(['replaces_claim_id'], ['billing_claims.id'], name=op.f('fk_billing_claims_replaces_claim_id_billing_claims')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_claims')),
    sa.UniqueConstraint('patient_control_number', name=op.f('uq_billing_claims_patient_control_number'))
    )
    with op.batch_alter_table('billing_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_billing_claims_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_billing_claims_encounter_id'), ['encounter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_billing_claims_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_billing_claims_payer_identifier'), ['payer_identifier'], unique=False)
        batch_op.create_index(batch_op.f('ix_billing_claims_replaces_claim_id'), ['replaces_claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_billing_claims_status'), ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('billing_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_billing_claims_status'))
        batch_op.drop_index(batch_op.f('ix_billing_claims_replaces_claim_id'))
        batch_op.drop_index(batch_op.f('ix_billing_claims_payer_identifier'))
        batch_op.drop_index(batch_op.f('ix_billing_claims_patient_id'))
        batch_op.drop_index(batch_op.f('ix_billing_claims_encounter_id'))
        batch_op.drop_index(batch_op.f('ix_billing_claims_batch_id'))

    op.drop_table('billing_claims')
    op.drop_table('x12_control_numbers')
    op.drop_table('claim_batches')
