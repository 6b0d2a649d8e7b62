"""Staff: transfers and gallery payments to confirm, an order's payments and their history, refunds,
and the Pos agency's COD remittances."""
from __future__ import annotations

import base64
import binascii

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gallery import clock
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.orders.models import Order, OrderLine, OrderStatus
from gallery.orders.transitions import status_label
from gallery.orders.transitions import NOT_HANDED_OVER
from gallery.payments import cod, core, desk, refunds, staff_bp as bp, transfers
from gallery.payments.forms import RemittanceForm
from gallery.payments.models import Payment, PaymentStatus, Provider, Refund
from gallery.payments.views import _send_proof


def _payment_or_404(payment_id: int) -> Payment:
    payment = db.session.get(Payment, payment_id)
    if payment is None:
        abort(404)
    return payment


def _order_or_404(number: str) -> Order:
    if len(number) > 20:
        abort(404)
    order = db.session.scalar(select(Order).options(selectinload(Order.lines).selectinload(OrderLine.allocations))
                              .where(Order.number == number))
    if order is None:
        abort(404)
    return order


@bp.route("/payments")
def index():
    return render_template("payments/staff/index.html", payments=transfers.waiting_for_staff(),
                           method_label=core.method_label, payment_status_label=core.payment_status_label,
                           status_label=status_label, PaymentStatus=PaymentStatus, Provider=Provider,
                           OrderStatus=OrderStatus)


@bp.route("/payments/<int:payment_id>/confirm", methods=["POST"])
def confirm(payment_id: int):
    payment = _payment_or_404(payment_id)
    number = payment.order.number
    try:
        if payment.provider == Provider.GALLERY:
            outcome = desk.confirm_at_gallery(payment, request.form.get("method", ""), user=current_user)
        else:
            outcome = transfers.confirm_transfer(payment, user=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()  # the order paid, or the payment flagged for review
        if outcome == "paid":
            flash(_("Pesanan %(number)s lunas dan masuk antrean kemas.", number=number), "success")
        else:
            flash(_("Stok pesanan %(number)s sudah habis: pembayaran ditandai untuk diperiksa; kembalikan dananya.",
                    number=number), "error")
    return redirect(url_for("payments_staff.index"), code=303)


@bp.route("/payments/<int:payment_id>/reject", methods=["POST"])
def reject(payment_id: int):
    payment = _payment_or_404(payment_id)
    try:
        transfers.reject_transfer(payment, user=current_user, reason=request.form.get("reason", "")[:500])
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_("Transfer ditolak."), "success")
    return redirect(url_for("payments_staff.index"), code=303)


@bp.route("/payments/<int:payment_id>/proof.jpg")
def proof(payment_id: int):
    payment = _payment_or_404(payment_id)
    if not payment.proof_key:
        abort(404)
    return _send_proof(payment)


@bp.route("/payments/orders/<number>")
def order(number: str):
    order = _order_or_404(number)
    given_back = list(db.session.scalars(select(Refund).options(selectinload(Refund.lines), selectinload(Refund.user))
                                         .where(Refund.order_id == order.id).order_by(Refund.id)))
    done = refunds.refunded_quantities(order)
    return render_template("payments/staff/order.html", order=order, payments=core.payments_of(order),
                           events=core.payment_events(order), refunds=given_back, done=done,
                           token=refunds.new_token(), handed_over=order.status not in NOT_HANDED_OVER,
                           refundable=refunds.refundable(order), event_label=core.event_label,
                           method_label=core.method_label, payment_status_label=core.payment_status_label,
                           status_label=status_label, OrderStatus=OrderStatus)


@bp.route("/payments/orders/<number>/refund", methods=["POST"])
def refund(number: str):
    order = _order_or_404(number)
    quantities = None
    if request.form.get("scope") == "lines":
        quantities = {}
        for line in order.lines:
            raw = request.form.get(f"qty-{line.id}", "").strip()
            if not raw:
                continue
            if not raw.isdigit() or len(raw) > 4:
                flash(_("Jumlah harus angka bulat."), "error")
                return redirect(url_for("payments_staff.order", number=number), code=303)
            quantities[line.id] = int(raw)
    try:
        record = refunds.refund(order, user=current_user, quantities=quantities,
                                restock=request.form.get("restock") == "1",
                                reason=request.form.get("reason", "")[:500], token=request.form.get("token"))
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_("Dana %(amount)s dikembalikan.", amount=_rupiah(record.amount)), "success")
    return redirect(url_for("payments_staff.order", number=number), code=303)


def _rupiah(amount: int) -> str:
    from gallery.money import format_rupiah

    return format_rupiah(amount)


# ---------------------------------------------------------------------------------------------
# Pos COD remittances: tick the parcels, or upload the agency's CSV (preview, then confirm)

COD_COLUMNS = {"resi": "resi", "amount": "amount", "fee": "fee"}


def _render_cod(form: RemittanceForm, preview: cod.RemittancePreview | None = None, status: int = 200):
    return render_template("payments/staff/cod.html", form=form, preview=preview, columns=COD_COLUMNS,
                           waiting=cod.awaiting_remittance(), remittances=cod.remittances(),
                           status_label=status_label), status


def _uploaded(form: RemittanceForm) -> tuple[bytes, str]:
    if form.content.data:
        try:
            return base64.b64decode(form.content.data.encode(), validate=True), ""
        except (binascii.Error, ValueError):
            return b"", ""
    upload = request.files.get(form.file.name)
    return (upload.read(cod.MAX_FILE_BYTES + 1), upload.filename or "") if upload else (b"", "")


@bp.route("/payments/cod", methods=["GET", "POST"])
def cod_remittances():
    """Record a remittance: ticked parcels, or the agency's CSV previewed then confirmed (sent back whole)."""
    form = RemittanceForm()
    if request.method == "GET":
        form.remitted_on.data = clock.today_wib()
        return _render_cod(form)
    if not form.validate_on_submit():
        return _render_cod(form, status=422)
    action = request.form.get("action")
    if action == "hand":
        preview = cod.by_hand(request.form.getlist("resi"))
    else:
        content, filename = _uploaded(form)
        preview = cod.read_csv(content, filename)
        if action != "confirm" or preview.errors:
            form.content.data = base64.b64encode(content).decode() if not preview.errors else ""
            return _render_cod(form, preview, 422 if preview.errors else 200)
    try:
        remittance = cod.record(preview, reference=form.reference.data, remitted_on=form.remitted_on.data,
                                user=current_user, note=form.note.data or "")
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        target = getattr(form, error.field or "", None)
        if target is not None and hasattr(target, "errors") and error.field != "file":
            target.errors = list(target.errors) + [error.message]
        else:
            flash(error.message, "error")
        return _render_cod(form, preview, 422)
    flash(_("Setoran %(reference)s dicatat: %(n)s paket, %(amount)s.", reference=remittance.reference,
            n=len(preview.parcels), amount=_rupiah(remittance.collected)), "success")
    return redirect(url_for("payments_staff.cod_remittances"), code=303)
