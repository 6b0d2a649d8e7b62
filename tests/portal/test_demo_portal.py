"""With the demo data, produsen@galeri.test's portal shows its stock as the staff's reports do."""
import re

import pytest
from sqlalchemy import select

from gallery.accounts.models import User
from gallery.consignment import reports
from gallery.consignment.models import ConsignmentReceipt
from gallery.devtools.demo import DEMO_PASSWORD
from gallery.extensions import db
from tests.test_demo import demo_load, small_pictures  # noqa: F401  (fixtures)


def rupiah(amount: int) -> str:
    return "Rp\u00a0" + f"{amount:,}".replace(",", ".")  # as pages write it: a no-break space


@pytest.mark.slow
def test_the_demo_producer_sees_its_stock_chart_and_documents(app, make, demo_load, small_pictures):  # noqa: F811
    assert demo_load().exit_code == 0
    user = db.session.scalar(select(User).where(User.email == "produsen@galeri.test"))
    producer_id = user.producer_id
    client = app.test_client()
    make.login(client, "produsen@galeri.test", DEMO_PASSWORD)

    staff_row = next(r for r in reports.producer_stock_summary() if r.producer_id == producer_id)
    assert staff_row.units > 0
    dashboard = client.get("/portal")
    assert dashboard.status_code == 200
    body = dashboard.get_data(as_text=True)
    assert "Rendang Lokan Amak Painan" in body and "Rendang Lokan" in body
    assert f"<strong>{rupiah(staff_row.value)}</strong>" in body
    assert len(re.findall(r"<rect class=\"bar", body)) == 12

    stock = client.get("/portal/stock").get_data(as_text=True)
    lots = reports.producer_lots(producer_id)
    totals = reports.lot_totals(lots)
    assert (totals.units, totals.value) == (staff_row.units, staff_row.value)
    assert f"<strong>{totals.units}</strong>" in stock and rupiah(totals.value) in stock
    for lot in lots:
        assert f"#{lot.lot_id}<" in stock
    numbers = db.session.scalars(select(ConsignmentReceipt.number)
                                 .where(ConsignmentReceipt.producer_id == producer_id)).all()
    assert numbers
    for number in numbers:
        assert f'href="/portal/receipts/{number}"' in stock
        assert client.get(f"/portal/receipts/{number}").status_code == 200
    others = db.session.scalars(select(ConsignmentReceipt.number)
                                .where(ConsignmentReceipt.producer_id != producer_id).limit(3)).all()
    for number in others:
        assert client.get(f"/portal/receipts/{number}").status_code == 404
    for path in ("/portal/sales", "/portal/sales?format=csv", "/portal/statements", "/portal/profile"):
        assert client.get(path).status_code == 200, path

    # Sales: the portal's CSV over the whole history agrees with the staff's settlement view of the producer.
    import csv
    import io
    from datetime import date, timedelta

    from gallery import clock
    from gallery.settlements.models import Statement
    from gallery.settlements.queries import sold_allocations

    today = clock.today_wib()
    staff_sales = sold_allocations(producer_id, today - timedelta(days=400), today + timedelta(days=1))
    assert staff_sales, "the demo history sells some of the demo producer's goods"
    exported = client.get(f"/portal/sales?format=csv&from={today - timedelta(days=400)}&to={today}")
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))[1:]
    assert sum(int(row[3]) for row in rows) == sum(sale.quantity for sale in staff_sales)
    assert sum(int(row[5]) for row in rows) == sum(sale.payout for sale in staff_sales)

    # Statements: the producer sees exactly its approved and paid statements, with the staff's amounts.
    statements = db.session.scalars(select(Statement).where(Statement.producer_id == producer_id)).all()
    assert statements and date(2000, 1, 1) < statements[0].period_start
    listed = client.get("/portal/statements").get_data(as_text=True)
    for statement in statements:
        assert statement.number in listed and rupiah(statement.amount_due) in listed
        staff_view = app.test_client()
        make.login(staff_view, "staf@galeri.test", DEMO_PASSWORD)
        assert rupiah(statement.amount_due) in staff_view.get(f"/staff/settlements/{statement.number}").get_data(
            as_text=True)
