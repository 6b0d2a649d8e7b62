"""Shipping's web face: the public quote API and the back-office tariff screens.

* `shipping_api` — GET /api/shipping/quote (public, read-only JSON);
* `shipping` — /staff/shipping/…: the tariff tables (staff and admin may look and export; only an
  admin imports a table or changes a service's terms, DESIGN.md "People").

The views parse input and render; gallery.shipping.quotes, .tariffs and .services decide.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from gallery import clock
from gallery.accounts.decorators import check_role
from gallery.accounts.models import Role
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.shipping.engine import MAX_INSURED_VALUE, MAX_SIDE_CM, MAX_TOTAL_GRAMS
from gallery.shipping.forms import ServiceForm, TariffConfirmForm, TariffUploadForm, pack_file, unpack_file
from gallery.shipping.models import HOME_REGENCY_CODE, Province, ShippingService, TariffVersion
from gallery.shipping.quotes import ParcelItem, quote, regency_or_error
from gallery.shipping.regions import display_name
from gallery.shipping.services import create_service, update_service
from gallery.shipping.tariff_csv import COLUMN_LABELS, TariffFileError, export_csv, parse_tariff_csv
from gallery.shipping.tariff_lookups import active_version_id, rates_by_province, services, version_overview
from gallery.shipping.tariffs import check_effective_on, import_tariff
from gallery.spreadsheets import csv_download

api_bp = Blueprint("shipping_api", __name__, url_prefix="/api/shipping")
bp = Blueprint("shipping", __name__, url_prefix="/staff/shipping")

# How many row errors and rows the preview lists (all are counted).
PREVIEW_ERRORS = 200
PREVIEW_ROWS = 15
DEFAULT_PROVINCE = HOME_REGENCY_CODE[:2]


# ---------------------------------------------------------------------------------------------
# Public API


class BadParameter(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _whole_arg(name: str, low: int, high: int, message, *, required: bool = False) -> int | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        if required:
            raise BadParameter(message)
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12 or not low <= int(raw) <= high:
        raise BadParameter(message)
    return int(raw)


def _api_error(message, status: int = 400):
    return jsonify({"error": str(message)}), status


@api_bp.get("/quote")
def quote_api():
    """`?destination=31.71&weight_grams=1500[&length_cm=&width_cm=&height_cm=][&value=]` → shipping options."""
    try:
        weight = _whole_arg("weight_grams", 1, MAX_TOTAL_GRAMS, _l(
            "Berat (weight_grams) harus bilangan bulat gram antara 1 dan 1.000.000."), required=True)
        sides = [_whole_arg(name, 1, MAX_SIDE_CM, _l(
            "Ukuran paket (length_cm, width_cm, height_cm) harus bilangan bulat cm antara 1 dan 500."))
            for name in ("length_cm", "width_cm", "height_cm")]
        if any(side is not None for side in sides) and not all(side is not None for side in sides):
            raise BadParameter(_l("Isi ketiga ukuran paket (length_cm, width_cm, height_cm) atau tidak sama sekali."))
        value = _whole_arg("value", 0, MAX_INSURED_VALUE, _l(
            "Nilai barang (value) harus bilangan bulat Rupiah antara 0 dan 1.000.000.000."))
    except BadParameter as error:
        return _api_error(error.message)
    length, width, height = (side or 0 for side in sides)
    try:
        regency = regency_or_error(request.args.get("destination"))
        options = quote(regency.code, [ParcelItem(weight, length, width, height)], insured_value=value)
    except DomainError as error:
        return _api_error(error.message)
    return jsonify({
        "origin": HOME_REGENCY_CODE,
        "destination": {"code": regency.code, "name": display_name(regency.name)},
        "options": [
            {
                "service": option.service_code,
                "name": option.service_name,
                "etd_days": list(option.etd_days),
                "chargeable_kg": option.chargeable_kg,
                "public_price": option.public_price,
                "price": option.price,
                "discount": option.discount,
                "insurance": option.insurance,
            }
            for option in options
        ],
    })


# ---------------------------------------------------------------------------------------------
# Back office


def require_admin() -> None:
    check_role(Role.ADMIN)


def _province_arg() -> str:
    code = (request.args.get("province") or DEFAULT_PROVINCE).strip()
    return code if code.isdigit() and len(code) == 2 else DEFAULT_PROVINCE


@bp.get("/tariffs")
def tariffs():
    return _render_overview(TariffUploadForm(formdata=None, effective_on=clock.today_wib()))


def _render_overview(form: TariffUploadForm, status: int = 200):
    provinces = db.session.scalars(select(Province).order_by(Province.code)).all()
    province = _province_arg()
    if province not in {p.code for p in provinces}:
        province = DEFAULT_PROVINCE
    versions = version_overview()
    active_id = active_version_id()
    service_list = services()
    return render_template(
        "shipping/tariffs.html",
        services=service_list,
        versions=versions,
        active_id=active_id,
        provinces=provinces,
        province=province,
        rows=rates_by_province(province, active_id),
        form=form,
        is_admin=current_user.has_role(Role.ADMIN),
    ), status


def _render_preview(preview, form: TariffUploadForm | None, confirm: TariffConfirmForm | None,
                    effective_on: date | None, note: str, status: int):
    service_names = {service.code: service.name for service in services()}  # in the services' order
    return render_template(
        "shipping/preview.html",
        preview=preview,
        errors=preview.errors[:PREVIEW_ERRORS],
        sample=preview.rates[:PREVIEW_ROWS],
        service_names=service_names,
        column_labels=COLUMN_LABELS,
        form=form,
        confirm=confirm,
        effective_on=effective_on,
        note=note,
    ), status


@bp.post("/tariffs/preview")
def preview():
    """Step 1: check the uploaded file and show what would be saved, or every wrong row."""
    require_admin()
    form = TariffUploadForm()
    if not form.validate_on_submit():
        return _render_overview(form, 422)
    content, filename = form.read_file()
    note = (form.note.data or "").strip()
    try:
        effective_on = check_effective_on(form.effective_on.data)
    except DomainError as error:
        form.effective_on.errors.append(error.message)
        return _render_overview(form, 422)
    result = parse_tariff_csv(content, filename)
    if not result.ok:
        return _render_preview(result, form, None, effective_on, note, 422)
    confirm = TariffConfirmForm(formdata=None, payload=pack_file(content), filename=result.filename,
                                effective_on=effective_on.isoformat(), note=note)
    return _render_preview(result, None, confirm, effective_on, note, 200)


@bp.post("/tariffs/confirm")
def confirm():
    """Step 2: check the same file again and save it as a new version (or nothing)."""
    require_admin()
    form = TariffConfirmForm()
    content = unpack_file(form.payload.data or "") if form.validate_on_submit() else None
    try:
        effective_on = date.fromisoformat(form.effective_on.data or "")
    except ValueError:
        content = None
    if content is None:
        flash(_("Data pratinjau tidak terbaca. Unggah ulang file tarifnya."), "error")
        return redirect(url_for(".tariffs"))
    note = form.note.data or ""
    try:
        version = import_tariff(content, form.filename.data or "", effective_on, user=current_user, note=note,
                                replace_all=bool(form.replace_all.data))
    except TariffFileError as error:
        upload = TariffUploadForm(formdata=None, effective_on=effective_on, note=note)
        return _render_preview(error.preview, upload, None, effective_on, note, 422)
    except DomainError as error:
        if error.field == "replace_all":
            form.replace_all.errors = [error.message]
            return _render_preview(parse_tariff_csv(content, form.filename.data or ""), None, form, effective_on,
                                   note, 422)
        upload = TariffUploadForm(formdata=None, effective_on=clock.today_wib(), note=note)
        upload.effective_on.errors = [error.message]
        return _render_overview(upload, 422)
    db.session.commit()
    flash(_("Tabel tarif disimpan: %(n)s tarif, berlaku mulai %(date)s.", n=version.row_count,
            date=version.effective_on.isoformat()), "success")
    return redirect(url_for(".tariffs"))


@bp.get("/tariffs/active.csv")
def export_active():
    version_id = active_version_id()
    if version_id is None:
        flash(_("Belum ada tabel tarif yang berlaku."), "warning")
        return redirect(url_for(".tariffs"))
    return csv_download(export_csv(version_id), f"tarif-pos-v{version_id}.csv")


@bp.get("/tariffs/<int:version_id>.csv")
def export_version(version_id: int):
    if db.session.get(TariffVersion, version_id) is None:
        abort(404)
    return csv_download(export_csv(version_id), f"tarif-pos-v{version_id}.csv")


# Service terms (admin)


@bp.route("/services/new", methods=["GET", "POST"])
def service_new():
    require_admin()
    form = ServiceForm()
    if form.validate_on_submit():
        try:
            service = create_service(form.to_input())
        except DomainError as error:
            db.session.rollback()
            form.field_for(error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Layanan %(name)s ditambahkan. Tarifnya masuk lewat impor tabel tarif berikutnya.",
                    name=service.name), "success")
            return redirect(url_for(".tariffs"))
    status = 422 if request.method == "POST" else 200
    return render_template("shipping/service_form.html", form=form, service=None), status


@bp.route("/services/<int:service_id>", methods=["GET", "POST"])
def service_edit(service_id: int):
    require_admin()
    service = db.session.get(ShippingService, service_id)
    if service is None:
        abort(404)
    form = ServiceForm()
    if request.method == "GET":
        form.fill_from(service)
    if form.validate_on_submit():
        try:
            update_service(service, form.to_input())
        except DomainError as error:
            db.session.rollback()
            form.field_for(error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Syarat layanan %(name)s disimpan.", name=service.name), "success")
            return redirect(url_for(".tariffs"))
    status = 422 if request.method == "POST" else 200
    return render_template("shipping/service_form.html", form=form, service=service), status
