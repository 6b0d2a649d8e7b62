"""Health check for load balancers and monitoring."""
from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from gallery.extensions import db

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz():
    """200 after a real database round trip, 503 when the database does not answer."""
    try:
        db.session.execute(text("SELECT 1")).scalar_one()
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="down"), 503
    return jsonify(status="ok")
