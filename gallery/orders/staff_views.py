"""Staff: order list and detail, fulfilment transitions, printables, and the counter (walk-in sales).

The views parse input and render; gallery.orders.services decides and commits (DESIGN.md rule 10).
Every transition is one service call that records when and by whom. The list runs a fixed number of
SQL statements whatever the number of orders.
"""
from __future__ import annotations

import re
import secrets

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from gallery import clock
from gallery.accounts.models import User
from gallery.catalog.models import Producer, Product, Variant
from gallery.catalog.search import matching_products
from gallery.consignment.barcodes import parse_code
from gallery.consignment.pricing import Quote, QuoteLine, quote, sellable_lots
from gallery.consignment.sellable import on_sale_variant_condition
from gallery.consignment.services import stock_levels
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.money import format_rupiah
from gallery.orders import shelf_life, staff_bp as bp
from gallery.orders.queries import order_page
from gallery.orders.models import (
    Channel,
    Fulfilment,
    Order,
    OrderAllocation,
    OrderEvent,
    OrderLine,
    OrderStatus,
    ParcelStatus,
    PaymentMethod,
)
from gallery.orders.tracking import parcel_status_label
from gallery.orders.expiry import expire_if_due
from gallery.orders.placing import CartLine, MAX_LINES, MAX_QUANTITY
from gallery.orders.transitions import cancel, CHANNEL_LABELS, complete, mark_packed, mark_picked_up, NOT_HANDED_OVER, return_to_sender, ship, status_label, transitions_for
from gallery.orders.staff_forms import (
    TABS,
    CancelForm,
    ConfirmForm,
    CounterAddForm,
    CounterLineForm,
    CounterSellForm,
    MarkPaidForm,
    ReturnedForm,
    ShipForm,
    normalise_sku,
    parse_list_args,
    parse_quantity,
    parse_rupiah,
    payment_method_label,
)
from gallery.payments import desk
from gallery.payments.refunds import new_token

BASKET_KEY = "counter_basket"
SEARCH_LIMIT = 30


def _user() -> User:
    return current_user._get_current_object()


def _common(**context) -> dict:
    context.update(status_label=status_label, payment_method_label=payment_method_label,
                   channel_labels=CHANNEL_LABELS, Fulfilment=Fulfilment, OrderStatus=OrderStatus,
                   parcel_status_label=parcel_status_label, parcel_statuses=ParcelStatus.ALL)
    return context


# ---------------------------------------------------------------------------------------------
# The order list


@bp.route("/orders")
def orders():
    args = parse_list_args(request.args)
    results = order_page(args)
    return render_template(
        "orders/staff/index.html",
        **_common(results=results, args=args, tabs=TABS, page_args=args.url_args()),
    )


# ---------------------------------------------------------------------------------------------
# One order: detail, transitions


def _order_or_404(number: str, *, printable: bool = False) -> Order:
    line_options = selectinload(Order.lines)
    options = [
        line_options.selectinload(OrderLine.allocations).joinedload(OrderAllocation.lot),
        selectinload(Order.events).joinedload(OrderEvent.user),
        joinedload(Order.province), joinedload(Order.regency), joinedload(Order.district),
        joinedload(Order.customer),
    ]
    if printable:
        options.append(selectinload(Order.lines).joinedload(OrderLine.variant))
    order = db.session.scalar(
        select(Order).where(Order.number == (number or "").strip().upper()[:20])
        .options(*options).execution_options(populate_existing=True)
    )
    if order is None:
        abort(404)
    return order


def _fresh_order(number: str, **kwargs) -> Order:
    """The order, expired first if its payment deadline passed (and then read again)."""
    order = _order_or_404(number, **kwargs)
    if expire_if_due(order):
        order = _order_or_404(number, **kwargs)
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


def _cashier(order: Order) -> User | None:
    """Who took the money: the user who recorded the payment (or rang up the counter sale)."""
    for event in order.events:
        if event.user is not None and (event.to_status in (OrderStatus.PAID, OrderStatus.COMPLETED)
                                       or order.channel == Channel.COUNTER):
            return event.user
    return None


def _render_detail(order: Order, forms: dict | None = None, action_error: str | None = None, status: int = 200):
    overdue = (order.status == OrderStatus.PENDING_PAYMENT and order.payment_deadline is not None
               and order.payment_deadline <= clock.utcnow())
    return render_template(
        "orders/staff/show.html",
        **_common(order=order, forms=forms or _forms(), actions=available_actions(order), action_error=action_error,
                  overdue=overdue, cashier=_cashier(order), refund_token=new_token(),
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
            flash(message, "success")
            return redirect(url_for(".order", number=target.number))
    else:
        error = next((message for messages in form.errors.values() for message in messages), None)
    return _render_detail(_order_or_404(number), _forms(**{key: form}), str(error or ""), 422)


@bp.route("/orders/<number>/paid", methods=["POST"])
def order_paid(number: str):
    form = MarkPaidForm()

    def call(target: Order) -> str:
        desk.pay_at_desk(target, form.method.data, user=_user(), note=(form.note.data or "").strip())
        return _("Pesanan %(number)s ditandai sudah dibayar (%(method)s).", number=target.number,
                 method=payment_method_label(target.payment_method))

    return _perform(number, "paid", form, call)


@bp.route("/orders/<number>/packed", methods=["POST"])
def order_packed(number: str):
    def call(target: Order) -> str:
        mark_packed(target, user=_user())
        return _("Pesanan %(number)s sudah dikemas. Tempel label alamat, lalu kirim dengan nomor resi.",
                 number=target.number)

    return _perform(number, "pack", ConfirmForm(), call)


@bp.route("/orders/<number>/ship", methods=["POST"])
def order_ship(number: str):
    form = ShipForm()

    def call(target: Order) -> str:
        ship(target, form.tracking_number.data or "", user=_user())
        return _("Pesanan %(number)s dikirim dengan resi %(resi)s.", number=target.number,
                 resi=target.tracking_number)

    return _perform(number, "ship", form, call)


@bp.route("/orders/<number>/picked-up", methods=["POST"])
def order_picked_up(number: str):
    def call(target: Order) -> str:
        mark_picked_up(target, user=_user())
        return _("Pesanan %(number)s sudah diambil pembeli.", number=target.number)

    return _perform(number, "picked_up", ConfirmForm(), call)


@bp.route("/orders/<number>/complete", methods=["POST"])
def order_complete(number: str):
    def call(target: Order) -> str:
        complete(target, user=_user())
        return _("Pesanan %(number)s selesai.", number=target.number)

    return _perform(number, "complete", ConfirmForm(), call)


@bp.route("/orders/<number>/returned", methods=["POST"])
def order_returned(number: str):
    form = ReturnedForm()

    def call(target: Order) -> str:
        return_to_sender(target, user=_user(), reason=form.reason.data or "")
        return _("Paket %(number)s dicatat kembali ke pengirim; barangnya kembali ke rak.", number=target.number)

    return _perform(number, "returned", form, call)


@bp.route("/orders/<number>/swap/<int:allocation_id>", methods=["POST"])
def order_swap(number: str, allocation_id: int):
    def call(target: Order) -> str:
        shelf_life.swap_lot(target, allocation_id, user=_user())
        return _("Lot ditukar: barang pesanan %(number)s sekarang diambil dari lot yang masih layak.",
                 number=target.number)

    return _perform(number, "swap", ConfirmForm(), call)


@bp.route("/orders/<number>/cancel", methods=["POST"])
def order_cancel(number: str):
    form = CancelForm()

    def call(target: Order) -> str:
        cancel(target, user=_user(), reason=form.reason.data or "")
        return _("Pesanan %(number)s dibatalkan; stoknya kembali ke rak.", number=target.number)

    return _perform(number, "cancel", form, call)


# ---------------------------------------------------------------------------------------------
# Printables: packing slip (A4) and the parcel's address label (100 × 150 mm)


@bp.route("/orders/<number>/packing-slip")
def packing_slip(number: str):
    order = _order_or_404(number, printable=True)
    return render_template("orders/staff/packing_slip.html", **_common(order=order))


@bp.route("/orders/<number>/label")
def label(number: str):
    order = _order_or_404(number, printable=True)
    if order.fulfilment != Fulfilment.DELIVERY:
        abort(404)
    grams = sum(line.quantity * line.unit_weight_grams for line in order.lines)  # frozen when placed
    packaging = int(current_app.config.get("SHIPPING_PACKAGING_GRAMS", 100)) * max(1, order.shipping_parcels)
    return render_template(
        "orders/staff/label.html",
        **_common(order=order, parcels=max(1, order.shipping_parcels), actual_grams=grams + packaging,
                  format_kg=_format_kg),
    )


def _format_kg(grams: int) -> str:
    """Grams as kilograms with up to two decimals in the page's language (1550 → "1,55")."""
    return format_decimal(Decimal(grams) / 1000, format="#,##0.##")


# ---------------------------------------------------------------------------------------------
# The counter (kasir): a basket in the session, a sale through the same stock service


@dataclass
class BasketItem:
    variant: Variant
    quantity: int
    available: int
    lot_id: int | None = None  # a scanned lot code: sold from that lot first
    quote: Quote | None = None  # what its units cost, lot by lot (gallery.consignment.pricing)

    @property
    def key(self) -> str:
        return basket_key(self.variant.id, self.lot_id)

    @property
    def line_total(self) -> int:
        return self.quote.total if self.quote else self.variant.price * self.quantity

    @property
    def list_total(self) -> int:
        return self.variant.price * self.quantity


@dataclass
class Basket:
    items: list[BasketItem]

    @property
    def total(self) -> int:
        return sum(item.line_total for item in self.items)

    @property
    def units(self) -> int:
        return sum(item.quantity for item in self.items)

    def lines(self) -> list[CartLine]:
        return [CartLine(item.variant.id, item.quantity, item.lot_id) for item in self.items]


def basket_key(variant_id: int, lot_id: int | None = None) -> str:
    """A basket line: a variant ("12"), or a variant from a scanned lot ("12@345")."""
    return str(variant_id) if lot_id is None else f"{variant_id}@{lot_id}"


_BASKET_KEY = re.compile(r"^(\d{1,9})(?:@(\d{1,9}))?$")


def _parse_key(key) -> tuple[int, int | None] | None:
    match = _BASKET_KEY.match(key) if isinstance(key, str) else None
    return (int(match[1]), int(match[2]) if match[2] else None) if match else None


def _stored_basket() -> dict[str, int]:
    raw = session.get(BASKET_KEY)
    stored: dict[str, int] = {}
    if isinstance(raw, dict):
        for key, value in raw.items():
            if (_parse_key(key) and isinstance(value, int) and not isinstance(value, bool)
                    and 0 < value <= MAX_QUANTITY):
                stored[key] = value
    return dict(list(stored.items())[:MAX_LINES])


def _save_basket(stored: dict[str, int]) -> None:
    session[BASKET_KEY] = dict(stored)
    session.modified = True


def _sellable_variants(condition) -> list[Variant]:
    """Active variants of published products of active producers matching `condition`, with their product."""
    return list(db.session.scalars(
        select(Variant)
        .join(Product, Product.id == Variant.product_id)
        .join(Producer, Producer.id == Product.producer_id)
        .options(joinedload(Variant.product).joinedload(Product.producer))
        .where(condition, on_sale_variant_condition())
        .order_by(Product.name, Product.id, Variant.position, Variant.id)
    ).unique())


def _basket() -> Basket:
    """The counter basket with today's stock, each unit priced from the lot the sale would take it from
    (five statements). Lines no longer sold are dropped."""
    stored = {_parse_key(key): quantity for key, quantity in _stored_basket().items()}
    if not stored:
        return Basket([])
    variants = {variant.id: variant for variant in _sellable_variants(Variant.id.in_({v for v, _lot in stored}))}
    levels = stock_levels(list(variants))
    items = [
        BasketItem(variants[variant_id], quantity, levels[variant_id].available, lot_id)
        for (variant_id, lot_id), quantity in stored.items() if variant_id in variants
    ]
    for item, priced in zip(items, quote([QuoteLine(item.variant, item.quantity, item.lot_id) for item in items])):
        item.quote = priced
    if len(items) != len(stored):
        flash(_("Ada barang yang tidak dijual lagi; barang itu dikeluarkan dari keranjang kasir."), "warning")
        _save_basket({item.key: item.quantity for item in items})
    return Basket(items)


def _search(q: str) -> list[tuple[Variant, int]]:
    """Variants whose product matches the words of `q` (best match first), or whose SKU starts with it.

    Two statements: the variants with their products, then their stock.
    """
    found = matching_products(q)
    sku = normalise_sku(q)
    if found is None and len(sku) < 2:
        return []
    statement = (
        select(Variant)
        .join(Product, Product.id == Variant.product_id)
        .join(Producer, Producer.id == Product.producer_id)
        .options(joinedload(Variant.product).joinedload(Product.producer))
        .where(on_sale_variant_condition())
    )
    conditions = [Variant.sku.startswith(sku, autoescape=True)] if len(sku) >= 2 else []
    order = []
    if found is not None:
        matched = found.cte("matched")
        statement = statement.outerjoin(matched, matched.c.product_id == Product.id)
        conditions.append(matched.c.product_id.is_not(None))
        order.append(matched.c.score.asc().nulls_last())
    variants = list(db.session.scalars(
        statement.where(or_(*conditions))
        .order_by(*order, Product.name, Product.id, Variant.position, Variant.id)
        .limit(SEARCH_LIMIT)
    ).unique())
    levels = stock_levels([variant.id for variant in variants])
    return [(variant, levels[variant.id].available) for variant in variants]


def _render_counter(status: int = 200, *, add_form=None, sell_form=None, error: str | None = None,
                    line_errors: dict | None = None, basket: Basket | None = None):
    q = " ".join((request.args.get("q") or "").split())[:60]
    sell_form = sell_form or CounterSellForm(formdata=None)
    if not sell_form.sale_token.data:
        sell_form.sale_token.data = secrets.token_urlsafe(16)
    if not sell_form.method.data:
        sell_form.method.data = "cash"
    return render_template(
        "orders/staff/counter.html",
        **_common(
            basket=basket if basket is not None else _basket(),
            add_form=add_form or CounterAddForm(formdata=None),
            sell_form=sell_form,
            line_form=CounterLineForm(formdata=None),
            error=error,
            line_errors=line_errors or {},
            q=q,
            results=_search(q) if q else None,
        ),
    ), status


def _stock_message(variant: Variant, available: int) -> str:
    name = f"{variant.product.name} ({variant.label})"
    if available <= 0:
        return _("Stok %(name)s habis.", name=name)
    return _("Stok %(name)s tidak cukup: tersisa %(available)s.", name=name, available=available)


def _scanned_lot(variant: Variant, lot_id: int | None) -> int | None:
    """The scanned lot when it is this variant's and sellable now; else None (FEFO), with a note."""
    if lot_id is None:
        return None
    lot = next((lot for lot in sellable_lots([variant.id])[variant.id] if lot.lot_id == lot_id), None)
    if lot is None:
        flash(_("Lot #%(lot)s tidak bisa dijual (habis, kedaluwarsa atau bukan lot %(sku)s): diambil dari lot "
                "yang kedaluwarsa lebih dulu.", lot=lot_id, sku=variant.sku), "warning")
        return None
    return lot_id


def _counter_add():
    form = CounterAddForm()
    if not form.validate_on_submit():
        return _render_counter(422, add_form=form, error=_("Formulir kedaluwarsa; coba lagi."))
    scanned = parse_code(form.sku.data)
    sku = scanned.sku if scanned else normalise_sku(form.sku.data)
    try:
        quantity = parse_quantity(form.quantity.data)
    except ValueError as wrong:
        form.quantity.errors.append(str(wrong))
        return _render_counter(422, add_form=form)
    if not sku:
        form.sku.errors.append(_("Ketik atau pindai kode SKU."))
        return _render_counter(422, add_form=form)
    found = _sellable_variants(Variant.sku == sku)
    if not found:
        known = db.session.scalar(select(Variant.id).where(Variant.sku == sku))
        form.sku.errors.append(_("Barang %(sku)s tidak dijual saat ini.", sku=sku) if known
                               else _("Kode SKU %(sku)s tidak dikenal.", sku=sku))
        return _render_counter(422, add_form=form)
    variant = found[0]
    key = basket_key(variant.id, _scanned_lot(variant, scanned.lot_id if scanned else None))
    stored = _stored_basket()
    if key not in stored and len(stored) >= MAX_LINES:
        form.sku.errors.append(_("Keranjang kasir penuh (paling banyak %(n)s baris).", n=MAX_LINES))
        return _render_counter(422, add_form=form)
    wanted = stored.get(key, 0) + quantity
    if wanted > MAX_QUANTITY:
        form.quantity.errors.append(_("Jumlah harus bilangan bulat antara 1 dan %(n)s.", n=MAX_QUANTITY))
        return _render_counter(422, add_form=form)
    available = stock_levels([variant.id])[variant.id].available
    in_basket = sum(n for k, n in stored.items() if k != key and _parse_key(k)[0] == variant.id)
    if wanted + in_basket > available:
        form.quantity.errors.append(_stock_message(variant, available))
        return _render_counter(422, add_form=form)
    stored[key] = wanted
    _save_basket(stored)
    flash(_("%(name)s (%(label)s) × %(n)s masuk keranjang.", name=variant.product.name, label=variant.label,
            n=quantity), "success")
    return redirect(url_for(".counter", q=request.args.get("q") or None))


def _posted_key(stored: dict[str, int]) -> str | None:
    """The basket line a form names: its key, or (a plain variant line) its variant id."""
    key = (request.form.get("item") or request.form.get("variant_id") or "").strip()
    return key if key in stored else None


def _counter_line(action: str):
    form = CounterLineForm()
    stored = _stored_basket()
    if not form.validate_on_submit():
        return _render_counter(422, error=_("Formulir kedaluwarsa; coba lagi."))
    key = _posted_key(stored)
    if key is None:
        return _render_counter(422, error=_("Barang itu tidak ada di keranjang kasir."))
    if action == "remove":
        del stored[key]
        _save_basket(stored)
        flash(_("Barang dikeluarkan dari keranjang."), "info")
        return redirect(url_for(".counter"))
    try:
        quantity = parse_quantity(form.quantity.data if (form.quantity.data or "").strip() else "x")
    except ValueError as wrong:
        return _render_counter(422, line_errors={key: str(wrong)})
    basket = _basket()
    item = next((item for item in basket.items if item.key == key), None)
    if item is None:
        return redirect(url_for(".counter"))
    others = sum(other.quantity for other in basket.items if other.variant.id == item.variant.id and other is not item)
    if quantity + others > item.available:
        return _render_counter(422, line_errors={key: _stock_message(item.variant, item.available)},
                               basket=basket)
    stored[key] = quantity
    _save_basket(stored)
    return redirect(url_for(".counter"))


def _counter_sell():
    form = CounterSellForm()
    basket = _basket()
    if not form.validate_on_submit():
        return _render_counter(422, sell_form=form, basket=basket)
    if not basket.items:
        return _render_counter(422, sell_form=form, basket=basket, error=_("Keranjang kasir masih kosong."))
    received = None
    if form.method.data == "cash":
        try:
            received = parse_rupiah(form.cash_received.data)
        except ValueError as wrong:
            form.cash_received.errors.append(str(wrong))
            return _render_counter(422, sell_form=form, basket=basket)
        if received is not None and received < basket.total:
            form.cash_received.errors.append(_("Uang diterima kurang dari total belanja (%(total)s).",
                                               total=format_rupiah(basket.total)))
            return _render_counter(422, sell_form=form, basket=basket)
    customer_name = (form.customer_name.data or "").strip()
    client_token = (form.sale_token.data or "").strip()[:64] or None
    if form.method.data == PaymentMethod.QRIS and desk.till_gateway() is not None:
        # QRIS through the gateway: the code goes on the screen; the sale is paid when the gateway says so.
        try:
            payment = desk.start_till_qris(basket.lines(), user=_user(), customer_name=customer_name,
                                           client_token=client_token)
        except DomainError as refused:
            db.session.rollback()
            return _render_counter(422, sell_form=form, error=refused.message)
        session.pop(BASKET_KEY, None)
        return redirect(url_for(".counter_qris", number=payment.order.number))
    try:
        sale = desk.sell_at_counter(basket.lines(), form.method.data, user=_user(), customer_name=customer_name,
                                    client_token=client_token)
    except DomainError as refused:
        db.session.rollback()
        return _render_counter(422, sell_form=form, error=refused.message)
    session.pop(BASKET_KEY, None)
    flash(_("Penjualan %(number)s selesai: %(total)s.", number=sale.number, total=format_rupiah(sale.total)),
          "success")
    return redirect(url_for(".counter_receipt", number=sale.number, received=received))


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
        session.pop(BASKET_KEY, None)
        flash(_("Keranjang kasir dikosongkan."), "info")
        return redirect(url_for(".counter"))
    if action == "sell":
        return _counter_sell()
    return _render_counter(422, error=_("Perintah tidak dikenal."))


@bp.route("/counter/qris/<number>")
def counter_qris(number: str):
    """The QRIS code of a sale on the till's screen; it looks again by itself (meta refresh, no script)."""
    order = _order_or_404(number)
    if order.channel != Channel.COUNTER:
        abort(404)
    payment = desk.refresh_till_qris(order)
    if payment is None:
        abort(404)
    order = _order_or_404(number)
    if order.paid_at is not None:
        flash(_("QRIS diterima: penjualan %(number)s lunas.", number=order.number), "success")
        return redirect(url_for(".counter_receipt", number=order.number))
    return render_template("orders/staff/counter_qris.html",
                           **_common(order=order, payment=payment, waiting=order.status == OrderStatus.PENDING_PAYMENT,
                                     instructions=payment.instructions_data, form=ConfirmForm(formdata=None)))


@bp.route("/counter/qris/<number>/cancel", methods=["POST"])
def counter_qris_cancel(number: str):
    order = _order_or_404(number)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        desk.give_up_till_qris(order, user=_user())
    except DomainError as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return redirect(url_for(".counter_qris", number=order.number))
    flash(_("QRIS dibatalkan; barangnya kembali ke rak."), "info")
    return redirect(url_for(".counter"))


@bp.route("/counter/receipts/<number>")
def counter_receipt(number: str):
    order = _order_or_404(number)
    if order.paid_at is None:
        abort(404)
    text = (request.args.get("received") or "").strip()
    received = int(text) if text.isdigit() and len(text) <= 10 else None
    change = received - order.total if received is not None and received >= order.total else None
    return render_template(
        "orders/staff/receipt.html",
        **_common(order=order, cashier=_cashier(order), received=received if change is not None else None,
                  change=change),
    )
