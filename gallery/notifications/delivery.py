"""Sending outbox messages: each once at most, tried again with backoff, given up to staff when it fails.

A message is *claimed* before it is sent, by a conditional UPDATE from pending to sending that only one
worker can win, and the claim is committed (by gallery.notifications.jobs, the edge that runs these
steps); only the winner sends. So two workers, a worker and the periodic sweep, or
an RQ job delivered twice never send one message twice. A transport failure puts it back to pending with
its next attempt later (BACKOFF_MINUTES); after NOTIFICATION_MAX_ATTEMPTS, or when the channel says it can
never work, it is failed and waits for staff (`resend`). A worker that died while sending leaves the message
claimed: after SENDING_TIMEOUT it is failed with "outcome unknown", never sent again on its own.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

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


def claim(session: Session, message_id: int) -> bool:
    """Claim one due message for this worker: a conditional UPDATE from pending to sending that only one
    worker can win. The caller (gallery.notifications.jobs) commits the claim before sending."""
    now = clock.utcnow()
    claimed = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == MessageStatus.PENDING,
               OutboxMessage.next_attempt_at <= now)
        .values(status=MessageStatus.SENDING, claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    return claimed == 1


def send_claimed(session: Session, message_id: int) -> Outcome:
    """Send a message this worker claimed and record what happened on `session` (the caller commits)."""
    message = session.get(OutboxMessage, message_id)
    try:
        provider_id = transport.send(message)
    except TransportError as error:
        return _failed(message, str(error), permanent=error.permanent)
    except Exception as error:  # noqa: BLE001 - a bug in one message must not stop the others
        log.exception("outbox message %s could not be sent", message_id)
        return _failed(message, f"{type(error).__name__}: {error}", permanent=False)
    message.status = MessageStatus.SENT
    message.sent_at = clock.utcnow()
    message.provider_message_id = (provider_id or "")[:160] or None
    message.last_error = ""
    if message.sensitive:
        message.body = ""
    return Outcome("sent")


def _failed(message: OutboxMessage, error: str, *, permanent: bool) -> Outcome:
    log.warning("outbox message %s (%s to %s) failed, attempt %s: %s", message.id, message.kind,
                message.channel, message.attempts, error)
    message.last_error = error[:500]
    if permanent or message.attempts >= current_app.config["NOTIFICATION_MAX_ATTEMPTS"]:
        message.status = MessageStatus.FAILED
        return Outcome("failed")
    delay = backoff(message.attempts)
    message.status = MessageStatus.PENDING
    message.next_attempt_at = clock.utcnow() + delay
    return Outcome("retry", delay)


def give_up_dead_claims(now: datetime) -> int:
    """Fail messages whose worker died while sending (outcome unknown); how many (the caller commits)."""
    return db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == MessageStatus.SENDING, OutboxMessage.claimed_at <= now - SENDING_TIMEOUT)
        .values(status=MessageStatus.FAILED,
                last_error="outcome unknown: the sender stopped while sending; check before resending")
        .execution_options(synchronize_session=False)
    ).rowcount


def due_ids(now: datetime, limit: int = 500) -> list[int]:
    """The ids of pending messages whose attempt is due at `now`, the longest waiting first."""
    return list(db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == MessageStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)))


def resend(message: OutboxMessage, *, user: User) -> OutboxMessage:
    """Staff send a failed message again: it is tried afresh (as many attempts) right after the caller's
    commit. A conditional UPDATE from failed: of two staff pressing at once only one resends."""
    now = clock.utcnow()
    changed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.status == MessageStatus.FAILED)
        .values(status=MessageStatus.PENDING, attempts=0, next_attempt_at=now, resent_at=now,
                resent_by_id=user.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:  # nothing was written
        raise DomainError(_l("Pesan ini tidak gagal (lagi): hanya pesan yang gagal bisa dikirim ulang."))
    send_after_commit(message.id)
    return message
