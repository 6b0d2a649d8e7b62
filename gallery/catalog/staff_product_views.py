"""Back office: products under /staff/products: list, create, edit with variants, photos, history.

The CSV import/export (`staff_product_csv_views`) and the review of producers' proposals
(`staff_proposal_views`) hang off the same blueprint. Views parse input and render; the catalog's
services (products, photos) decide and flush; these views commit.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from gallery.catalog import history, page_queries, photos
from gallery.catalog.certificates import certificates_of
from gallery.catalog.models import Category, Producer, Product, ProductStatus, Variant
from gallery.catalog.product_forms import PhotoUploadForm, ProductForm, read_uploads
from gallery.catalog.products import create_product, update_product
from gallery.catalog.staff_queries import Attention, ProductFilter, staff_product_page
from gallery.catalog.variants import VariantError, remove_variant
from gallery.consignment.services import stock_levels
from gallery.errors import DomainError
from gallery.extensions import db

bp = Blueprint("products_admin", __name__, url_prefix="/staff/products")

PER_PAGE = 50
# Endpoints that take a batch of photos: their requests may carry several files of MAX_UPLOAD_BYTES each.
UPLOAD_ENDPOINTS = {"products_admin.new", "products_admin.add_photos"}


@bp.url_value_preprocessor
def allow_photo_batches(endpoint, values):
    """Raise the request size limit for photo uploads before anything reads the form.

    URL value preprocessors run before every before_request function, and the CSRF check (an
    app-level before_request) reads the form; each file is still held to MAX_UPLOAD_BYTES by
    catalog.photos.
    """
    if endpoint in UPLOAD_ENDPOINTS and request.method == "POST":
        request.max_content_length = photos.request_limit()


def acting_user():
    """The signed-in staff member, as the services record who did what."""
    return current_user._get_current_object()


def _int_arg(name: str) -> int | None:
    text = (request.args.get(name) or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def _product_or_404(product_id: int) -> Product:
    product = db.session.scalar(
        select(Product).where(Product.id == product_id).options(
            joinedload(Product.producer), joinedload(Product.category),
            selectinload(Product.variants), selectinload(Product.images),
            joinedload(Product.pirt_certificate), joinedload(Product.bpom_certificate),
            joinedload(Product.halal_certificate),
        )
    )
    if product is None:
        abort(404)
    return product


def filters_from_request() -> ProductFilter:
    """The list's filters from the query string; unknown values are ignored with a notice."""
    filters = ProductFilter(q=(request.args.get("q") or "").strip(),
                            producer_name=(request.args.get("producer") or "").strip(), page=_int_arg("page") or 1)
    if (producer_id := _int_arg("producer_id")) is not None:
        filters.producer = db.session.get(Producer, producer_id)
    if slug := (request.args.get("category") or "").strip():
        filters.category = db.session.scalar(
            select(Category).options(selectinload(Category.children)).where(Category.slug == slug))
    status = request.args.get("status") or ""
    filters.status = status if status in ProductStatus.ALL else ""
    attention = request.args.get("attention") or ""
    filters.attention = attention if attention in (*Attention.ALL, Attention.ANY) else ""
    if (slug and filters.category is None) or (status and not filters.status) or \
            (attention and not filters.attention) or ("producer_id" in request.args and filters.producer is None):
        flash(_("Sebagian filter tidak dikenal dan diabaikan."), "warning")
    return filters


@bp.route("")
def index():
    """The products list with its filters, newest first."""
    filters = filters_from_request()
    return render_template("catalog/staff/products.html", results=staff_product_page(filters, PER_PAGE),
                           filters=filters, sectors=page_queries.category_tree())


def _form_for(producer: Producer, formdata=None) -> ProductForm:
    form = ProductForm() if formdata is None else ProductForm(formdata=formdata)
    form.set_choices(page_queries.category_tree(), certificates_of(producer.id))
    return form


def _show_error(form: ProductForm, error: DomainError) -> None:
    db.session.rollback()
    if isinstance(error, VariantError):
        rows = form.used_rows()
        if 0 <= error.index < len(rows):
            rows[error.index].field_for(error.field).errors.append(error.message)
            form.form_errors.append(error.message)  # a row's errors were gathered at validation; keep the banner
            return
    form.field_for(error.field).errors.append(error.message)


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Pick the producer, then create the product with its variants and photos."""
    producer = db.session.get(Producer, _int_arg("producer")) if _int_arg("producer") else None
    if producer is None:
        producers = db.session.execute(
            select(Producer.id, Producer.business_name).where(Producer.is_active.is_(True))
            .order_by(Producer.business_name, Producer.id)).all()
        return render_template("catalog/staff/product_pick_producer.html", producers=producers,
                               unknown="producer" in request.args), 422 if "producer" in request.args else 200
    form = _form_for(producer)
    if form.validate_on_submit():
        try:
            product = create_product(producer, form.to_input(), photos=form.uploads(), user=acting_user())
        except DomainError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("Produk %(name)s sudah dibuat.", name=product.name), "success")
            return redirect(url_for(".edit", product_id=product.id))
    status = 422 if request.method == "POST" else 200
    return render_template("catalog/staff/product_form.html", form=form, producer=producer, product=None), status


def _render_edit(product: Product, form: ProductForm, photo_form: PhotoUploadForm | None = None, status: int = 200):
    return render_template(
        "catalog/staff/product_form.html", form=form, producer=product.producer, product=product,
        photo_form=photo_form or PhotoUploadForm(formdata=None),
        stock=stock_levels(variant.id for variant in product.variants),
        prices=history.price_history(product.id, limit=10),
    ), status


@bp.route("/<int:product_id>/edit", methods=["GET", "POST"])
def edit(product_id: int):
    """Edit a product, its variants and prices on one screen."""
    product = _product_or_404(product_id)
    form = _form_for(product.producer)
    if request.method == "GET":
        form.fill_from(product)
    elif form.validate_on_submit():
        try:
            update_product(product, form.to_input(), user=acting_user(), price_reason=form.price_reason.data or "")
        except DomainError as error:
            _show_error(form, error)
            product = _product_or_404(product_id)
        else:
            db.session.commit()
            flash(_("Perubahan %(name)s sudah disimpan.", name=product.name), "success")
            return redirect(url_for(".edit", product_id=product.id))
    return _render_edit(product, form, status=422 if request.method == "POST" else 200)


def _variant_or_404(product: Product, variant_id: int) -> Variant:
    variant = next((variant for variant in product.variants if variant.id == variant_id), None)
    if variant is None:
        abort(404)
    return variant


@bp.route("/<int:product_id>/variants/<int:variant_id>/remove", methods=["POST"])
def remove_variant_view(product_id: int, variant_id: int):
    """Delete a never-received variant, or archive one with stock history."""
    product = _product_or_404(product_id)
    variant = _variant_or_404(product, variant_id)
    label = f"{variant.label} ({variant.sku})"
    try:
        deleted = remove_variant(variant, user=acting_user())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Varian %(name)s dihapus.", name=label) if deleted else
              _("Varian %(name)s sudah pernah diterima atau terjual, jadi diarsipkan (nonaktif), tidak dihapus.",
                name=label), "success" if deleted else "info")
    return redirect(url_for(".edit", product_id=product_id, _anchor="variants"))


@bp.route("/<int:product_id>/history")
def product_history(product_id: int):
    """Who changed what and when, prices included."""
    product = _product_or_404(product_id)
    return render_template("catalog/staff/product_history.html", product=product,
                           entries=history.product_history(product.id))


# --- Photos ------------------------------------------------------------------------------------


@bp.route("/<int:product_id>/photos", methods=["POST"])
def add_photos(product_id: int):
    """Add a batch of photos (all or none)."""
    product = _product_or_404(product_id)
    photo_form = PhotoUploadForm()
    if photo_form.validate_on_submit():
        try:
            added = photos.add_photos(product, read_uploads(photo_form.photos), alt=photo_form.alt.data or "",
                                      user=acting_user())
        except DomainError as error:
            db.session.rollback()
            photo_form.photos.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("%(num)s foto ditambahkan.", num=len(added)), "success")
            return redirect(url_for(".edit", product_id=product.id, _anchor="photos"))
    product = _product_or_404(product_id)
    form = _form_for(product.producer, formdata=None)
    form.fill_from(product)
    return _render_edit(product, form, photo_form, 422)


@bp.route("/<int:product_id>/photos/arrange", methods=["POST"])
def arrange_photos(product_id: int):
    """Save the photos' order and alt texts."""
    product = _product_or_404(product_id)
    order, alts = {}, {}
    for image in product.images:
        position = (request.form.get(f"position-{image.id}") or "").strip()
        if position.isdigit() and len(position) < 4:
            order[image.id] = int(position)
        if f"alt-{image.id}" in request.form:
            alts[image.id] = request.form[f"alt-{image.id}"]
    photos.arrange_photos(product, order, alts, user=acting_user())
    db.session.commit()
    flash(_("Urutan dan teks foto disimpan."), "success")
    return redirect(url_for(".edit", product_id=product.id, _anchor="photos"))


@bp.route("/<int:product_id>/photos/<int:image_id>/main", methods=["POST"])
def main_photo(product_id: int, image_id: int):
    """Make one photo the main one."""
    photos.make_main_photo(_product_or_404(product_id), image_id, user=acting_user())
    db.session.commit()
    flash(_("Foto utama diganti."), "success")
    return redirect(url_for(".edit", product_id=product_id, _anchor="photos"))


@bp.route("/<int:product_id>/photos/<int:image_id>/delete", methods=["POST"])
def delete_photo(product_id: int, image_id: int):
    """Delete one photo."""
    photos.remove_photo(_product_or_404(product_id), image_id, user=acting_user())
    db.session.commit()  # the photo's files go after this commit, when nothing else shows them
    flash(_("Foto dihapus."), "info")
    return redirect(url_for(".edit", product_id=product_id, _anchor="photos"))


from gallery.catalog import staff_product_csv_views, staff_proposal_views  # noqa: E402,F401
