"""Payments: Stripe Checkout, bank transfer with a unique code, pay at the gallery; webhooks and refunds.

Two blueprints: `payments` for shoppers (choosing and following a payment) and Stripe's webhook,
and `payments_staff` under /staff for confirming transfers and gallery payments and for refunds.
"""
from flask import Blueprint

from gallery.accounts.decorators import check_role
from gallery.accounts.models import Role

bp = Blueprint("payments", __name__)
staff_bp = Blueprint("payments_staff", __name__)


@staff_bp.before_request
def require_back_office():
    """Confirming money and refunding it is for gallery staff and admins only."""
    check_role(*Role.BACK_OFFICE)


from gallery.payments import staff_views, views  # noqa: E402,F401
