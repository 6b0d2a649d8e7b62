"""The producer's portal: its own goods only, read through the other domains' services."""
from flask import Blueprint

from gallery.accounts.decorators import check_role
from gallery.accounts.models import Role

bp = Blueprint("portal", __name__)


@bp.before_request
def require_producer():
    """Every /portal page is for producer accounts only."""
    check_role(Role.PRODUCER)


from gallery.portal import views  # noqa: E402,F401
