"""Payments Indonesian shoppers use: Midtrans (Snap and QRIS at the till) and Pos cash on delivery

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26 14:00:00

* payments: providers `midtrans` and `pos_cod`; Stripe's session id and PaymentIntent become any
  gateway's reference of the attempt (unique) and its transaction id; the method used at the gateway
  and the shopper's instructions (VA number, QR string, deeplink);
* refunds.stripe_refund_id becomes gateway_refund_id: the id of a refund made through any gateway;
* orders: the COD fee, `returned` (a COD parcel back to the sender) and when it came back;
* shipping_services: whether a service carries COD, its fee in basis points and its minimum;
* cod_remittances and their lines: the Pos agency paying over the cash it collected, per resi.
"""
import sqlalchemy as sa
import gallery.dbtypes
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

OPEN_TRANSFER = "status = 'open' AND provider = 'bank_transfer'"
PROVIDERS_BEFORE = "provider IN ('stripe', 'bank_transfer', 'gallery')"
PROVIDERS = "provider IN ('stripe', 'midtrans', 'bank_transfer', 'gallery', 'pos_cod')"
STATUSES_BEFORE = ("status IN ('pending_payment', 'paid', 'packed', 'shipped', 'completed', 'cancelled', "
                   "'expired', 'refunded')")
STATUSES = ("status IN ('pending_payment', 'paid', 'packed', 'shipped', 'completed', 'cancelled', "
            "'expired', 'refunded', 'returned')")


def _drop_transfer_indexes():
    # SQLite rebuilds the table in batch mode and would lose the partial indexes' WHERE: make them again.
    op.drop_index('uq_payments_open_transfer_amount', table_name='payments')
    op.drop_index('uq_payments_open_transfer_order', table_name='payments')


def _create_transfer_indexes():
    for name, column in (('uq_payments_open_transfer_amount', 'amount'), ('uq_payments_open_transfer_order', 'order_id')):
        op.create_index(name, 'payments', [column], unique=True,
                        sqlite_where=sa.text(OPEN_TRANSFER), postgresql_where=sa.text(OPEN_TRANSFER))


def upgrade():
    _drop_transfer_indexes()
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_payments_stripe_session_id'), type_='unique')
        batch_op.alter_column('stripe_session_id', new_column_name='reference',
                              existing_type=sa.String(length=255), existing_nullable=True)
        batch_op.alter_column('stripe_payment_intent', new_column_name='gateway_transaction_id',
                              existing_type=sa.String(length=255), existing_nullable=True)
        batch_op.add_column(sa.Column('gateway_method', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('instructions', sa.Text(), server_default='', nullable=False))
        batch_op.drop_constraint(batch_op.f('ck_payments_provider_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_payments_provider_known'), PROVIDERS)
    # A second batch: SQLite's rebuild drops a constraint created on a column renamed in the same batch.
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_payments_reference'), ['reference'])
    _create_transfer_indexes()

    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.alter_column('stripe_refund_id', new_column_name='gateway_refund_id',
                              existing_type=sa.String(length=255), existing_nullable=True)

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cod_fee', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('returned_at', gallery.dbtypes.UTCDateTime(), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_orders_status_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_orders_status_known'), STATUSES)
        batch_op.create_check_constraint(batch_op.f('ck_orders_cod_fee_not_negative'), 'cod_fee >= 0')

    with op.batch_alter_table('shipping_services', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cod_enabled', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('cod_fee_bp', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('cod_min_fee', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint(batch_op.f('ck_shipping_services_cod_fee_range'),
                                         'cod_fee_bp >= 0 AND cod_fee_bp <= 10000 AND cod_min_fee >= 0')

    op.create_table(
        'cod_remittances',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reference', sa.String(length=60), nullable=False),
        sa.Column('remitted_on', sa.Date(), nullable=False),
        sa.Column('collected', sa.Integer(), nullable=False),
        sa.Column('fees', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('created_at', gallery.dbtypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint('collected >= 0 AND fees >= 0', name=op.f('ck_cod_remittances_amounts_valid')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_cod_remittances_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cod_remittances')),
        sa.UniqueConstraint('reference', name=op.f('uq_cod_remittances_reference')),
    )
    op.create_table(
        'cod_remittance_lines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('remittance_id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('tracking_number', sa.String(length=40), nullable=False),
        sa.Column('collected', sa.Integer(), nullable=False),
        sa.Column('fee', sa.Integer(), nullable=False),
        sa.CheckConstraint('collected > 0 AND fee >= 0', name=op.f('ck_cod_remittance_lines_amounts_valid')),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ondelete='CASCADE',
                                name=op.f('fk_cod_remittance_lines_order_id_orders')),
        sa.ForeignKeyConstraint(['remittance_id'], ['cod_remittances.id'], ondelete='CASCADE',
                                name=op.f('fk_cod_remittance_lines_remittance_id_cod_remittances')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cod_remittance_lines')),
        sa.UniqueConstraint('order_id', name=op.f('uq_cod_remittance_lines_order_id')),
    )
    with op.batch_alter_table('cod_remittance_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cod_remittance_lines_remittance_id'), ['remittance_id'], unique=False)


def downgrade():
    op.drop_table('cod_remittance_lines')
    op.drop_table('cod_remittances')
    with op.batch_alter_table('shipping_services', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_shipping_services_cod_fee_range'), type_='check')
        batch_op.drop_column('cod_min_fee')
        batch_op.drop_column('cod_fee_bp')
        batch_op.drop_column('cod_enabled')
    op.execute("UPDATE orders SET status = 'cancelled' WHERE status = 'returned'")
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_orders_cod_fee_not_negative'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_orders_status_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_orders_status_known'), STATUSES_BEFORE)
        batch_op.drop_column('returned_at')
        batch_op.drop_column('cod_fee')
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.alter_column('gateway_refund_id', new_column_name='stripe_refund_id',
                              existing_type=sa.String(length=255), existing_nullable=True)
    op.execute("DELETE FROM payments WHERE provider IN ('midtrans', 'pos_cod')")
    _drop_transfer_indexes()
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_payments_reference'), type_='unique')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_payments_provider_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_payments_provider_known'), PROVIDERS_BEFORE)
        batch_op.drop_column('instructions')
        batch_op.drop_column('gateway_method')
        batch_op.alter_column('gateway_transaction_id', new_column_name='stripe_payment_intent',
                              existing_type=sa.String(length=255), existing_nullable=True)
        batch_op.alter_column('reference', new_column_name='stripe_session_id',
                              existing_type=sa.String(length=255), existing_nullable=True)
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_payments_stripe_session_id'), ['stripe_session_id'])
    _create_transfer_indexes()
