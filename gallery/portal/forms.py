"""Forms of the portal and of the staff screen that decides profile requests."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Length, Optional


class ProfileRequestForm(FlaskForm):
    """What a producer may ask to change; staff check and apply it."""

    story = TextAreaField(_l("Cerita usaha"), validators=[Optional(), Length(max=5000)])
    whatsapp = StringField(_l("Nomor WhatsApp"), validators=[Optional(), Length(max=20)])
    bank_name = StringField(_l("Nama bank"), validators=[Optional(), Length(max=80)])
    bank_account_number = StringField(_l("Nomor rekening"), validators=[Optional(), Length(max=40)])
    bank_account_holder = StringField(_l("Nama pemilik rekening"), validators=[Optional(), Length(max=120)])
    note = TextAreaField(_l("Catatan untuk staf (opsional)"), validators=[Optional(), Length(max=1000)])

    FIELDS = ("story", "whatsapp", "bank_name", "bank_account_number", "bank_account_holder")

    def values(self) -> dict[str, str]:
        return {name: self[name].data or "" for name in self.FIELDS}

    def field_for(self, name: str | None):
        return self._fields.get(name or "", self.story)


class ChannelsForm(FlaskForm):
    """Where the producer is told about sales, low stock, expiring lots and statements."""

    by_email = BooleanField(_l("Surel (ke alamat akun portal)"))
    by_whatsapp = BooleanField(_l("WhatsApp (ke nomor usaha di profil)"))


class RejectForm(FlaskForm):
    reason = TextAreaField(_l("Alasan penolakan"), validators=[Optional(), Length(max=1000)])


class ApproveForm(FlaskForm):
    """Only the CSRF token."""
