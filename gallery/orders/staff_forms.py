"""Back-office forms for fulfilment and the counter (shape and parsing only; gallery.orders.transitions and
gallery.payments.desk decide).

Numbers are typed as text so that a wrong entry ("abc", "1,5", 10⁹) gets a message of our own in the
user's language instead of the browser's. Anything the browser sends besides ids, codes and
quantities is ignored: prices always come from the catalog on the server (DESIGN.md rule 5).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from gallery.orders.models import Channel, PaymentMethod
from gallery.orders.placing import MAX_QUANTITY
from gallery.orders.transitions import STATUS_LABELS
from gallery.payments.labels import STAFF_RECORDED, short_label


def payment_method_label(method: str | None) -> str:
    """A payment method code in the user's language ("cash" → "Tunai"; gallery.payments.labels)."""
    return short_label(method)


# The order list's tabs: "queue" is the work to do today, then one tab per state, then everything.
QUEUE = "queue"
ALL = "all"
TABS: dict[str, object] = {
    QUEUE: _l("Perlu diproses"),
    **STATUS_LABELS,
    ALL: _l("Semua"),
}
MAX_SEARCH = 60

QUANTITY_MESSAGE = _l("Jumlah harus bilangan bulat antara 1 dan %(n)s.", n=MAX_QUANTITY)
_DIGITS = re.compile(r"^\d{1,12}$", re.ASCII)
_THOUSANDS = re.compile(r"^\d{1,3}(?:\.\d{3}){1,3}$", re.ASCII)


@dataclass(frozen=True)
class ListArgs:
    """The order list's filters as read from the query string (anything unknown falls back)."""

    tab: str
    q: str
    channel: str
    page: int

    def url_args(self, **changes) -> dict:
        """Query arguments that reproduce these filters (defaults left out), with `changes` applied."""
        values = {"tab": self.tab, "q": self.q, "channel": self.channel, **changes}
        args = {}
        if values["tab"] != QUEUE:
            args["tab"] = values["tab"]
        if values["q"]:
            args["q"] = values["q"]
        if values["channel"]:
            args["channel"] = values["channel"]
        return args


def parse_list_args(args) -> ListArgs:
    tab = args.get("tab") or QUEUE
    if tab not in TABS:
        tab = QUEUE
    q = " ".join((args.get("q") or "").split())[:MAX_SEARCH]
    channel = args.get("channel") or ""
    if channel not in Channel.ALL:
        channel = ""
    page_text = (args.get("page") or "").strip()
    page = int(page_text) if page_text.isdigit() and 0 < len(page_text) < 7 else 1
    return ListArgs(tab, q, channel, page)


def parse_quantity(text: str | None) -> int:
    """A quantity as typed at the till: a whole number 1..MAX_QUANTITY, else ValueError with the message."""
    compact = re.sub(r"\s+", "", text or "")
    if not compact:
        return 1
    if not _DIGITS.fullmatch(compact) or not 1 <= int(compact) <= MAX_QUANTITY:
        raise ValueError(str(QUANTITY_MESSAGE))
    return int(compact)


def parse_rupiah(text: str | None) -> int | None:
    """Whole Rupiah as a cashier types it ("100000", "100.000", "Rp 100.000"); None if empty; else ValueError."""
    compact = re.sub(r"\s+", "", text or "")
    if compact[:2].lower() == "rp":
        compact = compact[2:]
    if not compact:
        return None
    if _THOUSANDS.fullmatch(compact):
        compact = compact.replace(".", "")
    if not _DIGITS.fullmatch(compact) or int(compact) > 1_000_000_000:
        raise ValueError(str(_l("Tulis uang diterima dalam rupiah bulat, misalnya 100000 atau 100.000.")))
    return int(compact)


# ---------------------------------------------------------------------------------------------
# Fulfilment actions on one order


class ConfirmForm(FlaskForm):
    """An action without input (pack, picked up, complete): only the CSRF token."""


class MarkPaidForm(FlaskForm):
    method = SelectField(
        _l("Cara bayar"), validate_choice=False,
        choices=[SelectChoice(code, short_label(code)) for code in STAFF_RECORDED],
    )
    note = StringField(_l("Catatan (mis. bank dan nama pengirim)"),
                       validators=[Optional(), Length(max=200, message=_l("Paling banyak %(max)d karakter."))],
                       render_kw={"autocomplete": "off"})

    def validate_method(self, field) -> None:
        if field.data not in STAFF_RECORDED:
            raise ValidationError(str(_l("Pilih cara bayar.")))


class ShipForm(FlaskForm):
    tracking_number = StringField(
        _l("Nomor resi Pos"),
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
                   "maxlength": 60, "placeholder": _l("mis. P2611000123456")},
    )


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Alasan pembatalan"),
        validators=[DataRequired(message=_l("Tulis alasan pembatalan.")),
                    Length(min=3, max=500, message=_l("Alasan pembatalan 3 sampai 500 karakter."))],
        render_kw={"rows": 2},
    )


class ReturnedForm(FlaskForm):
    reason = TextAreaField(
        _l("Alasan paket kembali"),
        validators=[DataRequired(message=_l("Tulis alasan paket kembali.")),
                    Length(min=3, max=300, message=_l("Alasan 3 sampai 300 karakter."))],
        render_kw={"rows": 2, "placeholder": _l("mis. penerima menolak, alamat tidak ditemukan")},
    )


# ---------------------------------------------------------------------------------------------
# The counter (kasir)


class CounterAddForm(FlaskForm):
    """Scan or type a SKU (a barcode scanner types the code and Enter) and how many."""

    action = HiddenField(default="add")
    sku = StringField(_l("Kode SKU"), render_kw={
        "autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "maxlength": 60,
        "autofocus": True, "enterkeyhint": "done", "placeholder": _l("pindai atau ketik kode"),
    })
    quantity = StringField(_l("Jumlah"), default="1", render_kw={
        "inputmode": "numeric", "autocomplete": "off", "maxlength": 12,
    })


class CounterLineForm(FlaskForm):
    """Change the quantity of one basket line, or remove it."""

    action = HiddenField()
    variant_id = HiddenField()
    quantity = StringField(_l("Jumlah"), render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 12})


class CounterSellForm(FlaskForm):
    action = HiddenField(default="sell")
    # One token per rendered till: a double tap sends it twice and the second finds the first sale.
    sale_token = HiddenField()
    method = RadioField(
        _l("Cara bayar"), validate_choice=False,
        choices=[SelectChoice(PaymentMethod.CASH, _l("Tunai")), SelectChoice(PaymentMethod.QRIS, _l("QRIS"))],
    )
    customer_name = StringField(
        _l("Nama pembeli (boleh kosong)"),
        validators=[Optional(), Length(max=120, message=_l("Paling banyak %(max)d karakter."))],
        render_kw={"autocomplete": "off"},
    )
    cash_received = StringField(
        _l("Uang diterima (tunai, boleh kosong)"),
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 20},
    )

    def validate_method(self, field) -> None:
        if field.data not in PaymentMethod.COUNTER:
            raise ValidationError(str(_l("Pilih cara bayar: tunai atau QRIS.")))
