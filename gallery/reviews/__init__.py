"""Ratings and reviews: a shopper rates each product of a completed order once per order line, staff
publish or hide each review (with a reason), the product page shows the published ones, and the producer
reads its reviews in the portal and may reply once.

Blueprints: `reviews` (the shopper's form, reached from the order page), `reviews_staff` (/staff/reviews)
and `reviews_portal` (/portal/reviews).
"""
from flask import Blueprint

bp = Blueprint("reviews", __name__)
staff_bp = Blueprint("reviews_staff", __name__, url_prefix="/staff/reviews")
portal_bp = Blueprint("reviews_portal", __name__, url_prefix="/portal/reviews")

from gallery.reviews import portal_views, staff_views, views  # noqa: E402,F401
