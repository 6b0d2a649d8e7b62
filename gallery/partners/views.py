"""Public partner pages: the programme, upcoming events, the inquiry form and its confirmation."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from sqlalchemy import select

from gallery import clock
from gallery.catalog.models import Producer, Product
from gallery.errors import DomainError
from gallery.extensions import db, limiter
from gallery.partners.forms import InquiryForm
from gallery.partners.models import MatchingEvent
from gallery.partners.services import InquiryInput, submit_inquiry

bp = Blueprint("partners", __name__, url_prefix="/partners")


def upcoming_events(limit: int = 20) -> list[MatchingEvent]:
    return db.session.scalars(
        select(MatchingEvent).where(MatchingEvent.held_on >= clock.today_wib())
        .order_by(MatchingEvent.held_on, MatchingEvent.id).limit(limit)
    ).all()


@bp.route("")
def index():
    return render_template("partners/index.html", events=upcoming_events())


def _subject(form: InquiryForm) -> tuple[Producer | None, Product | None]:
    """The active producer (and its published product) the inquiry is about, from ?producer=&product= slugs."""
    producer_slug = (form.producer.data or request.args.get("producer") or "").strip()[:120]
    product_slug = (form.product.data or request.args.get("product") or "").strip()[:160]
    producer = product = None
    if product_slug:
        product = db.session.scalar(select(Product).where(Product.slug == product_slug, Product.published.is_(True)))
        if product is not None:
            producer = product.producer
    if producer is None and producer_slug:
        producer = db.session.scalar(select(Producer).where(Producer.slug == producer_slug))
    if producer is not None and not producer.is_active:
        producer = product = None
    return producer, product


@bp.route("/inquire", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
def inquire():
    form = InquiryForm()
    producer, product = _subject(form)
    if request.method == "GET":
        form.producer.data = producer.slug if producer else ""
        form.product.data = product.slug if product else ""
        kind = request.args.get("kind")
        if kind:
            form.kind.data = kind
    if request.method == "POST" and (form.website.data or "").strip():
        # Honeypot filled: a bot. Pretend all went well and write nothing.
        return redirect(url_for(".sent"))
    if form.validate_on_submit():
        data = InquiryInput(
            kind=form.kind.data, name=form.name.data, organisation=form.organisation.data or "",
            email=form.email.data, whatsapp=form.whatsapp.data, city=form.city.data, message=form.message.data,
            quantity=form.quantity.data, budget=form.budget.data,
            producer_id=producer.id if producer else None, product_id=product.id if product else None,
        )
        try:
            submit_inquiry(data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form[error.field or "message"].errors.append(error.message)
        else:
            return redirect(url_for(".sent"))
    status = 422 if request.method == "POST" else 200
    return render_template("partners/inquire.html", form=form, producer=producer, product=product), status


@bp.route("/inquire/sent")
def sent():
    return render_template("partners/sent.html")
