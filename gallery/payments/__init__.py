"""Payments: Stripe Checkout, bank transfer with a unique code, pay at the gallery; webhooks and refunds.

Two blueprints: `payments` for shoppers (choosing and following a payment) and Stripe's webhook,
and `payments_staff` under /staff for confirming transfers and gallery payments and for refunds.
"""
from flask import Blueprint

bp = Blueprint("payments", __name__)
staff_bp = Blueprint("payments_staff", __name__)

from gallery.payments import staff_views, views  # noqa: E402,F401
