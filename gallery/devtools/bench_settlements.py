"""`make bench` option: fill a database with many sold allocations (Core bulk inserts) and time generation.

    python -m gallery.devtools.bench --settlements 100000

The rows live in their own SQLite file (instance/bench-settlements.sqlite3, or BENCH_SETTLEMENTS_DATABASE_URL),
rebuilt on every run, so the timing always starts from unsettled sales.
"""
from __future__ import annotations

import os
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, insert, select

PRODUCERS = 400
VARIANTS_PER_PRODUCER = 5


def build_sales(allocations: int) -> tuple[int, int]:
    """Insert producers, variants, lots and `allocations` sold allocations (2 per paid, shipped order)."""
    from gallery.catalog.models import Category, Producer, Product, Variant
    from gallery.consignment.models import Lot
    from gallery.extensions import db
    from gallery.orders.models import Order, OrderAllocation, OrderLine
    from gallery.shipping.models import District

    kecamatan = db.session.scalar(select(District.code).where(District.code.like("13.01.%")).limit(1))
    category = db.session.scalar(select(Category.id).where(Category.slug == "anyaman"))
    db.session.execute(insert(Producer.__table__), [
        dict(id=p, slug=f"bench-ikm-{p}", business_name=f"IKM Bench {p}", owner_name=f"Pemilik {p}",
             kecamatan_code=kecamatan, commission_bp=1500, size_class="mikro", story="", is_active=True,
             is_featured=False, bank_name="Bank Nagari", bank_account_number=f"1101-{p:06d}",
             bank_account_holder=f"Pemilik {p}")
        for p in range(1, PRODUCERS + 1)])
    db.session.execute(insert(Product.__table__), [
        dict(id=p, slug=f"bench-produk-{p}", producer_id=p, category_id=category, name=f"Anyaman Bench {p}")
        for p in range(1, PRODUCERS + 1)])
    variants = [(p, p * 10 + v) for p in range(1, PRODUCERS + 1) for v in range(VARIANTS_PER_PRODUCER)]
    db.session.execute(insert(Variant.__table__), [
        dict(id=vid, product_id=p, sku=f"BS-{vid}", label=f"V{vid % 10}", price=50_000 + (vid % 10) * 5_000,
             weight_grams=300) for p, vid in variants])
    db.session.execute(insert(Lot.__table__), [
        dict(id=vid, variant_id=vid, producer_id=p, quantity_received=10_000, on_hand=0,
             unit_payout=42_500 + (vid % 10) * 4_250, term_ends_on=date(2027, 2, 1))
        for p, vid in variants])
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    orders = allocations // 2
    chunk = 20_000
    line_id = 0
    for first in range(1, orders + 1, chunk):
        ids = range(first, min(first + chunk, orders + 1))
        order_rows, line_rows, allocation_rows = [], [], []
        for o in ids:
            moment = start + timedelta(seconds=o * 37 % (29 * 86400))
            order_rows.append(dict(id=o, number=f"GB-{o:010d}", access_token="x", status="shipped", channel="online",
                                   fulfilment="delivery", contact_name="", notes="", shipping_parcels=1,
                                   shipping_chargeable_kg=1, shipping_public_price=26_000, shipping_discount=5_200,
                                   shipping_price=20_800, insurance=0, subtotal=0, total=0, placed_at=moment,
                                   paid_at=moment, shipped_at=moment + timedelta(hours=3)))
            for k in range(2):
                line_id += 1
                p, vid = variants[(o * 7 + k * 13) % len(variants)]
                price, payout = 50_000 + (vid % 10) * 5_000, 42_500 + (vid % 10) * 4_250
                line_rows.append(dict(id=line_id, order_id=o, variant_id=vid, producer_id=p, product_name=f"Anyaman {p}",
                                      variant_label=f"V{vid % 10}", sku=f"BS-{vid}", quantity=1 + k,
                                      unit_price=price, list_price=price, line_total=price * (1 + k)))
                allocation_rows.append(dict(id=line_id, line_id=line_id, lot_id=vid, quantity=1 + k, unit_price=price,
                                            unit_payout=payout))
        db.session.execute(insert(Order.__table__), order_rows)
        db.session.execute(insert(OrderLine.__table__), line_rows)
        db.session.execute(insert(OrderAllocation.__table__), allocation_rows)
    db.session.commit()
    return PRODUCERS, db.session.scalar(select(func.count(OrderAllocation.id)))


def run(allocations: int, instance: Path) -> float:
    """Build the rows, generate November 2026 for every producer, print and return the seconds it took."""
    url = os.environ.get("BENCH_SETTLEMENTS_DATABASE_URL")
    if not url:
        path = instance / "bench-settlements.sqlite3"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    os.environ["DATABASE_URL"] = url
    from config import DevelopmentConfig
    from flask_migrate import upgrade

    from gallery import create_app
    from gallery.catalog.reference import seed_reference_data
    from gallery.extensions import db
    from gallery.settlements import statements as services
    from gallery.settlements.periods import Period
    from gallery.settlements.reconciliation import reconcile
    from gallery.shipping.regions import load_regions

    DevelopmentConfig.SQLALCHEMY_DATABASE_URI = url
    app = create_app(DevelopmentConfig)
    with app.app_context():
        upgrade()
        load_regions()
        seed_reference_data()
        built = time.perf_counter()
        producers, count = build_sales(allocations)
        print(f"bench: settlements — {count:,} sold allocations of {producers} producers inserted in "
              f"{time.perf_counter() - built:.1f} s")
        from sqlalchemy import event

        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        began = time.perf_counter()
        result = services.generate(Period.month(2026, 11))
        db.session.commit()
        elapsed = time.perf_counter() - began
        event.remove(db.engine, "before_cursor_execute", listener)
        check = reconcile(Period.month(2026, 11))
        print(f"bench: settlements — generated {result.statements} statements, {result.lines:,} lines in "
              f"{elapsed:.2f} s with {len(statements)} SQL statements; reconciliation "
              f"{'balanced' if check.balanced else 'NOT balanced'}")
    return elapsed
