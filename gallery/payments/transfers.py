"""Bank transfers: the unique code that makes a transfer recognisable, and staff confirming or rejecting it.

Staff match an incoming transfer by its exact amount, the order total plus a code of 1-999. Two open
transfers only clash when those amounts are equal, so a code is unique per exact amount, not over the
whole shop: however many transfers are open at once, a shopper gets a code as long as fewer than 999
open transfers share their order's total. The partial unique index on the amount of open transfers
(`uq_payments_open_transfer_amount`) refuses a repeat taken at the same moment by another order.
The shopper may upload a proof (a re-encoded copy is kept). Confirmed money pays the order through
gallery.payments.core like every other method.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from gallery import clock
from gallery.accounts.models import User
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.orders.models import Order
from gallery.payments.core import confirm_by_staff, lock_order, move, record_event, waiting
from gallery.payments.models import Payment, PaymentStatus, Provider

FIRST_CODE = 1
LAST_CODE = 999
# How long a transfer's unique code stays reserved after its deadline, so a late transfer can still be matched.
TRANSFER_CODE_GRACE = timedelta(days=3)
CODE_ATTEMPTS = 20
PROOF_MAX_SIDE = 1600


def free_code(total: int) -> int | None:
    """A random code whose amount (total + code) no open transfer has, or None when all 999 are taken.

    One statement: only the open transfers whose amounts fall in [total + 1, total + 999] are read.
    """
    taken = set(db.session.scalars(select(Payment.amount).where(
        Payment.provider == Provider.BANK_TRANSFER, Payment.status == PaymentStatus.OPEN,
        Payment.amount.between(total + FIRST_CODE, total + LAST_CODE))))
    free = [code for code in range(FIRST_CODE, LAST_CODE + 1) if total + code not in taken]
    return secrets.choice(free) if free else None


def _close_stale_transfers() -> None:
    """Transfers long past their deadline give their unique code back."""
    cutoff = clock.utcnow() - TRANSFER_CODE_GRACE
    stale = list(db.session.scalars(select(Payment).where(
        Payment.provider == Provider.BANK_TRANSFER, Payment.status == PaymentStatus.OPEN, Payment.deadline < cutoff)))
    for payment in stale:
        move(payment, PaymentStatus.EXPIRED, (PaymentStatus.OPEN,), kind="expired",
              note=_("Batas waktu transfer lewat"))
    if stale:
        db.session.flush()


def start_bank_transfer(order: Order) -> Payment:
    """A transfer of the order total plus a code (1-999) making an amount no other open transfer has.

    The code is picked at random among the free ones (gallery.payments.transfers); the partial unique
    index on open transfers' amounts refuses one another order took at the same moment, and another
    code is tried. Flushes; the caller (the payment view) commits.
    """
    existing = waiting(order, Provider.BANK_TRANSFER)
    if existing is not None:
        return existing
    _close_stale_transfers()
    order_id, total = order.id, order.total
    deadline = clock.utcnow() + timedelta(hours=current_app.config["BANK_TRANSFER_HOURS"])
    if order.payment_deadline is not None:
        deadline = min(deadline, order.payment_deadline)
    for _attempt in range(CODE_ATTEMPTS):
        # A second click waits on the order's lock (PostgreSQL) or loses on the one-open-transfer
        # index (both databases) and then finds the first click's transfer here.
        lock_order(order_id)
        existing = waiting(order, Provider.BANK_TRANSFER)
        if existing is not None:
            return existing
        code = free_code(total)
        if code is None:
            break
        payment = Payment(order_id=order_id, provider=Provider.BANK_TRANSFER, status=PaymentStatus.OPEN,
                          amount=total + code, unique_code=code, currency="IDR", deadline=deadline,
                          created_at=clock.utcnow())
        try:
            # A savepoint around the insert: a refused code undoes only this attempt (the order stays
            # locked, the stale transfers closed above stay closed); the caller commits the transfer.
            with db.session.begin_nested():
                db.session.add(payment)
                db.session.flush()
                record_event(payment, order_id, "started", to_status=PaymentStatus.OPEN, amount=payment.amount,
                             note=_("Kode unik %(code)s", code=code))
            return payment
        except IntegrityError:
            continue  # the code (or this order's open transfer) was taken a moment ago: look again
    raise DomainError(_l("Transfer bank sedang penuh. Coba lagi sebentar lagi atau pilih cara bayar lain."),
                      field="method")


def confirm_transfer(payment: Payment, *, user: User) -> str:
    """Staff found the transfer on the gallery's account: the order is paid ("paid"), or, when it
    expired and its stock is gone, the payment is flagged for review ("review") to be given back."""
    if payment.provider != Provider.BANK_TRANSFER:
        raise DomainError(_l("Ini bukan pembayaran transfer bank."), field="payment")
    return confirm_by_staff(payment, Provider.BANK_TRANSFER, user)


def reject_transfer(payment: Payment, *, user: User, reason: str = "") -> Payment:
    """Staff did not find the money (or the proof is not a transfer): the attempt closes, the code is free."""
    if payment.provider != Provider.BANK_TRANSFER:
        raise DomainError(_l("Ini bukan pembayaran transfer bank."), field="payment")
    if not move(payment, PaymentStatus.REJECTED, (PaymentStatus.OPEN,), kind="rejected", user=user,
                 note=(reason or "").strip()[:500]):
        db.session.rollback()
        raise DomainError(_l("Pembayaran ini sudah diproses."), field="payment")
    db.session.flush()
    return payment


def waiting_for_staff() -> list[Payment]:
    """Transfers and gallery payments staff still have to confirm, and every payment in review (a gateway's
    amount that did not match, late money to give back), those in review first, then those with a proof.

    An order is listed once: of its open attempts only the one the shopper chose last (or the one with a
    proof) is shown, so an attempt abandoned for another method does not list the order twice.
    """
    payments = list(db.session.scalars(
        select(Payment).options(selectinload(Payment.order))
        .where(or_(and_(Payment.provider.in_((Provider.BANK_TRANSFER, Provider.GALLERY)),
                        Payment.status == PaymentStatus.OPEN),
                   Payment.status == PaymentStatus.REVIEW))
        .order_by(Payment.id)
    ))
    payments.sort(key=lambda p: (p.status != PaymentStatus.REVIEW, p.proof_key is None, -p.id))
    listed, shown = set(), []
    for payment in payments:
        if payment.status == PaymentStatus.OPEN:
            if payment.order_id in listed:
                continue
            listed.add(payment.order_id)
        shown.append(payment)
    return shown

# ---------------------------------------------------------------- proof of transfer


def proof_directory() -> Path:
    """Where re-encoded transfer proofs are kept (created when missing)."""
    path = Path(current_app.config["UPLOAD_FOLDER"]) / "payments"
    path.mkdir(parents=True, exist_ok=True)
    return path


def proof_path(key: str) -> Path:
    """The file of a proof key; ValueError for anything that is not one (no path tricks)."""
    if not key or len(key) != 32 or any(c not in "0123456789abcdef" for c in key):
        raise ValueError("not a proof key")
    return proof_directory() / f"{key}.jpg"


def attach_proof(payment: Payment, data: bytes) -> Payment:
    """Keep a re-encoded copy of the shopper's transfer receipt (the upload itself is never kept)."""
    from gallery.catalog.images import reencoded_jpeg

    if payment.provider != Provider.BANK_TRANSFER or payment.status != PaymentStatus.OPEN:
        raise DomainError(_l("Bukti transfer hanya untuk transfer yang menunggu konfirmasi."), field="proof")
    if not data:
        raise DomainError(_l("Pilih berkas gambar."), field="proof")
    encoded = reencoded_jpeg(data, PROOF_MAX_SIDE, field="proof")
    key = hashlib.sha256(encoded).hexdigest()[:32]
    path = proof_path(key)
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(encoded)
        tmp.replace(path)
    payment.proof_key = key
    payment.proof_uploaded_at = clock.utcnow()
    record_event(payment, payment.order_id, "proof_uploaded", note=_("Bukti transfer diunggah"))
    db.session.flush()
    return payment
