"""The portal's pages: access, isolation, and figures that agree with the staff's own reports."""
import csv
import io
import re
from datetime import datetime, timezone

from sqlalchemy import func, select

from gallery import clock
from gallery.accounts.models import Role
from gallery.consignment import reports
from gallery.extensions import db
from gallery.orders.sales import is_sale
from gallery.orders.models import Order, OrderAllocation, OrderLine, OrderStatus
from gallery.consignment.models import Lot
from tests.portal.conftest import SECRETS
from tests.sqlcount import count_statements

PAGES = ("/portal", "/portal/sales", "/portal/stock", "/portal/statements", "/portal/profile")


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def sold(producer_id, since=None, until=None):
    """Units and payout earned, straight from the allocations (the definition, written independently):
    paid, handed over (shipped, or collected) within [since, until), not refunded (none partly here)."""
    rows = db.session.execute(
        select(OrderAllocation.quantity, OrderAllocation.unit_payout, Order.fulfilment, Order.shipped_at,
               Order.completed_at, Order.status)
        .join(OrderLine, OrderLine.id == OrderAllocation.line_id).join(Order, Order.id == OrderLine.order_id)
        .join(Lot, Lot.id == OrderAllocation.lot_id)
        .where(Lot.producer_id == producer_id, Order.paid_at.is_not(None))).all()
    units = earned = 0
    for quantity, payout, fulfilment, shipped_at, completed_at, status in rows:
        moment = shipped_at if fulfilment == "delivery" else completed_at
        if moment is None or status == OrderStatus.REFUNDED:
            continue
        moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
        if (since and moment < since) or (until and moment >= until):
            continue
        units, earned = units + quantity, earned + quantity * payout
    return units, earned


def rupiah(amount: int) -> str:
    return "Rp\u00a0" + f"{amount:,}".replace(",", ".")  # as pages write it: a no-break space


# --- Access -----------------------------------------------------------------------------------


def test_anonymous_goes_to_login_and_customers_and_staff_are_refused(app, make, world):
    anonymous = app.test_client()
    for path in PAGES + (f"/portal/receipts/{world.receipt.number}",):
        response = anonymous.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    for role in (Role.CUSTOMER, Role.STAFF, Role.ADMIN):
        client = app.test_client()
        make.login(client, make.user(role))
        for path in PAGES + (f"/portal/receipts/{world.receipt.number}", "/portal/sales?format=csv"):
            assert client.get(path).status_code == 403, (role, path)


def test_another_producers_ids_are_404_on_every_portal_url(portal, world):
    assert portal.get(f"/portal/receipts/{world.receipt.number}").status_code == 200
    assert portal.get(f"/portal/returns/{world.my_return.number}").status_code == 200
    for path in (
        f"/portal/receipts/{world.other_receipt.number}",
        f"/portal/receipts/{world.other_receipt.number}?format=thermal",
        f"/portal/returns/{world.other_return.number}",
        f"/portal/returns/{world.other_return.number}?format=thermal",
        "/portal/receipts/TT-2026-99999",
        f"/portal/sales?product={world.songket.product_id}",
        f"/portal/sales?product={world.songket.product_id}&format=csv",
        "/portal/sales?product=abc",
        "/portal/statements/ST-2026-11-0001",
        "/portal/statements/ST-2026-11-0001.csv",
    ):
        assert portal.get(path).status_code == 404, path
    # Nothing of the other producer leaks into my pages either.
    for path in PAGES + ("/portal/sales?format=csv",):
        body = portal.get(path).get_data(as_text=True)
        assert "Songket Lain" not in body and world.other_receipt.number not in body, path
        assert world.other_return.number not in body, path


def test_the_other_producer_sees_only_its_own(app, make, world):
    client = app.test_client()
    make.login(client, world.other_user)
    assert client.get(f"/portal/receipts/{world.receipt.number}").status_code == 404
    assert client.get(f"/portal/receipts/{world.other_receipt.number}").status_code == 200
    body = text(client.get("/portal/sales"))
    assert "Songket Lain" in body and "Rendang Lokan Uji" not in body


def test_no_shopper_name_email_phone_or_street_anywhere_in_the_portal(portal, world):
    bodies = [portal.get(path).get_data(as_text=True) for path in PAGES]
    bodies.append(portal.get("/portal/sales?format=csv").get_data(as_text=True))
    bodies.append(portal.get(f"/portal/receipts/{world.receipt.number}").get_data(as_text=True))
    bodies.append(portal.get(f"/portal/returns/{world.my_return.number}").get_data(as_text=True))
    assert "Rendang Lokan Uji" in bodies[1]  # the sales page does list the sales
    for body in bodies:
        for secret in SECRETS:
            assert secret not in body, secret
        assert world.delivery.number not in body and world.delivery.tracking_number not in body


# --- Figures agree with the staff's reports and the allocations --------------------------------


def test_dashboard_figures_agree_with_the_staff_reports_and_the_allocations(portal, world):
    body = text(portal.get("/portal"))
    november = datetime(2026, 11, 1, tzinfo=clock.WIB)
    units, earnings = sold(world.me.id, since=november)
    # Delivery: 6 × 52.000 (the lot dated in 10 days is too short for Jakarta: 1 + 4 + 7 days);
    # counter: 3 × 33.000 + 1 × 50.000 (FEFO takes the soon-expiring lot over the counter).
    assert (units, earnings) == (10, 6 * 52_000 + 3 * 33_000 + 50_000)
    figures = re.search(r'<ul class="figures">(.*?)</ul>', body, re.S)[1]
    assert f"<strong>{units}</strong><span>unit terjual bulan ini" in figures
    assert f"<strong>{rupiah(earnings)}</strong><span>pendapatan bulan ini" in figures
    # Earnings due: what the settlements domain says is owed (nothing generated yet).
    from gallery.settlements.queries import earnings_due
    assert f"<strong>{rupiah(earnings_due(world.me.id))}</strong><span>belum dibayarkan kepada Anda" in figures
    # Stock value: the staff's stock-by-producer summary, to the rupiah.
    staff_row = next(r for r in reports.producer_stock_summary() if r.producer_id == world.me.id)
    assert f"<strong>{rupiah(staff_row.value)}</strong>" in figures
    assert f"nilai {staff_row.units} unit di rak" in figures
    # Lots expiring within 14 days: the staff's expiry report for this producer.
    expiring = [r for r in reports.expiry_report(14).expiring if r.producer_id == world.me.id]
    assert f"<strong>{len(expiring)}</strong><span>lot kedaluwarsa dalam 14 hari" in figures
    assert "belum ada setoran" in figures


def test_the_chart_is_inline_svg_with_twelve_labelled_bars(portal, world):
    body = text(portal.get("/portal"))
    svg = re.search(r"<svg class=\"sales-chart\".*?</svg>", body, re.S)[0]
    bars = re.findall(r"<rect class=\"bar[^\"]*\"[^>]*height=\"([\d.]+)\"><title>([^<]+)</title></rect>", svg)
    assert len(bars) == 12
    assert "<script" not in body and "chart.js" not in body.lower()
    titles = [title for _h, title in bars]
    assert titles[-1].startswith("November 2026: 10 unit") and titles[-2].startswith("Oktober 2026: 2 unit")
    assert titles[0].startswith("Desember 2025: 0 unit")
    heights = [float(h) for h, _t in bars]
    assert heights[-1] > heights[-2] > 0 and heights[:10] == [0.0] * 10
    assert ">Nov</text>" in svg and "<title id=\"chart-svg-title\">" in svg


def test_best_sellers_rank_by_units_in_the_last_90_days(portal, world):
    body = text(portal.get("/portal"))
    best = re.search(r'id="best-title">.*?</ol>', body, re.S)[0]
    assert best.index("Rendang Lokan Uji") < best.index("Galamai Uji")
    assert "9 unit" in best and "3 unit" in best  # 6 + 1 + 2 rendang; the refunded galamai does not count


def test_sales_lists_every_sold_allocation_with_channel_and_city_and_marks_the_refund(portal, world):
    body = text(portal.get("/portal/sales"))
    rows = re.findall(r'<tr class="sale-row[^"]*">(.*?)</tr>', body, re.S)
    expected = db.session.scalar(
        select(func.count(OrderAllocation.id)).join(OrderLine).join(Order).join(Lot, Lot.id == OrderAllocation.lot_id)
        .where(Lot.producer_id == world.me.id, is_sale()))
    assert len(rows) == expected == 5  # delivery 1 lot, counter 2 lines, pick-up, refunded (paid, handed over)
    assert body.count("Jakarta Pusat") == 1 and "Galeri" in body
    assert body.count("Kasir galeri") == 2 and body.count(">Online<") == 3
    assert body.count(">dikembalikan<") == 1
    units, earnings = sold(world.me.id)
    assert f"<strong>{units}</strong><span>unit terjual" in body
    assert f"<strong>{rupiah(earnings)}</strong><span>pendapatan" in body
    # The unpaid order is not a sale.
    assert len([r for r in rows if "Kotak" in r]) == 2  # counter galamai + the refunded one


def test_sales_filter_by_month_range_and_product(portal, world):
    october = text(portal.get("/portal/sales?month=2026-10"))
    assert len(re.findall(r'<tr class="sale-row', october)) == 1 and "<strong>2</strong>" in october
    ranged = text(portal.get("/portal/sales?from=2026-11-10&to=2026-11-10"))
    assert len(re.findall(r'<tr class="sale-row', ranged)) == 1 and ">dikembalikan<" in ranged
    galamai = text(portal.get(f"/portal/sales?product={world.galamai.product_id}"))
    assert len(re.findall(r'<tr class="sale-row', galamai)) == 2 and "Rendang Lokan Uji</td>" not in galamai
    bad = portal.get("/portal/sales?month=2026-13&from=kemarin")
    assert bad.status_code == 200 and "Bulan tidak dikenali" in bad.get_data(as_text=True)


def test_sales_csv_is_utf8_with_bom_and_has_the_same_rows(portal, world):
    response = portal.get("/portal/sales?format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Tanggal (WIB)", "Produk", "Varian", "Jumlah"]
    assert len(rows) == 1 + 5
    counted = [r for r in rows[1:] if r[8] != "Dikembalikan"]
    assert sum(int(r[5]) for r in counted) == sold(world.me.id)[1]
    assert {r[7] for r in rows[1:]} == {"Kota Administrasi Jakarta Pusat", "Galeri"}
    october = list(csv.reader(io.StringIO(portal.get("/portal/sales?format=csv&month=2026-10").get_data(as_text=True))))
    assert len(october) == 2 and october[1][0] == "2026-10-20"


def test_stock_lists_the_staff_lots_and_links_the_printable_documents(portal, world):
    body = text(portal.get("/portal/stock"))
    staff_lots = reports.producer_lots(world.me.id)
    totals = reports.lot_totals(staff_lots)
    assert body.count("<tr ") + body.count("<tr>") - 1 >= len(staff_lots)
    for lot in staff_lots:
        assert f"#{lot.lot_id}<" in body
    assert f"<strong>{totals.units}</strong>" in body and rupiah(totals.value) in body
    assert f'href="/portal/receipts/{world.receipt.number}"' in body
    assert f'href="/portal/returns/{world.my_return.number}"' in body
    receipt = text(portal.get(f"/portal/receipts/{world.receipt.number}"))
    assert "Tanda terima titipan barang" in receipt and world.me.owner_name in receipt
    assert "/staff/" not in receipt
    thermal = text(portal.get(f"/portal/receipts/{world.receipt.number}?format=thermal"))
    assert "doc-thermal" in thermal
    document = text(portal.get(f"/portal/returns/{world.my_return.number}"))
    assert "Nota retur barang titipan" in document and "Tidak laku" in document and "/staff/" not in document


def test_statements_page_says_there_are_none_yet(portal, world):
    body = text(portal.get("/portal/statements"))
    assert "Belum ada setoran" in body or "belum ada setoran" in body


# --- Statement counts ---------------------------------------------------------------------------


def _statements(client, path):
    with count_statements() as statements:
        assert client.get(path).status_code == 200
    return len(statements)


def test_dashboard_and_sales_run_a_fixed_number_of_statements(portal, make, world):
    before = (_statements(portal, "/portal"), _statements(portal, "/portal/sales"),
              _statements(portal, "/portal/stock"))
    # Many more sales, lots and documents: the same number of statements.
    from gallery.orders.placing import CartLine
    from tests.edges import counter_sale
    for _ in range(5):
        lot = make.stock(world.rendang, 3, expires_in_days=9)
        make.stock(world.galamai, 1, expires_in_days=30)
        counter_sale([CartLine(world.rendang.id, 2), CartLine(world.galamai.id, 1)], "qris", user=world.staff)
        assert lot.id
    after = (_statements(portal, "/portal"), _statements(portal, "/portal/sales"),
             _statements(portal, "/portal/stock"))
    assert before == after
    assert before[0] <= 10 and before[1] <= 7, before  # the dashboard reads what it may show and the terms too
