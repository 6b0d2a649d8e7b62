"""Staff: the counter till (kasir) pages: the basket, the sale, the QRIS screen and the receipt.

The views parse input and render; gallery.orders.till keeps the basket, its totals and stock checks and the
change, and gallery.payments.desk records the sale and its money (DESIGN.md rule 10).
"""
from __future__ import annotations

import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gallery.errors import DomainError
from gallery.extensions import db
from gallery.money import format_rupiah
from gallery.orders import staff_bp as bp
from gallery.orders import till
from gallery.orders.models import Channel, OrderStatus, PaymentMethod
from gallery.orders.staff_forms import (
    ConfirmForm,
    CounterAddForm,
    CounterLineForm,
    CounterSellForm,
    parse_quantity,
    parse_rupiah,
)
from gallery.orders.staff_pages import cashier_of, common, current_staff, order_or_404
from gallery.payments import desk

def _basket() -> till.Basket:
    basket = till.current_basket()
    for notice in basket.notices:
        flash(notice, "warning")
    return basket


def _render_counter(status: int = 200, *, add_form=None, sell_form=None, error: str | None = None,
                    line_errors: dict | None = None, basket: till.Basket | None = None):
    q = " ".join((request.args.get("q") or "").split())[:60]
    sell_form = sell_form or CounterSellForm(formdata=None)
    if not sell_form.sale_token.data:
        sell_form.sale_token.data = secrets.token_urlsafe(16)
    if not sell_form.method.data:
        sell_form.method.data = "cash"
    return render_template(
        "orders/staff/counter.html",
        **common(
            basket=basket if basket is not None else _basket(),
            add_form=add_form or CounterAddForm(formdata=None),
            sell_form=sell_form,
            line_form=CounterLineForm(formdata=None),
            error=error,
            line_errors=line_errors or {},
            q=q,
            results=till.search(q) if q else None,
        ),
    ), status


def _counter_add():
    form = CounterAddForm()
    if not form.validate_on_submit():
        return _render_counter(422, add_form=form, error=_("Formulir kedaluwarsa; coba lagi."))
    try:
        quantity = parse_quantity(form.quantity.data)
    except ValueError as wrong:
        form.quantity.errors.append(str(wrong))
        return _render_counter(422, add_form=form)
    notices: list[str] = []
    try:
        variant = till.add_to_basket(form.sku.data, quantity, notices)
    except DomainError as refused:
        for notice in notices:
            flash(notice, "warning")
        getattr(form, refused.field).errors.append(str(refused.message))
        return _render_counter(422, add_form=form)
    for notice in notices:
        flash(notice, "warning")
    flash(_("%(name)s (%(label)s) × %(n)s masuk keranjang.", name=variant.product.name, label=variant.label,
            n=quantity), "success")
    return redirect(url_for(".counter", q=request.args.get("q") or None))


def _counter_line(action: str):
    form = CounterLineForm()
    key = till.basket_line(request.form.get("item") or request.form.get("variant_id"))
    if not form.validate_on_submit():
        return _render_counter(422, error=_("Formulir kedaluwarsa; coba lagi."))
    if key is None:
        return _render_counter(422, error=_("Barang itu tidak ada di keranjang kasir."))
    if action == "remove":
        till.remove_line(key)
        flash(_("Barang dikeluarkan dari keranjang."), "info")
        return redirect(url_for(".counter"))
    try:
        quantity = parse_quantity(form.quantity.data if (form.quantity.data or "").strip() else "x")
    except ValueError as wrong:
        return _render_counter(422, line_errors={key: str(wrong)})
    basket = _basket()
    try:
        till.set_line(basket, key, quantity)
    except till.LineRefused as refused:
        return _render_counter(422, line_errors={refused.key: str(refused.message)}, basket=basket)
    return redirect(url_for(".counter"))


def _sell_with_till_qris(basket: till.Basket, form, customer_name: str, client_token: str | None):
    """QRIS through the gateway: the code goes on the screen; the sale is paid when the gateway says so."""
    try:
        payment = desk.hold_till_qris(basket.lines(), user=current_staff(), customer_name=customer_name,
                                      client_token=client_token)
    except DomainError as refused:
        db.session.rollback()
        return _render_counter(422, sell_form=form, error=refused.message)
    db.session.commit()  # the held sale and its attempt are saved before the gateway is asked for the code
    try:
        desk.show_till_qris(payment, user=current_staff())
    except DomainError as refused:
        db.session.commit()  # the sale given up: its units back on the shelf, the attempt marked failed
        return _render_counter(422, sell_form=form, error=refused.message)
    db.session.commit()
    till.clear_basket()
    return redirect(url_for(".counter_qris", number=payment.order.number))


def _counter_sell():
    form = CounterSellForm()
    basket = _basket()
    if not form.validate_on_submit():
        return _render_counter(422, sell_form=form, basket=basket)
    if not basket.items:
        return _render_counter(422, sell_form=form, basket=basket, error=_("Keranjang kasir masih kosong."))
    received = None
    try:
        if form.method.data == PaymentMethod.CASH:
            received = parse_rupiah(form.cash_received.data)
        till.check_cash_received(form.method.data, received, basket.total)
    except (ValueError, DomainError) as wrong:
        form.cash_received.errors.append(str(getattr(wrong, "message", wrong)))
        return _render_counter(422, sell_form=form, basket=basket)
    customer_name = (form.customer_name.data or "").strip()
    client_token = (form.sale_token.data or "").strip()[:64] or None
    if form.method.data == PaymentMethod.QRIS and desk.till_gateway() is not None:
        return _sell_with_till_qris(basket, form, customer_name, client_token)
    try:
        sale = desk.sell_at_counter(basket.lines(), form.method.data, user=current_staff(),
                                    customer_name=customer_name, client_token=client_token, cash_received=received)
        db.session.commit()
    except DomainError as refused:
        db.session.rollback()
        return _render_counter(422, sell_form=form, error=refused.message)
    till.clear_basket()
    flash(_("Penjualan %(number)s selesai: %(total)s.", number=sale.number, total=format_rupiah(sale.total)),
          "success")
    return redirect(url_for(".counter_receipt", number=sale.number))


@bp.route("/counter", methods=["GET", "POST"])
def counter():
    if request.method == "GET":
        return _render_counter()
    action = request.form.get("action") or "add"
    if action == "add":
        return _counter_add()
    if action in ("set", "remove"):
        return _counter_line(action)
    if action == "clear":
        if not ConfirmForm().validate_on_submit():
            return _render_counter(422, error=_("Formulir kedaluwarsa; coba lagi."))
        till.clear_basket()
        flash(_("Keranjang kasir dikosongkan."), "info")
        return redirect(url_for(".counter"))
    if action == "sell":
        return _counter_sell()
    return _render_counter(422, error=_("Perintah tidak dikenal."))


@bp.route("/counter/qris/<number>")
def counter_qris(number: str):
    """The QRIS code of a sale on the till's screen; it looks again by itself (meta refresh, no script)."""
    order = order_or_404(number)
    if order.channel != Channel.COUNTER:
        abort(404)
    payment = desk.refresh_till_qris(order)
    db.session.commit()
    if payment is None:
        abort(404)
    order = order_or_404(number)
    if order.paid_at is not None:
        flash(_("QRIS diterima: penjualan %(number)s lunas.", number=order.number), "success")
        return redirect(url_for(".counter_receipt", number=order.number))
    return render_template("orders/staff/counter_qris.html",
                           **common(order=order, payment=payment, waiting=order.status == OrderStatus.PENDING_PAYMENT,
                                    instructions=payment.instructions_data, form=ConfirmForm(formdata=None)))


@bp.route("/counter/qris/<number>/cancel", methods=["POST"])
def counter_qris_cancel(number: str):
    order = order_or_404(number)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        desk.give_up_till_qris(order, user=current_staff())
    except DomainError as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return redirect(url_for(".counter_qris", number=order.number))
    db.session.commit()
    flash(_("QRIS dibatalkan; barangnya kembali ke rak."), "info")
    return redirect(url_for(".counter"))


@bp.route("/counter/receipts/<number>")
def counter_receipt(number: str):
    order = order_or_404(number)
    if order.paid_at is None:
        abort(404)
    received, change = till.cash_and_change(order, desk.cash_received(order))
    return render_template("orders/staff/receipt.html",
                           **common(order=order, cashier=cashier_of(order), received=received, change=change))
