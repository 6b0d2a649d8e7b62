"""Consignment: receipts, lots, the stock ledger, returns, write-offs, stock-takes and stock reports.

Its back-office screens live under /staff (blueprint `consignment`); `views` holds the documents
(receipts, returns, write-offs, corrections, lot history), `stock_views` the stock lists, reports
and stock-takes.
"""
from flask import Blueprint

from gallery.accounts.decorators import check_role
from gallery.accounts.models import Role

bp = Blueprint("consignment", __name__)


@bp.before_request
def require_back_office():
    """Every consignment screen is for gallery staff and admins only."""
    check_role(*Role.BACK_OFFICE)


from gallery.consignment import markdown_views, stock_views, tag_views, term_views, views  # noqa: E402,F401
