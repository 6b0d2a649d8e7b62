"""Order lines keep the unit weight the shipping quote read; a till payment keeps the cash handed over

Revision ID: 0020
Revises: 0019c
Create Date: 2026-11-26 16:45:00

* order_lines.unit_weight_grams: one unit's weight in grams frozen when the order was placed, so the
  address label weighs the parcel as the quote did. Lines placed before this revision take their
  variant's weight at the time of the upgrade (the best figure left);
* payments.cash_received: the cash a shopper handed over at the till, when the cashier typed it; the
  receipt's change is computed from it (it used to come from the receipt's address).
"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_weight_grams', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cash_received', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE order_lines SET unit_weight_grams = "
        "(SELECT variants.weight_grams FROM variants WHERE variants.id = order_lines.variant_id)"
    )


def downgrade():
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_column('cash_received')
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_column('unit_weight_grams')
