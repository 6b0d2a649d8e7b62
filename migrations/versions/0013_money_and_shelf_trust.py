"""Money and shelf trust: refund form tokens, transfer codes unique per exact amount, carried statements

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 15:00:00

* refunds.client_token (UNIQUE): the staff form's token, so one form sent twice is one refund;
* an open bank transfer is unique by its exact amount (order total + code), no longer by its code;
* orders paid before every payment was recorded get their `payments` row (the money they took);
* statements: `carried` status (below the minimum payout or negative, never transferred), the balance
  brought forward from carried statements (`settlement_carries`, once each), the transfer proof, and a
  CHECK that a statement to transfer is positive; approved or "paid" statements of zero or less become carried;
* shipping_services.max_length_cm: the longest side a parcel may have (150 cm for Pos Reguler).
"""
import sqlalchemy as sa
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

OPEN_TRANSFER = "status = 'open' AND provider = 'bank_transfer'"


def upgrade():
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_refunds_client_token'), ['client_token'])

    op.drop_index('uq_payments_open_transfer_code', table_name='payments')
    op.create_index('uq_payments_open_transfer_amount', 'payments', ['amount'], unique=True,
                    sqlite_where=sa.text(OPEN_TRANSFER), postgresql_where=sa.text(OPEN_TRANSFER))

    # Counter sales and orders marked paid by staff used to leave no payment row: record their money.
    op.execute(
        "INSERT INTO payments (order_id, provider, status, amount, amount_refunded, currency, created_at, paid_at, "
        "review_reason) "
        "SELECT o.id, CASE WHEN o.payment_method = 'bank_transfer' THEN 'bank_transfer' ELSE 'gallery' END, 'paid', "
        "o.total, 0, 'IDR', o.paid_at, o.paid_at, '' FROM orders o "
        "WHERE o.paid_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id "
        "AND p.status IN ('paid', 'refunded'))")


    op.execute("UPDATE settlement_statements SET status = 'carried' WHERE status IN ('approved', 'paid') "
               "AND amount_due <= 0")
    with op.batch_alter_table('settlement_statements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('brought_forward', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('proof_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('proof_ext', sa.String(length=4), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_settlement_statements_status_known'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_settlement_statements_amount_due_balanced'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_settlement_statements_status_known'),
                                         "status IN ('draft', 'approved', 'paid', 'carried')")
        batch_op.create_check_constraint(batch_op.f('ck_settlement_statements_amount_due_balanced'),
                                         'amount_due = payout_total + adjustments_total + brought_forward')
        batch_op.create_check_constraint(batch_op.f('ck_settlement_statements_transfers_positive'),
                                         "status <> 'approved' AND status <> 'paid' OR amount_due > 0")
    op.create_table(
        'settlement_carries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('statement_id', sa.Integer(), nullable=False),
        sa.Column('carried_statement_id', sa.Integer(), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['carried_statement_id'], ['settlement_statements.id'],
                                name=op.f('fk_settlement_carries_carried_statement_id_settlement_statements')),
        sa.ForeignKeyConstraint(['statement_id'], ['settlement_statements.id'], ondelete='CASCADE',
                                name=op.f('fk_settlement_carries_statement_id_settlement_statements')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement_carries')),
        sa.UniqueConstraint('carried_statement_id', name='uq_settlement_carries_carried_statement'),
    )
    with op.batch_alter_table('settlement_carries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settlement_carries_statement_id'), ['statement_id'], unique=False)

    with op.batch_alter_table('shipping_services', schema=None) as batch_op:
        batch_op.add_column(sa.Column('max_length_cm', sa.Integer(), server_default='150', nullable=False))


def downgrade():
    with op.batch_alter_table('shipping_services', schema=None) as batch_op:
        batch_op.drop_column('max_length_cm')
    op.drop_table('settlement_carries')
    op.execute("UPDATE settlement_statements SET status = 'approved' WHERE status = 'carried'")
    with op.batch_alter_table('settlement_statements', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_settlement_statements_transfers_positive'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_settlement_statements_amount_due_balanced'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_settlement_statements_status_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_settlement_statements_status_known'),
                                         "status IN ('draft', 'approved', 'paid')")
        batch_op.create_check_constraint(batch_op.f('ck_settlement_statements_amount_due_balanced'),
                                         'amount_due = payout_total + adjustments_total')
        batch_op.drop_column('proof_ext')
        batch_op.drop_column('proof_key')
        batch_op.drop_column('brought_forward')

    op.drop_index('uq_payments_open_transfer_amount', table_name='payments')
    op.create_index('uq_payments_open_transfer_code', 'payments', ['unique_code'], unique=True,
                    sqlite_where=sa.text(OPEN_TRANSFER), postgresql_where=sa.text(OPEN_TRANSFER))
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_refunds_client_token'), type_='unique')
        batch_op.drop_column('client_token')
