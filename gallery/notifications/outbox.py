"""Writing messages to the outbox, in the transaction of the change that causes them.

`add_email` and `add_whatsapp` add one row and flush: if the caller's transaction rolls back, the message
never existed. When the session commits, the ids written in it are handed to gallery.notifications.dispatch
(RQ on Redis when REDIS_URL is set, otherwise sent inline right after the commit), so nothing leaves
before the change it reports is durable, and a broken relay loses nothing: the row waits for its retry.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gallery import after_commit, clock
from gallery.extensions import db
from gallery.notifications.models import Channel, OutboxMessage



def whatsapp_configured() -> bool:
    """WhatsApp is used only when the Cloud API's token and sending number are set."""
    return bool(current_app.config.get("WHATSAPP_TOKEN") and current_app.config.get("WHATSAPP_PHONE_NUMBER_ID"))


def _add(message: OutboxMessage) -> OutboxMessage | None:
    """Flush one message and remember its id for after the commit; None when its dedupe key was used.

    A message with a dedupe key is inserted in a savepoint: if another transaction wrote the same key
    meanwhile (two hosts running the same job), only this insert is undone, never the caller's work.
    """
    message.created_at = message.next_attempt_at = clock.utcnow()
    if message.dedupe_key is None:
        db.session.add(message)
        db.session.flush()
    else:
        if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == message.dedupe_key)):
            return None
        try:
            with db.session.begin_nested():
                db.session.add(message)
        except IntegrityError:
            return None
    send_after_commit(message.id)
    return message


def send_after_commit(message_id: int) -> None:
    """Hand a pending message to the dispatcher once the current transaction commits."""
    after_commit.defer("outbox", [message_id])


def add_email(kind: str, to: str | None, subject: str, body: str, *, order_id: int | None = None,
              producer_id: int | None = None, sensitive: bool = False, dedupe_key: str | None = None,
              language: str = "id") -> OutboxMessage | None:
    """Queue one e-mail (joins the caller's transaction); nothing when there is no address."""
    if not to:
        return None
    return _add(OutboxMessage(kind=kind, channel=Channel.EMAIL, recipient=to, subject=subject[:200], body=body,
                              language=language, parameters=[], sensitive=sensitive, order_id=order_id,
                              producer_id=producer_id, dedupe_key=dedupe_key and f"{dedupe_key}:email:{to}"))


def add_whatsapp(kind: str, to: str | None, template: str, parameters: list[str], *, language: str = "id",
                 order_id: int | None = None, producer_id: int | None = None,
                 dedupe_key: str | None = None) -> OutboxMessage | None:
    """Queue one WhatsApp template message (joins the caller's transaction); nothing when WhatsApp is not
    configured or there is no number."""
    if not to or not whatsapp_configured():
        return None
    return _add(OutboxMessage(kind=kind, channel=Channel.WHATSAPP, recipient=to, template=template,
                              parameters=[str(value)[:1000] for value in parameters], language=language,
                              order_id=order_id, producer_id=producer_id,
                              dedupe_key=dedupe_key and f"{dedupe_key}:whatsapp:{to}"))


def _hand_over(ids: list[int]) -> None:
    from gallery.notifications import dispatch

    dispatch.after_commit(ids)


def init_app(app) -> None:
    """Hand the messages of every committed transaction to the dispatcher (gallery.after_commit)."""
    after_commit.register("outbox", _hand_over)
