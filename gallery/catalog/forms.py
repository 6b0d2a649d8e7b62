"""Back-office forms of the catalog (shape and parsing only; the services decide).

Select fields do not check their choices here: the service refuses a kecamatan outside
Pesisir Selatan, an unknown classification or size class with a message of its own.
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectChoice, SelectField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError

from gallery.catalog.models import CertificateKind, Producer, SizeClass
from gallery.catalog.services import ProducerInput, normalise_whatsapp
from gallery.errors import DomainError
from gallery.money import BASIS_POINTS, format_basis_points
from gallery.templating import localized

_PERCENT = re.compile(r"^(\d+)(?:[.,](\d+))?$", re.ASCII)


def percent_to_basis_points(text: str | None) -> int:
    """Turn a percentage as staff type it ("20", "12,5", "12.5 %") into basis points (1250).

    The only place a typed percentage becomes basis points. Raises ValueError with a message
    fit to show when the text is not a number with at most two decimals between 0 and 100.
    """
    compact = re.sub(r"\s+", "", text or "").removesuffix("%")
    negative = compact.startswith("-")
    match = _PERCENT.fullmatch(compact[1:] if negative else compact)
    if match is None:
        raise ValueError(str(_l("Komisi harus berupa angka persen, misalnya 20 atau 12,5.")))
    whole, decimals = match.group(1), match.group(2) or ""
    if len(decimals) > 2:
        raise ValueError(str(_l("Komisi paling banyak dua angka di belakang koma, misalnya 12,25.")))
    basis_points = int(whole) * 100 + int(decimals.ljust(2, "0"))
    if negative or basis_points > BASIS_POINTS:
        raise ValueError(str(_l("Komisi harus antara 0 dan 100 %.")))
    return basis_points


def basis_points_to_percent(basis_points: int | None) -> str:
    """The text a percent field shows for basis points: 2000 → "20", 1250 → "12,5"."""
    if basis_points is None:
        return ""
    return format_basis_points(basis_points).removesuffix(" %")


class PercentField(StringField):
    """A percentage typed as text; `data` is basis points (int), or None when empty or invalid."""

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return basis_points_to_percent(self.data)

    def process_formdata(self, valuelist) -> None:
        self.data = None
        if valuelist and valuelist[0].strip():
            self.data = percent_to_basis_points(valuelist[0])  # a ValueError becomes the field's error


def _blank_to_none(value):
    return None if value in (None, "") else value


def _optional_int(value):
    """Coerce a select's value to int without ever failing: what is not a number becomes -1 (unknown)."""
    value = _blank_to_none(value)
    if value is None or isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if text.isdigit() and len(text) < 10 else -1


def _max(length: int) -> Length:
    return Length(max=length, message=_l("Paling banyak %(max)d karakter."))


class ProducerForm(FlaskForm):
    """A producer (IKM): who they are, where, their consignment terms and where to pay them."""

    business_name = StringField(
        _l("Nama usaha"), validators=[DataRequired(_l("Nama usaha wajib diisi.")), _max(160)]
    )
    owner_name = StringField(
        _l("Nama pemilik"), validators=[DataRequired(_l("Nama pemilik wajib diisi.")), _max(120)]
    )
    kecamatan_code = SelectField(
        _l("Kecamatan"),
        validate_choice=False,
        coerce=lambda value: _blank_to_none(value) or "",
        validators=[DataRequired(_l("Pilih kecamatan."))],
    )
    classification_id = SelectField(
        _l("Klasifikasi IKM"), validate_choice=False, coerce=_optional_int, validators=[Optional()]
    )
    size_class = SelectField(
        _l("Skala usaha"),
        validate_choice=False,
        choices=[
            SelectChoice(SizeClass.MIKRO, _l("Mikro")),
            SelectChoice(SizeClass.KECIL, _l("Kecil")),
            SelectChoice(SizeClass.MENENGAH, _l("Menengah")),
        ],
        default=SizeClass.MIKRO,
    )
    whatsapp = TelField(_l("Nomor WhatsApp"), validators=[Optional(), _max(20)])
    address = StringField(_l("Alamat usaha"), validators=[Optional(), _max(255)])
    story = TextAreaField(_l("Cerita usaha"), validators=[Optional(), _max(4000)], render_kw={"rows": 6})
    bank_name = StringField(_l("Nama bank"), validators=[Optional(), _max(80)])
    bank_account_number = StringField(
        _l("Nomor rekening"),
        validators=[
            Optional(),
            _max(40),
            Regexp(r"^[0-9][0-9 .\-]*$", message=_l("Nomor rekening hanya berisi angka.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    bank_account_holder = StringField(_l("Nama pemilik rekening"), validators=[Optional(), _max(120)])
    commission = PercentField(
        _l("Komisi galeri (%)"),
        validators=[InputRequired(_l("Komisi wajib diisi (0 sampai 100)."))],
        render_kw={"inputmode": "decimal"},
    )
    is_featured = BooleanField(_l("Tampilkan di beranda (unggulan)"))

    def validate_whatsapp(self, field) -> None:
        """Show a bad number together with the other mistakes (the service checks it again)."""
        try:
            normalise_whatsapp(field.data)
        except DomainError as error:
            raise ValidationError(str(error.message)) from None

    def set_choices(self, kecamatan: list, classifications: list) -> None:
        """Fill the selects from the fifteen kecamatan of Pesisir Selatan and the IKM classifications."""
        self.kecamatan_code.choices = [SelectChoice("", _l("— pilih kecamatan —"))] + [
            SelectChoice(district.code, district.name) for district in kecamatan
        ]
        self.classification_id.choices = [SelectChoice("", _l("— tanpa klasifikasi —"))] + [
            SelectChoice(classification.id, localized(classification)) for classification in classifications
        ]

    def fill_from(self, producer: Producer) -> None:
        """Show a producer's current values (for the edit page)."""
        for name in ("business_name", "owner_name", "kecamatan_code", "classification_id", "size_class", "address",
                     "story", "bank_name", "bank_account_number", "bank_account_holder", "is_featured"):
            getattr(self, name).data = getattr(producer, name)
        self.whatsapp.data = f"0{producer.whatsapp[2:]}" if producer.whatsapp else ""
        self.commission.data = producer.commission_bp

    def to_input(self) -> ProducerInput:
        """What the service needs, from a form that passed its own checks."""
        return ProducerInput(
            business_name=self.business_name.data or "",
            owner_name=self.owner_name.data or "",
            kecamatan_code=self.kecamatan_code.data or "",
            size_class=self.size_class.data or "",
            classification_id=self.classification_id.data,
            whatsapp=self.whatsapp.data,
            story=self.story.data or "",
            address=self.address.data,
            bank_name=self.bank_name.data,
            bank_account_number=self.bank_account_number.data,
            bank_account_holder=self.bank_account_holder.data,
            commission_bp=self.commission.data,
            is_featured=bool(self.is_featured.data),
        )

    def field_for(self, service_field: str | None):
        """The form field that shows a service's error about `service_field`."""
        name = {"commission_bp": "commission"}.get(service_field or "", service_field)
        return getattr(self, name, None) if name in self._fields else self.business_name


CERTIFICATE_KINDS = [
    SelectChoice(CertificateKind.HALAL, _l("Halal (BPJPH)")),
    SelectChoice(CertificateKind.PIRT, "P-IRT"),
    SelectChoice(CertificateKind.BPOM, "BPOM"),
    SelectChoice(CertificateKind.SNI, "SNI"),
    SelectChoice(CertificateKind.HAKI, _l("Merek terdaftar (HAKI)")),
    SelectChoice(CertificateKind.OTHER, _l("Lainnya")),
]


class CertificateForm(FlaskForm):
    """A certificate the producer holds."""

    kind = SelectField(_l("Jenis sertifikat"), choices=CERTIFICATE_KINDS, validate_choice=False)
    number = StringField(_l("Nomor"), validators=[DataRequired(_l("Nomor sertifikat wajib diisi.")), _max(60)])
    issued_by = StringField(_l("Diterbitkan oleh"), validators=[Optional(), _max(120)])
    valid_until = DateField(
        _l("Berlaku sampai"),
        validators=[Optional()],
        invalid_value_message=_l("Tanggal tidak valid (contoh: 2027-12-31)."),
    )
