"""Three journeys in a real browser at 360 × 800, one story: a guest buys rendang to Jayapura and pays by
transfer; staff receive a delivery, sell at the till, confirm that transfer, pack and ship it with a resi;
the producer sees the sale and its statement PDF. On every page: no serious or critical axe-core
violation, nothing wider than the screen, and nothing the Content-Security-Policy had to block."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from gallery import clock
from gallery.accounts.models import Role
from gallery.extensions import db
from tests.factories import PASSWORD, Factories

AXE = Axe()
# The innermost elements sticking out to the right of the screen, to name in a failure.
WIDER_THAN_SCREEN = """() => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .filter(e => { for (let a = e.parentElement; a; a = a.parentElement) {
      if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(a).overflowX)) return false; }
    return true; })
  .filter(e => ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(e).overflowX)
               || !Array.from(e.children).some(c => c.getBoundingClientRect().right > window.innerWidth + 0.5))
  .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : '')
                       + ' "' + e.textContent.trim().slice(0, 40) + '" ' + Math.round(e.getBoundingClientRect().right) + 'px')"""
SERIOUS = {"serious", "critical"}


@dataclass
class Story:
    """What the three journeys share; each journey fills in what the next needs."""

    staff_email: str
    admin_email: str
    producer_email: str
    producer_id: int
    rendang_sku: str
    songket_sku: str
    order_number: str | None = None


@pytest.fixture(scope="module")
def story(story_scope) -> Story:
    """A producer of rendang and songket with stock, the sample Pos tariff, staff, admin, the producer's login."""
    from gallery.shipping.tariffs import load_sample

    load_sample()
    db.session.commit()
    make = Factories()
    producer = make.producer("Rendang Uni Painan", bank_name="Bank Nagari", bank_account_number="1101-0200-3344",
                             bank_account_holder="Yusnimar")
    rendang = make.product(producer, name="Rendang Daging Sapi", category="rendang",
                           variants=[("500 g", 95_000, 550)]).variants[0]
    songket = make.product(producer, name="Selendang Songket Pandai Sikek", category="songket",
                           variants=[("Merah", 450_000, 300)]).variants[0]
    make.stock(rendang, 12)
    staff = make.user(Role.STAFF, email="staf@uji.test")
    admin = make.user(Role.ADMIN, email="admin@uji.test")
    owner = make.user(Role.PRODUCER, email="produsen@uji.test", producer=producer)
    db.session.commit()
    return Story(staff.email, admin.email, owner.email, producer.id, rendang.sku, songket.sku)


class Pages:
    """Checks each page the journey lands on."""

    def __init__(self, page: Page, base: str):
        self.page, self.base, self.blocked = page, base, []
        page.on("console", lambda message: self.blocked.append(message.text)
                if "Content Security Policy" in message.text else None)

    def check(self, what: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        results = AXE.run(page)
        serious = [v for v in results.response["violations"] if v.get("impact") in SERIOUS]
        assert not serious, f"{what} ({page.url}): " + "; ".join(
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in serious)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"], f"{what} ({page.url}) is {width}px wide: " + ", ".join(
            page.evaluate(WIDER_THAN_SCREEN))
        assert not self.blocked, f"{what} ({page.url}): the CSP blocked {self.blocked}"

    def visit(self, path: str, what: str) -> None:
        self.page.goto(self.base + path)
        self.check(what)

    def sign_in(self, email: str) -> None:
        self.visit("/login", "login")
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Kata sandi").fill(PASSWORD)
        self.page.get_by_role("button", name="Masuk").click()
        self.check("home after signing in")


@pytest.fixture
def pages(page: Page, live_server) -> Pages:
    return Pages(page, live_server)


def test_a_guest_buys_rendang_to_jayapura_and_pays_by_transfer(pages: Pages, story: Story):
    page = pages.page
    pages.visit("/", "home")
    page.get_by_label("Cari produk").fill("rendang")
    page.get_by_label("Cari produk").press("Enter")
    pages.check("search results")
    page.get_by_role("link", name=re.compile("Rendang Daging Sapi")).first.click()
    pages.check("product page")
    page.get_by_role("button", name="Tambah ke keranjang").click()
    pages.check("after adding to the cart")
    pages.visit("/cart", "cart")
    page.get_by_role("button", name="Lanjut ke pembayaran").click()
    pages.check("checkout")

    page.get_by_label("Nama penerima").fill("Yohana Wenda")
    page.get_by_label("Email").fill("yohana@contoh.id")
    page.get_by_label("Nomor WhatsApp").fill("0812 4000 1234")
    page.get_by_label("Dikirim via Pos Indonesia").check()
    # Each choice re-renders the page on the server (shop.js submits it): wait for what the next step needs.
    page.get_by_label("Provinsi").select_option(value="91")  # Papua
    expect(page.locator("#regency_code option[value='91.71']")).to_be_attached()
    page.get_by_label("Kabupaten/kota").select_option(value="91.71")  # Kota Jayapura
    expect(page.locator("#district_code option[value^='91.71.']").first).to_be_attached()
    page.get_by_label("Kecamatan").select_option(index=1)
    page.get_by_role("radio", name=re.compile("Pos Reguler")).check()  # offered once the district is known
    expect(page.locator("#ringkasan")).to_contain_text("Pos Reguler")
    page.wait_for_load_state("load")
    page.get_by_label("Alamat lengkap").fill("Jl. Percetakan No. 12, Dok II")  # typing re-renders nothing
    page.get_by_label("Kode pos").fill("99111")
    pages.check("checkout with Jayapura and Pos Reguler chosen")
    page.get_by_role("button", name="Buat pesanan").click()
    pages.check("the order page")

    heading = page.get_by_role("heading", level=1).inner_text()
    story.order_number = re.search(r"[A-Z]{2}-\w+-\w+", heading).group(0)
    expect(page.get_by_text("Kota Jayapura")).to_be_visible()
    expect(page.get_by_text("Jl. Percetakan No. 12, Dok II")).to_be_visible()
    page.get_by_role("link", name="Bayar sekarang").click()
    pages.check("the payment choice")
    page.locator("form[action*='/pay/bank_transfer']").get_by_role("button", name="Pilih").click()
    pages.check("transfer instructions")
    expect(page.get_by_role("heading", name="Transfer ke rekening galeri")).to_be_visible()
    expect(page.locator(".transfer .amount")).to_contain_text("Rp")


def test_staff_receive_a_delivery_sell_at_the_till_confirm_the_transfer_pack_and_ship(pages: Pages, story: Story):
    assert story.order_number, "the guest's journey places the order this one ships"
    page = pages.page
    pages.sign_in(story.staff_email)

    # Receive a delivery of songket from the producer
    pages.visit("/staff/receipts/new", "choosing the producer of a delivery")
    page.get_by_label("Produsen").select_option(value=str(story.producer_id))
    page.get_by_role("button", name="Lanjut").click()
    pages.check("a new consignment receipt")
    songket = page.locator("[name='lines-0-variant_id'] option", has_text="Songket").get_attribute("value")
    page.locator("[name='lines-0-variant_id']").select_option(value=songket)
    page.locator("[name='lines-0-quantity']").fill("5")
    page.get_by_role("button", name="Simpan tanda terima").click()
    pages.check("the saved consignment receipt")
    expect(page.get_by_text("Selendang Songket Pandai Sikek").first).to_be_visible()

    # Sell one at the till, in cash
    pages.visit("/staff/counter", "the till")
    page.get_by_label("Kode SKU").fill(story.songket_sku)
    page.get_by_role("button", name="Tambah", exact=True).click()
    pages.check("the till with a basket")
    page.get_by_label(re.compile("^\\s*Tunai")).check()
    page.get_by_label(re.compile("Uang diterima|Tunai diterima|diterima", re.I)).first.fill("500000")
    page.get_by_role("button", name="Selesaikan penjualan").click()
    pages.check("the till's receipt")
    expect(page.get_by_text(re.compile("Kembali|Kembalian", re.I)).first).to_be_visible()

    # Confirm the guest's transfer
    pages.visit("/staff/payments", "payments to confirm")
    row = page.locator("form[action*='/confirm']").first
    row.get_by_role("button", name="Konfirmasi lunas").click()
    pages.check("after confirming the transfer")

    # Pack and ship it with a resi
    pages.visit(f"/staff/orders/{story.order_number}", "the paid order")
    page.get_by_role("button", name="Tandai sudah dikemas").click()
    pages.check("the packed order")
    page.get_by_label("Nomor resi").fill("RR987654321ID")
    page.get_by_role("button", name="Kirim", exact=True).click()
    pages.check("the shipped order")
    expect(page.get_by_text("RR987654321ID").first).to_be_visible()
    pages.visit(f"/staff/orders/{story.order_number}/label", "the address label")


def test_the_producer_sees_the_sale_and_its_statement_pdf(pages: Pages, story: Story):
    from sqlalchemy import select

    from gallery.accounts.services import find_user_by_email
    from gallery.settlements import statements as settlements
    from gallery.settlements.models import Statement

    page = pages.page
    pages.sign_in(story.producer_email)
    pages.visit("/portal/sales", "the producer's sales")
    for sold in ("Rendang Daging Sapi", "Selendang Songket Pandai Sikek"):  # online, and at the till
        expect(page.get_by_text(sold, exact=True).filter(visible=True).first).to_be_visible()

    # The month ends and the admin approves its statement (the back office's monthly routine)
    today = clock.today_wib()
    period = settlements.Period.month(today.year, today.month)
    clock.freeze(datetime(period.end.year, period.end.month, 2, 10, 0, tzinfo=clock.WIB))
    try:
        number = settlements.generate(period, producer_id=story.producer_id,
                                      user=find_user_by_email(story.staff_email)).created[0]
        statement = db.session.scalar(select(Statement).where(Statement.number == number))
        settlements.approve(statement, user=find_user_by_email(story.admin_email))
        db.session.commit()

        pages.visit("/portal/statements", "the producer's statements")
        page.get_by_role("link", name=number).click()
        pages.check("the statement")
        pdf = page.request.get(page.url + ".pdf")
        assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
        assert pdf.headers["content-type"].startswith("application/pdf")
    finally:
        clock.freeze(None)
