"""The producer's products: all of its own (any status), and proposals of new products or changes.

Every lookup is scoped by the logged-in producer: another producer's product or proposal is a 404.
Nothing proposed here reaches the shop before staff approve it (gallery.catalog.proposals).
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gallery.catalog import page_queries, producer_queries, proposals
from gallery.catalog.certificates import certificates_of
from gallery.catalog.models import Product
from gallery.catalog.photos import request_limit
from gallery.catalog.products import product_input
from gallery.catalog.proposals import ProposalInput, proposal_input
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.portal import bp
from gallery.portal.product_forms import ProposalForm

UPLOAD_ENDPOINTS = {"portal.propose_product", "portal.propose_change", "portal.product_proposal"}


@bp.url_value_preprocessor
def allow_photo_batches(endpoint, values):
    """Proposals carry photos: raise the request limit before the CSRF check reads the form (see staff_products)."""
    if endpoint in UPLOAD_ENDPOINTS and request.method == "POST":
        request.max_content_length = request_limit()


def _producer():
    return current_user.producer


def _own_product_or_404(product_id: int) -> Product:
    product = db.session.scalar(select(Product).options(selectinload(Product.variants)).where(
        Product.id == product_id, Product.producer_id == current_user.producer_id))
    if product is None:
        abort(404)
    return product


def _form() -> ProposalForm:
    form = ProposalForm()
    form.set_choices(page_queries.category_tree(), certificates_of(current_user.producer_id))
    return form


@bp.route("/products")
def products():
    """The producer's products (every status) and its proposals."""
    producer_id = current_user.producer_id
    return render_template("portal/products.html", cards=producer_queries.products_of_producer(producer_id),
                           proposals=proposals.proposals_of(producer_id))


def _submit(form: ProposalForm, product: Product | None, proposal=None):
    """Send or revise the proposal; on a refusal, show the message on its field (nothing is saved)."""
    try:
        if proposal is None:
            proposal = proposals.propose(_producer(), form.to_input(), form.uploads(),
                                         user=current_user._get_current_object(), product=product)
        else:
            proposals.revise(proposal, form.to_input(), form.uploads(), user=current_user._get_current_object())
    except DomainError as error:
        db.session.rollback()
        target = form.photos if error.field == "photos" else form.field_for(error.field)
        target.errors.append(error.message)
        return None
    db.session.commit()
    flash(_("Usulan terkirim. Staf galeri akan memeriksanya; Anda akan menerima email."), "success")
    return redirect(url_for(".product_proposal", proposal_id=proposal.id))


@bp.route("/products/propose", methods=["GET", "POST"])
def propose_product():
    """Propose a new product."""
    form = _form()
    if form.validate_on_submit() and (done := _submit(form, None)) is not None:
        return done
    status = 422 if request.method == "POST" else 200
    return render_template("portal/proposal_form.html", form=form, product=None, proposal=None), status


@bp.route("/products/<int:product_id>/propose", methods=["GET", "POST"])
def propose_change(product_id: int):
    """Propose a change to one of the producer's own products."""
    product = _own_product_or_404(product_id)
    if (open_one := proposals.open_proposal_for(product.id)) is not None:
        flash(_("Usulan untuk produk ini masih terbuka; ubah usulan itu."), "info")
        return redirect(url_for(".product_proposal", proposal_id=open_one.id))
    form = _form()
    if request.method == "GET":
        form.fill(ProposalInput(**{name: getattr(product_input(product), name) for name in proposals.TEXT_FIELDS}),
                  product)
    elif form.validate_on_submit() and (done := _submit(form, product)) is not None:
        return done
    status = 422 if request.method == "POST" else 200
    return render_template("portal/proposal_form.html", form=form, product=product, proposal=None), status


@bp.route("/products/proposals/<int:proposal_id>", methods=["GET", "POST"])
def product_proposal(proposal_id: int):
    """One of the producer's proposals; revise it while it is open."""
    proposal = proposals.proposal_for_producer(proposal_id, current_user.producer_id)
    form = _form() if proposal.is_open else None
    if form is None:
        if request.method == "POST":
            abort(409)  # a decided proposal is not changed any more
    elif request.method == "GET":
        form.fill(proposal_input(proposal), proposal.product)
    elif form.validate_on_submit() and (done := _submit(form, proposal.product, proposal)) is not None:
        return done
    status = 422 if request.method == "POST" else 200
    return render_template("portal/proposal.html", proposal=proposal, form=form,
                           rows=proposals.compare(proposal)), status
