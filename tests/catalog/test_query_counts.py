"""No N+1: storefront pages run the same number of SQL statements whatever the catalogue's size."""
import random

import pytest
from sqlalchemy import select

from gallery.catalog.models import Producer, Product
from gallery.devtools.demo_bulk import load_bulk_catalogue
from gallery.cache import store
from gallery.extensions import db
from tests.catalog.test_listing import names_on
from tests.sqlcount import count_statements


def statements_for(client, path: str) -> int:
    """What rendering the page costs: the page cache is emptied first, so this is always a miss."""
    store().clear()
    with count_statements() as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements)


@pytest.fixture
def catalogue_of(make):
    def build(size: int):
        load_bulk_catalogue(size, random.Random(size), pictures_per_sector=1)
        # Some products featured, so the home page has every section.
        for product in db.session.scalars(select(Product).limit(8)):
            product.is_featured = True
        for producer in db.session.scalars(select(Producer).limit(6)):
            producer.is_featured = True
        db.session.commit()
    return build


# Pages that show a full set of cards with 24 products as with 2,400.
PAGES = ["/products", "/products?sort=price_asc&in_stock=1", "/products?sort=name", "/"]
# Deeper pages of filtered listings cost what their first page costs.
DEEPER = [
    ("/products?category=kuliner&page=3", "/products?category=kuliner"),
    ("/products?q=rendang&page=2", "/products?q=rendang"),
    ("/products?halal=1&kecamatan=13.01.05&page=2", "/products?halal=1&kecamatan=13.01.05"),
]


@pytest.mark.slow
def test_listing_runs_the_same_statements_for_24_products_as_for_2400(app, client, catalogue_of):
    catalogue_of(24)
    small = {path: statements_for(client, path) for path in PAGES}
    assert len(names_on(client.get("/products"))) == 24
    catalogue_of(2400 - 24)
    assert len(names_on(client.get("/products"))) == 24
    large = {path: statements_for(client, path) for path in PAGES}
    assert large == small
    assert all(count <= 12 for count in large.values()), large
    for deeper, first in DEEPER:
        assert len(names_on(client.get(deeper))) > 0, deeper
        assert statements_for(client, deeper) == statements_for(client, first) <= 12, deeper


def test_product_and_producer_pages_run_a_fixed_number_of_statements(client, make):
    producer = make.producer()
    few = make.product(producer, variants=[("S", 10_000, 100)])
    many = make.product(producer, variants=[(size, 10_000 + i, 100) for i, size in enumerate("SMLXQRTU")])
    for variant in many.variants:
        make.stock(variant, 3)
    assert statements_for(client, f"/products/{few.slug}") == statements_for(client, f"/products/{many.slug}")
    other = make.producer()
    make.product(other)
    for _ in range(10):
        make.product(producer)
    assert statements_for(client, f"/producers/{other.slug}") == statements_for(client, f"/producers/{producer.slug}")
    single = statements_for(client, "/producers")
    for _ in range(5):
        make.producer()
    assert statements_for(client, "/producers") == single


def test_certificates_with_validity_cost_the_listing_and_product_page_no_statement(client, make):
    # Given a food product naming a P-IRT, a BPOM and a halal certificate of its producer, in stock
    producer = make.producer()
    make.certificate(producer, "bpom", "MD 123456789012")
    product = make.product(producer, category="rendang", variants=[("S", 10_000, 100), ("M", 20_000, 200)],
                           halal_number="ID13110000123450123", pirt_number="2061301010123-29",
                           bpom_number="MD 123456789012")
    for variant in product.variants:
        make.stock(variant, 3)
    make.product(producer)  # "more from this producer" on the product page
    # Then the pages run what they ran before products named their certificates (7 and 9 statements; one
    # more since the page cache reads the catalogue version, on the listing one more since its page's ids are
    # chosen before its products are loaded, and on the product page three that price the next units: lots,
    # markdowns, consent, and two that read the reviews' count and average and the units sold): the
    # certificates are joined into the statements that load the products.
    assert statements_for(client, "/products") == 9
    assert statements_for(client, "/products?halal=1") == 9
    assert statements_for(client, f"/products/{product.slug}") == 15
