"""The back-office shell: dashboard and navigation; domain screens live with their domain."""
from flask import Blueprint

bp = Blueprint("staff", __name__)

from gallery.staff import views  # noqa: E402,F401
