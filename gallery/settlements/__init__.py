"""Settlements: producer statements (what the gallery owes for a period), payouts, exports, reconciliation.

`periods` (a WIB month), `payouts` (what a producer is owed for sold units: the one payout rule),
`adjustments` (refunds after settlement), `statements` (generate, approve, mark paid), `carry`, `queries`,
`exports`, `reconciliation`. Staff screens live under /staff/settlements (blueprint `settlements`); the
producer portal reads statements through `gallery.settlements.queries`.
"""
from flask import Blueprint

bp = Blueprint("settlements", __name__)

from gallery.settlements import views  # noqa: E402,F401
