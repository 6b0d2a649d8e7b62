"""catalogue management: product status and story, certificate links, history, proposals, slug redirects

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 09:00:00

A product's P-IRT, BPOM and halal numbers become links to the producer's certificates, so their
validity comes with them: each number a product carried is matched to the producer's certificate
of that kind and number, or becomes a new certificate of the producer (a P-IRT valid until the
end of the year its last two digits name, BPOM and halal without an end date), and the number
columns go. Products already on sale keep their address from now on (published_at = created_at).

On SQLite, recreating `products` (batch mode) drops the triggers that keep the full-text index in
step; 0011 lost them that way, so they are created again here and the index is rebuilt.
"""
import re
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

SQLITE_SEARCH_TRIGGERS = (
    "DROP TRIGGER IF EXISTS products_search_ai",
    "DROP TRIGGER IF EXISTS products_search_ad",
    "DROP TRIGGER IF EXISTS products_search_au",
    "CREATE TRIGGER products_search_ai AFTER INSERT ON products BEGIN "
    "INSERT INTO product_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER products_search_ad AFTER DELETE ON products BEGIN "
    "INSERT INTO product_search(product_search, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER products_search_au AFTER UPDATE OF search_text ON products BEGIN "
    "INSERT INTO product_search(product_search, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO product_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO product_search(product_search) VALUES ('rebuild')",
)
NUMBER_COLUMNS = (("pirt", "pirt_number", "pirt_certificate_id"),
                  ("bpom", "bpom_md_number", "bpom_certificate_id"),
                  ("halal", "halal_number", "halal_certificate_id"))
PIRT = re.compile(r"^\d{13}-(\d{2})$")


def _restore_search_triggers():
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_SEARCH_TRIGGERS:
            op.execute(statement)


def _pirt_valid_until(number):
    match = PIRT.match(number or "")
    return date(2000 + int(match.group(1)), 12, 31) if match else None


def _create_tables():
    op.create_table('product_slug_redirects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=160), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_slug_redirects_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_slug_redirects')),
    sa.UniqueConstraint('slug', name=op.f('uq_product_slug_redirects_slug'))
    )
    op.create_index(op.f('ix_product_slug_redirects_product_id'), 'product_slug_redirects', ['product_id'])
    op.create_table('price_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('variant_id', sa.Integer(), nullable=True),
    sa.Column('sku', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=60), nullable=False),
    sa.Column('old_price', sa.Integer(), nullable=True),
    sa.Column('new_price', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_price_changes_changed_by_id_users')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_price_changes_product_id_products'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['variant_id'], ['variants.id'], name=op.f('fk_price_changes_variant_id_variants'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_changes'))
    )
    op.create_index(op.f('ix_price_changes_product_id'), 'price_changes', ['product_id'])
    op.create_index(op.f('ix_price_changes_variant_id'), 'price_changes', ['variant_id'])
    op.create_table('product_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_events_product_id_products'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_product_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_events'))
    )
    op.create_index(op.f('ix_product_events_product_id'), 'product_events', ['product_id'])
    op.create_table('product_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('staff_comment', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'changes_requested', 'approved', 'rejected')", name=op.f('ck_product_proposals_status_known')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_product_proposals_created_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_product_proposals_decided_by_id_users')),
    sa.ForeignKeyConstraint(['producer_id'], ['producers.id'], name=op.f('fk_product_proposals_producer_id_producers')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_proposals_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_proposals'))
    )
    op.create_index(op.f('ix_product_proposals_producer_id'), 'product_proposals', ['producer_id'])
    op.create_index(op.f('ix_product_proposals_product_id'), 'product_proposals', ['product_id'])
    op.create_index(op.f('ix_product_proposals_status'), 'product_proposals', ['status'])
    op.create_table('proposal_images',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('alt', sa.String(length=200), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['product_proposals.id'], name=op.f('fk_proposal_images_proposal_id_product_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_images'))
    )
    op.create_index(op.f('ix_proposal_images_proposal_id'), 'proposal_images', ['proposal_id'])


def _link_certificates(bind):
    """Point each product at the producer's certificate carrying the number it had (made if missing)."""
    certificates = sa.table('producer_certificates', sa.column('id', sa.Integer), sa.column('producer_id', sa.Integer),
                            sa.column('kind', sa.String), sa.column('number', sa.String),
                            sa.column('valid_until', sa.Date))
    products = sa.table('products', sa.column('id', sa.Integer), sa.column('producer_id', sa.Integer),
                        *(sa.column(name, sa.String) for _kind, name, _link in NUMBER_COLUMNS),
                        *(sa.column(link, sa.Integer) for _kind, _name, link in NUMBER_COLUMNS))
    known = {(row.producer_id, row.kind, row.number): row.id for row in bind.execute(sa.select(certificates))}
    for kind, name, link in NUMBER_COLUMNS:
        column = products.c[name]
        rows = bind.execute(sa.select(products.c.id, products.c.producer_id, column).where(column.is_not(None))).all()
        for product_id, producer_id, number in rows:
            key = (producer_id, kind, number)
            if key not in known:
                known[key] = bind.execute(
                    sa.insert(certificates).values(
                        producer_id=producer_id, kind=kind, number=number,
                        valid_until=_pirt_valid_until(number) if kind == 'pirt' else None,
                    ).returning(certificates.c.id)
                ).scalar_one()
            bind.execute(sa.update(products).where(products.c.id == product_id).values({link: known[key]}))
    # A P-IRT number names the year it lapses: certificates entered without a date get that year's end.
    for row in bind.execute(sa.select(certificates.c.id, certificates.c.number)
                            .where(certificates.c.kind == 'pirt', certificates.c.valid_until.is_(None))).all():
        if (valid_until := _pirt_valid_until(row.number)) is not None:
            bind.execute(sa.update(certificates).where(certificates.c.id == row.id).values(valid_until=valid_until))


def upgrade():
    _create_tables()
    with op.batch_alter_table('variants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('commission_bp', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_variants_commission_in_range'),
            'commission_bp IS NULL OR (commission_bp >= 0 AND commission_bp <= 10000)')

    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('story', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('archived', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('published_at', sa.DateTime(), nullable=True))
        for _kind, _name, link in NUMBER_COLUMNS:
            batch_op.add_column(sa.Column(link, sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                op.f(f'fk_products_{link}_producer_certificates'), 'producer_certificates', [link], ['id'])
        batch_op.create_check_constraint(op.f('ck_products_published_or_archived'), 'NOT (published AND archived)')

    bind = op.get_bind()
    _link_certificates(bind)
    op.execute("UPDATE products SET published_at = created_at WHERE published")

    with op.batch_alter_table('products', schema=None) as batch_op:
        for _kind, name, _link in NUMBER_COLUMNS:
            batch_op.drop_column(name)
    _restore_search_triggers()


def downgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pirt_number', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('bpom_md_number', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('halal_number', sa.String(length=40), nullable=True))
    for _kind, name, link in NUMBER_COLUMNS:
        op.execute(f"UPDATE products SET {name} = (SELECT number FROM producer_certificates "
                   f"WHERE producer_certificates.id = products.{link})")
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_products_published_or_archived'), type_='check')
        for _kind, _name, link in NUMBER_COLUMNS:
            batch_op.drop_constraint(op.f(f'fk_products_{link}_producer_certificates'), type_='foreignkey')
            batch_op.drop_column(link)
        batch_op.drop_column('published_at')
        batch_op.drop_column('archived')
        batch_op.drop_column('story')
    with op.batch_alter_table('variants', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_variants_commission_in_range'), type_='check')
        batch_op.drop_column('commission_bp')
    for table in ('proposal_images', 'product_proposals', 'product_events', 'price_changes', 'product_slug_redirects'):
        op.drop_table(table)
    _restore_search_triggers()
