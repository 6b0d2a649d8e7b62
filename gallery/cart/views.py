"""Cart pages: show, add, change and remove (POST forms, no JavaScript needed).

The views only parse ids and quantities and report; gallery.cart.services decides what goes in the
cart and caps it by what can be sold. Every POST answers with a redirect and a flash message
(post/redirect/get), and bad input changes nothing.
"""
from __future__ import annotations

from flask import flash, has_request_context, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from gallery.accounts.views import safe_next
from gallery.cart import bp, services
from gallery.catalog.models import Variant
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.inputs import parse_id
from gallery.orders.placing import MAX_QUANTITY

QUANTITY_PREFIX = "qty-"


@bp.app_context_processor
def inject_cart_count():
    """Units in the cart for the header badge; read from the session cookie, no query."""
    if not has_request_context():  # emails rendered by a command have no session
        return {"cart_count": 0}
    return {"cart_count": services.count()}


def _parse_quantity(raw) -> int | None:
    """A quantity of 1..MAX_QUANTITY, or None."""
    text = (raw or "").strip() if isinstance(raw, str) else ""
    if not text.isdigit() or len(text) > 6:
        return None
    value = int(text)
    return value if 1 <= value <= MAX_QUANTITY else None


def _back():
    """Back to where the form came from (the product page, the cart or checkout)."""
    return redirect(safe_next(request.form.get("next")) or url_for("cart.show"), code=303)


def _to_cart():
    return redirect(url_for("cart.show"), code=303)


@bp.route("/cart")
def show():
    cart = services.current()
    return render_template("cart/show.html", cart=cart, max_quantity=MAX_QUANTITY)


@bp.route("/cart/add", methods=["POST"])
def add():
    variant_id = parse_id(request.form.get("variant_id"))
    if variant_id is None:
        flash(_("Pilih varian produk dulu."), "error")
        return _back()
    quantity = _parse_quantity(request.form.get("quantity", "1"))
    if quantity is None:
        flash(_("Jumlah harus antara 1 dan %(n)s.", n=MAX_QUANTITY), "error")
        return _back()
    try:
        total, notice = services.add(variant_id, quantity)
    except DomainError as error:
        flash(error.message, "error")
        return _back()
    variant = db.session.get(Variant, variant_id)  # already in the session: no query
    if notice:
        flash(notice, "warning")
    else:
        flash(Markup("{} <a href=\"{}\">{}</a>").format(
            _("%(name)s (%(variant)s) masuk keranjang: %(n)s di keranjang.",
              name=variant.product.name, variant=variant.label, n=total),
            url_for("cart.show"), _("Lihat keranjang")), "success")
    return _back()


def _wanted_quantities(in_cart: dict) -> dict[int, int] | None:
    """The quantities the update form asks for, by variant id; None (with a message) if any is wrong."""
    wanted: dict[int, int] = {}
    for key, raw in request.form.items(multi=False):
        if not key.startswith(QUANTITY_PREFIX):
            continue
        variant_id = parse_id(key[len(QUANTITY_PREFIX):])
        if variant_id is None or variant_id not in in_cart:
            flash(_("Produk ini tidak ada di keranjang."), "error")
            return None
        quantity = _parse_quantity(raw)
        if quantity is None:
            flash(_("Jumlah %(name)s harus antara 1 dan %(n)s. Untuk menghapus, tekan Hapus.",
                    name=in_cart[variant_id].product.name, n=MAX_QUANTITY), "error")
            return None
        wanted[variant_id] = quantity
    return wanted


@bp.route("/cart/update", methods=["POST"])
def update():
    """Set every line's quantity from one form; all are checked before any is changed."""
    cart = services.current()
    for notice in cart.notices:
        flash(notice, "warning")
    in_cart = {item.variant.id: item for item in cart.items}
    wanted = _wanted_quantities(in_cart)
    if wanted is None:
        return _to_cart()
    changed = False
    for variant_id, quantity in wanted.items():
        if quantity == in_cart[variant_id].quantity:
            continue
        try:
            notice = services.set_quantity(variant_id, quantity)
        except DomainError as error:  # checked above; kept for safety
            flash(error.message, "error")
            return _to_cart()
        changed = True
        if notice:
            flash(f"{in_cart[variant_id].product.name}: {notice}", "warning")
    if changed:
        flash(_("Keranjang diperbarui."), "success")
    return _back()


@bp.route("/cart/remove", methods=["POST"])
def remove():
    variant_id = parse_id(request.form.get("variant_id"))
    cart = services.current()
    item = next((item for item in cart.items if item.variant.id == variant_id), None)
    if item is None:
        flash(_("Produk ini tidak ada di keranjang."), "error")
        return _to_cart()
    services.remove(variant_id)
    flash(_("%(name)s (%(variant)s) dihapus dari keranjang.", name=item.product.name, variant=item.variant.label),
          "success")
    return _to_cart()
