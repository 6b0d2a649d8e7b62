"""The shopper's payment pages and the gateways' notifications. Views parse and render; services decide."""
from __future__ import annotations

import logging
import secrets

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gallery.errors import DomainError
from gallery.extensions import csrf, db
from gallery.orders.models import Order, OrderLine, OrderStatus
from gallery.orders.expiry import expire_if_due
from gallery.orders.transitions import status_label
from gallery.payments import bp, core, notices, transfers
from gallery.payments.gateways import InvalidNotification
from gallery.payments.gateways import midtrans as midtrans_gateway
from gallery.payments.gateways import stripe as stripe_gateway
from gallery.payments.models import Payment, PaymentStatus, Provider
from gallery.payments.qr import qr_svg

log = logging.getLogger(__name__)


def _token() -> str | None:
    token = request.values.get("t", "")
    return token if isinstance(token, str) and 0 < len(token) <= 64 else None


def may_see(order: Order, token: str | None) -> bool:
    """The order's secret link, the signed-in customer who placed it, or gallery staff."""
    if token and secrets.compare_digest(token.encode(), order.access_token.encode()):
        return True
    if not current_user.is_authenticated:
        return False
    if current_user.is_back_office:
        return True
    return order.customer_id is not None and order.customer_id == current_user.id


def _order_or_404(number: str) -> Order:
    if len(number) > 20:
        abort(404)
    order = db.session.scalar(select(Order).options(selectinload(Order.lines).selectinload(OrderLine.allocations))
                              .where(Order.number == number))
    if order is None or not may_see(order, _token()):
        abort(404)
    expire_if_due(order)
    db.session.commit()  # the expiry, if it was due (the service flushes)
    return order


@bp.app_template_global()
def payment_block(order: Order) -> dict:
    """What templates/payments/_order_block.html shows for an order."""
    payment = core.current_payment(order)
    return {"payment": payment, "methods": core.available_methods(order), "status_label": core.payment_status_label,
            "method_label": core.method_label}


@bp.app_template_filter("qr_svg")
def qr_svg_filter(text: str):
    """A QR code of `text` as inline SVG (templates: `{{ qr_string | qr_svg }}`)."""
    return qr_svg(text)


@bp.route("/orders/<number>/pay")
def choose(number: str):
    order = _order_or_404(number)
    methods = core.available_methods(order)
    return render_template("payments/choose.html", order=order, methods=methods, token=_token(),
                           method_label=core.method_label, payment=core.current_payment(order),
                           status_label=status_label)


@bp.route("/orders/<number>/pay/<method>", methods=["POST"])
def start(number: str, method: str):
    order = _order_or_404(number)
    if method not in Provider.ALL:
        abort(404)
    try:
        payment = core.start_payment(order, method)
        db.session.commit()  # a gateway's attempt is saved before the provider is called: its news finds it
        core.start_at_provider(payment)
    except DomainError as error:
        db.session.commit()  # what the services recorded before refusing (stale transfers closed, a failed attempt)
        flash(error.message, "error")
        return redirect(url_for("payments.choose", number=order.number, t=_token()))
    db.session.commit()  # the provider's checkout page or instructions
    if payment.checkout_url:
        return redirect(payment.checkout_url, code=303)
    return redirect(url_for("payments.status", number=order.number, t=_token()), code=303)


@bp.route("/orders/<number>/payment")
def status(number: str):
    order = _order_or_404(number)
    payment = core.current_payment(order)
    # Back from the gateway (Stripe names its session, Midtrans its order_id): ask the gateway itself
    # before its notification arrives. The visit alone never pays.
    came_back = request.args.get("session_id") or request.args.get("order_id") or ""
    if (payment is not None and payment.waiting and isinstance(came_back, str) and came_back
            and came_back == payment.reference):
        notices.sync(payment)
        db.session.commit()
        db.session.refresh(order)
        payment = core.current_payment(order)
    return render_template("payments/status.html", order=order, payment=payment, token=_token(),
                           method_label=core.method_label, payment_status_label=core.payment_status_label,
                           status_label=status_label, OrderStatus=OrderStatus, PaymentStatus=PaymentStatus,
                           Provider=Provider, bank=_bank(), instructions=payment.instructions_data if payment else {})


def _bank() -> dict:
    from flask import current_app

    return {"name": current_app.config["GALLERY_BANK_NAME"], "account": current_app.config["GALLERY_BANK_ACCOUNT"],
            "holder": current_app.config["GALLERY_BANK_HOLDER"]}


@bp.route("/orders/<number>/payment/<int:payment_id>/proof", methods=["POST"])
def upload_proof(number: str, payment_id: int):
    order = _order_or_404(number)
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.order_id != order.id:
        abort(404)
    upload = request.files.get("proof")
    try:
        transfers.attach_proof(payment, upload.read() if upload else b"")
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_("Bukti transfer diterima. Staf galeri akan memeriksanya."), "success")
    return redirect(url_for("payments.status", number=order.number, t=_token()), code=303)


@bp.route("/orders/<number>/payment/<int:payment_id>/proof.jpg")
def proof(number: str, payment_id: int):
    order = _order_or_404(number)
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.order_id != order.id or not payment.proof_key:
        abort(404)
    return _send_proof(payment)


def _send_proof(payment: Payment):
    path = transfers.proof_path(payment.proof_key)
    if not path.exists():
        abort(404)
    response = send_file(path, mimetype="image/jpeg", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/payments/stripe/webhook", methods=["POST"])
@csrf.exempt
def stripe_webhook():
    payload = request.get_data(cache=False)
    try:
        event = stripe_gateway.GATEWAY.verify(payload, request.headers)
    except InvalidNotification as error:
        log.warning("refused a Stripe webhook: %s", error)
        return {"error": "invalid signature"}, 400
    outcome = stripe_gateway.handle_event(event)
    db.session.commit()  # the event id is stored with its effect, in one commit (rule 8)
    return _received(outcome)


def _received(outcome: str):
    if outcome == "duplicate":
        return {"received": True, "outcome": "already processed"}, 200
    return {"received": True, "outcome": outcome}, 200


@bp.route("/payments/midtrans/return")
def midtrans_return():
    """Where Midtrans's dashboard Finish/Unfinish/Error URLs send the shopper back (with ?order_id=…).

    The attempt is checked with the Status API (the visit never pays by itself). The order's page needs
    its secret link, which this address does not carry: a signed-in owner or staff go there, anyone
    else is told to open the link from their email.
    """
    if not midtrans_gateway.GATEWAY.enabled():
        abort(404)
    reference = request.args.get("order_id", "")
    payment = midtrans_gateway.GATEWAY.payment_for(None, {"order_id": reference}) if isinstance(reference, str) else None
    if payment is None:
        abort(404)
    notices.sync(payment)
    db.session.commit()
    order = payment.order
    if may_see(order, None):
        return redirect(url_for("payments.status", number=order.number), code=303)
    return render_template("payments/returned.html", order=order)


@bp.route("/payments/midtrans/notification", methods=["POST"])
@csrf.exempt
def midtrans_notification():
    """Midtrans's HTTP notification: a bad signature_key gets 403 and nothing is written."""
    if not midtrans_gateway.GATEWAY.enabled():
        abort(404)
    try:
        outcome = midtrans_gateway.handle_notification(request.get_data(cache=False))
    except InvalidNotification as error:
        log.warning("refused a Midtrans notification: %s", error)
        return {"error": "invalid signature"}, 403
    except DomainError as error:  # Midtrans's Status API did not answer: Midtrans retries later
        log.warning("Midtrans notification not applied: %s", error.message)
        return {"error": "status unavailable"}, 503
    db.session.commit()  # the event id is stored with its effect, in one commit (rule 8)
    return _received(outcome)
