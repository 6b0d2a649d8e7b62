"""The staff dashboard."""
from flask import render_template

from gallery.staff import bp
from gallery.staff.queries import dashboard_figures


@bp.route("")
def dashboard():
    return render_template("staff/dashboard.html", figures=dashboard_figures())
