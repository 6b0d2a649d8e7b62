"""Finding an order again (/orders/track), a shopper's problem report, and staff's parcel events.

Views parse and render; gallery.orders.lookup and gallery.orders.tracking decide and commit.
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from gallery.errors import DomainError
from gallery.extensions import db, limiter
from gallery.orders import bp, lookup, staff_bp, tracking
from gallery.orders.tracking_forms import ParcelEventForm, ProblemForm, TrackingImportForm, TrackOrderForm
from gallery.orders.views import order_for_viewer
from gallery.shipping.pos_tracking import ParcelEvent


def _lookup_limit() -> str:
    return current_app.config["ORDER_LOOKUP_RATE_LIMIT"]


@bp.route("/orders/track", methods=["GET", "POST"])
@limiter.limit(_lookup_limit, methods=["POST"])
def track():
    """Number + e-mail or WhatsApp → the order page; one answer for every miss, so nothing can be guessed."""
    form = TrackOrderForm()
    status = 200
    if form.validate_on_submit():
        order = lookup.find_order(form.number.data, form.contact.data)
        if order is not None:
            return redirect(url_for(".show", number=order.number, t=order.access_token), code=303)
        form.number.errors.append(_("Pesanan tidak ditemukan. Periksa nomor pesanan dan email atau nomor "
                                    "WhatsApp yang dipakai saat memesan."))
        status = 422
    elif request.method == "POST":
        status = 422
    return render_template("orders/track.html", form=form), status


@bp.route("/orders/<number>/problem", methods=["POST"])
def report_problem(number: str):
    order, token = order_for_viewer(number)
    form = ProblemForm()
    if form.validate_on_submit():
        try:
            tracking.report_problem(order, form.problem.data)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Terima kasih, masalahnya sudah kami catat. Staf galeri akan menghubungi Anda."), "success")
    else:
        flash(_("Ceritakan masalahnya."), "error")
    return redirect(url_for(".show", number=order.number, t=token or None) + "#paket", code=303)


@staff_bp.route("/orders/<number>/tracking", methods=["POST"])
def add_parcel_event(number: str):
    order = lookup.order_by_number(number)
    if order is None:
        abort(404)
    form = ParcelEventForm()
    if form.validate_on_submit():
        moment = tracking.parse_wib(form.occurred_at.data)
        try:
            if moment is None:
                raise DomainError(_("Waktu harus TTTT-BB-HH JJ:MM."), field="occurred_at")
            tracking.add_by_staff(order, ParcelEvent(moment, form.status.data, form.location.data or "",
                                                     form.description.data or ""), user=current_user)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Status paket dicatat."), "success")
    else:
        flash(next((m for messages in form.errors.values() for m in messages), _("Periksa isian status paket.")),
              "error")
    return redirect(url_for(".order", number=order.number) + "#paket", code=303)


@staff_bp.route("/orders/tracking/import", methods=["GET", "POST"])
def import_parcel_events():
    form = TrackingImportForm()
    result, status = None, 200
    if form.validate_on_submit():
        try:
            result = tracking.import_csv(form.file.data.read(), user=current_user)
        except DomainError as error:
            form.file.errors.append(error.message)
            status = 422
        else:
            if result.errors:
                status = 422
            else:
                db.session.commit()
                flash(_("%(added)s status paket baru dari %(rows)s baris dicatat.", added=result.added,
                        rows=result.rows), "success")
                return redirect(url_for(".import_parcel_events"), code=303)
    elif request.method == "POST":
        status = 422
    return render_template("orders/staff/tracking_import.html", form=form, result=result), status
