"""Statement exports: CSV of lines, a PDF (fpdf2, pure Python) and the XLSX bank-transfer batch (openpyxl)."""
from __future__ import annotations

import io

from flask_babel import gettext as _

from gallery.money import format_rupiah
from gallery.settlements.models import Statement, StatementStatus
from gallery.spreadsheets import append_text_row, csv_writer

CSV_HEADER = ("date", "order", "product", "variant", "sku", "channel", "quantity", "unit_price", "unit_payout",
              "gross", "payout")


def statement_csv(statement: Statement) -> str:
    """Lines then adjustments, amounts as plain integers of Rupiah."""
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(CSV_HEADER)
    for line in statement.lines:
        writer.writerow((line.sold_on.isoformat(), line.order_number, line.product_name, line.variant_label, line.sku,
                         line.channel, line.quantity, line.unit_price, line.unit_payout, line.gross, line.payout))
    for item in statement.adjustments:
        writer.writerow((item.sold_on.isoformat(), item.order_number, item.product_name, item.variant_label, "",
                         "refund", -item.quantity, "", "", item.gross_amount, item.amount))
    return out.getvalue()


def _latin(text: str) -> str:
    # The core PDF fonts are Latin-1; Indonesian names are, anything else is replaced.
    return (text or "").encode("latin-1", "replace").decode("latin-1")


def statement_pdf(statement: Statement, gallery_name: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", size=9)
    pdf.cell(0, 5, _latin(gallery_name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 8, _latin(_("Laporan setoran produsen")), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    pdf.cell(0, 6, _latin(statement.number), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    producer = statement.producer
    facts = [
        (_("Produsen"), producer.business_name),
        (_("Periode"), f"{statement.period_start:%d-%m-%Y} - {statement.period_end:%d-%m-%Y} (excl.)"),
        (_("Status"), statement.status),
        (_("Rekening"), " / ".join(p for p in (producer.bank_name, producer.bank_account_number,
                                               producer.bank_account_holder) if p) or "-"),
    ]
    for label, value in facts:
        pdf.cell(35, 5, _latin(label))
        pdf.cell(0, 5, _latin(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    widths = (20, 28, 60, 12, 25, 25, 20)
    headers = (_("Tanggal"), _("Pesanan"), _("Barang"), _("Jml"), _("Harga"), _("Harga titip"), _("Kanal"))
    pdf.set_font("Helvetica", "B", 8)
    for width, header in zip(widths, headers):
        pdf.cell(width, 6, _latin(header), border=1)
    pdf.ln()
    pdf.set_font("Helvetica", size=8)
    for line in statement.lines:
        cells = (f"{line.sold_on:%d-%m-%Y}", line.order_number, f"{line.product_name} {line.variant_label}"[:40],
                 str(line.quantity), format_rupiah(line.unit_price), format_rupiah(line.unit_payout), line.channel)
        for width, value in zip(widths, cells):
            pdf.cell(width, 5, _latin(value), border=1)
        pdf.ln()
    for item in statement.adjustments:
        cells = (f"{item.sold_on:%d-%m-%Y}", item.order_number, f"{_('Pengembalian dana')}: {item.product_name}"[:40],
                 str(-item.quantity), format_rupiah(item.gross_amount), format_rupiah(item.amount), "")
        for width, value in zip(widths, cells):
            pdf.cell(width, 5, _latin(value), border=1)
        pdf.ln()
    pdf.ln(3)
    pdf.set_font("Helvetica", size=10)
    for label, amount in ((_("Penjualan kotor"), statement.gross_sales), (_("Komisi galeri"), statement.commission),
                          (_("Hak produsen"), statement.payout_total),
                          (_("Penyesuaian pengembalian dana"), statement.adjustments_total),
                          (_("Jumlah dibayar"), statement.amount_due)):
        pdf.cell(70, 6, _latin(label))
        pdf.cell(40, 6, _latin(format_rupiah(amount)), align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


BATCH_HEADER = ("statement", "producer", "bank", "account_number", "account_holder", "amount")


def transfer_batch_xlsx(statements: list[Statement], min_payout: int) -> bytes:
    """The bank's batch: one row per transfer and nothing else on its sheet; amounts as integers (Rupiah).

    Only approved statements of at least the minimum payout are transfers (carried ones never are); the
    count and total go on a second sheet, so a bank reading every row of the first pays no "TOTAL".
    """
    from openpyxl import Workbook

    transfers = [s for s in statements if s.status == StatementStatus.APPROVED and s.amount_due >= min_payout]
    book = Workbook()
    sheet = book.active
    sheet.title = "transfer"
    sheet.append(BATCH_HEADER)
    for s in transfers:
        p = s.producer
        append_text_row(sheet, (s.number, p.business_name, p.bank_name or "", p.bank_account_number or "",
                      p.bank_account_holder or "", s.amount_due))
    for column, width in zip("ABCDEF", (18, 32, 18, 22, 28, 14)):
        sheet.column_dimensions[column].width = width
    summary = book.create_sheet("summary")
    summary.append(("transfers", "total_idr"))
    summary.append((len(transfers), sum(s.amount_due for s in transfers)))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
