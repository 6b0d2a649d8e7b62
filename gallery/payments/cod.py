"""Pos cash on delivery: the agency's remittances, recorded by staff from its CSV or by hand.

One remittance pays over the cash collected for many parcels (resi). Every row is checked before
anything is saved (DESIGN.md rule 12): the resi belongs to a COD order that is shipped and not remitted
yet, the amount collected is the order's total, the fee is not negative, no resi twice. Then, in one
transaction, each order becomes paid and completed (gallery.orders.transitions.mark_remitted) with a
`Payment` of the Pos agency for its money, so the parcel counts as a sale only now
(gallery.orders.sales) and the reconciliation sees the cash. A remittance's reference (the agency's
number) is recorded once; an order is remitted once (a unique line per order).

The CSV (UTF-8, comma or semicolon separated, `#` comments), as the agency's report gives it:

    resi,amount,fee
    P2611000123456,145000,4350

`fee` (the COD fee the agency kept) may be empty: the order's own COD fee is taken.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from gallery import clock
from gallery.accounts.models import User
from gallery.csvimport import ImportPreview, RowError, read_preview_rows
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.orders.transitions import mark_remitted, status_label
from gallery.orders.models import Order, OrderStatus, PaymentMethod
from gallery.payments.core import record_event
from gallery.payments.models import CodRemittance, CodRemittanceLine, Payment, PaymentStatus, Provider

REQUIRED_COLUMNS = ("resi", "amount")
OPTIONAL_COLUMNS = ("fee",)
MAX_FILE_BYTES = 1_000_000
MAX_ROWS = 2_000
MAX_AMOUNT = 1_000_000_000
_DIGITS = re.compile(r"^\d{1,10}$", re.ASCII)


@dataclass(frozen=True)
class RemittedParcel:
    """One line of a remittance as read: the resi, what was collected and the fee kept (None: the order's)."""

    line: int
    tracking_number: str
    collected: int
    fee: int | None = None


@dataclass
class RemittancePreview(ImportPreview):
    """What the staff see before confirming: the parcels found, and every row's error."""

    parcels: list[tuple[RemittedParcel, Order]] = field(default_factory=list)

    @property
    def collected(self) -> int:
        return sum(parcel.collected for parcel, _order in self.parcels)

    @property
    def fees(self) -> int:
        return sum(_fee(parcel, order) for parcel, order in self.parcels)


def _fee(parcel: RemittedParcel, order: Order) -> int:
    return order.cod_fee if parcel.fee is None else parcel.fee


def normalise_resi(text: str | None) -> str:
    """A resi as typed or exported: spaces dropped, upper case (as ship() stores it)."""
    return re.sub(r"\s+", "", text or "").upper()[:40]


def awaiting_remittance() -> list[Order]:
    """COD parcels shipped and not remitted yet, oldest first (one statement)."""
    return list(db.session.scalars(select(Order).where(
        Order.payment_method == PaymentMethod.COD, Order.status == OrderStatus.SHIPPED).order_by(Order.shipped_at)))


def _parse_amount(text: str) -> int | None:
    compact = text.replace(".", "").replace(" ", "")
    return int(compact) if _DIGITS.fullmatch(compact) and int(compact) <= MAX_AMOUNT else None


def read_csv(content: bytes, filename: str = "") -> RemittancePreview:
    """The agency's file as parcels, checked row by row against the orders (nothing is written)."""
    preview = RemittancePreview(filename=filename)
    rows = read_preview_rows(preview, content, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS,
                             max_bytes=MAX_FILE_BYTES, max_rows=MAX_ROWS)
    if rows is None:
        return preview
    parcels = []
    for row in rows.rows:
        resi = normalise_resi(row.values.get("resi"))
        collected = _parse_amount(row.values.get("amount", ""))
        fee_text = row.values.get("fee", "")
        fee = _parse_amount(fee_text) if fee_text else None
        if not resi:
            preview.errors.append(RowError(row.line, _l("Nomor resi kosong."), "resi"))
        elif collected is None or collected == 0:
            preview.errors.append(RowError(row.line, _l("Jumlah harus rupiah bulat lebih dari 0."), "amount"))
        elif fee_text and fee is None:
            preview.errors.append(RowError(row.line, _l("Biaya COD harus rupiah bulat."), "fee"))
        else:
            parcels.append(RemittedParcel(row.line, resi, collected, fee))
    check(parcels, preview)
    return preview


def check(parcels: list[RemittedParcel], preview: RemittancePreview) -> RemittancePreview:
    """Match each parcel to its COD order and check it (one statement for all the orders)."""
    found = {order.tracking_number: order for order in db.session.scalars(
        select(Order).where(Order.tracking_number.in_([p.tracking_number for p in parcels])))} if parcels else {}
    seen: set[str] = set()
    for parcel in parcels:
        order = found.get(parcel.tracking_number)
        error = None
        if parcel.tracking_number in seen:
            error = _l("Resi %(resi)s muncul dua kali.", resi=parcel.tracking_number)
        elif order is None:
            error = _l("Resi %(resi)s tidak dikenal.", resi=parcel.tracking_number)
        elif not order.cash_on_delivery:
            error = _l("Pesanan %(number)s bukan COD.", number=order.number)
        elif order.status != OrderStatus.SHIPPED:
            error = _l("Pesanan %(number)s berstatus %(status)s, bukan sedang dikirim (sudah disetor?).",
                       number=order.number, status=status_label(order.status))
        elif parcel.collected != order.total:
            error = _l("Jumlah %(got)s tidak sama dengan total pesanan %(number)s (%(want)s).",
                       got=parcel.collected, number=order.number, want=order.total)
        elif _fee(parcel, order) > parcel.collected:
            error = _l("Biaya COD melebihi jumlah yang ditagih.")
        seen.add(parcel.tracking_number)
        if error is not None:
            preview.errors.append(RowError(parcel.line, error, "resi"))
        else:
            preview.parcels.append((parcel, order))
    preview.rows_read = preview.rows_read or len(parcels)
    return preview


def by_hand(tracking_numbers: list[str]) -> RemittancePreview:
    """Parcels staff ticked on the screen: each collected its order's total, the agency kept its COD fee."""
    orders_by_resi = {order.tracking_number: order for order in awaiting_remittance()}
    parcels = [RemittedParcel(n, resi, orders_by_resi[resi].total if resi in orders_by_resi else 1)
               for n, resi in enumerate((normalise_resi(t) for t in tracking_numbers), 1)]
    preview = RemittancePreview(filename="")
    if not parcels:
        preview.errors.append(RowError(0, _l("Pilih paket yang disetor.")))
        return preview
    return check(parcels, preview)


def record(preview: RemittancePreview, *, reference: str, remitted_on: date, user: User, note: str = "") -> CodRemittance:
    """Record one remittance for every parcel of `preview`, or nothing if any row is wrong (the caller commits
    once; any refusal rolls back)."""
    reference = re.sub(r"\s+", " ", reference or "").strip()[:60]
    if not reference:
        raise DomainError(_l("Tulis nomor setoran dari Pos."), field="reference")
    if remitted_on > clock.today_wib():
        raise DomainError(_l("Tanggal setoran tidak boleh di masa depan."), field="remitted_on")
    if preview.errors or not preview.parcels:
        raise DomainError(_l("Setoran belum bisa dicatat: perbaiki baris yang salah."), field="file")
    if db.session.scalar(select(func.count(CodRemittance.id)).where(CodRemittance.reference == reference)):
        raise DomainError(_l("Setoran %(reference)s sudah dicatat.", reference=reference), field="reference")
    now = clock.utcnow()
    remittance = CodRemittance(reference=reference, remitted_on=remitted_on, collected=preview.collected,
                               fees=preview.fees, note=(note or "").strip()[:500], user_id=user.id, created_at=now)
    db.session.add(remittance)
    try:
        db.session.flush()
        for parcel, order in preview.parcels:
            _remit(remittance, parcel, order, user)
        db.session.flush()
    except DomainError:
        db.session.rollback()
        raise
    except IntegrityError:
        db.session.rollback()  # another staff member recorded the same remittance or parcel a moment ago
        raise DomainError(_l("Setoran atau salah satu resinya baru saja dicatat orang lain."), field="reference") \
            from None
    return remittance


def _remit(remittance: CodRemittance, parcel: RemittedParcel, order: Order, user: User) -> None:
    note = _("Setoran COD Pos %(reference)s", reference=remittance.reference)
    mark_remitted(order, user=user, note=note)
    payment = Payment(order_id=order.id, provider=Provider.POS_COD, status=PaymentStatus.PAID,
                      amount=parcel.collected, currency="IDR", reference=f"COD-{order.number}",
                      created_at=order.paid_at, paid_at=order.paid_at)
    db.session.add(payment)
    db.session.add(CodRemittanceLine(remittance_id=remittance.id, order_id=order.id,
                                     tracking_number=parcel.tracking_number, collected=parcel.collected,
                                     fee=_fee(parcel, order)))
    db.session.flush()
    record_event(payment, order.id, "remitted", to_status=PaymentStatus.PAID, amount=payment.amount, user=user,
                 note=note)


def remittances(limit: int = 50) -> list[CodRemittance]:
    """The latest remittances with their user (two statements)."""
    from sqlalchemy.orm import selectinload

    return list(db.session.scalars(select(CodRemittance).options(selectinload(CodRemittance.user))
                                   .order_by(CodRemittance.remitted_on.desc(), CodRemittance.id.desc()).limit(limit)))
