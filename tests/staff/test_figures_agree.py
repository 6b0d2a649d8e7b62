"""Every demo producer's stock and money figures read the same on every page that shows them."""
import csv
import io
import re

import pytest
from sqlalchemy import select

from gallery.accounts.models import Role
from gallery.catalog.models import Producer
from gallery.devtools.demo import DEMO_PASSWORD
from gallery.extensions import db
from gallery.portal.visibility import visibility_of
from tests.test_demo import demo_load, small_pictures  # noqa: F401  (fixtures)


def rupiah(amount: int) -> str:
    # As pages write it: "Rp" and the digits joined by a no-break space
    return ("-" if amount < 0 else "") + "Rp\u00a0" + f"{abs(amount):,}".replace(",", ".")


def amount(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    return sign * int(re.sub(r"\D", "", text))


def _one(pattern: str, page: str) -> str:
    found = re.findall(pattern, page, re.S)
    assert len(found) == 1, (pattern, found)
    return found[0]


@pytest.mark.slow
def test_stock_and_money_agree_across_portal_staff_producer_page_stock_list_and_dashboard(app, make, demo_load,
                                                                                      small_pictures):  # noqa: F811
    assert demo_load().exit_code == 0
    staff = app.test_client()
    make.login(staff, "staf@galeri.test", DEMO_PASSWORD)
    listed = {int(row[0]): row for row in list(csv.reader(io.StringIO(
        staff.get("/staff/stock.csv").get_data(as_text=True).lstrip("\ufeff"))))[1:]}
    dashboard = staff.get("/staff").get_data(as_text=True)
    producers = db.session.scalars(select(Producer).order_by(Producer.id)).all()
    assert len(producers) > 5
    sellable_total = 0
    for producer in producers:
        # The staff producer page
        page = staff.get(f"/staff/producers/{producer.id}").get_data(as_text=True)
        units = int(_one(r'id="units-on-shelf">(\d+)<', page))
        sellable = int(_one(r"\((\d+) dapat dijual\)", page))
        value = amount(_one(r'id="value-on-shelf">([^<]+)<', page))
        due = amount(_one(r'id="earnings-due">([^<]+)<', page))
        # The staff stock list (its CSV: producer id, name, active, units, value, …)
        row = listed[producer.id]
        assert (units, value) == (int(row[3]), int(row[4])), producer.business_name
        # The producer's own portal: dashboard and stock page
        portal = app.test_client()
        make.login(portal, make.user(Role.PRODUCER, producer=producer))
        home = portal.get("/portal").get_data(as_text=True)
        assert f"<strong>{rupiah(due)}</strong>" in home
        if not visibility_of(producer.id).detailed:  # the gallery shows it its balance and statements only
            assert portal.get("/portal/stock").status_code == 404
        else:
            assert f"<strong>{rupiah(value)}</strong><span>nilai {units} unit di rak" in home, producer.business_name
            stock = portal.get("/portal/stock").get_data(as_text=True)
            assert f"<strong>{units}</strong><span>unit di rak</span>" in stock
            assert rupiah(value) in stock
        # The producers list shows the sellable units
        listing = staff.get(f"/staff/producers?q={producer.business_name}").get_data(as_text=True)
        assert f'data-label="Di rak">{sellable}<' in listing
        sellable_total += sellable
    # The dashboard's shelf figure is every producer's sellable units
    assert f"<strong>{sellable_total}</strong><span>unit di rak (belum kedaluwarsa)" in dashboard
