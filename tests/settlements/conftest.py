"""A month at the gallery (November 2026, WIB): intakes, online and counter sales, refunds, a return, a write-off."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pytest

from gallery import clock
from gallery.accounts.models import Role
from gallery.consignment.documents import ReceiptLine, ReturnLine, create_receipt, return_to_producer, write_off
from gallery.consignment.models import Lot, ReturnReason, WriteOffCause
from gallery.extensions import db
from tests.edges import place_order
from gallery.shipping.addresses import Address
from gallery.orders.placing import CartLine, Contact
from tests.edges import pay_at_desk
from tests.edges import sell_at_counter
from gallery.payments.refunds import refund
from tests.orders.conftest import JAKARTA_PUSAT
from tests import edges

SHOPPER = Contact("Siti Rahma", "siti@contoh.id", "0812 3456 7890")
GAMBIR = Address(*JAKARTA_PUSAT, street="Jl. Medan Merdeka Barat No. 12", postal_code="10110")


def proof_png() -> bytes:
    """A small picture of a transfer slip, as staff would photograph it."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (240, 240, 230)).save(buffer, "PNG")
    return buffer.getvalue()


def at(day: int, hour: int = 10, minute: int = 0, month: int = 11, year: int = 2026) -> None:
    """Move the shop clock to a WIB moment of 2026."""
    clock.freeze(datetime(year, month, day, hour, minute, tzinfo=clock.WIB))


def reload(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


@dataclass
class Month:
    staff: object
    admin: object
    rendang_maker: object
    songket_maker: object
    rendang: object
    galamai: object
    songket: object
    orders: dict


def ship_order(order, resi, staff):
    pay_at_desk(order, "bank_transfer", user=staff)
    edges.mark_packed(order, user=staff)
    return edges.ship(order, resi, user=staff)


@pytest.fixture
def month(make) -> Month:
    """Everything of November 2026; statements not generated yet. Returns what the tests need."""
    from gallery.orders.models import Order

    at(1, 8)
    staff = make.user(Role.STAFF)
    admin = make.user(Role.ADMIN)
    rendang_maker = make.producer("Rendang Bundo", bank_name="Bank Nagari", bank_account_number="1101-0200-3344",
                                  bank_account_holder="Bundo Yusnimar")
    songket_maker = make.producer("Songket Pandai Sikek")
    rendang_product = make.product(rendang_maker, name="Rendang Lokan", category="rendang",
                                   variants=[("250 g", 65_000, 300)])
    galamai_product = make.product(rendang_maker, name="Galamai", category="rendang", variants=[("Kotak", 30_000, 200)])
    songket_product = make.product(songket_maker, name="Selendang Songket", category="songket",
                                   variants=[("Merah", 450_000, 400)])
    rendang, galamai, songket = rendang_product.variants[0], galamai_product.variants[0], songket_product.variants[0]
    _tariff_for_now()
    # Intakes through consignment receipts, with agreed payouts (harga titip).
    create_receipt(rendang_maker, [ReceiptLine(rendang.id, 20, 50_000, date(2027, 2, 1)),
                                   ReceiptLine(galamai.id, 5, 24_000, date(2026, 11, 20))], user=staff)
    db.session.commit()
    create_receipt(songket_maker, [ReceiptLine(songket.id, 4, 380_000)], user=staff)
    db.session.commit()

    made = {}
    at(3)
    made["online"] = ship_order(place_order([CartLine(rendang.id, 3), CartLine(songket.id, 1)], SHOPPER,
                                                   fulfilment="delivery", address=GAMBIR, service_code="POS_REG"),
                                "RESI0001NOV", staff)
    at(5)
    pickup = place_order([CartLine(rendang.id, 2)], SHOPPER, fulfilment="pickup")
    pay_at_desk(pickup, "cash", user=staff)
    made["pickup"] = edges.mark_picked_up(pickup, user=staff)
    at(7)
    made["counter"] = sell_at_counter([CartLine(rendang.id, 2), CartLine(galamai.id, 2)], "cash", user=staff)
    at(8)
    # A refund before settlement: one galamai of the counter sale comes back (not restocked).
    counter = made["counter"]
    refund(counter, user=staff, quantities={counter.lines[1].id: 1}, reason="penyok")
    at(10)
    made["songket_counter"] = sell_at_counter([CartLine(songket.id, 1)], "qris", user=staff)
    # Paid but never shipped in November: does not count.
    at(12)
    made["unshipped"] = place_order([CartLine(rendang.id, 1)], SHOPPER, fulfilment="delivery",
                                           address=GAMBIR, service_code="POS_REG")
    pay_at_desk(made["unshipped"], "bank_transfer", user=staff)
    # Unpaid: does not count.
    made["unpaid"] = place_order([CartLine(rendang.id, 1)], SHOPPER, fulfilment="pickup")
    at(15)
    # A return of unsold songket and, after expiry, a write-off of the last galamai.
    songket_lot = db.session.query(Lot).filter_by(variant_id=songket.id).one()
    return_to_producer(songket_maker, [ReturnLine(songket_lot.id, 1)], ReturnReason.UNSOLD, user=staff)
    db.session.commit()
    at(21)
    galamai_lot = db.session.query(Lot).filter_by(variant_id=galamai.id).one()
    write_off(galamai_lot, galamai_lot.on_hand, WriteOffCause.EXPIRED_DESTROYED, "lewat tanggal", user=staff)
    db.session.commit()
    # Shipped on 30 November 23:30 WIB (16:30 UTC): November. Another at 1 December 00:30 WIB: December.
    at(28)
    late = place_order([CartLine(rendang.id, 1)], SHOPPER, fulfilment="delivery", address=GAMBIR,
                              service_code="POS_REG")
    pay_at_desk(late, "bank_transfer", user=staff)
    edges.mark_packed(late, user=staff)
    at(30, 23, 30)
    made["last_minute"] = edges.ship(late, "RESI0002NOV", user=staff)
    at(29)
    december = place_order([CartLine(rendang.id, 1)], SHOPPER, fulfilment="delivery", address=GAMBIR,
                                  service_code="POS_REG")
    pay_at_desk(december, "bank_transfer", user=staff)
    edges.mark_packed(december, user=staff)
    at(1, 0, 30, month=12)
    made["december"] = edges.ship(december, "RESI0003DES", user=staff)
    made = {key: db.session.get(Order, order.id) for key, order in made.items()}
    return Month(staff, admin, rendang_maker, songket_maker, rendang, galamai, songket, made)


def _tariff_for_now():
    from datetime import timedelta

    from gallery.shipping.models import ShippingService, TariffRate, TariffVersion

    regular = ShippingService(code="POS_REG", name="Pos Reguler", volumetric_divisor=6000,
                              rounding_tolerance_grams=300, min_kg=1, max_kg=50, discount_bp=2000,
                              insurance_rate_bp=20, insurance_fee=5000, position=1)
    version = TariffVersion(effective_on=clock.today_wib() - timedelta(days=1), source_filename="uji.csv")
    db.session.add_all([regular, version])
    db.session.flush()
    db.session.add(TariffRate(version_id=version.id, service_id=regular.id, regency_code="31.71",
                              price_per_kg=26_000, etd_min_days=2, etd_max_days=4))
    db.session.commit()
