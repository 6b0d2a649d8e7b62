"""Sending outbox messages: each once at most, tried again with backoff, given up to staff when it fails.

A message is *claimed* before it is sent, by a conditional UPDATE from pending to sending that only one
worker can win, and committed; only the winner sends. So two workers, a worker and the periodic sweep, or
an RQ job delivered twice never send one message twice. A transport failure puts it back to pending with
its next attempt later (BACKOFF_MINUTES); after NOTIFICATION_MAX_ATTEMPTS, or when the channel says it can
never work, it is failed and waits for staff (`resend`). A worker that died while sending leaves the message
claimed: after SENDING_TIMEOUT it is failed with "outcome unknown", never sent again on its own.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gallery import clock
from gallery.accounts.models import User
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.notifications import transport
from gallery.notifications.models import MessageStatus, OutboxMessage
from gallery.notifications.outbox import send_after_commit
from gallery.notifications.transport import TransportError

log = logging.getLogger(__name__)

# Minutes to wait before the 2nd, 3rd… attempt; the last value repeats.
BACKOFF_MINUTES = (1, 5, 15, 60, 240)
SENDING_TIMEOUT = timedelta(minutes=15)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt (1 → 1 minute, 2 → 5 minutes…)."""
    index = min(max(attempts, 1), len(BACKOFF_MINUTES)) - 1
    return timedelta(minutes=BACKOFF_MINUTES[index])


@dataclass(frozen=True)
class Outcome:
    """What one delivery did: sent, retry (with `delay`), failed, or skipped (someone else has it)."""

    result: str
    delay: timedelta | None = None


def _claim(session: Session, message_id: int) -> bool:
    now = clock.utcnow()
    claimed = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == MessageStatus.PENDING,
               OutboxMessage.next_attempt_at <= now)
        .values(status=MessageStatus.SENDING, claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    return claimed == 1


def deliver(message_id: int, session: Session | None = None) -> Outcome:
    """Claim one due message and send it; record what happened (commits `session`, db.session by default)."""
    session = session or db.session
    if not _claim(session, message_id):
        return Outcome("skipped")
    message = session.get(OutboxMessage, message_id)
    try:
        provider_id = transport.send(message)
    except TransportError as error:
        return _failed(session, message, str(error), permanent=error.permanent)
    except Exception as error:  # noqa: BLE001 - a bug in one message must not stop the others
        log.exception("outbox message %s could not be sent", message_id)
        return _failed(session, message, f"{type(error).__name__}: {error}", permanent=False)
    message.status = MessageStatus.SENT
    message.sent_at = clock.utcnow()
    message.provider_message_id = (provider_id or "")[:160] or None
    message.last_error = ""
    if message.sensitive:
        message.body = ""
    session.commit()
    return Outcome("sent")


def _failed(session: Session, message: OutboxMessage, error: str, *, permanent: bool) -> Outcome:
    log.warning("outbox message %s (%s to %s) failed, attempt %s: %s", message.id, message.kind,
                message.channel, message.attempts, error)
    message.last_error = error[:500]
    if permanent or message.attempts >= current_app.config["NOTIFICATION_MAX_ATTEMPTS"]:
        message.status = MessageStatus.FAILED
        session.commit()
        return Outcome("failed")
    delay = backoff(message.attempts)
    message.status = MessageStatus.PENDING
    message.next_attempt_at = clock.utcnow() + delay
    session.commit()
    return Outcome("retry", delay)


def deliver_inline(message_ids: Iterable[int]) -> None:
    """Send freshly committed messages in this process, on a session of their own (called after a commit,
    when the caller's session may not run SQL); never raises into the caller."""
    try:
        with Session(db.engine, expire_on_commit=False) as session:
            for message_id in message_ids:
                deliver(message_id, session)
    except Exception:  # noqa: BLE001 - the change was committed; the sweep tries the message again
        log.exception("inline delivery of outbox messages %s stopped", list(message_ids))


@dataclass
class SweepRun:
    """What one sweep did: messages found due, and claims given up as failed."""

    due: list[int] = field(default_factory=list)
    abandoned: int = 0


def sweep(limit: int = 500) -> SweepRun:
    """Fail messages whose worker died while sending (outcome unknown) and return the ids now due."""
    now = clock.utcnow()
    run = SweepRun()
    run.abandoned = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == MessageStatus.SENDING, OutboxMessage.claimed_at <= now - SENDING_TIMEOUT)
        .values(status=MessageStatus.FAILED,
                last_error="outcome unknown: the sender stopped while sending; check before resending")
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    run.due = list(db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == MessageStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)))
    return run


def resend(message: OutboxMessage, *, user: User) -> OutboxMessage:
    """Staff send a failed message again: it is tried afresh (as many attempts) right after the commit."""
    now = clock.utcnow()
    changed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.status == MessageStatus.FAILED)
        .values(status=MessageStatus.PENDING, attempts=0, next_attempt_at=now, resent_at=now,
                resent_by_id=user.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        raise DomainError(_l("Pesan ini tidak gagal (lagi): hanya pesan yang gagal bisa dikirim ulang."))
    send_after_commit(message.id)
    db.session.commit()
    db.session.refresh(message)
    return message
