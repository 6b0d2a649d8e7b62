"""Staff review of producers' proposals under /staff/products/proposals: approve, ask for changes, reject."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from gallery.catalog import proposals
from gallery.catalog.models import Product
from gallery.catalog.product_forms import DecisionForm
from gallery.catalog.proposal_models import ProductProposal, ProposalStatus
from gallery.catalog.staff_product_views import acting_user, bp
from gallery.errors import DomainError
from gallery.extensions import db


def _proposal_or_404(proposal_id: int) -> ProductProposal:
    proposal = db.session.scalar(
        select(ProductProposal).where(ProductProposal.id == proposal_id).options(
            joinedload(ProductProposal.producer), selectinload(ProductProposal.images),
            joinedload(ProductProposal.product).selectinload(Product.variants),
            joinedload(ProductProposal.created_by), joinedload(ProductProposal.decided_by),
        ))
    if proposal is None:
        abort(404)
    return proposal


@bp.route("/proposals")
def proposals_index():
    """Proposals in one state, the pending ones oldest first."""
    shown = request.args.get("status", ProposalStatus.PENDING)
    if shown not in ProposalStatus.ALL:
        shown = ProposalStatus.PENDING
    return render_template("catalog/staff/proposals.html", rows=proposals.review_queue(shown), shown=shown)


DECISIONS = ("approve", "changes", "reject")


def _render(proposal: ProductProposal, *, posted: dict[str, DecisionForm] | None = None, status: int = 200,
            error: str | None = None):
    variants = {str(variant.id): variant for variant in proposal.product.variants} if proposal.product else {}
    forms = {decision: DecisionForm(formdata=None, prefix=decision) for decision in DECISIONS} | (posted or {})
    return render_template(
        "catalog/staff/proposal.html", proposal=proposal, rows=proposals.compare(proposal), variants=variants,
        forms=forms, error=error,
    ), status


@bp.route("/proposals/<int:proposal_id>")
def proposal(proposal_id: int):
    """One proposal beside the product as it is, with the decision forms."""
    return _render(_proposal_or_404(proposal_id))


@bp.route("/proposals/<int:proposal_id>/<any(approve, changes, reject):decision>", methods=["POST"])
def decide_proposal(proposal_id: int, decision: str):
    """Approve (and publish), ask for changes, or reject with a comment."""
    found = _proposal_or_404(proposal_id)
    form = DecisionForm(prefix=decision)
    if not form.validate_on_submit():
        return _render(found, posted={decision: form}, status=422)
    comment = form.comment.data or ""
    try:
        if decision == "approve":
            product = proposals.approve(found, user=acting_user(), comment=comment)
        elif decision == "changes":
            proposals.request_changes(found, comment, user=acting_user())
        else:
            proposals.reject(found, comment, user=acting_user())
    except DomainError as error:
        db.session.rollback()
        if error.field == "comment":
            form.comment.errors.append(error.message)
            return _render(_proposal_or_404(proposal_id), posted={decision: form}, status=422)
        return _render(_proposal_or_404(proposal_id), posted={decision: form}, status=422, error=error.message)
    db.session.commit()  # the producer's message goes, and a rejection's photos are deleted, after it
    if decision == "approve":
        flash(_("Usulan disetujui: %(name)s tayang di toko.", name=product.name), "success")
        return redirect(url_for(".edit", product_id=product.id))
    flash(_("Usulan dikembalikan ke produsen untuk diubah.") if decision == "changes" else _("Usulan ditolak."),
          "info")
    return redirect(url_for(".proposals_index"))
