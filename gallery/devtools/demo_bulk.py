"""The large benchmark catalogue: tens of thousands of products inserted in batches.

Rows go in through Core bulk inserts rather than one ORM object at a time (50,000 products in
well under two minutes on SQLite), but every derived value comes from the same functions the
services use: search text, lowest price, payout less commission, intake movements beside lots.
"""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, insert, select, text

from gallery import clock
from gallery.catalog.certificates import pirt_valid_until
from gallery.catalog.images import store_image
from gallery.catalog.models import (
    Category,
    IkmClassification,
    Producer,
    ProducerCertificate,
    Product,
    ProductImage,
    Variant,
)
from gallery.catalog.search import compose_search_text
from gallery.consignment.models import ConsignmentReceipt, Lot, MovementKind, StockMovement
from gallery.consignment.terms import default_terms
from gallery.devtools.demo_content import (
    CLASSIFICATION_CATEGORIES,
    NAME_PREFIXES,
    NAME_WORDS,
    OWNER_NAMES,
)
from gallery.devtools.demo_products import PRODUCTS
from gallery.extensions import db
from gallery.planner_stats import refresh_planner_statistics
from gallery.money import less_basis_points
from gallery.numbering import next_value
from gallery.shipping.regions import home_districts

PRODUCTS_PER_PRODUCER = 12.5
BATCH = 2000


def _insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(model), rows[start:start + BATCH])


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _sync_sequences(*models) -> None:
    """After inserting explicit ids, move PostgreSQL's id sequences past them."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        table = model.__tablename__
        db.session.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        )


def _image_pool(per_sector: int) -> dict[str, list[tuple[str, int, int]]]:
    """A few pictures per sector, shared by the bulk products (their files are content-addressed)."""
    from gallery.devtools.demo import demo_picture

    pool: dict[str, list[tuple[str, int, int]]] = {}
    for sector in ("fashion", "kuliner", "kerajinan", "lainnya"):
        for index in range(per_sector):
            stored = store_image(demo_picture(f"{sector.title()} {index + 1}", sector, 9000 + index, size=480))
            pool.setdefault(sector, []).append((stored.key, stored.width, stored.height))
    return pool


def load_bulk_catalogue(product_count: int, rng: random.Random, *, pictures_per_sector: int = 6) -> dict[str, int]:
    """Add `product_count` published products from about product_count / 12.5 new producers."""
    now = clock.utcnow()
    today = clock.today_wib()
    terms = default_terms()
    categories = {c.slug: c for c in db.session.scalars(select(Category))}
    sector_of = {c.slug: (c.parent.slug if c.parent else c.slug) for c in categories.values()}
    classifications = list(db.session.scalars(select(IkmClassification)))
    usable = [c for c in classifications if c.code in CLASSIFICATION_CATEGORIES]
    districts = [d.code for d in home_districts()]
    pictures = _image_pool(pictures_per_sector)

    producer_count = max(1, round(product_count / PRODUCTS_PER_PRODUCER))
    producer_id = _next_id(Producer)
    product_id = _next_id(Product)
    variant_id = _next_id(Variant)
    lot_id = _next_id(Lot)
    certificate_id = _next_id(ProducerCertificate)
    producers, products, variants, images, lots, movements = [], [], [], [], [], []
    certificates: list[dict] = []
    # Each food producer's P-IRT and halal certificate, which its food products name.
    food_certificates: dict[int, tuple[int, int]] = {}
    receipts: list[dict] = []
    producer_plan = []
    # Stock arrives as it does for real: one consignment receipt per producer, numbered in sequence.
    receipt_id = _next_id(ConsignmentReceipt)
    last_number = next_value(f"TT-{today.year}", producer_count)
    first_number = last_number - producer_count + 1
    for index in range(producer_count):
        classification = usable[index % len(usable)]
        name = f"{rng.choice(NAME_PREFIXES)} {rng.choice(NAME_WORDS)} {rng.choice(NAME_WORDS)} {index + 1}"
        owner = rng.choice(OWNER_NAMES)
        commission = rng.choice([1500, 2000, 2500])
        producers.append({
            "id": producer_id + index, "slug": f"ikm-{producer_id + index}", "business_name": name,
            "owner_name": owner, "kecamatan_code": districts[index % len(districts)], "address": None,
            "classification_id": classification.id, "size_class": rng.choice(["mikro", "mikro", "kecil", "menengah"]),
            "whatsapp": f"62812{rng.randint(10_000_000, 99_999_999)}", "story": f"{name} dari Pesisir Selatan.",
            "bank_name": "Bank Nagari", "bank_account_number": str(rng.randint(10**9, 10**10 - 1)),
            "bank_account_holder": owner, "commission_bp": commission, "is_active": True, "is_featured": False,
            "created_at": now, "updated_at": now,
        })
        received = now - timedelta(days=rng.randint(1, 90))
        receipts.append({
            "id": receipt_id + index, "number": f"TT-{today.year}-{first_number + index:05d}",
            "producer_id": producer_id + index, "received_at": received, "created_by_id": None,
            "notes": "Data benchmark",
        })
        producer_plan.append((producer_id + index, name, classification.code, commission))
        if any(categories[slug].is_food for slug in CLASSIFICATION_CATEGORIES[classification.code]):
            pirt = f"2061301{index % 100:02d}{(producer_id + index) % 10000:04d}-30"
            certificates += [
                {"id": certificate_id, "producer_id": producer_id + index, "kind": "pirt", "number": pirt,
                 "issued_by": None, "valid_until": pirt_valid_until(pirt)},
                {"id": certificate_id + 1, "producer_id": producer_id + index, "kind": "halal",
                 "number": f"ID13110000{producer_id + index:09d}", "issued_by": None, "valid_until": None},
            ]
            food_certificates[producer_id + index] = (certificate_id, certificate_id + 1)
            certificate_id += 2

    for index in range(product_count):
        owner_id, owner_name, classification_code, commission = producer_plan[index % producer_count]
        slugs = CLASSIFICATION_CATEGORIES[classification_code]
        category = categories[slugs[index % len(slugs)]]
        title, description, variant_specs, storage = rng.choice(PRODUCTS[category.slug])
        pid = product_id + index
        name = f"{title} {rng.choice(NAME_WORDS)}"
        prices = []
        for position, (label, price, weight, net) in enumerate(variant_specs):
            price = max(1000, price + rng.randint(-5, 5) * 1000)
            prices.append(price)
            vid = variant_id + len(variants)
            variants.append({
                "id": vid, "product_id": pid, "sku": f"B{pid}-{position + 1}", "label": label, "price": price,
                "weight_grams": weight, "length_cm": 15, "width_cm": 10, "height_cm": 5, "net_content": net,
                "position": position, "is_active": True,
            })
            if index % 9 == 0:
                continue  # some sold out
            quantity = rng.randint(1, 30)
            receipt = receipts[index % producer_count]
            received = receipt["received_at"]
            lots.append({
                "id": lot_id + len(lots), "variant_id": vid, "producer_id": owner_id, "quantity_received": quantity,
                "on_hand": quantity, "unit_payout": less_basis_points(price, commission),
                "expires_on": today + timedelta(days=rng.randint(5, 200)) if category.is_food else None,
                "received_at": received, "receipt_id": receipt["id"], "shelf": None, "notes": "",
                "term_ends_on": terms.term_end(clock.to_wib(received).date()),
            })
            movements.append({
                "lot_id": lots[-1]["id"], "kind": MovementKind.INTAKE, "quantity": quantity,
                "reason": "", "reference": receipt["number"], "cause": None, "created_by_id": None,
                "created_at": received,
            })
        category_name = category.name
        sector_name = categories[sector_of[category.slug]].name
        pirt_id, halal_id = food_certificates.get(owner_id, (None, None)) if category.is_food else (None, None)
        products.append({
            "id": pid, "slug": f"{category.slug}-{pid}", "producer_id": owner_id, "category_id": category.id,
            "name": name, "description": f"{description} Buatan {owner_name}.", "story": "", "published": True,
            "archived": False, "published_at": now, "is_featured": False, "pirt_certificate_id": pirt_id,
            "bpom_certificate_id": None, "halal_certificate_id": halal_id if index % 3 else None,
            "storage_note": storage, "price_from": min(prices),
            "search_text": compose_search_text(name, category_name, sector_name, owner_name, description),
            "created_at": now - timedelta(minutes=index), "updated_at": now,
        })
        key, width, height = rng.choice(pictures[sector_of[category.slug]])
        images.append({"product_id": pid, "key": key, "alt": name, "width": width, "height": height, "position": 0})

    _insert(Producer, producers)
    _insert(ProducerCertificate, certificates)
    _insert(Product, products)
    _insert(Variant, variants)
    _insert(ProductImage, images)
    _insert(ConsignmentReceipt, receipts)
    _insert(Lot, lots)
    _insert(StockMovement, movements)
    _sync_sequences(Producer, ProducerCertificate, Product, Variant, ConsignmentReceipt, Lot)
    db.session.commit()
    refresh_planner_statistics()  # the planner must know the catalogue is large now
    return {"producers": producer_count, "products": product_count, "variants": len(variants), "lots": len(lots)}
