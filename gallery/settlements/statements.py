"""Generating producer statements, approving and paying them, and reconciling a period.

A sale is gallery.orders.sales's: paid and handed over (a delivery when shipped, a pick-up or counter sale
when collected), dated that moment in WIB, its refunded units taken out latest allocation first.
Units refunded before settlement are left out (a refund takes units from a line's allocations latest
first, as payments._restock does); units refunded after settlement on an approved or paid statement
become one negative adjustment per refund line on the producer's next statement.

Generation runs a fixed number of SQL statements whatever the number of producers or lines: one
select per aggregate, bulk Core inserts for lines and adjustments, one statement per bulk update.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, bindparam, delete, exists, insert, select, type_coerce, update
from sqlalchemy.exc import IntegrityError

from gallery import clock
from gallery.accounts.models import Role, User
from gallery.dbtypes import insert_many
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.numbering import next_value
from gallery.consignment.models import Lot
from gallery.orders.models import Order, OrderAllocation, OrderLine
from gallery.orders.sales import is_sale, refunded_per_allocation, sold_at_column
from gallery.payments.models import Refund, RefundLine
from gallery.settlements import carry, notices, proofs
from gallery.settlements.models import (
    SettlementCarry,
    Statement,
    StatementAdjustment,
    StatementLine,
    StatementStatus,
)

MAX_REFERENCE = 80


# ------------------------------------------------------------------ periods


@dataclass(frozen=True)
class Period:
    """WIB dates [start, end)."""

    start: date
    end: date

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        start = date(year, month, 1)
        end = date(year + (month == 12), month % 12 + 1, 1)
        return cls(start, end)

    @classmethod
    def parse(cls, text: str | None) -> "Period":
        """`YYYY-MM`; anything else raises DomainError."""
        try:
            year, month = (int(part) for part in (text or "").strip().split("-"))
            if not 2000 <= year <= 2100:
                raise ValueError
            return cls.month(year, month)
        except ValueError:
            raise DomainError(_l("Periode harus berbentuk TTTT-BB, misalnya 2026-11."), field="period") from None

    @classmethod
    def previous_month(cls, today: date | None = None) -> "Period":
        today = today or clock.today_wib()
        first = today.replace(day=1) - timedelta(days=1)
        return cls.month(first.year, first.month)

    @property
    def key(self) -> str:
        return f"{self.start.year}-{self.start.month:02d}"

    @property
    def is_month(self) -> bool:
        return self.start.day == 1 and self == Period.month(self.start.year, self.start.month)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def utc_bounds(self) -> tuple[datetime, datetime]:
        return _wib_midnight(self.start), _wib_midnight(self.end)


def _wib_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=clock.WIB).astimezone(timezone.utc)


def counts_for_settlement():
    """A sale (gallery.orders.sales): paid and handed over; refunds are subtracted per unit, see module doc."""
    return is_sale()


# ------------------------------------------------------------------ refunds per allocation


def _sorted_refunds(rows):
    """(order_line_id, refund_line_id, quantity, ...) grouped per order line, oldest refund first."""
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[row.order_line_id].append(row)
    for items in grouped.values():
        items.sort(key=lambda r: r.refund_line_id)
    return grouped


# ------------------------------------------------------------------ generation


@dataclass
class GenerationResult:
    period: Period
    created: list[str] = field(default_factory=list)
    regenerated: list[str] = field(default_factory=list)
    lines: int = 0
    adjustments: int = 0

    @property
    def statements(self) -> int:
        return len(self.created) + len(self.regenerated)


def _eligible_allocations(period: Period, producer_id: int | None):
    """ONE select: unsettled allocations sold in the period, with their line and order."""
    start, end = period.utc_bounds()
    sold_at = sold_at_column()
    # Read as naive UTC, as stored: the lines are written back raw (dbtypes.insert_many).
    sold_at_stored = type_coerce(sold_at, DateTime).label("sold_at")
    query = (
        select(OrderAllocation.id.label("allocation_id"), OrderAllocation.quantity, OrderAllocation.unit_price,
               OrderAllocation.unit_payout, OrderLine.id.label("order_line_id"), OrderLine.producer_id,
               OrderLine.product_name, OrderLine.variant_label, OrderLine.sku, Order.number.label("order_number"),
               Order.channel, sold_at_stored, OrderLine.list_price, OrderLine.markdown_bearer,
               Lot.unit_payout.label("base_payout"))
        .join(OrderLine, OrderLine.id == OrderAllocation.line_id)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Lot, Lot.id == OrderAllocation.lot_id)
        .where(counts_for_settlement(), sold_at >= start, sold_at < end,
               ~exists().where(StatementLine.allocation_id == OrderAllocation.id))
    )
    if producer_id is not None:
        query = query.where(OrderLine.producer_id == producer_id)
    return query


def _refunds_of_eligible(eligible):
    """ONE select: every refund line of the order lines in `eligible`."""
    lines = select(eligible.c.order_line_id)
    return db.session.execute(
        select(RefundLine.order_line_id, RefundLine.id.label("refund_line_id"), RefundLine.quantity)
        .where(RefundLine.order_line_id.in_(lines))
    ).all()


def _pending_adjustments(producer_id: int | None) -> list[dict]:
    """Refund lines of units settled on approved/paid statements that have no adjustment yet (two selects)."""
    settled_lines = (
        select(StatementLine.order_line_id)
        .join(Statement, Statement.id == StatementLine.statement_id)
        .where(Statement.status.in_(StatementStatus.FINAL))
    )
    if producer_id is not None:
        settled_lines = settled_lines.where(Statement.producer_id == producer_id)
    candidates = (
        select(RefundLine.order_line_id)
        .where(RefundLine.order_line_id.in_(settled_lines),
               ~exists().where(StatementAdjustment.refund_line_id == RefundLine.id))
    )
    refunds = db.session.execute(
        select(RefundLine.order_line_id, RefundLine.id.label("refund_line_id"), RefundLine.quantity,
               Refund.created_at, StatementAdjustment.id.label("adjustment_id"))
        .join(Refund, Refund.id == RefundLine.refund_id)
        .outerjoin(StatementAdjustment, StatementAdjustment.refund_line_id == RefundLine.id)
        .where(RefundLine.order_line_id.in_(candidates))
    ).all()
    if not refunds:
        return []
    allocations = db.session.execute(
        select(OrderAllocation.id, OrderAllocation.line_id, OrderAllocation.quantity, OrderAllocation.unit_price,
               OrderAllocation.unit_payout, StatementLine.quantity.label("settled"), StatementLine.sold_on,
               Statement.status, OrderLine.producer_id, OrderLine.product_name, OrderLine.variant_label,
               Order.number)
        .join(OrderLine, OrderLine.id == OrderAllocation.line_id)
        .join(Order, Order.id == OrderLine.order_id)
        .outerjoin(StatementLine, StatementLine.allocation_id == OrderAllocation.id)
        .outerjoin(Statement, Statement.id == StatementLine.statement_id)
        .where(OrderAllocation.line_id.in_(candidates))
    ).all()
    by_line: dict[int, list] = defaultdict(list)
    for row in allocations:
        by_line[row.line_id].append(row)
    pending = []
    for line_id, refund_rows in _sorted_refunds(refunds).items():
        allocs = sorted(by_line[line_id], key=lambda a: a.id, reverse=True)
        # Units taken latest allocation first; the first ones were left out when the line was settled.
        units: list = []
        for alloc in allocs:
            units.extend([alloc] * alloc.quantity)
        excluded = {a.id: a.quantity - (a.settled or 0) for a in allocs if a.settled is not None}
        cursor = 0
        for refund in refund_rows:
            taken = units[cursor:cursor + refund.quantity]
            cursor += refund.quantity
            charged = []
            for alloc in taken:
                if alloc.settled is None or alloc.status not in StatementStatus.FINAL:
                    continue
                if excluded.get(alloc.id, 0) > 0:
                    excluded[alloc.id] -= 1
                    continue
                charged.append(alloc)
            if charged and refund.adjustment_id is None:
                first = charged[0]
                pending.append(dict(
                    refund_line_id=refund.refund_line_id, order_line_id=line_id, order_number=first.number,
                    product_name=first.product_name, variant_label=first.variant_label,
                    refunded_at=refund.created_at, sold_on=first.sold_on, quantity=len(charged),
                    gross_amount=-sum(a.unit_price for a in charged), amount=-sum(a.unit_payout for a in charged),
                    producer_id=first.producer_id))
    return pending


def _statement_numbers(period: Period, count: int) -> list[str]:
    """`count` consecutive numbers ST-YYYY-MM-NNNN of the period's month, taken in one statement."""
    if count == 0:
        return []
    series = f"ST-{period.start.year}-{period.start.month:02d}"
    last = next_value(series, count)
    return [f"{series}-{n:04d}" for n in range(last - count + 1, last + 1)]


LINE_COLUMNS = ["allocation_id", "order_line_id", "order_number", "channel", "sold_at", "sold_on", "product_name",
                "variant_label", "sku", "quantity", "unit_price", "unit_payout", "list_price", "base_payout",
                "markdown_bearer"]
_QUANTITY, _UNIT_PRICE, _UNIT_PAYOUT = (LINE_COLUMNS.index(name) for name in ("quantity", "unit_price", "unit_payout"))


def generate(period: Period | None = None, *, producer_id: int | None = None, user: User | None = None
             ) -> GenerationResult:
    """Build (or rebuild) the draft statements of `period` for one producer or all of them, in one transaction.

    Drafts of the same period are emptied and rebuilt under their own numbers; approved and paid
    statements never change, and their allocations are never settled again (the database refuses).
    """
    period = period or Period.previous_month()
    result = GenerationResult(period)
    try:
        drafts_query = select(Statement.id, Statement.producer_id, Statement.number).where(
            Statement.status == StatementStatus.DRAFT, Statement.period_start == period.start,
            Statement.period_end == period.end)
        if producer_id is not None:
            drafts_query = drafts_query.where(Statement.producer_id == producer_id)
        drafts = {row.producer_id: row for row in db.session.execute(drafts_query)}
        if drafts:
            ids = [row.id for row in drafts.values()]
            db.session.execute(delete(StatementLine).where(StatementLine.statement_id.in_(ids)))
            db.session.execute(delete(StatementAdjustment).where(StatementAdjustment.statement_id.in_(ids)))
            carry.release_from(ids)
        balances = carry.open_balances(period.start, producer_id)

        eligible = _eligible_allocations(period, producer_id).subquery()
        rows = db.session.execute(select(eligible)).all()
        refunds = _sorted_refunds(_refunds_of_eligible(eligible))
        pending = _pending_adjustments(producer_id)

        # Rows are unpacked by position (the select's column order): attribute access per row cost more.
        allocations_of_line: dict[int, list[tuple[int, int]]] = defaultdict(list)
        refunded_lines = set(refunds)
        for allocation_id, quantity, _price, _payout, line_id, *_rest in rows:
            if line_id in refunded_lines:
                allocations_of_line[line_id].append((allocation_id, quantity))
        excluded: dict[int, int] = {}
        for line_id, refund_rows in refunds.items():
            excluded.update(refunded_per_allocation(allocations_of_line[line_id],
                                                    sum(r.quantity for r in refund_rows)))

        # Lines as tuples in LINE_COLUMNS order (after statement_id), inserted raw: see dbtypes.insert_many.
        # A marked-down line keeps its list price and the lot's normal payout beside what it sold at.
        lines_of: dict[int, list[tuple]] = defaultdict(list)
        to_wib = clock.to_wib
        for (allocation_id, quantity, unit_price, unit_payout, line_id, producer, product_name, variant_label, sku,
             order_number, channel, sold_at, list_price, markdown_bearer, base_payout) in rows:
            quantity -= excluded.get(allocation_id, 0)
            if quantity > 0:
                markdown = markdown_bearer is not None
                lines_of[producer].append((allocation_id, line_id, order_number, channel, sold_at,
                                           to_wib(sold_at).date(), product_name, variant_label, sku, quantity,
                                           unit_price, unit_payout, list_price if markdown else None,
                                           base_payout if markdown else None, markdown_bearer))
        adjustments_of: dict[int, list[dict]] = defaultdict(list)
        for item in pending:
            adjustments_of[item.pop("producer_id")].append(item)

        producers = sorted(set(lines_of) | set(adjustments_of) | set(drafts) | set(balances))
        now = clock.utcnow()
        new_statements, totals = [], {}
        for pid in producers:
            lines, adjustments = lines_of.get(pid, []), adjustments_of.get(pid, [])
            gross = sum(line[_QUANTITY] * line[_UNIT_PRICE] for line in lines)
            payout = sum(line[_QUANTITY] * line[_UNIT_PAYOUT] for line in lines)
            adjusted = sum(a["amount"] for a in adjustments)
            brought = sum(amount for _id, amount in balances.get(pid, []))
            totals[pid] = dict(units=sum(line[_QUANTITY] for line in lines), gross_sales=gross, payout_total=payout,
                               commission=gross - payout, adjustments_total=adjusted, brought_forward=brought,
                               amount_due=payout + adjusted + brought,
                               generated_at=now, generated_by_id=user.id if user else None)
            if pid not in drafts and (lines or adjustments or balances.get(pid)):
                new_statements.append(dict(producer_id=pid,
                                           period_start=period.start, period_end=period.end,
                                           status=StatementStatus.DRAFT, paid_to="", **totals[pid]))
        for statement, number in zip(new_statements, _statement_numbers(period, len(new_statements))):
            statement["number"] = number
        statements = Statement.__table__
        if new_statements:
            db.session.execute(insert(statements), new_statements)
        # Drafts keep their number; their totals are rewritten in one executemany.
        if drafts:
            db.session.execute(
                update(statements).where(statements.c.id == bindparam("b_id")),
                [dict(b_id=row.id, **totals[pid]) for pid, row in drafts.items()])
        ids = {row.producer_id: row.id for row in db.session.execute(
            select(Statement.id, Statement.producer_id).where(
                Statement.status == StatementStatus.DRAFT, Statement.period_start == period.start,
                Statement.period_end == period.end))}
        line_rows = [(ids[pid], *line) for pid, lines in lines_of.items() for line in lines]
        adjustment_rows = [dict(statement_id=ids[pid], **a) for pid, items in adjustments_of.items() for a in items]
        insert_many(db.session, StatementLine.__table__, ["statement_id", *LINE_COLUMNS], line_rows)
        if adjustment_rows:
            db.session.execute(insert(StatementAdjustment.__table__), adjustment_rows)
        carry_rows = [dict(statement_id=ids[pid], carried_statement_id=sid, amount=amount)
                      for pid, items in balances.items() for sid, amount in items]
        if carry_rows:
            db.session.execute(insert(SettlementCarry.__table__), carry_rows)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise DomainError(_l("Penjualan ini sudah masuk laporan lain; coba buat ulang."), field="period") from None
    except Exception:
        db.session.rollback()
        raise
    result.created = [s["number"] for s in new_statements]
    result.regenerated = [row.number for row in drafts.values()]
    result.lines = len(line_rows)
    result.adjustments = len(adjustment_rows)
    return result


# ------------------------------------------------------------------ states


def _require_admin(user: User | None) -> None:
    if user is None or user.role != Role.ADMIN:
        raise DomainError(_l("Hanya admin yang boleh menyetujui laporan setoran."), field="user")


def _stale_lines(statement: Statement) -> int:
    """Lines whose allocation lost units to a refund since the draft was built (two selects)."""
    line_ids = {line.order_line_id for line in statement.lines}
    if not line_ids:
        return 0
    refunded: dict[int, int] = defaultdict(int)
    for line_id, quantity in db.session.execute(
            select(RefundLine.order_line_id, RefundLine.quantity).where(RefundLine.order_line_id.in_(line_ids))):
        refunded[line_id] += quantity
    allocations: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for allocation_id, line_id, quantity in db.session.execute(
            select(OrderAllocation.id, OrderAllocation.line_id, OrderAllocation.quantity)
            .where(OrderAllocation.line_id.in_(line_ids))):
        allocations[line_id].append((allocation_id, quantity))
    now_excluded: dict[int, int] = {}
    for line_id, allocs in allocations.items():
        now_excluded.update(refunded_per_allocation(allocs, refunded[line_id]))
    full = {a: q for allocs in allocations.values() for a, q in allocs}
    return sum(1 for line in statement.lines if full[line.allocation_id] - now_excluded.get(line.allocation_id, 0)
               != line.quantity)


def approve(statement: Statement, *, user: User | None) -> Statement:
    """Admin only: a draft becomes final, its numbers never change again: `approved` to be transferred,
    or `carried` forward when below the minimum payout or negative (gallery.settlements.carry)."""
    _require_admin(user)
    if statement.status != StatementStatus.DRAFT:
        raise DomainError(_l("Hanya draf yang bisa disetujui."), field="status")
    if _stale_lines(statement):
        raise DomainError(_l("Ada pengembalian dana sejak draf ini dibuat; buat ulang draf dulu."), field="status")
    status = carry.status_on_approval(statement.amount_due)
    changed = db.session.execute(
        update(Statement).where(Statement.id == statement.id, Statement.status == StatementStatus.DRAFT)
        .values(status=status, approved_at=clock.utcnow(), approved_by_id=user.id)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        db.session.rollback()
        raise DomainError(_l("Laporan ini sudah diubah orang lain."), field="status")
    notices.statement_approved(statement, status)
    db.session.commit()
    db.session.refresh(statement)
    return statement


def mark_paid(statement: Statement, transfer_date: date | None, bank_reference: str, *, user: User | None,
              proof: bytes | None = None) -> Statement:
    """Record the transfer of an approved statement: date, bank reference, the transfer slip (an image or
    a PDF, re-encoded by gallery.settlements.proofs) and who."""
    if user is None or not user.has_role(*Role.BACK_OFFICE):
        raise DomainError(_l("Hanya staf yang boleh mencatat pembayaran."), field="user")
    if statement.status != StatementStatus.APPROVED:
        raise DomainError(_l("Hanya laporan yang sudah disetujui yang bisa ditandai dibayar."), field="status")
    if not isinstance(transfer_date, date):
        raise DomainError(_l("Tanggal transfer wajib diisi."), field="transfer_date")
    if transfer_date > clock.today_wib():
        raise DomainError(_l("Tanggal transfer tidak boleh di masa depan."), field="transfer_date")
    reference = (bank_reference or "").strip()
    if not reference or len(reference) > MAX_REFERENCE:
        raise DomainError(_l("Nomor referensi bank wajib diisi (paling banyak 80 karakter)."),
                          field="bank_reference")
    kept = proofs.keep(proof)
    producer = statement.producer
    paid_to = " / ".join(part for part in (producer.bank_name, producer.bank_account_number,
                                           producer.bank_account_holder) if part)
    changed = db.session.execute(
        update(Statement).where(Statement.id == statement.id, Statement.status == StatementStatus.APPROVED)
        .values(status=StatementStatus.PAID, paid_at=clock.utcnow(), paid_by_id=user.id, transfer_date=transfer_date,
                bank_reference=reference, paid_to=paid_to, proof_key=kept.key, proof_ext=kept.ext)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        db.session.rollback()
        raise DomainError(_l("Laporan ini sudah diubah orang lain."), field="status")
    db.session.refresh(statement)
    notices.statement_paid(statement)
    db.session.commit()
    db.session.refresh(statement)
    return statement


def delete_draft(statement: Statement) -> None:
    """A draft may be thrown away (its allocations become unsettled again); final ones never."""
    if statement.status != StatementStatus.DRAFT:
        raise DomainError(_l("Hanya draf yang bisa dihapus."), field="status")
    db.session.delete(statement)
    db.session.commit()
