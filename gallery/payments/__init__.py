"""Payments: the gateways (Stripe Checkout, Midtrans), bank transfer with a unique code, pay at the
gallery, Pos cash on delivery; notifications and refunds.

`core` holds the payment states and the one paid-transition; `gateways/` one module per provider;
`transfers`, `desk` (the till), `cod` (the agency's remittances) and `refunds` the rest. Two
blueprints: `payments` for shoppers (choosing and following a payment) and the gateways'
notifications, and `payments_staff` under /staff for confirming money, COD remittances and refunds.
"""
from flask import Blueprint

bp = Blueprint("payments", __name__)
staff_bp = Blueprint("payments_staff", __name__)

from gallery.payments import staff_views, views  # noqa: E402,F401
