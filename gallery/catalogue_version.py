"""The catalogue version: changes in the same transaction as anything a storefront page shows.

Caches of storefront pages, listing counts and the staff dashboard key their entries by this version
and by today's date in WIB (gallery.cache), so a cached entry never outlives a change (no time-based
staleness for stock, price or availability) nor the day (lots expire and certificates lapse at midnight
WIB without any write).

The version is two random tokens in one row: `products` changes with anything but stock (products,
variants and prices, images, producers, certificates, categories, kecamatan names, slug redirects);
`stock` changes with lots (a sale, a release, a refund put back on the shelf, intake, returns, write-offs,
corrections). Counts that do not depend on stock key by `products` only, so a sale leaves them cached.
Tokens are random rather than counted so that a restored backup or an emptied table never meets an
entry cached for the same number in another timeline.

Which writes bump it, with no call needed in services: every INSERT, UPDATE or DELETE on a table of
WATCHED_TABLES made through a SQLAlchemy session, whether by the unit of work (objects added, changed or
deleted) or by a statement run with `session.execute` (the ledger's conditional UPDATE of lots, bulk
inserts). The session notes what kind of table it wrote when it flushes or runs such a statement, and
writes the new tokens last, in `before_commit`, so the version row is locked only for the commit itself
(checkouts do not queue behind each other for longer). A write that bypasses the session (a raw
connection, SQL text) calls `bump_catalogue_version()` itself. A new table that changes what a page
shows (markdowns, consignment terms…) is added to PRODUCT_TABLES or STOCK_TABLES.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import g, has_request_context
from sqlalchemy import String, event, update
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.dml import UpdateBase

from gallery.dbtypes import UTCDateTime, now_utc
from gallery.extensions import db

PRODUCT_TABLES = frozenset({
    "products", "variants", "product_images", "product_slug_redirects", "producers", "producer_certificates",
    "categories", "ikm_classifications", "districts",
    # Markdowns change the price a unit sells at (they start and end on WIB dates, which the date in every
    # cache key already covers).
    "markdowns", "markdown_steps",
    # The product page shows published reviews, their average and count, and the producer's replies.
    "reviews",
})
STOCK_TABLES = frozenset({"lots"})
WATCHED_TABLES = PRODUCT_TABLES | STOCK_TABLES
_REQUEST_KEY = "catalogue_version"  # flask.g: the version this request read
_PENDING = "catalogue_changes"  # session.info key: the kinds ("products", "stock") written so far
STATE_ID = 1
_READ_VERSION = "SELECT products_version, stock_version FROM catalogue_state WHERE id = 1"  # STATE_ID


class CatalogueState(db.Model):
    """The single row holding the catalogue version (see the module docstring)."""

    __tablename__ = "catalogue_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    products_version: Mapped[str] = mapped_column(String(32))
    stock_version: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


@dataclass(frozen=True)
class CatalogueVersion:
    """The two tokens as read at the start of a request."""

    products: str
    stock: str

    @property
    def key(self) -> str:
        """Both tokens: what an entry depending on products and stock is keyed by."""
        return f"{self.products}.{self.stock}"


def new_token() -> str:
    return secrets.token_hex(8)


def current_version() -> CatalogueVersion | None:
    """The version now, or None before the first catalogue write (then nothing is cached).

    One statement per request: a request keeps what it read until it commits or rolls back.
    """
    if has_request_context() and _REQUEST_KEY in g:
        return g.get(_REQUEST_KEY)
    # Plain SQL: read on every cached page, where the ORM's result building cost more than the query.
    row = db.session.connection().exec_driver_sql(_READ_VERSION).first()
    version = CatalogueVersion(*row) if row else None
    if has_request_context():
        setattr(g, _REQUEST_KEY, version)
    return version


def _forget_request_version() -> None:
    if has_request_context():
        g.pop(_REQUEST_KEY, None)


def kinds_of(tables) -> set[str]:
    """Which tokens a write to these tables moves."""
    kinds = set()
    for name in tables:
        if name in PRODUCT_TABLES:
            kinds.add("products")
        elif name in STOCK_TABLES:
            kinds.add("stock")
    return kinds


def _note(session: Session, kinds: set[str]) -> None:
    if kinds:
        session.info.setdefault(_PENDING, set()).update(kinds)


def bump_catalogue_version(session: Session | None = None, kinds=("products", "stock")) -> None:
    """Move the version on now, in the caller's transaction (for writes that bypass the session)."""
    session = session or db.session
    _write(session, set(kinds))


def _write(session: Session, kinds: set[str]) -> None:
    values = {f"{kind}_version": new_token() for kind in kinds}
    values["changed_at"] = now_utc()
    result = session.execute(update(CatalogueState).where(CatalogueState.id == STATE_ID).values(**values))
    if result.rowcount == 0:  # the row was deleted (an emptied test database): start a new timeline
        session.add(CatalogueState(id=STATE_ID, products_version=new_token(), stock_version=new_token(),
                                   changed_at=values["changed_at"]))
        session.flush()


@event.listens_for(Session, "after_flush")
def _note_flushed_objects(session: Session, flush_context) -> None:
    tables = {
        getattr(type(obj), "__tablename__", None)
        for collection in (session.new, session.dirty, session.deleted)
        for obj in collection
    }
    if tables & WATCHED_TABLES:
        dirty = {getattr(type(obj), "__tablename__", None) for obj in session.dirty if session.is_modified(obj)}
        changed = {getattr(type(obj), "__tablename__", None) for obj in (*session.new, *session.deleted)} | dirty
        _note(session, kinds_of(changed))


@event.listens_for(Session, "do_orm_execute")
def _note_statements(state) -> None:
    statement = state.statement
    if isinstance(statement, UpdateBase) and (state.is_insert or state.is_update or state.is_delete):
        table = getattr(statement, "table", None)
        if table is not None and getattr(table, "name", None) in WATCHED_TABLES:
            _note(state.session, kinds_of({table.name}))


@event.listens_for(Session, "before_commit")
def _bump_before_commit(session: Session) -> None:
    session.flush()  # objects still pending are noted before deciding
    kinds = session.info.pop(_PENDING, None)
    if kinds:
        _write(session, kinds)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the outermost transaction: nothing it wrote remains
        session.info.pop(_PENDING, None)
    _forget_request_version()


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    _forget_request_version()  # what this request wrote, or others meanwhile, is read anew
