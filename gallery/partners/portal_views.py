"""The producer's partner pages: inquiries forwarded to it (with the partner's contacts) and events.

Blueprint `partners_portal` (/portal/partners) is for producer accounts; every query is scoped by
current_user.producer_id, and an inquiry not forwarded to this producer is a 404.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from gallery import clock
from gallery.errors import DomainError, NotFound
from gallery.extensions import db
from gallery.partners import services
from gallery.partners.staff_views import saved
from gallery.partners.forms import CsrfOnlyForm, OutcomeForm
from gallery.partners.models import EventParticipant, MatchingEvent, PartnerInquiry

bp = Blueprint("partners_portal", __name__, url_prefix="/portal/partners")


@bp.route("")
def inbox():
    inquiries = db.session.scalars(
        select(PartnerInquiry).where(PartnerInquiry.forwarded_to_id == current_user.producer_id)
        .order_by(PartnerInquiry.forwarded_at.desc(), PartnerInquiry.id.desc())
    ).all()
    return render_template("partners/portal/inbox.html", inquiries=inquiries)


def _mine(inquiry_id: int) -> PartnerInquiry:
    try:
        return services.inquiry_for_producer(inquiry_id, current_user.producer_id)
    except NotFound:
        abort(404)


@bp.route("/<int:inquiry_id>", methods=["GET", "POST"])
def detail(inquiry_id: int):
    inquiry = _mine(inquiry_id)
    form = OutcomeForm()
    if form.validate_on_submit() and saved(form.status, lambda: services.record_outcome(
            inquiry.id, current_user.producer_id, form.status.data, current_user, form.note.data or "")):
        flash(_("Hasil dicatat: %(status)s.", status=inquiry.status_label), "success")
        return redirect(url_for(".detail", inquiry_id=inquiry.id))
    code = 422 if form.is_submitted() else 200
    return render_template("partners/portal/detail.html", inquiry=_mine(inquiry_id), form=form), code


@bp.route("/events")
def events():
    upcoming = db.session.scalars(select(MatchingEvent).where(MatchingEvent.held_on >= clock.today_wib())
                                  .order_by(MatchingEvent.held_on)).all()
    mine = set(db.session.scalars(select(EventParticipant.event_id).where(
        EventParticipant.producer_id == current_user.producer_id)))
    return render_template("partners/portal/events.html", events=upcoming, registered=mine, form=CsrfOnlyForm())


@bp.route("/events/<int:event_id>/register", methods=["POST"])
def register(event_id: int):
    form = CsrfOnlyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.register_interest(event_id, current_user.producer_id, current_user)
        db.session.commit()
    except NotFound:
        abort(404)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".events"))
    flash(_("Anda terdaftar untuk acara ini."), "success")
    return redirect(url_for(".events"))
