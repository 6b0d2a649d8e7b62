"""The producer's home: its profile and its products with what is on the shelf."""
from flask import render_template
from flask_login import current_user

from gallery.catalog.queries import products_of_producer
from gallery.portal import bp


@bp.route("")
def dashboard():
    producer = current_user.producer
    return render_template("portal/dashboard.html", producer=producer, cards=products_of_producer(producer.id))
