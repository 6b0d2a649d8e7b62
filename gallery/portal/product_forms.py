"""The producer's proposal form: a new product or a change to one of its own (shape only; the catalog decides)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import FieldList, Form, FormField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from gallery.catalog.models import Product
from gallery.catalog.product_forms import (
    WholeNumberField,
    max_length,
    optional_id,
    read_uploads,
    set_product_choices,
)
from gallery.catalog.proposals import ProposalInput, ProposedVariant


class NewVariantRow(Form):
    """A variant the producer asks to add; a row left empty is ignored."""

    label = StringField(_l("Label"), validators=[Optional(), max_length(60)],
                        render_kw={"placeholder": _l("mis. 250 g, M, merah")})
    price = WholeNumberField(_l("Harga jual yang diusulkan (Rp)"), render_kw={"inputmode": "numeric"})
    weight_grams = WholeNumberField(_l("Berat dengan kemasan (g)"), render_kw={"inputmode": "numeric"})
    net_content = StringField(_l("Isi bersih"), validators=[Optional(), max_length(40)])

    def is_blank(self) -> bool:
        return not (self.label.data or "").strip() and self.price.data is None and self.weight_grams.data is None


class PriceAskRow(Form):
    """The price the producer asks for one of its existing variants."""

    variant_id = HiddenField()
    price = WholeNumberField(_l("Harga"), render_kw={"inputmode": "numeric"})


class ProposalForm(FlaskForm):
    """What a producer proposes; staff check it again and decide."""

    name = StringField(_l("Nama produk"), validators=[DataRequired(_l("Nama produk wajib diisi.")), max_length(160)])
    category_id = SelectField(_l("Sub-kategori"), coerce=optional_id, validate_choice=False)
    description = TextAreaField(_l("Deskripsi"), validators=[Optional(), max_length(10_000)], render_kw={"rows": 5})
    story = TextAreaField(_l("Cerita produk"), validators=[Optional(), max_length(10_000)], render_kw={"rows": 4})
    storage_note = StringField(_l("Cara penyimpanan"), validators=[Optional(), max_length(255)])
    pirt_certificate_id = SelectField(_l("Sertifikat P-IRT"), coerce=optional_id, validate_choice=False)
    bpom_certificate_id = SelectField(_l("Izin edar BPOM (MD/ML)"), coerce=optional_id, validate_choice=False)
    halal_certificate_id = SelectField(_l("Sertifikat halal"), coerce=optional_id, validate_choice=False)
    prices = FieldList(FormField(PriceAskRow), max_entries=60)
    new_variants = FieldList(FormField(NewVariantRow), min_entries=2, max_entries=10)
    photos = MultipleFileField(_l("Foto (boleh beberapa sekaligus)"),
                               render_kw={"accept": "image/jpeg,image/png,image/webp"})
    note = TextAreaField(_l("Catatan untuk staf (opsional)"), validators=[Optional(), max_length(2000)],
                         render_kw={"rows": 3})

    def set_choices(self, sectors, certificates) -> None:
        set_product_choices(self, sectors, certificates)

    def fill(self, data: ProposalInput, product: Product | None) -> None:
        """Show a product's current values (or an open proposal's), with a price row per variant."""
        for name in ("name", "category_id", "description", "story", "storage_note", "pirt_certificate_id",
                     "bpom_certificate_id", "halal_certificate_id", "note"):
            self[name].data = getattr(data, name)
        while self.new_variants.entries:
            self.new_variants.pop_entry()
        for variant in data.new_variants:
            row = self.new_variants.append_entry().form
            row.label.data, row.price.data = variant.label, variant.price
            row.weight_grams.data, row.net_content.data = variant.weight_grams, variant.net_content
        for _ in range(2):
            self.new_variants.append_entry()
        self.fill_prices(product, data.prices)

    def fill_prices(self, product: Product | None, asked: dict[int, int]) -> None:
        while self.prices.entries:
            self.prices.pop_entry()
        for variant in (product.active_variants if product else []):
            row = self.prices.append_entry().form
            row.variant_id.data = str(variant.id)
            row.price.data = asked.get(variant.id, variant.price)

    def to_input(self) -> ProposalInput:
        prices = {}
        for entry in self.prices.entries:
            text = (entry.form.variant_id.data or "").strip()
            if text.isdigit() and len(text) < 10 and entry.form.price.data is not None:
                prices[int(text)] = entry.form.price.data
        return ProposalInput(
            name=self.name.data or "", category_id=self.category_id.data or 0,
            description=self.description.data or "", story=self.story.data or "",
            storage_note=self.storage_note.data, pirt_certificate_id=self.pirt_certificate_id.data,
            bpom_certificate_id=self.bpom_certificate_id.data, halal_certificate_id=self.halal_certificate_id.data,
            new_variants=[ProposedVariant(row.form.label.data or "", row.form.price.data or 0,
                                          row.form.weight_grams.data or 0, row.form.net_content.data)
                          for row in self.new_variants.entries if not row.form.is_blank()],
            prices=prices, note=self.note.data or "",
        )

    def uploads(self):
        return read_uploads(self.photos)

    def field_for(self, service_field: str | None):
        name = {"variants": "name", "price": "name"}.get(service_field or "", service_field or "name")
        return self[name] if name in self._fields and name not in ("prices", "new_variants") else self.name
