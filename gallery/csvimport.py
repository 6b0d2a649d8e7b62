"""Reading an uploaded CSV for an all-or-nothing import (tariff tables, the IKM registry).

The checks every import shares come first, before the import's own row rules: size, UTF-8 (a BOM from
a spreadsheet is fine), `#` comment lines, the delimiter (comma, semicolon or tab, as Indonesian
spreadsheets often save semicolons), the required columns, at least one and at most `max_rows` rows,
and no stray cells past the header. Line numbers are the file's own, so staff can find the row.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class RowError:
    """What is wrong with one line of the file (line 0: the file as a whole)."""

    line: int
    message: str
    column: str | None = None


@dataclass
class ImportPreview:
    """What every import preview shows: the file, its errors and how many data lines were read."""

    filename: str
    errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0

    @property
    def lines_with_errors(self) -> int:
        return len({error.line for error in self.errors})


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str]  # every known column present in the header → its cell, stripped


@dataclass(frozen=True)
class CsvRows:
    rows: list[CsvRow]  # the data rows, without those that had stray cells
    lines_read: int  # every data line, those with stray cells too


def delimiter_of(header_line: str) -> str:
    counts = {delimiter: header_line.count(delimiter) for delimiter in (",", ";", "\t")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


def read_rows(content: bytes, errors: list[RowError], *, required: tuple[str, ...], optional: tuple[str, ...],
              max_bytes: int, max_rows: int) -> CsvRows | None:
    """The file's data rows, or None with the reason appended to `errors` when the file as a whole is
    unusable. A row with extra non-empty cells is an error of that row and is left out."""
    if len(content) > max_bytes:
        errors.append(RowError(0, _l("File terlalu besar (paling besar %(mb)s MB).", mb=max_bytes // 1_000_000)))
        return None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        errors.append(RowError(0, _l("File harus berupa teks CSV dengan pengodean UTF-8.")))
        return None
    lines = [(number, line) for number, line in enumerate(text.splitlines(), 1)
             if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        errors.append(RowError(0, _l("File kosong: tidak ada baris judul maupun baris data.")))
        return None
    header_number, header_line = lines[0]
    delimiter = delimiter_of(header_line)
    header = [cell.strip().lower() for cell in next(csv.reader([header_line], delimiter=delimiter))]
    missing = [column for column in required if column not in header]
    if missing:
        errors.append(RowError(header_number, _l(
            "Baris judul tidak memuat kolom %(missing)s. Kolom yang diperlukan: %(required)s.",
            missing=", ".join(missing), required=", ".join(required))))
        return None
    body = lines[1:]
    if not body:
        errors.append(RowError(0, _l("File tidak memuat satu pun baris data.")))
        return None
    if len(body) > max_rows:
        errors.append(RowError(0, _l("File terlalu panjang: paling banyak %(n)s baris data.", n=max_rows)))
        return None
    index = {column: header.index(column) for column in (*required, *optional) if column in header}
    rows = []
    for number, line in body:
        cells = next(csv.reader([line], delimiter=delimiter), [])
        if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header):]):
            errors.append(RowError(number, _l("Baris ini punya %(n)s kolom, baris judul %(m)s.",
                                              n=len(cells), m=len(header))))
            continue
        cells += [""] * (len(header) - len(cells))
        rows.append(CsvRow(number, {column: cells[position].strip() for column, position in index.items()}))
    return CsvRows(rows, len(body))


def read_preview_rows(preview: ImportPreview, content: bytes, *, required: tuple[str, ...],
                      optional: tuple[str, ...], max_bytes: int, max_rows: int) -> CsvRows | None:
    """read_rows for an import preview: its errors go to the preview, and the preview counts the lines read.
    None when the file as a whole is unusable (the preview then says why)."""
    csv_rows = read_rows(content, preview.errors, required=required, optional=optional, max_bytes=max_bytes,
                         max_rows=max_rows)
    if csv_rows is not None:
        preview.rows_read = csv_rows.lines_read
    return csv_rows
