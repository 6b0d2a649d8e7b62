"""Storefront pages: home, listing and search, product, producers; product image files."""
from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from sqlalchemy import select

from gallery.catalog import bp, page_queries, producer_queries, queries
from gallery.catalog.images import rendition_path
from gallery.catalog.models import Category
from gallery.catalog.products import redirect_target
from gallery.consignment.pricing import shelf_prices
from gallery.consignment.services import stock_levels
from gallery.errors import NotFound
from gallery.extensions import db
from gallery.page_cache import cached_page
from gallery.partners.forms import inquiry_form_for
from gallery.shipping.models import HOME_REGENCY_CODE, District


@bp.route("/")
@cached_page
def home():
    sectors = page_queries.category_tree()
    return render_template(
        "catalog/home.html",
        sectors=sectors,
        sector_counts=page_queries.sector_product_counts(),
        featured=page_queries.featured_products(),
        newest=page_queries.newest_products(),
        producers=producer_queries.featured_producers(),
    )


@bp.route("/products")
@cached_page
def products():
    query = queries.parse_listing_args(request.args)
    for notice in query.notices:
        flash(notice, "warning")
    results = queries.list_products(query, per_page=current_app.config["PRODUCTS_PER_PAGE"])
    return render_template(
        "catalog/products.html",
        query=query,
        results=results,
        sectors=page_queries.category_tree(),
        kecamatan_list=producer_queries.home_kecamatan(),
    )


@bp.get("/api/search/suggest")
def search_suggest():
    """`?q=ren` → up to 8 `{name, url}` of products for the search box's suggestions (JSON)."""
    q = (request.args.get("q") or "").strip()[:queries.MAX_QUERY_LENGTH]
    response = jsonify([{"name": name, "url": url_for(".product", slug=slug)}
                        for name, slug in queries.search_suggestions(q)])
    # Revalidated every time (the catalogue may have changed), answered 304 while it has not.
    response.headers["Cache-Control"] = "public, no-cache"
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/products/<slug>")
@cached_page
def product(slug: str):
    try:
        item = page_queries.get_product_page(slug)
    except NotFound:
        # A renamed product keeps its old address: look it up only when the slug is not current.
        if (current := redirect_target(slug)) is not None:
            return redirect(url_for(".product", slug=current), code=301)
        raise
    stock = stock_levels(variant.id for variant in item.active_variants)
    return render_template(
        "catalog/product.html",
        product=item,
        stock=stock,
        prices=shelf_prices(variant.id for variant in item.active_variants),
        more=page_queries.more_from_producer(item),
        inquiry_form=inquiry_form_for(item.producer, item),
    )


@bp.route("/categories/<slug>")
def category(slug: str):
    found = db.session.scalar(select(Category.slug).where(Category.slug == slug))
    if found is None:
        abort(404)
    return redirect(url_for("catalog.products", category=found), code=301)


@bp.route("/producers")
@cached_page
def producers():
    kecamatan = None
    if code := request.args.get("kecamatan", "").strip():
        kecamatan = db.session.get(District, code)
        if kecamatan is None or kecamatan.regency_code != HOME_REGENCY_CODE:
            abort(404)
    q = request.args.get("q", "").strip()[:queries.MAX_QUERY_LENGTH]
    page = queries.parse_listing_args({"page": request.args.get("page", "1")}).page
    return render_template(
        "catalog/producers.html",
        results=producer_queries.list_producers(kecamatan, q, page),
        q=q,
        kecamatan=kecamatan,
        kecamatan_list=producer_queries.home_kecamatan(),
    )


@bp.route("/producers/<slug>")
@cached_page
def producer(slug: str):
    item = producer_queries.get_producer_page(slug)
    query = queries.parse_listing_args({"page": request.args.get("page", "1")})
    query.producer = item
    results = queries.list_products(query, per_page=current_app.config["PRODUCTS_PER_PAGE"])
    return render_template("catalog/producer.html", producer=item, results=results, query=query,
                           inquiry_form=inquiry_form_for(item))


@bp.route("/media/products/<key>-<size>.<extension>")
def media(key: str, size: str, extension: str):
    """Serve a re-encoded rendition; names are content hashes, so they may be cached for a year."""
    try:
        path = rendition_path(key, size, extension)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    mimetype = "image/webp" if extension == "webp" else "image/jpeg"
    response = send_file(path, mimetype=mimetype, max_age=31_536_000, conditional=True)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
