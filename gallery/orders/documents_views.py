"""Staff: an order's printed documents, the packing slip (A4) and the parcel's address label (100 × 150 mm).

The label weighs the parcel from the unit weights frozen on the order's lines when it was placed (the
weights the shipping quote read), never from the catalogue's weights of today.
"""
from __future__ import annotations

from decimal import Decimal

from flask import abort, render_template
from flask_babel import format_decimal

from gallery.orders import staff_bp as bp
from gallery.orders.models import Fulfilment
from gallery.orders.staff_pages import common, order_or_404
from gallery.shipping.quotes import packaging_grams


@bp.route("/orders/<number>/packing-slip")
def packing_slip(number: str):
    order = order_or_404(number)
    return render_template("orders/staff/packing_slip.html", **common(order=order))


@bp.route("/orders/<number>/label")
def label(number: str):
    order = order_or_404(number)
    if order.fulfilment != Fulfilment.DELIVERY:
        abort(404)
    grams = sum(line.quantity * line.unit_weight_grams for line in order.lines)  # frozen when placed
    packaging = packaging_grams() * max(1, order.shipping_parcels)
    return render_template(
        "orders/staff/label.html",
        **common(order=order, parcels=max(1, order.shipping_parcels), actual_grams=grams + packaging,
                  format_kg=_format_kg),
    )


def _format_kg(grams: int) -> str:
    """Grams as kilograms with up to two decimals in the page's language (1550 → "1,55")."""
    return format_decimal(Decimal(grams) / 1000, format="#,##0.##")

