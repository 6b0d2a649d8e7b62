"""Checkout: contact, delivery or pick-up, address, shipping options, placing the order.

One page, one form, no JavaScript needed. The dependent region selects are filled on the server:
the "Perbarui pilihan" button (action=refresh) re-renders the page with the regencies of the
chosen province and the districts of the chosen regency, keeping everything typed; shop.js only
presses that button when a select changes. Every amount on the page comes from the current cart
and gallery.shipping.quotes; "Buat pesanan" (action=place) hands ids and quantities to
place_order, which prices everything again.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from gallery.accounts import address_book
from gallery.accounts.models import Role
from gallery.cart import services as cart_services
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.notifications.outbox import whatsapp_configured
from gallery.orders import bp
from gallery.orders.forms import CheckoutForm
from gallery.orders.models import Fulfilment
from gallery.orders.placing import Contact, parcel_items, place_order, SoldOut
from gallery.shipping.addresses import Address
from gallery.shipping import cod
from gallery.shipping.quotes import ShippingOption, quote
from gallery.shipping.region_choices import Regions, chosen_regions, fill_region_choices, region_errors

# Where a service's DomainError is shown when its field is not one of the form's.
_FIELD_ALIASES = {"destination": "regency_code", "weight": "service", "value": "insured"}


@dataclass
class Shipping:
    """The options shown for the chosen destination, the chosen one, or why there are none; and cash on
    delivery with its fee, where the chosen service and destination allow it."""

    options: list[ShippingOption] = field(default_factory=list)
    chosen: ShippingOption | None = None
    error: str | None = None
    cod: cod.CodOffer | None = None


def _shipping(form: CheckoutForm, regions: Regions, cart) -> Shipping:
    shipping = Shipping()
    if not form.delivery or regions.regency is None:
        return shipping
    variants = {item.variant.id: item.variant for item in cart.items}
    items = parcel_items(variants, cart.lines())
    try:
        # Quoted with the cart's value so each option can show what insuring it would cost.
        shipping.options = quote(regions.regency.code, items, insured_value=cart.total)
    except DomainError as error:
        if error.field != "value":
            shipping.error = error.message
            return shipping
        try:  # a cart worth more than any insurance covers: quote without it
            shipping.options = quote(regions.regency.code, items)
        except DomainError as again:
            shipping.error = again.message
            return shipping
    codes = [option.service_code for option in shipping.options]
    if not form.service.data and codes:
        form.service.data = codes[0]  # the cheapest, until the shopper picks another
    shipping.chosen = next((o for o in shipping.options if o.service_code == form.service.data), None)
    form.service.choices = [SelectChoice(code) for code in codes]
    if shipping.chosen is not None and regions.province is not None:
        insurance = shipping.chosen.insurance if form.insured.data else 0
        shipping.cod = cod.offer(shipping.chosen.service_code, regions.province.code,
                                 cart.total + shipping.chosen.price + insurance)
    if shipping.cod is None:
        form.pay_on_delivery.data = False
    return shipping


@dataclass(frozen=True)
class Summary:
    subtotal: int
    shipping_public: int
    shipping_price: int
    shipping_saving: int
    insurance: int
    shipping_known: bool
    cod_fee: int = 0

    @property
    def total(self) -> int:
        return self.subtotal + self.shipping_price + self.insurance + self.cod_fee


def _summary(form: CheckoutForm, cart, shipping: Shipping) -> Summary:
    if not form.delivery:
        return Summary(cart.total, 0, 0, 0, 0, True)
    chosen = shipping.chosen
    if chosen is None:
        return Summary(cart.total, 0, 0, 0, 0, False)
    insurance = chosen.insurance if form.insured.data else 0
    fee = shipping.cod.fee if shipping.cod is not None and form.pay_on_delivery.data else 0
    return Summary(cart.total, chosen.public_price, chosen.price, chosen.discount, insurance, True, fee)


def _may_save_address() -> bool:
    """Only a signed-in customer keeps an address book."""
    return current_user.is_authenticated and current_user.role == Role.CUSTOMER


def _saved_addresses() -> list:
    """The signed-in customer's address book (empty for guests and other roles)."""
    if not _may_save_address():
        return []
    return address_book.addresses_of(current_user)


def _prefill(form: CheckoutForm, saved: list) -> None:
    """The customer's contact, and the address chosen from the book (?address=id) or the default one."""
    if current_user.is_authenticated:
        form.name.data = current_user.name
        form.email.data = current_user.email
        form.whatsapp.data = current_user.phone
    wanted = request.args.get("address", type=int)
    chosen = next((a for a in saved if a.id == wanted), saved[0] if saved else None)
    if chosen is not None:
        form.province_code.data, form.regency_code.data = chosen.province_code, chosen.regency_code
        form.district_code.data, form.street.data = chosen.district_code, chosen.street
        form.postal_code.data = chosen.postal_code


def _show_error(form: CheckoutForm, error: DomainError, general: list[str]) -> None:
    name = _FIELD_ALIASES.get(error.field or "", error.field or "")
    target = getattr(form, name, None) if name in form._fields and name != "csrf_token" else None
    if target is None:
        general.append(error.message)
    else:
        target.errors = list(target.errors) + [error.message]


def _address(form: CheckoutForm) -> Address:
    return Address(
        province_code=form.province_code.data or "", regency_code=form.regency_code.data or "",
        district_code=form.district_code.data or "", street=form.street.data or "",
        postal_code=form.postal_code.data or "",
    )


def _place(form: CheckoutForm, cart):
    """Hand the cart's ids and quantities to place_order; the order, or None with the errors on the form."""
    delivery = form.delivery
    address = _address(form) if delivery else None
    return place_order(
        cart.lines(),
        Contact(form.name.data or "", form.email.data or "", form.whatsapp.data or ""),
        fulfilment=form.fulfilment.data,
        address=address,
        service_code=(form.service.data or None) if delivery else None,
        insured=bool(form.insured.data) and delivery,
        customer=current_user if current_user.is_authenticated else None,
        notes=form.notes.data or "",
        cash_on_delivery=bool(form.pay_on_delivery.data) and delivery,
        notify_whatsapp=bool(form.notify_whatsapp.data) and whatsapp_configured(),
    )


def _placed(form: CheckoutForm, cart, regions, general: list[str]):
    """Place the order from a posted form: a redirect to the order, or None with the errors noted (and the
    cart as it is now, when an item ran out meanwhile)."""
    valid = form.validate()
    if form.delivery:
        valid = region_errors(form, regions) and valid
    if cart.notices:
        general.append(_("Isi keranjang berubah karena stok. Periksa ringkasan lalu tekan Buat pesanan lagi."))
        valid = False
    if not valid:
        return None, cart
    try:
        order = _place(form, cart)
    except SoldOut as error:
        db.session.rollback()
        general.append(error.message)
        return None, cart_services.current()  # show what is left now
    except DomainError as error:
        db.session.rollback()
        _show_error(form, error, general)
        return None, cart
    # The order stands on its own: the address book may refuse the address (and roll its attempt back).
    db.session.commit()
    if form.save_address.data and form.delivery and _may_save_address():
        address_book.remember(current_user, _address(form))
        db.session.commit()
    cart_services.clear()
    flash(_("Terima kasih! Pesanan %(number)s sudah kami terima.", number=order.number), "success")
    return redirect(url_for("orders.show", number=order.number, t=order.access_token), code=303), cart


def _empty_cart():
    cart = cart_services.current()
    if not cart.is_empty:
        return cart, None
    for notice in cart.notices:
        flash(notice, "warning")
    flash(_("Keranjang masih kosong."), "info")
    return cart, redirect(url_for("cart.show"), code=303)


@bp.route("/checkout", methods=["GET", "POST"])
def checkout():
    cart, away = _empty_cart()
    if away is not None:
        return away
    form = CheckoutForm()
    saved = _saved_addresses()
    if request.method == "GET":
        _prefill(form, saved)
    action = request.form.get("action") if request.method == "POST" else None
    regions = chosen_regions(form.province_code.data, form.regency_code.data, form.district_code.data)
    fill_region_choices(form, regions)
    # A choice that does not belong to its parent is dropped when the page is refreshed…
    if action != "place":
        form.province_code.data = regions.province.code if regions.province else ""
        form.regency_code.data = regions.regency.code if regions.regency else ""
        form.district_code.data = regions.district.code if regions.district else ""

    general: list[str] = []
    status = 200
    if action == "place":
        placed, cart = _placed(form, cart, regions, general)
        if placed is not None:
            return placed
        status = 422

    shipping = _shipping(form, regions, cart)
    return render_template(
        "orders/checkout.html",
        form=form,
        cart=cart,
        regions=regions,
        shipping=shipping,
        summary=_summary(form, cart, shipping),
        general_errors=general,
        pickup_hours=current_app.config["PICKUP_HOLD_HOURS"],
        payment_hours=current_app.config["PAYMENT_DEADLINE_HOURS"],
        fulfilment=Fulfilment,
        whatsapp_messages=whatsapp_configured(),
        saved_addresses=saved,
        may_save_address=_may_save_address(),
    ), status

