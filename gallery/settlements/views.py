"""Staff screens for settlements: generate, list, show, approve (admin), mark paid, exports, reconciliation.

Views parse input and render; gallery.settlements.statements decides; each view commits its use case.
"""
from __future__ import annotations

from datetime import date

from flask import abort, flash, make_response, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gallery import clock
from gallery.accounts.decorators import check_role
from gallery.accounts.models import Role
from gallery.catalog.services import producer_named
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.inputs import parse_id
from gallery.payments.labels import long_label
from gallery.settlements import bp, carry, exports, proofs, statements
from gallery.settlements.reconciliation import METHODS, reconcile
from gallery.settlements.models import Statement, StatementStatus, status_label
from gallery.settlements.queries import get_statement, statements_page
from gallery.settlements.periods import Period



def _period_arg(name: str = "period") -> Period:
    text = request.values.get(name)
    if not text:
        return Period.previous_month()
    try:
        return Period.parse(text)
    except DomainError as error:
        flash(error.message, "error")
        return Period.previous_month()


def _statement_or_404(number: str) -> Statement:
    statement = get_statement(number)
    if statement is None:
        abort(404)
    return statement


def _render(template: str, status: int = 200, **context):
    context.update(status_label=status_label, StatementStatus=StatementStatus, today=clock.today_wib(),
                   min_payout=carry.min_payout())
    return render_template(template, **context), status


@bp.route("/")
def index():
    period = _period_arg()
    state = request.args.get("status")
    q = request.args.get("q", "").strip()[:100]
    results = statements_page(period, state, q, parse_id(request.args.get("page")) or 1)
    return _render("settlements/index.html", results=results, statements=results.rows, period=period, state=state,
                   q=q, total_due=results.figures["total_due"])


@bp.route("/generate", methods=["POST"])
def generate():
    period = _period_arg()
    producer_id = parse_id(request.form.get("producer_id"))
    if producer_id is None and (name := request.form.get("producer", "").strip()):
        producer_id, matched = producer_named(name)
        if producer_id is None:
            flash(_("Tidak ada produsen aktif bernama \"%(name)s\".", name=name) if matched == 0 else
                  _("Lebih dari satu produsen cocok dengan \"%(name)s\"; tulis nama usahanya lebih lengkap.",
                    name=name), "error")
            return redirect(url_for(".index", period=period.key))
    try:
        result = statements.generate(period, producer_id=producer_id, user=current_user)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("%(new)s laporan baru, %(again)s draf dibuat ulang, %(lines)s baris penjualan.",
                new=len(result.created), again=len(result.regenerated), lines=result.lines), "success")
    return redirect(url_for(".index", period=period.key))


@bp.route("/<number>")
def show(number: str):
    statement = _statement_or_404(number)
    return _render("settlements/show.html", statement=statement,
                   can_approve=current_user.role == Role.ADMIN)


@bp.route("/<number>/approve", methods=["POST"])
def approve(number: str):
    check_role(Role.ADMIN)
    statement = _statement_or_404(number)
    try:
        statements.approve(statement, user=current_user)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Laporan %(number)s disetujui.", number=number), "success")
    return redirect(url_for(".show", number=number))


@bp.route("/<number>/pay", methods=["POST"])
def pay(number: str):
    statement = _statement_or_404(number)
    try:
        transfer_date = date.fromisoformat(request.form.get("transfer_date", ""))
    except ValueError:
        transfer_date = None
    try:
        upload = request.files.get("proof")
        statements.mark_paid(statement, transfer_date, request.form.get("bank_reference", ""), user=current_user,
                             proof=upload.read() if upload else None)
    except DomainError as error:
        flash(error.message, "error")
        return _render("settlements/show.html", 422, statement=statement,
                       can_approve=current_user.role == Role.ADMIN, pay_error=error.message)
    db.session.commit()
    flash(_("Pembayaran laporan %(number)s dicatat.", number=number), "success")
    return redirect(url_for(".show", number=number))


@bp.route("/<number>/proof")
def proof(number: str):
    statement = _statement_or_404(number)
    return send_proof(statement)


def send_proof(statement: Statement):
    """The kept transfer slip of a paid statement (staff, or its producer through the portal)."""
    if not statement.proof_key:
        abort(404)
    kind = "application/pdf" if statement.proof_ext == "pdf" else "image/jpeg"
    return send_file(proofs.path_of(statement.proof_key, statement.proof_ext), mimetype=kind,
                     download_name=f"bukti-{statement.number}.{statement.proof_ext}")


@bp.route("/<number>/delete", methods=["POST"])
def delete(number: str):
    statement = _statement_or_404(number)
    period = Period(statement.period_start, statement.period_end)
    try:
        statements.delete_draft(statement)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".show", number=number))
    db.session.commit()
    flash(_("Draf %(number)s dihapus.", number=number), "success")
    return redirect(url_for(".index", period=period.key))


@bp.route("/<number>.csv")
def statement_csv(number: str):
    statement = _statement_or_404(number)
    response = make_response(exports.statement_csv(statement))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{number}.csv"'
    return response


@bp.route("/<number>.pdf")
def statement_pdf(number: str):
    statement = _statement_or_404(number)
    response = make_response(exports.statement_pdf(statement, _("Galeri Oleh-oleh Pesisir Selatan")))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{number}.pdf"'
    return response


@bp.route("/transfer-batch.xlsx")
def transfer_batch():
    transfers = list(db.session.scalars(
        select(Statement).options(selectinload(Statement.producer))
        .where(Statement.status == StatementStatus.APPROVED, Statement.amount_due >= carry.min_payout())
        .order_by(Statement.number)))
    response = make_response(exports.transfer_batch_xlsx(transfers, carry.min_payout()))
    response.headers["Content-Type"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response.headers["Content-Disposition"] = f'attachment; filename="transfer-{clock.today_wib().isoformat()}.xlsx"'
    return response


@bp.route("/reconciliation")
def reconciliation():
    period = _period_arg()
    from gallery.sample_data import sample_data_loaded

    return _render("settlements/reconciliation.html", period=period, result=reconcile(period),
                   methods={key: long_label(key) for key in METHODS}, sample=sample_data_loaded())


