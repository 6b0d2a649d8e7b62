"""A postal code must belong to the destination's province (its first two digits)."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from gallery.errors import DomainError
from gallery.shipping.addresses import Address
from gallery.orders.placing import CartLine
from tests.edges import place_order
from gallery.shipping.postal_codes import PREFIXES, belongs_to, check_postal_code
from tests.orders.conftest import JAKARTA_PUSAT, tariff  # noqa: F401  (fixture)
from tests.payments.conftest import SHOPPER, shelf  # noqa: F401  (fixture)

PROVINCES = Path(__file__).resolve().parents[2] / "data" / "regions" / "provinces.csv"


def test_every_province_of_the_region_data_has_its_postal_ranges():
    with PROVINCES.open(encoding="utf-8") as handle:
        codes = {row["code"] for row in csv.DictReader(handle)}
    assert codes == set(PREFIXES)


@pytest.mark.parametrize("postal_code, province", [
    ("10110", "31"), ("25611", "13"), ("99351", "91"), ("29432", "21"), ("29111", "14"), ("15111", "36"),
    ("40111", "32"), ("55281", "34"), ("77111", "65"), ("98411", "96"),
])
def test_codes_of_their_own_province_are_accepted(postal_code, province):
    assert belongs_to(postal_code, province) and check_postal_code(postal_code, province, "x") == postal_code


def test_a_jakarta_code_for_jayapura_is_refused_with_a_clear_message():
    with pytest.raises(DomainError) as refused:
        check_postal_code("10110", "91", "Papua")
    assert refused.value.field == "postal_code"
    assert refused.value.message == "Kode pos 10110 bukan kode pos Papua: kode pos di sana diawali 98, 99."


def test_an_order_to_jakarta_with_a_padang_code_is_not_placed(tariff, shelf):  # noqa: F811
    rendang, _ = shelf
    with pytest.raises(DomainError) as refused:
        place_order([CartLine(rendang.id, 1)], SHOPPER, fulfilment="delivery",
                    address=Address(*JAKARTA_PUSAT, street="Jl. Medan Merdeka Barat 12", postal_code="25111"),
                    service_code="POS_REG")
    assert refused.value.field == "postal_code" and "DKI Jakarta" in refused.value.message
