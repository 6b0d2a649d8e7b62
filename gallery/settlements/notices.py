"""Telling a producer its statement was approved (or carried forward) and that its payout was transferred.

Queued in the transaction that approves or pays the statement (gallery.notifications), so the producer
hears of it exactly when it happened.
"""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from gallery.money import format_rupiah
from gallery.notifications.compose import Message, to_producers
from gallery.settlements.models import Statement, StatementStatus
from gallery.templating import local_date


def _statement_url(statement: Statement) -> str:
    return f"{current_app.config['SHOP_URL'].rstrip('/')}/portal/statements/{statement.number}"


def statement_approved(statement: Statement, status: str) -> None:
    """The statement is final: to be transferred, or carried forward (below the minimum payout, or negative)."""
    carried = status == StatementStatus.CARRIED

    def build(producer) -> Message:
        return Message(
            "statement_approved", _("Laporan setoran %(number)s disetujui", number=statement.number),
            "statement_approved", {"statement": statement, "carried": carried, "url": _statement_url(statement)},
            ("galeri_statement_approved", [producer.business_name, statement.number,
                                           format_rupiah(statement.amount_due), _statement_url(statement)]))

    to_producers([statement.producer_id], build)


def statement_paid(statement: Statement) -> None:
    """The payout left the gallery's account: when and with which bank reference."""

    def build(producer) -> Message:
        return Message(
            "statement_paid", _("Setoran %(number)s sudah ditransfer", number=statement.number), "statement_paid",
            {"statement": statement, "url": _statement_url(statement)},
            ("galeri_statement_paid", [producer.business_name, statement.number, format_rupiah(statement.amount_due),
                                       local_date(statement.transfer_date), statement.bank_reference or ""]))

    to_producers([statement.producer_id], build)
