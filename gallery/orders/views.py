"""The shopper's order page and order history."""
from __future__ import annotations

import secrets

from flask import abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gallery.extensions import db
from gallery.orders import bp
from gallery.orders.models import Fulfilment, Order, OrderLine, OrderStatus
from gallery.orders.expiry import expire_if_due
from gallery.orders.transitions import status_label
from gallery.orders.tracking import parcel_status_label
from gallery.orders.tracking_forms import ProblemForm

ORDERS_PER_PAGE = 100


def _may_see(order: Order, token: str | None) -> bool:
    """The order's secret link, or the signed-in customer who placed it."""
    if token and secrets.compare_digest(token.encode(), order.access_token.encode()):
        return True
    return bool(current_user.is_authenticated and order.customer_id is not None
                and order.customer_id == current_user.id)


def order_for_viewer(number: str) -> tuple[Order, str | None]:
    """The order and the secret token it was opened with (from ?t= or a posted `t`), or 404 when the
    viewer may not see it."""
    if len(number) > 20:
        abort(404)
    order = db.session.scalar(
        select(Order)
        .options(selectinload(Order.lines).selectinload(OrderLine.allocations),
                 selectinload(Order.events), selectinload(Order.parcel_events), selectinload(Order.province),
                 selectinload(Order.regency), selectinload(Order.district))
        .where(Order.number == number)
    )
    token = request.values.get("t", "")
    token = token if isinstance(token, str) and len(token) <= 64 else None
    if order is None or not _may_see(order, token):
        abort(404)
    return order, token


@bp.route("/orders/<number>")
def show(number: str):
    order, token = order_for_viewer(number)
    expire_if_due(order)
    db.session.commit()  # the expiry, if it was due (the service flushes)
    return render_template("orders/show.html", order=order, status_label=status_label, Fulfilment=Fulfilment,
                           OrderStatus=OrderStatus, token=token, problem_form=ProblemForm(formdata=None),
                           parcel_status_label=parcel_status_label)


@bp.route("/account/orders")
@login_required
def account_orders():
    orders = list(db.session.scalars(
        select(Order)
        .options(selectinload(Order.lines))
        .where(Order.customer_id == current_user.id)
        .order_by(Order.placed_at.desc(), Order.id.desc())
        .limit(ORDERS_PER_PAGE)
    ))
    for order in orders:  # expired on access, like the order page (only the few past their deadline)
        if expire_if_due(order):
            db.session.commit()  # each order's expiry on its own, as on its page
    return render_template("orders/account.html", orders=orders, status_label=status_label)
