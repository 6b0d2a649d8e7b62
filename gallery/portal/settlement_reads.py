"""What the portal shows of the settlements domain: the producer's own final statements and payouts.

The portal reads statements and payouts only through gallery.settlements.queries. A draft may still
change, so a producer sees a statement once it is approved (then paid, or carried forward), and only its
own: another producer's statement, a draft or an unknown number is "not found".
"""
from __future__ import annotations

from gallery.settlements import queries
from gallery.settlements.models import Statement, StatementStatus

SHOWN = (StatementStatus.APPROVED, StatementStatus.PAID, StatementStatus.CARRIED)


def statements_of(producer_id: int) -> list[Statement]:
    """The producer's approved, paid and carried statements, newest first."""
    return [s for s in queries.statements_of(producer_id) if s.status in SHOWN]


def get_statement(number: str, producer_id: int) -> Statement | None:
    """One of the producer's approved, paid or carried statements, or None (another producer's, a draft, unknown)."""
    statement = queries.get_statement(number, producer_id=producer_id)
    if statement is None or statement.producer_id != producer_id or statement.status not in SHOWN:
        return None
    return statement


def earnings_due(producer_id: int) -> int:
    """What the gallery owes the producer and has not paid (negative: the producer owes the gallery)."""
    return queries.earnings_due(producer_id)


def last_payout(producer_id: int) -> Statement | None:
    """The producer's most recently paid statement, or None."""
    return queries.last_payout(producer_id)
