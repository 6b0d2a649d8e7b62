"""Statement exports: CSV of lines, a PDF (fpdf2, pure Python) and the XLSX bank-transfer batch (openpyxl)."""
from __future__ import annotations

import io
from datetime import timedelta
from dataclasses import dataclass

from flask_babel import gettext as _

from gallery.money import format_rupiah
from gallery.orders.transitions import channel_label
from gallery.settlements.models import Statement, StatementStatus, status_label
from gallery.spreadsheets import append_text_row, csv_writer

CSV_HEADER = ("date", "order", "product", "variant", "sku", "channel", "quantity", "unit_price", "unit_payout",
              "gross", "payout", "list_price", "markdown")
# Without the commission and the shelf price (gallery.portal.visibility): only what the producer earns.
CSV_PAYOUT_HEADER = ("date", "order", "product", "variant", "sku", "channel", "quantity", "unit_payout", "payout",
                     "markdown")
SUMMARY_HEADER = ("product", "variant", "quantity", "payout", "markdown_quantity")


@dataclass(frozen=True)
class ProductLine:
    """A statement's sales of one product and variant, summed (what a producer on the summary view sees)."""

    product_name: str
    variant_label: str
    quantity: int
    gross: int
    payout: int
    markdown_quantity: int


def product_summary(statement: Statement) -> list[ProductLine]:
    """The statement's lines summed per product and variant, by name."""
    sums: dict[tuple[str, str], list[int]] = {}
    for line in statement.lines:
        total = sums.setdefault((line.product_name, line.variant_label), [0, 0, 0, 0])
        total[0] += line.quantity
        total[1] += line.gross
        total[2] += line.payout
        total[3] += line.quantity if line.is_markdown else 0
    return [ProductLine(name, label, *numbers) for (name, label), numbers in sorted(sums.items())]


def statement_csv(statement: Statement, *, detailed: bool = True, shows_commission: bool = True) -> str:
    """Lines then adjustments, amounts as plain integers of Rupiah; per product on the summary view, and
    without prices or gross amounts when the producer sees only its payout."""
    out = io.StringIO()
    writer = csv_writer(out)
    if not detailed:
        writer.writerow(SUMMARY_HEADER + (("gross",) if shows_commission else ()))
        for row in product_summary(statement):
            writer.writerow((row.product_name, row.variant_label, row.quantity, row.payout, row.markdown_quantity)
                            + ((row.gross,) if shows_commission else ()))
        if statement.adjustments:
            writer.writerow(("refund", "", -sum(a.quantity for a in statement.adjustments),
                             statement.adjustments_total, "")
                            + ((sum(a.gross_amount for a in statement.adjustments),) if shows_commission else ()))
        return out.getvalue()
    writer.writerow(CSV_HEADER if shows_commission else CSV_PAYOUT_HEADER)
    for line in statement.lines:
        head = (line.sold_on.isoformat(), line.order_number, line.product_name, line.variant_label, line.sku,
                line.channel, line.quantity)
        if shows_commission:
            writer.writerow(head + (line.unit_price, line.unit_payout, line.gross, line.payout,
                                    line.list_price or "", line.markdown_bearer or ""))
        else:
            writer.writerow(head + (line.unit_payout, line.payout, line.markdown_bearer or ""))
    for item in statement.adjustments:
        head = (item.sold_on.isoformat(), item.order_number, item.product_name, item.variant_label, "", "refund",
                -item.quantity)
        writer.writerow(head + (("", "", item.gross_amount, item.amount, "", "") if shows_commission
                                else ("", item.amount, "")))
    return out.getvalue()


def _latin(text: str) -> str:
    # The core PDF fonts are Latin-1; Indonesian names are, anything else is replaced.
    return (text or "").encode("latin-1", "replace").decode("latin-1")


def _table(pdf, widths, headers, rows) -> None:
    pdf.set_font("Helvetica", "B", 8)
    for width, header in zip(widths, headers):
        pdf.cell(width, 6, _latin(header), border=1)
    pdf.ln()
    pdf.set_font("Helvetica", size=8)
    for cells in rows:
        for width, value in zip(widths, cells):
            pdf.cell(width, 5, _latin(value), border=1)
        pdf.ln()


def _line_rows(statement: Statement, shows_commission: bool):
    for line in statement.lines:
        name = f"{line.product_name} {line.variant_label}"[:40]
        mark = f" (-{format_rupiah(line.list_price - line.unit_price)})" if line.is_markdown and shows_commission \
            else (" *" if line.is_markdown else "")
        price = (format_rupiah(line.unit_price) + mark,) if shows_commission else ()
        yield (f"{line.sold_on:%d-%m-%Y}", line.order_number, name, str(line.quantity), *price,
               format_rupiah(line.unit_payout) + ("" if shows_commission else mark), channel_label(line.channel))
    for item in statement.adjustments:
        price = (format_rupiah(item.gross_amount),) if shows_commission else ()
        yield (f"{item.sold_on:%d-%m-%Y}", item.order_number, f"{_('Pengembalian dana')}: {item.product_name}"[:40],
               str(-item.quantity), *price, format_rupiah(item.amount), "")


def statement_pdf(statement: Statement, gallery_name: str, *, detailed: bool = True,
                  shows_commission: bool = True) -> bytes:
    """The statement on A4; per product on the summary view, without prices when only the payout is shown."""
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
        # The period's end is exclusive (the first day of the next month): show its last day.
        (_("Periode"), _("%(start)s s.d. %(end)s", start=f"{statement.period_start:%d-%m-%Y}",
                         end=f"{statement.period_end - timedelta(days=1):%d-%m-%Y}")),
        (_("Status"), status_label(statement.status)),
        (_("Rekening"), " / ".join(p for p in (producer.bank_name, producer.bank_account_number,
                                               producer.bank_account_holder) if p) or "-"),
    ]
    for label, value in facts:
        pdf.cell(35, 5, _latin(label))
        pdf.cell(0, 5, _latin(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    if detailed:
        price = (_("Harga"),) if shows_commission else ()
        _table(pdf, (20, 28, 60, 12, 25, 25, 20) if shows_commission else (20, 28, 72, 12, 38, 20),
               (_("Tanggal"), _("Pesanan"), _("Barang"), _("Jml"), *price, _("Harga titip"), _("Kanal")),
               _line_rows(statement, shows_commission))
    else:
        _table(pdf, (80, 40, 15, 35), (_("Barang"), _("Varian"), _("Jml"), _("Hak produsen")),
               ((row.product_name[:45], row.variant_label[:22], str(row.quantity), format_rupiah(row.payout))
                for row in product_summary(statement)))
    pdf.ln(3)
    pdf.set_font("Helvetica", size=10)
    markdown = statement.markdown_totals
    totals = [(_("Penjualan kotor"), statement.gross_sales), (_("Komisi galeri"), statement.commission)] \
        if shows_commission else []
    totals += [(_("Hak produsen"), statement.payout_total)]
    if markdown.units:
        totals += [(_("dari penjualan dengan potongan harga (%(n)s unit)", n=markdown.units), markdown.payout)]
        if shows_commission:
            totals += [(_("potongan ditanggung produsen"), -markdown.producer_part),
                       (_("potongan ditanggung galeri"), -markdown.gallery_part)]
    totals += [(_("Penyesuaian pengembalian dana"), statement.adjustments_total), (_("Jumlah dibayar"), statement.amount_due)]
    for label, amount in totals:
        pdf.cell(90, 6, _latin(label))
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
