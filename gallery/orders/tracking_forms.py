"""Forms for finding an order again, reporting a problem with a parcel, and staff's parcel events."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from gallery.orders.models import ParcelStatus


class TrackOrderForm(FlaskForm):
    """An order number and the e-mail or WhatsApp number it was placed with."""

    number = StringField(_l("Nomor pesanan"), validators=[DataRequired(_l("Nomor pesanan wajib diisi.")),
                                                          Length(max=30)])
    contact = StringField(_l("Email atau nomor WhatsApp saat memesan"),
                          validators=[DataRequired(_l("Email atau nomor WhatsApp wajib diisi.")), Length(max=254)])


class ProblemForm(FlaskForm):
    problem = TextAreaField(_l("Apa masalahnya?"), validators=[DataRequired(_l("Ceritakan masalahnya.")),
                                                               Length(max=1000)])


class ParcelEventForm(FlaskForm):
    """One event of a parcel, typed by staff (time in WIB)."""

    occurred_at = StringField(_l("Waktu (WIB)"), validators=[DataRequired(_l("Waktu wajib diisi.")), Length(max=20)])
    status = SelectField(_l("Status paket"), choices=[SelectChoice(status) for status in ParcelStatus.ALL],
                         validators=[DataRequired()])
    location = StringField(_l("Lokasi"), validators=[Optional(), Length(max=120)])
    description = StringField(_l("Keterangan"), validators=[Optional(), Length(max=300)])


class TrackingImportForm(FlaskForm):
    file = FileField(_l("Berkas CSV"), validators=[FileRequired(_l("Pilih berkas CSV."))])
