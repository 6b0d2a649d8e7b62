"""Cells written to the office's spreadsheets (CSV and XLSX) are text, never formulas: a value from user
data that starts with = + - @, a tab or a carriage return is neutralised, so a producer's bank holder
`=HYPERLINK(...)` reaches the bank-transfer batch as the words it is. A CSV download starts with a BOM so
spreadsheet programs read it as UTF-8."""
from __future__ import annotations

import csv
from collections.abc import Iterable

# What spreadsheet programs read as the start of a formula (or of a DDE payload).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value):
    """A CSV cell: strings that a spreadsheet would evaluate get a leading apostrophe; others unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def text_row(row: Iterable) -> list:
    """Every cell of `row` through text_cell."""
    return [text_cell(value) for value in row]


class SafeWriter:
    """csv.writer whose rows go through text_row."""

    def __init__(self, out, **options):
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable):
        return self._writer.writerow(text_row(row))

    def writerows(self, rows: Iterable[Iterable]):
        for row in rows:
            self.writerow(row)


def csv_writer(out, **options) -> SafeWriter:
    """A csv.writer for user data (same options) that never writes a live formula."""
    return SafeWriter(out, **options)


def append_text_row(sheet, row: Iterable) -> None:
    """Append `row` to an openpyxl sheet with every string stored as text (openpyxl would store a
    string starting with '=' as a formula) and marked quote-prefixed, so editing keeps it text."""
    sheet.append([None if isinstance(value, str) else value for value in row])
    row_number = sheet.max_row
    for column, value in enumerate(row, start=1):
        if isinstance(value, str):
            cell = sheet.cell(row=row_number, column=column)
            cell.value = value
            cell.data_type = "s"
            if value.startswith(FORMULA_START):
                cell.quotePrefix = True


def csv_download(text: str, filename: str):
    """A CSV file download (UTF-8 with a BOM, so spreadsheet programs read it as such)."""
    from flask import Response

    response = Response("\ufeff" + text, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
