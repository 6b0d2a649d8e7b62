"""The catalogue version moves in the same transaction as a write a page shows, and only then."""
from sqlalchemy import insert, text

from gallery.catalog.models import Product
from gallery.catalogue_version import bump_catalogue_version, current_version
from gallery.consignment import ledger
from gallery.consignment.models import MovementKind
from gallery.extensions import db


def test_a_product_change_moves_the_products_token_and_leaves_stock_alone(make):
    product = make.product()
    before = current_version()
    product.name = "Nama Baru"
    db.session.commit()
    after = current_version()
    assert after.products != before.products and after.stock == before.stock


def test_taking_stock_through_the_ledger_moves_the_stock_token_only(make):
    product = make.product()
    lot = make.stock(product.variants[0], 5)
    before = current_version()
    ledger.take(lot, 1, MovementKind.WRITE_OFF, reason="rusak")
    db.session.commit()
    after = current_version()
    assert after.stock != before.stock and after.products == before.products


def test_a_rolled_back_change_does_not_move_the_version(make):
    product = make.product()
    before = current_version()
    product.name = "Tidak Jadi"
    db.session.flush()
    db.session.rollback()
    db.session.commit()  # an empty transaction afterwards writes nothing either
    assert current_version() == before


def test_writes_elsewhere_do_not_move_the_version(make):
    make.product()
    before = current_version()
    make.user()  # users are not shown on storefront pages
    assert current_version() == before


def test_a_bulk_insert_through_the_session_moves_the_version(make):
    producer = make.producer()
    before = current_version()
    db.session.execute(insert(Product.__table__), [dict(slug="massal-1", producer_id=producer.id,
                                                         category_id=make.category("anyaman").id, name="Massal")])
    db.session.commit()
    assert current_version().products != before.products


def test_a_raw_write_calls_bump_itself(make):
    product = make.product()
    before = current_version()
    db.session.execute(text("UPDATE products SET name = 'Mentah' WHERE id = :id"), {"id": product.id})
    bump_catalogue_version()
    db.session.commit()
    assert current_version().products != before.products and current_version().stock != before.stock
