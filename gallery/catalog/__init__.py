"""Catalog: producers, categories, products, variants, images and search; the storefront pages."""
from flask import Blueprint

bp = Blueprint("catalog", __name__)

from gallery.catalog import views  # noqa: E402,F401
