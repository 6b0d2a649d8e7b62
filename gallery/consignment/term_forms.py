"""Back-office forms for consignment terms, the expiring list's bulk actions, portal visibility and markdowns
(shape and parsing only; gallery.consignment.terms, .markdowns and gallery.portal.visibility decide)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from gallery.catalog.forms import PercentField
from gallery.consignment.markdown_models import MarkdownBearer
from gallery.consignment.markdowns import BEARER_LABELS, MAX_NAME
from gallery.consignment.term_models import EndAction
from gallery.consignment.terms import END_ACTION_LABELS, MAX_GRACE_DAYS, MAX_TERM_DAYS, TermsInput

FOLLOW = ""  # a select's "as the gallery's setting"


class TermsForm(FlaskForm):
    """A producer's own consignment terms; empty follows the gallery's settings."""

    term_days = IntegerField(_l("Masa titip (hari)"), validators=[Optional(), NumberRange(1, MAX_TERM_DAYS)])
    grace_days = IntegerField(_l("Masa tenggang (hari)"), validators=[Optional(), NumberRange(0, MAX_GRACE_DAYS)])
    end_action = SelectField(_l("Setelah masa tenggang"), choices=[
        SelectChoice(FOLLOW, _l("ikuti pengaturan galeri (dikembalikan)")),
        *[SelectChoice(action, END_ACTION_LABELS[action]) for action in EndAction.ALL]])
    donation_consent_on = DateField(_l("Persetujuan tertulis untuk disumbangkan/dihapus, tanggal"),
                                    validators=[Optional()])
    markdown_consent_on = DateField(_l("Persetujuan ikut menanggung potongan harga, tanggal"), validators=[Optional()])

    def values(self) -> TermsInput:
        return TermsInput(self.term_days.data, self.grace_days.data, self.end_action.data or None,
                          self.donation_consent_on.data, self.markdown_consent_on.data)


class VisibilityForm(FlaskForm):
    """What the producer sees in its portal."""

    detail = SelectField(_l("Rincian di portal"), choices=[
        SelectChoice(FOLLOW, _l("ikuti pengaturan galeri")),
        SelectChoice("detailed", _l("rinci: setiap penjualan, stok, lot, dokumen")),
        SelectChoice("summary", _l("ringkas: saldo dan laporan setoran saja"))])
    shows_commission = SelectField(_l("Komisi dan harga jual"), choices=[
        SelectChoice(FOLLOW, _l("ikuti pengaturan galeri")), SelectChoice("1", _l("ditampilkan")),
        SelectChoice("0", _l("disembunyikan: hanya harga titip"))])

    def values(self) -> tuple[str | None, bool | None]:
        shows = {"1": True, "0": False}.get(self.shows_commission.data)
        return self.detail.data or None, shows


class ExpiringActionForm(FlaskForm):
    """A bulk action on the lots ticked in the expiring list."""

    action = SelectField(_l("Tindakan"), choices=[
        SelectChoice("notify", _l("Kirim pemberitahuan ke produsen")),
        SelectChoice("return", _l("Buat nota retur untuk diambil")), SelectChoice("extend", _l("Perpanjang masa titip"))])
    days = IntegerField(_l("Perpanjang (hari)"), validators=[Optional(), NumberRange(1, MAX_TERM_DAYS)])
    reason = StringField(_l("Alasan perpanjangan"), validators=[Optional(), Length(max=500)])


def _bearer_field():
    return RadioField(_l("Ditanggung oleh"), choices=[SelectChoice(b, BEARER_LABELS[b]) for b in MarkdownBearer.ALL],
                      default=MarkdownBearer.GALLERY, validators=[InputRequired()])


class MarkdownBaseForm(FlaskForm):
    name = StringField(_l("Nama"), validators=[InputRequired(), Length(max=MAX_NAME)])
    bearer = _bearer_field()
    producer_share = PercentField(_l("Bagian produsen bila ditanggung bersama (%)"), default=5000)
    starts_on = DateField(_l("Mulai"), validators=[Optional()])
    ends_on = DateField(_l("Berakhir (termasuk hari itu)"), validators=[Optional()])
    notes = TextAreaField(_l("Catatan"), validators=[Optional(), Length(max=1000)])


class SaleForm(MarkdownBaseForm):
    """A variant on sale for a period."""

    discount = PercentField(_l("Potongan (%)"), validators=[InputRequired()])


STEP_ROWS = 3


class AgeingRuleForm(MarkdownBaseForm):
    """Steps by days on the shelf, for a producer or a sub-category."""

    # A typed business name: a select of every producer in the registry (thousands) is no use on a phone.
    producer_name = StringField(_l("Produsen (nama usaha)"), validators=[Optional(), Length(max=100)])
    category_id = SelectField(_l("atau subkategori"), choices=[], validate_choice=False)
    step1_days = IntegerField(_l("Tahap 1: setelah (hari di rak)"), validators=[InputRequired(), NumberRange(0, 3650)])
    step1_discount = PercentField(_l("potongan (%)"), validators=[InputRequired()])
    step2_days = IntegerField(_l("Tahap 2: setelah (hari di rak)"), validators=[Optional(), NumberRange(0, 3650)])
    step2_discount = PercentField(_l("potongan (%)"))
    step3_days = IntegerField(_l("Tahap 3: setelah (hari di rak)"), validators=[Optional(), NumberRange(0, 3650)])
    step3_discount = PercentField(_l("potongan (%)"))

    def steps(self) -> list[tuple[int, int]]:
        pairs = [(getattr(self, f"step{i}_days").data, getattr(self, f"step{i}_discount").data)
                 for i in range(1, STEP_ROWS + 1)]
        return [(days, discount) for days, discount in pairs if days is not None and discount is not None]


class StopMarkdownForm(FlaskForm):
    """Stopping a markdown: only the CSRF token."""
