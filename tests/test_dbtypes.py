"""Rows inserted raw (dbtypes.insert_many) read back and compare exactly like rows the ORM wrote."""
from datetime import datetime, timezone

from sqlalchemy import select, text

from gallery.catalogue_version import CatalogueState
from gallery.dbtypes import insert_many
from gallery.extensions import db

MOMENT = datetime(2026, 11, 30, 16, 59, 59, 500_000, tzinfo=timezone.utc)


def test_a_raw_row_reads_back_and_compares_like_an_orm_row():
    # Given one row written by the ORM and one inserted raw, both at the same moment
    db.session.add(CatalogueState(id=7, products_version="orm", stock_version="orm", changed_at=MOMENT))
    db.session.flush()
    insert_many(db.session, CatalogueState.__table__, ["id", "products_version", "stock_version", "changed_at"],
                [(8, "raw", "raw", MOMENT.replace(tzinfo=None)), (9, "raw", "raw", MOMENT.replace(microsecond=0,
                                                                                            tzinfo=None))])
    # Then they are stored alike and read back as the same aware time
    stored = dict(db.session.execute(text("SELECT id, changed_at FROM catalogue_state WHERE id IN (7, 8)")).all())
    assert str(stored[7]) == str(stored[8])
    assert db.session.get(CatalogueState, 8).changed_at == MOMENT
    # And a range query treats them alike, whole seconds included
    found = db.session.scalars(select(CatalogueState.id).where(CatalogueState.changed_at >= MOMENT.replace(
        microsecond=0)).order_by(CatalogueState.id)).all()
    assert found == [7, 8, 9]
    db.session.rollback()
