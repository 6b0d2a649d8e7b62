"""Sending email through Flask-Mailman's configured backend, rendered from templates/mail/*.txt."""
from __future__ import annotations

import logging

from flask import current_app, render_template
from flask_mailman import EmailMessage

log = logging.getLogger(__name__)


def send(to: str | None, subject: str, template: str, **context) -> bool:
    """Send one plain-text message; a failing mail server is logged, never raised into the caller.

    Email is a courtesy copy of what the shop already shows on its pages, so a broken SMTP relay
    must not undo an order that was placed.
    """
    if not to:
        return False
    body = render_template(f"mail/{template}.txt", shop_url=current_app.config["SHOP_URL"], **context)
    try:
        EmailMessage(subject=subject, body=body, to=[to]).send()
    except Exception:  # noqa: BLE001 - any transport error is only logged
        log.exception("could not send %r to %s", subject, to)
        return False
    return True
