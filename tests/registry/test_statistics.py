"""The statistics equal counts made here, independently, by Python over the rows the test created."""
import csv
import io
import random
from collections import Counter

import pytest
from sqlalchemy import select

from gallery import clock
from gallery.accounts.models import Role
from gallery.catalog.models import IkmClassification
from gallery.extensions import db
from gallery.orders.placing import CartLine, Contact
from tests.edges import counter_sale
from tests.edges import place_order
from gallery.registry.models import RegistryEntry
from gallery.registry.statistics import registry_statistics
from gallery.shipping.regions import home_districts
from tests.sqlcount import count_statements

SECTORS = ("fashion", "kuliner", "kerajinan", "lainnya")


def make_registry(n: int, seed: int = 7, producers=()) -> list[dict]:
    rng = random.Random(seed)
    districts = [d.code for d in home_districts()]
    # Leave two kecamatan empty so the zeros are checked too.
    used = districts[:-2]
    classes = db.session.scalars(select(IkmClassification.id)).all()
    year = clock.today_wib().year
    rows = []
    for i in range(n):
        rows.append({
            "registry_number": f"T-{i:05d}", "name": f"Usaha {i}", "owner_name": "",
            "kecamatan_code": rng.choice(used), "classification_id": rng.choice(classes),
            "size_class": rng.choice(("mikro", "mikro", "kecil", "menengah")), "sector": rng.choice(SECTORS),
            "phone": None, "year_registered": rng.choice([None, *range(year - 6, year + 1)]),
            "producer_id": producers[i].id if i < len(producers) else None,
        })
    db.session.execute(RegistryEntry.__table__.insert(), rows)
    db.session.commit()
    return rows


def test_the_counts_match_an_independent_count(make):
    producers = [make.producer(kecamatan="13.01.05"), make.producer(kecamatan="13.01.07")]
    rows = make_registry(157, producers=producers)
    stats = registry_statistics()

    assert stats.total == len(rows)
    assert stats.consigning == sum(1 for r in rows if r["producer_id"] is not None) == 2
    assert stats.consigning_share_bp == round(2 * 10_000 / 157)

    by_kecamatan = Counter(r["kecamatan_code"] for r in rows)
    assert [(s.key, s.value) for s in stats.by_kecamatan] == [(d.code, by_kecamatan[d.code]) for d in home_districts()]
    assert len(stats.by_kecamatan) == 15 and stats.by_kecamatan[-1].value == 0

    by_class = Counter(r["classification_id"] for r in rows)
    ids = {c.code: c.id for c in db.session.scalars(select(IkmClassification))}
    assert len(stats.by_classification) == 24
    assert {s.key: s.value for s in stats.by_classification} == {code: by_class[i] for code, i in ids.items()}

    assert {s.key: s.value for s in stats.by_size} == {k: Counter(r["size_class"] for r in rows)[k]
                                                      for k in ("mikro", "kecil", "menengah")}
    assert {s.key: s.value for s in stats.by_sector} == {k: Counter(r["sector"] for r in rows)[k] for k in SECTORS}

    by_year = Counter(r["year_registered"] for r in rows)
    known = sorted(y for y in by_year if y is not None)
    expected, running = [], 0
    for y in known:
        running += by_year[y]
        expected.append((str(y), by_year[y], running))
    expected.append(("", by_year[None], len(rows)))
    assert [(s.key, s.value, s.extra) for s in stats.by_year] == expected


def test_sales_per_kecamatan_and_sector_count_only_paid_orders(make):
    bayang = make.producer(kecamatan="13.01.06")
    jurai = make.producer(kecamatan="13.01.05")
    rendang = make.product(bayang, category="rendang", variants=[("500 g", 65_000, 500)]).variants[0]
    songket = make.product(jurai, category="songket", variants=[("Selendang", 450_000, 300)]).variants[0]
    anyaman = make.product(jurai, category="anyaman", variants=[("Tas", 120_000, 300)]).variants[0]
    for variant in (rendang, songket, anyaman):
        make.stock(variant, 20)
    cashier = make.user(Role.STAFF)
    counter_sale([CartLine(rendang.id, 3), CartLine(songket.id, 1)], "cash", user=cashier)
    counter_sale([CartLine(anyaman.id, 2)], "qris", user=cashier)
    # An unpaid order counts for nothing.
    place_order([CartLine(songket.id, 5)], Contact("Siti", "siti@contoh.id", "081234567890"), fulfilment="pickup")

    stats = registry_statistics()
    sales = {s.key: s.value for s in stats.sales_by_kecamatan}
    assert sales["13.01.06"] == 3 * 65_000
    assert sales["13.01.05"] == 450_000 + 2 * 120_000
    assert sum(sales.values()) == 3 * 65_000 + 450_000 + 240_000
    assert {s.key: s.value for s in stats.sales_by_sector} == {
        "fashion": 450_000, "kuliner": 195_000, "kerajinan": 240_000, "lainnya": 0}


@pytest.mark.parametrize("table", ["kecamatan", "classification", "size", "sector", "year", "sales-kecamatan",
                                   "sales-sector"])
def test_each_table_exports_as_csv_with_a_bom(client, table):
    make_registry(30)
    response = client.get(f"/statistics?table={table}&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) > 1
    if table == "kecamatan":
        assert len(rows) == 16 and sum(int(r[2]) for r in rows[1:]) == 30


def test_an_unknown_table_is_not_found(client):
    assert client.get("/statistics?table=nope&format=csv").status_code == 404


def test_the_statistics_page_runs_the_same_statements_for_few_or_many_entries(client):
    make_registry(3, seed=1)
    with count_statements() as few:
        assert client.get("/statistics").status_code == 200
    db.session.execute(RegistryEntry.__table__.delete())
    db.session.commit()
    make_registry(400, seed=2)
    with count_statements() as many:
        assert client.get("/statistics").status_code == 200
    assert len(few) == len(many) <= 12


def test_the_demo_registry_registers_every_producer_and_a_few_hundred_more(make):
    from gallery.devtools.demo_registry import load_demo_registry

    producers = [make.producer(), make.producer(kecamatan="13.01.11")]
    assert load_demo_registry(random.Random(1301)) == 362
    stats = registry_statistics()
    assert stats.total == 362 and stats.consigning == 2
    assert all(row.value for row in stats.by_kecamatan)  # every kecamatan has IKM
    assert load_demo_registry(random.Random(1301)) == 0  # once only
    assert {p.id for p in producers} == set(db.session.scalars(
        select(RegistryEntry.producer_id).where(RegistryEntry.producer_id.is_not(None))))
