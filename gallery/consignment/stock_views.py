"""Staff screens for stock lists, reports (CSV) and stock-takes.

The views parse input and render; gallery.consignment.reports answers the read-only questions in a
fixed number of statements, gallery.consignment.documents decides stock-takes and the view commits.
Every list is also a CSV file: the same URL with ?format=csv, or ending in .csv.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from urllib.parse import urlencode

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gallery import clock
from gallery.accounts.models import Role
from gallery.catalog.models import Producer
from gallery.catalog.services import producer_named
from gallery.consignment import bp, reports
from gallery.consignment.documents import cancel_stock_take, confirm_stock_take, record_counts, start_stock_take
from gallery.consignment.models import StockTake, StockTakeLine
from gallery.consignment.services import MAX_UNITS_PER_LINE
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.spreadsheets import text_cell

# Cells a spreadsheet would read as a formula are prefixed with an apostrophe (CSV injection).


# --- Helpers --------------------------------------------------------------------------------


def _wants_csv() -> bool:
    return request.path.endswith(".csv") or request.args.get("format") == "csv"


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, date):
        return value.isoformat()
    return text_cell(value)


def csv_response(filename: str, header: list[str], rows) -> Response:
    """A CSV download Excel opens as UTF-8 (byte-order mark), integers and ISO dates left unformatted."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _days_arg(default: int, notices: list[str]) -> int:
    """?days= as a whole number of days from 1 to 365; anything else falls back with a notice."""
    raw = (request.args.get("days") or "").strip()
    if not raw:
        return default
    if raw.isdigit() and len(raw) <= 3 and 1 <= int(raw) <= reports.MAX_DAYS:
        return int(raw)
    notices.append(
        _("Jumlah hari harus bilangan bulat 1 sampai %(max)s; dipakai %(days)s hari.", max=reports.MAX_DAYS,
          days=default)
    )
    return default


def _positive_id(raw: str | None) -> int | None:
    text = (raw or "").strip()
    return int(text) if text.isdigit() and 0 < len(text) < 10 and int(text) > 0 else None


# --- Stock by producer ------------------------------------------------------------------------


@bp.route("/stock")
@bp.route("/stock.csv", endpoint="stock_csv")
def stock():
    today = clock.today_wib()
    notices: list[str] = []
    producer = None
    if (raw := request.args.get("producer", "").strip()):
        producer_id = _positive_id(raw)
        producer = db.session.get(Producer, producer_id) if producer_id else None
        if producer is None:
            notices.append(_("Produsen tidak dikenal; yang tampil ringkasan semua produsen."))

    if producer is not None:
        lots = reports.producer_lots(producer.id, today)
        if _wants_csv():
            return csv_response(
                f"stok-{producer.slug}-{today.isoformat()}.csv",
                [_("Lot"), _("Produk"), _("Varian"), _("SKU"), _("Tanda terima"), _("Diterima"), _("Umur (hari)"),
                 _("Kedaluwarsa"), _("Sudah kedaluwarsa"), _("Rak"), _("Di rak"), _("Harga titip"), _("Nilai")],
                ([lot.lot_id, lot.product_name, lot.variant_label, lot.sku, lot.receipt_number, lot.received_on,
                  lot.age_days, lot.expires_on, lot.expired, lot.shelf, lot.on_hand, lot.unit_payout, lot.value]
                 for lot in lots),
            )
        return render_template(
            "consignment/stock/index.html", producer=producer, lots=lots, totals=reports.lot_totals(lots),
            expired=reports.lot_totals(lot for lot in lots if lot.expired), notices=notices, today=today,
        )

    if _wants_csv():
        return csv_response(
            f"stok-per-produsen-{today.isoformat()}.csv",
            [_("ID produsen"), _("Produsen"), _("Aktif"), _("Unit di rak"), _("Nilai titipan"), _("Lot"),
             _("Unit kedaluwarsa"), _("Kedaluwarsa terdekat")],
            ([row.producer_id, row.name, row.is_active, row.units, row.value, row.lots, row.expired_units,
              row.nearest_expiry] for row in reports.producer_stock_summary(today)),
        )
    q = request.args.get("q", "").strip()[:100]
    results = reports.producer_stock_page(q, _positive_id(request.args.get("page")) or 1, today=today)
    return render_template("consignment/stock/index.html", producer=None, results=results, q=q,
                           totals=results.totals, notices=notices, today=today)


# --- Expiring and expired ---------------------------------------------------------------------


@bp.route("/stock/expiring")
@bp.route("/stock/expiring.csv", endpoint="stock_expiring_csv")
def stock_expiring():
    today = clock.today_wib()
    notices: list[str] = []
    days = _days_arg(reports.DEFAULT_EXPIRY_DAYS, notices)
    if _wants_csv():
        report = reports.expiry_report(days, today)
        return csv_response(
            f"stok-kedaluwarsa-{days}-hari-{today.isoformat()}.csv",
            [_("Status"), _("Kedaluwarsa"), _("Sisa hari"), _("Lot"), _("Produsen"), _("Produk"), _("Varian"),
             _("SKU"), _("Tanda terima"), _("Rak"), _("Di rak"), _("Harga titip"), _("Nilai")],
            ([_("kedaluwarsa") if lot.expired else _("segera kedaluwarsa"), lot.expires_on, lot.days_to_expiry,
              lot.lot_id, lot.producer_name, lot.product_name, lot.variant_label, lot.sku, lot.receipt_number,
              lot.shelf, lot.on_hand, lot.unit_payout, lot.value]
             for lot in report.expired + report.expiring),
        )
    results = reports.expiry_report_page(days, _positive_id(request.args.get("page")) or 1, today=today)
    return render_template(
        "consignment/stock/expiring.html", results=results, report=results.report, notices=notices, today=today,
        expiring_totals=results.expiring_totals, expired_totals=results.expired_totals,
    )


# --- Low stock --------------------------------------------------------------------------------


@bp.route("/stock/low")
@bp.route("/stock/low.csv", endpoint="stock_low_csv")
def stock_low():
    today = clock.today_wib()
    if _wants_csv():
        return csv_response(
            f"stok-menipis-{today.isoformat()}.csv",
            [_("Produsen"), _("WhatsApp"), _("Produk"), _("Varian"), _("SKU"), _("Bisa dijual"), _("Batas menipis"),
             _("Unit kedaluwarsa")],
            ([row.producer_name, row.whatsapp, row.product_name, row.variant_label, row.sku, row.sellable,
              row.threshold, row.expired_units] for row in reports.low_stock(today)),
        )
    results = reports.low_stock_page(_positive_id(request.args.get("page")) or 1, today=today)
    return render_template("consignment/stock/low.html", results=results, groups=_low_stock_groups(results.rows),
                           today=today, sold_out=results.figures["sold_out"])


@dataclass(frozen=True)
class LowStockGroup:
    """A producer's low variants, with a WhatsApp link that already asks for more."""

    producer_id: int
    producer_name: str
    whatsapp: str | None
    whatsapp_link: str | None
    rows: list


def _low_stock_groups(rows) -> list[LowStockGroup]:
    groups = []
    for _producer_id, group in groupby(rows, key=lambda row: row.producer_id):
        group = list(group)
        first = group[0]
        link = None
        if first.whatsapp:
            items = ", ".join(f"{row.product_name} {row.variant_label}" for row in group)
            text = _("Halo %(name)s, stok berikut di Galeri Oleh-oleh Pesisir Selatan menipis: %(items)s. "
                     "Bisa dititipkan lagi?", name=first.producer_name, items=items)
            link = f"https://wa.me/{first.whatsapp}?{urlencode({'text': text})}"
        groups.append(LowStockGroup(first.producer_id, first.producer_name, first.whatsapp, link, group))
    return groups


# --- Slow movers ------------------------------------------------------------------------------


@bp.route("/stock/slow")
@bp.route("/stock/slow.csv", endpoint="stock_slow_csv")
def stock_slow():
    today = clock.today_wib()
    notices: list[str] = []
    days = _days_arg(reports.DEFAULT_SLOW_DAYS, notices)
    if _wants_csv():
        return csv_response(
            f"stok-lambat-laku-{days}-hari-{today.isoformat()}.csv",
            [_("Produsen"), _("Produk"), _("Varian"), _("SKU"), _("Di rak"), _("Nilai titipan"), _("Lot"),
             _("Lot tertua diterima"), _("Umur (hari)"), _("Penjualan terakhir"), _("Hari sejak penjualan")],
            ([row.producer_name, row.product_name, row.variant_label, row.sku, row.units, row.value, row.lots,
              row.oldest_received_on, row.age_days, row.last_sale_on, row.days_since_sale]
             for row in reports.slow_movers(days)),
        )
    results = reports.slow_movers_page(days, _positive_id(request.args.get("page")) or 1)
    return render_template("consignment/stock/slow.html", results=results, rows=results.rows, days=days,
                           notices=notices, today=today, totals=results.figures["totals"])


# --- Stock-takes (stok opname) ----------------------------------------------------------------


def _render_stocktakes(status: int = 200, *, error: str | None = None, scope: str | None = None,
                       producer_id: int | None = None, shelf: str = ""):
    page = reports.stocktake_page(_positive_id(request.args.get("page")) or 1)
    return render_template(
        "consignment/stocktakes/index.html", results=page,
        shelves=reports.shelves_with_stock(), error=error, scope=scope, producer_id=producer_id, shelf=shelf,
    ), status


@bp.route("/stocktakes")
def stocktakes():
    return _render_stocktakes()


@bp.route("/stocktakes", methods=["POST"])
def stocktake_start():
    scope = request.form.get("scope")
    producer = None
    producer_id = None
    shelf = ""
    if scope == "producer":
        raw = (request.form.get("producer_id") or "").strip()
        name = (request.form.get("producer") or "").strip()
        producer_id = _positive_id(raw)
        if producer_id is None and name:  # typed by staff: one producer (active or not) must match
            producer_id, matched = producer_named(name, active_only=False)
            if producer_id is None:
                message = (_("Tidak ada produsen bernama \"%(name)s\".", name=name) if matched == 0 else
                           _("Lebih dari satu produsen cocok dengan \"%(name)s\"; tulis nama usahanya lebih lengkap.",
                             name=name))
                return _render_stocktakes(422, error=message, scope=scope)
        producer = db.session.get(Producer, producer_id) if producer_id else None
        if producer is None:
            message = _("Pilih produsen dari daftar.") if raw else _("Pilih produsen yang akan dihitung.")
            return _render_stocktakes(422, error=message, scope=scope, producer_id=producer_id)
    elif scope == "shelf":
        shelf = (request.form.get("shelf") or "").strip()[:20]
        if not shelf:
            return _render_stocktakes(422, error=_("Pilih rak yang akan dihitung."), scope=scope)
    else:
        return _render_stocktakes(422, error=_("Pilih satu produsen atau satu rak."))
    try:
        stock_take = start_stock_take(producer=producer, shelf=shelf or None, user=current_user._get_current_object())
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _render_stocktakes(422, error=str(error.message), scope=scope, producer_id=producer_id, shelf=shelf)
    flash(ngettext("Stok opname %(number)s dimulai: %(num)s lot untuk dihitung.",
                   "Stok opname %(number)s dimulai: %(num)s lot untuk dihitung.",
                   len(stock_take.lines), number=stock_take.number), "success")
    return redirect(url_for(".stocktake", number=stock_take.number))


def _stocktake_or_404(number: str, *, with_lots: bool = False) -> StockTake:
    if with_lots:
        stock_take = db.session.scalar(
            select(StockTake)
            .options(selectinload(StockTake.lines).selectinload(StockTakeLine.lot))
            .where(StockTake.number == number)
        )
    else:
        stock_take = reports.get_stocktake(number)
    if stock_take is None:
        abort(404)
    return stock_take


def _render_stocktake(stock_take: StockTake, status: int = 200, *, error: str | None = None,
                      line_errors: dict[int, str] | None = None, entered: dict[int, str] | None = None):
    lines = reports.stocktake_sheet(stock_take.id)
    return render_template(
        "consignment/stocktakes/detail.html", stock_take=stock_take, lines=lines, summary=reports.summarize(lines),
        error=error, line_errors=line_errors or {}, entered=entered or {},
        is_admin=current_user.role == Role.ADMIN, today=clock.today_wib(),
    ), status


@bp.route("/stocktakes/<number>")
def stocktake(number: str):
    return _render_stocktake(_stocktake_or_404(number))


def _parse_counts(lines) -> tuple[dict[int, int | None], dict[int, str], dict[int, str]]:
    """Counted quantities by line id from the sheet form: blank = not counted yet."""
    counts: dict[int, int | None] = {}
    errors: dict[int, str] = {}
    entered: dict[int, str] = {}
    for line in lines:
        raw = request.form.get(f"counted-{line.id}")
        if raw is None:
            continue  # not on the submitted sheet: leave as it is
        text = raw.strip()
        entered[line.id] = text[:12]
        if text == "":
            counts[line.id] = None
        elif text.isdigit() and len(text) <= 6 and int(text) <= MAX_UNITS_PER_LINE:
            counts[line.id] = int(text)
        else:
            errors[line.id] = _("Isi dengan bilangan bulat 0 sampai 100.000, atau kosongkan bila belum dihitung.")
    return counts, errors, entered


@bp.route("/stocktakes/<number>", methods=["POST"])
def stocktake_save(number: str):
    stock_take = _stocktake_or_404(number)
    if stock_take.status != StockTake.COUNTING:
        return _render_stocktake(stock_take, 422, error=_("Stok opname ini sudah ditutup; hitungan tidak bisa diubah."))
    counts, errors, entered = _parse_counts(stock_take.lines)
    if errors:
        return _render_stocktake(
            stock_take, 422, line_errors=errors, entered=entered,
            error=_("Periksa kembali jumlah yang ditandai. Belum ada yang disimpan."),
        )
    try:
        record_counts(stock_take, counts)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _render_stocktake(stock_take, 422, error=str(error.message), entered=entered)
    flash(_("Hitungan sudah disimpan."), "success")
    return redirect(url_for(".stocktake", number=number))


@bp.route("/stocktakes/<number>/confirm", methods=["POST"])
def stocktake_confirm(number: str):
    if current_user.role != Role.ADMIN:
        abort(403)
    stock_take = _stocktake_or_404(number, with_lots=True)
    try:
        confirm_stock_take(stock_take, user=current_user._get_current_object())
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _render_stocktake(_stocktake_or_404(number), 422, error=str(error.message))
    flash(_("Stok opname %(number)s dikonfirmasi; selisihnya sudah dicatat sebagai koreksi stok.", number=number),
          "success")
    return redirect(url_for(".stocktake", number=number))


@bp.route("/stocktakes/<number>/cancel", methods=["POST"])
def stocktake_cancel(number: str):
    stock_take = _stocktake_or_404(number)
    try:
        cancel_stock_take(stock_take, user=current_user._get_current_object())
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _render_stocktake(stock_take, 422, error=str(error.message))
    flash(_("Stok opname %(number)s dibatalkan; stok tidak berubah.", number=number), "info")
    return redirect(url_for(".stocktakes"))
