"""What templates may ask of reviews without their view knowing: the product page's block (once per request)
and an order's reviews by line, so the product and order pages include them with one line each."""
from __future__ import annotations

from flask import Flask, g

from gallery.reviews import queries


def product_reviews(product_id: int) -> queries.ProductReviews:
    """The product's review block, read once per request however many partials show it."""
    cache = g.setdefault("product_reviews", {})
    if product_id not in cache:
        cache[product_id] = queries.product_reviews(product_id)
    return cache[product_id]


def register(app: Flask) -> None:
    app.add_template_global(product_reviews)
    app.add_template_global(queries.reviews_of_order, "order_reviews")
