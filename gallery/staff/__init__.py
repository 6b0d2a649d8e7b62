"""The back-office shell: dashboard and navigation; domain screens live with their domain."""
from flask import Blueprint

from gallery.accounts.decorators import check_role
from gallery.accounts.models import Role

bp = Blueprint("staff", __name__)


@bp.before_request
def require_back_office():
    """Every /staff page is for gallery staff and admins only."""
    check_role(*Role.BACK_OFFICE)


from gallery.staff import views  # noqa: E402,F401
