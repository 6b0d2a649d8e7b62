"""Settlements: producer statements (what the gallery owes for a period), payouts, exports, reconciliation.

Staff screens live under /staff/settlements (blueprint `settlements`); the producer portal reads
statements through `gallery.settlements.queries`.
"""
from flask import Blueprint

bp = Blueprint("settlements", __name__)

from gallery.settlements import views  # noqa: E402,F401
