"""Small and negative statements are carried forward, never transferred; payouts keep their transfer slip."""
import io
from datetime import date, datetime

import pytest
from sqlalchemy.exc import IntegrityError
from openpyxl import load_workbook
from pypdf import PdfWriter

from gallery import clock
from gallery.accounts.models import Role
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.orders.placing import CartLine
from tests.edges import sell_at_counter
from gallery.payments.refunds import refund
from gallery.settlements import exports
from gallery.settlements.models import Statement, StatementStatus
from gallery.settlements.queries import earnings_due
from gallery.settlements.periods import Period
from gallery.settlements.statements import approve, generate, mark_paid
from tests.settlements.conftest import proof_png


def on(year, month, day):
    clock.freeze(datetime(year, month, day, 10, tzinfo=clock.WIB))


def _statement(producer, period):
    return db.session.query(Statement).filter_by(producer_id=producer.id, period_start=period.start).one()


@pytest.fixture
def shop(make):
    on(2026, 10, 1)
    staff, admin = make.user(Role.STAFF), make.user(Role.ADMIN)
    producer = make.producer("Kerupuk Bu Ida", bank_name="Bank Nagari", bank_account_number="1101-0200-3355", bank_account_holder="Ida")
    variant = make.product(producer, name="Kerupuk Jangek", category="anyaman", variants=[("Bungkus", 25_000, 200)]
                           ).variants[0]
    make.stock(variant, 40, payout=20_000)
    return staff, admin, producer, variant


def test_a_statement_below_the_minimum_is_carried_into_the_next_and_only_payable_ones_are_in_the_batch(shop):
    staff, admin, producer, variant = shop
    # October: one unit sold, Rp 20.000 due: below the Rp 50.000 minimum
    on(2026, 10, 5)
    sell_at_counter([CartLine(variant.id, 1)], "cash", user=staff)
    on(2026, 11, 2)
    october, november = Period.month(2026, 10), Period.month(2026, 11)
    generate(october, user=staff)
    db.session.commit()
    small = approve(_statement(producer, october), user=admin)
    db.session.commit()
    assert small.status == StatementStatus.CARRIED and small.amount_due == 20_000
    with pytest.raises(DomainError):
        mark_paid(small, date(2026, 11, 3), "TRF-1", user=staff, proof=proof_png())
    db.session.rollback()
    assert earnings_due(producer.id) == 20_000
    # November: three more units; the carried Rp 20.000 is brought forward once
    on(2026, 11, 10)
    sell_at_counter([CartLine(variant.id, 3)], "cash", user=staff)
    on(2026, 12, 2)
    generate(november, user=staff)
    db.session.commit()
    generate(november, user=staff)  # rebuilding the draft does not bring it twice
    db.session.commit()
    later = _statement(producer, november)
    assert (later.payout_total, later.brought_forward, later.amount_due) == (60_000, 20_000, 80_000)
    approved = approve(later, user=admin)
    db.session.commit()
    assert approved.status == StatementStatus.APPROVED and earnings_due(producer.id) == 80_000
    # The bank batch lists only transfers; the total lives on its own sheet
    book = load_workbook(io.BytesIO(exports.transfer_batch_xlsx([small, approved], 50_000)))
    rows = list(book["transfer"].iter_rows(values_only=True))
    assert rows[1:] == [(approved.number, "Kerupuk Bu Ida", "Bank Nagari", "1101-0200-3355", "Ida", 80_000)]
    assert list(book["summary"].iter_rows(values_only=True))[1] == (1, 80_000)


def test_a_producer_who_owes_the_gallery_is_carried_and_set_against_later_sales(shop):
    staff, admin, producer, variant = shop
    on(2026, 10, 5)
    sale = sell_at_counter([CartLine(variant.id, 4)], "cash", user=staff)
    on(2026, 11, 2)
    generate(Period.month(2026, 10), user=staff)
    db.session.commit()
    october = approve(_statement(producer, Period.month(2026, 10)), user=admin)
    db.session.commit()
    mark_paid(october, date(2026, 11, 2), "TRF-OKT", user=staff, proof=proof_png())
    db.session.commit()
    # In November the four units come back: the producer owes the Rp 80.000 already paid
    on(2026, 11, 6)
    refund(sale, user=staff, restock=True, reason="cacat produksi")
    on(2026, 12, 2)
    generate(Period.month(2026, 11), user=staff)
    db.session.commit()
    owed = approve(_statement(producer, Period.month(2026, 11)), user=admin)
    db.session.commit()
    assert (owed.amount_due, owed.status) == (-80_000, StatementStatus.CARRIED)
    assert earnings_due(producer.id) == -80_000
    with pytest.raises(IntegrityError):  # the database refuses to make a negative statement payable
        db.session.execute(db.update(Statement).where(Statement.id == owed.id).values(status="approved"))
        db.session.flush()
    db.session.rollback()


def test_marking_paid_needs_a_transfer_slip_an_image_or_a_pdf(shop):
    staff, admin, producer, variant = shop
    on(2026, 10, 5)
    sell_at_counter([CartLine(variant.id, 5)], "cash", user=staff)
    on(2026, 11, 2)
    generate(Period.month(2026, 10), user=staff)
    db.session.commit()
    statement = approve(_statement(producer, Period.month(2026, 10)), user=admin)
    db.session.commit()
    for bad in (None, b"", b"not a picture", b"%PDF-1.4 broken"):
        with pytest.raises(DomainError) as refused:
            mark_paid(statement, date(2026, 11, 2), "TRF-1", user=staff, proof=bad)
        assert refused.value.field == "proof"
        db.session.rollback()
    writer, pdf = PdfWriter(), io.BytesIO()
    writer.add_blank_page(200, 100)
    writer.write(pdf)
    paid = mark_paid(statement, date(2026, 11, 2), "TRF-1", user=staff, proof=pdf.getvalue())
    db.session.commit()
    assert paid.status == StatementStatus.PAID and paid.proof_ext == "pdf" and paid.proof_key
