"""Back office: the partner inbox (/staff/partners), business-matching events and the yearly report.

Views parse input and render; gallery.partners.services decides; each view commits its use case.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from gallery.catalog.models import Producer
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.pagination import PageNumbers, clamp_page
from gallery.partners import services
from gallery.partners.forms import (
    EventForm,
    ForwardForm,
    NoteForm,
    PairingForm,
    ParticipantForm,
    PartnershipForm,
    StatusForm,
)
from gallery.partners.models import (
    EventParticipant,
    InquiryHistory,
    InquiryKind,
    InquiryStatus,
    MatchingEvent,
    Pairing,
    PartnerInquiry,
)

bp = Blueprint("partners_staff", __name__, url_prefix="/staff/partners")
PER_PAGE = 50


def saved(field, call) -> bool:
    """Run a partners service `call` as this request's use case: commit it, or on a refusal roll back and
    show the refusal on the form's `field`. True when it was saved."""
    try:
        call()
    except DomainError as error:
        db.session.rollback()
        field.errors = [error.message]
        return False
    db.session.commit()
    return True


def _active_producers() -> list[tuple[int, str]]:
    return [(p.id, p.business_name) for p in db.session.scalars(
        select(Producer).where(Producer.is_active.is_(True)).order_by(Producer.business_name))]


def _int_arg(name: str) -> int | None:
    text = (request.args.get(name) or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


@dataclass
class InboxPage(PageNumbers):
    total: int
    page: int
    per_page: int


@bp.route("")
def inbox():
    """The newest inquiries first, a page at a time, filtered by status, kind and producer."""
    status = request.args.get("status") or ""
    kind = request.args.get("kind") or ""
    producer_id = _int_arg("producer")
    conditions = []
    if status in InquiryStatus.ALL:
        conditions.append(PartnerInquiry.status == status)
    else:
        status = ""
    if kind in InquiryKind.ALL:
        conditions.append(PartnerInquiry.kind == kind)
    else:
        kind = ""
    if producer_id:
        conditions.append((PartnerInquiry.producer_id == producer_id)
                          | (PartnerInquiry.forwarded_to_id == producer_id))
    total = db.session.scalar(select(func.count(PartnerInquiry.id)).where(*conditions))
    page = clamp_page(_int_arg("page") or 1, total, PER_PAGE)
    inquiries = db.session.scalars(
        select(PartnerInquiry).where(*conditions)
        .options(selectinload(PartnerInquiry.producer), selectinload(PartnerInquiry.forwarded_to))
        .order_by(PartnerInquiry.created_at.desc(), PartnerInquiry.id.desc())
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    filters = {key: value for key, value in (("status", status), ("kind", kind), ("producer", producer_id)) if value}
    return render_template(
        "partners/staff/inbox.html", inquiries=inquiries, results=InboxPage(total, page, PER_PAGE), filters=filters,
        status=status, kind=kind, producer_id=producer_id,
        producers=_active_producers(), statuses=InquiryStatus, kinds=InquiryKind,
        counts=services.inquiry_counts_by_status(),
    )


def _inquiry_or_404(inquiry_id: int) -> PartnerInquiry:
    inquiry = db.session.scalar(select(PartnerInquiry).where(PartnerInquiry.id == inquiry_id).options(
        selectinload(PartnerInquiry.history).selectinload(InquiryHistory.user)))
    if inquiry is None:
        abort(404)
    return inquiry


def _render_detail(inquiry, note_form=None, forward_form=None, status_form=None, code: int = 200):
    forward_form = forward_form or ForwardForm(formdata=None)
    forward_form.producer.choices = _active_producers()
    if forward_form.producer.data is None and inquiry.producer_id:
        forward_form.producer.data = inquiry.producer_id
    status_form = status_form or StatusForm(formdata=None)
    status_form.set_choices([s for s in InquiryStatus.NEXT[inquiry.status] if s != InquiryStatus.FORWARDED])
    return render_template(
        "partners/staff/detail.html", inquiry=inquiry, note_form=note_form or NoteForm(formdata=None),
        forward_form=forward_form, status_form=status_form, statuses=InquiryStatus,
    ), code


@bp.route("/<int:inquiry_id>")
def detail(inquiry_id: int):
    return _render_detail(_inquiry_or_404(inquiry_id))


@bp.route("/<int:inquiry_id>/note", methods=["POST"])
def note(inquiry_id: int):
    inquiry = _inquiry_or_404(inquiry_id)
    form = NoteForm()
    if form.validate_on_submit():
        services.add_note(inquiry, current_user, form.note.data)
        db.session.commit()
        flash(_("Catatan disimpan."), "success")
        return redirect(url_for(".detail", inquiry_id=inquiry.id))
    return _render_detail(inquiry, note_form=form, code=422)


@bp.route("/<int:inquiry_id>/forward", methods=["POST"])
def forward(inquiry_id: int):
    inquiry = _inquiry_or_404(inquiry_id)
    form = ForwardForm()
    form.producer.choices = _active_producers()
    if form.validate_on_submit() and saved(form.producer, lambda: services.forward_inquiry(
            inquiry, form.producer.data, current_user, form.note.data or "")):
        flash(_("Pertanyaan diteruskan ke %(name)s.", name=inquiry.forwarded_to.business_name), "success")
        return redirect(url_for(".detail", inquiry_id=inquiry.id))
    return _render_detail(_inquiry_or_404(inquiry_id), forward_form=form, code=422)


@bp.route("/<int:inquiry_id>/status", methods=["POST"])
def status(inquiry_id: int):
    inquiry = _inquiry_or_404(inquiry_id)
    form = StatusForm()
    form.set_choices(InquiryStatus.ALL)
    if form.validate_on_submit() and saved(form.status, lambda: services.set_status(
            inquiry, form.status.data, current_user, form.note.data or "")):
        flash(_("Status diubah menjadi %(status)s.", status=inquiry.status_label), "success")
        return redirect(url_for(".detail", inquiry_id=inquiry.id))
    return _render_detail(_inquiry_or_404(inquiry_id), status_form=form, code=422)


# --- Events ------------------------------------------------------------------------------------


@bp.route("/events", methods=["GET", "POST"])
def events():
    form = EventForm()
    if form.validate_on_submit():
        try:
            event = services.create_event(services.EventInput(
                title=form.title.data, held_on=form.held_on.data, place=form.place.data,
                speakers=form.speakers.data or "", invited_partners=form.invited_partners.data or "",
                description=form.description.data or ""), current_user)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form.title.errors = [error.message]
        else:
            flash(_("Acara %(title)s dibuat.", title=event.title), "success")
            return redirect(url_for(".event", event_id=event.id))
    counts = dict(db.session.execute(select(Pairing.event_id, func.count()).group_by(Pairing.event_id)).all())
    people = dict(db.session.execute(
        select(EventParticipant.event_id, func.count()).group_by(EventParticipant.event_id)).all())
    all_events = db.session.scalars(select(MatchingEvent).order_by(MatchingEvent.held_on.desc())).all()
    code = 422 if request.method == "POST" else 200
    return render_template("partners/staff/events.html", form=form, events=all_events, pairing_counts=counts,
                           participant_counts=people), code


def _event_or_404(event_id: int) -> MatchingEvent:
    event = db.session.scalar(select(MatchingEvent).where(MatchingEvent.id == event_id).options(
        selectinload(MatchingEvent.participants).selectinload(EventParticipant.producer),
        selectinload(MatchingEvent.pairings).selectinload(Pairing.producer)))
    if event is None:
        abort(404)
    return event


def _render_event(event, participant_form=None, pairing_form=None, partnership_form=None, code: int = 200):
    participant_form = participant_form or ParticipantForm(formdata=None)
    participant_form.producer.choices = _active_producers()
    pairing_form = pairing_form or PairingForm(formdata=None)
    pairing_form.producer.choices = [(p.producer_id, p.producer.business_name) for p in event.participants]
    return render_template(
        "partners/staff/event.html", event=event, participant_form=participant_form, pairing_form=pairing_form,
        partnership_form=partnership_form or PartnershipForm(formdata=None),
    ), code


@bp.route("/events/<int:event_id>")
def event(event_id: int):
    return _render_event(_event_or_404(event_id))


@bp.route("/events/<int:event_id>/participants", methods=["POST"])
def add_participant(event_id: int):
    event = _event_or_404(event_id)
    form = ParticipantForm()
    form.producer.choices = _active_producers()
    if form.validate_on_submit() and saved(form.producer, lambda: services.add_participant(
            event, form.producer.data, current_user)):
        flash(_("Produsen ditambahkan ke acara."), "success")
        return redirect(url_for(".event", event_id=event.id))
    return _render_event(_event_or_404(event_id), participant_form=form, code=422)


@bp.route("/events/<int:event_id>/pairings", methods=["POST"])
def add_pairing(event_id: int):
    event = _event_or_404(event_id)
    form = PairingForm()
    form.producer.choices = [(p.producer_id, p.producer.business_name) for p in event.participants]
    if form.validate_on_submit() and saved(form.producer, lambda: services.record_pairing(
            event, form.producer.data, form.partner_name.data, form.partner_organisation.data or "", current_user,
            form.note.data or "")):
        flash(_("Pertemuan dicatat."), "success")
        return redirect(url_for(".event", event_id=event.id))
    return _render_event(_event_or_404(event_id), pairing_form=form, code=422)


@bp.route("/pairings/<int:pairing_id>/partnership", methods=["POST"])
def mark_partnership(pairing_id: int):
    pairing = db.session.get(Pairing, pairing_id)
    if pairing is None:
        abort(404)
    form = PartnershipForm()
    if form.validate_on_submit() and saved(form.partnership_on, lambda: services.mark_partnership(
            pairing, form.partnership_on.data)):
        flash(_("Pertemuan ditandai jadi kemitraan."), "success")
        return redirect(url_for(".event", event_id=pairing.event_id))
    return _render_event(_event_or_404(pairing.event_id), partnership_form=form, code=422)


@bp.route("/report")
def report():
    return render_template("partners/staff/report.html", rows=services.yearly_report())
