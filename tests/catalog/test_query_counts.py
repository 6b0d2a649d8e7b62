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
    ("/products?q=kopi&page=2", "/products?q=kopi"),
    ("/products?q=rendng&page=2", "/products?q=rendng"),  # the results of the respelt search
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


def test_search_with_a_typo_and_suggestions_run_a_fixed_number_of_statements(client, make):
    # Given a few rendang and coffee products, then ten more of each: each search costs what it cost with few
    producer = make.producer()
    for n in range(3):
        make.product(producer, name=f"Rendang Lokan {n}", category="rendang")
        make.product(producer, name=f"Kopi Robusta {n}", category="kopi-teh")
    paths = ["/products?q=rendng", "/products?q=kopi", "/products?q=rendang+sapi",
             "/api/search/suggest?q=ren", "/api/search/suggest?q=rendng"]
    few = {path: statements_for(client, path) for path in paths}
    for n in range(10):
        make.product(producer, name=f"Rendang Paru {n}", category="rendang")
        make.product(producer, name=f"Kopiah Rajut {n}")
    assert {path: statements_for(client, path) for path in paths} == few
    # The word search as before (9: see below); a typo adds its respelling and the respelt count (11);
    # words that find nothing and have no better spelling: the count, the respelling and the (empty) page's
    # ids, no cards to load (6);
    # a search finding one or two products also looks for a respelling (one statement more);
    # a suggestion is the catalogue version and one statement, or three when the words are respelt.
    assert few == {"/products?q=rendng": 11, "/products?q=kopi": 9, "/products?q=rendang+sapi": 6,
                   "/api/search/suggest?q=ren": 2, "/api/search/suggest?q=rendng": 4}
    assert statements_for(client, "/products?q=lokan+0") == 10
    # And once cached, a suggestion costs only the version
    client.get("/api/search/suggest?q=ren")
    with count_statements() as statements:
        client.get("/api/search/suggest?q=ren")
    assert len(statements) == 1
