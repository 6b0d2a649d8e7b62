"""The bank transfer's unique code: what makes a transfer recognisable on the gallery's statement.

Staff match an incoming transfer by its exact amount, the order total plus a code of 1-999. Two open
transfers only clash when those amounts are equal, so a code is unique per exact amount, not over the
whole shop: however many transfers are open at once, a shopper gets a code as long as fewer than 999
open transfers share their order's total. The partial unique index on the amount of open transfers
(`uq_payments_open_transfer_amount`) refuses a repeat taken at the same moment by another order.
"""
from __future__ import annotations

import secrets

from sqlalchemy import select

from gallery.extensions import db
from gallery.payments.models import Payment, PaymentStatus, Provider

FIRST_CODE = 1
LAST_CODE = 999


def free_code(total: int) -> int | None:
    """A random code whose amount (total + code) no open transfer has, or None when all 999 are taken.

    One statement: only the open transfers whose amounts fall in [total + 1, total + 999] are read.
    """
    taken = set(db.session.scalars(select(Payment.amount).where(
        Payment.provider == Provider.BANK_TRANSFER, Payment.status == PaymentStatus.OPEN,
        Payment.amount.between(total + FIRST_CODE, total + LAST_CODE))))
    free = [code for code in range(FIRST_CODE, LAST_CODE + 1) if total + code not in taken]
    return secrets.choice(free) if free else None
