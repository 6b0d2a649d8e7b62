"""Orders: placing them, the state machine, fulfilment and counter sales.

Two blueprints: `orders` for shoppers (checkout, the order page, their order history) and
`orders_staff` under /staff for fulfilment and the counter.
"""
from flask import Blueprint

bp = Blueprint("orders", __name__)
staff_bp = Blueprint("orders_staff", __name__)

from gallery.orders import checkout_views, staff_views, tracking_views, views  # noqa: E402,F401
