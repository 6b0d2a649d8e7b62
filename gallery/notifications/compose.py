"""Composing a message once and queueing it on every channel its recipient chose.

Each domain says what happened (gallery.orders.notifications, gallery.settlements.services…) as a
`Message`: the e-mail's subject and template (templates/mail/<name>.txt) and the WhatsApp template with
its body parameters. Shoppers get the e-mail when they gave an address and WhatsApp when they ticked it at
checkout; producers as they chose in the portal (e-mail unless they said otherwise). Producer messages are
written in the gallery's default language, whoever's request caused them.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask import current_app, render_template
from flask_babel import force_locale, get_locale
from sqlalchemy import select

from gallery.accounts.contacts import producer_emails
from gallery.catalog.models import Producer
from gallery.extensions import db
from gallery.notifications import outbox
from gallery.notifications.models import ProducerChannels


@dataclass(frozen=True)
class Message:
    """What to say: `kind` names it in the outbox; `whatsapp` is (template name, body parameters)."""

    kind: str
    subject: str
    mail_template: str
    context: dict = field(default_factory=dict)
    whatsapp: tuple[str, list[str]] | None = None


def language() -> str:
    """The language messages are written in now: the request's, else the gallery's default."""
    locale = get_locale()
    return str(locale) if locale else current_app.config["BABEL_DEFAULT_LOCALE"]


def render_email(mail_template: str, **context) -> str:
    """The plain-text body of an e-mail from templates/mail/<name>.txt."""
    return render_template(f"mail/{mail_template}.txt", shop_url=current_app.config["SHOP_URL"].rstrip("/"),
                           **context)


def to_address(message: Message, email: str | None, *, sensitive: bool = False, order_id: int | None = None,
               dedupe_key: str | None = None) -> None:
    """Queue an e-mail to one address (accounts, partners: people known only by their address)."""
    if not email:
        return
    outbox.add_email(message.kind, email, message.subject, render_email(message.mail_template, **message.context),
                     sensitive=sensitive, order_id=order_id, dedupe_key=dedupe_key, language=language())


def to_order_contact(order, message: Message, *, dedupe_key: str | None = None) -> None:
    """Queue a message to the shopper of `order`: e-mail when given, WhatsApp when chosen at checkout."""
    to_address(message, order.contact_email, order_id=order.id, dedupe_key=dedupe_key)
    if order.notify_whatsapp and message.whatsapp is not None:
        template, parameters = message.whatsapp
        outbox.add_whatsapp(message.kind, order.contact_whatsapp, template, parameters, language=language(),
                            order_id=order.id, dedupe_key=dedupe_key)


def channels_of(producer_ids: Iterable[int]) -> dict[int, ProducerChannels]:
    """Each producer's channel choice; a producer that never chose gets e-mail only (one statement)."""
    ids = list(producer_ids)
    found = {row.producer_id: row for row in db.session.scalars(
        select(ProducerChannels).where(ProducerChannels.producer_id.in_(ids)))} if ids else {}
    return {pid: found.get(pid) or ProducerChannels(producer_id=pid, by_email=True, by_whatsapp=False)
            for pid in ids}


def reachable(producer_ids: Iterable[int]) -> set[int]:
    """The producers that some channel they chose can reach now (an account's e-mail, or WhatsApp)."""
    ids = sorted(set(producer_ids))
    if not ids:
        return set()
    emails = producer_emails(ids)
    channels = channels_of(ids)
    whatsapp = dict(db.session.execute(select(Producer.id, Producer.whatsapp).where(Producer.id.in_(ids)))) \
        if outbox.whatsapp_configured() else {}
    return {pid for pid in ids
            if (channels[pid].by_email and emails.get(pid)) or (channels[pid].by_whatsapp and whatsapp.get(pid))}


def to_producers(producer_ids: Iterable[int], build: Callable[[Producer], Message | None], *,
                 dedupe_key: Callable[[Producer], str] | None = None, order_id: int | None = None) -> list[int]:
    """Queue `build(producer)` to each producer on its channels, in the gallery's language.

    Returns the ids of the producers something was queued for (none: no address and no WhatsApp).
    """
    ids = sorted(set(producer_ids))
    if not ids:
        return []
    producers = {p.id: p for p in db.session.scalars(select(Producer).where(Producer.id.in_(ids)))}
    emails = producer_emails(ids)
    channels = channels_of(ids)
    reached = []
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        for producer_id in ids:
            producer = producers.get(producer_id)
            message = build(producer) if producer is not None else None
            if message is None:
                continue
            key = dedupe_key(producer) if dedupe_key else None
            queued = False
            if channels[producer_id].by_email:
                body = render_email(message.mail_template, producer=producer, **message.context)
                for email in emails.get(producer_id, []):
                    queued |= outbox.add_email(message.kind, email, message.subject, body, producer_id=producer_id,
                                               order_id=order_id, dedupe_key=key, language=language()) is not None
            if channels[producer_id].by_whatsapp and message.whatsapp is not None:
                template, parameters = message.whatsapp
                queued |= outbox.add_whatsapp(message.kind, producer.whatsapp, template, parameters,
                                              language=language(), producer_id=producer_id, order_id=order_id,
                                              dedupe_key=key) is not None
            if queued:
                reached.append(producer_id)
    return reached
