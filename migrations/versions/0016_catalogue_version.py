"""catalogue version for caches that are never stale; a stored, GIN-indexed tsvector on PostgreSQL

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-26 15:00:00

`catalogue_state` holds the one row of gallery.catalogue_version: two random tokens that change in the same
transaction as any write a storefront page shows. On PostgreSQL, search ranked every matching row by
tokenising its text again; `products.search_vector` is now a stored generated column with its own GIN
index (replacing the expression index of 0001), so matching and ranking read the stored vector.
`products` is not batch-altered here, so the SQLite full-text triggers stay as they are.
"""
import secrets
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

POSTGRES_SEARCH_VECTOR = (
    "ALTER TABLE products ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED",
    "CREATE INDEX ix_products_search_vector ON products USING gin (search_vector)",
    "DROP INDEX IF EXISTS ix_products_search_text",
)
POSTGRES_SEARCH_VECTOR_DROP = (
    "CREATE INDEX IF NOT EXISTS ix_products_search_text ON products USING gin (to_tsvector('simple', search_text))",
    "DROP INDEX IF EXISTS ix_products_search_vector",
    "ALTER TABLE products DROP COLUMN IF EXISTS search_vector",
)


def upgrade():
    state = op.create_table('catalogue_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('products_version', sa.String(length=32), nullable=False),
    sa.Column('stock_version', sa.String(length=32), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_state'))
    )
    op.bulk_insert(state, [{"id": 1, "products_version": secrets.token_hex(8), "stock_version": secrets.token_hex(8),
                            "changed_at": datetime.now(timezone.utc).replace(tzinfo=None)}])
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_SEARCH_VECTOR:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_SEARCH_VECTOR_DROP:
            op.execute(statement)
    op.drop_table('catalogue_state')
