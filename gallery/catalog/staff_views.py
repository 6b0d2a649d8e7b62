"""Back office: producers (IKM) under /staff/producers: list, register, edit, (de)activate, certificates.

The views parse input and render; gallery.catalog.services decides and flushes; the views commit.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gallery.catalog import producer_queries, queries
from gallery.catalog.forms import CertificateForm, ProducerForm
from gallery.catalog.models import IkmClassification, Producer
from gallery.catalog.certificates import add_producer_certificate, remove_producer_certificate
from gallery.catalog.services import create_producer, set_producer_active, update_producer
from gallery.errors import DomainError, NotFound
from gallery.extensions import db

bp = Blueprint("producers_admin", __name__, url_prefix="/staff/producers")

PER_PAGE = 50
# The list's status filter: query value → Producer.is_active (None: both).
STATUSES = {"all": None, "active": True, "inactive": False}


def _producer_or_404(producer_id: int, *, with_certificates: bool = False) -> Producer:
    statement = select(Producer).where(Producer.id == producer_id)
    if with_certificates:
        statement = statement.options(selectinload(Producer.certificates))
    producer = db.session.scalar(statement)
    if producer is None:
        abort(404)
    return producer


def _producer_form() -> ProducerForm:
    form = ProducerForm()
    classifications = db.session.scalars(
        select(IkmClassification).order_by(IkmClassification.position, IkmClassification.name)
    ).all()
    form.set_choices(producer_queries.home_kecamatan(), classifications)
    return form


def _page_number(raw: str | None) -> int:
    text = (raw or "").strip()
    return int(text) if text.isdigit() and 0 < len(text) < 10 else 1


@bp.route("")
def index():
    q = (request.args.get("q") or "").strip()[: queries.MAX_QUERY_LENGTH]
    status = request.args.get("status") or "all"
    if status not in STATUSES:
        status = "all"
    kecamatan_list = producer_queries.home_kecamatan()
    kecamatan = (request.args.get("kecamatan") or "").strip()
    if kecamatan and kecamatan not in {district.code for district in kecamatan_list}:
        flash(_("Kecamatan tidak dikenal; filter kecamatan diabaikan."), "warning")
        kecamatan = ""
    results = producer_queries.staff_producer_page(
        q,
        active=STATUSES[status],
        kecamatan_code=kecamatan or None,
        page=_page_number(request.args.get("page")),
        per_page=PER_PAGE,
    )
    args = {"q": q or None, "status": status if status != "all" else None, "kecamatan": kecamatan or None}
    return render_template(
        "catalog/staff/producers.html",
        results=results,
        q=q,
        status=status,
        kecamatan=kecamatan,
        kecamatan_list=kecamatan_list,
        args={key: value for key, value in args.items() if value},
    )


def _saved(form, save: Callable[[], Producer]) -> Producer | None:
    """Run a producer change and commit it; on a refusal roll back, show it on its field, and return None."""
    try:
        producer = save()
    except DomainError as error:
        db.session.rollback()
        form.field_for(error.field).errors.append(error.message)
        return None
    db.session.commit()
    return producer


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = _producer_form()
    if request.method == "GET":
        form.commission.data = current_app.config["DEFAULT_COMMISSION_BP"]
    if form.validate_on_submit() and (producer := _saved(form, lambda: create_producer(form.to_input()))):
        flash(_("Produsen %(name)s sudah didaftarkan.", name=producer.business_name), "success")
        return redirect(url_for(".detail", producer_id=producer.id))
    status = 422 if request.method == "POST" else 200
    return render_template("catalog/staff/producer_form.html", form=form, producer=None), status


@bp.route("/<int:producer_id>")
def detail(producer_id: int):
    producer = _producer_or_404(producer_id, with_certificates=True)
    return _render_detail(producer, CertificateForm())


def _render_detail(producer: Producer, certificate_form: CertificateForm, status: int = 200):
    # Each card's stock maps every loaded variant (of all the producer's products), so the producer's
    # figures come from the stock reports the stock list and the portal use, never from summing cards.
    from gallery.consignment import reports
    from gallery.settlements.queries import earnings_due

    cards = producer_queries.products_of_producer(producer.id)
    return (
        render_template(
            "catalog/staff/producer.html",
            producer=producer,
            cards=cards,
            on_shelf=reports.lot_totals(reports.producer_lots(producer.id)),
            sellable_units=producer_queries.producer_units_on_hand(producer.id),
            earnings_due=earnings_due(producer.id),
            certificate_form=certificate_form,
        ),
        status,
    )


@bp.route("/<int:producer_id>/edit", methods=["GET", "POST"])
def edit(producer_id: int):
    producer = _producer_or_404(producer_id)
    form = _producer_form()
    if request.method == "GET":
        form.fill_from(producer)
    if form.validate_on_submit() and _saved(form, lambda: update_producer(producer, form.to_input())):
        flash(_("Perubahan data %(name)s sudah disimpan.", name=producer.business_name), "success")
        return redirect(url_for(".detail", producer_id=producer.id))
    status = 422 if request.method == "POST" else 200
    return render_template("catalog/staff/producer_form.html", form=form, producer=producer), status


@bp.route("/<int:producer_id>/active", methods=["POST"])
def set_active(producer_id: int):
    producer = _producer_or_404(producer_id)
    wanted = request.form.get("active")
    if wanted not in ("0", "1"):
        abort(400)
    set_producer_active(producer, wanted == "1")
    db.session.commit()
    if producer.is_active:
        flash(_("%(name)s aktif kembali: produsen dan produknya tampil lagi di toko.", name=producer.business_name),
              "success")
    else:
        flash(_("%(name)s dinonaktifkan: produsen dan produknya tidak tampil lagi di toko. Stok dan riwayatnya "
                "tetap tersimpan.", name=producer.business_name), "info")
    return redirect(url_for(".detail", producer_id=producer.id))


@bp.route("/<int:producer_id>/certificates", methods=["POST"])
def add_certificate(producer_id: int):
    producer = _producer_or_404(producer_id, with_certificates=True)
    form = CertificateForm()
    if form.validate_on_submit():
        try:
            add_producer_certificate(
                producer,
                form.kind.data,
                form.number.data,
                issued_by=form.issued_by.data,
                valid_until=form.valid_until.data,
            )
        except DomainError as error:
            db.session.rollback()
            getattr(form, error.field or "number", form.number).errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Sertifikat sudah ditambahkan."), "success")
            return redirect(url_for(".detail", producer_id=producer.id, _anchor="certificates"))
    return _render_detail(producer, form, 422)


@bp.route("/<int:producer_id>/certificates/<int:certificate_id>/delete", methods=["POST"])
def remove_certificate(producer_id: int, certificate_id: int):
    producer = _producer_or_404(producer_id)
    try:
        remove_producer_certificate(producer, certificate_id)
    except NotFound:
        raise
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Sertifikat sudah dihapus."), "info")
    return redirect(url_for(".detail", producer_id=producer.id, _anchor="certificates"))
