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


@pytest.fixture
def coffee_and_caps(make):
    """Coffee and caps: "kopi" is a whole word of the coffee and only the start of "kopiah"."""
    bayang = make.producer("Kopi Bukit Bayang")
    rajut = make.producer("Rajutan Amai")
    # The caps are added last (newest) and say "kopiah" often: neither may lift them above the coffee.
    make.product(bayang, name="Kopi Robusta Biji Sangrai", category="kopi-teh",
                 description="Biji robusta sangrai gelap dari lereng Bukit Barisan.")
    make.product(rajut, name="Kopiah Rajut Anak", category="busana",
                 description="Kopiah rajut warna-warni, kopiah untuk anak.")
    make.product(rajut, name="Kopiah Songket", category="busana", description="Kopiah berbalut songket.")


def test_kopi_ranks_the_coffee_before_the_kopiah(client, coffee_and_caps, database_name):
    names = names_on(client.get("/products?q=kopi"))
    assert names[0] == "Kopi Robusta Biji Sangrai", (database_name, names)
    assert sorted(names[1:]) == ["Kopiah Rajut Anak", "Kopiah Songket"], database_name
    # A prefix still finds both kinds, and "kopiah" itself puts the caps first.
    assert len(names_on(client.get("/products?q=kop"))) == 3
    assert sorted(names_on(client.get("/products?q=kopiah"))) == ["Kopiah Rajut Anak", "Kopiah Songket"]


def test_a_word_held_whole_outranks_one_matched_by_its_start_in_every_word_of_the_query(client, make,
                                                                                       coffee_and_caps):
    make.product(make.producer("Sulaman Kambang"), name="Kopiah Sulam Robusta Motif")
    names = names_on(client.get("/products?q=kopi+robusta"))
    assert names[0] == "Kopi Robusta Biji Sangrai"


def test_a_typo_finds_rendang_and_says_which_word_it_searched(client, goods, database_name):
    response = client.get("/products?q=rendng")
    assert sorted(names_on(response)) == ["Rendang Daging Sapi", "Rendang Lokan"], database_name
    page = response.get_data(as_text=True)
    assert "Tidak ada produk untuk «rendng»; ini hasil untuk «rendang»." in page
    assert 'Maksud Anda <a href="/products?q=rendang">«rendang»</a>?' in page


def test_each_misspelt_word_is_corrected_and_known_words_are_kept(client, goods, database_name):
    assert names_on(client.get("/products?q=rendng+lokn")) == ["Rendang Lokan"], database_name
    assert names_on(client.get("/products?q=sonket+pucuk")) == ["Kain Songket Pucuk Rebung"], database_name


def test_did_you_mean_links_a_spelling_that_finds_more_when_the_words_find_little(client, make, goods):
    # Given a product whose name carries the misspelling, so the shopper's word finds that one product
    make.product(goods[0], name="Rendng Suwir Kering", category="rendang")
    response = client.get("/products?q=rendng")
    # Then its own result is shown, with a link to the spelling most products use
    assert names_on(response) == ["Rendng Suwir Kering"]
    page = response.get_data(as_text=True)
    assert 'Maksud Anda <a href="/products?q=rendang">«rendang»</a>?' in page
    assert "ini hasil untuk" not in page


def test_no_suggestion_when_the_words_find_enough_or_nothing_is_similar(client, goods):
    assert "Maksud Anda" not in client.get("/products?q=rendang").get_data(as_text=True)
    response = client.get("/products?q=xyzzyq")
    assert names_on(response) == [] and "Maksud Anda" not in response.get_data(as_text=True)
    # A word that starts a known word is not "corrected" (the shopper is still typing it)
    assert "Maksud Anda" not in client.get("/products?q=kerip").get_data(as_text=True)


def test_the_vocabulary_follows_renamed_and_deleted_products(client, make, goods, database_name):
    painan, _ = goods
    product = make.product(painan, name="Tikar Mansiang", category="anyaman")
    assert names_on(client.get("/products?q=mansing")) == ["Tikar Mansiang"], database_name
    update_product(product, product_input(product, name="Tikar Lapiak"))
    db.session.commit()
    assert names_on(client.get("/products?q=mansing")) == [], database_name
    assert names_on(client.get("/products?q=lapik")) == ["Tikar Lapiak"], database_name
    db.session.delete(product)
    db.session.commit()
    assert names_on(client.get("/products?q=lapik")) == [], database_name


def test_did_you_mean_respects_the_other_filters(client, goods):
    _, tarusan = goods
    assert names_on(client.get(f"/products?q=rendng&producer={tarusan.slug}")) == []
    response = client.get("/products?q=songkt&max_price=60000")
    assert names_on(response) == ["Selendang Songket"]
    assert 'href="/products?q=songket&amp;max_price=60000"' in response.get_data(as_text=True)


def test_suggestions_name_up_to_eight_products_with_their_pages_best_first(client, make, coffee_and_caps):
    response = client.get("/api/search/suggest?q=kop")
    assert response.status_code == 200 and response.mimetype == "application/json"
    suggestions = response.get_json()
    assert {s["name"] for s in suggestions} == {"Kopi Robusta Biji Sangrai", "Kopiah Rajut Anak", "Kopiah Songket"}
    assert client.get("/api/search/suggest?q=kopi").get_json()[0] == {
        "name": "Kopi Robusta Biji Sangrai", "url": "/products/kopi-robusta-biji-sangrai"}
    producer = make.producer("Rendang Uni Ita")
    for n in range(10):
        make.product(producer, name=f"Rendang Paru {n}", category="rendang")
    assert len(client.get("/api/search/suggest?q=rend").get_json()) == 8


def test_suggestions_tolerate_a_typo_and_ignore_an_empty_query(client, goods):
    names = [s["name"] for s in client.get("/api/search/suggest?q=rendng").get_json()]
    assert sorted(names) == ["Rendang Daging Sapi", "Rendang Lokan"]
    assert client.get("/api/search/suggest?q=").get_json() == []
    assert client.get("/api/search/suggest?q=%21%21").get_json() == []
    assert client.get("/api/search/suggest").get_json() == []


def test_suggestions_leave_out_unpublished_products_and_follow_the_catalogue(client, make, goods):
    painan, _ = goods
    make.product(painan, name="Rendang Jengkol", category="rendang", published=False)
    assert "Rendang Jengkol" not in [s["name"] for s in client.get("/api/search/suggest?q=rendang").get_json()]
    make.product(painan, name="Rendang Telur", category="rendang")
    assert "Rendang Telur" in [s["name"] for s in client.get("/api/search/suggest?q=rendang").get_json()]


def test_a_repeated_suggestion_request_is_answered_not_modified(client, goods):
    first = client.get("/api/search/suggest?q=ren")
    again = client.get("/api/search/suggest?q=ren", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert first.headers["Cache-Control"] == "public, no-cache"
