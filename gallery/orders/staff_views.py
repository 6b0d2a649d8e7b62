"""Staff fulfilment: the order list and one order's page with its transitions (pay, pack, ship, hand over,
complete, return, swap a lot, cancel).

The views parse input and render; gallery.orders.transitions decides (DESIGN.md rules 7 and 10) and the
list is read by gallery.orders.queries. Every transition is one service call that records when and by
whom. Printed documents live in gallery.orders.documents_views, the counter till in
gallery.orders.till_views.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gallery.errors import DomainError
from gallery.extensions import db
from gallery.orders import shelf_life
from gallery.orders import staff_bp as bp
from gallery.orders.expiry import expire_if_due
from gallery.orders.models import Fulfilment, Order, OrderStatus
from gallery.orders.queries import order_page
from gallery.orders.staff_forms import (
    TABS,
    CancelForm,
    ConfirmForm,
    MarkPaidForm,
    ReturnedForm,
    ShipForm,
    parse_list_args,
    payment_method_label,
)
from gallery.orders.staff_pages import cashier_of, common, current_staff, order_or_404
from gallery.orders.transitions import (
    NOT_HANDED_OVER,
    cancel,
    complete,
    is_overdue,
    mark_packed,
    mark_picked_up,
    return_to_sender,
    ship,
    transitions_for,
)
from gallery.payments import desk
from gallery.payments.refunds import new_token


# ---------------------------------------------------------------------------------------------
# The order list


@bp.route("/orders")
def orders():
    args = parse_list_args(request.args)
    results = order_page(args)
    return render_template(
        "orders/staff/index.html",
        **common(results=results, args=args, tabs=TABS, page_args=args.url_args()),
    )


# ---------------------------------------------------------------------------------------------
# One order: detail, transitions


def _fresh_order(number: str) -> Order:
    """The order, expired first if its payment deadline passed (and then read again)."""
    order = order_or_404(number)
    expired = expire_if_due(order)
    db.session.commit()  # the expiry, if it was due (the service flushes)
    if expired:
        order = order_or_404(number)
    return order


def available_actions(order: Order) -> set[str]:
    """Which action forms to offer; the services refuse anything else (DESIGN.md rule 7)."""
    following = transitions_for(order).get(order.status, ())
    actions = set()
    if OrderStatus.PAID in following:
        actions.add("paid")
    if order.fulfilment == Fulfilment.DELIVERY:
        if OrderStatus.PACKED in following:
            actions.add("pack")
        if OrderStatus.SHIPPED in following:
            actions.add("ship")
    elif OrderStatus.COMPLETED in following and order.status != OrderStatus.COMPLETED:
        actions.add("picked_up")
    if order.status == OrderStatus.SHIPPED and OrderStatus.COMPLETED in following and not order.cash_on_delivery:
        actions.add("complete")  # a COD parcel is completed by the agency's remittance
    if OrderStatus.RETURNED in following:
        actions.add("returned")
    if OrderStatus.CANCELLED in following:
        actions.add("cancel")
    if order.status in NOT_HANDED_OVER and order.paid_at is not None:
        actions.add("refund_cancel")  # a paid order is cancelled by refunding it in full (a COD one is not paid)
    return actions


def _forms(**given) -> dict:
    forms = {
        "paid": MarkPaidForm(formdata=None),
        "pack": ConfirmForm(formdata=None),
        "ship": ShipForm(formdata=None),
        "picked_up": ConfirmForm(formdata=None),
        "complete": ConfirmForm(formdata=None),
        "cancel": CancelForm(formdata=None),
        "returned": ReturnedForm(formdata=None),
    }
    forms.update(given)
    return forms


def _render_detail(order: Order, forms: dict | None = None, action_error: str | None = None, status: int = 200):
    return render_template(
        "orders/staff/show.html",
        **common(order=order, forms=forms or _forms(), actions=available_actions(order), action_error=action_error,
                  overdue=is_overdue(order), cashier=cashier_of(order), refund_token=new_token(),
                  stale=shelf_life.stale_allocations(order)),
    ), status


@bp.route("/orders/<number>")
def order(number: str):
    return _render_detail(_fresh_order(number))


def _perform(number: str, key: str, form, call: Callable[[Order], str]):
    """Run one transition from a posted form: success → flash and back to the order; refusal → 422."""
    target = _fresh_order(number)
    error = None
    if form.validate_on_submit():
        try:
            message = call(target)
        except DomainError as refused:
            db.session.rollback()
            error = refused.message
            if key == "ship" and refused.field == "tracking_number":
                form.tracking_number.errors.append(error)
        else:
            db.session.commit()  # the services flush; the request commits once, here
            flash(message, "success")
            return redirect(url_for(".order", number=target.number))
    else:
        error = next((message for messages in form.errors.values() for message in messages), None)
    return _render_detail(order_or_404(number), _forms(**{key: form}), str(error or ""), 422)


@bp.route("/orders/<number>/paid", methods=["POST"])
def order_paid(number: str):
    form = MarkPaidForm()

    def call(target: Order) -> str:
        desk.pay_at_desk(target, form.method.data, user=current_staff(), note=(form.note.data or "").strip())
        return _("Pesanan %(number)s ditandai sudah dibayar (%(method)s).", number=target.number,
                 method=payment_method_label(target.payment_method))

    return _perform(number, "paid", form, call)


@bp.route("/orders/<number>/packed", methods=["POST"])
def order_packed(number: str):
    def call(target: Order) -> str:
        mark_packed(target, user=current_staff())
        return _("Pesanan %(number)s sudah dikemas. Tempel label alamat, lalu kirim dengan nomor resi.",
                 number=target.number)

    return _perform(number, "pack", ConfirmForm(), call)


@bp.route("/orders/<number>/ship", methods=["POST"])
def order_ship(number: str):
    form = ShipForm()

    def call(target: Order) -> str:
        ship(target, form.tracking_number.data or "", user=current_staff())
        return _("Pesanan %(number)s dikirim dengan resi %(resi)s.", number=target.number,
                 resi=target.tracking_number)

    return _perform(number, "ship", form, call)


@bp.route("/orders/<number>/picked-up", methods=["POST"])
def order_picked_up(number: str):
    def call(target: Order) -> str:
        mark_picked_up(target, user=current_staff())
        return _("Pesanan %(number)s sudah diambil pembeli.", number=target.number)

    return _perform(number, "picked_up", ConfirmForm(), call)


@bp.route("/orders/<number>/complete", methods=["POST"])
def order_complete(number: str):
    def call(target: Order) -> str:
        complete(target, user=current_staff())
        return _("Pesanan %(number)s selesai.", number=target.number)

    return _perform(number, "complete", ConfirmForm(), call)


@bp.route("/orders/<number>/returned", methods=["POST"])
def order_returned(number: str):
    form = ReturnedForm()

    def call(target: Order) -> str:
        return_to_sender(target, user=current_staff(), reason=form.reason.data or "")
        return _("Paket %(number)s dicatat kembali ke pengirim; barangnya kembali ke rak.", number=target.number)

    return _perform(number, "returned", form, call)


@bp.route("/orders/<number>/swap/<int:allocation_id>", methods=["POST"])
def order_swap(number: str, allocation_id: int):
    def call(target: Order) -> str:
        shelf_life.swap_lot(target, allocation_id, user=current_staff())
        return _("Lot ditukar: barang pesanan %(number)s sekarang diambil dari lot yang masih layak.",
                 number=target.number)

    return _perform(number, "swap", ConfirmForm(), call)


@bp.route("/orders/<number>/cancel", methods=["POST"])
def order_cancel(number: str):
    form = CancelForm()

    def call(target: Order) -> str:
        cancel(target, user=current_staff(), reason=form.reason.data or "")
        return _("Pesanan %(number)s dibatalkan; stoknya kembali ke rak.", number=target.number)

    return _perform(number, "cancel", form, call)
