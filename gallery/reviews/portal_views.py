"""The producer's reviews (/portal/reviews): what shoppers said of its products, and its single reply.

Every query is scoped by current_user.producer_id; another producer's review is a 404.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from gallery.errors import DomainError, NotFound
from gallery.extensions import db
from gallery.reviews import portal_bp as bp
from gallery.reviews import queries, services
from gallery.reviews.forms import ReplyForm


@bp.route("")
def index():
    return render_template("reviews/portal/index.html", reviews=queries.producer_reviews(current_user.producer_id),
                           form=ReplyForm(formdata=None))


@bp.route("/<int:review_id>/reply", methods=["POST"])
def reply(review_id: int):
    try:
        services.review_for_producer(review_id, current_user.producer_id)
    except NotFound:
        abort(404)
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            services.reply(review_id, current_user.producer_id, form.reply.data, user=current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Balasan Anda tayang di bawah ulasan."), "success")
    else:
        flash(next((m for messages in form.errors.values() for m in messages), _("Tulis balasan.")), "error")
    return redirect(url_for(".index") + f"#ulasan-{review_id}", code=303)
