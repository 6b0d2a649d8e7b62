"""Consignment terms: each lot's term end, the stages, and the notices that go out once per lot and stage."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from gallery import clock
from gallery.accounts.models import Role
from gallery.consignment.documents import ReceiptLine, create_receipt
from gallery.consignment.ending import ending_report, return_for_collection
from gallery.consignment.models import Lot
from gallery.consignment.notices import notify_lots, send_due_notices
from gallery.consignment.term_models import ConsignmentNotice, EndAction, LotTermChange, NoticeStage
from gallery.consignment.terms import TermsInput, extend_terms, set_terms, stage
from gallery.errors import DomainError
from gallery.extensions import db
from tests.consignment.test_concurrency import _run_together
from tests.payments.conftest import mail_outbox  # noqa: F401  (fixture)


def _send_due():
    """`flask consignment notices`: queue the due notices and commit (the command is the edge)."""
    run = send_due_notices()
    db.session.commit()
    return run


def at(day: date, hour: int = 9) -> None:
    clock.freeze(datetime(day.year, day.month, day.day, hour, 0, tzinfo=clock.WIB))


RECEIVED = date(2026, 8, 1)


@pytest.fixture
def lots(make):
    """Two producers' goods received on 1 August 2026: one on the default terms (90 + 14 days), one on 30 + 7."""
    at(RECEIVED)
    staff = make.user(Role.STAFF)
    plain = make.producer("Tenun Biasa")
    quick = make.producer("Kue Cepat")
    make.user(Role.PRODUCER, producer=plain, email="tenun@uji.test")
    make.user(Role.PRODUCER, producer=quick, email="kue@uji.test")
    set_terms(quick, TermsInput(term_days=30, grace_days=7), user=staff)
    db.session.commit()
    cloth = make.product(plain, category="songket", variants=[("Merah", 300_000, 400)]).variants[0]
    basket = make.product(quick, category="anyaman", variants=[("Kecil", 30_000, 200)]).variants[0]
    receipt = create_receipt(plain, [ReceiptLine(cloth.id, 3)], user=staff)
    db.session.commit()
    quick_receipt = create_receipt(quick, [ReceiptLine(basket.id, 5)], user=staff)
    db.session.commit()
    return type("Lots", (), dict(staff=staff, plain=plain, quick=quick, cloth=receipt.lots[0],
                                 basket=quick_receipt.lots[0]))


def test_a_lot_records_its_term_end_from_its_receipt_day_and_its_producers_terms(lots):
    assert lots.cloth.term_ends_on == RECEIVED + timedelta(days=90)
    assert lots.basket.term_ends_on == RECEIVED + timedelta(days=30)


def test_the_stage_follows_the_term_end_and_the_grace_days():
    end = date(2026, 10, 30)
    assert stage(end, 14, date(2026, 10, 15), 14) is None
    assert stage(end, 14, date(2026, 10, 16), 14) == NoticeStage.ENDING
    assert stage(end, 14, end, 14) == NoticeStage.ENDING
    assert stage(end, 14, date(2026, 10, 31), 14) == NoticeStage.GRACE
    assert stage(end, 14, date(2026, 11, 13), 14) == NoticeStage.GRACE
    assert stage(end, 14, date(2026, 11, 14), 14) == NoticeStage.PAST_GRACE


def test_term_notices_go_once_per_lot_and_stage(lots, mail_outbox):
    at(RECEIVED + timedelta(days=20))  # the basket's term (30 days) ends within 14 days
    run = _send_due()
    assert (run.sent, run.producers) == (1, 1) and [m.to for m in mail_outbox] == [["kue@uji.test"]]
    assert "lot #%d" % lots.basket.id in mail_outbox[0].body
    assert _send_due().sent == 0 and len(mail_outbox) == 1  # the same day again: nothing
    at(RECEIVED + timedelta(days=31))  # in grace
    assert _send_due().sent == 1 and len(mail_outbox) == 2
    assert "sudah berakhir" in mail_outbox[1].body
    at(RECEIVED + timedelta(days=38))  # grace over
    assert _send_due().sent == 1
    at(RECEIVED + timedelta(days=80))  # the cloth's term ends within 14 days; the basket stays past grace
    assert _send_due().sent == 1 and mail_outbox[-1].to == ["tenun@uji.test"]
    assert _send_due().sent == 0
    stages = db.session.execute(select(ConsignmentNotice.lot_id, ConsignmentNotice.stage)
                                .order_by(ConsignmentNotice.id)).all()
    assert stages == [(lots.basket.id, "ending"), (lots.basket.id, "grace"), (lots.basket.id, "past_grace"),
                      (lots.cloth.id, "ending")]
    assert db.session.scalar(select(func.count()).where(ConsignmentNotice.sent_at.is_(None))) == 0


def test_an_extended_term_is_noticed_again_when_its_new_end_nears(lots, mail_outbox):
    at(RECEIVED + timedelta(days=31))
    assert _send_due().sent == 1
    extend_terms([lots.basket.id], days=30, reason="Produsen minta diperpanjang", user=lots.staff)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Lot, lots.basket.id).term_ends_on == RECEIVED + timedelta(days=60)
    change = db.session.scalar(select(LotTermChange))
    assert (change.previous_end, change.reason) == (RECEIVED + timedelta(days=30), "Produsen minta diperpanjang")
    assert _send_due().sent == 0  # 29 days left: not yet
    at(RECEIVED + timedelta(days=50))
    assert _send_due().sent == 1


def test_a_producer_without_an_email_address_is_told_once_it_has_one(lots, make, mail_outbox):
    silent = make.producer("Tanpa Surel")
    set_terms(silent, TermsInput(term_days=25), user=lots.staff)
    db.session.commit()
    at(RECEIVED)
    make.stock(make.product(silent, category="anyaman").variants[0], 2)
    at(RECEIVED + timedelta(days=20))
    run = _send_due()
    assert run.sent == 1 and run.without_email == ["Tanpa Surel"]  # the basket's producer was told
    make.user(Role.PRODUCER, producer=silent, email="surel@uji.test")
    assert _send_due().sent == 1 and mail_outbox[-1].to == ["surel@uji.test"]


def test_the_expiring_list_groups_lots_and_staff_act_on_them_in_bulk(lots, mail_outbox):
    at(RECEIVED + timedelta(days=85))  # the cloth is ending, the basket past grace
    report = ending_report()
    assert [row.lot_id for row in report.ending] == [lots.cloth.id]
    assert [row.lot_id for row in report.past_grace] == [lots.basket.id] and report.grace == []
    run = notify_lots([lots.cloth.id, lots.basket.id], user=lots.staff)
    db.session.commit()
    assert run.sent == 2 and len(mail_outbox) == 2
    documents = return_for_collection([lots.basket.id], user=lots.staff)
    db.session.commit()
    assert [d.producer_id for d in documents] == [lots.quick.id]
    db.session.expire_all()
    assert db.session.get(Lot, lots.basket.id).on_hand == 0
    assert [row.lot_id for row in ending_report().past_grace] == []
    with pytest.raises(DomainError):
        extend_terms([lots.cloth.id], days=30, reason=" ", user=lots.staff)


def test_donating_needs_the_producers_written_consent(lots):
    with pytest.raises(DomainError) as refused:
        set_terms(lots.plain, TermsInput(end_action=EndAction.DONATE), user=lots.staff)
    assert refused.value.field == "donation_consent_on"
    terms = set_terms(lots.plain, TermsInput(end_action=EndAction.DONATE, donation_consent_on=date(2026, 7, 1)),
                      user=lots.staff)
    db.session.commit()
    assert terms.end_action == EndAction.DONATE and terms.term_days == 90


@pytest.mark.requires_postgres
def test_notices_run_on_several_hosts_at_once_still_go_once(app, lots, mail_outbox):
    at(RECEIVED + timedelta(days=85))
    db.session.remove()
    results = _run_together(app, lambda i: _send_due().sent, count=6)
    assert sum(results) == 2  # the cloth (ending) and the basket (past grace), each once
    assert len(mail_outbox) == 2
    assert db.session.scalar(select(func.count(ConsignmentNotice.id))) == 2
