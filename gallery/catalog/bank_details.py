"""A producer's bank details, the one rule for staff edits and producers' change requests alike: the
account number is digits (with the spaces, dots or dashes of the bank book between them), the bank and the
holder are names (letters first, then letters, digits, spaces and . , ' & / ( ) -), so nothing that a
spreadsheet or a bank's upload would read as a formula or command gets into the transfer batch."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from gallery.errors import DomainError

ACCOUNT_DIGITS = (5, 20)
_NAME = re.compile(r"^[^\W\d_][\w .,'&/()\-]*$")
_SEPARATORS = re.compile(r"[ .\-]")


def clean_account_number(value: str | None) -> str | None:
    """The account number as written (trimmed), or None when empty; DomainError unless it is digits,
    starting with one, with only spaces, dots or dashes between them."""
    text = " ".join((value or "").split())
    if not text:
        return None
    digits = _SEPARATORS.sub("", text)
    if (not text[0].isdigit() or not (digits.isascii() and digits.isdigit())
            or not ACCOUNT_DIGITS[0] <= len(digits) <= ACCOUNT_DIGITS[1]):
        raise DomainError(
            _l("Nomor rekening hanya berisi %(low)s-%(high)s angka.", low=ACCOUNT_DIGITS[0], high=ACCOUNT_DIGITS[1]),
            field="bank_account_number",
        )
    return text


def clean_bank_name_field(value: str | None, field: str) -> str | None:
    """A bank or account holder name, spaces collapsed, or None when empty; DomainError when not a name."""
    text = " ".join((value or "").split())
    if not text:
        return None
    if not _NAME.match(text):
        message = (_l("Nama pemilik rekening hanya berisi huruf, angka, spasi dan tanda baca nama (. , ' - &).")
                   if field == "bank_account_holder"
                   else _l("Nama bank hanya berisi huruf, angka, spasi dan tanda baca nama (. , ' - &)."))
        raise DomainError(message, field=field)
    return text
