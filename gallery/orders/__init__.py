"""Orders: placing them, the state machine, fulfilment and counter sales.

Two blueprints: `orders` for shoppers (checkout, the order page, their order history) and
`orders_staff` under /staff for fulfilment and the counter.
"""
from flask import Blueprint

from gallery.accounts.decorators import check_role
from gallery.accounts.models import Role

bp = Blueprint("orders", __name__)
staff_bp = Blueprint("orders_staff", __name__)


@staff_bp.before_request
def require_back_office():
    """Fulfilment and the counter are for gallery staff and admins only."""
    check_role(*Role.BACK_OFFICE)


from gallery.orders import checkout_views, staff_views, views  # noqa: E402,F401
