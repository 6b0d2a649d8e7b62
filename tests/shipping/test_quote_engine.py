"""The quote engine's arithmetic (gallery.shipping.engine): pure functions, no database."""
import pytest

from gallery.money import apply_basis_points
from gallery.shipping.engine import (
    MAX_PARCELS,
    EngineError,
    ParcelItem,
    Rate,
    ServiceTerms,
    TooBig,
    chargeable_kg,
    pack,
    price_shipment,
    volumetric_grams,
)

JNE_LIKE = ServiceTerms(rounding_tolerance_grams=300, min_kg=1, max_kg=50)
REGULER = ServiceTerms(rounding_tolerance_grams=200, min_kg=1, max_kg=50, discount_bp=2000,
                       insurance_rate_bp=24, insurance_fee=2000)
JUMBO = ServiceTerms(rounding_tolerance_grams=500, min_kg=10, max_kg=150, discount_bp=1000)
PER_KG = Rate(26_000)


def item(grams, length=0, width=0, height=0, quantity=1):
    return ParcelItem(grams, length, width, height, quantity)


def priced(items, terms=REGULER, rate=PER_KG, packaging=100, value=None):
    return price_shipment(items if isinstance(items, list) else [items], terms, rate,
                          packaging_grams=packaging, insured_value=value)


# --- rounding to whole kg ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("grams, kg", [
    (1000, 1), (1299, 1), (1300, 1),   # up to and including the tolerance: not charged
    (1301, 2), (1999, 2), (2000, 2),   # just over it: rounded up
    (2300, 2), (2301, 3),
])
def test_the_excess_over_whole_kg_is_free_up_to_and_including_the_tolerance(grams, kg):
    assert chargeable_kg(grams, JNE_LIKE) == kg


def test_without_tolerance_every_gram_over_a_kg_is_charged():
    terms = ServiceTerms(rounding_tolerance_grams=0)
    assert [chargeable_kg(g, terms) for g in (1000, 1001, 1999, 2000)] == [1, 2, 2, 2]


def test_the_packaging_allowance_counts_towards_the_tolerance_boundary():
    # 1.100 g of goods + 100 g box = 1.200 g: exactly at Pos Reguler's 200 g tolerance, 1 kg.
    at = priced(item(1100))
    assert (at.chargeable_kg, at.public_price) == (1, 26_000)
    assert at.parcels[0].actual_grams == 1200
    # one gram more is over the tolerance: 2 kg.
    over = priced(item(1101))
    assert (over.chargeable_kg, over.public_price) == (2, 52_000)


def test_the_issue_example_1500_grams_to_jakarta_is_2_kg_and_20_percent_off():
    result = priced(item(1500))
    assert (result.chargeable_kg, result.public_price, result.discount, result.price, result.insurance) == (
        2, 52_000, 10_400, 41_600, 0)


# --- minimum weight ----------------------------------------------------------------------------------------------

def test_a_light_parcel_is_charged_the_minimum_weight():
    assert priced(item(50)).chargeable_kg == 1
    assert chargeable_kg(0, REGULER) == 1


def test_jumbo_charges_at_least_its_ten_kg_minimum():
    result = priced(item(2500), terms=JUMBO, rate=Rate(16_000))
    assert result.chargeable_kg == 10
    assert result.public_price == 160_000
    assert result.discount == 16_000 and result.price == 144_000
    # above the minimum the normal rule applies (12.600 g: 600 g over, more than 500 g → 13 kg)
    assert priced(item(12_500), terms=JUMBO, rate=Rate(16_000)).chargeable_kg == 13


# --- volumetric weight ---------------------------------------------------------------------------------------------

def test_volumetric_weight_wins_for_a_light_bulky_parcel():
    # a woven pandan basket: 600 g, 40 × 30 × 20 cm = 24.000 cm³ / 6000 = 4 kg
    result = priced(item(600, 40, 30, 20))
    parcel = result.parcels[0]
    assert (parcel.actual_grams, parcel.volumetric_grams) == (700, 4000)
    assert result.chargeable_kg == 4
    assert result.public_price == 4 * 26_000


def test_actual_weight_wins_for_a_dense_parcel():
    # rendang jars: 3 × 1 kg in 20 × 15 × 10 cm each = 9.000 cm³ → 1.500 g volumetric, 3.100 g actual
    result = priced(item(1000, 20, 15, 10, quantity=3))
    assert result.parcels[0].volumetric_grams == 1500
    assert result.chargeable_kg == 3


def test_volumetric_grams_round_up_to_a_whole_gram_and_use_the_service_divisor():
    assert volumetric_grams(6000, 6000) == 1000
    assert volumetric_grams(6001, 6000) == 1001          # 1000.17 g → 1001 g
    assert volumetric_grams(6000, 4000) == 1500
    result = priced(item(100, 30, 20, 10), terms=ServiceTerms(volumetric_divisor=4000, rounding_tolerance_grams=0))
    assert result.parcels[0].volumetric_grams == 1500 and result.chargeable_kg == 2


def test_volumetric_weight_on_the_tolerance_boundary():
    # 50 × 26 × 6 = 7.800 cm³ → 1.300 g: at a 300 g tolerance still 1 kg; 7.801 cm³ would be 1.301 g.
    assert priced(item(100, 50, 26, 6), terms=JNE_LIKE).chargeable_kg == 1
    assert chargeable_kg(volumetric_grams(7801, 6000), JNE_LIKE) == 2


# --- splitting above the maximum -----------------------------------------------------------------------------------

def test_a_shipment_above_the_maximum_is_split_into_parcels_each_rounded_on_its_own():
    # three 20 kg carvings, Pos Reguler max 50 kg: 40 kg + 20 kg (each with its own 100 g box)
    result = priced(item(20_000, quantity=3))
    assert [p.actual_grams for p in result.parcels] == [40_100, 20_100]
    assert [p.chargeable_kg for p in result.parcels] == [40, 20]
    assert result.chargeable_kg == 60
    assert result.public_price == 60 * 26_000


def test_many_small_units_fill_full_parcels_and_a_remainder():
    terms = ServiceTerms(rounding_tolerance_grams=0, max_kg=50)
    result = priced(item(1000, quantity=120), terms=terms)
    # 49 units per parcel (49.100 g ≤ 50.000 g), the rest in the third
    assert [p.actual_grams for p in result.parcels] == [49_100, 49_100, 22_100]
    assert [p.chargeable_kg for p in result.parcels] == [50, 50, 23]


def test_a_parcel_may_weigh_up_to_the_maximum_and_the_tolerance_does_not_stretch_it():
    # 49.900 g + 100 g of packaging is exactly 50 kg: one parcel
    result = priced(item(49_900))
    assert len(result.parcels) == 1 and result.chargeable_kg == 50
    with pytest.raises(TooBig):
        priced(item(49_901))  # 50.001 g would still be charged 50 kg with a 200 g tolerance, but is over 50 kg


def test_a_side_longer_than_the_service_allows_cannot_go_by_it():
    terms = ServiceTerms(max_length_cm=150)
    assert len(priced(item(2000, 150, 20, 10), terms=terms).parcels) == 1
    with pytest.raises(TooBig):
        priced(item(2000, 151, 20, 10), terms=terms)  # a 151 cm rolled mat


def test_splitting_respects_volume_too():
    # 10 light but bulky boxes of 60 × 50 × 40 cm = 20 kg volumetric each, max 50 kg → 2 per parcel
    result = priced(item(2000, 60, 50, 40, quantity=10))
    assert len(result.parcels) == 5
    assert all(p.volumetric_grams == 40_000 and p.chargeable_kg == 40 for p in result.parcels)


def test_each_parcel_gets_its_own_minimum_and_first_kg_price():
    rate = Rate(price_per_kg=10_000, first_kg_price=15_000)
    terms = ServiceTerms(rounding_tolerance_grams=0, min_kg=1, max_kg=5)
    result = priced(item(2000, quantity=3), terms=terms, rate=rate)
    # 2 units (4.100 g → 5 kg) + 1 unit (2.100 g → 3 kg)
    assert [p.chargeable_kg for p in result.parcels] == [5, 3]
    assert [p.public_price for p in result.parcels] == [15_000 + 4 * 10_000, 15_000 + 2 * 10_000]
    assert result.public_price == 90_000


def test_heavier_units_are_packed_first_and_lighter_ones_fill_the_gaps():
    terms = ServiceTerms(rounding_tolerance_grams=0, max_kg=30)
    boxes = pack([item(1000, quantity=5), item(25_000)], terms, 100)
    # the 25 kg unit first, four 1 kg units fill its parcel up to 29.100 g, the fifth opens a second one
    assert boxes == [(29_100, 0), (1100, 0)]


def test_too_many_parcels_is_refused():
    with pytest.raises(TooBig):
        pack([item(30_000, quantity=MAX_PARCELS + 1)], REGULER, 100)  # one 30 kg unit per parcel
    assert len(pack([item(30_000, quantity=MAX_PARCELS)], REGULER, 100)) == MAX_PARCELS


# --- price, discount and insurance --------------------------------------------------------------------------------

def test_first_kg_price_then_per_kg():
    result = priced(item(2900), rate=Rate(42_000, 49_000))  # 3.000 g → 3 kg
    assert result.public_price == 49_000 + 2 * 42_000


def test_the_discount_is_rounded_half_up_once_on_the_public_price():
    terms = ServiceTerms(discount_bp=1250)
    result = priced(item(900), terms=terms, rate=Rate(10_100))   # 1 kg: 10.100 × 12,5 % = 1.262,5 → 1.263
    assert (result.public_price, result.discount, result.price) == (10_100, 1263, 8837)
    assert result.discount == apply_basis_points(10_100, 1250)
    # just below a half rounds down: 10.099 × 12,5 % = 1.262,375 → 1.262
    assert priced(item(900), terms=terms, rate=Rate(10_099)).discount == 1262
    # once on the whole shipment, not per parcel: 2 parcels of 10.100 → 20.200 × 12,5 % = 2.525 (not 2 × 1.263)
    split = priced(item(900, quantity=2), terms=ServiceTerms(discount_bp=1250, max_kg=1, rounding_tolerance_grams=100),
                   rate=Rate(10_100))
    assert len(split.parcels) == 2 and split.discount == 2525


def test_no_discount_means_the_public_price():
    result = priced(item(1000), terms=ServiceTerms(rounding_tolerance_grams=200), rate=Rate(12_000))
    assert (result.discount, result.price) == (0, result.public_price)


def test_insurance_is_the_rate_of_the_declared_value_rounded_half_up_plus_the_fee():
    result = priced(item(1000), value=1_000_000)      # 0,24 % of Rp 1.000.000 = 2.400 + 2.000
    assert result.insurance == 4400
    assert result.total == result.price + 4400
    assert priced(item(1000), value=1_234_567).insurance == 2963 + 2000   # 2.962,96 → 2.963
    half = ServiceTerms(insurance_rate_bp=50, insurance_fee=0)
    assert priced(item(1000), terms=half, value=1_000_100).insurance == 5001   # 5.000,5 → 5.001
    assert priced(item(1000), terms=half, value=999_900).insurance == 5000     # 4.999,5 → 5.000


def test_nothing_declared_means_no_insurance():
    assert priced(item(1000), value=None).insurance == 0
    assert priced(item(1000), value=0).insurance == 0


# --- bad input ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("items, code", [
    ([], "empty"),
    ([item(0)], "not_positive"),
    ([item(-5)], "not_positive"),
    ([item(500, quantity=0)], "not_positive"),
    ([item(1.5)], "not_integer"),
    ([item(True)], "not_integer"),
    ([item(500, 10, 0, 5)], "bad_size"),
    ([item(500, 10, -1, 5)], "bad_size"),
    ([item(500, 501, 10, 10)], "bad_size"),
    ([item(500_000, quantity=3)], "too_heavy"),
])
def test_bad_items_are_refused(items, code):
    with pytest.raises(EngineError) as caught:
        priced(items)
    assert caught.value.code == code and caught.value.field == "weight"


@pytest.mark.parametrize("value", [-1, 1.5, "1000", 1_000_000_001])
def test_a_bad_declared_value_is_refused(value):
    with pytest.raises(EngineError) as caught:
        priced(item(1000), value=value)
    assert caught.value.field == "value"
