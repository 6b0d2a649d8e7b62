"""The edges that send outbox messages, each committing its own steps: one delivery (inline after a
commit, or the RQ job), and the sweep behind `flask notifications send`.

A delivery commits twice on purpose: the claim (gallery.notifications.delivery.claim) is committed
before the message goes out, so a second worker, the sweep or an RQ job delivered twice finds it taken
and never sends it again; what the transport answered is committed after. The sweep commits the claims
it gives up before it reads what is due.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy.orm import Session

from gallery import clock
from gallery.extensions import db
from gallery.notifications import delivery, dispatch
from gallery.notifications.delivery import Outcome

log = logging.getLogger(__name__)


def deliver(message_id: int, session: Session | None = None) -> Outcome:
    """Claim one due message and send it; record what happened (commits `session`, db.session by default)."""
    session = session or db.session
    claimed = delivery.claim(session, message_id)
    session.commit()  # the claim is durable before anything is sent
    if not claimed:
        return Outcome("skipped")
    outcome = delivery.send_claimed(session, message_id)
    session.commit()
    return outcome


def deliver_inline(message_ids: Iterable[int]) -> None:
    """Send freshly committed messages in this process, on a session of their own (called after a commit,
    when the caller's session may not run SQL); never raises into the caller."""
    try:
        with Session(db.engine, expire_on_commit=False) as session:
            for message_id in message_ids:
                deliver(message_id, session)
    except Exception:  # noqa: BLE001 - the change was committed; the sweep tries the message again
        log.exception("inline delivery of outbox messages %s stopped", list(message_ids))


def deliver_job(message_id: int) -> str:
    """The RQ job: send one message; after a transport failure schedule its next attempt."""
    try:
        outcome = deliver(message_id)
        if outcome.result == "retry":
            dispatch.enqueue([message_id], delay=outcome.delay)
        return outcome.result
    finally:
        db.session.remove()


def send_due(limit: int = 500) -> tuple[int, int]:
    """The sweep (`flask notifications send`): give up dead claims, then send or queue every due message.

    Returns (messages handled, claims given up).
    """
    now = clock.utcnow()
    abandoned = delivery.give_up_dead_claims(now)
    db.session.commit()
    due = delivery.due_ids(now, limit)
    if due and dispatch.uses_queue():
        try:
            dispatch.enqueue(due)
            return len(due), abandoned
        except Exception:  # noqa: BLE001 - Redis down: send them from here rather than not at all
            log.exception("could not queue due outbox messages; sending them inline")
    for message_id in due:
        deliver(message_id)
    return len(due), abandoned
