"""Balances carried forward: small and negative statements are never transferred (DESIGN.md rule 6).

When an admin approves a statement whose amount due is below the minimum payout (MIN_PAYOUT, Rp 50.000
by default) or negative, it becomes `carried` instead of `approved`: it is final, never in the bank
batch, and its amount is brought forward once, as "saldo dari periode sebelumnya", into the producer's
next statement (`SettlementCarry`, unique per carried statement). A producer who owes the gallery (a
negative balance, e.g. refunds of units already paid for) sees it on the portal and on that next
statement, where it is set against the new sales.
"""
from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import delete, exists, func, select

from gallery.extensions import db
from gallery.settlements.models import SettlementCarry, Statement, StatementStatus


def min_payout() -> int:
    """The smallest amount the gallery transfers, in Rupiah."""
    return int(current_app.config["MIN_PAYOUT"])


def status_on_approval(amount_due: int) -> str:
    """`approved` (to be transferred) or `carried` (below the minimum payout, or negative)."""
    return StatementStatus.APPROVED if amount_due >= min_payout() else StatementStatus.CARRIED


def release_from(statement_ids: list[int]) -> None:
    """Drafts about to be rebuilt give back the balances they had taken in (one statement)."""
    if statement_ids:
        db.session.execute(delete(SettlementCarry).where(SettlementCarry.statement_id.in_(statement_ids)))


def open_balances(before: date, producer_id: int | None = None) -> dict[int, list[tuple[int, int]]]:
    """Carried statements of periods ending by `before` not yet brought forward: producer → [(id, amount)].

    One statement.
    """
    query = (select(Statement.producer_id, Statement.id, Statement.amount_due)
             .where(Statement.status == StatementStatus.CARRIED, Statement.period_end <= before,
                    ~exists().where(SettlementCarry.carried_statement_id == Statement.id))
             .order_by(Statement.period_start, Statement.id))
    if producer_id is not None:
        query = query.where(Statement.producer_id == producer_id)
    balances: dict[int, list[tuple[int, int]]] = {}
    for pid, statement_id, amount in db.session.execute(query):
        balances.setdefault(pid, []).append((statement_id, int(amount)))
    return balances


def balance_of(producer_id: int) -> int:
    """What is carried and not yet brought forward for one producer (negative: the producer owes it)."""
    return int(db.session.scalar(
        select(func.coalesce(func.sum(Statement.amount_due), 0))
        .where(Statement.producer_id == producer_id, Statement.status == StatementStatus.CARRIED,
               ~exists().where(SettlementCarry.carried_statement_id == Statement.id))) or 0)
