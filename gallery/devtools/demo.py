"""`flask demo load`: a believable demo shop (never in production), or a large one for benchmarks."""
from __future__ import annotations

import io
import random
from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from PIL import Image, ImageDraw
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from gallery import clock
from gallery.accounts.models import Role
from gallery.accounts.services import create_user
from gallery.catalog.certificates import add_producer_certificate
from gallery.catalog.models import Category, IkmClassification, Producer, Product, ProductStatus, Variant
from gallery.catalog.photos import Upload, add_photos
from gallery.catalog.products import ProductInput, create_product
from gallery.catalog.reference import seed_reference_data
from gallery.catalog.services import ProducerInput, create_producer
from gallery.catalog.variants import VariantInput
from gallery.consignment.documents import ReceiptLine, create_receipt
from gallery.consignment.services import stock_levels
from gallery.devtools.demo_bulk import load_bulk_catalogue
from gallery.devtools.demo_content import BANKS, PRODUCER_PRODUCTS, PRODUCERS
from gallery.devtools.demo_products import PRODUCTS
# Tests replace demo_picture here (the bulk loader looks it up here too).
from gallery.devtools.demo_pictures import demo_picture, halal_number, pirt_number
from gallery.extensions import db
from gallery.sample_data import DEMO_EMAILS
from gallery.shipping.regions import load_regions, regions_loaded

DEMO_PASSWORD = "galeri-demo"
# The shop tells a demo shop by these users' addresses (gallery.sample_data.DEMO_EMAILS).
DEMO_USERS = tuple((email, *who) for email, who in zip(DEMO_EMAILS, (
    (Role.ADMIN, "Admin Galeri", None),
    (Role.STAFF, "Staf Galeri", None),
    (Role.PRODUCER, "Nurhayati", "rendang-lokan-amak-painan"),
    (Role.CUSTOMER, "Pembeli Demo", None),
), strict=True))


def _stock_plan(rng: random.Random, is_food: bool, index: int) -> list[tuple[int, int | None, bool]]:
    """Lots for one variant as (quantity, days until expiry, from the older delivery).

    The mix gives full, low, sold-out, soon-to-expire and already-expired (still on the shelf) stock.
    """
    kind = index % 10
    if kind == 0:
        return []  # sold out: nothing on the shelf
    if kind == 1:
        return [(rng.randint(1, 3), rng.randint(60, 150) if is_food else None, True)]  # low
    if kind == 2 and is_food:
        return [(rng.randint(3, 8), rng.randint(3, 12), True), (rng.randint(10, 20), rng.randint(90, 180), False)]
    if kind == 3 and is_food:
        # Expired a few days ago and not yet returned: the back office must deal with it.
        return [(rng.randint(2, 5), -rng.randint(1, 6), True), (rng.randint(8, 20), rng.randint(60, 200), False)]
    return [(rng.randint(8, 40), rng.randint(60, 200) if is_food else None, rng.random() < 0.5)]


DEMO_BUYERS = ("Siti Rahma", "Budi Santoso", "Rina Marlina", "Dedi Kurniawan", "Yuni Astuti", "Fajar Hidayat",
               "Nurul Aini", "Rudi Hartono", "Maya Sari", "Andi Saputra", "Desi Ratnasari", "Hendra Gunawan")
# Destinations of demo parcels: (regency, district) pairs the sample tariff serves.
# Regency, district and a postal code of that district's province (gallery.shipping.postal_codes).
DEMO_DESTINATIONS = (("13.71", "13.71.01", "25111"), ("31.71", "31.71.01", "10110"), ("32.73", "32.73.01", "40111"),
                     ("14.71", "14.71.01", "28111"), ("12.71", "12.71.01", "20111"), ("13.75", "13.75.01", "26111"))
FAVOURED_PRODUCER = "rendang-lokan-amak-painan"  # the demo producer account sees its own sales


def _demo_sale(rng: random.Random, when, now, staff, customer, serial: int) -> bool:
    """One sale at `when` through the real services: a counter sale, a pick-up or a shipped parcel."""
    from gallery.orders.placing import CartLine, Contact, place_order
    from gallery.orders.transitions import complete, mark_packed, mark_picked_up, ship
    from gallery.shipping.addresses import Address
    from gallery.payments.desk import pay_at_desk, sell_at_counter
    from gallery.shipping.models import District, TariffVersion

    # In id order: without it the rows (so the random picks) differ between SQLite and PostgreSQL.
    variants = db.session.scalars(
        select(Variant).join(Product, Product.id == Variant.product_id).options(selectinload(Variant.product))
        .where(Variant.is_active.is_(True), Product.published.is_(True)).order_by(Variant.id)
    ).all()
    levels = stock_levels(v.id for v in variants)
    sellable = [v for v in variants if levels[v.id].available > 0]
    if not sellable:
        return False
    favoured = [v for v in sellable if v.product.producer.slug == FAVOURED_PRODUCER]
    picks = {}
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
        variant = rng.choice(favoured) if favoured and rng.random() < 0.3 else rng.choice(sellable)
        picks[variant.id] = min(levels[variant.id].available, rng.choice((1, 1, 1, 2)))
    lines = [CartLine(variant_id, quantity) for variant_id, quantity in picks.items()]
    buyer = rng.choice(DEMO_BUYERS)
    contact = Contact(buyer, buyer.lower().replace(" ", ".") + "@contoh.id", f"0813{rng.randint(10**7, 10**8 - 1)}")
    roll = rng.random()
    if roll < 0.55:
        sell_at_counter(lines, rng.choice(("cash", "cash", "qris")), user=staff)
        db.session.commit()  # the sale flushes; the demo commits it as the till's view does
        return True
    has_tariff = db.session.scalar(select(TariffVersion.id).limit(1)) is not None
    if roll < 0.8 or not has_tariff:
        order = place_order(lines, contact, fulfilment="pickup", customer=customer if rng.random() < 0.2 else None)
        db.session.commit()  # each step is its own request in the shop: the demo commits after each
        pay_at_desk(order, rng.choice(("cash", "qris")), user=staff)
        db.session.commit()
        mark_picked_up(order, user=staff)
        db.session.commit()
        return True
    regency, district, postal_code = rng.choice(DEMO_DESTINATIONS)
    province = db.session.get(District, district).regency.province_code
    order = place_order(lines, contact, fulfilment="delivery", service_code="POS_REG",
                        address=Address(province, regency, district, f"Jl. Demo No. {serial}", postal_code))
    db.session.commit()
    pay_at_desk(order, "bank_transfer", user=staff)
    db.session.commit()
    mark_packed(order, user=staff)
    db.session.commit()
    ship(order, f"P{clock.to_wib(when):%y%m%d}{serial:05d}", user=staff)
    db.session.commit()
    delivered = when + timedelta(days=3)  # Pos delivers a few days later, if that day has come
    if delivered < now:
        clock.freeze(delivered)
        complete(order, user=staff)
        db.session.commit()
    return True


def _run_demo_history(deliveries, rng: random.Random, staff, customer) -> tuple[int, int]:
    """Bring the stock in the way staff do, then sell some of it, in the order it happened.

    Each producer delivered twice, months and weeks ago (one consignment receipt each); sales over
    the last three months go through the counter, pick-up and Pos delivery. The clock is set to each
    moment, so receipts, movements and orders carry believable dates, and lots that expired since
    stay on the shelf. Emails are not sent while the history is written.
    """
    now = clock.utcnow()
    today = clock.today_wib()
    events = []
    for producer, (older, newer) in deliveries.items():
        for days, lines in ((rng.randint(70, 110), older), (rng.randint(3, 30), newer)):
            if lines:
                events.append((now - timedelta(days=days, minutes=rng.randint(0, 360)), "delivery", producer, lines))
    for serial in range(1, current_app.config["DEMO_SALES"] + 1):
        events.append((now - timedelta(days=rng.randint(0, 68), minutes=rng.randint(60, 600)), "sale", serial, None))
    events.sort(key=lambda event: event[0])
    mailman = current_app.extensions["mailman"]
    backend, mailman.backend = mailman.backend, "dummy"
    lots = sales = 0
    try:
        for when, kind, subject, lines in events:
            clock.freeze(when)
            if kind == "delivery":
                receipt_lines = [
                    ReceiptLine(variant.id, quantity,
                                expires_on=today + timedelta(days=days) if days is not None else None, shelf=shelf)
                    for variant, quantity, days, shelf in lines
                ]
                create_receipt(subject, receipt_lines, user=staff, notes="Data demo")
                lots += len(receipt_lines)
            elif _demo_sale(rng, when, now, staff, customer, subject):
                sales += 1
    finally:
        clock.freeze(None)
        mailman.backend = backend
    return lots, sales


def _settle_demo_months(staff, admin) -> int:
    """Settle the last two full months as the gallery would: the older paid, the last one approved."""
    from gallery.settlements.models import Statement
    from gallery.settlements.periods import Period
    from gallery.settlements.statements import approve, generate, mark_paid

    now = clock.utcnow()
    previous = Period.previous_month(clock.today_wib())
    older = Period.previous_month(previous.start)
    statements = 0
    try:
        for period, pay in ((older, True), (previous, False)):
            run_on = period.end + timedelta(days=2)  # statements go out in the first days of the next month
            clock.freeze(min(now, _wib_noon(run_on)))
            numbers = generate(period, user=staff).created
            for statement in db.session.scalars(select(Statement).where(Statement.number.in_(numbers))):
                approve(statement, user=admin)
                if pay and statement.status == "approved":  # small ones are carried, never transferred
                    clock.freeze(min(now, _wib_noon(run_on + timedelta(days=3))))
                    mark_paid(statement, clock.today_wib(), f"TRF-{statement.number}", user=staff,
                              proof=_demo_transfer_slip(statement.number))
                statements += 1
    finally:
        clock.freeze(None)
    return statements


def _demo_transfer_slip(reference: str) -> bytes:
    """A drawn picture of a bank transfer slip, the proof staff keep with a paid statement."""
    image = Image.new("RGB", (480, 240), (250, 250, 245))
    ImageDraw.Draw(image).text((16, 100), f"TRANSFER {reference}", fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _wib_noon(day):
    from datetime import datetime, time

    return datetime.combine(day, time(12, 0), tzinfo=clock.WIB)


def _load_producer(producer_seq: int, row: tuple, rng: random.Random, categories: dict, classifications: dict,
                   templates: dict, counters: dict, deliveries: dict, variant_index: int) -> int:
    """One demo producer with its certificates, products, photos and planned deliveries; the next variant index."""
    name, owner, kecamatan, classification, size, featured, story = row
    today = clock.today_wib()
    data = ProducerInput(
        business_name=name,
        owner_name=owner,
        kecamatan_code=kecamatan,
        size_class=size,
        classification_id=classifications[classification].id,
        whatsapp=f"0812{rng.randint(10_000_000, 99_999_999)}",
        story=story,
        address=f"Jorong {rng.choice(['Koto', 'Pasar', 'Lubuk', 'Kampung Baru'])}, Nagari {owner}",
        bank_name=rng.choice(BANKS),
        bank_account_number=str(rng.randint(10**9, 10**10 - 1)),
        bank_account_holder=owner,
        commission_bp=rng.choice([1500, 2000, 2000, 2500]),
        is_featured=featured,
    )
    # Each producer makes what its name says (gallery.devtools.demo_content.PRODUCER_PRODUCTS).
    made = PRODUCER_PRODUCTS[name]
    is_food_producer = any(categories[slug].is_food for slug, _ in made)
    producer = create_producer(data)
    halal = None
    if is_food_producer and producer_seq % 3 != 0:
        # One halal certificate lapses within the month, so the staff dashboard has something to show.
        valid_until = today + timedelta(days=20) if producer_seq == 2 else None
        halal = add_producer_certificate(producer, "halal", halal_number(producer_seq * 1000),
                                         issued_by="BPJPH", valid_until=valid_until)
    counters["producers"] += 1

    for product_seq, (category_slug, product_name) in enumerate(made, 1):
        category = categories[category_slug]
        title, description, variants, storage = templates[product_name]
        sku_base = f"{producer_seq:02d}{product_seq}{title[:3].upper()}".replace(" ", "")
        # A P-IRT is issued per product: each food product has its own, valid five years.
        pirt = add_producer_certificate(
            producer, "pirt", pirt_number(6, product_seq, producer_seq, today.year + 5), issued_by="Dinas Kesehatan",
        ) if category.is_food else None
        product = create_product(
            producer,
            ProductInput(
                name=title,
                category_id=category.id,
                description=f"{description} Buatan {name}, {producer.kecamatan.name}.",
                status=ProductStatus.PUBLISHED,
                is_featured=product_seq == 1 and producer_seq % 4 == 1,
                pirt_certificate_id=pirt.id if pirt else None,
                halal_certificate_id=halal.id if halal and category.is_food else None,
                storage_note=storage,
                variants=[
                    VariantInput(
                        sku=f"{sku_base}-{index + 1}",
                        label=label,
                        price=price,
                        weight_grams=weight,
                        length_cm=20 if weight > 500 else 15,
                        width_cm=15 if weight > 500 else 10,
                        height_cm=10 if weight > 500 else 5,
                        net_content=net,
                    )
                    for index, (label, price, weight, net) in enumerate(variants)
                ],
            ),
            reason="Data demo",
        )
        picture = demo_picture(title, category.sector.slug, producer_seq * 10 + product_seq)
        add_photos(product, [Upload(f"{product.slug}.png", picture)], alt=title)
        counters["products"] += 1
        # Spread creation times over the last months so "newest" means something.
        product.created_at = clock.utcnow() - timedelta(days=rng.randint(0, 120), minutes=rng.randint(0, 1440))
        for variant in product.variants:
            counters["variants"] += 1
            variant_index += 1
            shelf = f"{category.sector.slug[0].upper()}{producer_seq % 9 + 1}"
            for quantity, days, older in _stock_plan(rng, category.is_food, variant_index):
                deliveries.setdefault(producer, ([], []))[0 if older else 1].append(
                    (variant, quantity, days, shelf)
                )
    return variant_index


def load_demo(product_target: int | None = None) -> dict[str, int]:
    """Fill an empty shop with demo producers, products, stock and users; refuses a non-empty one."""
    if not current_app.config.get("DEMO_ALLOWED"):
        raise click.ClickException("Demo data is not allowed in this configuration (production).")
    if not regions_loaded():
        load_regions()
    seed_reference_data()
    if db.session.scalar(select(func.count(Producer.id))):
        return {}
    rng = random.Random(2026)
    categories = {c.slug: c for c in db.session.scalars(select(Category))}
    classifications = {c.code: c for c in db.session.scalars(select(IkmClassification))}
    counters = {"producers": 0, "products": 0, "variants": 0, "lots": 0, "users": 0, "sales": 0, "statements": 0}
    templates = {template[0]: template for items in PRODUCTS.values() for template in items}
    deliveries: dict[Producer, tuple[list, list]] = {}
    variant_index = 0

    for producer_seq, row in enumerate(PRODUCERS, 1):
        variant_index = _load_producer(producer_seq, row, rng, categories, classifications, templates, counters,
                                       deliveries, variant_index)
    db.session.flush()

    users = {}
    for email, role, display, producer_slug in DEMO_USERS:
        users[email] = create_user(email, role, DEMO_PASSWORD, name=display, producer_slug=producer_slug)
        counters["users"] += 1
    db.session.commit()
    from gallery.devtools.demo_terms import set_demo_terms, start_demo_markdowns

    counters["terms"] = set_demo_terms(users["admin@galeri.test"])
    counters["lots"], counters["sales"] = _run_demo_history(
        deliveries, rng, users["staf@galeri.test"], users["pembeli@galeri.test"])
    counters["statements"] = _settle_demo_months(users["staf@galeri.test"], users["admin@galeri.test"])
    counters["markdowns"] = start_demo_markdowns(users["staf@galeri.test"])
    from gallery.devtools.demo_reviews import load_demo_reviews

    counters["reviews"] = load_demo_reviews(rng, users["staf@galeri.test"], users["produsen@galeri.test"])

    if product_target and product_target > counters["products"]:
        bulk = load_bulk_catalogue(product_target - counters["products"], rng)
        counters["products"] += bulk["products"]
        counters["producers"] += bulk["producers"]
        counters["variants"] += bulk["variants"]
        counters["lots"] += bulk["lots"]
    from gallery.devtools.demo_partners import load_demo_partners
    from gallery.devtools.demo_registry import load_demo_registry

    counters["registry"] = load_demo_registry(random.Random(1301))
    counters.update(load_demo_partners(users["staf@galeri.test"], users["produsen@galeri.test"]))
    return counters


@click.group()
def demo():
    """Demo data (development only)."""


@demo.command("load")
@click.option("--products", "product_target", type=click.IntRange(min=1), default=None,
              help="Grow the catalogue to this many products (about 12 per producer) for benchmarks.")
@with_appcontext
def load_command(product_target):
    """Load the demo shop into an empty database; does nothing if producers already exist."""
    counters = load_demo(product_target)
    db.session.commit()  # the services it calls flush; this command is the edge
    if not counters:
        click.echo("demo: the database already holds producers; nothing loaded")
        return
    click.echo("demo: " + ", ".join(f"{value} {key}" for key, value in counters.items()))
    click.echo(f"demo logins (password {DEMO_PASSWORD}): " + ", ".join(email for email, *_ in DEMO_USERS))
