"""Back-office forms of shipping: tariff upload and confirmation, service terms (shape and parsing only)."""
from __future__ import annotations

import base64
import binascii
import re
import zlib

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, HiddenField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from gallery.money import BASIS_POINTS
from gallery.shipping.services import ServiceInput
from gallery.shipping.tariff_csv import MAX_FILE_BYTES
from gallery.shipping.tariffs import MAX_NOTE

_PERCENT = re.compile(r"^(\d{1,3})(?:[.,](\d{1,2}))?$", re.ASCII)
_WHOLE = re.compile(r"^\d{1,9}$", re.ASCII)


def _max(length: int) -> Length:
    return Length(max=length, message=_l("Paling banyak %(max)d karakter."))


class TariffUploadForm(FlaskForm):
    """Step 1: a CSV file and the date it takes effect."""

    file = FileField(_l("File tarif (CSV)"), validators=[FileRequired(_l("Pilih file CSV tarif."))],
                     render_kw={"accept": ".csv,text/csv"})
    effective_on = DateField(
        _l("Mulai berlaku"),
        validators=[InputRequired(_l("Isi tanggal mulai berlaku."))],
        format="%Y-%m-%d",
        invalid_value_message=_l("Tanggal tidak valid (contoh: 2026-12-01)."),
    )
    note = StringField(_l("Catatan"), validators=[Optional(), _max(MAX_NOTE)])

    def read_file(self) -> tuple[bytes, str]:
        """The upload's bytes (at most one byte over the limit, so the service can refuse it) and name."""
        storage = self.file.data
        return storage.read(MAX_FILE_BYTES + 1), (storage.filename or "tarif.csv")


class TariffConfirmForm(FlaskForm):
    """Step 2: the previewed file sent back (compressed) with its date, to be checked again and saved.

    The file travels in the form rather than in a server-side temporary file, so any app host can
    take the confirmation and nothing is left behind when staff walk away from the preview.
    """

    payload = HiddenField(validators=[DataRequired()])
    filename = HiddenField(validators=[Optional(), _max(200)])
    effective_on = HiddenField(validators=[DataRequired()])
    note = HiddenField(validators=[Optional(), _max(MAX_NOTE)])
    replace_all = BooleanField(_l("Ganti seluruh tabel: layanan dan kabupaten/kota yang tidak ada di file ini "
                                  "tidak bisa dipilih lagi"))


def pack_file(content: bytes) -> str:
    """A file as a form value: zlib-compressed, base64 (URL-safe)."""
    return base64.urlsafe_b64encode(zlib.compress(content, 9)).decode("ascii")


def unpack_file(payload: str) -> bytes | None:
    """The file back from pack_file(), or None when the value is damaged or inflates past the size limit."""
    try:
        compressed = base64.urlsafe_b64decode(payload.encode("ascii"))
        inflater = zlib.decompressobj()
        content = inflater.decompress(compressed, MAX_FILE_BYTES + 1)
    except (binascii.Error, ValueError, zlib.error, UnicodeEncodeError):
        return None
    if len(content) > MAX_FILE_BYTES or inflater.unconsumed_tail:
        return None
    return content


def percent_to_basis_points(text: str) -> int:
    """"20" → 2000, "0,24" → 24, "12.5 %" → 1250; ValueError for anything else or above 100 %."""
    compact = re.sub(r"\s+", "", text or "").removesuffix("%")
    match = _PERCENT.fullmatch(compact)
    if match is None:
        raise ValueError(compact)
    value = int(match.group(1)) * 100 + int((match.group(2) or "").ljust(2, "0"))
    if value > BASIS_POINTS:
        raise ValueError(compact)
    return value


def basis_points_to_percent(value: int | None) -> str:
    if value is None:
        return ""
    whole, rest = divmod(value, 100)
    return str(whole) if rest == 0 else f"{whole},{rest:02d}".rstrip("0")


class _NumberField(StringField):
    """A whole number (or a percentage, `percent=True`) typed as text; `data` is an int or None."""

    def __init__(self, label=None, validators=None, *, message, percent: bool = False, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal" if percent else "numeric", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)
        self.message = message
        self.percent = percent

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return basis_points_to_percent(self.data) if self.percent else str(self.data)

    def process_formdata(self, valuelist) -> None:
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        text = valuelist[0].strip()
        if self.percent:
            try:
                self.data = percent_to_basis_points(text)
            except ValueError:
                raise ValueError(str(self.message)) from None
        else:
            compact = re.sub(r"[\s.]", "", text)
            if not _WHOLE.fullmatch(compact):
                raise ValueError(str(self.message))
            self.data = int(compact)


def _required(message) -> InputRequired:
    return InputRequired(message)


class ServiceForm(FlaskForm):
    """A Pos service and its terms."""

    code = StringField(_l("Kode layanan"), validators=[DataRequired(_l("Kode layanan wajib diisi.")), _max(20)],
                       render_kw={"autocapitalize": "characters"})
    name = StringField(_l("Nama layanan"), validators=[DataRequired(_l("Nama layanan wajib diisi.")), _max(60)])
    volumetric_divisor = _NumberField(_l("Pembagi volume (cm³ per kg)"), message=_l("Tulis bilangan bulat."),
                                      validators=[_required(_l("Wajib diisi."))], default=6000)
    rounding_tolerance_grams = _NumberField(_l("Toleransi pembulatan (gram)"), message=_l("Tulis bilangan bulat."),
                                            validators=[_required(_l("Wajib diisi."))], default=0)
    min_kg = _NumberField(_l("Berat minimum (kg)"), message=_l("Tulis bilangan bulat."),
                          validators=[_required(_l("Wajib diisi."))], default=1)
    max_kg = _NumberField(_l("Berat maksimum per paket (kg)"), message=_l("Tulis bilangan bulat."),
                          validators=[_required(_l("Wajib diisi."))], default=50)
    max_length_cm = _NumberField(_l("Sisi terpanjang per paket (cm)"), message=_l("Tulis bilangan bulat."),
                                 validators=[_required(_l("Wajib diisi."))], default=150)
    discount_bp = _NumberField(_l("Diskon agen (%)"), percent=True,
                               message=_l("Tulis persen, misalnya 20 atau 12,5."),
                               validators=[_required(_l("Wajib diisi."))], default=0)
    insurance_rate_bp = _NumberField(_l("Tarif asuransi (% dari nilai barang)"), percent=True,
                                     message=_l("Tulis persen, misalnya 0,24."),
                                     validators=[_required(_l("Wajib diisi."))], default=0)
    insurance_fee = _NumberField(_l("Biaya tetap asuransi (Rp)"), message=_l("Tulis bilangan bulat Rupiah."),
                                 validators=[_required(_l("Wajib diisi."))], default=0)
    cod_enabled = BooleanField(_l("Bisa bayar di tempat (COD)"), default=False)
    cod_fee_bp = _NumberField(_l("Biaya COD (% dari nilai tagihan)"), percent=True,
                              message=_l("Tulis persen, misalnya 3 atau 2,5."), validators=[Optional()], default=0)
    cod_min_fee = _NumberField(_l("Biaya COD minimum (Rp)"), message=_l("Tulis bilangan bulat Rupiah."),
                               validators=[Optional()], default=0)
    position = _NumberField(_l("Urutan tampil"), message=_l("Tulis bilangan bulat."),
                            validators=[_required(_l("Wajib diisi."))], default=0)
    active = BooleanField(_l("Aktif (ditawarkan saat checkout)"), default=True)

    NUMBER_FIELDS = ("volumetric_divisor", "rounding_tolerance_grams", "min_kg", "max_kg", "max_length_cm",
                     "discount_bp", "insurance_rate_bp", "insurance_fee", "cod_fee_bp", "cod_min_fee", "position")

    def fill_from(self, service) -> None:
        for name in ("code", "name", *self.NUMBER_FIELDS, "active", "cod_enabled"):
            getattr(self, name).data = getattr(service, name)

    def to_input(self) -> ServiceInput:
        return ServiceInput(
            code=self.code.data or "", name=self.name.data or "", active=bool(self.active.data),
            cod_enabled=bool(self.cod_enabled.data),
            # Only the COD fields may be left empty (no COD fee): they count as 0.
            **{name: 0 if getattr(self, name).data is None else getattr(self, name).data for name in self.NUMBER_FIELDS},
        )

    def field_for(self, service_field: str | None):
        return getattr(self, service_field or "code", self.code)
