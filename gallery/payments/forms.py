"""Back-office payment forms (shape only; gallery.payments.cod decides): a Pos COD remittance."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, StringField
from wtforms.validators import DataRequired, Length, Optional


class RemittanceForm(FlaskForm):
    """One remittance from the Pos agency: its number and date, and its parcels (ticked or from the agency's CSV)."""

    reference = StringField(_l("Nomor setoran Pos"), validators=[
        DataRequired(_l("Tulis nomor setoran dari Pos.")), Length(max=60, message=_l("Paling banyak %(max)d karakter."))],
        render_kw={"autocomplete": "off", "placeholder": _l("mis. SETOR-COD-2611-07")})
    remitted_on = DateField(_l("Tanggal setoran"), validators=[DataRequired(_l("Pilih tanggal setoran."))])
    note = StringField(_l("Catatan (opsional)"), validators=[Optional(), Length(max=500)])
    file = FileField(_l("File setoran dari agen (CSV: resi, amount, fee)"))
    # The checked file, sent back with the confirmation so nothing is kept on the server in between.
    content = HiddenField()
