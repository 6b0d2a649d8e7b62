"""Staff fulfilment through the test client: the order list, the detail, each transition, printables, access."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gallery import clock
from gallery.accounts.models import Role
from gallery.consignment.ledger import lot_balances
from gallery.consignment.models import Lot, MovementKind, StockMovement
from gallery.consignment.services import sellable_quantity
from gallery.extensions import db
from gallery.orders.models import Order, OrderEvent, OrderStatus
from gallery.orders.placing import CartLine, Contact
from tests.edges import place_order
from tests.edges import counter_sale
from tests.edges import cancel, mark_packed, mark_paid, ship
from gallery.shipping.addresses import Address
from gallery.errors import DomainError
from tests.edges import pay_at_desk
from gallery.payments.models import Payment, PaymentEvent, PaymentStatus, Refund
from tests.factories import csrf_token
from tests.orders.conftest import JAKARTA_PUSAT
from tests.sqlcount import count_statements

SHOPPER = Contact("Siti Rahma", "siti@contoh.id", "0812 3456 7890")
GAMBIR = Address(*JAKARTA_PUSAT, street="Jl. Medan Merdeka Barat No. 12", postal_code="10110")


def text_of(response) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'").replace("&amp;", "&").replace("&#34;", '"')


def post(client, path: str, data: dict | None = None, token_from: str | None = None):
    return client.post(path, data=dict(data or {}, csrf_token=csrf_token(client, token_from or "/staff/orders")))


def counts() -> tuple[int, int, int]:
    return tuple(db.session.scalar(select(func.count()).select_from(model)) for model in (Order, OrderEvent,
                                                                                          StockMovement))


@pytest.fixture
def staff(make):
    return make.user(Role.STAFF, email="kasir@galeri.test")


@pytest.fixture
def staff_client(client, make, staff):
    make.login(client, staff)
    return client


@pytest.fixture
def shelf(make):
    """Rendang (two lots, the first expiring sooner, on shelf A1) and a songket selendang."""
    producer = make.producer("Rendang Bu Ani", commission_bp=2000)
    rendang = make.product(producer, name="Rendang Lokan", category="rendang", variants=[("250 g", 65_000, 300)])
    songket = make.product(name="Selendang Songket", category="songket", variants=[("Merah", 450_000, 400)])
    early = make.stock(rendang.variants[0], 2, payout=52_000, expires_in_days=20)
    early.shelf = "A1"
    late = make.stock(rendang.variants[0], 10, payout=50_000, expires_in_days=90)
    make.stock(songket.variants[0], 10, payout=380_000)
    db.session.commit()
    return rendang.variants[0], songket.variants[0], early, late


def delivery_order(shelf, rendang_units: int = 3):
    rendang, songket, _, _ = shelf
    return place_order([CartLine(rendang.id, rendang_units), CartLine(songket.id, 1)], SHOPPER,
                       fulfilment="delivery", address=GAMBIR, service_code="POS_REG", notes="Bungkus rapi ya")


def pickup_order(shelf, units: int = 1, name: str = "Budi Santoso"):
    rendang = shelf[0]
    return place_order([CartLine(rendang.id, units)], Contact(name, "budi@contoh.id", "081298765432"),
                       fulfilment="pickup")


def reload(number: str) -> Order:
    db.session.expire_all()
    return db.session.scalar(select(Order).where(Order.number == number))


# ---------------------------------------------------------------------------------------------
# Pack and ship a delivery order (the staff part of the first Done-when)


def test_staff_confirm_the_transfer_pack_and_ship_with_a_resi(staff_client, staff, tariff, shelf):
    order = delivery_order(shelf)
    path = f"/staff/orders/{order.number}"
    page = text_of(staff_client.get(path))
    assert "Siti Rahma" in page and "siti@contoh.id" in page and "+6281234567890" in page
    assert "Jl. Medan Merdeka Barat No. 12" in page and "Gambir" in page and "10110" in page
    assert "Pos Reguler" in page and "POS_REG" in page
    assert "Rp\u00a052.000" in page and "Rp\u00a010.400" in page and "Rp\u00a041.600" in page  # frozen public/discount/price
    assert "Bungkus rapi ya" in page
    # each line shows the lots it was taken from (FEFO), linking to the lot page, with the payout
    early, late = shelf[2], shelf[3]
    assert f'href="/staff/lots/{early.id}"' in page and f'href="/staff/lots/{late.id}"' in page
    assert "titip Rp\u00a052.000" in page and "titip Rp\u00a050.000" in page
    # only the actions the state machine allows now
    assert f"{path}/paid" in page and f"{path}/cancel" in page
    assert f"{path}/packed" not in page and f"{path}/ship" not in page and f"{path}/complete" not in page

    response = post(staff_client, f"{path}/paid", {"method": "bank_transfer", "note": "BRI a.n. Siti"}, path)
    assert response.status_code == 302 and response.headers["Location"] == path
    page = text_of(staff_client.get(path))
    assert f"Pesanan {order.number} ditandai sudah dibayar (Transfer bank)." in page
    assert f"{path}/packed" in page and f"{path}/paid" not in page

    assert post(staff_client, f"{path}/packed", {}, path).status_code == 302
    page = text_of(staff_client.get(path))
    assert f"{path}/ship" in page and f"{path}/packed" not in page

    response = post(staff_client, f"{path}/ship", {"tracking_number": " p2611 0001 2345 "}, path)
    assert response.status_code == 302
    page = text_of(staff_client.get(path))
    assert f"Pesanan {order.number} dikirim dengan resi P261100012345." in page
    assert "<strong>P261100012345</strong>" in page
    assert f"{path}/complete" in page and f"{path}/cancel" not in page

    shipped = reload(order.number)
    assert shipped.status == OrderStatus.SHIPPED and shipped.tracking_number == "P261100012345"
    assert shipped.payment_method == "bank_transfer" and shipped.paid_at and shipped.packed_at and shipped.shipped_at
    events = [(event.from_status, event.to_status, event.user_id) for event in shipped.events]
    assert events == [(None, "pending_payment", None), ("pending_payment", "paid", staff.id),
                      ("paid", "packed", staff.id), ("packed", "shipped", staff.id)]
    assert shipped.events[1].note == "BRI a.n. Siti"
    # the timeline shows who did what
    assert page.count(staff.name) >= 3

    assert post(staff_client, f"{path}/complete", {}, path).status_code == 302
    assert reload(order.number).status == OrderStatus.COMPLETED


@pytest.mark.parametrize("resi, message", [
    ("", "Nomor resi wajib diisi (6-40 huruf/angka)."),
    ("   ", "Nomor resi wajib diisi (6-40 huruf/angka)."),
    ("AB12", "Nomor resi wajib diisi (6-40 huruf/angka)."),
    ("P2611/0001", "Nomor resi wajib diisi (6-40 huruf/angka)."),
    ("X" * 41, "Nomor resi wajib diisi (6-40 huruf/angka)."),
    ("P261100099999", "Nomor resi ini sudah dipakai pesanan lain."),
    ("p2611 0009 9999", "Nomor resi ini sudah dipakai pesanan lain."),
])
def test_an_empty_malformed_or_duplicate_resi_is_refused_and_changes_nothing(staff_client, tariff, shelf, resi,
                                                                             message):
    other = delivery_order(shelf, rendang_units=1)
    mark_paid(other, "cash", user=None)
    mark_packed(other, user=None)
    ship(other, "P261100099999", user=None)
    order = delivery_order(shelf, rendang_units=1)
    mark_paid(order, "qris", user=None)
    mark_packed(order, user=None)
    path = f"/staff/orders/{order.number}"
    before = counts()

    response = post(staff_client, f"{path}/ship", {"tracking_number": resi}, path)
    assert response.status_code == 422
    page = text_of(response)
    assert message in page and "Tidak ada yang diubah." in page
    assert 'aria-invalid="true"' in page  # the resi field is marked
    assert counts() == before
    unchanged = reload(order.number)
    assert unchanged.status == OrderStatus.PACKED and unchanged.tracking_number is None


def test_a_posted_resi_of_the_same_order_is_kept_in_the_field_after_an_error(staff_client, tariff, shelf):
    order = delivery_order(shelf)
    mark_paid(order, "cash", user=None)
    mark_packed(order, user=None)
    path = f"/staff/orders/{order.number}"
    response = post(staff_client, f"{path}/ship", {"tracking_number": "P1/2"}, path)
    assert response.status_code == 422 and 'value="P1/2"' in text_of(response)


# ---------------------------------------------------------------------------------------------
# The state machine through HTTP: what is refused in which state


REFUSALS = {
    # pending pick-up order: only "paid" and "cancel" are allowed
    "pending_pickup": [
        ("packed", {}, "Pesanan ambil di galeri tidak perlu dikemas untuk dikirim."),
        ("ship", {"tracking_number": "P261100012345"}, "Menunggu pembayaran tidak bisa diubah ke Dikirim"),
        ("picked-up", {}, "Menunggu pembayaran tidak bisa diubah ke Selesai"),
        ("complete", {}, "Hanya pesanan yang sudah dikirim yang bisa diselesaikan."),
    ],
    # shipped delivery order: only "complete"
    "shipped": [
        ("paid", {"method": "cash"}, "Dikirim tidak bisa diubah ke Dibayar"),
        ("packed", {}, "Dikirim tidak bisa diubah ke Dikemas"),
        ("picked-up", {}, "Hanya pesanan ambil di galeri yang bisa ditandai sudah diambil."),
        ("cancel", {"reason": "salah kirim"}, "Dikirim tidak bisa diubah ke Dibatalkan"),
        ("ship", {"tracking_number": "P261100054321"}, "Dikirim tidak bisa diubah ke Dikirim"),
    ],
    # a counter sale is completed at once: nothing more
    "counter": [
        ("paid", {"method": "qris"}, "Selesai tidak bisa diubah ke Dibayar"),
        ("cancel", {"reason": "batal"}, "Selesai tidak bisa diubah ke Dibatalkan"),
        ("picked-up", {}, "Selesai tidak bisa diubah ke Selesai"),
        ("complete", {}, "Hanya pesanan yang sudah dikirim yang bisa diselesaikan."),
    ],
}


def _order_in(state: str, shelf, staff):
    if state == "pending_pickup":
        return pickup_order(shelf)
    if state == "shipped":
        order = delivery_order(shelf, rendang_units=1)
        mark_paid(order, "cash", user=staff)
        mark_packed(order, user=staff)
        return ship(order, "P261100011111", user=staff)
    return counter_sale([CartLine(shelf[1].id, 1)], "cash", user=staff)


@pytest.mark.parametrize("state, action, data, message",
                         [(state, *refusal) for state, refusals in REFUSALS.items() for refusal in refusals])
def test_transitions_the_state_machine_forbids_are_refused_with_422(staff_client, staff, tariff, shelf, state,
                                                                      action, data, message):
    order = _order_in(state, shelf, staff)
    path = f"/staff/orders/{order.number}"
    status = order.status
    before = counts()
    response = post(staff_client, f"{path}/{action}", data, path)
    assert response.status_code == 422
    assert message in text_of(response)
    assert counts() == before and reload(order.number).status == status


@pytest.mark.parametrize("state, shown, hidden", [
    ("pending_pickup", ["paid", "cancel"], ["packed", "ship", "picked-up", "complete"]),
    ("shipped", ["complete"], ["paid", "packed", "ship", "picked-up", "cancel"]),
    ("counter", [], ["paid", "packed", "ship", "picked-up", "complete", "cancel"]),
])
def test_the_detail_offers_only_the_allowed_actions(staff_client, staff, tariff, shelf, state, shown, hidden):
    order = _order_in(state, shelf, staff)
    path = f"/staff/orders/{order.number}"
    page = text_of(staff_client.get(path))
    for action in shown:
        assert f'action="{path}/{action}"' in page, action
    for action in hidden:
        assert f'action="{path}/{action}"' not in page, action


def test_a_pickup_order_is_paid_at_the_counter_and_collected(staff_client, staff, shelf):
    order = pickup_order(shelf, units=2)
    path = f"/staff/orders/{order.number}"
    page = text_of(staff_client.get(path))
    assert "Ambil di galeri" in page and "Menunggu dibayar di galeri sampai" in page
    assert post(staff_client, f"{path}/paid", {"method": "cash"}, path).status_code == 302
    page = text_of(staff_client.get(path))
    assert f'action="{path}/picked-up"' in page and f'action="{path}/packed"' not in page
    assert f'href="/staff/counter/receipts/{order.number}"' in page  # paid: a receipt can be printed
    response = post(staff_client, f"{path}/picked-up", {}, path)
    assert response.status_code == 302
    done = reload(order.number)
    assert done.status == OrderStatus.COMPLETED and done.payment_method == "cash" and done.completed_at
    assert [event.user_id for event in done.events[1:]] == [staff.id, staff.id]
    assert done.events[-1].note == "Diambil di galeri"
    assert f"Pesanan {order.number} sudah diambil pembeli." in text_of(staff_client.get(path))


@pytest.mark.parametrize("method", ["", "bitcoin", "x" * 30])
def test_an_unknown_payment_method_is_refused(staff_client, shelf, method):
    order = pickup_order(shelf)
    path = f"/staff/orders/{order.number}"
    before = counts()
    response = post(staff_client, f"{path}/paid", {"method": method}, path)
    assert response.status_code == 422 and "Pilih cara bayar." in text_of(response)
    assert counts() == before and reload(order.number).status == OrderStatus.PENDING_PAYMENT


# ---------------------------------------------------------------------------------------------
# Cancelling gives the stock back


def test_a_paid_order_is_cancelled_only_by_refunding_it_in_full_which_puts_its_units_back(staff_client, staff,
                                                                                        tariff, shelf):
    # Given an order paid by QRIS at the gallery
    rendang, songket, early, late = shelf
    order = delivery_order(shelf, rendang_units=3)
    pay_at_desk(order, "qris", user=staff)
    assert (sellable_quantity(rendang.id), sellable_quantity(songket.id)) == (9, 9)
    path = f"/staff/orders/{order.number}"
    page = text_of(staff_client.get(path))
    assert "Batalkan dan kembalikan seluruh dana" in page and f"{path}/cancel" not in page

    # When staff try to cancel it as if unpaid, the service refuses and nothing changes
    with pytest.raises(DomainError, match="kembalikan seluruh dana|mengembalikan seluruh dananya"):
        cancel(reload(order.number), user=staff, reason="Pembeli minta batal")
    db.session.rollback()
    response = post(staff_client, f"{path}/cancel", {"reason": "Pembeli minta batal lewat WhatsApp"}, path)
    assert response.status_code == 422 and reload(order.number).status == OrderStatus.PAID

    # When they cancel it by refunding it in full (one action on the order page)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    response = post(staff_client, f"/staff/payments/orders/{order.number}/refund",
                    {"scope": "all", "token": token, "reason": "Pembeli minta batal lewat WhatsApp"}, path)
    assert response.status_code == 303

    # Then the money is refunded and recorded, the order ends refunded, and every unit is back on its lot
    refunded = reload(order.number)
    assert refunded.status == OrderStatus.REFUNDED
    assert (refunded.events[-1].user_id, refunded.events[-1].note) == (staff.id, "Pembeli minta batal lewat WhatsApp")
    [payment] = db.session.scalars(select(Payment).where(Payment.order_id == order.id)).all()
    assert payment.status == PaymentStatus.REFUNDED and payment.amount_refunded == order.total
    assert [e.kind for e in db.session.scalars(select(PaymentEvent).where(PaymentEvent.order_id == order.id)
                                                 .order_by(PaymentEvent.id))] == ["recorded", "refunded"]
    assert (sellable_quantity(rendang.id), sellable_quantity(songket.id)) == (12, 10)
    releases = db.session.scalars(
        select(StockMovement).where(StockMovement.kind == MovementKind.RELEASE,
                                    StockMovement.reference == order.number).order_by(StockMovement.lot_id)
    ).all()
    assert sorted((movement.lot_id, movement.quantity) for movement in releases) == sorted(
        [(early.id, 2), (late.id, 1), (songket_lot_id(songket), 1)])
    assert all(movement.created_by_id == staff.id for movement in releases)
    assert all(balance.balanced for balance in lot_balances().values())
    # The same form sent again refunds nothing more.
    post(staff_client, f"/staff/payments/orders/{order.number}/refund", {"scope": "all", "token": token}, path)
    assert db.session.scalar(select(func.count(Refund.id))) == 1


def songket_lot_id(songket) -> int:
    return db.session.scalar(select(Lot.id).where(Lot.variant_id == songket.id))


@pytest.mark.parametrize("reason, message", [("", "Tulis alasan pembatalan."),
                                             ("ok", "Alasan pembatalan 3 sampai 500 karakter."),
                                             ("x" * 501, "Alasan pembatalan 3 sampai 500 karakter.")])
def test_cancelling_needs_a_reason(staff_client, shelf, reason, message):
    order = pickup_order(shelf, units=2)
    path = f"/staff/orders/{order.number}"
    before = counts()
    response = post(staff_client, f"{path}/cancel", {"reason": reason}, path)
    assert response.status_code == 422 and message in text_of(response)
    assert counts() == before and sellable_quantity(shelf[0].id) == 10


def test_an_unpaid_order_past_its_deadline_expires_when_staff_open_it(staff_client, shelf):
    order = pickup_order(shelf, units=4)
    assert sellable_quantity(shelf[0].id) == 8
    clock.freeze(clock.utcnow() + timedelta(hours=49))
    page = text_of(staff_client.get(f"/staff/orders/{order.number}"))
    assert "Kedaluwarsa" in page and "Batas waktu pembayaran lewat" in page
    assert reload(order.number).status == OrderStatus.EXPIRED
    assert sellable_quantity(shelf[0].id) == 12
    # ...and it can no longer be marked paid
    response = post(staff_client, f"/staff/orders/{order.number}/paid", {"method": "cash"},
                    f"/staff/orders/{order.number}")
    assert response.status_code == 422 and "Kedaluwarsa tidak bisa diubah ke Dibayar" in text_of(response)


def test_an_unknown_order_number_is_404(staff_client):
    for path in ("/staff/orders/GO-2601-XXXXX", "/staff/orders/GO-2601-XXXXX/packing-slip",
                 "/staff/orders/GO-2601-XXXXX/label", "/staff/counter/receipts/GO-2601-XXXXX"):
        assert staff_client.get(path).status_code == 404, path
    assert post(staff_client, "/staff/orders/GO-2601-XXXXX/paid", {"method": "cash"}).status_code == 404


# ---------------------------------------------------------------------------------------------
# Printables


def test_the_packing_slip_lists_skus_quantities_lots_and_notes(staff_client, tariff, shelf):
    order = delivery_order(shelf, rendang_units=3)
    page = text_of(staff_client.get(f"/staff/orders/{order.number}/packing-slip"))
    assert "Daftar kemas" in page and order.number in page
    assert shelf[0].sku in page and shelf[1].sku in page
    assert "Rendang Lokan" in page and "Selendang Songket" in page
    assert re.search(r'<td class="num"><strong>3</strong></td>', page)
    assert "rak A1" in page and f"Lot #{shelf[2].id} × 2" in page
    assert "Bungkus rapi ya" in page and 'class="tick"' in page
    assert "css/print." in page and "Rp 65.000" not in page.replace("\u00a0", " ")  # no prices on the slip


def test_the_address_label_has_sender_recipient_service_weight_and_resi(staff_client, app, tariff, shelf):
    order = delivery_order(shelf, rendang_units=3)
    path = f"/staff/orders/{order.number}/label"
    page = text_of(staff_client.get(path))
    assert "css/label-print." in page
    assert app.config["GALLERY_ADDRESS"] in page
    for text in ("Siti Rahma", "+6281234567890", "Jl. Medan Merdeka Barat No. 12", "Kec. Gambir", "Jakarta Pusat",
                 "10110", "Pos Reguler", "POS_REG", "2 kg", order.number):
        assert text in page, text
    assert "DKI Jakarta" in page or "Jakarta" in page
    mark_paid(order, "cash", user=None)
    mark_packed(order, user=None)
    ship(order, "P261100077777", user=None)
    assert "Resi: P261100077777" in text_of(staff_client.get(path))


def test_the_address_label_weighs_the_parcel_as_ordered_not_as_the_catalogue_says_today(staff_client, tariff,
                                                                                         shelf):
    order = delivery_order(shelf, rendang_units=3)
    path = f"/staff/orders/{order.number}/label"
    before = re.search(r"aktual ± ([\d.,]+) kg", text_of(staff_client.get(path)))[1]
    rendang, songket, _, _ = shelf
    rendang.weight_grams, songket.weight_grams = rendang.weight_grams * 10, songket.weight_grams * 10
    db.session.commit()
    assert re.search(r"aktual ± ([\d.,]+) kg", text_of(staff_client.get(path)))[1] == before


def test_a_pickup_order_has_a_packing_slip_but_no_address_label(staff_client, shelf):
    order = pickup_order(shelf)
    assert staff_client.get(f"/staff/orders/{order.number}/packing-slip").status_code == 200
    assert staff_client.get(f"/staff/orders/{order.number}/label").status_code == 404
    assert f"/staff/orders/{order.number}/label" not in text_of(staff_client.get(f"/staff/orders/{order.number}"))


# ---------------------------------------------------------------------------------------------
# The list


def numbers_in(page: str) -> list[str]:
    return re.findall(r'href="/staff/orders/(GO-[0-9A-Z-]+)"', page)


def test_the_default_tab_is_the_work_queue(staff_client, staff, tariff, shelf):
    to_pack = delivery_order(shelf, rendang_units=1)
    mark_paid(to_pack, "cash", user=staff)
    to_ship = delivery_order(shelf, rendang_units=1)
    mark_paid(to_ship, "cash", user=staff)
    mark_packed(to_ship, user=staff)
    awaiting_payment = delivery_order(shelf, rendang_units=1)  # the shopper still has to pay online
    pickup_unpaid = pickup_order(shelf, name="Ani Pick")
    pickup_paid = pickup_order(shelf, name="Rudi Ambil")
    mark_paid(pickup_paid, "qris", user=staff)
    shipped = _order_in("shipped", shelf, staff)
    sold = counter_sale([CartLine(shelf[1].id, 1)], "cash", user=staff, customer_name="Tamu")

    page = text_of(staff_client.get("/staff/orders"))
    queue = set(numbers_in(page))
    assert queue == {to_pack.number, to_ship.number, pickup_unpaid.number, pickup_paid.number}
    listed = numbers_in(page)
    assert listed[0] == pickup_paid.number  # newest first
    assert "Perlu diproses <span class=\"count\">4</span>" in page
    assert "Rudi Ambil" in page and "Batas bayar" in page

    everything = numbers_in(text_of(staff_client.get("/staff/orders?tab=all")))
    assert set(everything) == {to_pack.number, to_ship.number, awaiting_payment.number, pickup_unpaid.number,
                               pickup_paid.number, shipped.number, sold.number}
    assert set(numbers_in(text_of(staff_client.get("/staff/orders?tab=pending_payment")))) == {
        awaiting_payment.number, pickup_unpaid.number}
    assert numbers_in(text_of(staff_client.get("/staff/orders?tab=shipped"))) == [shipped.number]
    assert numbers_in(text_of(staff_client.get("/staff/orders?tab=all&channel=counter"))) == [sold.number]
    assert set(numbers_in(text_of(staff_client.get("/staff/orders?tab=completed&channel=online")))) == set()
    # unknown filters fall back to the defaults rather than failing
    assert set(numbers_in(text_of(staff_client.get("/staff/orders?tab=nope&channel=x&page=abc")))) == queue


def test_search_by_number_name_or_resi(staff_client, staff, tariff, shelf):
    budi = pickup_order(shelf, name="Budi Santoso")
    ani = pickup_order(shelf, name="Ani Marlina")
    shipped = _order_in("shipped", shelf, staff)
    assert numbers_in(text_of(staff_client.get("/staff/orders?tab=all&q=santoso"))) == [budi.number]
    assert numbers_in(text_of(staff_client.get(f"/staff/orders?tab=all&q={ani.number[-5:].lower()}"))) == [ani.number]
    assert numbers_in(text_of(staff_client.get("/staff/orders?tab=all&q=P261100011111"))) == [shipped.number]
    page = text_of(staff_client.get("/staff/orders?tab=all&q=%25"))
    assert numbers_in(page) == [] and "Tidak ada pesanan yang cocok." in page


def test_an_unpaid_order_past_its_deadline_is_marked_in_the_list(staff_client, shelf):
    order = pickup_order(shelf)
    clock.freeze(clock.utcnow() + timedelta(hours=50))
    page = text_of(staff_client.get("/staff/orders"))
    assert order.number in page and "lewat" in page


def _orders_page_statements(client) -> int:
    with count_statements() as statements:
        response = client.get("/staff/orders?tab=all")
    assert response.status_code == 200
    return len(statements)


def test_the_list_runs_the_same_number_of_statements_for_2_or_30_orders(staff_client, staff, make, shelf):
    variant = make.product(name="Gantungan Kunci", variants=[("Kecil", 15_000, 50)]).variants[0]
    make.stock(variant, 200, payout=12_000)
    for index in range(2):
        place_order([CartLine(variant.id, 1), CartLine(shelf[1].id, 1)] if index == 0 else [CartLine(variant.id, 2)],
                    Contact(f"Pembeli {index}", "p@contoh.id", "081200000000"), fulfilment="pickup")
    few = _orders_page_statements(staff_client)
    for index in range(28):
        if index % 3 == 0:
            counter_sale([CartLine(variant.id, 1)], "cash", user=staff)
        else:
            order = place_order([CartLine(variant.id, 1 + index % 4)],
                                Contact(f"Pembeli {index}", "p@contoh.id", "081200000000"), fulfilment="pickup")
            if index % 2:
                mark_paid(order, "cash", user=staff)
    many = _orders_page_statements(staff_client)
    assert few == many
    assert many <= 4  # the signed-in user, the tab counts, the page


def test_the_list_pages_by_fifty(staff_client, staff, make):
    variant = make.product(name="Gantungan Kunci", variants=[("Kecil", 15_000, 50)]).variants[0]
    make.stock(variant, 100, payout=12_000)
    for _ in range(52):
        counter_sale([CartLine(variant.id, 1)], "cash", user=staff)
    first = text_of(staff_client.get("/staff/orders?tab=all&channel=counter"))
    assert len(numbers_in(first)) == 50 and "Halaman 1 dari 2" in first
    assert 'href="/staff/orders?tab=all&channel=counter&page=2"' in first
    second = text_of(staff_client.get("/staff/orders?tab=all&channel=counter&page=2"))
    assert len(numbers_in(second)) == 2
    assert len(numbers_in(text_of(staff_client.get("/staff/orders?tab=all&channel=counter&page=99")))) == 2


def test_the_staff_menu_links_orders_and_the_counter(staff_client):
    page = text_of(staff_client.get("/staff"))
    assert 'href="/staff/orders"' in page and 'href="/staff/counter"' in page


# ---------------------------------------------------------------------------------------------
# Access


def _paths(number: str) -> list[str]:
    return ["/staff/orders", f"/staff/orders/{number}", f"/staff/orders/{number}/packing-slip",
            f"/staff/orders/{number}/label", "/staff/counter", "/staff/counter?q=rendang",
            f"/staff/counter/receipts/{number}"]


def _posts(number: str) -> list[tuple[str, dict]]:
    return [
        (f"/staff/orders/{number}/paid", {"method": "cash"}),
        (f"/staff/orders/{number}/packed", {}),
        (f"/staff/orders/{number}/ship", {"tracking_number": "P261100012345"}),
        (f"/staff/orders/{number}/picked-up", {}),
        (f"/staff/orders/{number}/complete", {}),
        (f"/staff/orders/{number}/cancel", {"reason": "uji akses"}),
        ("/staff/counter", {"action": "add", "sku": "X", "quantity": "1"}),
        ("/staff/counter", {"action": "sell", "method": "cash"}),
    ]


@pytest.fixture
def paid_delivery(tariff, shelf):
    order = delivery_order(shelf)
    return mark_paid(order, "cash", user=None).number


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.PRODUCER])
def test_producers_and_customers_get_403_everywhere(client, make, shelf, paid_delivery, role):
    producer = db.session.get(Lot, shelf[2].id).producer
    make.login(client, make.user(role, producer=producer if role == Role.PRODUCER else None))
    for path in _paths(paid_delivery):
        assert client.get(path).status_code == 403, path
    token = csrf_token(client, "/")
    before = counts()
    for path, data in _posts(paid_delivery):
        assert client.post(path, data=dict(data, csrf_token=token)).status_code == 403, path
    assert counts() == before and reload(paid_delivery).status == OrderStatus.PAID


def test_anonymous_users_are_sent_to_login_everywhere(client, paid_delivery):
    for path in _paths(paid_delivery):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next="), path
    token = csrf_token(client, "/login")
    before = counts()
    for path, data in _posts(paid_delivery):
        response = client.post(path, data=dict(data, csrf_token=token))
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path
    assert counts() == before


def test_admin_reaches_every_page(client, make, paid_delivery):
    make.login(client, make.user(Role.ADMIN))
    for path in _paths(paid_delivery):
        assert client.get(path).status_code == 200, path


def test_posts_without_a_csrf_token_are_refused(staff_client, paid_delivery):
    before = counts()
    for path, data in _posts(paid_delivery):
        assert staff_client.post(path, data=data).status_code == 400, path
    assert counts() == before and reload(paid_delivery).status == OrderStatus.PAID
