"""Staff: price tags with Code 128 barcodes for a receipt, a lot, a variant or lots chosen on the stock list.

`/staff/tags` chooses what to print (how many of each lot, the label stock, margins, the lot in the
code); `/staff/tags/print` is the one print view (print it, or save it as PDF from the print dialog),
sized by a small stylesheet made for the chosen stock (`/staff/tags/layout.css`): no inline styles.
These pages only read; nothing is written.
"""
from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_babel import gettext as _

from gallery.consignment import bp
from gallery.consignment.barcodes import svg
from gallery.consignment.models import Lot
from gallery.consignment.tags import LAYOUTS, MAX_MARGIN_MM, for_lots, for_receipt, for_variant, layout_with_margins, \
    sheets, tag_lots
from gallery.errors import DomainError

QUANTITY_PREFIX = "q"


def _ids(name: str) -> list[int]:
    return [int(value) for value in request.args.getlist(name) if value.isdigit() and len(value) < 10]


def _number(name: str, low: float, high: float) -> float | None:
    text = (request.args.get(name) or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise DomainError(_("Margin harus berupa angka (mm)."), field="margin") from None
    if not low <= value <= high:
        raise DomainError(_("Margin antara 0 dan %(n)s mm.", n=MAX_MARGIN_MM), field="margin")
    return value


def _tag_request():
    if receipt := (request.args.get("receipt") or "").strip():
        return for_receipt(receipt)
    if variant := _ids("variant"):
        return for_variant(variant[0])
    lots = _ids("lot")
    return for_lots(lots, received=request.args.get("from") != "stock" and len(lots) == 1)


@bp.route("/tags")
def tags():
    try:
        chosen = _tag_request()
    except DomainError as error:
        return render_template("consignment/tags/choose.html", error=error.message, layouts=LAYOUTS), 404
    return render_template("consignment/tags/choose.html", chosen=chosen, layouts=LAYOUTS,
                           quantity_prefix=QUANTITY_PREFIX)


@bp.route("/tags/print")
def tags_print():
    ids = _ids("lot")
    quantities = {}
    for lot_id in ids:
        text = (request.args.get(f"{QUANTITY_PREFIX}{lot_id}") or "0").strip()
        quantities[lot_id] = int(text) if text.isdigit() and len(text) < 5 else 0
    try:
        layout = layout_with_margins(request.args.get("layout", ""), _number("top", 0, MAX_MARGIN_MM),
                                     _number("side", 0, MAX_MARGIN_MM))
        lots = tag_lots(Lot.id.in_(ids)) if ids else []
        skip = request.args.get("skip", "0")
        pages = sheets(lots, quantities, layout, with_lot=request.args.get("with_lot") == "1",
                       skip=int(skip) if skip.isdigit() and len(skip) < 4 else 0)
    except DomainError as error:
        return render_template("consignment/tags/choose.html", error=error.message, layouts=LAYOUTS), 422
    return render_template("consignment/tags/print.html", pages=pages, layout=layout, barcode=svg,
                           count=sum(1 for page in pages for tag in page if tag))


@bp.route("/tags/layout.css")
def tags_layout_css():
    """The page size and the label grid of one label stock, as a stylesheet (CSP: no inline styles)."""
    try:
        layout = layout_with_margins(request.args.get("layout", ""), _number("top", 0, MAX_MARGIN_MM),
                                     _number("side", 0, MAX_MARGIN_MM))
    except DomainError:
        abort(404)
    font = round(min(layout.tag_width / 22, layout.tag_height / 9), 2)
    css = render_template("consignment/tags/layout.css", layout=layout, font=font)
    return Response(css, mimetype="text/css", headers={"Cache-Control": "private, max-age=3600"})
