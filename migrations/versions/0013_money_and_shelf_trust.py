"""Money and shelf trust: refund form tokens, transfer codes unique per exact amount, carried statements

Revision ID: 0013
Revises: 0011
Create Date: 2026-11-26 15:00:00

* refunds.client_token (UNIQUE): the staff form's token, so one form sent twice is one refund;
* an open bank transfer is unique by its exact amount (order total + code), no longer by its code;
* orders paid before every payment was recorded get their `payments` row (the money they took).
"""
import sqlalchemy as sa
from alembic import op


revision = '0013'
down_revision = '0011'
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


def downgrade():
    op.drop_index('uq_payments_open_transfer_amount', table_name='payments')
    op.create_index('uq_payments_open_transfer_code', 'payments', ['unique_code'], unique=True,
                    sqlite_where=sa.text(OPEN_TRANSFER), postgresql_where=sa.text(OPEN_TRANSFER))
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_refunds_client_token'), type_='unique')
        batch_op.drop_column('client_token')
