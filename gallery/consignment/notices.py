"""Telling producers their consignment term is ending, has ended (grace), or that the grace is over, and
that a lot of food nears its "baik digunakan sebelum" date.

`flask consignment notices` (cron) sends each term notice once per lot, stage and term end, even when run
on several hosts at the same moment: a notice is *claimed* by inserting its `ConsignmentNotice` row with
INSERT … ON CONFLICT DO NOTHING … RETURNING, and the producer's messages are written to the outbox
(gallery.notifications) in the same transaction, which the command commits once. The UNIQUE row is the
guarantee: of two hosts racing, PostgreSQL makes the second wait for the first's commit and then insert nothing, so only the first writes
messages; the outbox sends each once. One message per producer lists all its claimed lots. A producer that
no channel reaches (no account e-mail, no WhatsApp) keeps its notices unclaimed until one does. An expiring
lot is told once per lot and date (the outbox's dedupe key).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import partial

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from gallery import clock
from gallery.accounts.models import User
from gallery.consignment.ending import TermLotRow, ending_lots, lots_by_id
from gallery.consignment.reports.expiry import expiry_report
from gallery.consignment.term_models import ConsignmentNotice, NoticeStage
from gallery.consignment.terms import END_ACTION_LABELS, STAGE_LABELS
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.notifications.compose import Message, reachable, to_producers
from gallery.templating import local_date


@dataclass
class NoticeRun:
    """What one run queued: notices (lot × stage) per producer, producers no channel reaches, expiring lots."""

    sent: int = 0
    producers: int = 0
    without_email: list[str] = field(default_factory=list)
    expiring: int = 0


def _insert():
    return (postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert)(
        ConsignmentNotice)


def _claim(items: list[tuple[TermLotRow, str]], user: User | None) -> set[tuple[int, str]]:
    """Insert the notice rows not there yet; return (lot id, stage) of those this call inserted (flushes)."""
    if not items:
        return set()
    now = clock.utcnow()
    statement = _insert().values([
        dict(lot_id=row.lot_id, producer_id=row.producer_id, stage=notice_stage, term_ends_on=row.term_ends_on,
             claimed_at=now, sent_to="", created_by_id=user.id if user else None)
        for row, notice_stage in items
    ]).on_conflict_do_nothing(index_elements=["lot_id", "stage", "term_ends_on"]).returning(
        ConsignmentNotice.lot_id, ConsignmentNotice.stage)
    return {(lot_id, notice_stage) for lot_id, notice_stage in db.session.execute(statement)}


def _mark_sent(items: list[tuple[TermLotRow, str]]) -> None:
    db.session.execute(
        update(ConsignmentNotice)
        .where(tuple_(ConsignmentNotice.lot_id, ConsignmentNotice.stage, ConsignmentNotice.term_ends_on).in_(
            [(row.lot_id, notice_stage, row.term_ends_on) for row, notice_stage in items]))
        .values(sent_at=clock.utcnow(), sent_to=_("kotak keluar (surel/WhatsApp)"))
        .execution_options(synchronize_session=False))


def _message(items: list[tuple[TermLotRow, str]]) -> Message:
    """One message listing a producer's lots by stage."""
    by_stage = defaultdict(list)
    for row, notice_stage in items:
        by_stage[notice_stage].append(row)
    stages = [(notice_stage, STAGE_LABELS[notice_stage], by_stage[notice_stage])
              for notice_stage in NoticeStage.ALL if by_stage[notice_stage]]
    name = items[0][0].producer_name
    portal = current_app.config["SHOP_URL"].rstrip("/") + "/portal/stock"
    return Message("consignment_notice", _("Masa titip barang Anda di Galeri Oleh-oleh Pesisir Selatan"),
                   "consignment_notice", {"producer_name": name, "stages": stages,
                                          "end_action_labels": END_ACTION_LABELS},
                   ("galeri_consignment_notice", [name, str(len(items)), portal]))


def _deliver(items: list[tuple[TermLotRow, str]], run: NoticeRun) -> None:
    """Queue one message per producer for its claimed lots and mark them told (joins the transaction)."""
    by_producer: dict[int, list[tuple[TermLotRow, str]]] = defaultdict(list)
    for item in items:
        by_producer[item[0].producer_id].append(item)
    reached = set(to_producers(by_producer, lambda producer: _message(by_producer[producer.id])))
    for producer_id, group in by_producer.items():
        if producer_id in reached:
            _mark_sent(group)
            run.sent += len(group)
            run.producers += 1
        else:
            run.without_email.append(group[0][0].producer_name)


def send_due_notices(today: date | None = None) -> NoticeRun:
    """Queue every notice that is due and not yet claimed (once per lot, stage and term end), and the
    expiring-food notices, in one transaction that the caller (the CLI command) commits."""
    today = today or clock.today_wib()
    rows = [row for row in ending_lots(today) if row.stage is not None]
    run = NoticeRun()
    if rows:
        told = reachable({row.producer_id for row in rows})
        # A producer no channel reaches keeps its notices unclaimed, so they go out once one does.
        run.without_email = sorted({row.producer_name for row in rows if row.producer_id not in told})
        wanted = [(row, row.stage) for row in rows if row.producer_id in told]
        claimed = _claim(wanted, None)
        _deliver([(row, notice_stage) for row, notice_stage in wanted if (row.lot_id, notice_stage) in claimed], run)
    run.expiring = _queue_expiring(today)
    db.session.flush()
    return run


def _expiring_message(row, producer) -> Message:
    return Message("lot_expiring", _("Barang Anda segera kedaluwarsa: %(name)s", name=row.product_name),
                   "lot_expiring", {"row": row},
                   ("galeri_lot_expiring", [producer.business_name, f"{row.product_name} ({row.variant_label})",
                                            str(row.on_hand), local_date(row.expires_on)]))


def _queue_expiring(today: date) -> int:
    """Tell producers, once per lot and date, that a lot of theirs on the shelf expires within
    LOT_EXPIRY_NOTICE_DAYS (joins the transaction); returns how many lots were told now."""
    told = 0
    for row in expiry_report(current_app.config["LOT_EXPIRY_NOTICE_DAYS"], today).expiring:
        key = f"lot_expiring:{row.lot_id}:{row.expires_on}"
        if to_producers([row.producer_id], partial(_expiring_message, row), dedupe_key=lambda _producer, key=key: key):
            told += 1
    return told


def notify_lots(lot_ids: Iterable[int], *, user: User | None) -> NoticeRun:
    """Staff tell the producers of the chosen lots now, whatever was sent before (the notice is recorded)."""
    rows = lots_by_id(lot_ids)
    if not rows:
        raise DomainError(_("Pilih minimal satu lot yang masih ada di rak."), field="lots")
    items = [(row, row.stage or NoticeStage.ENDING) for row in rows]
    _claim(items, user)
    run = NoticeRun()
    _deliver(items, run)
    db.session.flush()
    return run


def notices_of(lot_id: int) -> list[ConsignmentNotice]:
    """The notices about one lot, newest first (one statement)."""
    return list(db.session.scalars(select(ConsignmentNotice).where(ConsignmentNotice.lot_id == lot_id)
                                   .order_by(ConsignmentNotice.claimed_at.desc(), ConsignmentNotice.id.desc())))
