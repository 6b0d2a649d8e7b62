"""Consignment: receipts, lots, the stock ledger, returns, write-offs, stock-takes and stock reports.

Its back-office screens live under /staff (blueprint `consignment`); `views` holds the documents
(receipts, returns, write-offs, corrections, lot history), `stock_views` the stock lists, reports
and stock-takes.
"""
from flask import Blueprint

bp = Blueprint("consignment", __name__)

from gallery.consignment import markdown_views, stock_views, tag_views, term_views, views  # noqa: E402,F401
