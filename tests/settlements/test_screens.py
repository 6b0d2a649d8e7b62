"""Staff screens: access, generate, approve (admin only), pay, exports that parse, reconciliation."""
import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from gallery.accounts.models import Role
from gallery.extensions import db
from gallery.settlements.models import Statement, StatementStatus
from tests.factories import csrf_token
from tests.settlements.conftest import at, proof_png

INDEX = "/staff/settlements/?period=2026-11"


def _post(client, path, data, page=INDEX):
    data = dict(data, csrf_token=csrf_token(client, page))
    return client.post(path, data=data)


@pytest.mark.parametrize("path", [INDEX, "/staff/settlements/reconciliation?period=2026-11",
                                  "/staff/settlements/transfer-batch.xlsx", "/staff/settlements/ST-2026-11-0001"])
def test_anonymous_go_to_login_and_customers_and_producers_get_403(app, client, make, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    producer = make.producer()
    for user in (make.user(Role.CUSTOMER), make.user(Role.PRODUCER, producer=producer)):
        other = app.test_client()
        make.login(other, user)
        assert other.get(path).status_code == 403


def test_staff_generate_pay_and_export_admin_approves(app, client, make, month):
    at(2, month=12)
    make.login(client, month.staff)
    page = client.get(INDEX)
    assert page.status_code == 200 and "Setoran produsen" in page.get_data(as_text=True)
    assert _post(client, "/staff/settlements/generate", {"period": "2026-11"}).status_code == 302
    statements = db.session.scalars(select(Statement).order_by(Statement.number)).all()
    assert [s.number for s in statements] == ["ST-2026-11-0001", "ST-2026-11-0002"]
    number = statements[0].number
    detail = f"/staff/settlements/{number}"
    html = client.get(detail).get_data(as_text=True)
    assert "Rp\u00a0424.000" in html and month.orders["online"].number in html
    # Staff may not approve.
    assert _post(client, f"{detail}/approve", {}, detail).status_code == 403
    admin = app.test_client()
    make.login(admin, month.admin)
    assert _post(admin, f"{detail}/approve", {}, detail).status_code == 302
    db.session.expire_all()
    assert db.session.get(Statement, statements[0].id).status == StatementStatus.APPROVED

    # Exports parse.
    rows = list(csv.DictReader(io.StringIO(client.get(f"{detail}.csv").get_data(as_text=True))))
    assert sum(int(r["payout"]) for r in rows) == 424_000
    pdf = client.get(f"{detail}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    # In the reader's language: the status, the channel, and the period's last day (not "(excl.)").
    assert "Disetujui" in text and "01-11-2026 s.d. 30-11-2026" in text and "Kasir" in text and "Online" in text
    assert "approved" not in text and "(excl.)" not in text and "counter" not in text
    book = load_workbook(io.BytesIO(client.get("/staff/settlements/transfer-batch.xlsx").data))
    sheet = book.active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("statement", "producer", "bank", "account_number", "account_holder", "amount")
    assert values[1] == (number, "Rendang Bundo", "Bank Nagari", "1101-0200-3344", "Bundo Yusnimar", 424_000)

    # Mark paid: a reference is required; then it is recorded with date, reference and who.
    assert _post(client, f"{detail}/pay", {"transfer_date": "2026-12-02", "bank_reference": ""}, detail
                 ).status_code == 422
    assert _post(client, f"{detail}/pay", {"transfer_date": "2026-12-02", "bank_reference": "NGR-1"}, detail
                 ).status_code == 422  # the transfer slip is required too
    assert _post(client, f"{detail}/pay", {"transfer_date": "2026-12-02", "bank_reference": "NGR-1",
                                           "proof": (io.BytesIO(proof_png()), "bukti.png")}, detail
                 ).status_code == 302
    db.session.expire_all()
    paid = db.session.get(Statement, statements[0].id)
    assert (paid.status, paid.bank_reference, paid.paid_by_id) == (StatementStatus.PAID, "NGR-1", month.staff.id)
    assert client.get(f"{detail}/proof").mimetype == "image/jpeg"

    recon = client.get("/staff/settlements/reconciliation?period=2026-11").get_data(as_text=True)
    assert 'id="sales">Rp\u00a01.450.000' in recon and "Seimbang" in recon


def test_statements_are_searched_by_producer_and_one_producer_is_generated_by_its_name(client, make, month):
    at(2, month=12)
    make.login(client, month.staff)
    # When staff generate only Songket Pandai Sikek's statement, naming it
    assert _post(client, "/staff/settlements/generate", {"period": "2026-11", "producer": "pandai sikek"}).status_code == 302
    # Then only that statement exists, and the list finds it by name and not by another
    assert [s.producer.business_name for s in db.session.scalars(select(Statement))] == ["Songket Pandai Sikek"]
    assert "Songket Pandai Sikek" in client.get(INDEX + "&q=songket").get_data(as_text=True)
    assert "Songket Pandai Sikek" not in client.get(INDEX + "&q=bundo").get_data(as_text=True)
    # And a name matching nobody generates nothing, with a message
    _post(client, "/staff/settlements/generate", {"period": "2026-11", "producer": "tidak ada"})
    assert "Tidak ada produsen aktif bernama" in client.get(INDEX).get_data(as_text=True)
    assert db.session.scalar(select(func.count(Statement.id))) == 1
    # And no list of every producer is sent with the page
    assert "<option value=\"1\">" not in client.get(INDEX).get_data(as_text=True)
