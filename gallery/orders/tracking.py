"""Following a shipped parcel by its resi, and completing the order once it was delivered.

Events come from the Pos tracking API (gallery.shipping.pos_tracking), polled by `flask orders track`, or are
typed or imported (CSV) by staff when no API is configured. Each is recorded once per order, moment and
status. The first "delivered" event marks the order delivered; ORDER_COMPLETE_AFTER_DAYS later the order
completes by itself unless its shopper reported a problem meanwhile (staff then decide: complete or refund).
A cash-on-delivery parcel is never completed here: it completes when the agency remits its money.
"""
from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gallery import clock
from gallery.accounts.models import User
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.orders.transitions import lock, record_note
from gallery.orders.models import Order, OrderStatus, ParcelStatus, PaymentMethod, TrackingEvent, TrackingSource
from gallery.shipping import pos_tracking
from gallery.shipping.pos_tracking import ParcelEvent

log = logging.getLogger(__name__)

STATUS_LABELS = {
    ParcelStatus.POSTED: _l("Diterima di loket Pos"),
    ParcelStatus.IN_TRANSIT: _l("Dalam perjalanan"),
    ParcelStatus.OUT_FOR_DELIVERY: _l("Dibawa kurir ke alamat"),
    ParcelStatus.FAILED_ATTEMPT: _l("Gagal diantar"),
    ParcelStatus.DELIVERED: _l("Diterima penerima"),
    ParcelStatus.RETURNED: _l("Dikembalikan ke pengirim"),
}
CSV_COLUMNS = ("resi", "time", "status", "location", "description")
MAX_IMPORT_ROWS = 5000


def parcel_status_label(status: str) -> str:
    """A parcel status in the user's language."""
    return str(STATUS_LABELS.get(status, status))


def record_events(order: Order, events: list[ParcelEvent], *, source: str, user: User | None = None) -> int:
    """Add the events not recorded yet (joins the caller's transaction); returns how many were new."""
    known = {(event.occurred_at, event.status) for event in order.parcel_events}
    added = 0
    for event in events:
        if (event.occurred_at, event.status) in known:
            continue
        known.add((event.occurred_at, event.status))
        order.parcel_events.append(TrackingEvent(
            occurred_at=event.occurred_at, status=event.status, location=event.location[:120],
            description=event.description[:300], source=source, created_at=clock.utcnow(),
            created_by_id=user.id if user else None))
        if event.status == ParcelStatus.DELIVERED and (order.delivered_at is None
                                                       or event.occurred_at < order.delivered_at):
            order.delivered_at = event.occurred_at
        added += 1
    return added


def _check_event(order: Order, event: ParcelEvent) -> None:
    if order.tracking_number is None or order.shipped_at is None:
        raise DomainError(_l("Pesanan ini belum dikirim dengan nomor resi."), field="status")
    if event.status not in ParcelStatus.ALL:
        raise DomainError(_l("Pilih status paket."), field="status")
    if event.occurred_at > clock.utcnow() + timedelta(minutes=5):
        raise DomainError(_l("Waktu kejadian tidak boleh di masa depan."), field="occurred_at")
    if event.occurred_at < order.shipped_at - timedelta(days=1):
        raise DomainError(_l("Waktu kejadian sebelum paket dikirim."), field="occurred_at")


def add_by_staff(order: Order, event: ParcelEvent, *, user: User) -> int:
    """Staff typed one event of the parcel (read off the Pos site or a call); the view commits."""
    _check_event(order, event)
    return record_events(order, [event], source=TrackingSource.STAFF, user=user)


def parse_wib(text: str) -> datetime | None:
    """`YYYY-MM-DD HH:MM` (or with a `T`, as a datetime-local field sends it) in WIB, as UTC; None if not."""
    try:
        moment = datetime.strptime((text or "").strip().replace("T", " ")[:16] + " +0700", "%Y-%m-%d %H:%M %z")
    except ValueError:
        return None
    return moment.astimezone(timezone.utc)


@dataclass
class ImportResult:
    """What an import did, or why it did nothing (row number → message)."""

    rows: int = 0
    added: int = 0
    orders: set[str] = field(default_factory=set)
    errors: list[tuple[int, str]] = field(default_factory=list)


def _read_rows(content: bytes) -> list[dict]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(_l("Berkas harus CSV dengan huruf UTF-8."), field="file") from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or any(column not in reader.fieldnames for column in CSV_COLUMNS[:3]):
        raise DomainError(_l("Kolom CSV harus: %(columns)s.", columns=",".join(CSV_COLUMNS)), field="file")
    rows = [row for row in reader if any((value or "").strip() for value in row.values())]
    if len(rows) > MAX_IMPORT_ROWS:
        raise DomainError(_l("Paling banyak %(n)s baris sekali impor.", n=MAX_IMPORT_ROWS), field="file")
    return rows


def import_csv(content: bytes, *, user: User) -> ImportResult:
    """Import parcel events (`resi,time,status,location,description`; time in WIB, status our code or Pos's
    words); nothing is added while any row is wrong. The view commits when every row is good."""
    rows = _read_rows(content)
    resis = {(row.get("resi") or "").strip().upper() for row in rows}
    by_resi = {order.tracking_number: order for order in db.session.scalars(
        select(Order).options(selectinload(Order.parcel_events)).where(Order.tracking_number.in_(resis)))}
    result = ImportResult(rows=len(rows))
    wanted: list[tuple[Order, ParcelEvent]] = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        order = by_resi.get((row.get("resi") or "").strip().upper())
        moment = parse_wib(row.get("time") or "")
        raw_status = (row.get("status") or "").strip()
        status = raw_status.lower() if raw_status.lower() in ParcelStatus.ALL else pos_tracking.status_of(raw_status)
        if order is None:
            result.errors.append((number, str(_l("Resi tidak dikenal."))))
            continue
        if moment is None or not raw_status:
            result.errors.append((number, str(_l("Waktu (TTTT-BB-HH JJ:MM) dan status wajib diisi."))))
            continue
        event = ParcelEvent(moment, status, (row.get("location") or "").strip(),
                            (row.get("description") or raw_status).strip())
        try:
            _check_event(order, event)
        except DomainError as error:
            result.errors.append((number, str(error.message)))
            continue
        wanted.append((order, event))
    if result.errors:
        return result
    for order, event in wanted:
        result.added += record_events(order, [event], source=TrackingSource.IMPORT, user=user)
        result.orders.add(order.number)
    return result


@dataclass
class TrackRun:
    """What one `flask orders track` did."""

    polled: int = 0
    added: int = 0
    unavailable: list[str] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)


def in_transit(limit: int = 500) -> list[Order]:
    """Parcels on their way that the tracker may know more of, oldest first."""
    return list(db.session.scalars(
        select(Order).options(selectinload(Order.parcel_events))
        .where(Order.status == OrderStatus.SHIPPED, Order.tracking_number.is_not(None), Order.delivered_at.is_(None))
        .order_by(Order.shipped_at).limit(limit)))


def poll_one(order: Order, run: TrackRun) -> None:
    """Ask the Pos tracker about one parcel and add what it has not told before (the command commits each)."""
    try:
        events = pos_tracking.fetch_events(order.tracking_number)
    except pos_tracking.TrackingUnavailable as error:
        log.warning("tracking %s (%s): %s", order.number, order.tracking_number, error)
        run.unavailable.append(order.number)
        return
    run.polled += 1
    run.added += record_events(order, events, source=TrackingSource.POS_API)


def delivered_due() -> list[Order]:
    """Orders delivered ORDER_COMPLETE_AFTER_DAYS ago without a reported problem (COD excepted): each is
    completed on its own by `flask orders track` (gallery.orders.cli)."""
    before = clock.utcnow() - timedelta(days=current_app.config["ORDER_COMPLETE_AFTER_DAYS"])
    return list(db.session.scalars(
        select(Order).where(Order.status == OrderStatus.SHIPPED, Order.delivered_at <= before,
                            Order.problem_reported_at.is_(None),
                            Order.payment_method.is_distinct_from(PaymentMethod.COD))
        .order_by(Order.delivered_at, Order.id)))


def report_problem(order: Order, text: str) -> Order:
    """The shopper says something is wrong with a delivered parcel: it no longer completes by itself."""
    text = (text or "").strip()
    if len(text) < 5 or len(text) > 1000:
        raise DomainError(_l("Ceritakan masalahnya (5 sampai 1000 huruf)."), field="problem")
    if order.status != OrderStatus.SHIPPED:
        raise DomainError(_l("Masalah dilaporkan untuk paket yang sedang dikirim atau baru diterima."),
                          field="problem")
    lock(order)
    if order.problem_reported_at is None:
        order.problem_reported_at = clock.utcnow()
    record_note(order, user=None, note=str(_l("Pembeli melaporkan masalah: %(text)s", text=text)))
    return order
