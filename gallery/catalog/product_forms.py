"""Back-office forms of products: the product with its variant rows, photos, CSV files, proposal decisions.

Shape and parsing only; gallery.catalog.products decides. Numbers are typed as staff write them
("85.000", "12,5 %") and parsed here with a message in the user's language.
"""
from __future__ import annotations

import re

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from gallery.catalog.forms import PercentField
from gallery.catalog.models import CertificateKind, Product, ProductStatus
from gallery.catalog.photos import Upload
from gallery.catalog.products import ProductInput
from gallery.catalog.variants import VariantInput, variant_input
from gallery.templating import localized

BLANK_ROWS = 2
_WHOLE = re.compile(r"^\d{1,3}(?:[.\s]\d{3})+$|^\d{1,10}$")


def parse_whole(text: str | None) -> int | None:
    """A whole number as Indonesians type it ("85000", "85.000", "Rp 85.000"); None when empty.

    Raises ValueError with a message fit to show for anything else.
    """
    compact = re.sub(r"^\s*(Rp\.?)?\s*", "", text or "", flags=re.IGNORECASE).strip()
    if not compact:
        return None
    if not _WHOLE.fullmatch(compact):
        raise ValueError(str(_l("Tulis bilangan bulat tanpa koma, misalnya 85000 atau 85.000.")))
    return int(re.sub(r"[.\s]", "", compact))


class WholeNumberField(StringField):
    """A whole number typed as text; `data` is an int, or None when empty."""

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist) -> None:
        if valuelist:  # a field not posted keeps its default
            self.data = parse_whole(valuelist[0])  # a ValueError becomes the field's error


def max_length(length: int) -> Length:
    """A length check with the shop's message."""
    return Length(max=length, message=_l("Paling banyak %(max)d karakter."))


class VariantRowForm(Form):
    """One variant row of the product form; a new row left empty is ignored."""

    id = HiddenField()
    label = StringField(_l("Label"), validators=[Optional(), max_length(60)],
                        render_kw={"placeholder": _l("mis. 250 g, M, merah")})
    sku = StringField(_l("SKU"), validators=[Optional(), max_length(40)], render_kw={"autocapitalize": "characters"})
    price = WholeNumberField(_l("Harga (Rp)"), render_kw={"inputmode": "numeric"})
    weight_grams = WholeNumberField(_l("Berat (g)"), render_kw={"inputmode": "numeric"})
    length_cm = WholeNumberField(_l("Panjang (cm)"), default=10, render_kw={"inputmode": "numeric"})
    width_cm = WholeNumberField(_l("Lebar (cm)"), default=10, render_kw={"inputmode": "numeric"})
    height_cm = WholeNumberField(_l("Tinggi (cm)"), default=5, render_kw={"inputmode": "numeric"})
    net_content = StringField(_l("Isi bersih"), validators=[Optional(), max_length(40)])
    commission = PercentField(_l("Komisi khusus (%)"), render_kw={"inputmode": "decimal"})
    is_active = BooleanField(_l("Aktif"), default=True)

    @property
    def variant_id(self) -> int | None:
        text = (self.id.data or "").strip()
        return int(text) if text.isdigit() and len(text) < 10 else None

    def is_blank(self) -> bool:
        return self.variant_id is None and not (self.label.data or "").strip() and self.price.data is None \
            and self.weight_grams.data is None

    def to_input(self) -> VariantInput:
        def number(field):
            """An empty size takes the field's default; an empty price or weight is refused by the service."""
            return field.data if field.data is not None else (field.default or 0)

        return VariantInput(
            id=self.variant_id, label=self.label.data or "", sku=self.sku.data or "", price=number(self.price),
            weight_grams=number(self.weight_grams), length_cm=number(self.length_cm),
            width_cm=number(self.width_cm), height_cm=number(self.height_cm), net_content=self.net_content.data,
            commission_bp=self.commission.data, is_active=bool(self.is_active.data),
        )

    def field_for(self, service_field: str | None):
        name = {"commission_bp": "commission"}.get(service_field or "", service_field)
        return self[name] if name in self._fields else self.label


STATUS_CHOICES = [
    SelectChoice(ProductStatus.DRAFT, _l("Draf (belum tayang)")),
    SelectChoice(ProductStatus.PUBLISHED, _l("Tayang di toko")),
    SelectChoice(ProductStatus.ARCHIVED, _l("Diarsipkan")),
]


def optional_id(value):
    """A select's id as an int, or None when empty or not a number."""
    text = "" if value is None else str(value).strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def certificate_choices(certificates, kind: str, none_label) -> list[SelectChoice]:
    """The producer's certificates of one kind as select options, with their validity."""
    choices = [SelectChoice("", none_label)]
    for cert in certificates:
        if cert.kind != kind:
            continue
        label = cert.number
        if cert.valid_until is not None:
            label += " · " + str(_l("kedaluwarsa") if cert.is_expired else _l("s.d. %(date)s",
                                                                              date=format_date(cert.valid_until)))
        choices.append(SelectChoice(cert.id, label))
    return choices


def set_product_choices(form, sectors, certificates) -> None:
    """Fill a product form's selects: sub-categories as "Sector › Sub", the producer's certificates by kind."""
    form.category_id.choices = [SelectChoice("", _l("— pilih sub-kategori —"))] + [
        SelectChoice(child.id, f"{localized(sector)} › {localized(child)}")
        for sector in sectors for child in sector.children
    ]
    none = _l("— tidak ada —")
    form.pirt_certificate_id.choices = certificate_choices(certificates, CertificateKind.PIRT, none)
    form.bpom_certificate_id.choices = certificate_choices(certificates, CertificateKind.BPOM, none)
    form.halal_certificate_id.choices = certificate_choices(certificates, CertificateKind.HALAL, none)


class ProductForm(FlaskForm):
    """A product: its texts, sub-category, food facts, status, and its variants on the same screen."""

    name = StringField(_l("Nama produk"), validators=[DataRequired(_l("Nama produk wajib diisi.")), max_length(160)])
    category_id = SelectField(_l("Sub-kategori"), coerce=optional_id, validate_choice=False)
    description = TextAreaField(_l("Deskripsi"), validators=[Optional(), max_length(10_000)], render_kw={"rows": 5})
    story = TextAreaField(_l("Cerita produk"), validators=[Optional(), max_length(10_000)], render_kw={"rows": 4})
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, default=ProductStatus.DRAFT, validate_choice=False)
    is_featured = BooleanField(_l("Tampilkan di beranda (unggulan)"))
    pirt_certificate_id = SelectField(_l("Sertifikat P-IRT"), coerce=optional_id, validate_choice=False)
    bpom_certificate_id = SelectField(_l("Izin edar BPOM (MD/ML)"), coerce=optional_id, validate_choice=False)
    halal_certificate_id = SelectField(_l("Sertifikat halal"), coerce=optional_id, validate_choice=False)
    storage_note = StringField(_l("Cara penyimpanan"), validators=[Optional(), max_length(255)])
    min_shelf_life_days = WholeNumberField(_l("Umur simpan minimum saat diterima pembeli (hari)"),
                                           render_kw={"inputmode": "numeric"})
    variants = FieldList(FormField(VariantRowForm), min_entries=BLANK_ROWS + 1, max_entries=60)
    price_reason = StringField(_l("Alasan perubahan harga"), validators=[Optional(), max_length(500)])
    photos = MultipleFileField(_l("Foto (boleh beberapa sekaligus)"),
                               render_kw={"accept": "image/jpeg,image/png,image/webp"})

    def set_choices(self, sectors, certificates) -> None:
        set_product_choices(self, sectors, certificates)

    def fill_from(self, product: Product) -> None:
        """Show a product's values with a row per variant and blank rows to add more."""
        for name in ("name", "category_id", "description", "story", "is_featured", "pirt_certificate_id",
                     "bpom_certificate_id", "halal_certificate_id", "storage_note", "min_shelf_life_days"):
            self[name].data = getattr(product, name)
        self.status.data = product.status
        while len(self.variants.entries):
            self.variants.pop_entry()
        for variant in product.variants:
            row = self.variants.append_entry().form
            data = variant_input(variant)
            for name in ("label", "sku", "price", "weight_grams", "length_cm", "width_cm", "height_cm",
                         "net_content", "is_active"):
                row[name].data = getattr(data, name)
            row.id.data = str(variant.id)
            row.commission.data = variant.commission_bp
        for _ in range(BLANK_ROWS):
            self.variants.append_entry()

    def used_rows(self) -> list[VariantRowForm]:
        """The rows that say something (existing variants and filled new rows), in order."""
        return [entry.form for entry in self.variants.entries if not entry.form.is_blank()]

    def to_input(self) -> ProductInput:
        return ProductInput(
            name=self.name.data or "", category_id=self.category_id.data or 0,
            description=self.description.data or "", story=self.story.data or "",
            status=self.status.data or ProductStatus.DRAFT, is_featured=bool(self.is_featured.data),
            pirt_certificate_id=self.pirt_certificate_id.data, bpom_certificate_id=self.bpom_certificate_id.data,
            halal_certificate_id=self.halal_certificate_id.data, storage_note=self.storage_note.data,
            min_shelf_life_days=self.min_shelf_life_days.data,
            variants=[row.to_input() for row in self.used_rows()],
        )

    def uploads(self) -> list[Upload]:
        return read_uploads(self.photos)

    def field_for(self, service_field: str | None):
        """The form field that shows a service's error about `service_field`."""
        name = service_field or "name"
        return self[name] if name in self._fields and name != "variants" else self.name


def read_uploads(field) -> list[Upload]:
    """The files of a multiple-file field as uploads (empty inputs dropped)."""
    return [Upload(storage.filename or "", storage.read()) for storage in (field.data or [])
            if getattr(storage, "filename", None)]


class PhotoUploadForm(FlaskForm):
    """More photos for a product, with one alt text for the batch."""

    photos = MultipleFileField(_l("Foto"), validators=[FileRequired(_l("Pilih minimal satu foto."))],
                               render_kw={"accept": "image/jpeg,image/png,image/webp"})
    alt = StringField(_l("Teks alternatif (untuk pembaca layar)"), validators=[Optional(), max_length(200)])


class ImportUploadForm(FlaskForm):
    """The products CSV to preview."""

    file = FileField(_l("File produk (CSV)"), validators=[FileRequired(_l("Pilih file CSV produk."))],
                     render_kw={"accept": ".csv,text/csv"})


class ImportConfirmForm(FlaskForm):
    """The previewed file sent back (compressed) to be checked again and saved."""

    payload = HiddenField(validators=[DataRequired()])
    filename = HiddenField(validators=[Optional(), Length(max=200)])


class DecisionForm(FlaskForm):
    """Staff's comment when asking for changes to a proposal or rejecting it."""

    comment = TextAreaField(_l("Komentar untuk produsen"), validators=[Optional(), max_length(2000)],
                            render_kw={"rows": 3})
