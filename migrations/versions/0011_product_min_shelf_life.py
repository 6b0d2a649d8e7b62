"""products.min_shelf_life_days: the shelf life a food product must still have at hand-over

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 13:00:00

NULL means the gallery's default (DEFAULT_MIN_SHELF_LIFE_DAYS, 7 days).
"""
import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def _product_triggers():
    """SQLite's batch mode rebuilds `products` and so drops its triggers (they keep the search index in
    step, migration 0001): read them before, to create them again after."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        return []
    return [row[0] for row in bind.execute(sa.text(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'products'"))]


def _restore(triggers):
    for statement in triggers:
        op.execute(statement)


def upgrade():
    triggers = _product_triggers()
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_shelf_life_days', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_products_min_shelf_life_in_range'),
            'min_shelf_life_days IS NULL OR (min_shelf_life_days >= 0 AND min_shelf_life_days <= 730)')
    _restore(triggers)


def downgrade():
    triggers = _product_triggers()
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_products_min_shelf_life_in_range'), type_='check')
        batch_op.drop_column('min_shelf_life_days')
    _restore(triggers)
