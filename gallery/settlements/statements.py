"""Generating producer statements, approving them and recording their transfer.

A statement settles a producer's sales of a period (gallery.settlements.periods): every unsettled
allocation sold in it, for the units still sold (gallery.settlements.payouts), at the price and payout
frozen on the allocation; plus the negative adjustments of units refunded after they were settled
(gallery.settlements.adjustments) and the balances carried from earlier statements (gallery.settlements.carry).

Generation runs a fixed number of SQL statements whatever the number of producers or lines: one
select per aggregate, bulk Core inserts for lines and adjustments, one statement per bulk update.
These services flush; the caller (a view, a CLI command, a test) commits the use case.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, bindparam, delete, exists, insert, select, type_coerce, update
from sqlalchemy.exc import IntegrityError

from gallery import clock
from gallery.accounts.models import Role, User
from gallery.consignment.models import Lot
from gallery.dbtypes import insert_many
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.numbering import next_value
from gallery.orders.models import Order, OrderAllocation, OrderLine
from gallery.payments.models import RefundLine
from gallery.settlements import carry, notices, proofs
from gallery.settlements.adjustments import pending_adjustments, sorted_refunds
from gallery.settlements.models import (
    SettlementCarry,
    Statement,
    StatementAdjustment,
    StatementLine,
    StatementStatus,
)
from gallery.settlements.payouts import excluded_units, payout, units_owed
from gallery.settlements.periods import Period, counts_for_settlement, sold_at_column

MAX_REFERENCE = 80


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


def _drafts_of(period: Period, producer_id: int | None):
    """The period's drafts (id, producer_id, number) by producer, of one producer or all (one select)."""
    query = select(Statement.id, Statement.producer_id, Statement.number).where(
        Statement.status == StatementStatus.DRAFT, Statement.period_start == period.start,
        Statement.period_end == period.end)
    if producer_id is not None:
        query = query.where(Statement.producer_id == producer_id)
    return {row.producer_id: row for row in db.session.execute(query)}


def _empty_drafts(drafts: dict) -> None:
    """A draft is rebuilt under its own number: its lines, adjustments and carried balances go (three statements)."""
    if drafts:
        ids = [row.id for row in drafts.values()]
        db.session.execute(delete(StatementLine).where(StatementLine.statement_id.in_(ids)))
        db.session.execute(delete(StatementAdjustment).where(StatementAdjustment.statement_id.in_(ids)))
        carry.release_from(ids)


def _excluded(rows, refunds: dict[int, list]) -> dict[int, int]:
    """Units of each eligible allocation refunded before settlement (left out of the statement)."""
    # Rows are unpacked by position (the select's column order): attribute access per row cost more.
    allocations_of_line: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for allocation_id, quantity, _price, _payout, line_id, *_rest in rows:
        if line_id in refunds:
            allocations_of_line[line_id].append((allocation_id, quantity))
    return excluded_units(allocations_of_line,
                          {line_id: sum(r.quantity for r in items) for line_id, items in refunds.items()})


def _lines_by_producer(rows, excluded: dict[int, int]) -> dict[int, list[tuple]]:
    """Statement lines as tuples in LINE_COLUMNS order (after statement_id), inserted raw: see
    dbtypes.insert_many. A marked-down line keeps its list price and the lot's normal payout beside what it
    sold at. Allocations whose units were all refunded give no line."""
    lines_of: dict[int, list[tuple]] = defaultdict(list)
    to_wib = clock.to_wib
    for (allocation_id, quantity, unit_price, unit_payout, line_id, producer, product_name, variant_label, sku,
         order_number, channel, sold_at, list_price, markdown_bearer, base_payout) in rows:
        quantity = units_owed(allocation_id, quantity, excluded)
        if quantity > 0:
            markdown = markdown_bearer is not None
            lines_of[producer].append((allocation_id, line_id, order_number, channel, sold_at,
                                       to_wib(sold_at).date(), product_name, variant_label, sku, quantity,
                                       unit_price, unit_payout, list_price if markdown else None,
                                       base_payout if markdown else None, markdown_bearer))
    return lines_of


def _totals(lines: list[tuple], adjustments: list[dict], balances: list, user: User | None, now) -> dict:
    """A statement's figures: gross, the producer's payout, the commission between them, adjustments,
    balances brought forward and the amount due."""
    gross = sum(line[_QUANTITY] * line[_UNIT_PRICE] for line in lines)
    owed = sum(payout(line[_QUANTITY], line[_UNIT_PAYOUT]) for line in lines)
    adjusted = sum(a["amount"] for a in adjustments)
    brought = sum(amount for _id, amount in balances)
    return dict(units=sum(line[_QUANTITY] for line in lines), gross_sales=gross, payout_total=owed,
                commission=gross - owed, adjustments_total=adjusted, brought_forward=brought,
                amount_due=owed + adjusted + brought, generated_at=now, generated_by_id=user.id if user else None)


@dataclass
class _Built:
    """What generation computed, before it is written."""

    drafts: dict
    lines_of: dict[int, list[tuple]]
    adjustments_of: dict[int, list[dict]]
    balances: dict[int, list]
    totals: dict[int, dict] = field(default_factory=dict)
    new_statements: list[dict] = field(default_factory=list)


def _build(period: Period, producer_id: int | None, user: User | None) -> _Built:
    """Read everything a period's statements need and compute their lines, adjustments and totals."""
    drafts = _drafts_of(period, producer_id)
    _empty_drafts(drafts)
    balances = carry.open_balances(period.start, producer_id)
    eligible = _eligible_allocations(period, producer_id).subquery()
    rows = db.session.execute(select(eligible)).all()
    refunds = sorted_refunds(_refunds_of_eligible(eligible))
    adjustments_of: dict[int, list[dict]] = defaultdict(list)
    for item in pending_adjustments(producer_id):
        adjustments_of[item.pop("producer_id")].append(item)
    built = _Built(drafts, _lines_by_producer(rows, _excluded(rows, refunds)), adjustments_of, balances)
    now = clock.utcnow()
    for pid in sorted(set(built.lines_of) | set(adjustments_of) | set(drafts) | set(balances)):
        lines, adjustments = built.lines_of.get(pid, []), adjustments_of.get(pid, [])
        built.totals[pid] = _totals(lines, adjustments, balances.get(pid, []), user, now)
        if pid not in drafts and (lines or adjustments or balances.get(pid)):
            built.new_statements.append(dict(producer_id=pid, period_start=period.start, period_end=period.end,
                                             status=StatementStatus.DRAFT, paid_to="", **built.totals[pid]))
    return built


def _write(period: Period, built: _Built) -> tuple[int, int]:
    """Insert the new statements (numbered), rewrite the drafts' totals, insert lines, adjustments and carries.
    Returns the numbers of lines and adjustments written."""
    for statement, number in zip(built.new_statements, _statement_numbers(period, len(built.new_statements))):
        statement["number"] = number
    statements = Statement.__table__
    if built.new_statements:
        db.session.execute(insert(statements), built.new_statements)
    # Drafts keep their number; their totals are rewritten in one executemany.
    if built.drafts:
        db.session.execute(
            update(statements).where(statements.c.id == bindparam("b_id")),
            [dict(b_id=row.id, **built.totals[pid]) for pid, row in built.drafts.items()])
    ids = {row.producer_id: row.id for row in _drafts_of(period, None).values()}
    line_rows = [(ids[pid], *line) for pid, lines in built.lines_of.items() for line in lines]
    adjustment_rows = [dict(statement_id=ids[pid], **a) for pid, items in built.adjustments_of.items() for a in items]
    insert_many(db.session, StatementLine.__table__, ["statement_id", *LINE_COLUMNS], line_rows)
    if adjustment_rows:
        db.session.execute(insert(StatementAdjustment.__table__), adjustment_rows)
    carry_rows = [dict(statement_id=ids[pid], carried_statement_id=sid, amount=amount)
                  for pid, items in built.balances.items() for sid, amount in items]
    if carry_rows:
        db.session.execute(insert(SettlementCarry.__table__), carry_rows)
    return len(line_rows), len(adjustment_rows)


def generate(period: Period | None = None, *, producer_id: int | None = None, user: User | None = None
             ) -> GenerationResult:
    """Build (or rebuild) the draft statements of `period` for one producer or all of them, in one transaction
    that the caller commits.

    Drafts of the same period are emptied and rebuilt under their own numbers; approved and paid
    statements never change, and their allocations are never settled again (the database refuses: the
    transaction is rolled back and a DomainError raised).
    """
    period = period or Period.previous_month()
    try:
        built = _build(period, producer_id, user)
        lines, adjustments = _write(period, built)
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise DomainError(_l("Penjualan ini sudah masuk laporan lain; coba buat ulang."), field="period") from None
    except Exception:
        db.session.rollback()
        raise
    return GenerationResult(period, created=[s["number"] for s in built.new_statements],
                            regenerated=[row.number for row in built.drafts.values()],
                            lines=lines, adjustments=adjustments)


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
    now_excluded = excluded_units(allocations, {line_id: refunded[line_id] for line_id in allocations})
    full = {a: q for allocs in allocations.values() for a, q in allocs}
    return sum(1 for line in statement.lines
               if units_owed(line.allocation_id, full[line.allocation_id], now_excluded) != line.quantity)


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
    db.session.flush()
    return statement


def delete_draft(statement: Statement) -> None:
    """A draft may be thrown away (its allocations become unsettled again); final ones never."""
    if statement.status != StatementStatus.DRAFT:
        raise DomainError(_l("Hanya draf yang bisa dihapus."), field="status")
    db.session.delete(statement)
    db.session.flush()
