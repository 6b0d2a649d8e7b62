"""Forms of reviews: the shopper's rating, staff's decision, the producer's reply (shape only)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

STARS = [SelectChoice(str(n), _l("%(n)s bintang", n=n)) for n in range(5, 0, -1)]


class ReviewForm(FlaskForm):
    rating = RadioField(_l("Nilai"), choices=STARS, validators=[DataRequired(_l("Pilih bintang 1 sampai 5."))])
    body = TextAreaField(_l("Ulasan (opsional)"), validators=[Optional(), Length(max=2000)])
    photo = FileField(_l("Foto (opsional)"))


class ModerationForm(FlaskForm):
    reason = TextAreaField(_l("Alasan (wajib bila disembunyikan)"), validators=[Optional(), Length(max=300)])


class ReplyForm(FlaskForm):
    reply = TextAreaField(_l("Balasan Anda (sekali saja)"), validators=[DataRequired(_l("Tulis balasan.")),
                                                                       Length(max=1000)])
