"""The counter (kasir) through the test client: scan, search, basket, sale, receipt, and tampered input."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from gallery.accounts.models import Role
from gallery.consignment.ledger import lot_balances
from gallery.consignment.models import Lot, MovementKind, StockMovement
from gallery.consignment.services import sellable_quantity
from gallery.extensions import db
from gallery.orders.models import Order, OrderAllocation, OrderLine, OrderStatus
from gallery.orders.placing import CartLine
from tests.edges import counter_sale
from gallery.payments.models import Payment
from tests.factories import csrf_token
from tests.sqlcount import count_statements


def text_of(response) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'").replace("&amp;", "&").replace("&#34;", '"')


def counts() -> tuple[int, int, int]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Order, OrderAllocation, StockMovement))


def basket_of(client) -> dict:
    with client.session_transaction() as stored:
        return dict(stored.get("counter_basket") or {})


@pytest.fixture
def cashier(make):
    return make.user(Role.STAFF, email="kasir@galeri.test")


@pytest.fixture
def till(client, make, cashier):
    make.login(client, cashier)
    return client


def post(client, data: dict, path: str = "/staff/counter"):
    return client.post(path, data=dict(data, csrf_token=csrf_token(client, "/staff/counter")))


def scan(client, sku: str, quantity="1"):
    return post(client, {"action": "add", "sku": sku, "quantity": quantity})


@pytest.fixture
def shelf(make):
    """Galamai (food: a lot expiring in 10 days at payout 20.000 and one in 60 days at 21.000) and a pandan bag."""
    producer = make.producer("Galamai Bu Ros", commission_bp=2000)
    galamai = make.product(producer, name="Galamai Durian", category="kue-tradisional",
                           variants=[("500 g", 35_000, 550)]).variants[0]
    late = make.stock(galamai, 5, payout=21_000, expires_in_days=60)
    early = make.stock(galamai, 2, payout=20_000, expires_in_days=10)
    bag = make.product(name="Tas Anyaman Pandan", category="anyaman",
                       variants=[("Sedang", 120_000, 350), ("Besar", 180_000, 500)]).variants
    bag_lot = make.stock(bag[0], 4, payout=96_000)
    return galamai, early, late, bag[0], bag[1], bag_lot


def test_scan_two_products_sell_in_cash_and_print_the_receipt(till, cashier, shelf):
    galamai, early, late, bag, _, bag_lot = shelf
    assert scan(till, galamai.sku.lower() + " ", "3").status_code == 302  # a scanner may add a space; any case
    response = scan(till, bag.sku)
    assert response.status_code == 302 and response.headers["Location"] == "/staff/counter"
    assert scan(till, bag.sku).status_code == 302  # scanning again adds one more
    assert basket_of(till) == {str(galamai.id): 3, str(bag.id): 2}

    page = text_of(till.get("/staff/counter"))
    assert "Tas Anyaman Pandan (Sedang) × 1 masuk keranjang." in page
    assert "Galamai Durian" in page and "Rp\u00a0105.000" in page and "Rp\u00a0240.000" in page
    assert "Rp\u00a0345.000" in page  # the total, computed on the server
    assert "Selesaikan penjualan" in page

    before = counts()
    response = post(till, {"action": "sell", "method": "cash", "customer_name": " Pak Datuk ",
                           "cash_received": "Rp 400.000", "total": "1"})
    assert response.status_code == 302
    sale = db.session.scalar(select(Order).where(Order.channel == "counter"))
    # the cash handed over is recorded with the sale's payment, not carried in the receipt's address
    assert response.headers["Location"] == f"/staff/counter/receipts/{sale.number}"
    assert basket_of(till) == {}
    assert (sale.status, sale.payment_method, sale.fulfilment) == (OrderStatus.COMPLETED, "cash", "pickup")
    assert (sale.total, sale.subtotal, sale.contact_name) == (345_000, 345_000, "Pak Datuk")
    assert sale.events[0].user_id == cashier.id and sale.paid_at and sale.completed_at
    assert counts()[0] == before[0] + 1

    # FEFO: the 2 units expiring first, then 1 from the later lot; payouts frozen per lot for the producer
    line = db.session.scalar(select(OrderLine).where(OrderLine.order_id == sale.id, OrderLine.variant_id == galamai.id))
    assert [(a.lot_id, a.quantity, a.unit_payout, a.unit_price) for a in line.allocations] == [
        (early.id, 2, 20_000, 35_000), (late.id, 1, 21_000, 35_000)]
    assert line.producer_id == galamai.product.producer_id
    assert sellable_quantity(galamai.id) == 4 and sellable_quantity(bag.id) == 2
    reserve = db.session.scalars(select(StockMovement).where(StockMovement.reference == sale.number)).all()
    assert {(m.lot_id, m.kind, m.quantity) for m in reserve} == {
        (early.id, MovementKind.RESERVE, -2), (late.id, MovementKind.RESERVE, -1),
        (bag_lot.id, MovementKind.RESERVE, -2)}
    assert all(balance.balanced for balance in lot_balances().values())

    receipt = text_of(till.get(response.headers["Location"])).replace("\u00a0", " ")  # Rp, no-break space, digits
    for text in ("Galeri Oleh-oleh Pesisir Selatan", sale.number, "Galamai Durian", "3 × Rp 35.000", "Rp 105.000",
                 "2 × Rp 120.000", "Rp 345.000", "Tunai", "Rp 400.000", "Kembalian", "Rp 55.000", cashier.name,
                 "Pak Datuk", "Terima kasih", "WIB", "documents-thermal-print."):
        assert text in receipt, text
    assert f"Penjualan {sale.number} selesai: Rp 345.000." in receipt

    # the sale shows in the order list and its detail
    assert sale.number in text_of(till.get("/staff/orders?tab=completed&channel=counter"))
    detail = text_of(till.get(f"/staff/orders/{sale.number}"))
    assert "Penjualan di kasir" in detail and f'href="/staff/lots/{early.id}"' in detail


def test_a_qris_sale_records_the_method_and_shows_no_change(till, shelf):
    bag = shelf[3]
    scan(till, bag.sku, "2")
    response = post(till, {"action": "sell", "method": "qris", "cash_received": "500000"})
    assert response.status_code == 302
    sale = db.session.scalar(select(Order))
    assert sale.payment_method == "qris" and response.headers["Location"].endswith(sale.number)
    receipt = text_of(till.get(response.headers["Location"]))
    assert "QRIS" in receipt and "Kembalian" not in receipt and "Rp 240.000" in receipt


def test_a_receipt_with_a_received_amount_below_the_total_shows_no_change(till, cashier, shelf):
    sale = counter_sale([CartLine(shelf[3].id, 1)], "cash", user=cashier)
    receipt = text_of(till.get(f"/staff/counter/receipts/{sale.number}?received=1000"))
    assert "Kembalian" not in receipt
    receipt = text_of(till.get(f"/staff/counter/receipts/{sale.number}?received=abc"))
    assert "Kembalian" not in receipt and "Rp\u00a0120.000" in receipt


def test_the_receipt_computes_the_change_from_the_recorded_cash_not_from_the_address(till, shelf):
    scan(till, shelf[3].sku)
    response = post(till, {"action": "sell", "method": "cash", "cash_received": "150.000"})
    sale = db.session.scalar(select(Order).where(Order.channel == "counter"))
    assert db.session.scalar(select(Payment.cash_received).where(Payment.order_id == sale.id)) == 150_000
    for path in (response.headers["Location"], f"/staff/counter/receipts/{sale.number}?received=999999"):
        receipt = text_of(till.get(path)).replace("\u00a0", " ")  # "Rp" and its digits are joined by a no-break space
        assert "Rp 150.000" in receipt and "Kembalian" in receipt and "Rp 30.000" in receipt
        assert "Rp 999.999" not in receipt and "Rp 879.999" not in receipt


def test_the_basket_quantity_can_be_changed_and_lines_removed(till, shelf):
    galamai, bag = shelf[0], shelf[3]
    scan(till, galamai.sku)
    scan(till, bag.sku)
    assert post(till, {"action": "set", "variant_id": str(galamai.id), "quantity": "4"}).status_code == 302
    assert basket_of(till) == {str(galamai.id): 4, str(bag.id): 1}
    response = post(till, {"action": "set", "variant_id": str(galamai.id), "quantity": "8"})
    assert response.status_code == 422
    assert "Stok Galamai Durian (500 g) tidak cukup: tersisa 7." in text_of(response)
    assert basket_of(till) == {str(galamai.id): 4, str(bag.id): 1}
    assert post(till, {"action": "remove", "variant_id": str(galamai.id)}).status_code == 302
    assert basket_of(till) == {str(bag.id): 1}
    response = post(till, {"action": "remove", "variant_id": "999999"})
    assert response.status_code == 422 and "Barang itu tidak ada di keranjang kasir." in text_of(response)
    assert post(till, {"action": "clear"}).status_code == 302
    assert basket_of(till) == {}
    assert "Keranjang kasir masih kosong." in text_of(till.get("/staff/counter"))


def test_search_by_name_lists_variants_with_sku_price_and_stock_in_few_statements(till, make, shelf):
    galamai, bag, big_bag = shelf[0], shelf[3], shelf[4]
    with count_statements() as statements:
        page = text_of(till.get("/staff/counter?q=anyaman pandan"))
    assert bag.sku in page and big_bag.sku in page and "Rp\u00a0120.000" in page and "Rp\u00a0180.000" in page
    assert "stok 4" in page and "Habis" in page  # the big bag has no stock: listed, not addable
    assert page.count('name="sku" value="') == 1 + 0  # one add button (the hidden SKU of the bag in stock)
    assert galamai.sku not in page
    assert len(statements) <= 4  # the signed-in user, the variants, their stock
    assert galamai.sku in text_of(till.get(f"/staff/counter?q={galamai.sku[:4].lower()}"))  # SKU prefix
    assert "Tidak ada barang yang cocok" in text_of(till.get("/staff/counter?q=zzzz"))
    # unpublished products are not offered at the counter
    hidden = make.product(name="Anyaman Rahasia", published=False).variants[0]
    make.stock(hidden, 3)
    assert hidden.sku not in text_of(till.get("/staff/counter?q=anyaman"))
    # adding from the results keeps the search
    response = post(till, {"action": "add", "sku": bag.sku, "quantity": "1"}, "/staff/counter?q=anyaman")
    assert response.status_code == 302 and response.headers["Location"] == "/staff/counter?q=anyaman"


@pytest.mark.parametrize("sku, quantity, message", [
    ("TIDAK-ADA", "1", "Kode SKU TIDAK-ADA tidak dikenal."),
    ("", "1", "Ketik atau pindai kode SKU."),
    ("galamai", "0", "Jumlah harus bilangan bulat antara 1 dan 999."),
    ("galamai", "-1", "Jumlah harus bilangan bulat antara 1 dan 999."),
    ("galamai", str(10**9), "Jumlah harus bilangan bulat antara 1 dan 999."),
    ("galamai", "abc", "Jumlah harus bilangan bulat antara 1 dan 999."),
    ("galamai", "1,5", "Jumlah harus bilangan bulat antara 1 dan 999."),
    ("galamai", "8", "Stok Galamai Durian (500 g) tidak cukup: tersisa 7."),
    ("big_bag", "1", "Stok Tas Anyaman Pandan (Besar) habis."),
    ("hidden", "1", "tidak dijual saat ini."),
])
def test_tampered_or_wrong_scans_are_refused_with_a_message_and_write_nothing(till, make, shelf, sku, quantity,
                                                                               message):
    galamai, bag, big_bag = shelf[0], shelf[3], shelf[4]
    hidden = make.product(name="Belum Tayang", published=False).variants[0]
    make.stock(hidden, 3)
    scan(till, bag.sku)
    skus = {"galamai": galamai.sku, "big_bag": big_bag.sku, "hidden": hidden.sku}
    before = counts()
    response = scan(till, skus.get(sku, sku), quantity)
    assert response.status_code == 422
    page = text_of(response)
    assert message in page and 'aria-invalid="true"' in page
    assert basket_of(till) == {str(bag.id): 1}  # the basket is kept as it was
    assert counts() == before


def test_more_than_999_of_one_item_across_scans_is_refused(till, make):
    variant = make.product(name="Kerupuk Jangek", variants=[("Bungkus", 5_000, 100)]).variants[0]
    make.stock(variant, 2000, payout=4_000)
    assert scan(till, variant.sku, "999").status_code == 302
    response = scan(till, variant.sku, "1")
    assert response.status_code == 422 and "Jumlah harus bilangan bulat antara 1 dan 999." in text_of(response)
    assert basket_of(till) == {str(variant.id): 999}


@pytest.mark.parametrize("data, message", [
    ({"method": "transfer"}, "Pilih cara bayar: tunai atau QRIS."),
    ({"method": ""}, "Pilih cara bayar: tunai atau QRIS."),
    ({"method": "cash", "cash_received": "50000"}, "Uang diterima kurang dari total belanja (Rp 120.000)."),
    ({"method": "cash", "cash_received": "seratus"}, "Tulis uang diterima dalam rupiah bulat"),
    ({"method": "cash", "customer_name": "x" * 121}, "Paling banyak 120 karakter."),
])
def test_a_bad_payment_form_is_refused_and_the_basket_kept(till, shelf, data, message):
    bag = shelf[3]
    scan(till, bag.sku)
    before = counts()
    response = post(till, dict(data, action="sell"))
    assert response.status_code == 422 and message in text_of(response)
    assert counts() == before and basket_of(till) == {str(bag.id): 1}


def test_selling_an_empty_basket_is_refused(till, shelf):
    before = counts()
    response = post(till, {"action": "sell", "method": "cash"})
    assert response.status_code == 422 and "Keranjang kasir masih kosong." in text_of(response)
    assert counts() == before


def test_when_the_stock_ran_out_meanwhile_the_sale_is_refused_and_nothing_written(till, cashier, shelf):
    galamai, bag = shelf[0], shelf[3]
    scan(till, galamai.sku, "6")
    scan(till, bag.sku)
    counter_sale([CartLine(galamai.id, 3)], "qris", user=cashier)  # another till sells 3 of the 7
    before = counts()
    response = post(till, {"action": "sell", "method": "cash"})
    assert response.status_code == 422
    page = text_of(response)
    assert "Stok Galamai Durian (500 g) tidak cukup: tersisa 4, diminta 6." in page and "Tidak ada yang disimpan." in page
    assert counts() == before and basket_of(till) == {str(galamai.id): 6, str(bag.id): 1}
    assert sellable_quantity(galamai.id) == 4 and sellable_quantity(bag.id) == 4
    assert all(balance.balanced for balance in lot_balances().values())


def test_an_item_no_longer_sold_drops_out_of_the_basket_with_a_notice(till, shelf):
    bag = shelf[3]
    scan(till, bag.sku)
    bag.product.published = False
    db.session.commit()
    page = text_of(till.get("/staff/counter"))
    assert "Ada barang yang tidak dijual lagi" in page and basket_of(till) == {}


def test_a_tampered_session_basket_is_ignored(till, shelf):
    with till.session_transaction() as stored:
        stored["counter_basket"] = {"abc": 1, str(shelf[3].id): 10**9, "99999": 1, str(shelf[0].id): "2"}
    page = text_of(till.get("/staff/counter"))
    assert "Keranjang kasir masih kosong." in page or "Ada barang yang tidak dijual lagi" in page
    before = counts()
    response = post(till, {"action": "sell", "method": "cash"})
    assert response.status_code == 422 and counts() == before


def test_a_receipt_needs_a_paid_order(till, shelf):
    from gallery.orders.placing import Contact
    from tests.edges import place_order

    order = place_order([CartLine(shelf[3].id, 1)], Contact("Rina", "rina@contoh.id", "081211112222"),
                        fulfilment="pickup")
    assert till.get(f"/staff/counter/receipts/{order.number}").status_code == 404


def test_the_counter_page_works_without_javascript(till, shelf):
    page = text_of(till.get("/staff/counter"))
    forms = re.findall(r"<form[^>]*>", page)
    assert any('action="/staff/counter"' in form and 'method="post"' in form for form in forms)
    assert 'name="sku"' in page and 'name="quantity"' in page and "autofocus" in page


def test_the_same_till_form_sent_twice_records_one_sale(till, shelf):
    import re

    bag = shelf[3]
    scan(till, bag.sku, "1")
    page = till.get("/staff/counter").get_data(as_text=True)
    sale_token = re.search(r'name="sale_token"[^>]*value="([^"]+)"', page).group(1)
    token = csrf_token(till, "/staff/counter")
    form = {"action": "sell", "method": "cash", "sale_token": sale_token, "csrf_token": token}
    first = till.post("/staff/counter", data=form)
    # A second tap arrives with the basket still in its cookie (both requests left the phone together).
    scan(till, bag.sku, "1")
    second = till.post("/staff/counter", data=form)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count(Order.id))) == 1


# --- Scanning price tags (Code 128 of the SKU, or SKU/L<lot>) ------------------------------------


def _sold_lots(number: str) -> list[tuple[int, int]]:
    return db.session.execute(
        select(OrderAllocation.lot_id, OrderAllocation.quantity).join(OrderLine).join(Order)
        .where(Order.number == number).order_by(OrderAllocation.id)).all()


def _sell(till) -> str:
    response = post(till, {"action": "sell", "method": "cash", "sale_token": "scan-token"})
    assert response.status_code == 302
    return re.search(r"/counter/receipts/([^?]+)", response.headers["Location"])[1]


def test_a_scanned_lot_code_sells_that_lot(till, shelf):
    galamai = shelf[0]
    late = db.session.scalar(select(func.max(StockMovement.lot_id)).where(StockMovement.kind == MovementKind.INTAKE,
                                                                            StockMovement.quantity == 5))
    # The tag of the later lot, as the scanner types it (then Enter submits the form).
    assert scan(till, f"{galamai.sku}/L{late}").status_code == 302
    assert basket_of(till) == {f"{galamai.id}@{late}": 1}
    page = text_of(till.get("/staff/counter"))
    assert f"lot #{late}" in page
    assert _sold_lots(_sell(till)) == [(late, 1)]  # not the FEFO lot that expires first


def test_a_plain_sku_or_a_lot_that_cannot_be_sold_sells_the_fefo_lot_with_a_note(till, shelf, make):
    galamai = shelf[0]
    scan(till, galamai.sku.lower())  # a typed SKU in small letters
    wrong = scan(till, f"{galamai.sku}/L999999")  # no such lot: FEFO, with a note
    assert wrong.status_code == 302
    assert "Lot #999999 tidak bisa dijual" in text_of(till.get("/staff/counter"))
    assert basket_of(till) == {str(galamai.id): 2}
    (sold,) = _sold_lots(_sell(till))
    early = db.session.scalar(select(Lot.id).where(Lot.variant_id == galamai.id).order_by(Lot.expires_on).limit(1))
    assert sold == (early, 2)  # the lot that expires first
