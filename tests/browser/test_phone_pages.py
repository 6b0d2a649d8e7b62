"""The product page and the checkout on a 360 × 800 phone, as a new shopper sees them: the photo, name,
price and buy button above the fold, a buy bar that stays while scrolling, photos that swipe, and nothing
wider than the screen (the checkout before and after a quote). Screenshots go to $SCREENSHOT_DIR when set."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from gallery.catalog.photos import Upload, add_photos
from gallery.devtools.demo import demo_picture
from gallery.extensions import db
from tests.factories import Factories

FOLD = 800


@pytest.fixture(scope="module")
def rendang(story_scope) -> str:
    """A rendang with three photos, three sizes, a long description and stock; the sample Pos tariff."""
    from gallery.shipping.tariffs import load_sample

    load_sample()
    make = Factories()
    producer = make.producer("Rendang Lokan Amak Painan")
    product = make.product(
        producer, name="Rendang Lokan Kerang Sungai Batang Painan", category="rendang",
        variants=[("250 g", 85_000, 300), ("500 g", 125_000, 550), ("1 kg", 1_240_000, 1_100)],
        description="Kerang lokan dari Batang Painan dimasak perlahan dengan santan, cabai dan rempah. " * 8)
    add_photos(product, [Upload(f"foto-{n}.png", demo_picture("Rendang Lokan", "kuliner", n, size=480))
                         for n in range(3)], alt="Rendang lokan")
    for variant in product.variants:
        make.stock(variant, 8)
    db.session.commit()
    return product.slug


def shot(page: Page, name: str, *, full_page: bool = False) -> None:
    if directory := os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=str(Path(directory) / f"{name}.png"), full_page=full_page)


def bottom(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box["y"] + box["height"]


def scroll_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_the_product_page_shows_photo_name_price_and_buy_above_the_fold(page: Page, live_server, rendang):
    page.goto(f"{live_server}/products/{rendang}")
    shot(page, "product")
    shot(page, "product-full", full_page=True)
    for selector in (".product-gallery img", ".product-info h1", ".product-buy .price", ".product-buy button"):
        assert bottom(page, selector) <= FOLD, (selector, bottom(page, selector))
    assert scroll_width(page) <= 360
    # The price is never split between "Rp" and its digits
    price = page.locator(".product-buy .price").first
    assert price.evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap" or "\u00a0" in price.inner_text()


def test_the_buy_button_stays_on_screen_while_scrolling(page: Page, live_server, rendang):
    page.goto(f"{live_server}/products/{rendang}")
    page.mouse.wheel(0, 2500)
    page.wait_for_timeout(300)
    shot(page, "product-scrolled")
    button = page.get_by_role("button", name="Tambah ke keranjang")
    box = button.bounding_box()
    assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= FOLD, box


def test_the_photos_swipe_sideways_inside_their_row(page: Page, live_server, rendang):
    page.goto(f"{live_server}/products/{rendang}")
    row = page.locator(".product-photos")
    assert row.evaluate("e => getComputedStyle(e).scrollSnapType").startswith("x")
    assert row.evaluate("e => e.scrollWidth > e.clientWidth")
    row.evaluate("e => e.scrollBy(e.clientWidth, 0)")
    page.wait_for_timeout(300)
    assert row.evaluate("e => e.scrollLeft") > 0
    assert scroll_width(page) <= 360


def test_the_checkout_never_scrolls_sideways_before_or_after_a_quote(page: Page, live_server, rendang):
    # The dearest size, three times: the longest amounts the summary has to fit
    page.goto(f"{live_server}/products/{rendang}")
    page.get_by_label("Varian").select_option(index=2)  # 1 kg
    page.locator("#add-quantity").fill("3")
    page.get_by_role("button", name="Tambah ke keranjang").click()
    page.goto(f"{live_server}/cart")
    page.get_by_role("button", name="Lanjut ke pembayaran").click()
    expect(page.get_by_label("Nama penerima")).to_be_visible()
    shot(page, "checkout", full_page=True)
    assert scroll_width(page) <= 360, "before a quote"
    page.get_by_label("Dikirim via Pos Indonesia").check()
    page.get_by_label("Provinsi").select_option(value="91")
    expect(page.locator("#regency_code option[value='91.71']")).to_be_attached()
    page.get_by_label("Kabupaten/kota").select_option(value="91.71")
    expect(page.locator("#district_code option[value^='91.71.']").first).to_be_attached()
    page.get_by_label("Kecamatan").select_option(index=1)
    page.get_by_role("radio", name=re.compile("Pos Reguler")).check()
    expect(page.locator("#ringkasan")).to_contain_text("Pos Reguler")
    page.wait_for_load_state("load")
    shot(page, "checkout-quoted", full_page=True)
    assert scroll_width(page) <= 360, "after a quote"


def test_suggestions_appear_as_the_shopper_types_and_lead_to_the_product(page: Page, live_server, rendang):
    from tests.browser.test_journeys import AXE, SERIOUS

    page.goto(f"{live_server}/")
    search = page.get_by_role("combobox", name="Cari produk")
    search.press_sequentially("rendng", delay=40)  # a typo: the respelt words are suggested
    option = page.get_by_role("option", name="Rendang Lokan Kerang Sungai Batang Painan")
    expect(option).to_be_visible()
    expect(search).to_have_attribute("aria-expanded", "true")
    shot(page, "suggestions")
    assert not [v for v in AXE.run(page).response["violations"] if v.get("impact") in SERIOUS]
    assert scroll_width(page) <= 360
    search.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    search.press("Enter")
    page.wait_for_url(f"**/products/{rendang}")
