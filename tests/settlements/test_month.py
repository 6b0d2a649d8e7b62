"""A whole month simulated: statements, payouts and the reconciliation agree to the rupiah."""
from datetime import date

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from gallery.errors import DomainError
from gallery.extensions import db
from gallery.payments.refunds import refund
from gallery.settlements.reconciliation import reconcile
from gallery.settlements import queries
from gallery.settlements import statements as services
from gallery.settlements.models import Statement, StatementAdjustment, StatementLine, StatementStatus
from gallery.settlements.periods import Period
from tests.settlements.conftest import at, proof_png

NOVEMBER = Period.month(2026, 11)
DECEMBER = Period.month(2026, 12)


def _by_producer(period):
    return {s.producer_id: s for s in db.session.scalars(
        select(Statement).where(Statement.period_start == period.start))}


def _numbers(statement):
    return (statement.number, statement.units, statement.gross_sales, statement.payout_total, statement.commission,
            statement.adjustments_total, statement.amount_due,
            [(l.allocation_id, l.quantity, l.unit_price, l.unit_payout, l.sold_on) for l in statement.lines])


def test_the_month_settles_to_the_rupiah(month):
    at(1, 9, month=12)
    before = reconcile(NOVEMBER)
    assert before.balanced and before.sales_gross == 1_450_000 and before.unsettled_gross == 1_450_000
    online, last = month.orders["online"], month.orders["last_minute"]
    # Cash: what came in for the orders paid in November (shipping and insurance are the gallery's).
    assert before.cash_difference == 0 and before.shipping >= online.shipping_price + last.shipping_price > 0

    result = services.generate(NOVEMBER, user=month.staff)  # the default period on 1 December is November
    assert result.created == ["ST-2026-11-0001", "ST-2026-11-0002"]
    statements = _by_producer(NOVEMBER)
    rendang = statements[month.rendang_maker.id]
    songket = statements[month.songket_maker.id]
    # 8 rendang (3 online, 2 picked up, 2 counter, 1 shipped 30 Nov 23:30 WIB) + 1 galamai (2 sold, 1 refunded).
    assert (rendang.units, rendang.gross_sales, rendang.payout_total, rendang.commission) == (
        9, 8 * 65_000 + 30_000, 8 * 50_000 + 24_000, 8 * 15_000 + 6_000)
    assert (rendang.adjustments_total, rendang.amount_due) == (0, 424_000)
    assert (songket.units, songket.gross_sales, songket.payout_total, songket.amount_due) == (
        2, 900_000, 760_000, 760_000)
    assert {l.order_number for l in rendang.lines} >= {online.number, last.number}
    assert month.orders["december"].number not in {l.order_number for l in rendang.lines}
    assert all(l.sold_on.month == 11 for l in rendang.lines)
    assert [l.sold_on for l in rendang.lines if l.order_number == last.number] == [date(2026, 11, 30)]

    after = reconcile(NOVEMBER)
    assert after.balanced and after.unsettled_gross == 0
    assert after.sales_gross == after.sales_payout + after.commission == 1_450_000
    assert after.sales_payout == rendang.amount_due + songket.amount_due == after.awaiting == 1_184_000
    assert after.commission == 266_000

    # Regenerating the drafts gives the same numbers under the same statement numbers.
    snapshot = {pid: _numbers(s) for pid, s in statements.items()}
    again = services.generate(NOVEMBER, user=month.staff)
    assert again.created == [] and sorted(again.regenerated) == ["ST-2026-11-0001", "ST-2026-11-0002"]
    db.session.expire_all()
    assert {pid: _numbers(s) for pid, s in _by_producer(NOVEMBER).items()} == snapshot

    # Approve (admin only), then pay.
    with pytest.raises(DomainError):
        services.approve(rendang, user=month.staff)
    services.approve(rendang, user=month.admin)
    services.approve(songket, user=month.admin)
    at(3, 11, month=12)
    services.mark_paid(rendang, date(2026, 12, 3), "NGR-778812", user=month.staff, proof=proof_png())
    assert rendang.status == StatementStatus.PAID and rendang.paid_to.startswith("Bank Nagari")
    assert queries.last_payout(month.rendang_maker.id).number == rendang.number
    assert queries.earnings_due(month.rendang_maker.id) == 0
    assert queries.earnings_due(month.songket_maker.id) == 760_000

    # An approved statement never changes: generating November again adds nothing and rebuilds nothing.
    frozen = {pid: _numbers(s) for pid, s in _by_producer(NOVEMBER).items()}
    unchanged = services.generate(NOVEMBER, user=month.staff)
    assert unchanged.statements == 0 and unchanged.lines == 0
    db.session.expire_all()
    assert {pid: _numbers(s) for pid, s in _by_producer(NOVEMBER).items()} == frozen
    with pytest.raises(DomainError):
        services.approve(rendang, user=month.admin)

    # A refund after the paid statement: a negative adjustment on December's statement, November untouched.
    at(5, month=12)
    closed = reconcile(NOVEMBER)
    refund(online, user=month.staff, quantities={online.lines[0].id: 1}, reason="rusak di jalan")
    assert reconcile(NOVEMBER) == closed  # a closed month never changes: the refund is December's
    at(2, 9, month=1, year=2027)
    december = services.generate(user=month.staff)  # default: the previous month, December
    assert december.period == DECEMBER and december.adjustments == 1
    dec = _by_producer(DECEMBER)[month.rendang_maker.id]
    assert dec.number == "ST-2026-12-0001"
    assert [(a.order_number, a.quantity, a.gross_amount, a.amount) for a in dec.adjustments] == [
        (online.number, 1, -65_000, -50_000)]
    assert (dec.units, dec.payout_total, dec.adjustments_total, dec.amount_due) == (1, 50_000, -50_000, 0)
    db.session.expire_all()
    assert {pid: _numbers(s) for pid, s in _by_producer(NOVEMBER).items()} == frozen
    # The adjustment is made once: generating December again keeps exactly one.
    services.generate(DECEMBER, user=month.staff)
    assert db.session.scalar(select(func.count(StatementAdjustment.id))) == 1
    assert reconcile(NOVEMBER) == closed
    assert closed.transferred == 424_000 and closed.awaiting == 760_000
    december = reconcile(DECEMBER)
    assert december.balanced and december.adjustments == -50_000 and december.refunded_goods >= 65_000


def test_an_allocation_is_never_settled_twice(month):
    at(2, month=12)
    services.generate(NOVEMBER)
    settled = db.session.scalar(select(func.count(StatementLine.id)))
    # An overlapping period finds nothing new from November, only December's parcel.
    overlap = services.generate(Period(date(2026, 11, 15), date(2026, 12, 15)))
    assert overlap.lines == 1
    assert db.session.scalar(select(func.count(StatementLine.id))) == settled + 1
    assert db.session.scalar(select(func.count(StatementLine.allocation_id.distinct()))) == settled + 1
    # The database refuses a second line for the same allocation.
    line = db.session.scalars(select(StatementLine)).first()
    values = {c.name: getattr(line, c.name) for c in StatementLine.__table__.columns if c.name != "id"}
    with pytest.raises(IntegrityError):
        db.session.execute(insert(StatementLine.__table__).values(**values))
    db.session.rollback()


def test_a_refund_after_a_draft_requires_regenerating_it(month):
    at(2, month=12)
    services.generate(NOVEMBER)
    statement = _by_producer(NOVEMBER)[month.songket_maker.id]
    online = month.orders["online"]
    refund(online, user=month.staff, quantities={online.lines[1].id: 1})
    assert not reconcile(NOVEMBER).balanced  # the draft still pays the refunded songket
    with pytest.raises(DomainError):
        services.approve(statement, user=month.admin)
    services.generate(NOVEMBER)
    db.session.expire_all()
    statement = _by_producer(NOVEMBER)[month.songket_maker.id]
    assert (statement.units, statement.amount_due) == (1, 380_000)
    services.approve(statement, user=month.admin)
    assert reconcile(NOVEMBER).balanced


def test_portal_reads_show_no_shopper_details(month):
    at(2, month=12)
    services.generate(NOVEMBER)
    rows = queries.sold_allocations(month.rendang_maker.id, NOVEMBER.start, NOVEMBER.end)
    assert sum(r.quantity for r in rows) == 10  # as sold; the refunded galamai shows on the statement
    online = [r for r in rows if r.order_number == month.orders["online"].number]
    assert online[0].destination and online[0].channel == "online" and online[0].statement_number
    assert {r.channel for r in rows} == {"online", "counter"}
    text = repr(rows)
    assert "Siti" not in text and "siti@" not in text and "Merdeka" not in text and "0812" not in text
    assert [s.number for s in queries.statements_of(month.rendang_maker.id)] == ["ST-2026-11-0001"]
    assert queries.get_statement("ST-2026-11-0001", producer_id=month.songket_maker.id) is None
    assert queries.get_statement("ST-2026-11-0001").producer_id == month.rendang_maker.id
    assert queries.earnings_due(month.rendang_maker.id) == 424_000
    assert queries.last_payout(month.rendang_maker.id) is None
