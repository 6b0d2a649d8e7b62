"""products indexes: a producer's published products in page order, and covering listing counts

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 15:00:00

On a 50,000-product catalogue the product page's "more from this producer" took 35 ms on SQLite: with
only producer_id indexed the planner chose the (published, created_at) index and scanned. The new index
leads with producer_id, so it also serves every lookup the old one did. The listing's total and the
home page's per-sector counts read every published row (70 ms); a covering index makes that 20 ms.
"""
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index('ix_products_producer_published',
                              ['producer_id', 'published', 'is_featured', 'created_at'], unique=False)
        batch_op.drop_index('ix_products_producer_id')
        batch_op.create_index('ix_products_listing_count',
                              ['published', 'producer_id', 'category_id', 'price_from'], unique=False)


def downgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index('ix_products_listing_count')
        batch_op.create_index('ix_products_producer_id', ['producer_id'], unique=False)
        batch_op.drop_index('ix_products_producer_published')
