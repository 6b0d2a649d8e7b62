"""Indonesian postal codes and the province they belong to, by their first two digits.

Pos Indonesia numbers its delivery areas so that the first two digits of a five-digit code fall in a
province's ranges (Jakarta 10–14, West Sumatra 25–27, Papua 98–99…); a few ranges are shared by
neighbouring provinces (29: Riau and the Riau Islands; 77: East and North Kalimantan; 91: South and West
Sulawesi; 97: Maluku and North Maluku; 98–99: the Papuan provinces). The table is built from the ranges
published on kodepos.posindonesia.co.id; keyed by the Kemendagri province code of data/regions.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from gallery.errors import DomainError


def _span(first: int, last: int) -> tuple[str, ...]:
    return tuple(f"{n:02d}" for n in range(first, last + 1))


PREFIXES: dict[str, tuple[str, ...]] = {
    "11": _span(23, 24),  # Aceh
    "12": _span(20, 22),  # Sumatera Utara
    "13": _span(25, 27),  # Sumatera Barat
    "14": _span(28, 29),  # Riau
    "15": _span(36, 37),  # Jambi
    "16": _span(30, 32),  # Sumatera Selatan
    "17": _span(38, 39),  # Bengkulu
    "18": _span(34, 35),  # Lampung
    "19": ("33",),  # Kepulauan Bangka Belitung
    "21": ("29",),  # Kepulauan Riau
    "31": _span(10, 14),  # DKI Jakarta
    "32": ("16", "17") + _span(40, 41) + _span(43, 46),  # Jawa Barat
    "33": _span(50, 54) + _span(56, 59),  # Jawa Tengah
    "34": ("55",),  # DI Yogyakarta
    "35": _span(60, 69),  # Jawa Timur
    "36": ("15", "42"),  # Banten
    "51": _span(80, 82),  # Bali
    "52": _span(83, 84),  # Nusa Tenggara Barat
    "53": _span(85, 87),  # Nusa Tenggara Timur
    "61": _span(78, 79),  # Kalimantan Barat
    "62": _span(73, 74),  # Kalimantan Tengah
    "63": _span(70, 72),  # Kalimantan Selatan
    "64": _span(75, 77),  # Kalimantan Timur
    "65": ("77",),  # Kalimantan Utara
    "71": ("95",),  # Sulawesi Utara
    "72": ("94",),  # Sulawesi Tengah
    "73": _span(90, 92),  # Sulawesi Selatan
    "74": ("93",),  # Sulawesi Tenggara
    "75": ("96",),  # Gorontalo
    "76": ("91",),  # Sulawesi Barat
    "81": ("97",),  # Maluku
    "82": ("97",),  # Maluku Utara
    "91": _span(98, 99),  # Papua
    "92": ("98",),  # Papua Barat
    "93": ("99",),  # Papua Selatan
    "94": _span(98, 99),  # Papua Tengah
    "95": ("99",),  # Papua Pegunungan
    "96": ("98",),  # Papua Barat Daya
}


def belongs_to(postal_code: str, province_code: str) -> bool:
    """Whether a five-digit postal code lies in the province's ranges (unknown provinces are not judged)."""
    prefixes = PREFIXES.get(province_code)
    return prefixes is None or postal_code[:2] in prefixes


def check_postal_code(postal_code: str, province_code: str, province_name: str) -> str:
    """Return the postal code if it has five digits and belongs to the province, else raise DomainError."""
    code = (postal_code or "").strip()
    if len(code) != 5 or not code.isdigit():
        raise DomainError(_l("Kode pos harus 5 angka."), field="postal_code")
    if not belongs_to(code, province_code):
        raise DomainError(
            _l("Kode pos %(code)s bukan kode pos %(province)s: kode pos di sana diawali %(prefixes)s.",
               code=code, province=province_name, prefixes=", ".join(PREFIXES[province_code])),
            field="postal_code")
    return code
