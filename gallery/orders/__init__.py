"""Orders: placing them, the state machine, fulfilment and counter sales.

Two blueprints: `orders` for shoppers (checkout, the order page, their order history) and
`orders_staff` under /staff for fulfilment and the counter.
"""
from flask import Blueprint

bp = Blueprint("orders", __name__)
staff_bp = Blueprint("orders_staff", __name__)

from gallery.orders import (  # noqa: E402,F401
    checkout_views,
    documents_views,
    staff_views,
    till_views,
    tracking_views,
    views,
)
