"""The producer's pages: dashboard, sales (with CSV), stock and its documents, statements, profile.

Every query is scoped by the logged-in producer (current_user.producer_id); a document, lot or
statement of another producer is a 404, exactly like one that does not exist. Views parse input
and render; gallery.portal.queries reads, gallery.portal.services decides.
"""
from __future__ import annotations

import io
import re
from datetime import date, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from gallery import clock
from gallery.consignment.document_queries import receipt_totals, return_totals
from gallery.consignment.forms import RETURN_REASONS
from gallery.consignment.markdowns import bearer_label
from gallery.consignment.term_models import NoticeStage
from gallery.consignment.terms import END_ACTION_LABELS, stage, terms_of
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.money import format_rupiah
from gallery.orders.models import Channel
from gallery.portal import bp, chart, queries, services, settlement_reads
from gallery.notifications.outbox import whatsapp_configured
from gallery.notifications.preferences import producer_channels, set_producer_channels
from gallery.portal.forms import ChannelsForm, ProfileRequestForm
from gallery.portal.visibility import Visibility, visibility_of
from gallery.settlements import exports
from gallery.shipping.regions import display_name
from gallery.spreadsheets import csv_download, csv_writer

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _producer_id() -> int:
    return current_user.producer_id


def _seen() -> Visibility:
    return visibility_of(_producer_id())


def _detailed_only() -> None:
    """Sales lines, stock, lots and documents are for producers the gallery shows them in detail (else 404)."""
    if not _seen().detailed:
        abort(404)


def _date_arg(name: str) -> date | None:
    text = (request.args.get(name) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(name) from None


def _page_arg() -> int:
    text = (request.args.get("page") or "").strip()
    return int(text) if text.isdigit() and len(text) < 7 else 1


def _sale_filter(products: list[tuple[int, str]]) -> tuple[queries.SaleFilter, dict, list[str]]:
    """The filter from ?month=YYYY-MM or ?from=&to= (WIB days) and ?product=; errors say what was ignored."""
    errors: list[str] = []
    args: dict = {}
    start = end = None
    month = (request.args.get("month") or "").strip()
    if month:
        match = MONTH.match(month)
        if match and 1 <= int(match[2]) <= 12 and 2000 <= int(match[1]) <= 2100:
            start = date(int(match[1]), int(match[2]), 1)
            end = queries.add_months(start, 1).replace(day=1)
            end = date.fromordinal(end.toordinal() - 1)
            args["month"] = month
        else:
            errors.append(_("Bulan tidak dikenali; tulis seperti 2026-11."))
    else:
        try:
            start = _date_arg("from")
            end = _date_arg("to")
        except ValueError:
            errors.append(_("Tanggal tidak dikenali; pilih dari kalender."))
            start = end = None
        if start and end and end < start:
            errors.append(_("Tanggal akhir sebelum tanggal awal; filter tanggal diabaikan."))
            start = end = None
        if start:
            args["from"] = start.isoformat()
        if end:
            args["to"] = end.isoformat()
    product_id = None
    text = (request.args.get("product") or "").strip()
    if text:
        if not text.isdigit() or len(text) > 9:
            abort(404)
        product_id = int(text)
        if product_id not in {pid for pid, _name in products}:
            abort(404)  # another producer's product: as if it did not exist
        args["product"] = product_id
    return queries.SaleFilter(start, end, product_id), args, errors


def _settlement_figures(producer_id: int) -> dict:
    return {
        "earnings_due": settlement_reads.earnings_due(producer_id),
        "last_payout": settlement_reads.last_payout(producer_id),
    }


@bp.route("")
def dashboard():
    producer = current_user.producer
    data = queries.dashboard(producer.id)
    if not _seen().detailed:
        return render_template("portal/dashboard_summary.html", producer=producer,
                               statements=settlement_reads.statements_of(producer.id)[:6],
                               **_settlement_figures(producer.id))
    bars = chart.bars(data.months, format_rupiah, lambda n: ngettext("%(num)s unit", "%(num)s unit", n))
    return render_template(
        "portal/dashboard.html", producer=producer, data=data, bars=bars, chart=chart,
        expiry_days=queries.EXPIRY_DAYS, best_days=queries.BEST_SELLER_DAYS, to_collect=_to_collect(data.lots),
        **_settlement_figures(producer.id),
    )


def _to_collect(lots) -> list:
    """The producer's lots whose consignment term ended (in grace or past it): a notice to collect them."""
    grace = terms_of(_producer_id()).grace_days
    return [lot for lot in lots if stage(lot.term_ends_on, grace, lot.today) in (NoticeStage.GRACE,
                                                                                   NoticeStage.PAST_GRACE)]


def _channel_label(channel: str) -> str:
    return _("Online") if channel == Channel.ONLINE else _("Kasir galeri")


def _destination(row: queries.SaleRow) -> str:
    return (display_name(row.regency_name) if row.regency_name else "—") if row.delivered else _("Galeri")


def _csv(rows: list[queries.SaleRow]) -> Response:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow([_("Tanggal (WIB)"), _("Produk"), _("Varian"), _("Jumlah"), _("Harga titip"), _("Subtotal"),
                     _("Kanal"), _("Kota tujuan"), _("Keterangan")])
    for row in rows:
        note = _("Dikembalikan") if row.refunded else (
            _("%(num)s unit dikembalikan", num=row.line_refunded) if row.partly_refunded else "")
        writer.writerow([row.sold_on.isoformat(), row.product_name, row.variant_label, row.quantity, row.unit_payout,
                         row.subtotal, _channel_label(row.channel), _destination(row), note])
    name = f"penjualan-{current_user.producer.slug}-{clock.today_wib().isoformat()}.csv"
    return csv_download(out.getvalue(), name)


@bp.route("/sales")
def sales():
    _detailed_only()
    producer_id = _producer_id()
    products = queries.product_choices(producer_id)
    filters, args, errors = _sale_filter(products)
    if request.args.get("format") == "csv":
        return _csv(queries.all_sales(producer_id, filters))
    results = queries.sales_page(producer_id, filters, _page_arg())
    return render_template(
        "portal/sales.html", results=results, products=products, args=args, errors=errors, filters=filters,
        channel_label=_channel_label, destination=_destination, month=request.args.get("month", ""),
    )


@bp.route("/stock")
def stock():
    _detailed_only()
    producer_id = _producer_id()
    today = clock.today_wib()
    from gallery.consignment.reports.lots import lot_totals, producer_lots

    lots = producer_lots(producer_id, today=today)
    terms = terms_of(producer_id)
    return render_template(
        "portal/stock.html", lots=lots, totals=lot_totals(lots), today=today,
        receipts=queries.receipts_of(producer_id), returns=queries.returns_of(producer_id),
        return_reasons=RETURN_REASONS, expiry_days=queries.EXPIRY_DAYS, terms=terms, to_collect=_to_collect(lots),
        grace_end=terms.grace_end, end_action_labels=END_ACTION_LABELS,
    )


def _document_or_404(find, number: str):
    """One of the producer's own receipts or returns (detailed view only); another's is "not found"."""
    _detailed_only()
    document = find(_producer_id(), number)
    if document is None:
        abort(404)
    return document


@bp.route("/receipts/<number>")
def receipt(number: str):
    document = _document_or_404(queries.receipt_of, number)
    return render_template(
        "portal/receipt.html", receipt=document, thermal=request.args.get("format") == "thermal",
        **receipt_totals(document),
    )


@bp.route("/returns/<number>")
def producer_return(number: str):
    document = _document_or_404(queries.return_of, number)
    return render_template(
        "portal/return.html", document=document, thermal=request.args.get("format") == "thermal",
        return_reasons=RETURN_REASONS, **return_totals(document),
    )


# --- Statements (read from gallery.settlements when it is installed) --------------------------


def _statement_or_404(number: str):
    statement = settlement_reads.get_statement(number[:20], _producer_id())
    if statement is None:
        abort(404)
    return statement


def _last_day(statement) -> date:
    """Statements cover [period_start, period_end): the last WIB day they include."""
    return statement.period_end - timedelta(days=1)


@bp.route("/statements")
def statements():
    producer_id = _producer_id()
    return render_template(
        "portal/statements.html", statements=settlement_reads.statements_of(producer_id),
        last_payout=settlement_reads.last_payout(producer_id), earnings_due=settlement_reads.earnings_due(producer_id),
        last_day=_last_day,
    )


@bp.route("/statements/<number>")
def statement(number: str):
    statement = _statement_or_404(number)
    summary = exports.product_summary(statement)
    return render_template("portal/statement.html", statement=statement, last_day=_last_day, summary=summary,
                           bearer_label=bearer_label)


def _export_view() -> dict:
    seen = _seen()
    return {"detailed": seen.detailed, "shows_commission": seen.shows_commission}


@bp.route("/statements/<number>.csv")
def statement_csv(number: str):
    statement = _statement_or_404(number)
    return csv_download(exports.statement_csv(statement, **_export_view()), f"{statement.number}.csv")


@bp.route("/statements/<number>.pdf")
def statement_pdf(number: str):
    statement = _statement_or_404(number)
    data = exports.statement_pdf(statement, _("Galeri Oleh-oleh Pesisir Selatan"), **_export_view())
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{statement.number}.pdf"'})


# --- Profile ------------------------------------------------------------------------------------


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    producer = current_user.producer
    form = ProfileRequestForm(obj=producer if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        try:
            services.request_change(producer, form.values(), user=current_user._get_current_object(),
                                    note=form.note.data or "")
            db.session.commit()
        except DomainError as error:
            form.field_for(error.field).errors.append(error.message)
            status = 422
        else:
            flash(_("Permintaan perubahan terkirim. Staf galeri akan memeriksanya."), "success")
            return redirect(url_for(".profile"))
    elif request.method == "POST":
        status = 422
    return _profile_page(producer, form, ChannelsForm(obj=producer_channels(producer.id)), status)


def _profile_page(producer, form: ProfileRequestForm, channels: ChannelsForm, status: int):
    return render_template(
        "portal/profile.html", producer=producer, form=form, pending=services.pending_of(producer.id),
        history=services.requests_of(producer.id), channels=channels, whatsapp_messages=whatsapp_configured(),
    ), status


@bp.route("/profile/channels", methods=["POST"])
def profile_channels():
    producer = current_user.producer
    channels = ChannelsForm()
    if channels.validate_on_submit():
        try:
            set_producer_channels(producer, by_email=channels.by_email.data, by_whatsapp=channels.by_whatsapp.data,
                                  user=current_user._get_current_object())
        except DomainError as error:
            channels[error.field or "by_email"].errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Pilihan pemberitahuan disimpan."), "success")
            return redirect(url_for(".profile"), code=303)
    return _profile_page(producer, ProfileRequestForm(obj=producer), channels, 422)
