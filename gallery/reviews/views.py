"""The shopper's review form, reached from the order page (its private link or the signed-in customer)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from gallery.errors import DomainError, NotFound
from gallery.extensions import db
from gallery.orders.views import order_for_viewer
from gallery.reviews import bp, services
from gallery.reviews.forms import ReviewForm


@bp.route("/orders/<number>/reviews/<int:line_id>", methods=["GET", "POST"])
def write(number: str, line_id: int):
    order, token = order_for_viewer(number)
    try:
        line = services.line_of(order, line_id)
    except NotFound:
        abort(404)
    back = url_for("orders.show", number=order.number, t=token or None)
    if not services.reviewable(order) or services.review_of_line(line.id) is not None:
        return redirect(back, code=303)
    form = ReviewForm()
    status = 200
    if form.validate_on_submit():
        upload = form.photo.data
        try:
            services.write_review(order, line.id, rating=int(form.rating.data), body=form.body.data or "",
                                  photo=upload.read() if upload else None,
                                  customer=current_user if current_user.is_authenticated else None)
        except DomainError as error:
            form[error.field if error.field in form._fields else "rating"].errors.append(error.message)
            status = 422
        else:
            db.session.commit()
            flash(_("Terima kasih atas ulasan Anda! Ulasan tampil setelah diperiksa staf galeri."), "success")
            return redirect(back, code=303)
    elif request.method == "POST":
        status = 422
    return render_template("reviews/write.html", form=form, order=order, line=line, token=token), status
