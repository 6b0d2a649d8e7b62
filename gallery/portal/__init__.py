"""The producer's portal: its own goods only, read through the other domains' services.

Blueprint `portal` (/portal) is for producer accounts; every query is scoped by the logged-in
producer. Blueprint `profile_requests` (/staff/profile-requests) lets staff decide the profile
changes producers ask for.
"""
from flask import Blueprint

bp = Blueprint("portal", __name__)
staff_bp = Blueprint("profile_requests", __name__)


@bp.app_context_processor
def what_the_producer_sees():
    """Every portal page (the partners' inbox under /portal too) knows what the gallery lets this producer
    see (gallery.portal.visibility)."""
    from flask import has_request_context, request
    from flask_login import current_user

    if not has_request_context() or not request.path.startswith("/portal"):
        return {}  # mail rendered by a command, the shop's own pages

    from gallery.portal.visibility import visibility_of

    producer_id = getattr(current_user, "producer_id", None)
    return {"seen": visibility_of(producer_id)} if producer_id else {}


from gallery.portal import product_views, staff_views, views  # noqa: E402,F401
