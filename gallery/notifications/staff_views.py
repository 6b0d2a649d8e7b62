"""Staff: the outbox (/staff/notifications): failed messages first, with their error, and a resend button.

Views parse and render; gallery.notifications.delivery decides and flushes; the views commit. The list
runs a fixed number of statements whatever its size.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from gallery.errors import DomainError
from gallery.extensions import db
from gallery.notifications import delivery, staff_bp as bp
from gallery.notifications.models import MessageStatus, OutboxMessage
from gallery.pagination import PageNumbers, clamp_page

PER_PAGE = 50
STATUS_LABELS = {
    MessageStatus.PENDING: _l("Menunggu dikirim"),
    MessageStatus.SENDING: _l("Sedang dikirim"),
    MessageStatus.SENT: _l("Terkirim"),
    MessageStatus.FAILED: _l("Gagal"),
}


@dataclass
class OutboxPage(PageNumbers):
    total: int
    page: int
    per_page: int


def _status_arg() -> str:
    wanted = request.args.get("status", MessageStatus.FAILED)
    return wanted if wanted in MessageStatus.ALL else MessageStatus.FAILED


@bp.route("")
def index():
    status = _status_arg()
    counts = dict(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    total = counts.get(status, 0)
    page = clamp_page(request.args.get("page", 1, type=int) or 1, total, PER_PAGE)
    messages = list(db.session.scalars(
        select(OutboxMessage).options(selectinload(OutboxMessage.order), selectinload(OutboxMessage.producer))
        .where(OutboxMessage.status == status)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)))
    return render_template("notifications/staff/index.html", messages=messages, status=status, counts=counts,
                           statuses=MessageStatus.ALL, labels=STATUS_LABELS,
                           results=OutboxPage(total, page, PER_PAGE))


@bp.route("/<int:message_id>/resend", methods=["POST"])
def resend(message_id: int):
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    try:
        delivery.resend(message, user=current_user)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()  # without Redis the message is sent right after this commit
        db.session.refresh(message)
        if message.status == MessageStatus.SENT:
            flash(_("Pesan terkirim ulang ke %(to)s.", to=message.recipient), "success")
        else:
            flash(_("Pesan dijadwalkan ulang untuk %(to)s.", to=message.recipient), "info")
    return redirect(url_for(".index", status=MessageStatus.FAILED), code=303)
