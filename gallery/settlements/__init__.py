"""Settlements: producer statements (what the gallery owes for a period), payouts, exports, reconciliation.

Staff screens live under /staff/settlements (blueprint `settlements`); the producer portal reads
statements through `gallery.settlements.queries`.
"""
from flask import Blueprint

from gallery.accounts.decorators import check_role
from gallery.accounts.models import Role

bp = Blueprint("settlements", __name__)


@bp.before_request
def require_back_office():
    """Every settlement screen is for gallery staff and admins only (approving is admin-only on top)."""
    check_role(*Role.BACK_OFFICE)


from gallery.settlements import views  # noqa: E402,F401
