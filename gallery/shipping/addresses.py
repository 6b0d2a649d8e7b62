"""A delivery address in Indonesia, checked once for checkout and the customer's address book.

The district must lie in the regency and the regency in the province (data/regions), the street must say
enough for a courier, and the postal code must be one of the province's (gallery.shipping.postal_codes).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from gallery.errors import DomainError
from gallery.extensions import db
from gallery.shipping.models import District
from gallery.shipping.postal_codes import check_postal_code
from gallery.shipping.regions import display_name


@dataclass(frozen=True)
class Address:
    province_code: str
    regency_code: str
    district_code: str
    street: str
    postal_code: str


def check_address(address: Address | None) -> Address:
    """The address cleaned, or DomainError naming the field that is wrong."""
    if address is None:
        raise DomainError(_l("Alamat pengiriman wajib diisi."), field="regency_code")
    district = db.session.get(District, address.district_code or "")
    if (
        district is None
        or district.regency_code != address.regency_code
        or district.regency.province_code != address.province_code
    ):
        raise DomainError(_l("Pilih provinsi, kabupaten/kota dan kecamatan yang sesuai."), field="district_code")
    street = (address.street or "").strip()
    if len(street) < 5 or len(street) > 300:
        raise DomainError(_l("Tulis alamat jalan lengkap (nama jalan, nomor, RT/RW)."), field="street")
    province = district.regency.province
    postal = check_postal_code(address.postal_code, province.code, display_name(province.name))
    return Address(address.province_code, address.regency_code, address.district_code, street, postal)
