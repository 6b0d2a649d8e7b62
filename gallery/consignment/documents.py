"""Consignment documents: receipts (TT), returns to producer (RT), write-offs, corrections, stock-takes (SO).

Each public function here is one business transaction: it validates everything first, writes the
document, its lots and movements, and flushes (the calling view commits); on any refusal it rolls back and
raises DomainError, so nothing is written (DESIGN.md rule 12).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from gallery import clock
from gallery.accounts.models import Role, User
from gallery.catalog.models import Producer, Variant
from gallery.consignment.ledger import put_back, take
from gallery.consignment.models import (
    ConsignmentReceipt,
    Lot,
    MovementKind,
    ProducerReturn,
    ReturnReason,
    StockTake,
    StockTakeLine,
    WriteOffCause,
)
from gallery.consignment.services import MAX_UNITS_PER_LINE, record_intake
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.money import less_basis_points
from gallery.numbering import next_document_number

MAX_LINES = 200
MAX_REASON = 500


class LineError(DomainError):
    """A refusal that belongs to one line of a multi-line document (0-based `index`)."""

    def __init__(self, index: int, error: DomainError):
        super().__init__(error.message, field=error.field)
        self.index = index


@dataclass(frozen=True)
class ReceiptLine:
    """One line of a consignment receipt as staff entered it; payout None means the default."""

    variant_id: int
    quantity: int
    unit_payout: int | None = None
    expires_on: date | None = None
    shelf: str | None = None
    notes: str = ""


def commission_rate(variant: Variant, producer: Producer) -> int:
    """The gallery's commission on a variant in basis points: the variant's own when it has one, else the producer's."""
    return variant.commission_bp if variant.commission_bp is not None else producer.commission_bp


def default_payout(variant: Variant, producer: Producer) -> int:
    """The agreed payout per unit unless staff say otherwise: the price less the commission.

    The commission is `commission_rate`'s. It is rounded once per unit, here, at intake
    (gallery.money.less_basis_points, half up), and the result is frozen on the lot: every statement,
    portal figure and report multiplies that frozen unit payout, so all pages agree to the rupiah
    (never a rate applied to a total later).
    """
    return less_basis_points(variant.price, commission_rate(variant, producer))


def _year() -> int:
    return clock.today_wib().year


def _fail(error: DomainError):
    db.session.rollback()
    raise error


def create_receipt(producer: Producer, lines: Sequence[ReceiptLine], *, user: User | None = None,
                   notes: str = "") -> ConsignmentReceipt:
    """Record goods a producer hands over: one lot and one intake movement per line, in one transaction.

    Every variant must be the producer's own and active; the payout defaults to the price less
    commission and may never exceed the price; food needs a future expiry date (record_intake).
    The receipt number TT-YYYY-NNNNN is sequential per year.
    """
    if not producer.is_active:
        raise DomainError(_l("Produsen ini tidak aktif."), field="producer_id")
    if not lines:
        raise DomainError(_l("Isi minimal satu baris barang."), field="lines")
    if len(lines) > MAX_LINES:
        raise DomainError(_l("Paling banyak %(n)s baris per tanda terima.", n=MAX_LINES), field="lines")
    variants = {
        v.id: v
        for v in db.session.scalars(
            select(Variant).options(selectinload(Variant.product)).where(Variant.id.in_({l.variant_id for l in lines}))
        )
    }
    try:
        receipt = ConsignmentReceipt(
            number=next_document_number("TT", _year()),
            producer_id=producer.id,
            received_at=clock.utcnow(),
            created_by_id=user.id if user else None,
            notes=(notes or "").strip()[:2000],
        )
        db.session.add(receipt)
        db.session.flush()
        for index, line in enumerate(lines):
            variant = variants.get(line.variant_id)
            try:
                if variant is None or variant.product.producer_id != producer.id:
                    raise DomainError(_l("Varian ini bukan milik produsen tersebut."), field="variant_id")
                if not variant.is_active:
                    raise DomainError(_l("Varian ini tidak aktif."), field="variant_id")
                payout = line.unit_payout if line.unit_payout is not None else default_payout(variant, producer)
                record_intake(
                    variant, line.quantity, payout, expires_on=line.expires_on, reason="",
                    reference=receipt.number, user_id=receipt.created_by_id, receipt_id=receipt.id,
                    shelf=(line.shelf or "").strip()[:20] or None, notes=(line.notes or "").strip()[:500],
                )
            except DomainError as error:
                raise LineError(index, error) from None
    except DomainError as error:
        _fail(error)
    db.session.flush()
    return receipt


@dataclass(frozen=True)
class ReturnLine:
    lot_id: int
    quantity: int


def return_to_producer(producer: Producer, lines: Sequence[ReturnLine], reason: str, *, user: User | None = None,
                       notes: str = "") -> ProducerReturn:
    """Hand units of the producer's own lots back (nota retur RT-YYYY-NNNNN), all lines or none.

    Expired lots may be returned (that is what happens to them); a lot gives back at most what is on hand.
    """
    if reason not in ReturnReason.ALL:
        raise DomainError(_l("Pilih alasan retur."), field="reason")
    # Lines with nothing to return are skipped, but errors keep the caller's line numbers.
    numbered = [(index, line) for index, line in enumerate(lines) if line.quantity]
    if not numbered:
        raise DomainError(_l("Isi jumlah retur minimal untuk satu lot."), field="lines")
    lots = {lot.id: lot for lot in db.session.scalars(select(Lot).where(Lot.id.in_({l.lot_id for l in lines})))}
    try:
        document = ProducerReturn(
            number=next_document_number("RT", _year()), producer_id=producer.id, reason=reason,
            notes=(notes or "").strip()[:2000], created_at=clock.utcnow(), created_by_id=user.id if user else None,
        )
        db.session.add(document)
        db.session.flush()
        for index, line in numbered:
            lot = lots.get(line.lot_id)
            try:
                if lot is None or lot.producer_id != producer.id:
                    raise DomainError(_l("Lot ini bukan milik produsen tersebut."), field="lot_id")
                if not isinstance(line.quantity, int) or line.quantity < 0 or line.quantity > MAX_UNITS_PER_LINE:
                    raise DomainError(_l("Jumlah harus bilangan bulat lebih dari 0."), field="quantity")
                take(lot, line.quantity, MovementKind.RETURN, reason=notes or "", reference=document.number,
                     cause=reason, user_id=document.created_by_id)
            except DomainError as error:
                raise LineError(index, error) from None
    except DomainError as error:
        _fail(error)
    db.session.flush()
    return document


def _reason_text(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise DomainError(_l("Alasan wajib diisi."), field="reason")
    return text[:MAX_REASON]


def write_off(lot: Lot, quantity: int, cause: str, reason: str, *, user: User | None = None):
    """Take damaged, lost or expired-and-destroyed units off the books, with a mandatory reason."""
    if cause not in WriteOffCause.ALL:
        raise DomainError(_l("Pilih jenis penghapusan."), field="cause")
    try:
        text = _reason_text(reason)
        movement = take(lot, quantity, MovementKind.WRITE_OFF, reason=text, cause=cause,
                        user_id=user.id if user else None)
    except DomainError as error:
        _fail(error)
    db.session.flush()
    return movement


def _require_admin(user: User | None) -> None:
    if user is None or user.role != Role.ADMIN:
        raise DomainError(_l("Hanya admin yang boleh mengoreksi stok."), field="user")


def correct_stock(lot: Lot, delta: int, reason: str, *, user: User | None):
    """Admin-only correction of a lot by `delta` units (either sign), never below zero."""
    _require_admin(user)
    if not isinstance(delta, int) or isinstance(delta, bool) or delta == 0 or abs(delta) > MAX_UNITS_PER_LINE:
        raise DomainError(_l("Koreksi harus bilangan bulat bukan nol."), field="delta")
    try:
        text = _reason_text(reason)
        apply = take if delta < 0 else put_back
        movement = apply(lot, abs(delta), MovementKind.CORRECTION, reason=text, cause="manual", user_id=user.id)
    except DomainError as error:
        _fail(error)
    db.session.flush()
    return movement


def _on_shelf(lots) -> dict[int, int]:
    """Units each lot should have on the shelf now: on hand + reserved for orders still waiting there."""
    from gallery.orders.shelf import held_on_shelf  # orders build on consignment, not the other way round

    held = held_on_shelf(lot.id for lot in lots)
    return {lot.id: lot.on_hand + held.get(lot.id, 0) for lot in lots}


def start_stock_take(*, producer: Producer | None = None, shelf: str | None = None, user: User | None = None,
                     notes: str = "") -> StockTake:
    """Open a count (SO-YYYY-NNNNN) of every lot with units on the shelf, for one producer or one shelf.

    The shelf holds a lot's units on hand and those reserved for orders not yet collected or packed
    (gallery.orders.shelf): that is what a line expects, and a lot whose units are all reserved is
    counted too. Each line starts with what the books say now; `record_counts` moves it to what they
    say when the lot is actually counted, so sales while the count is open do not become false differences.
    """
    from gallery.orders.shelf import held_on_shelf

    shelf = (shelf or "").strip() or None
    if (producer is None) == (shelf is None):
        raise DomainError(_l("Pilih satu produsen atau satu rak."), field="producer_id")
    held = held_on_shelf()
    statement = select(Lot).where(or_(Lot.on_hand > 0, Lot.id.in_(list(held) or [0]))) \
        .order_by(Lot.shelf, Lot.variant_id, Lot.id)
    statement = statement.where(Lot.producer_id == producer.id) if producer else statement.where(Lot.shelf == shelf)
    lots = list(db.session.scalars(statement))
    if not lots:
        raise DomainError(_l("Tidak ada stok untuk dihitung di sini."), field="producer_id")
    expected = {lot.id: lot.on_hand + held.get(lot.id, 0) for lot in lots}
    stock_take = StockTake(
        number=next_document_number("SO", _year()), producer_id=producer.id if producer else None, shelf=shelf,
        status=StockTake.COUNTING, notes=(notes or "").strip()[:2000], created_at=clock.utcnow(),
        created_by_id=user.id if user else None,
        lines=[StockTakeLine(lot_id=lot.id, expected=expected[lot.id]) for lot in lots],
    )
    db.session.add(stock_take)
    db.session.flush()
    return stock_take


def record_counts(stock_take: StockTake, counts: dict[int, int | None]) -> StockTake:
    """Save counted quantities by line id (None = not counted yet); only while counting.

    A counted line takes what the lot should have on the shelf at this moment as `expected`: the
    difference is always between the shelf and the books at the same instant.
    """
    if stock_take.status != StockTake.COUNTING:
        raise DomainError(_l("Stok opname ini sudah ditutup."), field="status")
    lines = {line.id: line for line in stock_take.lines}
    for line_id, counted in counts.items():
        line = lines.get(line_id)
        if line is None:
            db.session.rollback()
            raise DomainError(_l("Baris tidak dikenal."), field="counts")
        if counted is not None and (
            not isinstance(counted, int) or isinstance(counted, bool) or not 0 <= counted <= MAX_UNITS_PER_LINE
        ):
            db.session.rollback()
            raise DomainError(_l("Jumlah terhitung harus bilangan bulat 0 atau lebih."), field=f"line-{line_id}")
        if counted is not None and counted != line.counted:
            db.session.refresh(line.lot, ["on_hand"])
            line.expected = _on_shelf([line.lot])[line.lot.id]
        line.counted = counted
    db.session.flush()
    return stock_take


def confirm_stock_take(stock_take: StockTake, *, user: User | None) -> StockTake:
    """Admin turns every counted difference into one correction movement; refused while a lot is uncounted."""
    _require_admin(user)
    if stock_take.status != StockTake.COUNTING:
        raise DomainError(_l("Stok opname ini sudah ditutup."), field="status")
    if any(line.counted is None for line in stock_take.lines):
        raise DomainError(_l("Masih ada lot yang belum dihitung."), field="counts")
    try:
        for index, line in enumerate(stock_take.lines):
            difference = line.difference
            if not difference:
                continue
            apply = take if difference < 0 else put_back
            try:
                apply(line.lot, abs(difference), MovementKind.CORRECTION, reason=str(_l("Stok opname")),
                      reference=stock_take.number, cause="stock_take", user_id=user.id)
            except DomainError as error:
                raise LineError(index, error) from None
        stock_take.status = StockTake.CONFIRMED
        stock_take.confirmed_at = clock.utcnow()
        stock_take.confirmed_by_id = user.id
    except DomainError as error:
        _fail(error)
    db.session.flush()
    return stock_take


def cancel_stock_take(stock_take: StockTake, *, user: User | None) -> StockTake:
    """Abandon a count that is still open; nothing in the ledger changes."""
    if stock_take.status != StockTake.COUNTING:
        raise DomainError(_l("Stok opname ini sudah ditutup."), field="status")
    stock_take.status = StockTake.CANCELLED
    db.session.flush()
    return stock_take
