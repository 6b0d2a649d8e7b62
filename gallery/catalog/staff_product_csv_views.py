"""Staff CSV of products and variants: export (with the list's filters), import (upload → preview → confirm)."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from gallery import clock
from gallery.catalog.product_csv import (
    COLUMN_LABELS,
    COLUMNS,
    MAX_BYTES,
    ProductFileError,
    export_csv,
    import_products,
    run_import,
)
from gallery.catalog.product_forms import ImportConfirmForm, ImportUploadForm
from gallery.catalog.staff_product_views import acting_user, bp, filters_from_request
from gallery.catalog.staff_queries import export_products
from gallery.extensions import db
from gallery.planner_stats import refresh_planner_statistics
from gallery.spreadsheets import csv_download
from gallery.shipping.forms import pack_file, unpack_file

PREVIEW_ERRORS = 200


@bp.get("/export.csv")
def export():
    """The listed products and their variants as CSV."""
    text = export_csv(export_products(filters_from_request()))
    return csv_download(text, f"produk-{clock.today_wib().isoformat()}.csv")


def _render(form, preview=None, confirm=None, status=200):
    return render_template(
        "catalog/staff/product_import.html", form=form, preview=preview, confirm=confirm, columns=COLUMNS,
        column_labels=COLUMN_LABELS, errors=preview.errors[:PREVIEW_ERRORS] if preview else [],
    ), status


@bp.get("/import")
def import_form():
    """The upload form and the file's format."""
    return _render(ImportUploadForm(formdata=None))


@bp.post("/import")
def import_preview():
    """Step 1: run the file without saving and show what it would do, or every wrong line."""
    form = ImportUploadForm()
    if not form.validate_on_submit():
        return _render(form, status=422)
    storage = form.file.data
    content, filename = storage.read(MAX_BYTES + 1), storage.filename or "produk.csv"
    preview = run_import(content, filename, user=acting_user())
    if not preview.ok:
        return _render(form, preview, status=422)
    confirm = ImportConfirmForm(formdata=None, payload=pack_file(content), filename=preview.filename)
    return _render(None, preview, confirm)


@bp.post("/import/confirm")
def import_confirm():
    """Step 2: run the same file again and save it, all of it or nothing."""
    form = ImportConfirmForm()
    content = unpack_file(form.payload.data or "") if form.validate_on_submit() else None
    if content is None:
        flash(_("Data pratinjau tidak terbaca. Unggah ulang file produknya."), "error")
        return redirect(url_for(".import_form"))
    try:
        result = import_products(content, form.filename.data or "", user=acting_user())
    except ProductFileError as error:
        return _render(ImportUploadForm(formdata=None), error.preview, status=422)
    db.session.commit()
    refresh_planner_statistics()  # an import can change the catalogue's size many times over
    flash(_("Impor selesai: %(new)s produk baru, %(changed)s produk diubah, %(variants)s varian baru, "
            "%(prices)s harga berubah.", new=result.new_products, changed=result.changed_products,
            variants=result.new_variants, prices=result.price_changes), "success")
    return redirect(url_for(".index"))
