"""Staff: the review queue (/staff/reviews): publish or hide each review, hiding with a reason.

Views parse and render; gallery.reviews.services decides; the view commits.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from gallery.errors import DomainError
from gallery.extensions import db
from gallery.pagination import PageNumbers, clamp_page
from gallery.reviews import queries, services, staff_bp as bp
from gallery.reviews.forms import ModerationForm
from gallery.reviews.models import Review, ReviewStatus

STATUS_LABELS = {
    ReviewStatus.PENDING: _l("Menunggu"),
    ReviewStatus.PUBLISHED: _l("Tayang"),
    ReviewStatus.HIDDEN: _l("Disembunyikan"),
}


@dataclass
class ReviewPage(PageNumbers):
    total: int
    page: int
    per_page: int


@bp.route("")
def index():
    status = request.args.get("status", ReviewStatus.PENDING)
    status = status if status in ReviewStatus.ALL else ReviewStatus.PENDING
    counts = queries.status_counts()
    page = clamp_page(request.args.get("page", 1, type=int) or 1, counts.get(status, 0), queries.PER_PAGE)
    return render_template("reviews/staff/index.html", reviews=queries.reviews_page(status, page), status=status,
                           counts=counts, labels=STATUS_LABELS, form=ModerationForm(formdata=None),
                           results=ReviewPage(counts.get(status, 0), page, queries.PER_PAGE))


@bp.route("/<int:review_id>/moderate", methods=["POST"])
def moderate(review_id: int):
    review = db.session.get(Review, review_id)
    if review is None:
        abort(404)
    form = ModerationForm()
    action = request.form.get("action")
    if form.validate_on_submit() and action in ("publish", "hide"):
        try:
            services.moderate(review, publish=action == "publish", reason=form.reason.data or "", user=current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Ulasan ditayangkan.") if action == "publish" else _("Ulasan disembunyikan."), "success")
    else:
        flash(_("Pilih tayangkan atau sembunyikan."), "error")
    return redirect(url_for(".index", status=request.form.get("back", ReviewStatus.PENDING)), code=303)
