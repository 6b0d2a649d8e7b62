"""Back-office forms of the registry: upload and confirmation of a registry CSV, a classification."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from gallery.registry.models import SECTORS
from gallery.registry.services import MAX_FILE_BYTES


class RegistryUploadForm(FlaskForm):
    file = FileField(_l("File registrasi IKM (CSV)"), validators=[FileRequired(_l("Pilih file CSV registrasi."))],
                     render_kw={"accept": ".csv,text/csv"})

    def read_file(self) -> tuple[bytes, str]:
        storage = self.file.data
        return storage.read(MAX_FILE_BYTES + 1), (storage.filename or "registrasi.csv")


class RegistryConfirmForm(FlaskForm):
    """The previewed file sent back (compressed, as for tariffs) to be checked again and saved."""

    payload = HiddenField(validators=[DataRequired()])
    filename = HiddenField(validators=[Optional(), Length(max=200)])


class ClassificationForm(FlaskForm):
    name = StringField(_l("Nama"), validators=[InputRequired(_l("Isi nama klasifikasi.")), Length(max=120)])
    name_en = StringField(_l("Nama (Inggris)"), validators=[Optional(), Length(max=120)])
    sector_slug = SelectField(_l("Sektor"), choices=list(SECTORS))
    position = IntegerField(_l("Urutan"), validators=[InputRequired(), NumberRange(min=0, max=999)])
