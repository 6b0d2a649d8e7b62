"""What a producer sees follows the gallery's choice: every portal page and export walked in each mode."""
import csv
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from gallery.accounts.models import Role
from gallery.extensions import db
from gallery.portal.visibility import set_visibility
from gallery.settlements.models import Statement
from gallery.settlements.periods import Period
from gallery.settlements.statements import approve, generate

MODES = [("detailed", True), ("detailed", False), ("summary", True), ("summary", False)]
SHELF_PRICE = "Rp 65.000"  # the rendang's price on the shelf


@pytest.fixture
def statement(make, world):
    """October's statement (a pick-up of two rendang), approved."""
    admin = make.user(Role.ADMIN)
    generate(Period.month(2026, 10), user=admin)
    db.session.commit()
    mine = db.session.scalar(select(Statement).where(Statement.producer_id == world.me.id))
    approve(mine, user=admin)
    db.session.commit()
    return mine


def pages(world, statement) -> dict[str, bool]:
    """Every portal page and export, and whether it shows sale lines, stock or documents (detailed only)."""
    receipt, document = world.receipt.number, world.my_return.number
    return {
        "/portal": False, "/portal/statements": False, f"/portal/statements/{statement.number}": False,
        f"/portal/statements/{statement.number}.csv": False, f"/portal/statements/{statement.number}.pdf": False,
        "/portal/profile": False, "/portal/partners": False,
        "/portal/sales": True, "/portal/sales?format=csv": True, "/portal/stock": True,
        f"/portal/receipts/{receipt}": True, f"/portal/receipts/{receipt}?format=thermal": True,
        f"/portal/returns/{document}": True,
    }


def text_of(response) -> str:
    if response.mimetype == "application/pdf":
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    return response.get_data(as_text=True).replace("&nbsp;", " ").replace("\u00a0", " ")


@pytest.mark.parametrize("detail, shows_commission", MODES)
def test_the_producers_view_follows_the_setting_on_every_page_and_export(portal, world, statement, detail,
                                                                         shows_commission):
    set_visibility(world.me, detail, shows_commission, user=world.staff)
    db.session.commit()
    commission = f"Rp {statement.commission:,}".replace(",", ".")
    order_number = statement.lines[0].order_number
    for path, detailed_only in pages(world, statement).items():
        response = portal.get(path)
        if detailed_only and detail == "summary":
            assert response.status_code == 404, path
            continue
        assert response.status_code == 200, path
        text = text_of(response)
        if not shows_commission:
            for hidden in (SHELF_PRICE, "65000", commission, "omisi galeri", "gross", "unit_price"):
                assert hidden not in text, (path, hidden)
        if detail == "summary":
            assert order_number not in text, path  # no sale lines, only totals per product
    menu = portal.get("/portal").get_data(as_text=True)
    assert ('href="/portal/sales"' in menu) == (detail == "detailed")
    assert ('href="/portal/stock"' in menu) == (detail == "detailed")


def test_the_detailed_view_with_prices_shows_every_line_price_and_commission(portal, world, statement):
    commission = f"Rp {statement.commission:,}".replace(",", ".")
    page = text_of(portal.get(f"/portal/statements/{statement.number}"))
    assert SHELF_PRICE in page and commission in page
    rows = list(csv.DictReader(io.StringIO(portal.get(f"/portal/statements/{statement.number}.csv")
                                           .get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["order"], r["unit_price"], r["quantity"]) for r in rows] == \
        [(statement.lines[0].order_number, "65000", "2")]
    pdf = text_of(portal.get(f"/portal/statements/{statement.number}.pdf"))
    assert "Komisi galeri" in pdf and statement.lines[0].order_number in pdf


def test_the_summary_export_sums_per_product(portal, world, statement):
    set_visibility(world.me, "summary", False, user=world.staff)
    db.session.commit()
    rows = list(csv.reader(io.StringIO(portal.get(f"/portal/statements/{statement.number}.csv")
                                       .get_data(as_text=True).lstrip("\ufeff"))))
    assert rows == [["product", "variant", "quantity", "payout", "markdown_quantity"],
                    ["Rendang Lokan Uji", "250 g", "2", str(statement.payout_total), "0"]]
