"""Lots whose consignment term is ending, in grace or past grace, and what staff do about them in bulk.

The list is read in one statement whatever its length; each row's stage follows gallery.consignment.terms.
The bulk actions are services: tell the producers (gallery.consignment.notices), write the return notes for
collection (one nota retur per producer, every unit on hand), or extend the term with a reason.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from gallery import clock
from gallery.accounts.models import User
from gallery.catalog.models import Producer, Product, Variant
from gallery.consignment.documents import ReturnLine, return_to_producer
from gallery.consignment.models import ConsignmentReceipt, Lot, ProducerReturn, ReturnReason
from gallery.consignment.term_models import ConsignmentNotice, ConsignmentTerms, EndAction, NoticeStage
from gallery.consignment.terms import stage
from gallery.errors import DomainError
from gallery.extensions import db


@dataclass(frozen=True)
class TermLotRow:
    """A lot with units on hand and its term, as the expiring list and the notices show it."""

    lot_id: int
    producer_id: int
    producer_name: str
    product_name: str
    variant_label: str
    sku: str
    receipt_number: str | None
    received_at: datetime
    term_ends_on: date
    grace_days: int
    end_action: str
    on_hand: int
    unit_payout: int
    last_notice_at: datetime | None
    today: date

    @property
    def grace_ends_on(self) -> date:
        return self.term_ends_on + timedelta(days=self.grace_days)

    @property
    def stage(self) -> str | None:
        return stage(self.term_ends_on, self.grace_days, self.today)

    @property
    def days_left(self) -> int:
        """Days until the term ends (negative: days since it ended)."""
        return (self.term_ends_on - self.today).days


def _rows(*conditions, today: date) -> list[TermLotRow]:
    config = current_app.config
    grace = func.coalesce(ConsignmentTerms.grace_days, int(config["CONSIGNMENT_GRACE_DAYS"]))
    action = func.coalesce(ConsignmentTerms.end_action, EndAction.RETURN)
    notices = (select(ConsignmentNotice.lot_id.label("lot_id"), func.max(ConsignmentNotice.sent_at).label("sent_at"))
               .join(Lot, and_(Lot.id == ConsignmentNotice.lot_id, Lot.term_ends_on == ConsignmentNotice.term_ends_on))
               .group_by(ConsignmentNotice.lot_id).subquery())
    rows = db.session.execute(
        select(Lot.id, Lot.producer_id, Producer.business_name, Product.name, Variant.label, Variant.sku,
               ConsignmentReceipt.number, Lot.received_at, Lot.term_ends_on, grace, action, Lot.on_hand,
               Lot.unit_payout, notices.c.sent_at)
        .join(Variant, Variant.id == Lot.variant_id)
        .join(Product, Product.id == Variant.product_id)
        .join(Producer, Producer.id == Lot.producer_id)
        .outerjoin(ConsignmentReceipt, ConsignmentReceipt.id == Lot.receipt_id)
        .outerjoin(ConsignmentTerms, ConsignmentTerms.producer_id == Lot.producer_id)
        .outerjoin(notices, notices.c.lot_id == Lot.id)
        .where(Lot.on_hand > 0, *conditions)
        .order_by(Lot.term_ends_on, Producer.business_name, Product.name, Lot.id))
    return [TermLotRow(*row, today=today) for row in rows]


def ending_lots(today: date | None = None, producer_id: int | None = None) -> list[TermLotRow]:
    """Lots on hand whose term ends within the notice days, or ended (in grace or past it). One statement."""
    today = today or clock.today_wib()
    until = today + timedelta(days=int(current_app.config["CONSIGNMENT_NOTICE_DAYS"]))
    conditions = [Lot.term_ends_on <= until]
    if producer_id is not None:
        conditions.append(Lot.producer_id == producer_id)
    return _rows(*conditions, today=today)


def lots_by_id(lot_ids: Iterable[int], today: date | None = None) -> list[TermLotRow]:
    """The chosen lots with units on hand, whatever their stage (one statement)."""
    return _rows(Lot.id.in_(sorted(set(lot_ids))), today=today or clock.today_wib())


@dataclass(frozen=True)
class EndingReport:
    ending: list[TermLotRow]
    grace: list[TermLotRow]
    past_grace: list[TermLotRow]

    @property
    def count(self) -> int:
        return len(self.ending) + len(self.grace) + len(self.past_grace)


def ending_report(today: date | None = None) -> EndingReport:
    """The expiring list in its three groups (one statement)."""
    groups = defaultdict(list)
    for row in ending_lots(today):
        groups[row.stage].append(row)
    return EndingReport(groups[NoticeStage.ENDING], groups[NoticeStage.GRACE], groups[NoticeStage.PAST_GRACE])


def return_for_collection(lot_ids: Iterable[int], *, user: User | None, notes: str = "") -> list[ProducerReturn]:
    """Write a nota retur (RT-) per producer for every unit on hand of the chosen lots, for collection."""
    rows = lots_by_id(lot_ids)
    if not rows:
        raise DomainError(_l("Pilih minimal satu lot yang masih ada di rak."), field="lots")
    by_producer: dict[int, list[TermLotRow]] = defaultdict(list)
    for row in rows:
        by_producer[row.producer_id].append(row)
    documents = []
    for producer_id, lots in sorted(by_producer.items()):
        producer = db.session.get(Producer, producer_id)
        documents.append(return_to_producer(
            producer, [ReturnLine(row.lot_id, row.on_hand) for row in lots], ReturnReason.UNSOLD, user=user,
            notes=notes or str(_l("Masa titip berakhir: diambil produsen"))))
    return documents
