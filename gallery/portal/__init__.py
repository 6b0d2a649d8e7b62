"""The producer's portal: its own goods only, read through the other domains' services.

Blueprint `portal` (/portal) is for producer accounts; every query is scoped by the logged-in
producer. Blueprint `profile_requests` (/staff/profile-requests) lets staff decide the profile
changes producers ask for.
"""
from flask import Blueprint

bp = Blueprint("portal", __name__)
staff_bp = Blueprint("profile_requests", __name__)

from gallery.portal import product_views, staff_views, views  # noqa: E402,F401
