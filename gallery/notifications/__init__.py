"""Messages to shoppers and producers that are never lost: an outbox written with the change that causes
them, sent once by a worker (RQ on Redis, or inline after the commit), retried with backoff, and shown to
staff when they fail (/staff/notifications). Channels: e-mail and WhatsApp Business template messages.
"""
from flask import Blueprint

staff_bp = Blueprint("notifications_staff", __name__, url_prefix="/staff/notifications")

from gallery.notifications import staff_views  # noqa: E402,F401
