"""The product page and the producers' pages: what a shopper sees before buying, and what stays hidden."""
import io
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from PIL import Image

from gallery import clock
from gallery.catalog.images import store_image
from gallery.catalog.models import ProductImage
from gallery.catalog.services import ProducerInput, create_producer
from gallery.extensions import db
from tests.catalog.test_listing import names_on

# 10:00 WIB on 2 March 2026: lots made in a test expire on dates the assertions can spell out.
TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)


def plain(html: str) -> str:
    """Text of an HTML fragment, tags dropped and whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def variant_rows(response) -> list[tuple[str, str, str]]:
    """(label, price, stock state) of each row of the product page's variant table."""
    page = response.get_data(as_text=True)
    table = re.search(r'<table class="variants">.*?<tbody>(.*?)</tbody>', page, re.S)
    assert table, "no variant table"
    rows = re.findall(r"<tr>\s*<td>(.*?)<br>.*?</td>\s*<td class=\"price\">(.*?)</td>\s*<td>(.*?)</td>\s*</tr>",
                      table.group(1), re.S)
    return [(plain(label), plain(price), plain(state)) for label, price, state in rows]


def food_facts(response) -> dict[str, str]:
    """The 'Keterangan pangan' box as {term: value}; empty when the page has no such box."""
    page = response.get_data(as_text=True)
    box = re.search(r'<section class="facts".*?</section>', page, re.S)
    if box is None:
        return {}
    return {plain(term): plain(value) for term, value in re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", box.group(0), re.S)}


def section(response, css_class: str) -> str:
    page = response.get_data(as_text=True)
    found = re.search(rf'<section class="{css_class}".*?</section>', page, re.S)
    assert found, f"no section .{css_class}"
    return found.group(0)


def picture_bytes(colour: tuple[int, int, int], size=(640, 480)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def add_image(product, colour, alt: str, position: int) -> ProductImage:
    stored = store_image(picture_bytes(colour))
    image = ProductImage(product=product, key=stored.key, alt=alt, width=stored.width, height=stored.height,
                         position=position)
    db.session.add(image)
    db.session.commit()
    return image


@pytest.fixture
def today():
    clock.freeze(NOW)
    assert clock.today_wib() == TODAY
    return TODAY


@pytest.fixture
def amak(make):
    """A food producer of IV Jurai with two certificates."""
    return create_producer(
        ProducerInput(
            business_name="Rendang Amak Painan",
            owner_name="Yusnimar",
            kecamatan_code="13.01.05",
            size_class="kecil",
            story="Sejak 1998 Amak memasak rendang lokan dengan kayu bakar di dapur rumahnya di Painan.",
        ),
        certificates=[("halal", "ID13110000123450123"), ("pirt", "2061301010123-29")],
    )


@pytest.fixture
def rendang(make, amak, today):
    """Rendang in three sizes: plenty of the 250 g, two of the 500 g, none of the 1 kg."""
    product = make.product(
        amak, name="Rendang Lokan", category="rendang",
        variants=[("250 g", 85_000, 300), ("500 g", 125_000, 600), ("1 kg", 240_000, 1100)],
        pirt_number="P-IRT No. 2061301010123-29", halal_number="ID13110000123450123",
        description="Lokan dimasak dengan santan dan cabai.",
    )
    small, medium, large = product.variants
    small.net_content, medium.net_content, large.net_content = "250 gram", "500 gram", "1 kilogram"
    db.session.commit()
    make.stock(small, 10, expires_in_days=90)
    make.stock(medium, 2, expires_in_days=60)
    return product


def test_product_page_shows_the_name_and_every_variant_with_its_rupiah_price(client, rendang):
    response = client.get(f"/products/{rendang.slug}")
    assert response.status_code == 200
    assert "<h1>Rendang Lokan</h1>" in response.get_data(as_text=True)
    assert [(label, price) for label, price, _ in variant_rows(response)] == [
        ("250 g", "Rp 85.000"), ("500 g", "Rp 125.000"), ("1 kg", "Rp 240.000")]


def test_an_inactive_variant_is_not_offered(client, rendang):
    rendang.variants[2].is_active = False
    db.session.commit()
    labels = [label for label, _, _ in variant_rows(client.get(f"/products/{rendang.slug}"))]
    assert labels == ["250 g", "500 g"]


def test_each_variant_shows_in_stock_low_stock_or_sold_out(client, rendang):
    states = {label: state for label, _, state in variant_rows(client.get(f"/products/{rendang.slug}"))}
    assert states == {"250 g": "Tersedia", "500 g": "Stok tersisa 2", "1 kg": "Habis"}


@pytest.mark.parametrize(("units", "state"), [(1, "Stok tersisa 1"), (3, "Stok tersisa 3"), (4, "Tersedia")])
def test_low_stock_means_three_units_or_fewer(client, make, units, state):
    product = make.product(name="Tikar Pandan", category="anyaman", variants=[("Besar", 175_000, 1500)])
    make.stock(product.variants[0], units)
    assert variant_rows(client.get(f"/products/{product.slug}")) == [("Besar", "Rp 175.000", state)]


def test_stock_of_several_lots_adds_up(client, make):
    product = make.product(name="Tikar Pandan", category="anyaman", variants=[("Besar", 175_000, 1500)])
    make.stock(product.variants[0], 1)
    make.stock(product.variants[0], 2)
    assert variant_rows(client.get(f"/products/{product.slug}"))[0][2] == "Stok tersisa 3"


def test_food_product_shows_net_content_pirt_halal_and_best_before(client, rendang):
    facts = food_facts(client.get(f"/products/{rendang.slug}"))
    assert facts == {
        "Berat bersih (250 g)": "250 gram",
        "Berat bersih (500 g)": "500 gram",
        "Berat bersih (1 kg)": "1 kilogram",
        # The P-IRT is valid through the year its number names; the halal certificate has no end date.
        "P-IRT": "P-IRT No. 2061301010123-29 · berlaku s.d. 31 Desember 2029",
        "Sertifikat halal": "ID13110000123450123",
        # 90 and 60 days after 2 March 2026; the 1 kg has no lot, so no date.
        "Baik digunakan sebelum (250 g)": "31 Mei 2026",
        "Baik digunakan sebelum (500 g)": "1 Mei 2026",
    }


def test_a_single_variant_food_product_labels_its_facts_without_the_variant(client, make, amak, today):
    make.certificate(amak, "bpom", "MD 123456789012", valid_until=date(2029, 6, 30))
    product = make.product(amak, name="Galamai Pesisir", category="kue-tradisional",
                           variants=[("Kotak", 30_000, 300)], bpom_number="MD 123456789012")
    product.variants[0].net_content = "250 gram"
    db.session.commit()
    make.stock(product.variants[0], 5, expires_in_days=30)
    facts = food_facts(client.get(f"/products/{product.slug}"))
    assert facts == {"Berat bersih": "250 gram", "BPOM": "BPOM RI MD 123456789012 · berlaku s.d. 30 Juni 2029",
                     "Baik digunakan sebelum": "1 April 2026"}


def test_best_before_is_the_date_of_the_lot_sold_next(client, make, rendang):
    make.stock(rendang.variants[0], 4, expires_in_days=20)  # sold before the 90-day lot (FEFO)
    facts = food_facts(client.get(f"/products/{rendang.slug}"))
    assert facts["Baik digunakan sebelum (250 g)"] == "22 Maret 2026"


def test_expired_lots_do_not_count_as_stock(client, make, amak, today):
    product = make.product(amak, name="Keripik Balado", category="keripik",
                           variants=[("Pedas", 25_000, 200), ("Manis", 25_000, 200)])
    hot, sweet = product.variants
    make.stock(hot, 5, expires_in_days=10)
    make.stock(sweet, 2, expires_in_days=10)
    make.stock(sweet, 20, expires_in_days=60)

    clock.freeze(NOW + timedelta(days=9))  # the day before: the short lots may still be sold
    response = client.get(f"/products/{product.slug}")
    assert [state for _, _, state in variant_rows(response)] == ["Tersedia", "Tersedia"]
    assert food_facts(response)["Baik digunakan sebelum (Manis)"] == "12 Maret 2026"

    clock.freeze(NOW + timedelta(days=10))  # "baik digunakan sebelum" 12 March: not sold on that day
    response = client.get(f"/products/{product.slug}")
    assert [state for _, _, state in variant_rows(response)] == ["Habis", "Tersedia"]
    facts = food_facts(response)
    assert "Baik digunakan sebelum (Pedas)" not in facts
    assert facts["Baik digunakan sebelum (Manis)"] == "1 Mei 2026"


def test_a_craft_product_has_no_food_facts(client, make):
    product = make.product(name="Tikar Pandan", category="anyaman")
    page = client.get(f"/products/{product.slug}").get_data(as_text=True)
    assert "Keterangan pangan" not in page
    assert "Baik digunakan sebelum" not in page


def test_product_page_shows_the_producers_card_with_a_link_to_its_page(client, rendang):
    response = client.get(f"/products/{rendang.slug}")
    card = section(response, "producer-box")
    assert '<a href="/producers/rendang-amak-painan">Rendang Amak Painan</a>' in card
    text = plain(card)
    assert "Yusnimar · Kec. IV Jurai · Usaha kecil" in text
    assert "Sejak 1998 Amak memasak rendang lokan" in text
    assert "Halal ID13110000123450123" in text
    assert "P-IRT 2061301010123-29" in text
    assert client.get("/producers/rendang-amak-painan").status_code == 200


def test_product_images_show_with_their_alt_text_and_their_renditions_load(client, rendang):
    cover = add_image(rendang, (160, 40, 20), "Rendang lokan dalam toples kaca", 0)
    side = add_image(rendang, (40, 120, 60), "Kemasan rendang 500 g tampak samping", 1)
    page = client.get(f"/products/{rendang.slug}").get_data(as_text=True)
    gallery = re.search(r'<div class="product-gallery">(.*?)</div>', page, re.S).group(1)

    cover_img = re.search(r"<img [^>]*>", gallery).group(0)
    assert f'src="/media/products/{cover.key}-full.jpg"' in cover_img
    assert 'alt="Rendang lokan dalam toples kaca"' in cover_img
    assert 'width="640" height="480"' in cover_img
    assert f'srcset="/media/products/{cover.key}-thumb.webp 160w' in gallery
    assert f'<img src="/media/products/{side.key}-thumb.jpg"' in gallery
    assert 'alt="Kemasan rendang 500 g tampak samping"' in gallery

    for url in re.findall(r'(?:src|href)="(/media/products/[^"]+)"', gallery):
        assert client.get(url).status_code == 200, url


def test_alt_text_is_escaped(client, make):
    product = make.product(name="Tikar Pandan", category="anyaman")
    add_image(product, (10, 10, 10), 'Tikar "besar" <b>', 0)
    page = client.get(f"/products/{product.slug}").get_data(as_text=True)
    assert 'alt="Tikar &#34;besar&#34; &lt;b&gt;"' in page


def test_more_from_the_producer_shows_its_other_published_products(client, make, amak, rendang):
    make.product(amak, name="Galamai Pesisir", category="kue-tradisional")
    make.product(amak, name="Dendeng Rahasia", category="rendang", published=False)
    make.product(name="Tikar Pandan", category="anyaman")  # another producer's
    assert names_on(client.get(f"/products/{rendang.slug}")) == ["Galamai Pesisir"]


def _unpublished(make, product):
    product.published = False
    db.session.commit()
    return product.slug


def _inactive_producer(make, product):
    product.producer.is_active = False
    db.session.commit()
    return product.slug


def _unknown(make, product):
    return "rendang-yang-tidak-ada"


@pytest.mark.parametrize("hide", [_unpublished, _inactive_producer, _unknown],
                         ids=["unpublished", "inactive-producer", "unknown-slug"])
def test_a_product_shoppers_may_not_see_is_a_friendly_404(client, make, rendang, hide):
    slug = hide(make, rendang)
    response = client.get(f"/products/{slug}")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Halaman tidak ditemukan" in page
    assert "Produk tidak ditemukan." in page
    assert 'href="/">Kembali ke beranda' in page
    assert "Rendang Lokan" not in page
    assert "Rp 85.000" not in page.replace("\u00a0", " ")


# --- producers -------------------------------------------------------------------------------------


def producer_cards(response) -> list[tuple[str, str]]:
    """(slug, name) of each card on /producers, in order."""
    return re.findall(r'<a class="producer-card" href="/producers/([^"]+)">\s*<strong>([^<]+)</strong>',
                      response.get_data(as_text=True))


@pytest.fixture
def producers(make, amak):
    tarusan = make.producer("Songket Tarusan", kecamatan="13.01.07")
    bayang = make.producer("Anyaman Bayang", kecamatan="13.01.06")
    closed = make.producer("Kerajinan Tutup", kecamatan="13.01.07")
    closed.is_active = False
    db.session.commit()
    make.product(tarusan, name="Kain Songket Pucuk Rebung", category="songket")
    make.product(tarusan, name="Selendang Songket", category="songket")
    make.product(tarusan, name="Songket Belum Tayang", category="songket", published=False)
    make.product(closed, name="Tas Kerang", category="kerang-batok")
    return {"amak": amak, "tarusan": tarusan, "bayang": bayang, "closed": closed}


def test_producers_page_lists_active_producers_by_name(client, producers):
    assert producer_cards(client.get("/producers")) == [
        ("anyaman-bayang", "Anyaman Bayang"),
        ("rendang-amak-painan", "Rendang Amak Painan"),
        ("songket-tarusan", "Songket Tarusan"),
    ]


def test_producers_page_counts_published_products_only(client, producers):
    page = client.get("/producers").get_data(as_text=True)
    card = re.search(r'<a class="producer-card" href="/producers/songket-tarusan">(.*?)</a>', page, re.S).group(1)
    assert plain(card) == "Songket Tarusan Kec. Koto XI Tarusan 2 produk"


def test_producers_can_be_filtered_by_kecamatan(client, producers):
    response = client.get("/producers?kecamatan=13.01.07")
    assert producer_cards(response) == [("songket-tarusan", "Songket Tarusan")]
    assert '<option value="13.01.07" selected>Koto XI Tarusan</option>' in response.get_data(as_text=True)


def test_a_kecamatan_without_producers_says_so(client, producers):
    response = client.get("/producers?kecamatan=13.01.15")
    assert response.status_code == 200
    assert producer_cards(response) == []
    assert "Belum ada produsen di kecamatan ini." in response.get_data(as_text=True)


@pytest.mark.parametrize("code", ["99", "31.71.01", "13.01", "13.01.99"])
def test_a_kecamatan_outside_pesisir_selatan_is_404(client, producers, code):
    assert client.get(f"/producers?kecamatan={code}").status_code == 404


def test_producer_page_shows_story_kecamatan_and_certificates(client, amak):
    amak.certificates[0].valid_until = date(2027, 12, 31)
    db.session.commit()
    response = client.get("/producers/rendang-amak-painan")
    assert response.status_code == 200
    head = plain(section(response, "producer-head"))
    assert "Rendang Amak Painan" in head
    assert "Yusnimar · Kec. IV Jurai, Pesisir Selatan · Usaha kecil" in head
    assert "Sejak 1998 Amak memasak rendang lokan dengan kayu bakar di dapur rumahnya di Painan." in head
    assert "Halal · ID13110000123450123 (berlaku s.d. 31 Desember 2027)" in head
    assert "P-IRT · 2061301010123-29 (berlaku s.d. 31 Desember 2029)" in head


def test_producer_page_lists_only_its_published_products(client, producers, rendang):
    response = client.get("/producers/songket-tarusan")
    assert sorted(names_on(response)) == ["Kain Songket Pucuk Rebung", "Selendang Songket"]
    assert "2 produk" in response.get_data(as_text=True)


def test_producer_page_without_published_products_says_so(client, producers):
    response = client.get("/producers/anyaman-bayang")
    assert names_on(response) == []
    assert "Produsen ini belum punya produk yang ditayangkan." in response.get_data(as_text=True)


@pytest.mark.parametrize("slug", ["kerajinan-tutup", "tidak-ada"])
def test_an_inactive_or_unknown_producer_is_a_friendly_404(client, producers, slug):
    response = client.get(f"/producers/{slug}")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Produsen tidak ditemukan." in page
    assert "Tas Kerang" not in page
