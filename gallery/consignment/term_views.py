"""Staff: lots whose consignment term is ending or over (with bulk actions), and a producer's terms.

`/staff/consignment/expiring` lists the lots in three groups (one statement) and acts on the ticked ones
through one service each: notify, return note for collection, extend with a reason. A producer's page
`/staff/consignment/producers/<id>/terms` sets its consignment terms and what it sees in the portal.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from gallery.catalog.models import Producer
from gallery.consignment import bp, ending, notices, terms
from gallery.consignment.term_forms import FOLLOW, ExpiringActionForm, TermsForm, VisibilityForm
from gallery.errors import DomainError
from gallery.extensions import db


def _visibility():
    """gallery.portal.visibility, imported when used: the portal package builds on consignment."""
    from gallery.portal import visibility

    return visibility


def _lot_ids() -> list[int]:
    return [int(v) for v in request.form.getlist("lot") if v.isdigit() and len(v) < 10][:500]


def _render_expiring(form: ExpiringActionForm, status: int = 200, error: str | None = None):
    return render_template("consignment/terms/expiring.html", report=ending.ending_report(), form=form, error=error,
                           stage_labels=terms.STAGE_LABELS, end_action_labels=terms.END_ACTION_LABELS), status


@bp.route("/consignment/expiring", methods=["GET", "POST"])
def consignment_expiring():
    form = ExpiringActionForm()
    if request.method == "GET":
        return _render_expiring(form)
    if not form.validate_on_submit():
        return _render_expiring(form, 422)
    user = current_user._get_current_object()
    lot_ids = _lot_ids()
    try:
        if form.action.data == "notify":
            run = notices.notify_lots(lot_ids, user=user)
            db.session.commit()
            flash(_("Pemberitahuan terkirim untuk %(n)s lot.", n=run.sent), "success")
            if run.without_email:
                flash(_("Tanpa alamat surel (hubungi lewat WhatsApp): %(names)s", names=", ".join(run.without_email)),
                      "warning")
        elif form.action.data == "return":
            documents = ending.return_for_collection(lot_ids, user=user)
            db.session.commit()
            flash(_("Nota retur dibuat: %(numbers)s", numbers=", ".join(d.number for d in documents)), "success")
        else:
            changes = terms.extend_terms(lot_ids, days=form.days.data or 0, reason=form.reason.data or "", user=user)
            db.session.commit()
            flash(_("Masa titip %(n)s lot diperpanjang.", n=len(changes)), "success")
    except DomainError as error:
        db.session.rollback()
        return _render_expiring(form, 422, error.message)
    return redirect(url_for(".consignment_expiring"))


def _producer_or_404(producer_id: int) -> Producer:
    producer = db.session.get(Producer, producer_id)
    if producer is None:
        abort(404)
    return producer


def _terms_form(producer_id: int) -> TermsForm:
    own = terms.own_terms(producer_id)
    form = TermsForm(obj=own) if request.method == "GET" and own else TermsForm()
    if request.method == "GET" and own:
        form.end_action.data = own.end_action or FOLLOW
    return form


def _visibility_form(producer_id: int) -> VisibilityForm:
    own = _visibility().own_settings(producer_id)
    form = VisibilityForm(prefix="portal")
    if request.method == "GET" and own:
        form.detail.data = own.detail or FOLLOW
        form.shows_commission.data = FOLLOW if own.shows_commission is None else ("1" if own.shows_commission else "0")
    return form


@bp.route("/consignment/producers/<int:producer_id>/terms", methods=["GET", "POST"])
def producer_terms(producer_id: int):
    producer = _producer_or_404(producer_id)
    terms_form, visibility_form = _terms_form(producer.id), _visibility_form(producer.id)
    status = 200
    if request.method == "POST":
        user = current_user._get_current_object()
        form = visibility_form if "portal-detail" in request.form else terms_form
        if form.validate_on_submit():
            try:
                if form is visibility_form:
                    _visibility().set_visibility(producer, *form.values(), user=user)
                    db.session.commit()
                else:
                    terms.set_terms(producer, form.values(), user=user)
                    db.session.commit()
            except DomainError as error:
                db.session.rollback()
                getattr(form, error.field, form.term_days).errors.append(error.message)
                status = 422
            else:
                flash(_("Tersimpan."), "success")
                return redirect(url_for(".producer_terms", producer_id=producer.id))
        else:
            status = 422
    return render_template("consignment/terms/producer.html", producer=producer, terms_form=terms_form,
                           visibility_form=visibility_form, in_force=terms.terms_of(producer.id),
                           seen=_visibility().visibility_of(producer.id), end_action_labels=terms.END_ACTION_LABELS), status
