"""Consignment terms: how long a lot stays on consignment, the grace days to collect it, and what happens then.

Each producer may have terms of its own (`ConsignmentTerms`); whatever it leaves open follows the gallery's
settings (CONSIGNMENT_TERM_DAYS, CONSIGNMENT_GRACE_DAYS, return to the producer). A lot's term end is fixed
at intake from its receipt day (WIB) and only moves when staff extend it, with a reason kept in
`LotTermChange`. A lot is *ending* in the CONSIGNMENT_NOTICE_DAYS before its term end, *in grace* from the
day after its term end for the grace days, and *past grace* after that. Services here flush (the caller commits
once per use case); a refusal changes nothing.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from gallery import clock
from gallery.accounts.models import User
from gallery.catalog.models import Producer
from gallery.consignment.models import Lot
from gallery.consignment.term_models import ConsignmentTerms, EndAction, LotTermChange, NoticeStage
from gallery.errors import DomainError
from gallery.extensions import db

MAX_TERM_DAYS = 730
MAX_GRACE_DAYS = 365
MAX_REASON = 500


@dataclass(frozen=True)
class Terms:
    """A producer's terms in force: its own where it has them, the gallery's settings elsewhere."""

    term_days: int
    grace_days: int
    end_action: str
    donation_consent_on: date | None = None
    markdown_consent_on: date | None = None
    own: bool = False  # the producer has terms of its own (any of them)

    def term_end(self, received_on: date) -> date:
        """The last day of the term of goods received on `received_on`."""
        return received_on + timedelta(days=self.term_days)

    def grace_end(self, term_ends_on: date) -> date:
        """The last day to collect goods whose term ended on `term_ends_on`."""
        return term_ends_on + timedelta(days=self.grace_days)

    @property
    def agreed_to_markdowns(self) -> bool:
        return self.markdown_consent_on is not None


def default_terms() -> Terms:
    """The gallery's settings, for producers without terms of their own."""
    config = current_app.config
    return Terms(int(config["CONSIGNMENT_TERM_DAYS"]), int(config["CONSIGNMENT_GRACE_DAYS"]), EndAction.RETURN)


def _merged(row: ConsignmentTerms | None, defaults: Terms) -> Terms:
    if row is None:
        return defaults
    return Terms(
        term_days=row.term_days if row.term_days is not None else defaults.term_days,
        grace_days=row.grace_days if row.grace_days is not None else defaults.grace_days,
        end_action=row.end_action or defaults.end_action,
        donation_consent_on=row.donation_consent_on, markdown_consent_on=row.markdown_consent_on, own=True)


def terms_for(producer_ids: Iterable[int]) -> dict[int, Terms]:
    """The terms in force for each producer (one statement)."""
    ids = sorted(set(producer_ids))
    defaults = default_terms()
    rows = {row.producer_id: row for row in db.session.scalars(
        select(ConsignmentTerms).where(ConsignmentTerms.producer_id.in_(ids)))}
    return {producer_id: _merged(rows.get(producer_id), defaults) for producer_id in ids}


def terms_of(producer_id: int) -> Terms:
    """One producer's terms in force (one statement)."""
    return terms_for([producer_id])[producer_id]


def own_terms(producer_id: int) -> ConsignmentTerms | None:
    """The producer's own row, to fill the staff form (None: it follows the settings)."""
    return db.session.get(ConsignmentTerms, producer_id)


def term_end_at_intake(producer_id: int, received_at: datetime) -> date:
    """The term end of a lot of this producer received at `received_at` (its WIB day + the term)."""
    return terms_of(producer_id).term_end(clock.to_wib(received_at).date())


def stage(term_ends_on: date, grace_days: int, today: date | None = None, notice_days: int | None = None) -> str | None:
    """Where a lot is on `today`: ending (within the notice days before its term end), in grace, past grace,
    or None while its term end is further away."""
    today = today or clock.today_wib()
    if notice_days is None:
        notice_days = int(current_app.config["CONSIGNMENT_NOTICE_DAYS"])
    if today > term_ends_on + timedelta(days=grace_days):
        return NoticeStage.PAST_GRACE
    if today > term_ends_on:
        return NoticeStage.GRACE
    if today >= term_ends_on - timedelta(days=notice_days):
        return NoticeStage.ENDING
    return None


@dataclass(frozen=True)
class TermsInput:
    """What staff set on a producer's terms; None follows the gallery's setting."""

    term_days: int | None = None
    grace_days: int | None = None
    end_action: str | None = None
    donation_consent_on: date | None = None
    markdown_consent_on: date | None = None


def _check(data: TermsInput) -> None:
    if data.term_days is not None and not 1 <= data.term_days <= MAX_TERM_DAYS:
        raise DomainError(_l("Masa titip antara 1 dan %(n)s hari.", n=MAX_TERM_DAYS), field="term_days")
    if data.grace_days is not None and not 0 <= data.grace_days <= MAX_GRACE_DAYS:
        raise DomainError(_l("Masa tenggang antara 0 dan %(n)s hari.", n=MAX_GRACE_DAYS), field="grace_days")
    if data.end_action is not None and data.end_action not in EndAction.ALL:
        raise DomainError(_l("Pilih apa yang terjadi setelah masa tenggang."), field="end_action")
    if data.end_action == EndAction.DONATE and data.donation_consent_on is None:
        raise DomainError(_l("Menyumbangkan atau menghapus barang hanya dengan persetujuan tertulis produsen: "
                             "isi tanggal persetujuannya."), field="donation_consent_on")
    today = clock.today_wib()
    for name in ("donation_consent_on", "markdown_consent_on"):
        if (day := getattr(data, name)) is not None and day > today:
            raise DomainError(_l("Tanggal persetujuan tidak boleh di masa depan."), field=name)


def set_terms(producer: Producer, data: TermsInput, *, user: User | None) -> Terms:
    """Record a producer's own terms (lots already received keep their term end; new ones follow these)."""
    _check(data)
    row = db.session.get(ConsignmentTerms, producer.id) or ConsignmentTerms(producer_id=producer.id)
    row.term_days, row.grace_days, row.end_action = data.term_days, data.grace_days, data.end_action
    row.donation_consent_on, row.markdown_consent_on = data.donation_consent_on, data.markdown_consent_on
    row.updated_at, row.updated_by_id = clock.utcnow(), user.id if user else None
    db.session.add(row)
    db.session.flush()
    return terms_of(producer.id)


def extend_terms(lot_ids: Iterable[int], *, days: int, reason: str, user: User | None) -> list[LotTermChange]:
    """Move the term end of each lot `days` later, with the reason; all lots or none."""
    ids = sorted(set(lot_ids))
    if not ids:
        raise DomainError(_l("Pilih minimal satu lot."), field="lots")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_TERM_DAYS:
        raise DomainError(_l("Perpanjang antara 1 dan %(n)s hari.", n=MAX_TERM_DAYS), field="days")
    text = (reason or "").strip()
    if not text:
        raise DomainError(_l("Alasan perpanjangan wajib diisi."), field="reason")
    lots = list(db.session.scalars(select(Lot).where(Lot.id.in_(ids)).order_by(Lot.id).with_for_update()))
    if len(lots) != len(ids):
        db.session.rollback()
        raise DomainError(_l("Ada lot yang tidak dikenal."), field="lots")
    now, changes = clock.utcnow(), []
    for lot in lots:
        new_end = lot.term_ends_on + timedelta(days=days)
        changes.append(LotTermChange(lot_id=lot.id, previous_end=lot.term_ends_on, new_end=new_end,
                                     reason=text[:MAX_REASON], created_at=now,
                                     created_by_id=user.id if user else None))
        lot.term_ends_on = new_end
    db.session.add_all(changes)
    db.session.flush()
    return changes


END_ACTION_LABELS = {
    EndAction.RETURN: _l("dikembalikan kepada produsen"),
    EndAction.DONATE: _l("disumbangkan/dihapus (dengan persetujuan tertulis)"),
}
STAGE_LABELS = {
    NoticeStage.ENDING: _l("masa titip segera berakhir"),
    NoticeStage.GRACE: _l("dalam masa tenggang"),
    NoticeStage.PAST_GRACE: _l("masa tenggang lewat"),
}
