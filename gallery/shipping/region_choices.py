"""The three dependent region selects (province, regency/city, district) of an address form, filled on the
server: the form's "Perbarui pilihan" button re-renders the page with the regencies of the chosen province
and the districts of the chosen regency (shop.js only presses it when a select changes). Used by the
checkout and the customer's address book.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from wtforms import SelectChoice

from gallery.extensions import db
from gallery.shipping.models import District, Province, Regency
from gallery.shipping.regions import display_name


@dataclass
class Regions:
    """The three dependent selects: their options and the valid choice in each."""

    provinces: list[Province]
    regencies: list[Regency] = field(default_factory=list)
    districts: list[District] = field(default_factory=list)
    province: Province | None = None
    regency: Regency | None = None
    district: District | None = None


def chosen_regions(province_code: str | None, regency_code: str | None, district_code: str | None) -> Regions:
    """Options for each select, in at most three statements; a choice outside its parent is dropped."""
    provinces = list(db.session.scalars(select(Province).order_by(Province.name)))
    regions = Regions(provinces)
    regions.province = next((p for p in provinces if p.code == province_code), None)
    if regions.province is None:
        return regions
    regions.regencies = list(db.session.scalars(
        select(Regency).where(Regency.province_code == regions.province.code).order_by(Regency.name)))
    regions.regency = next((r for r in regions.regencies if r.code == regency_code), None)
    if regions.regency is None:
        return regions
    regions.districts = list(db.session.scalars(
        select(District).where(District.regency_code == regions.regency.code).order_by(District.name)))
    regions.district = next((d for d in regions.districts if d.code == district_code), None)
    return regions


def fill_region_choices(form, regions: Regions) -> None:
    """Fill a form's province_code, regency_code and district_code selects from `regions`."""
    form.province_code.choices = [SelectChoice("", _("— pilih provinsi —"))] + [
        SelectChoice(p.code, display_name(p.name)) for p in regions.provinces]
    form.regency_code.choices = [SelectChoice("", _("— pilih kabupaten/kota —"))] + [
        SelectChoice(r.code, display_name(r.name)) for r in regions.regencies]
    form.district_code.choices = [SelectChoice("", _("— pilih kecamatan —"))] + [
        SelectChoice(d.code, display_name(d.name)) for d in regions.districts]


def region_errors(form, regions: Regions) -> bool:
    """On saving an address: every select must hold a choice that belongs to its parent (errors on the form)."""
    ok = True
    if regions.province is None:
        form.province_code.errors.append(_("Pilih provinsi."))
        ok = False
    if regions.regency is None:
        form.regency_code.errors.append(_("Pilih kabupaten/kota dari daftar provinsi yang dipilih."))
        ok = False
    if regions.district is None:
        form.district_code.errors.append(_("Pilih kecamatan dari daftar kabupaten/kota yang dipilih."))
        ok = False
    return ok
