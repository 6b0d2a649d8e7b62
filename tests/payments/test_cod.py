"""Pos cash on delivery: offered at checkout where set up, shipped unpaid, remitted, settled; or returned."""

import pytest
from sqlalchemy import func, select

from gallery import clock
from gallery.accounts.models import Role
from gallery.consignment.ledger import lot_balances
from gallery.consignment.models import MovementKind, StockMovement
from gallery.consignment.services import sellable_quantity
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.orders.cli import expire_due_orders
from gallery.orders.placing import CartLine
from tests.edges import place_order
from tests.edges import complete, mark_packed, mark_paid, return_to_sender, ship
from gallery.orders.models import Order, OrderStatus
from gallery.payments import cod
from gallery.payments.models import CodRemittance, Payment, PaymentStatus, Provider
from gallery.settlements import statements as settlements
from gallery.settlements.models import StatementLine
from gallery.settlements.reconciliation import reconcile
from gallery.shipping.cod import cod_fee
from gallery.shipping.models import ShippingService
from tests.factories import csrf_token
from tests.payments.conftest import GAMBIR, SHOPPER


@pytest.fixture
def cod_on(app, tariff):
    """COD through Pos Reguler to DKI Jakarta (31): 3 %, at least Rp 5.000, orders up to Rp 1.000.000."""
    saved = {k: app.config.get(k) for k in ("COD_ENABLED", "COD_PROVINCES", "COD_MAX_ORDER")}
    app.config.update(COD_ENABLED=True, COD_PROVINCES="31,13", COD_MAX_ORDER=1_000_000)
    service = db.session.scalar(select(ShippingService).where(ShippingService.code == "POS_REG"))
    service.cod_enabled, service.cod_fee_bp, service.cod_min_fee = True, 300, 5_000
    db.session.commit()
    yield service
    app.config.update(saved)


def _cod_order(shelf, quantity=2):
    rendang, _songket = shelf
    return place_order([CartLine(rendang.id, quantity)], SHOPPER, fulfilment="delivery", address=GAMBIR,
                              service_code="POS_REG", cash_on_delivery=True)


def _shipped(order, staff, resi="P2611000000001"):
    mark_packed(order, user=staff)
    return ship(order, resi, user=staff)


def _fresh(order) -> Order:
    db.session.expire_all()
    return db.session.get(Order, order.id)


def test_the_cod_fee_is_basis_points_of_the_value_with_a_minimum():
    assert cod_fee(100_000, 300, 5_000) == 5_000
    assert cod_fee(500_000, 300, 5_000) == 15_000
    assert cod_fee(100_050, 250, 0) == 2_501  # rounded half up, once


def test_a_cod_order_carries_its_fee_and_has_no_deadline(app, cod_on, shelf):
    order = _cod_order(shelf)
    value = order.subtotal + order.shipping_price
    assert order.cash_on_delivery and order.cod_fee == max(value * 3 // 100, 5_000)
    assert order.total == value + order.cod_fee and order.payment_deadline is None
    assert expire_due_orders() == []
    from gallery.payments import core

    assert core.available_methods(order) == []


def test_cod_is_not_offered_where_it_is_not_set_up(app, cod_on, shelf, make):
    app.config["COD_PROVINCES"] = "13"
    with pytest.raises(DomainError):
        _cod_order(shelf)
    app.config["COD_PROVINCES"] = ""
    app.config["COD_MAX_ORDER"] = 100_000
    with pytest.raises(DomainError):
        _cod_order(shelf)
    app.config["COD_MAX_ORDER"] = 1_000_000
    app.config["COD_ENABLED"] = False
    with pytest.raises(DomainError):
        _cod_order(shelf)
    assert db.session.scalar(select(func.count(Order.id))) == 0


def _checkout(client, **extra):
    data = {"name": "Siti Rahma", "email": "siti@contoh.id", "whatsapp": "0812 3456 7890", "fulfilment": "delivery",
            "province_code": "31", "regency_code": "31.71", "district_code": "31.71.01",
            "street": "Jl. Medan Merdeka Barat No. 12", "postal_code": "10110", "service": "POS_REG"}
    data.update(extra, csrf_token=csrf_token(client, "/checkout"))
    return client.post("/checkout", data=data)


def test_checkout_shows_the_cod_fee_and_places_a_cod_order(app, client, cod_on, shelf):
    rendang, _songket = shelf
    client.post("/cart/add", data={"variant_id": rendang.id, "quantity": 2,
                                   "csrf_token": csrf_token(client, f"/products/{rendang.product.slug}")})
    page = _checkout(client, action="refresh").get_data(as_text=True)
    assert "Bayar di tempat (COD)" in page and "biaya COD" in page
    page = _checkout(client, action="refresh", pay_on_delivery="y").get_data(as_text=True)
    assert "Biaya COD" in page
    response = _checkout(client, action="place", pay_on_delivery="y")
    assert response.status_code == 303
    order = db.session.scalar(select(Order))
    assert order.cash_on_delivery and order.cod_fee > 0 and order.status == OrderStatus.PENDING_PAYMENT
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Bayar di tempat (COD)" in shown and "Bayar sekarang" not in shown


def test_a_cod_order_is_shipped_unpaid_remitted_by_csv_and_settled_to_its_producer(app, make, cod_on, shelf):
    staff = make.user(Role.STAFF)
    order = _cod_order(shelf)
    with pytest.raises(DomainError):
        mark_paid(order, "cash", user=staff)  # money comes only through the agency's remittance
    _shipped(order, staff)
    order = _fresh(order)
    assert order.status == OrderStatus.SHIPPED and order.paid_at is None
    with pytest.raises(DomainError):
        complete(order, user=staff)
    month = settlements.Period.month(clock.today_wib().year, clock.today_wib().month)
    settlements.generate(month, user=staff)
    assert db.session.scalar(select(func.count(StatementLine.id))) == 0  # shipped, not remitted: no sale
    # The agency's file: one wrong amount and one unknown resi make the whole file wait.
    bad = (f"resi,amount,fee\nP2611000000001,{order.total - 1},{order.cod_fee}\nP0000000000009,1000,0\n").encode()
    preview = cod.read_csv(bad, "setoran.csv")
    assert [e.line for e in preview.errors] == [2, 3]
    with pytest.raises(DomainError):
        cod.record(preview, reference="SETOR-1", remitted_on=clock.today_wib(), user=staff)
    assert db.session.scalar(select(func.count(CodRemittance.id))) == 0
    good = f"# setoran Pos Painan\nresi;amount;fee\np2611 000000001;{order.total};\n".encode()
    preview = cod.read_csv(good, "setoran.csv")
    assert preview.errors == [] and preview.collected == order.total and preview.fees == order.cod_fee
    cod.record(preview, reference="SETOR-1", remitted_on=clock.today_wib(), user=staff)
    order = _fresh(order)
    assert order.status == OrderStatus.COMPLETED and order.paid_at is not None
    payment = db.session.scalar(select(Payment))
    assert payment.provider == Provider.POS_COD and payment.status == PaymentStatus.PAID
    assert payment.amount == order.total
    # Remitted: a sale now, on the producer's statement.
    settlements.generate(month, user=staff)
    settled = db.session.scalars(select(StatementLine)).all()
    assert sum(line.quantity for line in settled) == 2 and {line.order_number for line in settled} == {order.number}
    whole = reconcile(month)
    assert whole.received["pos_cod"] == order.total and whole.cod_fees == order.cod_fee
    assert whole.cod_fees_kept == order.cod_fee and whole.balanced
    # The same parcel cannot be remitted twice.
    again = cod.read_csv(good, "setoran.csv")
    assert again.errors and again.parcels == []


def test_a_returned_cod_parcel_restocks_through_the_ledger_and_its_shipping_is_the_gallerys_loss(app, make, cod_on,
                                                                                              shelf):
    rendang, _songket = shelf
    staff = make.user(Role.STAFF)
    order = _shipped(_cod_order(shelf), staff)
    assert sellable_quantity(rendang.id) == 3
    with pytest.raises(DomainError):
        return_to_sender(_fresh(order), user=staff, reason="")
    return_to_sender(_fresh(order), user=staff, reason="Penerima menolak paket")
    order = _fresh(order)
    assert order.status == OrderStatus.RETURNED and order.returned_at is not None and order.paid_at is None
    assert sellable_quantity(rendang.id) == 5
    [back] = db.session.scalars(select(StockMovement).where(StockMovement.kind == MovementKind.RELEASE)).all()
    assert back.quantity == 2 and "Penerima menolak paket" in back.reason and back.reference == order.number
    assert all(b.balanced for b in lot_balances().values())
    month = settlements.Period.month(clock.today_wib().year, clock.today_wib().month)
    whole = reconcile(month)
    assert whole.returned_parcels == 1 and whole.returned_loss == order.shipping_price + order.insurance
    assert whole.cash_in == 0 and whole.balanced
    assert cod.read_csv(f"resi,amount\n{order.tracking_number},{order.total}\n".encode()).errors


def test_staff_remit_ticked_parcels_on_the_cod_screen(app, client, make, cod_on, shelf):
    staff = make.user(Role.STAFF)
    first = _shipped(_cod_order(shelf, 1), staff, "P2611000000001")
    second = _shipped(_cod_order(shelf, 1), staff, "P2611000000002")
    make.login(client, staff)
    page = client.get("/staff/payments/cod")
    assert page.status_code == 200 and "P2611000000001" in page.get_data(as_text=True)
    token = csrf_token(client, "/staff/payments/cod")
    form = {"csrf_token": token, "reference": "SETOR-7", "remitted_on": clock.today_wib().isoformat(),
            "action": "hand", "resi": ["P2611000000001"]}
    assert client.post("/staff/payments/cod", data=form).status_code == 303
    assert _fresh(first).status == OrderStatus.COMPLETED and _fresh(second).status == OrderStatus.SHIPPED
    # The same remittance number again is refused, and nothing is written.
    again = client.post("/staff/payments/cod", data=dict(form, resi=["P2611000000002"]))
    assert again.status_code == 422 and "sudah dicatat" in again.get_data(as_text=True)
    assert _fresh(second).status == OrderStatus.SHIPPED
    # A future date is refused.
    future = client.post("/staff/payments/cod", data=dict(form, reference="SETOR-8", remitted_on="2999-01-01",
                                                           resi=["P2611000000002"]))
    assert future.status_code == 422 and _fresh(second).status == OrderStatus.SHIPPED


def test_staff_upload_the_agencys_csv_preview_then_confirm(app, client, make, cod_on, shelf):
    staff = make.user(Role.STAFF)
    order = _shipped(_cod_order(shelf), staff)
    make.login(client, staff)
    token = csrf_token(client, "/staff/payments/cod")
    base = {"csrf_token": token, "reference": "SETOR-9", "remitted_on": clock.today_wib().isoformat()}
    from io import BytesIO

    content = f"resi,amount,fee\n{order.tracking_number},{order.total},{order.cod_fee}\n".encode()
    preview = client.post("/staff/payments/cod", data=dict(base, action="preview",
                                                           file=(BytesIO(content), "setoran.csv")),
                          content_type="multipart/form-data")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Simpan setoran" in html and order.number in html
    assert _fresh(order).status == OrderStatus.SHIPPED  # nothing saved by the preview
    import re

    hidden = re.search(r'name="content" type="hidden" value="([^"]+)"', html) or \
        re.search(r'id="content" name="content" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="content"[^>]*value="([^"]+)"', html)
    done = client.post("/staff/payments/cod", data=dict(base, action="confirm", content=hidden.group(1)))
    assert done.status_code == 303 and _fresh(order).status == OrderStatus.COMPLETED


def test_the_cod_screen_runs_the_same_number_of_statements_whatever_its_size(app, client, make, cod_on, shelf):
    from tests.sqlcount import count_statements

    rendang, _songket = shelf
    make.stock(rendang, 20, payout=50_000)
    staff = make.user(Role.STAFF)
    make.login(client, staff)

    def parcels(start, count):
        for n in range(start, start + count):
            _shipped(_cod_order(shelf, 1), staff, f"P26110000000{n:02d}")

    def remit(resi, reference):
        cod.record(cod.by_hand([resi]), reference=reference, remitted_on=clock.today_wib(), user=staff)
        db.session.commit()

    parcels(1, 2)
    remit("P2611000000001", "SETOR-A")
    with count_statements() as few:
        assert client.get("/staff/payments/cod").status_code == 200
    parcels(3, 5)
    remit("P2611000000003", "SETOR-B")
    remit("P2611000000004", "SETOR-C")
    with count_statements() as many:
        page = client.get("/staff/payments/cod")
    assert page.status_code == 200 and "P2611000000007" in page.get_data(as_text=True)
    assert len(many) == len(few)


def test_a_cod_parcel_not_remitted_has_no_money_to_refund(app, client, make, cod_on, shelf):
    from gallery.payments import refunds

    staff = make.user(Role.STAFF)
    order = _cod_order(shelf)
    mark_packed(order, user=staff)
    make.login(client, staff)
    page = client.get(f"/staff/orders/{order.number}").get_data(as_text=True)
    assert "Batalkan pesanan" in page and "kembalikan seluruh dana" not in page
    ship(_fresh(order), "P2611000000001", user=staff)
    with pytest.raises(DomainError):
        refunds.refund(_fresh(order), user=staff, reason="salah", token="t-cod")
    assert db.session.scalar(select(func.count(Payment.id))) == 0
    assert "Kembalikan dana" not in client.get(f"/staff/payments/orders/{order.number}").get_data(as_text=True)
