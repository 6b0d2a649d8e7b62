"""One definition of a sale: the portal, the statements and /statistics count the same units and money."""
from datetime import datetime

from gallery import clock
from gallery.accounts.models import Role
from gallery.orders.placing import CartLine, Contact
from tests.edges import place_order
from tests.edges import mark_packed, mark_picked_up, ship
from gallery.shipping.addresses import Address
from tests.edges import pay_at_desk
from tests.edges import sell_at_counter
from gallery.payments.refunds import refund
from gallery.portal import queries as portal
from gallery.registry.statistics import registry_statistics
from gallery.settlements.periods import Period
from gallery.settlements.statements import generate
from tests.orders.conftest import JAKARTA_PUSAT

SHOPPER = Contact("Siti Rahma", "siti@contoh.id", "0812 3456 7890")
GAMBIR = Address(*JAKARTA_PUSAT, street="Jl. Medan Merdeka Barat No. 12", postal_code="10110")


def test_portal_statements_and_statistics_agree_on_what_sold(make, tariff):
    # Given, this month: a parcel shipped, a pick-up collected then partly refunded, a counter sale
    # refunded in full, a pick-up paid but not collected, and a parcel paid but not shipped
    today = clock.today_wib()
    clock.freeze(datetime(today.year, today.month, today.day, 10, tzinfo=clock.WIB))
    staff = make.user(Role.STAFF)
    producer = make.producer("Rendang Bundo", kecamatan="13.01.05")
    variant = make.product(producer, name="Rendang Lokan", category="rendang",
                           variants=[("250 g", 65_000, 300)]).variants[0]
    make.stock(variant, 10, payout=50_000, expires_in_days=200)
    make.stock(variant, 10, payout=52_000, expires_in_days=300)
    shipped = place_order([CartLine(variant.id, 2)], SHOPPER, fulfilment="delivery", address=GAMBIR,
                          service_code="POS_REG")
    pay_at_desk(shipped, "bank_transfer", user=staff)
    mark_packed(shipped, user=staff)
    ship(shipped, "P2611000011", user=staff)
    collected = place_order([CartLine(variant.id, 12)], SHOPPER, fulfilment="pickup")  # spans both lots
    pay_at_desk(collected, "cash", user=staff)
    mark_picked_up(collected, user=staff)
    refund(collected, user=staff, quantities={collected.lines[0].id: 3}, restock=True, reason="rusak")
    counter = sell_at_counter([CartLine(variant.id, 1)], "cash", user=staff)
    refund(counter, user=staff, reason="batal")
    waiting = place_order([CartLine(variant.id, 1)], SHOPPER, fulfilment="pickup")
    pay_at_desk(waiting, "cash", user=staff)
    month = Period.month(today.year, today.month)
    clock.freeze(datetime(month.end.year, month.end.month, 2, 10, tzinfo=clock.WIB))

    # When each reads this month's sales
    generate(month, user=staff)
    from gallery.settlements.queries import statements_of

    [statement] = statements_of(producer.id)
    page = portal.sales_page(producer.id, portal.SaleFilter())
    months = portal.monthly_sales(producer.id, clock.today_wib())
    sales_here = next(row.value for row in registry_statistics().sales_by_kecamatan if row.key == "13.01.05")

    # Then they agree: 2 shipped + 12 collected − 3 refunded = 11 units
    assert statement.units == page.units == months[-2].units == 11
    assert statement.payout_total == page.earnings == months[-2].earnings
    assert sales_here == statement.gross_sales == 11 * 65_000
