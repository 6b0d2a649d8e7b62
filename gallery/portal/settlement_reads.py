"""The settlements domain's read functions, when that domain is installed.

The portal reads statements and payouts only through gallery.settlements (services or queries):
`statements_of(producer_id)`, `get_statement(number)`, `earnings_due(producer_id)` and
`last_payout(producer_id)`. Until that domain exists, there is nothing settled: no statements,
no payouts, and everything sold is still due.
"""
from __future__ import annotations

import importlib

NAMES = ("statements_of", "get_statement", "earnings_due", "last_payout")


def _find(name: str):
    for module in ("gallery.settlements.queries", "gallery.settlements.services"):
        try:
            found = getattr(importlib.import_module(module), name, None)
        except ImportError:
            continue
        if found is not None:
            return found
    return None


def available() -> bool:
    return all(_find(name) is not None for name in NAMES)


SHOWN = ("approved", "paid", "carried")  # a draft may still change: the producer sees it once approved


def statements_of(producer_id: int) -> list:
    """The producer's approved and paid statements, newest first."""
    function = _find("statements_of")
    return [s for s in function(producer_id) if s.status in SHOWN] if function else []


def get_statement(number: str, producer_id: int):
    """One of the producer's approved or paid statements, or None (another producer's, a draft, unknown)."""
    function = _find("get_statement")
    if function is None:
        return None
    statement = function(number, producer_id=producer_id)
    if statement is None or statement.producer_id != producer_id or statement.status not in SHOWN:
        return None
    return statement


def exports():
    """gallery.settlements.exports (statement_csv, statement_pdf), or None."""
    try:
        return importlib.import_module("gallery.settlements.exports")
    except ImportError:
        return None


def earnings_due(producer_id: int) -> int | None:
    """What the gallery owes the producer and has not paid; None when settlements are not installed."""
    function = _find("earnings_due")
    return function(producer_id) if function else None


def last_payout(producer_id: int):
    function = _find("last_payout")
    return function(producer_id) if function else None
