"""The public producers list: a page at a time and searchable, so its size never grows with the registry."""
import re

from tests.catalog.test_query_counts import statements_for


def names_on(response) -> list[str]:
    return re.findall(r'class="producer-card"[^>]*>\s*<strong>([^<]+)</strong>', response.get_data(as_text=True))


def test_the_producers_list_shows_48_a_page_with_a_pager(client, make):
    # Given 50 active producers
    for n in range(50):
        make.producer(f"IKM Daftar {n:02d}")
    # When the list is opened
    first, second = client.get("/producers"), client.get("/producers?page=2")
    # Then it shows them by name, 48 on the first page and the rest on the second
    assert names_on(first) == [f"IKM Daftar {n:02d}" for n in range(48)]
    assert names_on(second) == ["IKM Daftar 48", "IKM Daftar 49"]
    assert "Halaman 1 dari 2" in first.get_data(as_text=True)


def test_the_producers_list_finds_a_producer_by_business_or_owner_name(client, make):
    make.producer("IKM Sulaman Kenanga", owner_name="Ibu Rosna")
    make.producer("IKM Galamai Painan", owner_name="Pak Datuak")
    assert names_on(client.get("/producers?q=kenanga")) == ["IKM Sulaman Kenanga"]
    assert names_on(client.get("/producers?q=datuak")) == ["IKM Galamai Painan"]
    assert "Tidak ada produsen yang cocok" in client.get("/producers?q=songket").get_data(as_text=True)


def test_the_producers_list_counts_each_producers_published_products(client, make):
    producer = make.producer("IKM Tiga Produk")
    for _ in range(3):
        make.product(producer)
    make.product(producer, published=False)
    text = client.get("/producers?q=tiga").get_data(as_text=True)
    assert "3 produk" in text


def test_the_producers_list_runs_the_same_statements_for_5_producers_as_for_120(client, make):
    for n in range(5):
        make.product(make.producer(f"IKM Kecil {n}"))
    few = statements_for(client, "/producers")
    for n in range(115):
        make.product(make.producer(f"IKM Besar {n:03d}"))
    assert statements_for(client, "/producers") == few
    assert statements_for(client, "/producers?page=3") == few
