"""`flask demo load`: a believable Pesisir Selatan shop on an empty database, once, and never in production.

A full demo load takes 15-20 s here, most of it drawing and encoding 124 pictures (six renditions each), so
only three tests load it (marked slow) and they draw the pictures at 240 px; one picture is checked at full size.
"""
import hashlib
import io
import re
import time
from collections import Counter
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from gallery import clock
from gallery.accounts.models import Role, User
from gallery.catalog.images import rendition_path, store_image
from gallery.catalog.models import Producer, ProducerCertificate, Product, ProductImage, Variant
from gallery.consignment.ledger import lot_balances
from gallery.consignment.models import ConsignmentReceipt, Lot
from gallery.devtools.demo import DEMO_PASSWORD, DEMO_USERS, demo_picture, halal_number, pirt_number
from gallery.extensions import db
from gallery.shipping.regions import home_districts
from tests.catalog.test_listing import names_on

# DESIGN.md: 15 digits, e.g. `P-IRT No. 2061301010123-29` — packaging (1), food type (2), regency 1301 (4),
# product (2), producer (4), a dash, then the expiry year (2).
PIRT = re.compile(r"^(?:P-IRT No\. )?(?P<digits>[1-9]\d{2}1301\d{6})-(?P<year>\d{2})$")
SECTORS = ("fashion", "kuliner", "kerajinan", "lainnya")
# What the demo sells, line by line; the same on SQLite and PostgreSQL (CI runs both).
DEMO_SALES_FINGERPRINT = "b6b2e520b39a34d8"
SIZES = {"S", "M", "L", "XL"}


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def sector_of(product: Product) -> str:
    return product.category.sector.slug


@pytest.fixture
def demo_load(app):
    """Run `flask demo load [args]`; returns click's Result and records how long it took."""
    runner = app.test_cli_runner()

    def run(*args):
        started = time.monotonic()
        result = runner.invoke(args=["demo", "load", *args])
        run.seconds = time.monotonic() - started
        db.session.expire_all()
        print(f"demo load {' '.join(args)}: {run.seconds:.1f} s")
        return result

    return run


@pytest.fixture
def small_pictures(monkeypatch):
    """Draw the demo pictures at 240 px: the same storing pipeline, a fraction of the time (for tests about
    something other than pictures)."""
    import gallery.devtools.demo

    def small(title, sector, seed, size=720):
        return demo_picture(title, sector, seed, size=240)

    monkeypatch.setattr(gallery.devtools.demo, "demo_picture", small)  # demo_bulk looks it up there too


def test_pirt_number_follows_the_label_format_of_design_md():
    assert pirt_number(6, 1, 123, 2029) == "2061301010123-29"  # the example in DESIGN.md
    number = pirt_number(12, 4, 31, 2031)
    assert PIRT.match(number) and len(number.replace("-", "")) == 15
    assert re.fullmatch(r"ID13110000\d{9}", halal_number(5003))


def test_demo_pictures_are_storable_720_px_pngs_that_differ_by_sector():
    pictures = {sector: demo_picture("Rendang Lokan Amak Painan", sector, 7) for sector in SECTORS}
    assert len(set(pictures.values())) == len(SECTORS)
    for data in pictures.values():
        with Image.open(io.BytesIO(data)) as image:
            assert (image.format, image.size) == ("PNG", (720, 720))
    stored = store_image(pictures["kuliner"])
    assert (stored.width, stored.height) == (720, 720)
    assert rendition_path(stored.key, "full", "webp").is_file()
    assert demo_picture("Galamai", "kuliner", 3) == demo_picture("Galamai", "kuliner", 3)  # reproducible


@pytest.mark.slow
def test_demo_load_fills_an_empty_shop_once_with_producers_of_every_kecamatan_and_goods_of_every_sector(
        demo_load, small_pictures):
    result = demo_load()
    assert result.exit_code == 0, result.output
    assert "demo: 31 producers, 124 products" in result.output
    assert "20 sales" in result.output
    assert "galeri-demo" in result.output

    # About 30 producers, spread over all fifteen kecamatan of Pesisir Selatan (regency 13.01).
    producers = db.session.scalars(select(Producer)).all()
    assert 25 <= len(producers) <= 35
    kecamatan = {p.kecamatan_code for p in producers}
    assert kecamatan == {d.code for d in home_districts()}
    assert len(kecamatan) == 15 and all(code.startswith("13.01.") for code in kecamatan)
    assert all(p.is_active and p.story and p.bank_account_number for p in producers)

    # About 120 published products, in every sector.
    products = db.session.scalars(select(Product)).all()
    assert 100 <= len(products) <= 140
    assert all(p.published and p.variants and p.price_from for p in products)
    per_sector = Counter(sector_of(p) for p in products)
    assert set(per_sector) == set(SECTORS)
    assert min(per_sector.values()) >= 5, per_sector

    # Clothes come in sizes.
    fashion = [p for p in products if sector_of(p) == "fashion"]
    sized = [p for p in fashion if {v.label for v in p.variants} >= {"M", "L"}]
    assert len(sized) >= 3
    assert all({v.label for v in p.variants} <= SIZES for p in sized)
    assert any(len(p.variants) == 4 for p in sized)

    # Food carries a well-formed P-IRT number for regency 1301; nothing else does.
    for product in products:
        if product.is_food:
            match = PIRT.match(product.pirt_number or "")
            assert match, (product.name, product.pirt_number)
            assert match["digits"][3:7] == "1301"
        else:
            assert product.pirt_number is None
    assert sum(1 for p in products if p.is_food and p.halal_number) > 0
    for certificate in db.session.scalars(select(ProducerCertificate).where(ProducerCertificate.kind == "pirt")):
        assert PIRT.match(certificate.number), certificate.number

    # Every product has a stored picture, served by the shop.
    images = db.session.scalars(select(ProductImage)).all()
    assert {i.product_id for i in images} == {p.id for p in products}
    for image in images:
        assert rendition_path(image.key, "card", "webp").is_file()
        assert rendition_path(image.key, "thumb", "jpg").is_file()

    # Stock: most variants on the shelf, some sold out, food lots with an expiry date.
    lots = db.session.scalars(select(Lot)).all()
    assert len(lots) > 100
    assert count(Variant) > len({lot.variant_id for lot in lots})  # some variants sold out
    assert all(lot.expires_on is not None for lot in lots if lot.variant.product.is_food)

    # ...brought in the way staff do it: through signed consignment receipts, never by setting numbers.
    receipts = db.session.scalars(select(ConsignmentReceipt)).all()
    assert all(lot.receipt_id is not None for lot in lots)
    assert all(re.fullmatch(r"TT-\d{4}-\d{5}", r.number) for r in receipts)
    assert len({r.producer_id for r in receipts}) >= 25
    assert all(r.created_by.email == "staf@galeri.test" for r in receipts)
    assert all(b.balanced for b in lot_balances().values())
    # A believable mix: low, soon-to-expire and already-expired lots besides full shelves.
    today = clock.today_wib()
    assert any(1 <= lot.on_hand <= 3 for lot in lots)
    assert any(lot.expires_on and today < lot.expires_on <= today + timedelta(days=14) for lot in lots)
    assert any(lot.expires_on and lot.expires_on <= today for lot in lots)
    assert len({lot.received_at.date() for lot in lots}) > 10
    # ...and some of it was sold since, over the counter and online, through the same services.
    from gallery.orders.models import Order, OrderAllocation, OrderLine

    orders = db.session.scalars(select(Order)).all()
    assert len(orders) == 20 and {o.channel for o in orders} == {"counter", "online"}
    assert all(o.status == "completed" and o.paid_at is not None and o.events for o in orders)
    assert db.session.scalar(select(func.count(OrderAllocation.id))) >= 20
    assert any(line.producer.slug == "rendang-lokan-amak-painan" for o in orders for line in o.lines)

    # The last two full months are settled: the older one paid, the last one approved; both reconcile.
    from gallery.settlements.models import Statement
    from gallery.settlements.reconciliation import reconcile
    from gallery.settlements.periods import Period

    statements = db.session.scalars(select(Statement)).all()
    last = Period.previous_month(clock.today_wib())
    # Statements below the minimum payout are carried forward instead of approved or paid.
    assert statements and all(s.status in (("approved", "carried") if s.period_start == last.start
                                           else ("paid", "carried")) for s in statements)
    assert reconcile(last).balanced and reconcile(Period.previous_month(last.start)).balanced

    # The same sales on every database: what sold, in what order (dates follow the day it is loaded).
    sold = db.session.execute(select(Order.id, OrderLine.sku, OrderLine.quantity, Order.channel, Order.fulfilment)
                              .join(OrderLine, OrderLine.order_id == Order.id).order_by(Order.id, OrderLine.id)).all()
    fingerprint = hashlib.sha256(repr([tuple(row)[1:] for row in sold]).encode()).hexdigest()[:16]
    assert fingerprint == DEMO_SALES_FINGERPRINT, fingerprint

    # Consignment terms, portal views and markdowns as a gallery keeps them.
    from gallery.consignment.ending import ending_report
    from gallery.consignment.markdown_models import Markdown
    from gallery.consignment.pricing import shelf_prices
    from gallery.portal.visibility import visibility_of

    report = ending_report()
    assert report.grace and report.ending  # a few lots in grace, more whose term ends soon
    seen = {visibility_of(p.id) for p in db.session.scalars(select(Producer))}
    assert {(v.detailed, v.shows_commission) for v in seen} == {(True, True), (True, False), (False, True),
                                                                  (False, False)}
    running = db.session.scalars(select(Markdown)).all()
    assert running and all(m.is_running() for m in running)
    prices = shelf_prices(db.session.scalars(select(Lot.variant_id).distinct()))
    assert any(price.marked_down for price in prices.values())

    # The four demo accounts.
    assert {(u.email, u.role) for u in db.session.scalars(select(User))} == {
        ("admin@galeri.test", Role.ADMIN), ("staf@galeri.test", Role.STAFF),
        ("produsen@galeri.test", Role.PRODUCER), ("pembeli@galeri.test", Role.CUSTOMER),
    }

    # A second run finds producers and loads nothing more.
    totals = (count(Producer), count(Product), count(Variant), count(Lot), count(ProductImage), count(User))
    again = demo_load()
    assert again.exit_code == 0, again.output
    assert "nothing loaded" in again.output
    assert (count(Producer), count(Product), count(Variant), count(Lot), count(ProductImage), count(User)) == totals


@pytest.mark.slow
def test_demo_users_sign_in_with_the_demo_password_and_land_on_their_homes(app, demo_load, make, small_pictures):
    assert demo_load().exit_code == 0
    homes = {"admin@galeri.test": "/staff", "staf@galeri.test": "/staff", "produsen@galeri.test": "/portal",
             "pembeli@galeri.test": "/"}
    for email, home in homes.items():
        client = app.test_client()
        response = make.login(client, email, DEMO_PASSWORD)
        assert response.status_code == 302, email
        assert response.headers["Location"] == home, email
        assert client.get(home).status_code == 200, email

    producer_user = db.session.scalar(select(User).where(User.email == "produsen@galeri.test"))
    assert producer_user.producer.slug == "rendang-lokan-amak-painan"
    client = app.test_client()
    make.login(client, "produsen@galeri.test", DEMO_PASSWORD)
    portal = client.get("/portal").get_data(as_text=True)
    assert "Rendang Lokan Amak Painan" in portal
    assert "Rendang Lokan" in portal

    # The wrong password is still refused.
    client = app.test_client()
    assert make.login(client, "admin@galeri.test", "bukan-sandinya").status_code == 422

    # The loaded shop's storefront works.
    shopper = app.test_client()
    home = shopper.get("/").get_data(as_text=True)
    assert "Rendang Lokan" in home
    assert "124 produk" in shopper.get("/products").get_data(as_text=True)
    assert "Rendang Lokan" in names_on(shopper.get("/products?q=rendang+lokan"))
    product = db.session.scalar(select(Product).where(Product.name == "Rendang Lokan"))
    page = shopper.get(f"/products/{product.slug}").get_data(as_text=True)
    assert product.pirt_number in page
    assert "P-IRT P-IRT" not in page

    # Partnerships: the public sees the upcoming business-matching event; the demo producer sees the
    # inquiries forwarded to it; the staff report counts the past event's meetings and partnerships.
    assert "Temu Bisnis Oleh-oleh Akhir Tahun" in shopper.get("/partners").get_data(as_text=True)
    producer = app.test_client()
    make.login(producer, "produsen@galeri.test", DEMO_PASSWORD)
    partners_page = producer.get("/portal/partners").get_data(as_text=True)
    for partner in ("Rahmi Yuliani", "Budi Santoso", "Siti Aminah"):
        assert partner in partners_page
    assert "Andi Pratama" not in partners_page  # never forwarded
    staff = app.test_client()
    make.login(staff, "staf@galeri.test", DEMO_PASSWORD)
    report = staff.get("/staff/partners/report").get_data(as_text=True)
    assert 'data-figure="meetings">5<' in report and 'data-figure="partnerships">2<' in report


def test_demo_load_refuses_a_production_configuration_and_writes_nothing(app, demo_load, monkeypatch):
    from config import ProductionConfig

    assert ProductionConfig.DEMO_ALLOWED is False
    monkeypatch.setitem(app.config, "DEMO_ALLOWED", False)
    result = demo_load()
    assert result.exit_code == 1
    assert "Error: Demo data is not allowed in this configuration (production)." in result.output
    assert (count(Producer), count(Product), count(User), count(ProductImage)) == (0, 0, 0, 0)


@pytest.mark.slow
def test_demo_load_with_products_grows_a_bulk_catalogue_that_lists_and_searches(client, demo_load, make,
                                                                               small_pictures):
    result = demo_load("--products", "300")
    assert result.exit_code == 0, result.output
    assert "300 products" in result.output

    assert db.session.scalar(select(func.count(Product.id)).where(Product.published.is_(True))) == 300
    bulk_producers = [p for p in db.session.scalars(select(Producer)) if re.fullmatch(r"ikm-\d+", p.slug)]
    bulk = [product for producer in bulk_producers for product in producer.products]
    assert len(bulk) == 300 - 124
    assert len(bulk_producers) == round((300 - 124) / 12.5)
    assert {p.kecamatan_code[:5] for p in bulk_producers} == {"13.01"}
    assert all(p.images and p.variants and p.price_from for p in bulk)
    for product in bulk:
        if product.is_food:
            assert PIRT.match(product.pirt_number), product.pirt_number
    # Bulk stock also arrives on numbered receipts, continuing the demo's own sequence.
    assert db.session.scalar(select(func.count(Lot.id)).where(Lot.receipt_id.is_(None))) == 0
    numbers = sorted(int(n.rsplit("-", 1)[1]) for n in db.session.scalars(select(ConsignmentReceipt.number)))
    assert numbers == list(range(1, len(numbers) + 1))
    assert all(b.balanced for b in lot_balances().values())

    # The listing pages through all of them.
    listing = client.get("/products")
    assert listing.status_code == 200
    assert "300 produk" in listing.get_data(as_text=True)
    assert len(names_on(listing)) == 24
    assert len(names_on(client.get("/products?page=13"))) == 300 - 12 * 24
    assert client.get("/products?category=kuliner&page=2").status_code == 200

    # Search finds a bulk product by its name.
    target = bulk[-1]
    found = client.get("/products", query_string={"q": target.name})
    assert found.status_code == 200
    assert f'href="/products/{target.slug}"' in found.get_data(as_text=True)
    # …and its pictures are served.
    assert client.get(f"/media/products/{target.images[0].key}-card.webp").status_code == 200

    # Products created afterwards get fresh ids (on PostgreSQL the id sequences were moved past the bulk rows).
    extra = make.product(name="Produk Setelah Bulk")
    assert extra.id > max(p.id for p in bulk)


def test_the_shop_knows_a_demo_shop_by_the_demo_users():
    from gallery.sample_data import DEMO_EMAILS

    assert tuple(email for email, *_ in DEMO_USERS) == DEMO_EMAILS
