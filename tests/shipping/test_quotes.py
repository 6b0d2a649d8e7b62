"""quote() and quote_service(): the engine fed from the tariff tables in force."""
from datetime import date, datetime

import pytest

from gallery import clock
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.shipping.quotes import ParcelItem, ShippingOption, quote, quote_service
from gallery.shipping.tariff_lookups import active_version_id
from gallery.shipping.tariffs import import_tariff
from tests.shipping.conftest import HEADER, add_version, csv_bytes
from tests.sqlcount import count_statements

WIB = clock.WIB


def parcel(grams, quantity=1, size=(0, 0, 0)):
    return [ParcelItem(grams, *size, quantity=quantity)]


def test_jakarta_pusat_gets_every_service_cheapest_first(small_tariff):
    options = quote("31.71", parcel(1500))
    # Pos Jumbo's 10 kg minimum makes it dearer than Pos Reguler for 1.5 kg: left out (it is for big parcels).
    assert [o.service_code for o in options] == ["POS_REG", "POS_NEXTDAY"]
    reguler = options[0]
    assert reguler == ShippingOption(
        service_code="POS_REG", service_name="Pos Reguler", etd_days=(2, 4), parcels=1, chargeable_kg=2,
        public_price=52_000, price=41_600, discount=10_400, insurance=0, tariff_version_id=small_tariff.id)
    assert reguler.total == 41_600
    nextday = options[1]
    # first kg Rp 49.000 + 1 kg × Rp 42.000 = Rp 91.000, 15 % off
    assert (nextday.public_price, nextday.discount, nextday.price, nextday.etd_days) == (91_000, 13_650, 77_350, (1, 2))
    jumbo = quote_service("31.71", parcel(1500), "POS_JUMBO")  # still quoted when asked for by name
    assert (jumbo.chargeable_kg, jumbo.public_price, jumbo.price, jumbo.raised_by_minimum) == (10, 160_000, 144_000,
                                                                                           True)


def test_order_follows_the_total_so_a_heavy_shipment_puts_jumbo_first(small_tariff):
    options = quote("31.71", parcel(29_900))  # with 100 g of packaging, exactly Nextday's 30 kg maximum
    assert [o.service_code for o in options] == ["POS_JUMBO", "POS_REG", "POS_NEXTDAY"]
    assert options == sorted(options, key=lambda o: o.total)


def test_a_service_that_cannot_carry_the_shipment_is_left_out(small_tariff):
    # one 40 kg unit: above Nextday's 30 kg maximum, fine for Reguler (50) and Jumbo (150)
    options = quote("31.71", parcel(40_000))
    assert {o.service_code for o in options} == {"POS_REG", "POS_JUMBO"}
    # 3 × 20 kg goes by Reguler in two parcels
    reguler = quote_service("31.71", parcel(20_000, quantity=3), "POS_REG")
    assert (reguler.parcels, reguler.chargeable_kg) == (2, 60)


def test_nothing_can_carry_a_single_huge_unit(small_tariff):
    with pytest.raises(DomainError) as caught:
        quote("13.71", parcel(60_000))  # Padang has no Jumbo rate; Reguler and Nextday are too small
    assert caught.value.field == "weight"


def test_insurance_is_added_per_service(small_tariff):
    options = {o.service_code: o for o in quote("31.71", parcel(1500), insured_value=500_000)}
    assert options["POS_REG"].insurance == 1200 + 2000
    assert options["POS_REG"].total == 41_600 + 3200


def test_inactive_services_are_not_offered(small_tariff, pos_services):
    pos_services["POS_NEXTDAY"].active = False
    db.session.commit()
    assert [o.service_code for o in quote("31.71", parcel(12_000))] == ["POS_JUMBO", "POS_REG"]


def test_the_packaging_allowance_comes_from_the_config(app, small_tariff):
    assert quote_service("31.71", parcel(1100), "POS_REG").chargeable_kg == 1   # 1.200 g: at the tolerance
    app.config["SHIPPING_PACKAGING_GRAMS"] = 250
    try:
        assert quote_service("31.71", parcel(1100), "POS_REG").chargeable_kg == 2
    finally:
        app.config["SHIPPING_PACKAGING_GRAMS"] = 100


@pytest.mark.parametrize("code", ["99.99", "3171", "", None, "31.71.01", 31.71])
def test_an_unknown_destination_is_refused(small_tariff, code):
    with pytest.raises(DomainError) as caught:
        quote(code, parcel(1000))
    assert caught.value.field == "destination"
    assert "tidak dikenal" in str(caught.value.message)


def test_a_regency_without_tariff_is_refused(small_tariff):
    with pytest.raises(DomainError) as caught:
        quote("11.01", parcel(1000))  # Aceh Selatan: not in the small table
    assert caught.value.field == "destination"
    assert "Kabupaten Aceh Selatan" in str(caught.value.message)


def test_no_tariff_at_all_is_refused(pos_services):
    with pytest.raises(DomainError) as caught:
        quote("31.71", parcel(1000))
    assert caught.value.field == "destination"


@pytest.mark.parametrize("items", [[], parcel(0), parcel(-1), parcel(1000, quantity=0), parcel(1000, size=(10, 0, 10))])
def test_bad_items_are_refused_with_field_weight(small_tariff, items):
    with pytest.raises(DomainError) as caught:
        quote("31.71", items)
    assert caught.value.field == "weight"


@pytest.mark.parametrize("value", [-1, 1.5, 10**10])
def test_a_bad_insured_value_is_refused_with_field_value(small_tariff, value):
    with pytest.raises(DomainError) as caught:
        quote("31.71", parcel(1000), insured_value=value)
    assert caught.value.field == "value"


def test_quote_service_refuses_a_service_that_does_not_serve_the_destination(small_tariff):
    assert quote_service("13.71", parcel(1000), "POS_NEXTDAY").service_code == "POS_NEXTDAY"
    for code in ("POS_JUMBO", "POS_KILAT", ""):
        with pytest.raises(DomainError) as caught:
            quote_service("13.71", parcel(1000), code)
        assert caught.value.field == "service"


# --- which table is in force ---------------------------------------------------------------------------------------

def _two_versions():
    old = add_version(date(2026, 11, 1), [("POS_REG", "31.71", 26_000, None, 2, 4)])
    new = add_version(date(2026, 12, 1), [("POS_REG", "31.71", 28_000, None, 2, 3)])
    return old, new


def test_the_active_version_is_the_newest_whose_date_has_come_in_wib(pos_services):
    old, new = _two_versions()
    clock.freeze(datetime(2026, 11, 30, 23, 59, tzinfo=WIB))
    assert active_version_id() == old.id
    option = quote_service("31.71", parcel(900), "POS_REG")
    assert (option.public_price, option.tariff_version_id, option.etd_days) == (26_000, old.id, (2, 4))
    # midnight in Painan is still 30 November in UTC: WIB decides
    clock.freeze(datetime(2026, 12, 1, 0, 1, tzinfo=WIB))
    assert clock.utcnow().date() == date(2026, 11, 30)
    option = quote_service("31.71", parcel(900), "POS_REG")
    assert (option.public_price, option.tariff_version_id, option.etd_days) == (28_000, new.id, (2, 3))


def test_before_the_first_version_is_in_force_there_is_no_tariff(pos_services):
    _two_versions()
    clock.freeze(datetime(2026, 10, 31, 12, 0, tzinfo=WIB))
    with pytest.raises(DomainError):
        quote("31.71", parcel(900))


def test_quote_on_a_given_date(pos_services):
    old, new = _two_versions()
    assert quote("31.71", parcel(900), on=date(2026, 11, 15))[0].tariff_version_id == old.id
    assert quote("31.71", parcel(900), on=date(2027, 1, 1))[0].tariff_version_id == new.id


def test_a_later_import_with_the_same_date_replaces_the_earlier_one(pos_services):
    clock.freeze(datetime(2026, 12, 1, 8, 0, tzinfo=WIB))
    table = HEADER + "POS_REG,31.71,,26000,,2,4\n"
    first = import_tariff(csv_bytes(table), "a.csv", date(2026, 12, 1))
    assert quote("31.71", parcel(900))[0].tariff_version_id == first.id
    second = import_tariff(csv_bytes(table.replace("26000", "27000")), "b.csv", date(2026, 12, 1))
    option = quote("31.71", parcel(900))[0]
    assert (option.tariff_version_id, option.public_price) == (second.id, 27_000)


def test_a_scheduled_table_takes_over_on_its_day(pos_services):
    clock.freeze(datetime(2026, 11, 20, 10, 0, tzinfo=WIB))
    current = import_tariff(csv_bytes(HEADER + "POS_REG,31.71,,26000,,2,4\n"), "now.csv", date(2026, 11, 20))
    scheduled = import_tariff(csv_bytes(HEADER + "POS_REG,31.71,,30000,,2,4\n"), "dec.csv", date(2026, 12, 1))
    assert quote("31.71", parcel(900))[0].tariff_version_id == current.id
    clock.freeze(datetime(2026, 12, 1, 6, 0, tzinfo=WIB))
    assert quote("31.71", parcel(900))[0].tariff_version_id == scheduled.id


def test_a_quote_runs_three_statements(small_tariff):
    quote("31.71", parcel(1000))  # warm the session's identity map the same way
    db.session.expire_all()
    with count_statements() as statements:
        quote("31.71", parcel(1000) + parcel(500, quantity=4, size=(10, 10, 5)))
    assert len(statements) <= 3, statements
