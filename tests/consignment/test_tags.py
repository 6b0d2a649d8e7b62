"""Price tags: one Code 128 per unit that a real decoder (zxing-cpp) reads back as the SKU, on every label stock."""
import re
from datetime import timedelta

import pytest
import zxingcpp
from PIL import Image, ImageDraw

from gallery import clock
from gallery.accounts.models import Role
from gallery.consignment.barcodes import modules, parse_code, tag_code
from gallery.consignment.documents import ReceiptLine, create_receipt
from gallery.extensions import db
from tests.sqlcount import count_statements

SVG = re.compile(r'<svg class="barcode"[^>]*viewBox="0 0 (\d+) (\d+)"[^>]*aria-label="([^"]*)">(.*?)</svg>', re.S)
BAR = re.compile(r'<rect x="(\d+)" y="0" width="(\d+)" height="\d+"/>')


def decode(svg_width: int, body: str) -> str:
    """Draw the SVG's bars as a printer would (3 px a module) and let zxing-cpp read them."""
    scale = 3
    image = Image.new("L", (svg_width * scale, 80), 255)
    draw = ImageDraw.Draw(image)
    for x, width in BAR.findall(body):
        draw.rectangle([int(x) * scale, 0, (int(x) + int(width)) * scale - 1, 79], fill=0)
    (found,) = zxingcpp.read_barcodes(image)
    assert found.format == zxingcpp.BarcodeFormat.Code128
    return found.text


def drawn_modules(svg_width: int, body: str) -> str:
    cells = ["0"] * svg_width
    for x, width in BAR.findall(body):
        cells[int(x):int(x) + int(width)] = ["1"] * int(width)
    return "".join(cells).strip("0")


@pytest.fixture
def receipt(make):
    staff = make.user(Role.STAFF)
    producer = make.producer("Rendang Tag Uji")
    rendang = make.product(producer, name="Rendang Lokan", category="rendang",
                           variants=[("250 g", 65_000, 300), ("500 g", 120_000, 550)])
    small, large = rendang.variants
    document = create_receipt(producer, [
        ReceiptLine(small.id, 3, expires_on=clock.today_wib() + timedelta(days=120)),
        ReceiptLine(large.id, 2, expires_on=clock.today_wib() + timedelta(days=90)),
    ], user=staff)
    db.session.commit()
    return type("Receipt", (), dict(staff=staff, document=document, small=small, large=large))


@pytest.fixture
def staff_client(app, make, receipt):
    client = app.test_client()
    make.login(client, receipt.staff)
    return client


def _print_url(receipt, layout, *, with_lot=False, **extra):
    args = "&".join(f"lot={lot.id}&q{lot.id}={lot.quantity_received}" for lot in receipt.document.lots)
    more = "".join(f"&{key}={value}" for key, value in extra.items())
    return f"/staff/tags/print?{args}&layout={layout}{'&with_lot=1' if with_lot else ''}{more}"


@pytest.mark.parametrize("layout", ["a4-3x8", "a4-4x10", "thermal-50x30"])
def test_a_tag_sheet_for_a_receipt_has_one_code_128_per_unit_that_decodes_to_the_sku(staff_client, receipt, layout):
    # The receipt offers its tags, each lot defaulting to the units received.
    page = staff_client.get(f"/staff/receipts/{receipt.document.number}").get_data(as_text=True)
    assert f"/staff/tags?receipt={receipt.document.number}" in page
    choose = staff_client.get(f"/staff/tags?receipt={receipt.document.number}").get_data(as_text=True)
    for lot in receipt.document.lots:
        assert re.search(rf'name="q{lot.id}"[^>]*value="{lot.quantity_received}"', choose)
    response = staff_client.get(_print_url(receipt, layout))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    codes = SVG.findall(html)
    assert len(codes) == 5
    assert [decode(int(width), body) for width, _height, _label, body in codes] == \
        [receipt.small.sku] * 3 + [receipt.large.sku] * 2
    assert html.count("ED ") == 5 and "Rp\u00a065.000" in html and "Rendang Tag Uji" in html
    assert "style=" not in html and "<style" not in html and "<script>" not in html


def test_the_bars_are_the_librarys_code_128_and_the_lot_rides_along_when_asked(staff_client, receipt):
    html = staff_client.get(_print_url(receipt, "a4-3x8", with_lot=True)).get_data(as_text=True)
    lot = receipt.document.lots[0]
    width, _height, label, body = SVG.findall(html)[0]
    assert label == tag_code(receipt.small.sku, lot.id) == f"{receipt.small.sku}/L{lot.id}"
    assert drawn_modules(int(width), body) == modules(label)
    assert decode(int(width), body) == label
    assert parse_code(label) == parse_code(f" {label.lower()} ")
    assert (parse_code(label).sku, parse_code(label).lot_id) == (receipt.small.sku, lot.id)


def test_the_sheet_is_sized_by_its_own_stylesheet_with_the_margins_asked_for(staff_client, receipt):
    html = staff_client.get(_print_url(receipt, "a4-3x8", top="8", side="5", skip="2")).get_data(as_text=True)
    assert html.count('class="tag tag-blank"') == 2  # the two labels already used on the sheet
    css_url = re.search(r'href="(/staff/tags/layout\.css[^"]+)"', html)[1].replace("&amp;", "&")
    css = staff_client.get(css_url)
    assert css.mimetype == "text/css"
    text = css.get_data(as_text=True)
    assert "size: 210mm 297mm" in text and "padding: 8.0mm 5.0mm" in text
    assert "repeat(3, 66.667mm)" in text and "repeat(8, 35.125mm)" in text
    thermal = staff_client.get("/staff/tags/layout.css?layout=thermal-50x30").get_data(as_text=True)
    assert "size: 50mm 30mm" in thermal


def test_tags_for_a_variant_or_chosen_lots_default_to_the_units_on_hand(staff_client, receipt, make):
    make.stock(receipt.small, 4, expires_in_days=60)
    page = staff_client.get(f"/staff/tags?variant={receipt.small.id}").get_data(as_text=True)
    assert len(re.findall(r'name="q\d+"', page)) == 2
    lot = receipt.document.lots[1]
    stock_page = staff_client.get(f"/staff/tags?lot={lot.id}&from=stock").get_data(as_text=True)
    assert re.search(rf'name="q{lot.id}"[^>]*value="2"', stock_page)
    assert staff_client.get("/staff/tags?receipt=TT-2099-99999").status_code == 404
    assert staff_client.get(_print_url(receipt, "a4-5x5")).status_code == 422
    with count_statements() as statements:
        staff_client.get(_print_url(receipt, "a4-4x10"))
    few = len(statements)
    for _ in range(10):
        make.stock(receipt.large, 1, expires_in_days=50)
    lots = "&".join(f"lot={n}&q{n}=1" for n in range(1, 14))
    with count_statements() as statements:
        assert staff_client.get(f"/staff/tags/print?{lots}&layout=a4-4x10").status_code == 200
    assert len(statements) == few


def test_tags_are_for_staff_only(app, make, receipt):
    client = app.test_client()
    make.login(client, make.user(Role.CUSTOMER))
    assert client.get(f"/staff/tags?receipt={receipt.document.number}").status_code == 403
    assert client.get(_print_url(receipt, "a4-3x8")).status_code == 403
