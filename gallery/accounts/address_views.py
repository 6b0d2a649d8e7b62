"""The signed-in customer's address book (/account/addresses). Views parse, render and commit; gallery.accounts.address_book
decides. The region selects refresh on the server, as at checkout."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from gallery.accounts import address_book
from gallery.accounts.decorators import role_required
from gallery.accounts.forms import AddressForm
from gallery.accounts.models import Role
from gallery.errors import DomainError, NotFound
from gallery.extensions import db
from gallery.shipping.addresses import Address
from gallery.shipping.region_choices import chosen_regions, fill_region_choices, region_errors

bp = Blueprint("addresses", __name__, url_prefix="/account/addresses")


@bp.before_request
@login_required
@role_required(Role.CUSTOMER)
def customers_only():
    """Only customers keep an address book (staff and producers order as customers do not)."""


def _owned(address_id: int):
    try:
        return address_book.address_of(current_user, address_id)
    except NotFound:
        abort(404)


def _form_page(form: AddressForm, address_id: int | None, status: int = 200):
    """Render the form; a choice outside its parent is dropped unless the address is being saved."""
    regions = chosen_regions(form.province_code.data, form.regency_code.data, form.district_code.data)
    fill_region_choices(form, regions)
    saving = request.method == "POST" and request.form.get("action") == "save"
    if saving and form.validate() and region_errors(form, regions):
        try:
            address_book.save_address(
                current_user, Address(form.province_code.data, form.regency_code.data, form.district_code.data,
                                      form.street.data or "", form.postal_code.data or ""),
                label=form.label.data or "", make_default=bool(form.is_default.data), address_id=address_id)
        except DomainError as error:
            target = form._fields.get(error.field or "", form.street)
            target.errors = list(target.errors) + [error.message]
        else:
            db.session.commit()
            flash(_("Alamat disimpan."), "success")
            return redirect(url_for(".index"), code=303)
    if saving:
        status = 422
    else:
        form.province_code.data = regions.province.code if regions.province else ""
        form.regency_code.data = regions.regency.code if regions.regency else ""
        form.district_code.data = regions.district.code if regions.district else ""
    return render_template("accounts/address_form.html", form=form, address_id=address_id), status


@bp.route("", methods=["GET"])
def index():
    return render_template("accounts/addresses.html", addresses=address_book.addresses_of(current_user))


@bp.route("/new", methods=["GET", "POST"])
def new():
    return _form_page(AddressForm(), None)


@bp.route("/<int:address_id>", methods=["GET", "POST"])
def edit(address_id: int):
    saved = _owned(address_id)
    return _form_page(AddressForm(obj=saved if request.method == "GET" else None), saved.id)


def _change(address_id: int, change, message: str):
    """Apply one change to one of the customer's own addresses, commit, and go back to the list."""
    _owned(address_id)
    change(current_user, address_id)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".index"), code=303)


@bp.route("/<int:address_id>/default", methods=["POST"])
def make_default(address_id: int):
    return _change(address_id, address_book.set_default, _("Alamat utama diganti."))


@bp.route("/<int:address_id>/delete", methods=["POST"])
def delete(address_id: int):
    return _change(address_id, address_book.delete_address, _("Alamat dihapus."))
