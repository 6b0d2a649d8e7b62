"""Sending email through Flask-Mailman's configured backend, rendered from templates/mail/*.txt.

A message is rendered in the request (it needs the request's language and data) and, with
MAIL_SEND_IN_BACKGROUND (on except in tests), handed to this process's mail thread, so a checkout never
waits for the SMTP relay: a slow relay held a sync worker for the whole exchange with it.
"""
from __future__ import annotations

import atexit
import logging
import queue
import threading

from flask import Flask, current_app, render_template
from flask_mailman import EmailMessage

log = logging.getLogger(__name__)

_outgoing: queue.Queue[tuple[Flask, EmailMessage]] = queue.Queue()
_sender: threading.Thread | None = None
_sender_lock = threading.Lock()


def _deliver(message: EmailMessage) -> bool:
    try:
        message.send()
    except Exception:  # noqa: BLE001 - any transport error is only logged
        log.exception("could not send %r to %s", message.subject, message.to)
        return False
    return True


def _send_queued() -> None:
    while True:
        app, message = _outgoing.get()
        try:
            with app.app_context():
                _deliver(message)
        finally:
            _outgoing.task_done()


def _start_sender() -> None:
    """One mail thread per process, started on first use (after gunicorn forked its workers)."""
    global _sender
    with _sender_lock:
        if _sender is None or not _sender.is_alive():
            _sender = threading.Thread(target=_send_queued, name="mail-sender", daemon=True)
            _sender.start()


def wait_until_sent(timeout: float | None = None) -> None:
    """Block until every queued message was handed to the mail server (at exit, and for tests)."""
    if _sender is None:
        return
    done = threading.Event()
    threading.Thread(target=lambda: (_outgoing.join(), done.set()), daemon=True).start()
    done.wait(timeout)


atexit.register(wait_until_sent, 30)


def send(to: str | None, subject: str, template: str, **context) -> bool:
    """Send one plain-text message; a failing mail server is logged, never raised into the caller.

    Email is a courtesy copy of what the shop already shows on its pages, so a broken SMTP relay
    must not undo an order that was placed. Sent in the background, True means queued.
    """
    if not to:
        return False
    body = render_template(f"mail/{template}.txt", shop_url=current_app.config["SHOP_URL"], **context)
    message = EmailMessage(subject=subject, body=body, to=[to])
    if not current_app.config["MAIL_SEND_IN_BACKGROUND"]:
        return _deliver(message)
    _start_sender()
    _outgoing.put((current_app._get_current_object(), message))
    return True
