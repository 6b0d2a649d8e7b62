"""The registry's web face.

* `registry` — /statistics: the public figures of the regency's IKM and of the gallery's sales;
* `registry_staff` — /staff/…: the same report for staff, the registry import (upload → preview →
  confirm) and the 24 classifications (staff and admin).

The views parse input and render; gallery.registry.services decides; each view commits its use case.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from gallery.catalog.models import IkmClassification
from gallery.extensions import db
from gallery.inputs import parse_id
from gallery.spreadsheets import csv_download
from gallery.money import format_rupiah
from gallery.portal.chart import row_chart
from gallery.registry.forms import ClassificationForm, RegistryConfirmForm, RegistryUploadForm
from gallery.registry.services import (
    COLUMN_LABELS,
    RegistryFileError,
    after_import,
    classification_list,
    import_registry,
    parse_registry_csv,
    update_classification,
)
from gallery.registry.statistics import TABLES, registry_statistics, statistics_csv
from gallery.shipping.forms import pack_file, unpack_file

bp = Blueprint("registry", __name__)
staff_bp = Blueprint("registry_staff", __name__, url_prefix="/staff")

PREVIEW_ERRORS = 200
PREVIEW_ROWS = 15


def _sections(stats):
    """Each table with its title, its chart and how its values read."""
    count = lambda n: ngettext("%(num)s IKM", "%(num)s IKM", n)  # noqa: E731
    titles = {
        "kecamatan": _("IKM per kecamatan"),
        "classification": _("IKM per klasifikasi"),
        "size": _("IKM per skala usaha"),
        "sector": _("IKM per sektor"),
        "year": _("Pertumbuhan per tahun terdaftar"),
        "sales-kecamatan": _("Penjualan galeri per kecamatan"),
        "sales-sector": _("Penjualan galeri per sektor"),
    }
    sections = []
    for name in TABLES:
        rows = stats.table(name)
        money = name.startswith("sales-")
        chart_rows = [(row.label, row.extra if name == "year" else row.value) for row in rows]
        sections.append({
            "name": name,
            "title": titles[name],
            "rows": rows,
            "money": money,
            "chart": row_chart(chart_rows, format_rupiah if money else count),
        })
    return sections


def _report(template: str, csv_endpoint: str):
    stats = registry_statistics()
    table = request.args.get("table")
    if request.args.get("format") == "csv":
        if table not in TABLES:
            abort(404)
        return csv_download(statistics_csv(stats, table), f"statistik-ikm-{table}.csv")
    from gallery.sample_data import sample_data_loaded

    return render_template(template, stats=stats, sections=_sections(stats), csv_endpoint=csv_endpoint,
                           sample=sample_data_loaded())


@bp.get("/statistics")
def statistics():
    return _report("registry/statistics.html", "registry.statistics")


@staff_bp.get("/reports/registry")
def report():
    return _report("registry/report.html", "registry_staff.report")


def _render_import(form, preview=None, confirm=None, status=200):
    return render_template(
        "registry/import.html", form=form, preview=preview, confirm=confirm, column_labels=COLUMN_LABELS,
        errors=preview.errors[:PREVIEW_ERRORS] if preview else [],
        sample=preview.entries[:PREVIEW_ROWS] if preview else [],
    ), status


@staff_bp.get("/producers/import")
def import_form():
    return _render_import(RegistryUploadForm(formdata=None))


@staff_bp.post("/producers/import")
def import_preview():
    """Step 1: check the uploaded file and show what would be saved, or every wrong row."""
    form = RegistryUploadForm()
    if not form.validate_on_submit():
        return _render_import(form, status=422)
    content, filename = form.read_file()
    preview = parse_registry_csv(content, filename)
    if not preview.ok:
        return _render_import(form, preview, status=422)
    confirm = RegistryConfirmForm(formdata=None, payload=pack_file(content), filename=preview.filename)
    return _render_import(None, preview, confirm)


@staff_bp.post("/producers/import/confirm")
def import_confirm():
    """Step 2: check the same file again and save it (or nothing)."""
    form = RegistryConfirmForm()
    content = unpack_file(form.payload.data or "") if form.validate_on_submit() else None
    if content is None:
        flash(_("Data pratinjau tidak terbaca. Unggah ulang file registrasinya."), "error")
        return redirect(url_for(".import_form"))
    try:
        result = import_registry(content, form.filename.data or "")
    except RegistryFileError as error:
        return _render_import(RegistryUploadForm(formdata=None), error.preview, status=422)
    db.session.commit()
    after_import()
    flash(_("Registrasi IKM disimpan: %(added)s ditambah, %(changed)s diubah, %(unchanged)s tetap.",
            added=result.added, changed=result.changed, unchanged=result.unchanged), "success")
    return redirect(url_for(".report"))


@staff_bp.route("/classifications", methods=["GET", "POST"])
def classifications():
    """The 24 IKM classifications: staff edit their names, sector and order (codes stay, the import uses them)."""
    items = classification_list()
    edit_id = parse_id(request.args.get("edit")) or parse_id(request.form.get("id"))
    item = db.session.get(IkmClassification, edit_id) if edit_id else None
    form = None
    if item is not None:
        form = ClassificationForm(obj=item)
        if request.method == "POST" and form.validate_on_submit():
            update_classification(item, name=form.name.data, name_en=form.name_en.data,
                                  sector_slug=form.sector_slug.data, position=form.position.data)
            db.session.commit()
            flash(_("Klasifikasi %(name)s disimpan.", name=item.name), "success")
            return redirect(url_for(".classifications"))
    elif request.method == "POST":
        abort(404)
    return render_template("registry/classifications.html", items=items, item=item, form=form), \
        422 if request.method == "POST" else 200
