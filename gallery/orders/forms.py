"""The checkout form: shape only (what is filled, how long, which format); place_order decides.

The browser sends the contact, the address codes, the chosen service and whether to insure, never
a price: the form has no field for one, and anything else posted is ignored.
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from gallery.catalog.services import normalise_whatsapp
from gallery.email_address import EmailAddress
from gallery.errors import DomainError
from gallery.orders.models import Fulfilment


class CheckoutForm(FlaskForm):
    name = StringField(_l("Nama penerima"), validators=[DataRequired(_l("Nama wajib diisi.")), Length(max=120)])
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Email wajib diisi.")),
                    EmailAddress(_l("Alamat email tidak valid.")), Length(max=254)],
    )
    whatsapp = TelField(_l("Nomor WhatsApp"), validators=[DataRequired(_l("Nomor WhatsApp wajib diisi.")),
                                                          Length(max=20)])
    # Shown only when the shop sends WhatsApp messages (gallery.notifications); e-mail always goes.
    notify_whatsapp = BooleanField(_l("Kabari saya juga lewat WhatsApp (pesanan, pembayaran, pengiriman)"))
    fulfilment = RadioField(
        _l("Cara menerima"),
        choices=[SelectChoice(Fulfilment.DELIVERY, _l("Dikirim via Pos Indonesia")),
                 SelectChoice(Fulfilment.PICKUP, _l("Ambil di galeri Painan (gratis)"))],
        default=Fulfilment.DELIVERY,
        validate_choice=False,
    )
    # Choices are filled by the view from the region tables; the view checks the codes itself.
    province_code = SelectField(_l("Provinsi"), choices=[], validate_choice=False)
    regency_code = SelectField(_l("Kabupaten/kota"), choices=[], validate_choice=False)
    district_code = SelectField(_l("Kecamatan"), choices=[], validate_choice=False)
    street = TextAreaField(_l("Alamat lengkap"), validators=[Length(max=300)])
    postal_code = StringField(_l("Kode pos"), validators=[Length(max=10)])
    service = RadioField(_l("Layanan pengiriman"), choices=[], validate_choice=False)
    insured = BooleanField(_l("Asuransikan kiriman"))
    # Offered by the view only where gallery.shipping.cod allows it; place_order checks again.
    pay_on_delivery = BooleanField(_l("Bayar di tempat (COD): bayar ke kurir Pos saat paket tiba"))
    notes = TextAreaField(_l("Catatan untuk galeri (opsional)"), validators=[Optional(), Length(max=1000)])
    # Signed-in customers only: keep the delivery address in their address book.
    save_address = BooleanField(_l("Simpan alamat ini di buku alamat saya"))

    @property
    def delivery(self) -> bool:
        return self.fulfilment.data != Fulfilment.PICKUP

    def validate_fulfilment(self, field):
        if field.data not in Fulfilment.ALL:
            raise ValidationError(_l("Pilih dikirim atau diambil di galeri."))

    def validate_whatsapp(self, field):
        try:
            normalise_whatsapp(field.data)
        except DomainError as error:
            raise ValidationError(error.message) from None

    def validate_street(self, field):
        if self.delivery and len((field.data or "").strip()) < 5:
            raise ValidationError(_l("Tulis alamat jalan lengkap (nama jalan, nomor, RT/RW)."))

    def validate_postal_code(self, field):
        if self.delivery and not re.fullmatch(r"\d{5}", (field.data or "").strip()):
            raise ValidationError(_l("Kode pos harus 5 angka."))

    def validate_service(self, field):
        if self.delivery and not field.data:
            raise ValidationError(_l("Pilih layanan pengiriman."))
