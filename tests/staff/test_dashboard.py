"""The staff dashboard at /staff: today's receipts, expiring lots, low stock and stock on the shelf."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from gallery import clock
from gallery.accounts.models import Role
from gallery.consignment import ledger
from gallery.consignment.documents import ReceiptLine, create_receipt
from gallery.consignment.models import MovementKind
from gallery.extensions import db
from gallery.staff.queries import dashboard_figures
from tests.sqlcount import count_statements

NOW = datetime(2026, 3, 10, 3, 0, tzinfo=timezone.utc)  # 10:00 WIB, 10 March 2026


@pytest.fixture(autouse=True)
def fixed_clock():
    clock.freeze(NOW)


@pytest.fixture
def staff_client(client, make):
    make.login(client, make.user(Role.STAFF))
    return client


def dashboard(client) -> str:
    response = client.get("/staff")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def figure(page: str, label: str) -> str:
    """The number shown above a dashboard figure's label."""
    match = re.search(r"<strong>([^<]+)</strong><span>" + re.escape(label), page)
    assert match, label
    return match.group(1)


def test_todays_receipts_follow_the_wib_calendar_day(staff_client, make):
    producer = make.producer("Anyaman Pandan Kambang")
    variant = make.product(producer, name="Tikar Pandan").variants[0]
    for moment, quantity in [
        (datetime(2026, 3, 9, 16, 30, tzinfo=timezone.utc), 4),  # 23:30 WIB on the 9th: yesterday
        (datetime(2026, 3, 9, 17, 30, tzinfo=timezone.utc), 5),  # 00:30 WIB on the 10th: today
        (NOW, 7),
    ]:
        clock.freeze(moment)
        create_receipt(producer, [ReceiptLine(variant.id, quantity), ReceiptLine(variant.id, 1)])
        db.session.commit()
    clock.freeze(NOW)

    page = dashboard(staff_client)
    assert 'href="/staff/receipts/TT-2026-00001"' not in page
    assert page.index('href="/staff/receipts/TT-2026-00003"') < page.index('href="/staff/receipts/TT-2026-00002"')
    assert "8 unit" in page and "6 unit" in page and "14 unit" in page  # each receipt, and the day's total
    assert "Anyaman Pandan Kambang" in page

    figures = dashboard_figures()
    assert [(r.number, r.units, r.lines) for r in figures.receipts_today] == [
        ("TT-2026-00003", 8, 2), ("TT-2026-00002", 6, 2)]


def test_stock_figures_expiring_lots_and_low_stock(staff_client, make):
    producer = make.producer("Rendang Bu Ani", commission_bp=2000)
    food = make.product(producer, name="Rendang", category="rendang",
                        variants=[(f"{n} g", 50_000, 300) for n in (100, 200, 300, 400, 500, 600, 700)])
    for days, variant in zip((9, 2, 12, 5, 7, 13), food.variants):
        make.stock(variant, 4, expires_in_days=days)  # six lots expiring within 14 days
    make.stock(food.variants[6], 10, expires_in_days=60)
    clock.freeze(NOW - timedelta(days=20))
    make.stock(food.variants[6], 3, expires_in_days=10)  # expired 10 days ago
    clock.freeze(NOW)
    make.product(producer, name="Habis", category="songket")  # published, no stock: sold out and low

    figures = dashboard_figures()
    assert figures.units_on_hand == 6 * 4 + 10  # the expired lot does not count
    assert figures.payout_value_on_hand == 34 * 40_000
    assert (figures.expiry.expiring_count, figures.expiry.expired_count) == (6, 1)
    assert [lot.days_to_expiry for lot in figures.expiry.soonest] == [2, 5, 7, 9, 12]
    assert figures.low_stock_variants == 1 and figures.sold_out_variants == 1

    page = dashboard(staff_client)
    assert figure(page, "unit di rak (belum kedaluwarsa)") == "34"
    assert figure(page, "nilai titipan di rak (harga titip)") == "Rp\u00a01.360.000"
    assert figure(page, "lot kedaluwarsa dalam 14 hari") == "6"
    assert figure(page, "lot sudah kedaluwarsa, masih di rak") == "1"
    assert figure(page, "varian stok menipis") == "1"
    assert 'href="/staff/stock/low"' in page and 'href="/staff/stock/expiring"' in page
    assert len(re.findall(r'href="/staff/lots/\d+"', page)) == 5
    assert "2 hari lagi" in page and "13 hari lagi" not in page
    assert "Belum ada barang titipan yang diterima hari ini" in page


def test_the_staff_menu_links_to_the_stock_screens(staff_client):
    page = dashboard(staff_client)
    for path, label in [("/staff/stock", "Stok"), ("/staff/stock/expiring", "Kedaluwarsa"),
                        ("/staff/stock/low", "Stok menipis"), ("/staff/stocktakes", "Stok opname")]:
        assert re.search(rf'<a href="{re.escape(path)}"[^>]*>{label}</a>', page), label


def test_the_dashboard_runs_the_same_statements_for_a_small_and_a_big_shop(staff_client, make):
    def grow(start: int, n: int):
        for i in range(start, start + n):
            producer = make.producer(f"IKM {i:03d}")
            product = make.product(producer, category="rendang", variants=[("A", 20_000, 100), ("B", 30_000, 100)])
            create_receipt(producer, [ReceiptLine(product.variants[0].id, 2, expires_on=NOW.date() + timedelta(days=5)),
                                      ReceiptLine(product.variants[1].id, 9, expires_on=NOW.date() + timedelta(days=90))])
            db.session.commit()

    grow(0, 1)
    with count_statements() as few:
        dashboard(staff_client)
    grow(1, 30)
    with count_statements() as many:
        page = dashboard(staff_client)
    assert page.count('href="/staff/receipts/TT-2026-') == 31
    assert len(many) == len(few) <= 13, len(many)  # counted again after each change; kept: six


@pytest.mark.parametrize("role", [Role.PRODUCER, Role.CUSTOMER])
def test_only_back_office_users_see_the_dashboard(client, make, role):
    assert client.get("/staff").headers["Location"].startswith("/login")
    make.login(client, make.user(role, producer=make.producer() if role == Role.PRODUCER else None))
    assert client.get("/staff").status_code == 403


def test_the_whole_table_counts_are_kept_until_stock_or_the_day_changes(staff_client, make):
    # Given the dashboard was shown once
    producer = make.producer("IKM Simpan")
    product = make.product(producer, category="rendang", variants=[("A", 20_000, 100)])
    lot = create_receipt(producer, [ReceiptLine(product.variants[0].id, 6, expires_on=NOW.date() + timedelta(days=3))]).lots[0]
    db.session.commit()
    assert figure(dashboard(staff_client), "unit di rak") == "6"
    # When it is shown again, the counts are not read again (five statements instead of twelve)
    with count_statements() as kept:
        dashboard(staff_client)
    assert len(kept) <= 6, kept
    # But a unit written off shows at once
    ledger.take(lot, 1, MovementKind.WRITE_OFF, reason="rusak")
    db.session.commit()
    assert figure(dashboard(staff_client), "unit di rak") == "5"
    # And at midnight WIB the lot expiring counts move on without any write
    clock.freeze(datetime(2026, 3, 13, 17, 0, tzinfo=timezone.utc))  # 00:00 WIB on the 14th: the lot lapsed
    assert figure(dashboard(staff_client), "unit di rak") == "0"
