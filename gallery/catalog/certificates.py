"""Certificates with validity (DESIGN.md "Food and certificates"): a producer's halal, P-IRT, BPOM… numbers.

A certificate is valid through its `valid_until` day (WIB); without one it does not lapse. A
product names its P-IRT, BPOM and halal certificate by linking to the producer's certificates, so
a lapsed certificate takes the halal badge and the `halal` filter away from every product that
links it, and a lapsed P-IRT or BPOM refuses new intake of those products (`intake_refusal`).
Number formats are checked once, here, when a certificate is recorded.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import contains_eager
from sqlalchemy.sql.elements import ColumnElement

from gallery import clock
from gallery.catalog.models import CertificateKind, Producer, ProducerCertificate, Product
from gallery.errors import DomainError, NotFound
from gallery.extensions import db

_PIRT = re.compile(r"^\d{13}-(\d{2})$")
_BPOM = re.compile(r"^M[DL] \d{12}$")
_HALAL = re.compile(r"^ID\d{14,20}$")
# Staff see a certificate on the dashboard from this many days before it lapses.
WARNING_DAYS = 30
# The product fields that link a certificate, by kind.
PRODUCT_LINKS = {
    CertificateKind.PIRT: "pirt_certificate_id",
    CertificateKind.BPOM: "bpom_certificate_id",
    CertificateKind.HALAL: "halal_certificate_id",
}


def _checked(number: str | None, clean, pattern: re.Pattern, message) -> str | None:
    """An empty number is None; any other is cleaned to its stored form, which must match the kind's
    pattern (DomainError on `number` otherwise)."""
    if not number or not number.strip():
        return None
    candidate = clean(number.strip())
    if not pattern.fullmatch(candidate):
        raise DomainError(message, field="number")
    return candidate


def normalise_pirt(number: str | None) -> str | None:
    """Accept `P-IRT No. 2061301010123-29` or the bare number; store the bare 15 digits."""
    return _checked(number, lambda text: re.sub(r"^(P-?IRT)\s*(No\.?)?\s*", "", text, flags=re.IGNORECASE),
                    _PIRT, _l("Nomor P-IRT harus 15 digit, contoh 2061301010123-29."))


def _spaced_bpom(text: str) -> str:
    compact = re.sub(r"\s+", "", re.sub(r"^BPOM\s*(RI)?", "", text.upper()))
    return f"{compact[:2]} {compact[2:]}"


def normalise_bpom(number: str | None) -> str | None:
    """Accept a BPOM registration, MD (made here) or ML (imported) and 12 digits: `MD 123456789012`."""
    return _checked(number, _spaced_bpom, _BPOM, _l("Nomor BPOM harus berbentuk MD atau ML diikuti 12 digit."))


def normalise_halal(number: str | None) -> str | None:
    """Accept a BPJPH halal certificate number (`ID13110000123450123`)."""
    return _checked(number, lambda text: re.sub(r"\s+", "", text.upper()), _HALAL,
                    _l("Nomor sertifikat halal BPJPH diawali ID diikuti angka."))


NORMALISERS = {CertificateKind.PIRT: normalise_pirt, CertificateKind.BPOM: normalise_bpom,
               CertificateKind.HALAL: normalise_halal}


def pirt_valid_until(number: str) -> date | None:
    """A P-IRT number ends with the year it lapses (`…-29`): valid through the end of that year."""
    match = _PIRT.fullmatch(number or "")
    return date(2000 + int(match.group(1)), 12, 31) if match else None


def add_producer_certificate(
    producer: Producer,
    kind: str,
    number: str,
    *,
    issued_by: str | None = None,
    valid_until: date | None = None,
) -> ProducerCertificate:
    """Record a certificate the producer holds, its number checked for its kind (flushes).

    A P-IRT without a date is valid through the year its number names; a BPOM registration must
    say until when it is valid; a halal certificate may have no end date (BPJPH certificates
    issued since 2021 stay valid while the product does not change).
    """
    if kind not in CertificateKind.ALL:
        raise DomainError(_l("Pilih jenis sertifikat."), field="kind")
    number = (number or "").strip()
    if not number:
        raise DomainError(_l("Nomor sertifikat wajib diisi."), field="number")
    if len(number) > 60:
        raise DomainError(_l("Nomor sertifikat paling banyak 60 karakter."), field="number")
    if kind in NORMALISERS:
        number = NORMALISERS[kind](number)
    if kind == CertificateKind.PIRT and valid_until is None:
        valid_until = pirt_valid_until(number)
    if kind == CertificateKind.BPOM and valid_until is None:
        raise DomainError(_l("Isi tanggal berlaku izin edar BPOM."), field="valid_until")
    issued_by = (issued_by or "").strip() or None
    if issued_by and len(issued_by) > 120:
        raise DomainError(_l("Nama penerbit paling banyak 120 karakter."), field="issued_by")
    if any(cert.kind == kind and cert.number == number for cert in producer.certificates):
        raise DomainError(_l("Sertifikat ini sudah tercatat untuk produsen ini."), field="number")
    certificate = ProducerCertificate(kind=kind, number=number, issued_by=issued_by, valid_until=valid_until)
    producer.certificates.append(certificate)
    db.session.flush()
    return certificate


def products_linking(certificate_id: int) -> list[str]:
    """Names of the products that name this certificate (one statement)."""
    links = [getattr(Product, column) == certificate_id for column in PRODUCT_LINKS.values()]
    return list(db.session.scalars(select(Product.name).where(or_(*links)).order_by(Product.name)))


def remove_producer_certificate(producer: Producer, certificate_id: int) -> None:
    """Delete one of the producer's certificates; refused while a product names it.

    Another producer's certificate is not found. Flushes; the caller commits.
    """
    certificate = db.session.scalar(
        select(ProducerCertificate).where(
            ProducerCertificate.id == certificate_id, ProducerCertificate.producer_id == producer.id
        )
    )
    if certificate is None:
        raise NotFound(_l("Sertifikat tidak ditemukan."))
    if names := products_linking(certificate.id):
        raise DomainError(_l("Sertifikat ini masih dipakai produk: %(names)s. Ganti dulu di halaman produknya.",
                             names=", ".join(names[:5])), field="number")
    db.session.delete(certificate)
    db.session.flush()


def valid_certificate(certificate_id_column, today: date | None = None) -> ColumnElement[bool]:
    """SQL condition: the certificate the column links is set and valid today (WIB)."""
    today = today or clock.today_wib()
    return exists(
        select(ProducerCertificate.id).where(
            ProducerCertificate.id == certificate_id_column,
            or_(ProducerCertificate.valid_until.is_(None), ProducerCertificate.valid_until >= today),
        )
    )


def certificates_of(producer_id: int) -> list[ProducerCertificate]:
    """A producer's certificates by kind and number (one statement), for the product forms."""
    return list(db.session.scalars(
        select(ProducerCertificate).where(ProducerCertificate.producer_id == producer_id)
        .order_by(ProducerCertificate.kind, ProducerCertificate.number, ProducerCertificate.id)
    ))


def check_links(producer_id: int, links: dict[str, int | None]) -> dict[str, ProducerCertificate | None]:
    """The certificates a product names, by kind; each must be the producer's own and of that kind."""
    wanted = {kind: certificate_id for kind, certificate_id in links.items() if certificate_id}
    found = {cert.id: cert for cert in db.session.scalars(
        select(ProducerCertificate).where(ProducerCertificate.id.in_(set(wanted.values()))))} if wanted else {}
    result: dict[str, ProducerCertificate | None] = {kind: None for kind in links}
    for kind, certificate_id in wanted.items():
        certificate = found.get(certificate_id)
        if certificate is None or certificate.producer_id != producer_id or certificate.kind != kind:
            raise DomainError(_l("Pilih sertifikat dari daftar sertifikat produsen ini."), field=PRODUCT_LINKS[kind])
        result[kind] = certificate
    return result


def intake_refusal(product: Product, today: date | None = None) -> str | None:
    """Why new units of this food product may not be received, or None: its P-IRT or BPOM has lapsed."""
    if not product.is_food:
        return None
    today = today or clock.today_wib()
    for certificate in (product.pirt_certificate, product.bpom_certificate):
        if certificate is not None and not certificate.is_valid_on(today):
            return str(_l("%(kind)s %(number)s untuk %(product)s sudah tidak berlaku sejak %(date)s; "
                          "barang pangan ini tidak bisa diterima sampai izinnya diperpanjang.",
                          kind="P-IRT" if certificate.kind == CertificateKind.PIRT else "BPOM",
                          number=certificate.number, product=product.name,
                          date=format_date(certificate.valid_until, "long")))
    return None


@dataclass(frozen=True)
class CertificateAlert:
    """A certificate that has lapsed or lapses within WARNING_DAYS, with its producer."""

    certificate: ProducerCertificate
    days_left: int  # negative once lapsed

    @property
    def lapsed(self) -> bool:
        return self.days_left < 0


def certificate_alerts(today: date | None = None, *, days: int = WARNING_DAYS, limit: int = 10) -> tuple[list, int]:
    """Certificates of active producers that lapse within `days` or have lapsed, soonest first.

    Returns (the first `limit`, how many there are): two statements.
    """
    today = today or clock.today_wib()
    condition = (ProducerCertificate.valid_until.is_not(None),
                 ProducerCertificate.valid_until <= today + timedelta(days=days),
                 Producer.is_active.is_(True))
    base = select(ProducerCertificate).join(Producer, Producer.id == ProducerCertificate.producer_id).where(*condition)
    total = db.session.scalar(base.with_only_columns(func.count(ProducerCertificate.id))) or 0
    rows = db.session.scalars(
        base.options(contains_eager(ProducerCertificate.producer))
        .order_by(ProducerCertificate.valid_until, ProducerCertificate.id).limit(limit)
    )
    return [CertificateAlert(cert, (cert.valid_until - today).days) for cert in rows], total
