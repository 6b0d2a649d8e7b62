"""Full-text search: Indonesian words find their products on SQLite (FTS5) and PostgreSQL alike."""
import pytest

from gallery.catalog.products import product_input, update_product
from gallery.catalog.services import rename_producer
from gallery.extensions import db
from tests.catalog.test_listing import names_on


@pytest.fixture
def goods(make):
    painan = make.producer("Dapur Amak Painan")
    tarusan = make.producer("Tenun Koto XI")
    make.product(painan, name="Rendang Lokan", category="rendang",
                 description="Kerang lokan dimasak dengan santan dan cabai.")
    make.product(painan, name="Rendang Daging Sapi", category="rendang", description="Daging sapi pilihan.")
    make.product(painan, name="Keripik Sanjai Balado", category="keripik", description="Singkong tipis pedas manis.")
    make.product(tarusan, name="Kain Songket Pucuk Rebung", category="songket",
                 description="Tenunan benang emas untuk pesta adat.", variants=[("200 x 100 cm", 1_750_000, 600)])
    make.product(tarusan, name="Selendang Songket", category="songket", description="Selendang ringan.")
    return painan, tarusan


def test_rendang_finds_the_rendang_products_and_not_the_songket(client, goods, database_name):
    names = names_on(client.get("/products?q=rendang"))
    assert sorted(names) == ["Rendang Daging Sapi", "Rendang Lokan"], database_name


def test_songket_and_keripik_find_their_products(client, goods):
    assert sorted(names_on(client.get("/products?q=songket"))) == ["Kain Songket Pucuk Rebung", "Selendang Songket"]
    assert names_on(client.get("/products?q=keripik")) == ["Keripik Sanjai Balado"]


def test_search_reads_descriptions_and_producer_names(client, goods):
    assert names_on(client.get("/products?q=santan")) == ["Rendang Lokan"]
    assert len(names_on(client.get("/products?q=Koto"))) == 2


def test_every_word_must_match_and_words_match_as_prefixes(client, goods):
    assert names_on(client.get("/products?q=rendang+lokan")) == ["Rendang Lokan"]
    assert names_on(client.get("/products?q=kerip")) == ["Keripik Sanjai Balado"]
    assert names_on(client.get("/products?q=RENDANG+sapi")) == ["Rendang Daging Sapi"]


def test_search_combines_with_filters(client, goods):
    assert names_on(client.get("/products?q=songket&max_price=60000")) == ["Selendang Songket"]
    painan, _ = goods
    assert names_on(client.get(f"/products?q=keripik&producer={painan.slug}")) == ["Keripik Sanjai Balado"]
    assert names_on(client.get("/products?q=keripik&category=songket")) == []


def test_search_follows_renamed_products_and_producers(client, make, goods):
    painan, _ = goods
    product = make.product(painan, name="Kerupuk Jangek", category="keripik")
    update_product(product, product_input(product, name="Karak Kaliang"))
    db.session.commit()
    assert names_on(client.get("/products?q=kaliang")) == ["Karak Kaliang"]
    assert names_on(client.get("/products?q=jangek")) == []
    rename_producer(painan, "Rumah Rendang Bundo")
    db.session.commit()
    assert len(names_on(client.get("/products?q=bundo"))) == 4


def test_a_query_of_only_punctuation_lists_everything(client, goods):
    assert len(names_on(client.get("/products?q=%21%21%21"))) == 5
