"""Staff stock screens under /staff: stock by producer, expiring, low stock, slow movers, their CSV
exports, and stock-takes (stok opname), all through the test client."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from gallery import clock
from gallery.accounts.models import Role
from gallery.cache import store
from gallery.consignment.documents import ReceiptLine, create_receipt, write_off
from gallery.consignment.ledger import allocate, lot_balances
from gallery.consignment.models import Lot, StockMovement, StockTake
from gallery.extensions import db
from tests.factories import csrf_token
from tests.sqlcount import count_statements

NOW = datetime(2026, 3, 10, 3, 0, tzinfo=timezone.utc)  # 10:00 WIB, 10 March 2026


@pytest.fixture(autouse=True)
def fixed_clock():
    clock.freeze(NOW)


def at(days_ago: int):
    """Run the following stock-making calls `days_ago` days before NOW."""
    clock.freeze(NOW - timedelta(days=days_ago))


@pytest.fixture
def staff_client(client, make):
    make.login(client, make.user(Role.STAFF, email="staf@uji.test"))
    return client


@pytest.fixture
def admin_client(app, make):
    other = app.test_client()
    make.login(other, make.user(Role.ADMIN, email="admin@uji.test"))
    return other


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def lot_ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/staff/lots/(\d+)"', page)]


def section(page: str, title_id: str) -> str:
    match = re.search(rf'<section[^>]*aria-labelledby="{title_id}".*?</section>', page, re.S)
    assert match, title_id
    return match.group(0)


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff"), "Excel needs the byte-order mark"
    return list(csv.reader(io.StringIO(text[1:])))


def filename(response) -> str:
    return re.search(r'filename="([^"]+)"', response.headers["Content-Disposition"]).group(1)


@pytest.fixture
def shop(make):
    """Two producers: food with a receipt, an expiring and an expired lot; crafts with plain stock."""
    ani = make.producer("Rendang Bu Ani", whatsapp="0812 3456 7890", commission_bp=2000)
    rendang = make.product(ani, name="Rendang Lokan", category="rendang", variants=[("250 g", 65_000, 300)]).variants[0]
    galamai = make.product(ani, name="Galamai", category="rendang", variants=[("500 g", 40_000, 500)]).variants[0]
    rosni = make.producer("Sulaman Rosni", commission_bp=1500)
    sulaman = make.product(rosni, name="Selendang Sulam", category="songket",
                           variants=[("Merah", 300_000, 300)]).variants[0]
    at(40)
    receipt = create_receipt(ani, [ReceiptLine(rendang.id, 10, expires_on=clock.today_wib() + timedelta(days=90),
                                               shelf="A1")])
    db.session.commit()
    at(20)
    expired = make.stock(galamai, 4, expires_in_days=15)  # expired 5 days before NOW
    at(0)
    expiring = make.stock(galamai, 6, expires_in_days=3)
    crafts = make.stock(sulaman, 2)
    emptied = make.stock(sulaman, 1)
    write_off(emptied, 1, "damaged", "Sobek")
    db.session.commit()
    return dict(ani=ani, rosni=rosni, rendang=rendang, galamai=galamai, sulaman=sulaman, receipt=receipt,
                received=receipt.lots[0], expired=expired, expiring=expiring, crafts=crafts, emptied=emptied)


# --- Stock by producer -------------------------------------------------------------------------


def test_summary_lists_each_producer_with_units_value_lots_and_nearest_expiry(staff_client, shop, make):
    make.producer("IKM Tanpa Stok")
    page = html(staff_client.get("/staff/stock"))
    assert "Rendang Bu Ani" in page and "Sulaman Rosni" in page and "IKM Tanpa Stok" in page
    assert f'href="/staff/stock?producer={shop["ani"].id}"' in page
    assert "Rp\u00a0840.000" in page  # Ani: 10×52.000 + 4×32.000 + 6×32.000 (expired units are still on the shelf)
    assert "4 unit kedaluwarsa" in page

    rows = csv_rows(staff_client.get("/staff/stock?format=csv"))
    assert rows[0][:4] == ["ID produsen", "Produsen", "Aktif", "Unit di rak"]
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["Rendang Bu Ani"][3:] == ["20", "840000", "3", "4", "2026-03-05"]
    assert by_name["Sulaman Rosni"][3:] == ["2", "510000", "1", "0", ""]
    assert by_name["IKM Tanpa Stok"][3:] == ["0", "0", "0", "0", ""]


def test_a_producers_stock_shows_its_lots_on_hand_and_nothing_else(staff_client, shop):
    page = html(staff_client.get(f"/staff/stock?producer={shop['ani'].id}"))
    assert sorted(lot_ids(page)) == sorted([shop["received"].id, shop["expired"].id, shop["expiring"].id])
    assert f'href="/staff/receipts/{shop["receipt"].number}"' in page
    assert "Rendang Lokan" in page and "Selendang Sulam" not in page
    assert "40 hari" in page and "20 hari" in page  # age of the lots
    assert page.count('class="badge badge-expired">kedaluwarsa<') == 1
    assert "A1" in page and "Rp\u00a0840.000" in page  # shelf, total value
    assert "+6281234567890" in page  # WhatsApp of the producer

    crafts = html(staff_client.get(f"/staff/stock?producer={shop['rosni'].id}"))
    assert lot_ids(crafts) == [shop["crafts"].id]  # the written-off lot (0 on hand) is not listed


def test_the_csv_of_a_producers_stock_has_plain_numbers_and_iso_dates(staff_client, shop):
    response = staff_client.get(f"/staff/stock.csv?producer={shop['ani'].id}")
    assert filename(response) == f"stok-{shop['ani'].slug}-2026-03-10.csv"
    rows = csv_rows(response)
    assert rows[0] == ["Lot", "Produk", "Varian", "SKU", "Tanda terima", "Diterima", "Umur (hari)", "Kedaluwarsa",
                       "Sudah kedaluwarsa", "Rak", "Di rak", "Harga titip", "Nilai"]
    by_lot = {int(row[0]): row for row in rows[1:]}
    assert set(by_lot) == {shop["received"].id, shop["expired"].id, shop["expiring"].id}
    assert by_lot[shop["received"].id][4:] == [shop["receipt"].number, "2026-01-29", "40", "2026-04-29", "0", "A1",
                                                "10", "52000", "520000"]
    assert by_lot[shop["expired"].id][7:9] == ["2026-03-05", "1"]
    assert staff_client.get(f"/staff/stock?producer={shop['ani'].id}&format=csv").get_data() == response.get_data()


def test_an_unknown_producer_falls_back_to_the_summary_with_a_notice(staff_client, shop):
    for value in ("99999", "abc", "-1"):
        page = html(staff_client.get(f"/staff/stock?producer={value}"))
        assert "Produsen tidak dikenal" in page and "Stok per produsen" in page


# --- Expiring ---------------------------------------------------------------------------------


def test_expiring_lists_lots_within_the_days_and_expired_ones_separately(staff_client, shop, make):
    far = make.stock(shop["galamai"], 3, expires_in_days=20)
    page = html(staff_client.get("/staff/stock/expiring"))
    assert lot_ids(section(page, "expired-title")) == [shop["expired"].id]
    assert lot_ids(section(page, "expiring-title")) == [shop["expiring"].id]
    assert far.id not in lot_ids(page) and shop["crafts"].id not in lot_ids(page)  # later, or no expiry at all
    assert "3 hari lagi" in page

    wider = html(staff_client.get("/staff/stock/expiring?days=30"))
    assert lot_ids(section(wider, "expiring-title")) == [shop["expiring"].id, far.id]
    assert shop["received"].id not in lot_ids(wider)  # 50 days left


def test_an_expired_lot_that_went_back_is_not_listed(staff_client, shop):
    write_off(db.session.get(Lot, shop["expired"].id), 4, "expired_destroyed", "Dimusnahkan")
    db.session.commit()
    page = html(staff_client.get("/staff/stock/expiring"))
    assert "Tidak ada lot kedaluwarsa di rak" in page and shop["expired"].id not in lot_ids(page)


@pytest.mark.parametrize("days", ["abc", "0", "366", "-3", "1.5", "99999999999"])
def test_a_bad_number_of_days_falls_back_to_14_with_a_notice(staff_client, shop, days):
    page = html(staff_client.get(f"/staff/stock/expiring?days={days}"))
    assert "Jumlah hari harus bilangan bulat 1 sampai 365; dipakai 14 hari." in page
    assert "Kedaluwarsa dalam 14 hari" in page


def test_the_expiry_csv_marks_each_lot(staff_client, shop):
    response = staff_client.get("/staff/stock/expiring.csv?days=7")
    assert filename(response) == "stok-kedaluwarsa-7-hari-2026-03-10.csv"
    rows = csv_rows(response)
    assert [row[:4] for row in rows[1:]] == [
        ["kedaluwarsa", "2026-03-05", "-5", str(shop["expired"].id)],
        ["segera kedaluwarsa", "2026-03-13", "3", str(shop["expiring"].id)],
    ]
    assert rows[1][-3:] == ["4", "32000", "128000"]


# --- Low stock --------------------------------------------------------------------------------


def test_low_stock_lists_variants_below_their_threshold_including_sold_out(staff_client, make):
    ani = make.producer("Rendang Bu Ani", whatsapp="081234567890")
    product = make.product(ani, name="Keripik Balado", category="rendang",
                           variants=[("Kecil", 15_000, 100), ("Sedang", 25_000, 200), ("Besar", 45_000, 400),
                                     ("Tahunan", 50_000, 400), ("Lama", 50_000, 400)])
    low, plenty, sold_out, stale, custom = product.variants
    make.stock(low, 2)
    make.stock(plenty, 5)
    at(30)
    make.stock(stale, 5, expires_in_days=10)  # expired 20 days ago: nothing sellable
    at(0)
    make.stock(custom, 6)
    custom.low_stock_threshold = 10
    # Not on the list: an inactive variant, an unpublished product, an inactive producer.
    hidden = make.product(ani, name="Draf Rendang", category="rendang", published=False).variants[0]
    gone = make.producer("IKM Tutup")
    closed = make.product(gone, name="Anyaman Tutup").variants[0]
    gone.is_active = False
    extra = make.product(ani, name="Varian Nonaktif", category="rendang").variants[0]
    extra.is_active = False
    db.session.commit()

    page = html(staff_client.get("/staff/stock/low"))
    for variant in (low, sold_out, stale, custom):
        assert variant.sku in page
    for variant in (plenty, hidden, closed, extra):
        assert variant.sku not in page
    assert "https://wa.me/6281234567890?text=" in page
    assert page.count(">habis<") == 2

    rows = csv_rows(staff_client.get("/staff/stock/low?format=csv"))
    assert rows[0] == ["Produsen", "WhatsApp", "Produk", "Varian", "SKU", "Bisa dijual", "Batas menipis",
                       "Unit kedaluwarsa"]
    assert {row[4]: row[5:] for row in rows[1:]} == {
        low.sku: ["2", "3", "0"], sold_out.sku: ["0", "3", "0"], stale.sku: ["0", "3", "5"],
        custom.sku: ["6", "10", "0"],
    }
    assert {row[1] for row in rows[1:]} == {"6281234567890"}


# --- Slow movers ------------------------------------------------------------------------------


def test_slow_movers_are_old_stock_without_a_recent_sale(staff_client, make):
    rosni = make.producer("Sulaman Rosni")
    product = make.product(rosni, name="Selendang", category="songket",
                           variants=[("Tak laku", 100_000, 300), ("Laku", 100_000, 300), ("Dulu laku", 100_000, 300),
                                     ("Baru", 100_000, 300)])
    never, recent, long_ago, fresh = product.variants
    at(90)
    for variant in (never, recent, long_ago):
        make.stock(variant, 5)
    at(70)
    allocate(long_ago, 1, reference="ORD-1")
    db.session.commit()
    at(10)
    allocate(recent, 1, reference="ORD-2")
    db.session.commit()
    at(30)
    make.stock(fresh, 5)
    at(0)

    page = html(staff_client.get("/staff/stock/slow"))
    assert never.sku in page and long_ago.sku in page
    assert recent.sku not in page and fresh.sku not in page
    assert "belum pernah" in page and "70 hari lalu" in page

    rows = csv_rows(staff_client.get("/staff/stock/slow.csv"))
    assert filename(staff_client.get("/staff/stock/slow.csv")) == "stok-lambat-laku-60-hari-2026-03-10.csv"
    by_sku = {row[3]: row for row in rows[1:]}
    assert set(by_sku) == {never.sku, long_ago.sku}
    assert by_sku[never.sku][4:] == ["5", "400000", "1", "2025-12-10", "90", "", ""]
    assert by_sku[long_ago.sku][4:] == ["4", "320000", "1", "2025-12-10", "90", "2025-12-30", "70"]

    shorter = html(staff_client.get("/staff/stock/slow?days=20"))
    assert fresh.sku in shorter and recent.sku not in shorter
    assert "Jumlah hari harus" in html(staff_client.get("/staff/stock/slow?days=x"))


def test_csv_cells_that_look_like_formulas_are_neutralised(staff_client, make):
    producer = make.producer("=HYPERLINK(\"x\")")
    make.stock(make.product(producer, name="@Anyaman").variants[0], 1)
    rows = csv_rows(staff_client.get(f"/staff/stock.csv?producer={producer.id}"))
    assert rows[1][1] == "'@Anyaman"
    summary = csv_rows(staff_client.get("/staff/stock.csv"))
    assert summary[1][1] == "'=HYPERLINK(\"x\")"


# --- Stock-takes --------------------------------------------------------------------------------


def post(client, path: str, data: dict, token_from: str):
    return client.post(path, data=dict(data, csrf_token=csrf_token(client, token_from)))


def stock_take_count() -> int:
    return db.session.scalar(select(func.count(StockTake.id)))


def test_a_stock_take_from_start_to_printed_report(staff_client, admin_client, shop):
    response = post(staff_client, "/staff/stocktakes", {"scope": "producer", "producer_id": shop["ani"].id},
                    "/staff/stocktakes")
    assert response.status_code == 302
    number = "SO-2026-00001"
    assert response.headers["Location"] == f"/staff/stocktakes/{number}"
    sheet = html(staff_client.get(f"/staff/stocktakes/{number}"))
    assert "Lembar hitung stok opname" in sheet and "Menurut buku" in sheet
    line_ids = dict(zip(lot_ids(sheet), (int(n) for n in re.findall(r'name="counted-(\d+)"', sheet))))
    assert set(line_ids) == {shop["received"].id, shop["expired"].id, shop["expiring"].id}
    path = f"/staff/stocktakes/{number}"

    # A bad number: 422, a message by the line, nothing saved.
    bad = post(staff_client, path, {f"counted-{line_ids[shop['received'].id]}": "sembilan"}, path)
    assert bad.status_code == 422
    assert "Isi dengan bilangan bulat 0 sampai 100.000" in bad.get_data(as_text=True)
    assert 'value="sembilan"' in bad.get_data(as_text=True)

    # Counted: 2 rendang missing, 1 galamai more than the books, the expired lot as booked.
    counts = {shop["received"].id: "8", shop["expiring"].id: "7", shop["expired"].id: ""}
    saved = post(staff_client, path, {f"counted-{line_ids[lot]}": value for lot, value in counts.items()}, path)
    assert saved.status_code == 302
    sheet = html(staff_client.get(path))
    assert "2 dari 3 lot sudah dihitung" in sheet
    post(staff_client, path, {f"counted-{line_ids[shop['expired'].id]}": "4"}, path)
    sheet = html(staff_client.get(path))
    assert "Menunggu konfirmasi admin" in sheet and "/confirm" not in sheet

    # Staff may not confirm.
    assert post(staff_client, f"{path}/confirm", {}, path).status_code == 403
    assert db.session.get(Lot, shop["received"].id).on_hand == 10

    # The admin confirms: the differences become corrections.
    assert "Konfirmasi dan catat koreksi" in html(admin_client.get(path))
    confirmed = post(admin_client, f"{path}/confirm", {}, path)
    assert confirmed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Lot, shop["received"].id).on_hand == 8
    assert db.session.get(Lot, shop["expiring"].id).on_hand == 7
    assert db.session.get(Lot, shop["expired"].id).on_hand == 4
    corrections = db.session.scalars(select(StockMovement).where(StockMovement.reference == number)).all()
    assert sorted((m.lot_id, m.quantity, m.kind) for m in corrections) == sorted(
        [(shop["received"].id, -2, "correction"), (shop["expiring"].id, 1, "correction")])
    assert all(balance.balanced for balance in lot_balances().values())

    report = html(staff_client.get(path))
    assert "Berita acara stok opname" in report and "Dikonfirmasi" in report
    assert "-Rp\u00a0104.000" in report and "Rp\u00a032.000" in report  # -2 × 52.000, +1 × 32.000
    assert "selisih bersih pada harga titip" in report and "-Rp\u00a072.000" in report
    assert "Petugas penghitung" in report and "Admin yang mengonfirmasi" in report
    assert re.search(r'stocktake-print\.[0-9a-f]{10}\.css" media="print"', report) and 'class="signatures"' in report
    assert 'name="counted-' not in report  # closed: nothing to edit

    # A closed count cannot be changed or confirmed again.
    again = post(staff_client, path, {f"counted-{line_ids[shop['received'].id]}": "1"}, path)
    assert again.status_code == 422 and "sudah ditutup" in again.get_data(as_text=True)
    assert post(admin_client, f"{path}/confirm", {}, path).status_code == 422

    listing = html(staff_client.get("/staff/stocktakes"))
    assert number in listing and "Dikonfirmasi" in listing and "Rendang Bu Ani" in listing


def test_a_stock_take_by_shelf_and_its_cancellation(staff_client, shop):
    page = html(staff_client.get("/staff/stocktakes"))
    assert '<option value="A1"' in page
    response = post(staff_client, "/staff/stocktakes", {"scope": "shelf", "shelf": "A1"}, "/staff/stocktakes")
    assert response.status_code == 302
    path = response.headers["Location"]
    sheet = html(staff_client.get(path))
    assert lot_ids(sheet) == [shop["received"].id] and "Rak A1" in sheet
    assert "Rendang Bu Ani" in sheet  # a shelf holds many producers' goods: each line names its producer
    cancelled = post(staff_client, f"{path}/cancel", {}, path)
    assert cancelled.status_code == 302 and cancelled.headers["Location"] == "/staff/stocktakes"
    assert db.session.scalar(select(StockTake.status)) == "cancelled"
    assert "dibatalkan" in html(staff_client.get(path))
    assert db.session.scalar(select(func.count(StockMovement.id)).where(StockMovement.kind == "correction")) == 0


@pytest.mark.parametrize("data, message", [
    ({"scope": "producer", "producer_id": ""}, "Pilih produsen yang akan dihitung."),
    ({"scope": "producer", "producer_id": "99999"}, "Pilih produsen dari daftar."),
    ({"scope": "producer", "producer_id": "x"}, "Pilih produsen dari daftar."),
    ({"scope": "producer", "producer": "tidak ada"}, "Tidak ada produsen bernama"),
    ({"scope": "producer", "producer": "an"}, "Lebih dari satu produsen cocok"),
    ({"scope": "shelf", "shelf": ""}, "Pilih rak yang akan dihitung."),
    ({"scope": "shelf", "shelf": "Z9"}, "Tidak ada stok untuk dihitung di sini."),
    ({}, "Pilih satu produsen atau satu rak."),
])
def test_starting_a_stock_take_badly_is_refused_and_writes_nothing(staff_client, shop, data, message):
    response = post(staff_client, "/staff/stocktakes", data, "/staff/stocktakes")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert stock_take_count() == 0


def test_a_stock_take_of_a_producer_named_by_staff(staff_client, shop):
    # The form takes a typed business name (no select of every producer in the registry)
    page = html(staff_client.get("/staff/stocktakes"))
    assert 'name="producer"' in page and "<option" not in page.split("Hitung per rak")[0]
    response = post(staff_client, "/staff/stocktakes", {"scope": "producer", "producer": "sulaman ros"},
                    "/staff/stocktakes")
    assert response.status_code == 302 and stock_take_count() == 1


def test_a_producer_without_stock_cannot_be_counted(staff_client, make):
    empty = make.producer("IKM Kosong")
    response = post(staff_client, "/staff/stocktakes", {"scope": "producer", "producer_id": empty.id},
                    "/staff/stocktakes")
    assert response.status_code == 422 and "Tidak ada stok" in response.get_data(as_text=True)
    assert stock_take_count() == 0


def test_an_unknown_stock_take_is_404(staff_client):
    assert staff_client.get("/staff/stocktakes/SO-2026-99999").status_code == 404


def test_post_without_csrf_token_is_refused(staff_client, shop):
    response = staff_client.post("/staff/stocktakes", data={"scope": "producer", "producer_id": shop["ani"].id})
    assert response.status_code == 400
    assert stock_take_count() == 0


# --- Access -------------------------------------------------------------------------------------

GET_PATHS = ["/staff/stock", "/staff/stock.csv", "/staff/stock?producer=1&format=csv", "/staff/stock/expiring",
             "/staff/stock/expiring.csv", "/staff/stock/low", "/staff/stock/low.csv", "/staff/stock/slow",
             "/staff/stock/slow.csv", "/staff/stocktakes", "/staff/stocktakes/SO-2026-00001"]
POST_PATHS = ["/staff/stocktakes", "/staff/stocktakes/SO-2026-00001", "/staff/stocktakes/SO-2026-00001/confirm",
              "/staff/stocktakes/SO-2026-00001/cancel"]


def test_anonymous_users_are_sent_to_login(client):
    for path in GET_PATHS:
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path
    for path in POST_PATHS:
        # The CSRF check runs first for POSTs without a token; with a session token the login redirect shows.
        token = csrf_token(client, "/login")
        response = client.post(path, data={"csrf_token": token})
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path


@pytest.mark.parametrize("role", [Role.PRODUCER, Role.CUSTOMER])
def test_producers_and_customers_get_403(client, make, role):
    producer = make.producer() if role == Role.PRODUCER else None
    make.login(client, make.user(role, producer=producer))
    for path in GET_PATHS:
        assert client.get(path).status_code == 403, path
    token = csrf_token(client, "/")  # the logout form of any page
    for path in POST_PATHS:
        assert client.post(path, data={"csrf_token": token}).status_code == 403, path


# --- No N+1 -------------------------------------------------------------------------------------


def _statements(client, path: str) -> int:
    store().clear()  # what the page costs when nothing of it is cached
    with count_statements() as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements)


def _grow(make, n: int, start: int = 0):
    """n producers, each with a food product (two variants) and lots in every state the lists show."""
    made = []
    for i in range(start, start + n):
        producer = make.producer(f"IKM Banyak {i:03d}", whatsapp="081200000000")
        food = make.product(producer, category="rendang", variants=[("A", 30_000, 200), ("B", 40_000, 200)])
        a, b = food.variants
        at(100)
        make.stock(a, 2, expires_in_days=95)  # expired 5 days ago
        old = make.stock(b, 5, expires_in_days=200)
        old.shelf = "R1"
        at(0)
        make.stock(a, 1, expires_in_days=5)  # low and expiring
        made.append(producer)
    db.session.commit()
    return made


LIST_PATHS = ["/staff/stock", "/staff/stock/expiring", "/staff/stock/low", "/staff/stock/slow", "/staff/stocktakes",
              "/staff/stock.csv", "/staff/stock/expiring.csv", "/staff/stock/low.csv", "/staff/stock/slow.csv"]


def test_list_pages_run_the_same_number_of_statements_for_few_and_many_rows(staff_client, make):
    first = _grow(make, 2)
    post(staff_client, "/staff/stocktakes", {"scope": "producer", "producer_id": first[0].id}, "/staff/stocktakes")
    few = [_statements(staff_client, path)
           for path in LIST_PATHS + [f"/staff/stock?producer={first[0].id}", "/staff/stocktakes/SO-2026-00001"]]
    more = _grow(make, 25, start=2)
    for producer in more[:5]:
        post(staff_client, "/staff/stocktakes", {"scope": "producer", "producer_id": producer.id}, "/staff/stocktakes")
    post(staff_client, "/staff/stocktakes", {"scope": "shelf", "shelf": "R1"}, "/staff/stocktakes")
    assert "IKM Banyak 026" in html(staff_client.get("/staff/stock"))
    assert len(lot_ids(html(staff_client.get("/staff/stocktakes/SO-2026-00007")))) == 27
    assert len(lot_ids(html(staff_client.get(f"/staff/stock?producer={more[0].id}")))) == 3
    many = [_statements(staff_client, path)
            for path in LIST_PATHS + [f"/staff/stock?producer={more[0].id}", "/staff/stocktakes/SO-2026-00007"]]
    assert many == few
    assert max(many) <= 8, many


def test_stock_per_producer_is_a_searchable_page_of_50_with_totals_over_all(staff_client, make):
    # Given 55 producers, each with 2 units on the shelf
    for n in range(55):
        producer = make.producer(f"IKM Rak {n:02d}")
        make.stock(make.product(producer).variants[0], 2)
    # When the stock list is opened
    first = html(staff_client.get("/staff/stock"))
    # Then it shows 50 producers, the pager, and totals over all 55
    assert first.count('href="/staff/stock?producer=') == 50
    assert "Halaman 1 dari 2" in first and "55 produsen" in first
    assert re.search(r'data-label="Unit di rak" class="num">110<', first)
    assert html(staff_client.get("/staff/stock?page=2")).count('href="/staff/stock?producer=') == 5
    # And a search narrows it by name, its totals too
    found = html(staff_client.get("/staff/stock?q=rak+07"))
    assert found.count('href="/staff/stock?producer=') == 1 and "IKM Rak 07" in found
    assert re.search(r'data-label="Unit di rak" class="num">2<', found)
    # And no list of every producer is sent with the page
    assert "<option" not in first


def test_low_stock_and_slow_movers_show_100_rows_a_page_with_figures_over_all(staff_client, make):
    # Given 103 variants with one unit each, received 120 days ago and never sold (low and slow both)
    at(120)
    producer = make.producer("IKM Seratus")
    for _ in range(103):
        make.stock(make.product(producer).variants[0], 1)
    clock.freeze(NOW)
    # When the lists are opened
    low, low_next = html(staff_client.get("/staff/stock/low")), html(staff_client.get("/staff/stock/low?page=2"))
    slow = html(staff_client.get("/staff/stock/slow"))
    slow_next = html(staff_client.get("/staff/stock/slow?page=2"))
    # Then each shows 100 rows, the rest on page 2, and counts over all 103
    assert low.count('class="lead">Produk Uji') == 100 and low_next.count('class="lead">Produk Uji') == 3
    assert "103 varian di bawah batas stok" in low and "Halaman 1 dari 2" in low
    assert slow.count("<strong>Produk Uji") == 100 and slow_next.count("<strong>Produk Uji") == 3
    assert "103 varian" in slow and re.search(r'data-label="Di rak" class="num">103<', slow)
    # And the CSV files still hold every row
    assert staff_client.get("/staff/stock/low.csv").get_data(as_text=True).count("IKM Seratus") == 103


def test_the_expiry_list_shows_100_lots_a_page_expired_first_with_totals_over_all(staff_client, make):
    # Given 2 lots already expired and 101 expiring within the month, one unit each
    at(10)
    producer = make.producer("IKM Seratus Tiga")
    for n in range(103):
        make.stock(make.product(producer, category="rendang").variants[0], 1, expires_in_days=5 if n < 2 else 15)
    clock.freeze(NOW)
    first, second = html(staff_client.get("/staff/stock/expiring")), html(staff_client.get("/staff/stock/expiring?page=2"))
    # Then page 1 holds the 2 expired and 98 expiring lots, page 2 the last 3, each section totalled over all
    assert len(lot_ids(first)) == 100 and len(lot_ids(second)) == 3
    assert "Halaman 1 dari 2" in first
    assert "2 lot kedaluwarsa ada di halaman sebelumnya." in second
    assert re.search(r'class="lead">101 lot<', first) and re.search(r'class="lead">2 lot<', first)
