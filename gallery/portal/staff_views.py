"""Staff screen: profile changes producers asked for, to approve (applied through the catalog) or reject."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from gallery.errors import DomainError
from gallery.extensions import db
from gallery.portal import services, staff_bp
from gallery.portal.forms import ApproveForm, RejectForm
from gallery.portal.models import ProfileChangeRequest, RequestStatus



def _labels() -> dict[str, str]:
    return {
        "story": _("Cerita usaha"), "whatsapp": _("WhatsApp"), "bank_name": _("Nama bank"),
        "bank_account_number": _("Nomor rekening"), "bank_account_holder": _("Nama pemilik rekening"),
    }


def _request_or_404(request_id: int) -> ProfileChangeRequest:
    found = db.session.get(ProfileChangeRequest, request_id)
    if found is None:
        abort(404)
    return found


def _render(status: int = 200, reject_forms: dict | None = None):
    shown = request.args.get("status", RequestStatus.PENDING)
    if shown not in RequestStatus.ALL:
        shown = RequestStatus.PENDING
    rows = services.requests_for_staff(shown)
    reject_forms = reject_forms or {}
    return render_template(
        "portal/staff_requests.html", rows=rows, shown=shown, labels=_labels(), approve_form=ApproveForm(),
        reject_forms={row.id: reject_forms.get(row.id) or RejectForm(prefix=f"r{row.id}") for row in rows},
    ), status


@staff_bp.route("")
def index():
    return _render()


@staff_bp.route("/<int:request_id>/approve", methods=["POST"])
def approve(request_id: int):
    found = _request_or_404(request_id)
    if not ApproveForm().validate_on_submit():
        abort(400)
    try:
        services.approve(found, user=current_user._get_current_object())
    except DomainError as error:
        flash(error.message, "error")
        return _render(422)
    db.session.commit()  # catalog.services.update_producer flushes; this view commits the decision with it
    flash(_("Profil %(name)s sudah diperbarui.", name=found.producer.business_name), "success")
    return redirect(url_for(".index"))


@staff_bp.route("/<int:request_id>/reject", methods=["POST"])
def reject(request_id: int):
    found = _request_or_404(request_id)
    form = RejectForm(prefix=f"r{request_id}")
    if not form.validate_on_submit():
        abort(400)
    try:
        services.reject(found, user=current_user._get_current_object(), reason=form.reason.data or "")
        db.session.commit()
    except DomainError as error:
        form.reason.errors = [error.message]
        return _render(422, {request_id: form})
    flash(_("Permintaan %(name)s ditolak.", name=found.producer.business_name), "success")
    return redirect(url_for(".index"))
