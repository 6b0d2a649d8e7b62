"""Order lines keep the unit weight the shipping quote read

Revision ID: 0020
Revises: 0019b
Create Date: 2026-11-26 16:45:00

* order_lines.unit_weight_grams: one unit's weight in grams frozen when the order was placed, so the
  address label weighs the parcel as the quote did. Lines placed before this revision take their
  variant's weight at the time of the upgrade (the best figure left).
"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_weight_grams', sa.Integer(), server_default='0', nullable=False))
    op.execute(
        "UPDATE order_lines SET unit_weight_grams = "
        "(SELECT variants.weight_grams FROM variants WHERE variants.id = order_lines.variant_id)"
    )


def downgrade():
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_column('unit_weight_grams')
