"""Sign-in and sign-up forms (shape only; the services decide)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Email wajib diisi.")), Length(max=254)])
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired(_l("Kata sandi wajib diisi."))])
    remember = BooleanField(_l("Ingat saya di perangkat ini"))
    next = HiddenField()


class RegisterForm(FlaskForm):
    name = StringField(_l("Nama lengkap"), validators=[DataRequired(_l("Nama wajib diisi.")), Length(max=120)])
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Email wajib diisi.")),
            Email(_l("Alamat email tidak valid."), check_deliverability=False),
            Length(max=254),
        ],
    )
    phone = StringField(_l("Nomor WhatsApp (opsional)"), validators=[Optional(), Length(max=20)])
    password = PasswordField(
        _l("Kata sandi"),
        validators=[DataRequired(_l("Kata sandi wajib diisi.")), Length(min=10, message=_l("Minimal 10 karakter."))],
    )
    confirm = PasswordField(
        _l("Ulangi kata sandi"),
        validators=[DataRequired(_l("Ulangi kata sandi.")), EqualTo("password", _l("Kata sandi tidak sama."))],
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Email wajib diisi.")), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Kata sandi baru"),
        validators=[DataRequired(_l("Kata sandi wajib diisi.")), Length(min=10, message=_l("Minimal 10 karakter."))],
    )
    confirm = PasswordField(
        _l("Ulangi kata sandi"),
        validators=[DataRequired(_l("Ulangi kata sandi.")), EqualTo("password", _l("Kata sandi tidak sama."))],
    )


class AddressForm(FlaskForm):
    """A saved delivery address; the region choices are filled by the view, the service checks them."""

    label = StringField(_l("Nama alamat (mis. Rumah, Kantor)"), validators=[Optional(), Length(max=40)])
    province_code = SelectField(_l("Provinsi"), choices=[], validate_choice=False)
    regency_code = SelectField(_l("Kabupaten/kota"), choices=[], validate_choice=False)
    district_code = SelectField(_l("Kecamatan"), choices=[], validate_choice=False)
    street = TextAreaField(_l("Alamat lengkap"), validators=[DataRequired(_l("Alamat wajib diisi.")),
                                                             Length(max=300)])
    postal_code = StringField(_l("Kode pos"), validators=[DataRequired(_l("Kode pos wajib diisi.")), Length(max=10)])
    is_default = BooleanField(_l("Jadikan alamat utama (dipakai otomatis saat checkout)"))
