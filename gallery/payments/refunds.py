"""Refunds: money given back on a paid order, in full or for some units, once per staff action.

DESIGN.md rule 7: money that came in goes out only as a recorded refund; a paid order is cancelled by
refunding it in full (refund and release in one action), and a refunded order never ships.

How a refund stays right when two staff press the button at the same moment:
* the order row is locked first, so refunds of one order happen one after the other;
* what was already refunded is summed from the refund rows (never a number read earlier), and each
  line's refunded units likewise;
* the form carries a token: the same form sent twice is one refund (`refunds.client_token` is
  unique), and the token is the idempotency key the gateway sees (Stripe's Idempotency-Key, Midtrans's
  refund_key), so a retried request refunds once there too;
* the payment's refunded total is raised by one UPDATE `amount_refunded = amount_refunded + x` under
  the CHECK `amount_refunded <= amount`: the database itself refuses a refund above what was paid.

Money paid through a gateway goes back through it where the method allows (gallery.payments.gateways);
a virtual account, a transfer, cash or a COD remittance is handed back by staff and recorded here.

Goods: an order not yet handed over (paid or packed) always gets its units back on the shelf (they
never left the gallery; taking units out of a packed parcel unpacks it). For goods already handed
over, staff say whether they came back.
"""
from __future__ import annotations

import logging
import secrets

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from gallery import clock
from gallery.accounts.models import User
from gallery.consignment.ledger import release, reserved_under
from gallery.consignment.models import Lot
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.orders.transitions import NOT_HANDED_OVER, mark_refunded, unpack
from gallery.orders.models import Order, OrderLine, OrderStatus
from gallery.payments import gateways
from gallery.payments.core import lock_order, move, record_event
from gallery.payments.gateways import GatewayError
from gallery.payments.models import Payment, PaymentStatus, Provider, Refund, RefundLine

log = logging.getLogger(__name__)

REFUNDABLE = (OrderStatus.PAID, OrderStatus.PACKED, OrderStatus.SHIPPED, OrderStatus.COMPLETED)


def refundable(order: Order) -> bool:
    """Money came in for this order and it may go back: a COD parcel on its way has taken none yet."""
    return order.status in REFUNDABLE and order.paid_at is not None
MAX_TOKEN = 64


def new_token() -> str:
    """A token for one rendered refund form (the same form sent twice refunds once)."""
    return secrets.token_urlsafe(24)


def refunded_quantities(order: Order) -> dict[int, int]:
    """Units refunded so far per order line id, summed from the refund rows."""
    rows = db.session.execute(
        select(RefundLine.order_line_id, func.sum(RefundLine.quantity)).join(Refund, Refund.id == RefundLine.refund_id)
        .where(Refund.order_id == order.id).group_by(RefundLine.order_line_id))
    return {line_id: int(quantity) for line_id, quantity in rows}


def refunded_amount(payment_id: int) -> int:
    """Rupiah refunded so far on one payment, summed from the refund rows."""
    return int(db.session.scalar(select(func.coalesce(func.sum(Refund.amount), 0))
                                 .where(Refund.payment_id == payment_id)) or 0)


def _paid_payment(order: Order) -> Payment | None:
    return db.session.scalar(select(Payment).where(
        Payment.order_id == order.id, Payment.status == PaymentStatus.PAID).order_by(Payment.id.desc()).limit(1))


def _by_token(token: str | None) -> Refund | None:
    if not token:
        return None
    return db.session.scalar(select(Refund).where(Refund.client_token == token))


def _fail(message, field: str = "refund"):
    db.session.rollback()
    raise DomainError(message, field=field)


def _lines_to_refund(order: Order, quantities: dict[int, int] | None) -> list[tuple[OrderLine, int]]:
    """[(line, units)] asked for, checked against what each line still has unrefunded."""
    done = refunded_quantities(order)
    if quantities is None:
        return [(line, line.quantity - done.get(line.id, 0)) for line in order.lines
                if line.quantity - done.get(line.id, 0) > 0]
    lines = {line.id: line for line in order.lines}
    chosen = []
    for line_id, quantity in quantities.items():
        if not quantity:
            continue
        line = lines.get(line_id)
        if line is None or not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0 \
                or quantity > line.quantity - done.get(line_id, 0):
            _fail(_l("Jumlah yang dikembalikan tidak sesuai dengan pesanan."), "quantity")
        chosen.append((line, quantity))
    return chosen


def _give_back_at_provider(order: Order, payment: Payment, amount: int, key: str, reason: str) -> str | None:
    """Refund through the payment's gateway (idempotent by `key`) where its method allows; else staff hand it back."""
    if not gateways.is_gateway(payment.provider):
        return None
    gateway = gateways.get(payment.provider)
    if not gateway.refundable(payment):
        return None
    try:
        return gateway.refund(payment, amount, key, reason)
    except GatewayError as error:
        log.warning("%s refused a refund for %s: %s", gateway.provider, order.number, error.message)
        _fail(error.message)


def refund(order: Order, *, user: User, quantities: dict[int, int] | None = None, restock: bool | None = None,
           reason: str = "", token: str | None = None) -> Refund:
    """Give money back for a paid order: everything left (quantities None) or some units of some lines.

    A full refund ends the order (refunded, never shipped). Units go back to their lots when the
    order was not handed over yet (always) or, for goods handed over, when `restock` says they came
    back. `token` identifies the staff member's form: sent twice, it refunds once.
    """
    token = (token or "").strip()[:MAX_TOKEN] or None
    if (existing := _by_token(token)) is not None:
        return existing
    order = lock_order(order.id)
    if (existing := _by_token(token)) is not None:  # the same form, processed while we waited for the lock
        return existing  # the caller's commit releases the lock
    if not refundable(order):
        _fail(_l("Hanya pesanan yang sudah dibayar yang bisa dikembalikan dananya."))
    payment = _payment_to_refund(order)
    remaining = payment.amount - refunded_amount(payment.id)
    refund_lines = _lines_to_refund(order, quantities)
    amount = remaining if quantities is None else sum(line.unit_price * quantity for line, quantity in refund_lines)
    if amount <= 0 or amount > remaining:
        _fail(_l("Tidak ada lagi yang bisa dikembalikan (sisa %(n)s).", n=remaining))
    handed_over = order.status not in NOT_HANDED_OVER
    goods_back = bool(restock) if handed_over else True
    reason = (reason or "").strip()[:500]
    gateway_refund_id = _give_back_at_provider(order, payment, amount,
                                               f"refund-{payment.id}-{token or secrets.token_hex(16)}", reason)
    record = Refund(payment_id=payment.id, order_id=order.id, amount=amount, reason=reason,
                    restocked=goods_back and bool(refund_lines), gateway_refund_id=gateway_refund_id, user_id=user.id,
                    client_token=token, created_at=clock.utcnow())
    record.lines = [RefundLine(order_line_id=line.id, quantity=quantity, amount=line.unit_price * quantity)
                    for line, quantity in refund_lines]
    if (existing := _take_from_payment(payment, record, token)) is not None:
        return existing
    fully = amount == remaining
    _record_on_payment(payment, record, fully=fully, user=user)
    if goods_back:
        _goods_back(order, refund_lines, fully=fully, user=user)
    if fully:
        note = record.reason or (_("Dibatalkan: seluruh dana dikembalikan") if not handed_over else "")
        mark_refunded(order, user=user, note=note)
    db.session.flush()
    return record


def _payment_to_refund(order: Order) -> Payment:
    """The order's paid payment; an order paid before every payment was recorded here gets its money recorded
    as it was taken."""
    payment = _paid_payment(order)
    if payment is None:
        payment = Payment(order_id=order.id, provider=Provider.GALLERY, status=PaymentStatus.PAID, amount=order.total,
                          currency="IDR", created_at=clock.utcnow(), paid_at=order.paid_at)
        db.session.add(payment)
        db.session.flush()
    return payment


def _take_from_payment(payment: Payment, record: Refund, token: str | None) -> Refund | None:
    """Write the refund and raise the payment's refunded amount with a guarded UPDATE (never above what was
    paid). Returns the earlier refund of the same form when this one lost the race on its token."""
    db.session.add(record)
    try:
        db.session.flush()
        raised = db.session.execute(
            update(Payment).where(Payment.id == payment.id, Payment.amount_refunded + record.amount <= Payment.amount)
            .values(amount_refunded=Payment.amount_refunded + record.amount)
            .execution_options(synchronize_session=False))
    except IntegrityError:
        db.session.rollback()
        if (existing := _by_token(token)) is not None:
            return existing
        raise DomainError(_l("Pengembalian dana ini melebihi yang dibayar."), field="refund") from None
    if raised.rowcount != 1:
        _fail(_l("Pengembalian dana ini melebihi yang dibayar."))
    db.session.expire(payment, ["amount_refunded"])
    return None


def _record_on_payment(payment: Payment, record: Refund, *, fully: bool, user: User) -> None:
    """The payment's history: refunded in full (its state moves), or partly (an event)."""
    if fully:
        move(payment, PaymentStatus.REFUNDED, (PaymentStatus.PAID,), kind="refunded", amount=record.amount,
             user=user, note=record.reason)
    else:
        record_event(payment, payment.order_id, "partially_refunded", amount=record.amount, user=user,
                     note=record.reason)


def _goods_back(order: Order, refund_lines: list[tuple[OrderLine, int]], *, fully: bool, user: User) -> None:
    """Refunded units go back on their lots; a packed parcel they came out of is unpacked (to pack again)."""
    for line, quantity in refund_lines:
        _restock(order, line, quantity, user)
    if refund_lines and not fully:
        unpack(order, user=user, note=_("Paket dibongkar: barang yang dananya dikembalikan kembali ke rak"))


def _restock(order: Order, line: OrderLine, quantity: int, user: User) -> None:
    """Put refunded units back on the lots they came from (latest allocation first)."""
    left = quantity
    for allocation in sorted(line.allocations, key=lambda a: a.id, reverse=True):
        held = reserved_under(allocation.lot_id, order.number)
        portion = min(left, allocation.quantity, held)
        if portion <= 0:
            continue
        release(db.session.get(Lot, allocation.lot_id), portion, reference=order.number, user_id=user.id,
                reason=_("Barang kembali (pengembalian dana)"))
        left -= portion
        if left == 0:
            break
