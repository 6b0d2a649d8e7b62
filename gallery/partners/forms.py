"""Forms of the partner pages, the staff inbox and events, and the portal."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp, ValidationError

from gallery.partners.models import InquiryKind, InquiryStatus

WHATSAPP = re.compile(r"^\+?[0-9][0-9 \-]{7,18}$")


class WholeNumberField(IntegerField):
    """A whole number; dots and spaces as thousands separators are allowed (1.500.000)."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = re.sub(r"[.\s]", "", valuelist[0] or "")
        if not text:
            self.data = None
            return
        if not text.isdigit() or len(text) > 13:
            self.data = None
            raise ValueError(_l("Tulis bilangan bulat tanpa koma, misalnya 1500000."))
        self.data = int(text)


class InquiryForm(FlaskForm):
    kind = SelectField(_l("Jenis kerja sama"), choices=[], validate_choice=False, validators=[DataRequired(_l("Pilih jenis kerja sama."))])
    name = StringField(_l("Nama"), validators=[DataRequired(_l("Nama wajib diisi.")), Length(max=120)])
    organisation = StringField(_l("Usaha / lembaga (opsional)"), validators=[Optional(), Length(max=160)])
    email = StringField(_l("Email"), validators=[DataRequired(_l("Email wajib diisi.")),
                                                  Email(_l("Alamat email tidak valid.")), Length(max=254)])
    whatsapp = StringField(_l("Nomor WhatsApp"), validators=[
        DataRequired(_l("Nomor WhatsApp wajib diisi.")),
        Regexp(WHATSAPP, message=_l("Nomor WhatsApp tidak valid; tulis seperti 0812 3456 7890.")),
    ])
    city = StringField(_l("Kota"), validators=[DataRequired(_l("Kota wajib diisi.")), Length(max=80)])
    message = TextAreaField(_l("Pesan"), validators=[
        DataRequired(_l("Tulis pesan Anda.")),
        Length(min=10, max=4000, message=_l("Pesan antara 10 dan 4000 karakter.")),
    ])
    quantity = WholeNumberField(_l("Jumlah (opsional)"), validators=[
        Optional(), NumberRange(min=1, max=10_000_000, message=_l("Jumlah harus bilangan bulat positif."))])
    budget = WholeNumberField(_l("Anggaran dalam Rupiah (opsional)"), validators=[
        Optional(), NumberRange(min=1, max=1_000_000_000_000, message=_l("Anggaran harus bilangan bulat Rupiah."))])
    # Honeypot: hidden by CSS; people leave it empty, bots fill it in.
    website = StringField(_l("Situs web"))
    producer = HiddenField()
    product = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [("", _l("— pilih —"))] + [(k, InquiryKind.LABELS[k]) for k in InquiryKind.ALL]

    def validate_kind(self, field):
        if field.data not in InquiryKind.ALL:
            raise ValidationError(_l("Pilih jenis kerja sama."))


def inquiry_form_for(producer, product=None) -> InquiryForm:
    """A blank inquiry form about this producer (and product), folded into its public pages."""
    form = InquiryForm(formdata=None)
    form.producer.data = producer.slug
    form.product.data = product.slug if product else ""
    return form


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Catatan"), validators=[DataRequired(_l("Tulis catatannya.")), Length(max=2000)])


class ForwardForm(FlaskForm):
    producer = SelectField(_l("Teruskan ke produsen"), coerce=int, choices=[],
                           validators=[DataRequired(_l("Pilih produsen yang aktif."))])
    note = TextAreaField(_l("Catatan (opsional)"), validators=[Optional(), Length(max=2000)])


class StatusForm(FlaskForm):
    status = SelectField(_l("Status baru"), choices=[])
    note = TextAreaField(_l("Catatan (opsional)"), validators=[Optional(), Length(max=2000)])

    def set_choices(self, statuses):
        self.status.choices = [(s, InquiryStatus.LABELS[s]) for s in statuses]


class EventForm(FlaskForm):
    title = StringField(_l("Nama acara"), validators=[DataRequired(_l("Nama acara wajib diisi.")), Length(max=160)])
    held_on = DateField(_l("Tanggal"), validators=[DataRequired(_l("Tanggal wajib diisi."))])
    place = StringField(_l("Tempat"), validators=[DataRequired(_l("Tempat wajib diisi.")), Length(max=200)])
    speakers = TextAreaField(_l("Pembicara dari dunia usaha"), validators=[Optional(), Length(max=4000)])
    invited_partners = TextAreaField(_l("Mitra yang diundang"), validators=[Optional(), Length(max=4000)])
    description = TextAreaField(_l("Keterangan"), validators=[Optional(), Length(max=4000)])


class ParticipantForm(FlaskForm):
    producer = SelectField(_l("Produsen"), coerce=int, choices=[],
                           validators=[DataRequired(_l("Pilih produsen yang aktif."))])


class PairingForm(FlaskForm):
    producer = SelectField(_l("Produsen"), coerce=int, choices=[],
                           validators=[DataRequired(_l("Pilih produsen yang aktif."))])
    partner_name = StringField(_l("Nama mitra"), validators=[DataRequired(_l("Nama mitra wajib diisi.")),
                                                              Length(max=120)])
    partner_organisation = StringField(_l("Usaha / lembaga mitra"), validators=[Optional(), Length(max=160)])
    note = TextAreaField(_l("Catatan (opsional)"), validators=[Optional(), Length(max=2000)])


class PartnershipForm(FlaskForm):
    partnership_on = DateField(_l("Jadi kemitraan sejak"), validators=[DataRequired(_l("Tanggal wajib diisi."))])


class OutcomeForm(FlaskForm):
    status = SelectField(_l("Hasil"), choices=[])
    note = TextAreaField(_l("Catatan (opsional)"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [(s, InquiryStatus.LABELS[s]) for s in InquiryStatus.OUTCOMES]


class CsrfOnlyForm(FlaskForm):
    """Only the CSRF token."""
