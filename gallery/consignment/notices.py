"""Telling producers their consignment term is ending, has ended (grace), or that the grace is over.

`flask consignment notices` (cron) sends each notice once per lot, stage and term end, even when run on
several hosts at the same moment: a notice is first *claimed* by inserting its `ConsignmentNotice` row
with INSERT … ON CONFLICT DO NOTHING … RETURNING, committed before any mail leaves. The UNIQUE row is the
guarantee: of two hosts racing, PostgreSQL makes the second wait for the first's commit and then insert
nothing, so only the first sends. One e-mail per producer lists all its claimed lots; a notice is marked
sent once the mail left (a failing mail server leaves it claimed and unsent, for staff to see, rather
than sending twice). WhatsApp will be a second channel when the shop has one.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from gallery import clock, mail
from gallery.accounts.models import User
from gallery.accounts.contacts import producer_emails
from gallery.consignment.ending import TermLotRow, ending_lots, lots_by_id
from gallery.consignment.term_models import ConsignmentNotice, NoticeStage
from gallery.consignment.terms import END_ACTION_LABELS, STAGE_LABELS
from gallery.errors import DomainError
from gallery.extensions import db


@dataclass
class NoticeRun:
    """What one run sent: notices (lot × stage) per producer, and producers without an e-mail address."""

    sent: int = 0
    producers: int = 0
    without_email: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _insert():
    return (postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert)(
        ConsignmentNotice)


def _claim(items: list[tuple[TermLotRow, str]], user: User | None) -> set[tuple[int, str]]:
    """Insert the notice rows not there yet; return (lot id, stage) of those this call inserted. Commits."""
    if not items:
        return set()
    now = clock.utcnow()
    statement = _insert().values([
        dict(lot_id=row.lot_id, producer_id=row.producer_id, stage=notice_stage, term_ends_on=row.term_ends_on,
             claimed_at=now, sent_to="", created_by_id=user.id if user else None)
        for row, notice_stage in items
    ]).on_conflict_do_nothing(index_elements=["lot_id", "stage", "term_ends_on"]).returning(
        ConsignmentNotice.lot_id, ConsignmentNotice.stage)
    claimed = {(lot_id, notice_stage) for lot_id, notice_stage in db.session.execute(statement)}
    db.session.commit()
    return claimed


def _mark_sent(items: list[tuple[TermLotRow, str]], recipients: list[str]) -> None:
    db.session.execute(
        update(ConsignmentNotice)
        .where(tuple_(ConsignmentNotice.lot_id, ConsignmentNotice.stage, ConsignmentNotice.term_ends_on).in_(
            [(row.lot_id, notice_stage, row.term_ends_on) for row, notice_stage in items]))
        .values(sent_at=clock.utcnow(), sent_to=", ".join(recipients)[:1000])
        .execution_options(synchronize_session=False))
    db.session.commit()


def _send(producer_name: str, items: list[tuple[TermLotRow, str]], recipients: list[str]) -> bool:
    """One mail to each of the producer's addresses listing its lots by stage; True when all left."""
    by_stage = defaultdict(list)
    for row, notice_stage in items:
        by_stage[notice_stage].append(row)
    stages = [(notice_stage, STAGE_LABELS[notice_stage], by_stage[notice_stage])
              for notice_stage in NoticeStage.ALL if by_stage[notice_stage]]
    subject = _("Masa titip barang Anda di Galeri Oleh-oleh Pesisir Selatan")
    return all([mail.send(email, subject, "consignment_notice", producer_name=producer_name, stages=stages,
                          end_action_labels=END_ACTION_LABELS) for email in recipients])


def _deliver(items: list[tuple[TermLotRow, str]], run: NoticeRun) -> None:
    by_producer: dict[int, list[tuple[TermLotRow, str]]] = defaultdict(list)
    for item in items:
        by_producer[item[0].producer_id].append(item)
    emails = producer_emails(by_producer)
    for producer_id, group in by_producer.items():
        name = group[0][0].producer_name
        recipients = emails.get(producer_id, [])
        if not recipients:
            run.without_email.append(name)
            continue
        if _send(name, group, recipients):
            _mark_sent(group, recipients)
            run.sent += len(group)
            run.producers += 1
        else:
            run.failed.append(name)


def send_due_notices(today: date | None = None) -> NoticeRun:
    """Send every notice that is due and not yet sent (or claimed): once per lot, stage and term end."""
    today = today or clock.today_wib()
    rows = [row for row in ending_lots(today) if row.stage is not None]
    run = NoticeRun()
    if not rows:
        return run
    emails = producer_emails({row.producer_id for row in rows})
    # A producer without an address keeps its notices unclaimed, so they go out once it has one.
    run.without_email = sorted({row.producer_name for row in rows if row.producer_id not in emails})
    wanted = [(row, row.stage) for row in rows if row.producer_id in emails]
    claimed = _claim(wanted, None)
    _deliver([(row, notice_stage) for row, notice_stage in wanted if (row.lot_id, notice_stage) in claimed], run)
    return run


def notify_lots(lot_ids: Iterable[int], *, user: User | None) -> NoticeRun:
    """Staff tell the producers of the chosen lots now, whatever was sent before (the notice is recorded)."""
    rows = lots_by_id(lot_ids)
    if not rows:
        raise DomainError(_("Pilih minimal satu lot yang masih ada di rak."), field="lots")
    items = [(row, row.stage or NoticeStage.ENDING) for row in rows]
    _claim(items, user)
    run = NoticeRun()
    _deliver(items, run)
    return run


def notices_of(lot_id: int) -> list[ConsignmentNotice]:
    """The notices about one lot, newest first (one statement)."""
    return list(db.session.scalars(select(ConsignmentNotice).where(ConsignmentNotice.lot_id == lot_id)
                                   .order_by(ConsignmentNotice.claimed_at.desc(), ConsignmentNotice.id.desc())))
