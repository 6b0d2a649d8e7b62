"""Staff screens for consignment documents: receipts, returns, write-offs, corrections, lot history.

The views parse input and render; gallery.consignment.documents decides and the view commits. The read
helpers below run a fixed number of SQL statements whatever the number of rows.
"""
from __future__ import annotations


from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from gallery import clock
from gallery.accounts.models import Role, User
from gallery.catalog.models import Producer
from gallery.consignment import bp
from gallery.consignment.document_queries import (
    active_variants,
    lot_with_history,
    producer_options,
    producers_with_stock,
    receipt_by_number,
    receipt_page,
    receipt_totals,
    return_by_number,
    return_page,
    return_totals,
    returnable_lots,
)
from gallery.consignment.documents import (
    LineError,
    ReturnLine,
    correct_stock,
    create_receipt,
    default_payout,
    return_to_producer,
    write_off,
)
from gallery.consignment.forms import (
    MOVEMENT_CAUSES,
    MOVEMENT_KINDS,
    RETURN_QUANTITY_PREFIX,
    RETURN_REASONS,
    WRITE_OFF_CAUSES,
    CorrectionForm,
    ReceiptForm,
    ReturnForm,
    WriteOffForm,
    return_quantities,
)
from gallery.consignment.ledger import lot_balances
from gallery.consignment.models import ConsignmentReceipt, Lot, ProducerReturn
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.money import format_rupiah

# ---------------------------------------------------------------------------------------------
# Helpers


def _int_arg(name: str) -> int | None:
    text = (request.args.get(name) or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def _picked_producer() -> Producer | None:
    producer_id = _int_arg("producer")
    return db.session.get(Producer, producer_id) if producer_id else None


def _variant_choices(producer: Producer) -> list[SelectChoice]:
    """The producer's active variants as "Product — label (SKU) · Rp price · titip Rp payout"."""
    choices = []
    for variant in active_variants(producer):
        label = _("%(product)s — %(variant)s (%(sku)s) · %(price)s · titip %(payout)s",
                  product=variant.product.name, variant=variant.label, sku=variant.sku,
                  price=format_rupiah(variant.price), payout=format_rupiah(default_payout(variant, producer)))
        if variant.product.is_food:
            label += " · " + _("pangan")
        choices.append(SelectChoice(variant.id, label))
    return choices


def _found(document):
    if document is None:
        abort(404)
    return document


def _user() -> User:
    return current_user._get_current_object()


def _is_expired(lot: Lot) -> bool:
    """No longer sellable: its "baik digunakan sebelum" date has come (DESIGN.md rule 4)."""
    return lot.expires_on is not None and lot.expires_on <= clock.today_wib()


def _wib_date(moment):
    """The calendar day (WIB) of a stored UTC time."""
    return clock.to_wib(moment).date() if moment else None


def _document_url(reference: str | None) -> str | None:
    """The page of the receipt or return a movement refers to, if it is one."""
    if not reference:
        return None
    if reference.startswith("TT-"):
        return url_for(".receipt", number=reference)
    if reference.startswith("RT-"):
        return url_for(".producer_return", number=reference)
    return None


def _render(template: str, status: int = 200, **context):
    context.update(
        return_reasons=RETURN_REASONS, write_off_causes=WRITE_OFF_CAUSES, movement_kinds=MOVEMENT_KINDS,
        movement_causes=MOVEMENT_CAUSES, is_expired=_is_expired, document_url=_document_url,
        today=clock.today_wib(), wib_date=_wib_date,
    )
    return render_template(template, **context), status


def _list_args(producer_id: int | None) -> dict:
    return {"producer": producer_id} if producer_id else {}


# ---------------------------------------------------------------------------------------------
# Receipts (tanda terima titipan)


def _document_list(template: str, model, page_of):
    """A page of receipts or returns, filtered by the producer picked among those that have one."""
    producer_id = _int_arg("producer")
    return _render(
        template,
        results=page_of(producer_id, _int_arg("page") or 1),
        producer_id=producer_id,
        producers=producer_options(Producer.id.in_(select(model.producer_id))),
        args=_list_args(producer_id),
    )


@bp.route("/receipts")
def receipts():
    return _document_list("consignment/receipts/index.html", ConsignmentReceipt, receipt_page)


@bp.route("/receipts/new", methods=["GET", "POST"])
def new_receipt():
    producer = _picked_producer()
    if producer is None:
        unknown = "producer" in request.args
        return _render(
            "consignment/receipts/pick_producer.html", 422 if request.method == "POST" else 200,
            producers=producer_options(Producer.is_active.is_(True)), unknown=unknown,
        )
    form = ReceiptForm()
    form_error = None
    status = 200
    if request.method == "POST":
        if "add_rows" in request.form:
            form.add_rows()
        elif form.validate_on_submit() and (parsed := form.receipt_lines()) is not None:
            lines, rows = parsed
            try:
                receipt = create_receipt(producer, lines, user=_user(), notes=form.notes.data or "")
                db.session.commit()
            except LineError as error:
                form.lines[rows[error.index]].form.field_for(error.field).errors.append(error.message)
                status = 422
            except DomainError as error:
                form_error = error.message
                status = 422
            else:
                flash(_("Tanda terima %(number)s tersimpan: %(lots)s lot, %(units)s unit. Cetak label harganya "
                        "sekarang.", number=receipt.number, lots=len(lines), units=sum(line.quantity for line in lines)),
                      "success")
                return redirect(url_for(".receipt", number=receipt.number))
        else:
            status = 422
    form.set_variant_choices(_variant_choices(producer))
    return _render("consignment/receipts/new.html", status, form=form, producer=producer, form_error=form_error)


@bp.route("/receipts/<number>")
def receipt(number: str):
    document = _found(receipt_by_number(number))
    thermal = request.args.get("format") == "thermal"
    return _render(
        "consignment/receipts/show.html",
        receipt=document,
        thermal=thermal,
        **receipt_totals(document),
    )


# ---------------------------------------------------------------------------------------------
# Returns to producer (nota retur)


@bp.route("/returns")
def returns():
    return _document_list("consignment/returns/index.html", ProducerReturn, return_page)


@bp.route("/returns/new", methods=["GET", "POST"])
def new_return():
    producer = _picked_producer()
    if producer is None:
        return _render(
            "consignment/returns/pick_producer.html", 422 if request.method == "POST" else 200,
            producers=producers_with_stock(), unknown="producer" in request.args,
        )
    form = ReturnForm()
    entered: dict[int, str] = {}
    errors: dict[int, str] = {}
    form_error = None
    status = 200
    if request.method == "POST":
        status = 422
        entered = {
            int(key[len(RETURN_QUANTITY_PREFIX):]): value
            for key, value in request.form.items()
            if key.startswith(RETURN_QUANTITY_PREFIX) and key[len(RETURN_QUANTITY_PREFIX):].isdigit()
            and len(key) < 20
        }
        quantities, errors = return_quantities(request.form)
        if form.validate_on_submit() and not errors:
            lines = [ReturnLine(lot_id, quantity) for lot_id, quantity in quantities.items()]
            try:
                document = return_to_producer(producer, lines, form.reason.data or "", user=_user(),
                                              notes=form.notes.data or "")
                db.session.commit()
            except LineError as error:
                errors[lines[error.index].lot_id] = error.message
            except DomainError as error:
                if error.field == "reason":
                    form.reason.errors.append(error.message)
                else:
                    form_error = error.message
            else:
                flash(_("Nota retur %(number)s tersimpan: %(units)s unit dikembalikan ke %(name)s.",
                        number=document.number, units=sum(line.quantity for line in lines),
                        name=producer.business_name), "success")
                return redirect(url_for(".producer_return", number=document.number))
    lots = returnable_lots(producer)
    shown = {lot.id for lot in lots}
    hidden_errors = [message for lot_id, message in errors.items() if lot_id not in shown]
    if hidden_errors:
        form_error = " ".join([form_error or ""] + hidden_errors).strip()
    return _render(
        "consignment/returns/new.html", status, form=form, producer=producer, lots=lots, entered=entered,
        errors=errors, form_error=form_error,
    )


@bp.route("/returns/<number>")
def producer_return(number: str):
    document = _found(return_by_number(number))
    return _render(
        "consignment/returns/show.html",
        document=document,
        thermal=request.args.get("format") == "thermal",
        **return_totals(document),
    )


# ---------------------------------------------------------------------------------------------
# Lots: history, write-off, correction


def _render_lot(lot: Lot, write_off_form: WriteOffForm, correction_form: CorrectionForm, status: int = 200):
    received_on = _wib_date(lot.received_at)
    return _render(
        "consignment/lots/show.html", status,
        lot=lot,
        balance=lot_balances([lot.id])[lot.id],
        age_days=(clock.today_wib() - received_on).days,
        write_off_form=write_off_form,
        correction_form=correction_form,
        is_admin=current_user.role == Role.ADMIN,
    )


@bp.route("/lots/<int:lot_id>")
def lot(lot_id: int):
    return _render_lot(_found(lot_with_history(lot_id)), WriteOffForm(formdata=None), CorrectionForm(formdata=None))


@bp.route("/lots/<int:lot_id>/write-off", methods=["POST"])
def write_off_lot(lot_id: int):
    target = _found(lot_with_history(lot_id))
    form = WriteOffForm()
    if form.validate_on_submit():
        try:
            movement = write_off(target, form.quantity.data, form.cause.data or "", form.reason.data or "",
                                 user=_user())
            db.session.commit()
        except DomainError as error:
            form.field_for(error.field).errors.append(error.message)
        else:
            flash(_("%(n)s unit dihapus dari lot #%(lot)s (%(cause)s).", n=-movement.quantity, lot=lot_id,
                    cause=WRITE_OFF_CAUSES[movement.cause]), "success")
            return redirect(url_for(".lot", lot_id=lot_id, _anchor="history"))
    return _render_lot(_found(lot_with_history(lot_id)), form, CorrectionForm(formdata=None), 422)


@bp.route("/lots/<int:lot_id>/correction", methods=["POST"])
def correct_lot(lot_id: int):
    if current_user.role != Role.ADMIN:
        abort(403)
    target = _found(lot_with_history(lot_id))
    form = CorrectionForm()
    if form.validate_on_submit():
        try:
            movement = correct_stock(target, form.delta.data, form.correction_reason.data or "", user=_user())
            db.session.commit()
        except DomainError as error:
            form.field_for(error.field).errors.append(error.message)
        else:
            flash(_("Koreksi %(delta)s unit pada lot #%(lot)s dicatat.", delta=f"{movement.quantity:+d}", lot=lot_id),
                  "success")
            return redirect(url_for(".lot", lot_id=lot_id, _anchor="history"))
    return _render_lot(_found(lot_with_history(lot_id)), WriteOffForm(formdata=None), form, 422)
