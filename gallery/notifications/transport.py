"""Handing one outbox message to its channel: the configured mail backend, or the WhatsApp Cloud API."""
from __future__ import annotations

import smtplib

from flask import current_app
from flask_mailman import EmailMessage

from gallery.notifications.models import Channel, OutboxMessage


class TransportError(Exception):
    """A channel refused or could not take a message; `permanent` when trying again cannot help."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


def _message_id(message: OutboxMessage) -> str:
    """A Message-ID stable for the outbox row, so a mail system that saw it before may drop a copy."""
    sender = current_app.config.get("MAIL_DEFAULT_SENDER") or "galeri@localhost"
    domain = sender.rsplit("@", 1)[-1].strip(" >") or "localhost"
    return f"<outbox-{message.id}@{domain}>"


def _send_email(message: OutboxMessage) -> str:
    message_id = _message_id(message)
    email = EmailMessage(subject=message.subject, body=message.body, to=[message.recipient],
                         headers={"Message-ID": message_id})
    try:
        email.send()
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
        raise TransportError(f"refused: {error}", permanent=True) from None
    except Exception as error:  # noqa: BLE001 - a relay down, a timeout…: tried again later
        raise TransportError(f"{type(error).__name__}: {error}") from None
    return message_id


def send(message: OutboxMessage) -> str:
    """Send one message on its channel; return the provider's id for it, or raise TransportError."""
    if message.channel == Channel.EMAIL:
        return _send_email(message)
    if message.channel == Channel.WHATSAPP:
        from gallery.notifications import whatsapp
        from gallery.notifications.outbox import whatsapp_configured

        if not whatsapp_configured():
            raise TransportError("WhatsApp is not configured (WHATSAPP_TOKEN, WHATSAPP_PHONE_NUMBER_ID)")
        return whatsapp.send_template(message.recipient, message.template or "", message.language,
                                      list(message.parameters or []))
    raise TransportError(f"unknown channel {message.channel!r}", permanent=True)
