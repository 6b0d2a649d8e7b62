"""Staff screens for receipts, returns, write-offs, corrections and lot history, through the test client."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gallery import clock
from gallery.accounts.models import Role
from gallery.consignment.documents import ReceiptLine, ReturnLine, create_receipt, return_to_producer
from gallery.consignment.forms import parse_whole_number
from gallery.consignment.models import ConsignmentReceipt, Lot, ProducerReturn, StockMovement
from gallery.extensions import db
from tests.factories import csrf_token
from tests.sqlcount import count_statements

def counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (ConsignmentReceipt, Lot, StockMovement, ProducerReturn)
    )


def in_days(n):
    return clock.today_wib() + timedelta(days=n)


def text_of(response) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'").replace("&amp;", "&")


def post(client, path: str, data: dict, token_from: str | None = None):
    return client.post(path, data=dict(data, csrf_token=csrf_token(client, token_from or path)))


def line_rows(*rows: dict, blank: int = 2) -> dict:
    """Form data for receipt rows (variant, quantity, unit_payout, expires_on, shelf, notes), plus blank rows."""
    data = {}
    keys = ("variant_id", "quantity", "unit_payout", "expires_on", "shelf", "notes")
    for index, row in enumerate([*rows, *({} for _ in range(blank))]):
        for key in keys:
            value = row.get(key, "")
            data[f"lines-{index}-{key}"] = str(value) if value is not None else ""
    return data


@pytest.fixture
def staff(make):
    return make.user(Role.STAFF)


@pytest.fixture
def staff_client(client, make, staff):
    make.login(client, staff)
    return client


@pytest.fixture
def admin_client(client, make):
    make.login(client, make.user(Role.ADMIN))
    return client


@pytest.fixture
def goods(make):
    """A demo-like producer with three products: rendang (food), songket (two variants), a pandan bag."""
    producer = make.producer("Rendang Bu Ani", owner_name="Ani Marlina", commission_bp=2000)
    rendang = make.product(producer, name="Rendang Lokan", category="rendang", variants=[("250 g", 65_000, 300)])
    songket = make.product(producer, name="Songket Batang Kapas", category="songket",
                           variants=[("Selendang", 450_000, 400), ("Sarung", 900_000, 800)])
    bag = make.product(producer, name="Tas Anyaman Pandan", category="anyaman", variants=[("Sedang", 120_000, 350)])
    return producer, rendang, songket, bag


def receive(producer, *lines, user=None):
    receipt = create_receipt(producer, list(lines), user=user)
    db.session.commit()
    return receipt


# ---------------------------------------------------------------------------------------------
# Receipts


def test_staff_receives_three_products_and_they_appear_in_stock_on_the_storefront(staff_client, goods, staff):
    producer, rendang, songket, bag = goods
    for product in (rendang, songket, bag):
        assert "Habis" in text_of(staff_client.get(f"/products/{product.slug}"))

    step1 = text_of(staff_client.get("/staff/receipts/new"))
    assert f'<option value="{producer.id}">Rendang Bu Ani</option>' in step1
    path = f"/staff/receipts/new?producer={producer.id}"
    step2 = text_of(staff_client.get(path))
    assert len(re.findall(r'<select[^>]*name="lines-\d+-variant_id"', step2)) == 5
    sku = rendang.variants[0].sku
    assert f"Rendang Lokan — 250 g ({sku}) · Rp 65.000 · titip Rp 52.000 · pangan" in step2

    selendang = songket.variants[0]
    response = post(staff_client, path, line_rows(
        dict(variant_id=rendang.variants[0].id, quantity=20, expires_on=in_days(90).isoformat(), shelf="A1"),
        dict(variant_id=selendang.id, quantity=3, unit_payout="Rp 400.000", notes="motif pucuk rebung"),
        dict(variant_id=bag.variants[0].id, quantity="12"),
    ) | {"notes": "Diantar sendiri oleh pemilik"})
    assert response.status_code == 302
    receipt = db.session.scalar(select(ConsignmentReceipt))
    year = clock.today_wib().year
    assert receipt.number == f"TT-{year}-00001"
    assert response.headers["Location"] == f"/staff/receipts/TT-{year}-00001"
    assert receipt.created_by_id == staff.id and receipt.notes == "Diantar sendiri oleh pemilik"
    lots = receipt.lots
    assert [(lot.quantity_received, lot.on_hand, lot.unit_payout) for lot in lots] == [
        (20, 20, 52_000), (3, 3, 400_000), (12, 12, 96_000)]
    assert lots[0].expires_on == in_days(90) and lots[0].shelf == "A1" and lots[1].notes == "motif pucuk rebung"

    page = text_of(staff_client.get(response.headers["Location"]))
    assert f"Tanda terima TT-{year}-00001 tersimpan: 3 lot, 35 unit." in page

    assert "Tersedia" in text_of(staff_client.get(f"/products/{rendang.slug}"))
    assert "Tersedia" in text_of(staff_client.get(f"/products/{bag.slug}"))
    songket_page = text_of(staff_client.get(f"/products/{songket.slug}"))
    assert "Stok tersisa 3" in songket_page and "Habis" in songket_page  # the sarung was not received

    listing = text_of(staff_client.get("/staff/receipts"))
    assert f"TT-{year}-00001" in listing and "Rendang Bu Ani" in listing
    assert "Rp\u00a03.392.000" in listing and ">35<" in listing


def test_tambah_baris_shows_five_more_rows_and_keeps_what_was_typed(staff_client, goods):
    producer, rendang, _, _ = goods
    before = counts()
    path = f"/staff/receipts/new?producer={producer.id}"
    data = line_rows(dict(variant_id=rendang.variants[0].id, quantity=7, shelf="B2"), blank=4)
    response = post(staff_client, path, data | {"add_rows": "1"})
    assert response.status_code == 200
    page = text_of(response)
    assert len(re.findall(r'<select[^>]*name="lines-\d+-variant_id"', page)) == 10
    assert re.search(r'name="lines-0-quantity"[^>]*value="7"', page) and 'value="B2"' in page
    assert re.search(rf'<option selected value="{rendang.variants[0].id}">', page)
    assert counts() == before


@pytest.mark.parametrize("row, message", [
    (dict(quantity=2), "Produk pangan wajib memiliki tanggal kedaluwarsa."),
    (dict(quantity=2, expires_on="past"), "Tanggal kedaluwarsa sudah lewat."),
    (dict(quantity=2, expires_on="soon", unit_payout="70.000"), "Harga titip tidak boleh melebihi harga jual."),
    (dict(quantity=0, expires_on="soon"), "Jumlah harus bilangan bulat antara 1 dan 100.000."),
    (dict(quantity=-3, expires_on="soon"), "Jumlah harus bilangan bulat antara 1 dan 100.000."),
    (dict(quantity="abc", expires_on="soon"), "Jumlah harus bilangan bulat antara 1 dan 100.000."),
    (dict(quantity="100001", expires_on="soon"), "Jumlah harus bilangan bulat antara 1 dan 100.000."),
    (dict(quantity="", expires_on="soon"), "Jumlah wajib diisi."),
    (dict(quantity=2, expires_on="31-12-2027"), "Tanggal tidak valid"),
    (dict(quantity=2, expires_on="soon", unit_payout="lima ribu"), "Harga titip harus rupiah bulat"),
])
def test_a_bad_line_is_refused_next_to_its_row_and_nothing_is_written(staff_client, goods, row, message):
    producer, rendang, songket, _ = goods
    row = dict(row, variant_id=rendang.variants[0].id)
    row["expires_on"] = {"past": in_days(-1).isoformat(), "soon": in_days(30).isoformat()}.get(
        row.get("expires_on"), row.get("expires_on"))
    before = counts()
    response = post(staff_client, f"/staff/receipts/new?producer={producer.id}",
                    line_rows(dict(variant_id=songket.variants[0].id, quantity=1), row))
    assert response.status_code == 422
    page = text_of(response)
    second_row = re.search(r'<fieldset[^>]*id="line-2".*?</fieldset>', page, re.S).group(0)
    assert message in second_row and "line-row-error" in second_row
    assert message not in re.search(r'<fieldset[^>]*id="line-1".*?</fieldset>', page, re.S).group(0)
    assert "Belum ada yang disimpan" in page
    assert counts() == before


def test_a_receipt_without_lines_or_with_someone_elses_variant_is_refused(staff_client, make, goods):
    producer, _, _, _ = goods
    path = f"/staff/receipts/new?producer={producer.id}"
    before = counts()
    response = post(staff_client, path, line_rows(blank=5))
    assert response.status_code == 422 and "Isi minimal satu baris barang." in text_of(response)
    stranger = make.product(name="Anyaman Orang Lain").variants[0]
    response = post(staff_client, path, line_rows(dict(variant_id=stranger.id, quantity=1)))
    assert response.status_code == 422 and "bukan milik produsen" in text_of(response)
    response = post(staff_client, path, line_rows(dict(quantity=4)))
    assert response.status_code == 422 and "Pilih barang untuk baris ini." in text_of(response)
    assert counts() == before


def test_picking_an_unknown_producer_goes_back_to_step_one(staff_client, goods):
    page = text_of(staff_client.get("/staff/receipts/new?producer=99999"))
    assert "Produsen tidak ditemukan" in page and 'name="producer"' in page


def test_receipt_page_prints_on_a4_and_on_an_80mm_receipt_printer(staff_client, app, goods, staff):
    producer, rendang, songket, _ = goods
    receipt = receive(producer, ReceiptLine(rendang.variants[0].id, 20, expires_on=in_days(90), shelf="A1"),
                      ReceiptLine(songket.variants[0].id, 3, unit_payout=400_000), user=staff)
    page = text_of(staff_client.get(f"/staff/receipts/{receipt.number}"))
    assert receipt.number in page and app.config["GALLERY_ADDRESS"] in page
    assert "Yang menyerahkan (produsen)" in page and "Yang menerima (galeri)" in page
    assert "Ani Marlina" in page and "IV Jurai" in page and staff.name in page
    assert rendang.variants[0].sku in page and "Rp\u00a01.040.000" in page and "Rp\u00a02.240.000" in page
    assert re.search(r'<link[^>]*href="/static/css/print\.[0-9a-f]{10}\.css"[^>]*media="print"', page)
    assert "data-print" in page and "documents-thermal-print." not in page

    thermal = text_of(staff_client.get(f"/staff/receipts/{receipt.number}?format=thermal"))
    assert receipt.number in thermal and "doc-thermal" in thermal and "documents-thermal-print." in thermal
    assert "Yang menyerahkan (produsen)" in thermal and "Yang menerima (galeri)" in thermal
    assert "20 × Rp\u00a052.000" in thermal and "Rp\u00a02.240.000" in thermal
    assert staff_client.get("/staff/receipts/TT-1999-00001").status_code == 404
    assert staff_client.get("/static/css/print.css").status_code == 200


def test_receipts_list_filters_by_producer_and_pages_fifty_newest_first(staff_client, make, goods):
    producer, _, _, bag = goods
    other = make.producer("Sulaman Kambang")
    shawl = make.product(other, name="Selendang Sulam", category="sulaman-bordir").variants[0]
    start = clock.utcnow()
    for n in range(52):
        clock.freeze(start + timedelta(minutes=n))
        receive(producer if n % 2 else other, ReceiptLine((bag.variants[0] if n % 2 else shawl).id, n + 1))
    clock.freeze(None)
    year = clock.today_wib().year
    first = text_of(staff_client.get("/staff/receipts"))
    numbers = re.findall(r"TT-\d{4}-\d{5}", first)
    assert numbers[0] == f"TT-{year}-00052" and len(set(numbers)) == 50 and "Halaman 1 dari 2" in first
    second = text_of(staff_client.get("/staff/receipts?page=2"))
    assert sorted(set(re.findall(r"TT-\d{4}-\d{5}", second))) == [f"TT-{year}-00001", f"TT-{year}-00002"]
    filtered = text_of(staff_client.get(f"/staff/receipts?producer={other.id}"))
    assert "26 tanda terima" in filtered and f"TT-{year}-00002" not in filtered and f"TT-{year}-00001" in filtered


def test_receipts_and_returns_lists_run_the_same_statements_for_2_and_for_30_documents(staff_client, make, goods):
    producer, _, songket, bag = goods
    other = make.producer("Keripik Balado Uni")
    chips = make.product(other, name="Keripik Sanjai", category="anyaman").variants[0]

    def add(n):
        for i in range(n):
            maker, variant = (producer, bag.variants[0]) if i % 2 else (other, chips)
            receipt = receive(maker, ReceiptLine(variant.id, 5))
            return_to_producer(maker, [ReturnLine(receipt.lots[0].id, 1)], "unsold")
            db.session.commit()

    def statements(path):
        staff_client.get(path)  # warm up (login, caches)
        with count_statements() as seen:
            assert staff_client.get(path).status_code == 200
        return len(seen)

    add(2)
    few = statements("/staff/receipts"), statements("/staff/returns")
    add(28)
    many = statements("/staff/receipts"), statements("/staff/returns")
    assert few == many
    assert "Keripik Balado Uni" in text_of(staff_client.get("/staff/returns"))


# ---------------------------------------------------------------------------------------------
# Returns


def test_staff_returns_one_lot_and_prints_the_nota_retur(staff_client, goods, staff):
    producer, rendang, songket, bag = goods
    receipt = receive(producer, ReceiptLine(rendang.variants[0].id, 10, expires_on=in_days(5)),
                      ReceiptLine(songket.variants[0].id, 2), ReceiptLine(bag.variants[0].id, 6), user=staff)
    food, cloth, tas = receipt.lots
    clock.freeze(clock.utcnow() + timedelta(days=6))  # the rendang has expired by now

    step1 = text_of(staff_client.get("/staff/returns/new"))
    assert "Rendang Bu Ani · 18 unit" in step1
    path = f"/staff/returns/new?producer={producer.id}"
    page = text_of(staff_client.get(path))
    for lot in (food, cloth, tas):
        assert f'name="qty-{lot.id}"' in page
    expired_row = re.search(r'<tr class="row-expired">.*?name="qty-(\d+)"', page, re.S)
    assert expired_row and int(expired_row.group(1)) == food.id and "Sudah kedaluwarsa" in page
    for label in ("Tidak laku", "Sudah kedaluwarsa", "Rusak", "Ditarik produsen"):
        assert label in page

    response = post(staff_client, path, {f"qty-{food.id}": "10", f"qty-{cloth.id}": "", f"qty-{tas.id}": "0",
                                         "reason": "expired", "notes": "Diambil pemilik"})
    assert response.status_code == 302
    year = clock.today_wib().year
    assert response.headers["Location"] == f"/staff/returns/RT-{year}-00001"
    document = text_of(staff_client.get(response.headers["Location"]))
    db.session.expire_all()
    assert [db.session.get(Lot, lot.id).on_hand for lot in (food, cloth, tas)] == [0, 2, 6]
    assert f"Nota retur RT-{year}-00001 tersimpan: 10 unit dikembalikan ke Rendang Bu Ani." in document
    assert "Yang menyerahkan (galeri)" in document and "Yang menerima (produsen)" in document
    assert "Alasan retur</dt><dd>Sudah kedaluwarsa" in document
    assert "Rp\u00a0520.000" in document and "Diambil pemilik" in document
    assert re.search(r'<link[^>]*href="/static/css/print\.[0-9a-f]{10}\.css"[^>]*media="print"', document)
    thermal = text_of(staff_client.get(f"/staff/returns/RT-{year}-00001?format=thermal"))
    assert "documents-thermal-print." in thermal and "10 × Rp\u00a052.000" in thermal and "Yang menerima (produsen)" in thermal
    listing = text_of(staff_client.get("/staff/returns"))
    assert f"RT-{year}-00001" in listing and "Rp\u00a0520.000" in listing
    history = text_of(staff_client.get(f"/staff/lots/{food.id}"))
    assert f'href="/staff/returns/RT-{year}-00001"' in history and "Diretur ke produsen" in history


@pytest.mark.parametrize("quantities, reason, message", [
    ({"cloth": "3"}, "unsold", "hanya punya 2 unit"),
    ({"cloth": "1"}, "", "Pilih alasan retur."),
    ({"cloth": "dua"}, "unsold", "Jumlah harus bilangan bulat lebih dari 0."),
    ({"cloth": "-1"}, "unsold", "Jumlah harus bilangan bulat lebih dari 0."),
    ({}, "unsold", "Isi jumlah retur minimal untuk satu lot."),
])
def test_a_bad_return_is_refused_with_a_message_and_writes_nothing(staff_client, goods, quantities, reason, message):
    producer, _, songket, bag = goods
    cloth, tas = receive(producer, ReceiptLine(songket.variants[0].id, 2), ReceiptLine(bag.variants[0].id, 4)).lots
    ids = {"cloth": cloth.id, "tas": tas.id}
    before = counts()
    data = {f"qty-{ids[name]}": value for name, value in quantities.items()}
    if data:
        data[f"qty-{tas.id}"] = "1"  # a good line beside the bad one is not saved either
    response = post(staff_client, f"/staff/returns/new?producer={producer.id}", dict(data, reason=reason))
    assert response.status_code == 422
    page = text_of(response)
    assert message in page and "Belum ada yang disimpan" in page
    if quantities:
        assert re.search(rf'name="qty-{cloth.id}"[^>]*value="{re.escape(quantities["cloth"])}"', page, re.S)
    assert counts() == before
    db.session.expire_all()
    assert (db.session.get(Lot, cloth.id).on_hand, db.session.get(Lot, tas.id).on_hand) == (2, 4)


# ---------------------------------------------------------------------------------------------
# Lots: history, write-off, correction


@pytest.fixture
def lot(goods, staff):
    producer, _, songket, _ = goods
    return receive(producer, ReceiptLine(songket.variants[0].id, 5, shelf="C3"), user=staff).lots[0]


def test_lot_page_shows_facts_history_and_balance(staff_client, lot):
    page = text_of(staff_client.get(f"/staff/lots/{lot.id}"))
    year = clock.today_wib().year
    assert "Songket Batang Kapas" in page and "Selendang" in page and "Rendang Bu Ani" in page
    assert f'href="/staff/receipts/TT-{year}-00001"' in page and "Rp\u00a0360.000" in page and "0 hari" in page
    assert "Diterima (titipan)" in page and ">+5<" in page
    assert "Seimbang" in page and "0 terjual/dipesan" in page
    assert staff_client.get("/staff/lots/99999").status_code == 404


def test_staff_writes_off_one_unit_and_the_history_shows_it(staff_client, lot, staff):
    response = post(staff_client, f"/staff/lots/{lot.id}/write-off",
                    {"quantity": "1", "cause": "damaged", "reason": "Kain sobek terkena paku rak"},
                    token_from=f"/staff/lots/{lot.id}")
    assert response.status_code == 302 and response.headers["Location"] == f"/staff/lots/{lot.id}#history"
    db.session.expire_all()
    assert db.session.get(Lot, lot.id).on_hand == 4
    page = text_of(staff_client.get(f"/staff/lots/{lot.id}"))
    assert "1 unit dihapus dari lot" in page
    history = re.search(r'id="history".*?</table>', page, re.S).group(0)
    assert "Dihapus" in history and "Rusak" in history and "Kain sobek terkena paku rak" in history
    assert ">-1<" in history and staff.name in history
    assert "4 di rak + 0 terjual/dipesan + 0 diretur + 1 dihapus" in page and "Seimbang" in page


@pytest.mark.parametrize("data, message", [
    ({"quantity": "1", "cause": "damaged", "reason": "  "}, "Alasan wajib diisi."),
    ({"quantity": "1", "cause": "", "reason": "sobek"}, "Pilih jenis penghapusan."),
    ({"quantity": "6", "cause": "lost", "reason": "hilang"}, "hanya punya 5 unit"),
    ({"quantity": "satu", "cause": "lost", "reason": "hilang"}, "Jumlah harus bilangan bulat lebih dari 0."),
    ({"quantity": "0", "cause": "lost", "reason": "hilang"}, "Jumlah harus bilangan bulat lebih dari 0."),
])
def test_a_bad_write_off_is_refused_and_writes_nothing(staff_client, lot, data, message):
    before = counts()
    response = post(staff_client, f"/staff/lots/{lot.id}/write-off", data, token_from=f"/staff/lots/{lot.id}")
    assert response.status_code == 422
    page = text_of(response)
    assert message in page and "Riwayat pergerakan stok" in page
    assert counts() == before
    db.session.expire_all()
    assert db.session.get(Lot, lot.id).on_hand == 5


def test_correction_is_for_admins_only(staff_client, app, make, lot):
    page = text_of(staff_client.get(f"/staff/lots/{lot.id}"))
    assert "/correction" not in page and f'/staff/lots/{lot.id}/write-off' in page
    before = counts()
    response = post(staff_client, f"/staff/lots/{lot.id}/correction", {"delta": "2", "correction_reason": "x"},
                    token_from=f"/staff/lots/{lot.id}")
    assert response.status_code == 403 and counts() == before

    admin = make.user(Role.ADMIN)
    admin_client = app.test_client()
    make.login(admin_client, admin)
    assert f"/staff/lots/{lot.id}/correction" in text_of(admin_client.get(f"/staff/lots/{lot.id}"))
    response = post(admin_client, f"/staff/lots/{lot.id}/correction",
                    {"delta": "+2", "correction_reason": "Ditemukan di gudang belakang"},
                    token_from=f"/staff/lots/{lot.id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Lot, lot.id).on_hand == 7
    page = text_of(admin_client.get(f"/staff/lots/{lot.id}"))
    assert "Koreksi +2 unit pada lot" in page and "Koreksi stok" in page and "Koreksi manual" in page
    assert "Ditemukan di gudang belakang" in page and admin.name in page and "Seimbang" in page

    for data, message in (
        ({"delta": "0", "correction_reason": "nol"}, "Koreksi harus bilangan bulat bukan nol."),
        ({"delta": "-8", "correction_reason": "hitung ulang"}, "hanya punya 7 unit"),
        ({"delta": "-1", "correction_reason": ""}, "Alasan wajib diisi."),
        ({"delta": "dua", "correction_reason": "x"}, "Koreksi harus bilangan bulat bukan nol"),
    ):
        before = counts()
        response = post(admin_client, f"/staff/lots/{lot.id}/correction", data, token_from=f"/staff/lots/{lot.id}")
        assert response.status_code == 422 and message in text_of(response), data
        assert counts() == before
    db.session.expire_all()
    assert db.session.get(Lot, lot.id).on_hand == 7


# ---------------------------------------------------------------------------------------------
# Access


def _paths(lot, receipt, document):
    return [
        "/staff/receipts", "/staff/receipts/new", f"/staff/receipts/new?producer={lot.producer_id}",
        f"/staff/receipts/{receipt.number}", f"/staff/receipts/{receipt.number}?format=thermal",
        "/staff/returns", "/staff/returns/new", f"/staff/returns/new?producer={lot.producer_id}",
        f"/staff/returns/{document.number}", f"/staff/returns/{document.number}?format=thermal",
        f"/staff/lots/{lot.id}",
    ]


def _posts(lot):
    return [
        (f"/staff/receipts/new?producer={lot.producer_id}", line_rows(dict(variant_id=lot.variant_id, quantity=1))),
        (f"/staff/returns/new?producer={lot.producer_id}", {f"qty-{lot.id}": "1", "reason": "unsold"}),
        (f"/staff/lots/{lot.id}/write-off", {"quantity": "1", "cause": "lost", "reason": "hilang"}),
        (f"/staff/lots/{lot.id}/correction", {"delta": "1", "correction_reason": "x"}),
    ]


@pytest.fixture
def documents(goods):
    producer, _, songket, _ = goods
    receipt = receive(producer, ReceiptLine(songket.variants[0].id, 5))
    lot = receipt.lots[0]
    document = return_to_producer(producer, [ReturnLine(lot.id, 1)], "unsold")
    db.session.commit()
    return lot, receipt, document


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.PRODUCER])
def test_producers_and_customers_get_403_everywhere(client, make, documents, role):
    lot, receipt, document = documents
    make.login(client, make.user(role, producer=lot.producer if role == Role.PRODUCER else None))
    for path in _paths(lot, receipt, document):
        assert client.get(path).status_code == 403, path
    token = csrf_token(client, "/")
    before = counts()
    for path, data in _posts(lot):
        assert client.post(path, data=dict(data, csrf_token=token)).status_code == 403, path
    assert counts() == before


def test_anonymous_users_are_sent_to_login_everywhere(client, documents):
    lot, receipt, document = documents
    for path in _paths(lot, receipt, document):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next="), path
    token = csrf_token(client, "/login")
    before = counts()
    for path, data in _posts(lot):
        response = client.post(path, data=dict(data, csrf_token=token))
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path
    assert counts() == before


def test_admin_reaches_every_page(admin_client, documents):
    lot, receipt, document = documents
    for path in _paths(lot, receipt, document):
        assert admin_client.get(path).status_code == 200, path


def test_posts_without_a_csrf_token_are_refused(staff_client, documents):
    lot, _, _ = documents
    before = counts()
    for path, data in _posts(lot)[:3]:
        assert staff_client.post(path, data=data).status_code == 400, path
    assert counts() == before


def test_staff_nav_links_to_receipts_and_returns(staff_client):
    page = text_of(staff_client.get("/staff"))
    assert 'href="/staff/receipts"' in page and 'href="/staff/returns"' in page


@pytest.mark.parametrize("text, rupiah, expected", [
    ("12", False, 12), (" 1.000 ", False, 1000), ("-3", False, -3), ("+2", False, 2), ("\u22122", False, -2),
    ("Rp 52.000", True, 52_000), ("rp52000", True, 52_000),
])
def test_whole_numbers_as_staff_type_them(text, rupiah, expected):
    assert parse_whole_number(text, rupiah=rupiah) == expected


@pytest.mark.parametrize("text", ["abc", "1,5", "1.5", "Rp 52.000", "12 unit", "", "1" * 13])
def test_what_is_not_a_whole_number_is_refused(text):
    with pytest.raises(ValueError):
        parse_whole_number(text)


def test_document_lists_add_up_values_beyond_32_bit_integers(staff_client, make):
    producer = make.producer("Songket Pusako", commission_bp=2000)
    variant = make.product(producer, name="Songket Benang Emas", category="songket",
                           variants=[("Kain", 50_000_000, 900)]).variants[0]
    receipt = receive(producer, ReceiptLine(variant.id, 100_000))
    return_to_producer(producer, [ReturnLine(receipt.lots[0].id, 60_000)], "recalled")
    db.session.commit()
    assert "Rp\u00a04.000.000.000.000" in text_of(staff_client.get("/staff/receipts"))
    assert "Rp\u00a02.400.000.000.000" in text_of(staff_client.get("/staff/returns"))
