"""The product listing: every filter, sorting, pagination, and bad parameters."""
import re

import pytest

from gallery.extensions import db


def names_on(response) -> list[str]:
    """Product names in the order the cards show them."""
    return re.findall(r'<h3 class="card-title">([^<]+)</h3>', response.get_data(as_text=True))


@pytest.fixture
def shelf(make):
    """A small shop: two producers in two kecamatan, food and crafts, with and without stock."""
    painan = make.producer("Rendang Amak Painan", kecamatan="13.01.05")
    tarusan = make.producer("Songket Tarusan", kecamatan="13.01.07")
    rendang = make.product(painan, name="Rendang Lokan", category="rendang", variants=[("250 g", 85_000, 300)],
                           halal_number="ID13110000123450123")
    galamai = make.product(painan, name="Galamai Pesisir", category="kue-tradisional",
                           variants=[("250 g", 30_000, 300)])
    songket = make.product(tarusan, name="Kain Songket Pucuk Rebung", category="songket",
                           variants=[("200 x 100 cm", 1_750_000, 600)])
    tikar = make.product(tarusan, name="Tikar Pandan", category="anyaman", variants=[("Besar", 175_000, 1500)])
    hidden = make.product(tarusan, name="Selendang Rahasia", category="songket", published=False)
    make.stock(rendang.variants[0], 5)
    make.stock(songket.variants[0], 1)
    make.stock(tikar.variants[0], 2)
    return {"rendang": rendang, "galamai": galamai, "songket": songket, "tikar": tikar, "hidden": hidden,
            "painan": painan, "tarusan": tarusan}


def test_listing_shows_published_products_only(client, shelf):
    names = names_on(client.get("/products"))
    assert set(names) == {"Rendang Lokan", "Galamai Pesisir", "Kain Songket Pucuk Rebung", "Tikar Pandan"}


def test_products_of_an_inactive_producer_disappear(client, shelf):
    shelf["tarusan"].is_active = False
    db.session.commit()
    assert set(names_on(client.get("/products"))) == {"Rendang Lokan", "Galamai Pesisir"}


def test_filter_by_sector_includes_its_sub_categories(client, shelf):
    assert set(names_on(client.get("/products?category=kuliner"))) == {"Rendang Lokan", "Galamai Pesisir"}


def test_filter_by_sub_category(client, shelf):
    assert names_on(client.get("/products?category=rendang")) == ["Rendang Lokan"]


def test_filter_by_producer(client, shelf):
    names = names_on(client.get(f"/products?producer={shelf['tarusan'].slug}"))
    assert set(names) == {"Kain Songket Pucuk Rebung", "Tikar Pandan"}


def test_filter_by_kecamatan(client, shelf):
    assert set(names_on(client.get("/products?kecamatan=13.01.05"))) == {"Rendang Lokan", "Galamai Pesisir"}


def test_filter_by_price_range(client, shelf):
    assert set(names_on(client.get("/products?min_price=50000&max_price=200000"))) == {"Rendang Lokan", "Tikar Pandan"}
    # Indonesians write thousands with dots.
    assert names_on(client.get("/products?min_price=1.000.000")) == ["Kain Songket Pucuk Rebung"]


def test_filter_halal(client, shelf):
    assert names_on(client.get("/products?halal=1")) == ["Rendang Lokan"]


def test_filter_in_stock_counts_only_sellable_lots(client, make, shelf):
    make.stock(shelf["galamai"].variants[0], 4, expires_in_days=10)
    assert set(names_on(client.get("/products?in_stock=1"))) == {
        "Rendang Lokan", "Galamai Pesisir", "Kain Songket Pucuk Rebung", "Tikar Pandan"}


def test_filters_combine(client, shelf):
    assert names_on(client.get("/products?category=kuliner&kecamatan=13.01.05&halal=1&in_stock=1")) == ["Rendang Lokan"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("price_asc", ["Galamai Pesisir", "Rendang Lokan", "Tikar Pandan", "Kain Songket Pucuk Rebung"]),
        ("price_desc", ["Kain Songket Pucuk Rebung", "Tikar Pandan", "Rendang Lokan", "Galamai Pesisir"]),
        ("name", ["Galamai Pesisir", "Kain Songket Pucuk Rebung", "Rendang Lokan", "Tikar Pandan"]),
        ("newest", ["Tikar Pandan", "Kain Songket Pucuk Rebung", "Galamai Pesisir", "Rendang Lokan"]),
    ],
)
def test_sorting(client, shelf, sort, expected):
    assert names_on(client.get(f"/products?sort={sort}")) == expected


def test_pagination_has_24_a_page_and_keeps_filters(client, make):
    producer = make.producer()
    for index in range(30):
        make.product(producer, name=f"Anyaman {index:02d}", category="anyaman")
    first = client.get("/products?category=anyaman&sort=name")
    assert len(names_on(first)) == 24
    page = first.get_data(as_text=True)
    assert "Halaman 1 dari 2" in page
    assert 'href="/products?category=anyaman&amp;sort=name&amp;page=2"' in page
    second = client.get("/products?category=anyaman&sort=name&page=2")
    assert names_on(second) == [f"Anyaman {index:02d}" for index in range(24, 30)]


@pytest.mark.parametrize(
    "query",
    [
        "page=-1", "page=0", "page=abc", "page=99999999999999999999", "min_price=abc", "max_price=-5",
        "min_price=1e9", "sort=drop_table", "halal=maybe", "in_stock=2", "q=%27%22%29%28*%3A%5E", "q=" + "x" * 500,
        "q=AND OR NOT", "q=NEAR(a b)", "page=3&category=kuliner",
    ],
)
def test_bad_query_parameters_give_a_normal_page(client, shelf, query):
    response = client.get(f"/products?{query}")
    assert response.status_code == 200


def test_a_malformed_price_is_ignored_with_a_notice(client, shelf):
    response = client.get("/products?min_price=abc")
    assert "Harga minimum tidak valid dan diabaikan" in response.get_data(as_text=True)
    assert len(names_on(response)) == 4


def test_a_page_past_the_end_shows_the_last_page(client, shelf):
    response = client.get("/products?page=40")
    assert response.status_code == 200
    assert len(names_on(response)) == 4


@pytest.mark.parametrize("query", ["category=tidak-ada", "producer=tidak-ada", "kecamatan=31.71.01",
                                   "kecamatan=99"])
def test_unknown_category_producer_or_kecamatan_is_404(client, shelf, query):
    assert client.get(f"/products?{query}").status_code == 404


def test_category_page_redirects_to_the_filtered_listing(client, shelf):
    response = client.get("/categories/songket")
    assert response.status_code == 301
    assert response.headers["Location"] == "/products?category=songket"
    assert client.get("/categories/tidak-ada").status_code == 404


def test_cards_show_price_producer_and_stock_state(client, shelf):
    page = client.get("/products").get_data(as_text=True)
    assert "Rp\u00a01.750.000" in page
    assert "Rendang Amak Painan" in page
    assert "Stok habis" in page  # galamai has no lot
    assert "Sisa 1" in page  # the songket's last unit
