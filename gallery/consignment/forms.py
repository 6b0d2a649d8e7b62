"""Back-office forms of the consignment documents (shape and parsing only; the services decide).

Numbers are typed as text so that a wrong entry ("abc", "1,5") gets a message of our own in the
user's language instead of the browser's; ranges, stock and payout rules are left to
gallery.consignment.documents, which refuses with a message of its own.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, Form, FormField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from gallery.consignment.documents import MAX_LINES, ReceiptLine
from gallery.consignment.models import MovementKind, ReturnReason, WriteOffCause

# What staff read for the ledger's codes (selects, lot history, documents).
RETURN_REASONS = {
    ReturnReason.UNSOLD: _l("Tidak laku"),
    ReturnReason.EXPIRED: _l("Sudah kedaluwarsa"),
    ReturnReason.DAMAGED: _l("Rusak"),
    ReturnReason.RECALLED: _l("Ditarik produsen"),
}
WRITE_OFF_CAUSES = {
    WriteOffCause.DAMAGED: _l("Rusak"),
    WriteOffCause.LOST: _l("Hilang"),
    WriteOffCause.EXPIRED_DESTROYED: _l("Kedaluwarsa & dimusnahkan"),
}
MOVEMENT_KINDS = {
    MovementKind.INTAKE: _l("Diterima (titipan)"),
    MovementKind.RESERVE: _l("Terjual/dipesan"),
    MovementKind.RELEASE: _l("Batal pesan, kembali ke rak"),
    MovementKind.RETURN: _l("Diretur ke produsen"),
    MovementKind.WRITE_OFF: _l("Dihapus"),
    MovementKind.CORRECTION: _l("Koreksi stok"),
}
# A movement's `cause` may be a return reason, a write-off cause or one of these.
MOVEMENT_CAUSES = {
    **WRITE_OFF_CAUSES,
    **RETURN_REASONS,
    "stock_take": _l("Stok opname"),
    "manual": _l("Koreksi manual"),
}

NEW_ROWS = 5
_DIGITS = 12  # more digits than any quantity or Rupiah amount the services accept
_PLAIN = re.compile(r"^[+-]?\d{1,%d}$" % _DIGITS, re.ASCII)
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3}){1,3}$", re.ASCII)


def parse_whole_number(text: str, *, rupiah: bool = False) -> int:
    """Turn a whole number as staff type it into an int: "12", "-3", "+2", "1.000", "Rp 52.000" (rupiah).

    Raises ValueError for anything else; the caller supplies the message.
    """
    compact = re.sub(r"\s+", "", text or "").replace("\u2212", "-")  # a typographic minus, too
    if rupiah and compact[:2].lower() == "rp":
        compact = compact[2:]
    if _THOUSANDS.fullmatch(compact):
        compact = compact.replace(".", "")
    if not _PLAIN.fullmatch(compact):
        raise ValueError(compact)
    return int(compact)


class WholeNumberField(StringField):
    """A whole number typed as text; `data` is an int, or None when left empty or not a number."""

    def __init__(self, label=None, validators=None, *, message, rupiah: bool = False, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)
        self.message = message
        self.rupiah = rupiah

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist) -> None:
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = parse_whole_number(valuelist[0], rupiah=self.rupiah)
            except ValueError:
                raise ValueError(str(self.message)) from None


def _optional_int(value):
    """Coerce a select's value to int without ever failing: what is not a number becomes -1 (unknown)."""
    if value in (None, "", "None"):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if text.isdigit() and len(text) < 10 else -1


def _max(length: int) -> Length:
    return Length(max=length, message=_l("Paling banyak %(max)d karakter."))


QUANTITY_MESSAGE = _l("Jumlah harus bilangan bulat antara 1 dan 100.000.")


class ReceiptLineForm(Form):
    """One row of a consignment receipt; a row left completely empty is ignored."""

    variant_id = SelectField(_l("Barang (varian)"), coerce=_optional_int, validate_choice=False)
    quantity = WholeNumberField(_l("Jumlah unit"), message=QUANTITY_MESSAGE)
    unit_payout = WholeNumberField(
        _l("Harga titip"), rupiah=True,
        message=_l("Harga titip harus rupiah bulat, misalnya 52000 atau 52.000."),
        render_kw={"inputmode": "numeric", "autocomplete": "off", "placeholder": _l("bawaan")},
    )
    expires_on = DateField(
        _l("Kedaluwarsa"), validators=[Optional()],
        invalid_value_message=_l("Tanggal tidak valid (contoh: 2027-12-31)."),
    )
    shelf = StringField(_l("Rak"), validators=[Optional(), _max(20)], render_kw={"autocomplete": "off"})
    notes = StringField(_l("Catatan"), validators=[Optional(), _max(500)], render_kw={"autocomplete": "off"})

    def is_blank(self) -> bool:
        """Nothing typed or picked in this row."""
        return not any((field.raw_data or [""])[0].strip() for field in self)

    def field_for(self, service_field: str | None):
        """The field that shows a service's error about `service_field`."""
        return self._fields.get(service_field or "", self.variant_id)


class ReceiptForm(FlaskForm):
    """A consignment receipt: N line rows (5 more on each "tambah baris") and a note."""

    lines = FieldList(FormField(ReceiptLineForm), min_entries=NEW_ROWS, max_entries=MAX_LINES)
    notes = TextAreaField(_l("Catatan tanda terima"), validators=[Optional(), _max(2000)])

    def set_variant_choices(self, choices: list[SelectChoice]) -> None:
        """Offer the same variants (of one producer) in every row."""
        options = [SelectChoice("", _l("— pilih barang —"))] + choices
        for row in self.lines:
            row.variant_id.choices = options

    def add_rows(self, count: int = NEW_ROWS) -> None:
        """Append blank rows, up to the most a receipt may hold."""
        for _ in range(max(0, min(count, MAX_LINES - len(self.lines)))):
            self.lines.append_entry()

    def receipt_lines(self) -> tuple[list[ReceiptLine], list[int]] | None:
        """The filled rows as ReceiptLines, with the row number of each; None (and row errors) if a
        filled row lacks its variant or quantity. Call after validate()."""
        lines: list[ReceiptLine] = []
        rows: list[int] = []
        complete = True
        for index, entry in enumerate(self.lines):
            row = entry.form
            if row.is_blank():
                continue
            if row.errors:
                complete = False
                continue
            if row.variant_id.data is None:
                row.variant_id.errors.append(str(_l("Pilih barang untuk baris ini.")))
                complete = False
            if row.quantity.data is None:
                row.quantity.errors.append(str(_l("Jumlah wajib diisi.")))
                complete = False
            if complete:
                lines.append(ReceiptLine(
                    variant_id=row.variant_id.data,
                    quantity=row.quantity.data,
                    unit_payout=row.unit_payout.data,
                    expires_on=row.expires_on.data,
                    shelf=row.shelf.data or None,
                    notes=row.notes.data or "",
                ))
                rows.append(index)
        return (lines, rows) if complete else None

    @property
    def row_errors(self) -> bool:
        return any(entry.form.errors for entry in self.lines)


def _choices(labels: Mapping) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class ReturnForm(FlaskForm):
    """The reason and note of a nota retur; quantities per lot come from `return_quantities`."""

    reason = SelectField(
        _l("Alasan retur"), validate_choice=False,
        choices=[SelectChoice("", _l("— pilih alasan —"))] + _choices(RETURN_REASONS),
    )
    notes = TextAreaField(_l("Catatan"), validators=[Optional(), _max(2000)])


RETURN_QUANTITY_PREFIX = "qty-"


def return_quantities(formdata: Mapping) -> tuple[dict[int, int], dict[int, str]]:
    """Read the `qty-<lot id>` inputs: the quantities typed (blank and 0 left out) and per-lot errors."""
    quantities: dict[int, int] = {}
    errors: dict[int, str] = {}
    for key in formdata:
        suffix = key[len(RETURN_QUANTITY_PREFIX):] if key.startswith(RETURN_QUANTITY_PREFIX) else ""
        if not (suffix.isdigit() and len(suffix) < 10):
            continue
        text = (formdata.get(key) or "").strip()
        if not text:
            continue
        try:
            quantity = parse_whole_number(text)
        except ValueError:
            errors[int(suffix)] = str(_l("Jumlah harus bilangan bulat lebih dari 0."))
            continue
        if quantity:
            quantities[int(suffix)] = quantity
    return quantities, errors


class WriteOffForm(FlaskForm):
    """Take units of one lot off the books: how many, why (cause) and in words (reason)."""

    quantity = WholeNumberField(_l("Jumlah unit"), message=_l("Jumlah harus bilangan bulat lebih dari 0."))
    cause = SelectField(
        _l("Jenis penghapusan"), validate_choice=False,
        choices=[SelectChoice("", _l("— pilih jenis —"))] + _choices(WRITE_OFF_CAUSES),
    )
    reason = TextAreaField(_l("Alasan (wajib)"), validators=[Optional(), _max(500)])

    def field_for(self, service_field: str | None):
        return self._fields.get(service_field or "", self.quantity)


class CorrectionForm(FlaskForm):
    """An admin's correction of one lot by a signed number of units."""

    delta = WholeNumberField(
        _l("Selisih unit (+ atau −)"), message=_l("Koreksi harus bilangan bulat bukan nol, misalnya -2 atau 3."),
        render_kw={"inputmode": "text", "autocomplete": "off"},
    )
    correction_reason = TextAreaField(_l("Alasan (wajib)"), validators=[Optional(), _max(500)])

    def field_for(self, service_field: str | None):
        return self.correction_reason if service_field == "reason" else self.delta
