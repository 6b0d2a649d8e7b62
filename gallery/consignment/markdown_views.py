"""Staff: markdowns as stock ages (rules per producer or sub-category) and variants on sale by hand.

The views parse the forms and call gallery.consignment.markdowns, which decides; the view commits.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from gallery.catalog.models import Category, Producer, Product, Variant
from gallery.catalog.services import producer_named
from gallery.consignment import bp, markdowns
from gallery.consignment.markdown_models import Markdown
from gallery.consignment.term_forms import AgeingRuleForm, SaleForm, StopMarkdownForm
from gallery.errors import DomainError
from gallery.extensions import db


def _user():
    return current_user._get_current_object()


def _fail(form, error: DomainError) -> None:
    db.session.rollback()
    target = {"discount": "discount", "shared_bp": "producer_share", "steps": "step1_days",
              "scope": "producer_name"}.get(error.field or "", error.field or "name")
    getattr(form, target, form.name).errors.append(error.message)


@bp.route("/markdowns")
def markdowns_index():
    ended = request.args.get("ended") == "1"
    return render_template("consignment/markdowns/index.html", markdowns=markdowns.markdown_list(ended), ended=ended,
                           bearer_label=markdowns.bearer_label)


@bp.route("/markdowns/<int:markdown_id>/stop", methods=["POST"])
def stop_markdown(markdown_id: int):
    markdown = db.session.get(Markdown, markdown_id)
    if markdown is None:
        abort(404)
    if StopMarkdownForm().validate_on_submit():
        try:
            markdowns.stop(markdown, user=_user())
            db.session.commit()
            flash(_("Potongan harga %(name)s dihentikan.", name=markdown.name), "success")
        except DomainError as error:
            flash(error.message, "error")
    return redirect(url_for(".markdowns_index"))


def _rule_choices(form: AgeingRuleForm) -> None:
    subcategories = db.session.scalars(select(Category).where(Category.parent_id.is_not(None))
                                       .order_by(Category.position, Category.name)).all()
    form.category_id.choices = [SelectChoice("", "—")] + [SelectChoice(str(c.id), c.name) for c in subcategories]


def _named_producer(form: AgeingRuleForm) -> tuple[Producer | None, bool]:
    """The producer staff typed (None when left empty), and whether the name found exactly one."""
    name = (form.producer_name.data or "").strip()
    if not name:
        return None, True
    producer_id, matched = producer_named(name)
    if producer_id is None:
        form.producer_name.errors.append(
            _("Tidak ada produsen bernama \"%(name)s\".", name=name) if matched == 0 else
            _("Lebih dari satu produsen cocok dengan \"%(name)s\"; tulis nama usahanya lebih lengkap.", name=name))
        return None, False
    return db.session.get(Producer, producer_id), True


def _saved(form, save, message: str):
    """Run the markdown service call `save` as this request's use case: commit it and go back to the list
    with `message`; on a refusal, None with the refusal shown on the form."""
    try:
        save()
        db.session.commit()
    except DomainError as error:
        _fail(form, error)
        return None
    flash(message, "success")
    return redirect(url_for(".markdowns_index"))


def _picked(model, text: str | None):
    return db.session.get(model, int(text)) if text and text.isdigit() and len(text) < 10 else None


@bp.route("/markdowns/rules/new", methods=["GET", "POST"])
def new_rule():
    form = AgeingRuleForm()
    _rule_choices(form)
    status = 200
    if request.method == "POST":
        valid = form.validate_on_submit()
        producer, named = _named_producer(form) if valid else (None, False)
        if valid and named:
            saved = _saved(form, lambda: markdowns.create_ageing_rule(
                name=form.name.data, steps=[markdowns.StepInput(d, b) for d, b in form.steps()],
                bearer=form.bearer.data, shared_bp=form.producer_share.data,
                producer=producer, category=_picked(Category, form.category_id.data),
                starts_on=form.starts_on.data, ends_on=form.ends_on.data, notes=form.notes.data or "", user=_user()),
                _("Aturan potongan harga %(name)s berlaku.", name=form.name.data))
            if saved:
                return saved
            status = 422
        else:
            status = 422
    return render_template("consignment/markdowns/rule.html", form=form), status


@bp.route("/markdowns/sales/new", methods=["GET", "POST"])
def new_sale():
    text = request.values.get("variant", "")
    variant = db.session.scalar(select(Variant).options(joinedload(Variant.product).joinedload(Product.producer))
                                .where(Variant.id == int(text))) if text.isdigit() and len(text) < 10 else None
    if variant is None:
        abort(404)
    form = SaleForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            saved = _saved(form, lambda: markdowns.put_on_sale(
                variant, name=form.name.data, discount_bp=form.discount.data, bearer=form.bearer.data,
                shared_bp=form.producer_share.data, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                notes=form.notes.data or "", user=_user()), _("%(name)s diobral.", name=variant.product.name))
            if saved:
                return saved
            status = 422
        else:
            status = 422
    return render_template("consignment/markdowns/sale.html", form=form, variant=variant), status
