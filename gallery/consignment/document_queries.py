"""What the consignment document screens read: pages of receipts and returns with their totals, one
document with everything its page prints, the producers and variants to pick from, and a lot's history.

Nothing here writes. Each function runs a fixed number of SQL statements whatever the number of rows
(stated in its docstring). A document's value is its units at the lots' frozen payout (harga titip),
summed as BIGINT.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BigInteger, cast, func, select
from sqlalchemy.orm import joinedload, selectinload

from gallery.catalog.models import Producer, Product, Variant
from gallery.consignment.models import ConsignmentReceipt, Lot, MovementKind, ProducerReturn, StockMovement
from gallery.extensions import db
from gallery.pagination import PageNumbers, clamp_page

PER_PAGE = 50


@dataclass(frozen=True)
class DocumentRow:
    """A receipt or a return in a list, with its line count, units and payout value."""

    document: ConsignmentReceipt | ProducerReturn
    lines: int
    units: int
    value: int


@dataclass
class DocumentPage(PageNumbers):
    """One page of a document list with the numbers pagination needs."""

    rows: list[DocumentRow]
    total: int
    page: int
    per_page: int


def _page_of(model, producer_id: int | None, page: int) -> tuple[list, int, int]:
    """Newest documents first, with their producer: (documents, total, page). Two statements."""
    newest = model.received_at if model is ConsignmentReceipt else model.created_at
    statement = select(model)
    if producer_id:
        statement = statement.where(model.producer_id == producer_id)
    total = db.session.scalar(statement.with_only_columns(func.count(model.id)).order_by(None)) or 0
    page = clamp_page(page, total, PER_PAGE)
    documents = list(db.session.scalars(
        statement.options(joinedload(model.producer))
        .order_by(newest.desc(), model.id.desc())
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).unique())
    return documents, total, page


def receipt_page(producer_id: int | None, page: int = 1) -> DocumentPage:
    """A page of receipts with lines, units and payout value: three statements."""
    receipts, total, page = _page_of(ConsignmentReceipt, producer_id, page)
    sums = {}
    if receipts:
        sums = {
            receipt_id: (int(lines), int(units or 0), int(value or 0))
            for receipt_id, lines, units, value in db.session.execute(
                select(Lot.receipt_id, func.count(Lot.id), func.sum(Lot.quantity_received),
                       func.sum(cast(Lot.quantity_received, BigInteger) * Lot.unit_payout))
                .where(Lot.receipt_id.in_([receipt.id for receipt in receipts]))
                .group_by(Lot.receipt_id)
            )
        }
    rows = [DocumentRow(receipt, *sums.get(receipt.id, (0, 0, 0))) for receipt in receipts]
    return DocumentPage(rows, total, page, PER_PAGE)


def return_page(producer_id: int | None, page: int = 1) -> DocumentPage:
    """A page of returns with lines, units and payout value: three statements."""
    returns, total, page = _page_of(ProducerReturn, producer_id, page)
    sums = {}
    if returns:
        sums = {
            number: (int(lines), -int(units or 0), -int(value or 0))
            for number, lines, units, value in db.session.execute(
                select(StockMovement.reference, func.count(StockMovement.id), func.sum(StockMovement.quantity),
                       func.sum(cast(StockMovement.quantity, BigInteger) * Lot.unit_payout))
                .join(Lot, Lot.id == StockMovement.lot_id)
                .where(StockMovement.kind == MovementKind.RETURN,
                       StockMovement.reference.in_([document.number for document in returns]))
                .group_by(StockMovement.reference)
            )
        }
    rows = [DocumentRow(document, *sums.get(document.number, (0, 0, 0))) for document in returns]
    return DocumentPage(rows, total, page, PER_PAGE)


def receipt_totals(receipt: ConsignmentReceipt) -> dict[str, int]:
    """A loaded receipt's units and their payout value (for its printed page, staff's and the portal's)."""
    return {"units": sum(lot.quantity_received for lot in receipt.lots),
            "value": sum(lot.quantity_received * lot.unit_payout for lot in receipt.lots)}


def return_totals(document: ProducerReturn) -> dict[str, int]:
    """A loaded return's units given back and their payout value (positive)."""
    movements = document.movements
    return {"units": -sum(movement.quantity for movement in movements),
            "value": -sum(movement.quantity * movement.lot.unit_payout for movement in movements)}


def producer_options(condition) -> list[tuple[int, str]]:
    """(id, name) of the producers matching `condition`, by name: one statement."""
    return [tuple(row) for row in db.session.execute(
        select(Producer.id, Producer.business_name).where(condition).order_by(Producer.business_name, Producer.id)
    )]


def producers_with_stock() -> list[tuple[int, str, int]]:
    """(id, name, units on the shelf) of every producer with a lot on hand, by name: one statement."""
    return [tuple(row) for row in db.session.execute(
        select(Producer.id, Producer.business_name, func.sum(Lot.on_hand))
        .join(Lot, Lot.producer_id == Producer.id)
        .where(Lot.on_hand > 0)
        .group_by(Producer.id, Producer.business_name)
        .order_by(Producer.business_name, Producer.id)
    )]


def active_variants(producer: Producer) -> list[Variant]:
    """The producer's active variants with product and category, by product: one statement."""
    return list(db.session.scalars(
        select(Variant).join(Product, Product.id == Variant.product_id)
        .options(joinedload(Variant.product).joinedload(Product.category))
        .where(Product.producer_id == producer.id, Variant.is_active.is_(True))
        .order_by(Product.name, Product.id, Variant.position, Variant.id)
    ).all())


def _document(model, lines, number: str):
    """One document by number (at most 20 characters) with its producer, its author and `lines` loaded."""
    return db.session.scalar(
        select(model).where(model.number == number[:20])
        .options(joinedload(model.producer), joinedload(model.created_by), lines))


def receipt_by_number(number: str) -> ConsignmentReceipt | None:
    """A receipt with its lots, their variants, products and categories (one statement and one for the lots)."""
    return _document(ConsignmentReceipt, selectinload(ConsignmentReceipt.lots).joinedload(Lot.variant)
                     .joinedload(Variant.product).joinedload(Product.category), number)


def return_by_number(number: str) -> ProducerReturn | None:
    """A return with its movements, their lots, variants and products."""
    return _document(ProducerReturn, selectinload(ProducerReturn.movements).joinedload(StockMovement.lot)
                     .joinedload(Lot.variant).joinedload(Variant.product), number)


def returnable_lots(producer: Producer) -> list[Lot]:
    """The producer's lots with units on the shelf, first to expire first."""
    return list(db.session.scalars(
        select(Lot).where(Lot.producer_id == producer.id, Lot.on_hand > 0)
        .options(joinedload(Lot.variant).joinedload(Variant.product))
        .order_by(Lot.expires_on.asc().nulls_last(), Lot.received_at, Lot.id)
    ))


def lot_with_history(lot_id: int) -> Lot | None:
    """A lot with its variant, product, producer, receipt and movements (read afresh, never from the session)."""
    return db.session.scalar(
        select(Lot).where(Lot.id == lot_id).options(
            joinedload(Lot.variant).joinedload(Variant.product),
            joinedload(Lot.producer),
            joinedload(Lot.receipt),
            selectinload(Lot.movements).joinedload(StockMovement.created_by),
        ).execution_options(populate_existing=True)
    )
