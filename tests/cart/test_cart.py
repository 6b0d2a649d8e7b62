"""The session cart through the browser: add from the product page, change, remove, caps, login."""
import re

import pytest

from gallery.extensions import db
from tests.factories import csrf_token
from tests.sqlcount import count_statements


def plain(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def token(client) -> str:
    return csrf_token(client, "/login")


def add(client, variant, quantity=1, **extra):
    data = {"variant_id": str(variant.id), "quantity": str(quantity), "csrf_token": token(client), **extra}
    return client.post("/cart/add", data=data)


def cart_of(client) -> dict:
    with client.session_transaction() as session:
        return dict(session.get("cart", {}))


@pytest.fixture
def shelf(make):
    """Two products in stock (5 and 2 units) and one sold out."""
    rendang = make.product(name="Rendang Lokan", category="rendang", variants=[("250 g", 65_000, 300)])
    songket = make.product(name="Selendang Songket", category="songket", variants=[("Merah", 450_000, 400)])
    kosong = make.product(name="Keripik Balado", category="anyaman", variants=[("Besar", 20_000, 200)])
    make.stock(rendang.variants[0], 5)
    make.stock(songket.variants[0], 2)
    return rendang, songket, kosong


def test_adding_from_the_product_page_goes_back_there_with_a_message(client, shelf):
    rendang, _, _ = shelf
    response = add(client, rendang.variants[0], 2, next=f"/products/{rendang.slug}")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/products/{rendang.slug}")
    assert cart_of(client) == {str(rendang.variants[0].id): 2}
    page = client.get(f"/products/{rendang.slug}").get_data(as_text=True)
    assert "Rendang Lokan (250 g) masuk keranjang: 2 di keranjang." in plain(page)
    assert '<a href="/cart">Lihat keranjang</a>' in page
    assert re.search(r'class="cart-count">.*?2', page)  # the header badge


def test_adding_again_adds_up_and_a_foreign_next_is_ignored(client, shelf):
    rendang, _, _ = shelf
    add(client, rendang.variants[0], 1)
    response = add(client, rendang.variants[0], 2, next="https://evil.example/")
    assert response.headers["Location"].endswith("/cart")
    assert cart_of(client) == {str(rendang.variants[0].id): 3}


def test_adding_more_than_can_be_sold_is_capped_with_a_notice(client, shelf):
    _, songket, _ = shelf
    add(client, songket.variants[0], 5)
    assert cart_of(client) == {str(songket.variants[0].id): 2}
    page = plain(client.get("/cart").get_data(as_text=True))
    assert "Stok Selendang Songket tinggal 2; jumlah di keranjang disesuaikan." in page


@pytest.mark.parametrize("variant_id, quantity", [("abc", "1"), ("", "1"), ("999999", "1"), (None, "0"),
                                                   (None, "-1"), (None, str(10**9)), (None, "dua")])
def test_bad_input_to_add_changes_nothing(client, shelf, variant_id, quantity):
    rendang, _, _ = shelf
    add(client, rendang.variants[0], 1)
    data = {"variant_id": variant_id if variant_id is not None else str(rendang.variants[0].id),
            "quantity": quantity, "csrf_token": token(client)}
    response = client.post("/cart/add", data=data)
    assert response.status_code == 303
    assert cart_of(client) == {str(rendang.variants[0].id): 1}
    page = client.get("/cart").get_data(as_text=True)
    assert 'class="flash flash-error"' in page


def test_a_sold_out_or_unpublished_product_cannot_be_added(client, make, shelf):
    _, _, kosong = shelf
    add(client, kosong.variants[0], 1)
    assert cart_of(client) == {}
    assert "Maaf, Keripik Balado sedang habis." in plain(client.get("/cart").get_data(as_text=True))
    hidden = make.product(name="Belum Terbit", published=False)
    make.stock(hidden.variants[0], 3)
    add(client, hidden.variants[0], 1)
    assert cart_of(client) == {}


def test_add_without_csrf_token_is_refused(client, shelf):
    rendang, _, _ = shelf
    response = client.post("/cart/add", data={"variant_id": str(rendang.variants[0].id), "quantity": "1"})
    assert response.status_code == 400
    assert cart_of(client) == {}


def test_the_cart_page_shows_lines_prices_and_subtotal(client, shelf):
    rendang, songket, _ = shelf
    add(client, rendang.variants[0], 2)
    add(client, songket.variants[0], 1)
    page = client.get("/cart").get_data(as_text=True)
    text = plain(page)
    assert "Rendang Lokan" in text and "Selendang Songket" in text
    assert rendang.producer.business_name in text
    assert "250 g · Rp 65.000" in text and "Rp 130.000" in text
    assert "Subtotal (3 barang) Rp 580.000" in text
    assert f'name="qty-{rendang.variants[0].id}" value="2"' in page
    assert 'formaction="/cart/remove"' in page
    assert "Lanjut ke pembayaran" in text


def test_the_empty_cart_says_so(client):
    page = plain(client.get("/cart").get_data(as_text=True))
    assert "Keranjang Anda masih kosong." in page


def test_the_cart_page_runs_the_same_statements_for_one_line_as_for_many(client, make):
    few = make.product(variants=[("A", 10_000, 100)])
    make.stock(few.variants[0], 5)
    add(client, few.variants[0], 1)
    with count_statements() as one:
        assert client.get("/cart").status_code == 200
    for i in range(5):
        product = make.product(variants=[(f"V{i}", 10_000 + i, 100), (f"W{i}", 11_000 + i, 100)])
        for variant in product.variants:
            make.stock(variant, 3)
            add(client, variant, 1)
    with count_statements() as many:
        page = client.get("/cart").get_data(as_text=True)
    assert page.count('class="cart-line"') == 11
    assert len(many) == len(one)


def test_update_sets_every_quantity_in_one_form_and_caps_by_stock(client, shelf):
    rendang, songket, _ = shelf
    r, s = rendang.variants[0], songket.variants[0]
    add(client, r, 1)
    add(client, s, 1)
    response = client.post("/cart/update", data={f"qty-{r.id}": "4", f"qty-{s.id}": "9", "csrf_token": token(client)})
    assert response.status_code == 303 and response.headers["Location"].endswith("/cart")
    assert cart_of(client) == {str(r.id): 4, str(s.id): 2}
    text = plain(client.get("/cart").get_data(as_text=True))
    assert "Stok tinggal 2; jumlah disesuaikan." in text


def test_update_can_go_on_to_checkout(client, shelf):
    rendang, _, _ = shelf
    r = rendang.variants[0]
    add(client, r, 1)
    response = client.post("/cart/update", data={f"qty-{r.id}": "2", "next": "/checkout", "csrf_token": token(client)})
    assert response.headers["Location"].endswith("/checkout")
    assert cart_of(client) == {str(r.id): 2}


@pytest.mark.parametrize("quantity", ["0", str(10**9), "-3", "1.5", "", "satu"])
def test_update_with_a_bad_quantity_changes_nothing(client, shelf, quantity):
    rendang, songket, _ = shelf
    r, s = rendang.variants[0], songket.variants[0]
    add(client, r, 1)
    add(client, s, 1)
    response = client.post("/cart/update", data={f"qty-{r.id}": "3", f"qty-{s.id}": quantity,
                                                 "csrf_token": token(client)})
    assert response.status_code == 303
    assert cart_of(client) == {str(r.id): 1, str(s.id): 1}  # not even the good line changed
    assert "harus antara 1 dan 999" in plain(client.get("/cart").get_data(as_text=True))


def test_update_with_a_variant_not_in_the_cart_changes_nothing(client, shelf):
    rendang, songket, _ = shelf
    r, s = rendang.variants[0], songket.variants[0]
    add(client, r, 1)
    client.post("/cart/update", data={f"qty-{r.id}": "2", f"qty-{s.id}": "1", "csrf_token": token(client)})
    assert cart_of(client) == {str(r.id): 1}
    client.post("/cart/update", data={f"qty-{r.id}": "2", "qty-x1": "1", "csrf_token": token(client)})
    assert cart_of(client) == {str(r.id): 1}
    assert "Produk ini tidak ada di keranjang." in plain(client.get("/cart").get_data(as_text=True))


def test_remove_takes_one_line_out(client, shelf):
    rendang, songket, _ = shelf
    r, s = rendang.variants[0], songket.variants[0]
    add(client, r, 1)
    add(client, s, 1)
    # The remove button is in the update form: the quantities come along and are ignored.
    response = client.post("/cart/remove", data={"variant_id": str(s.id), f"qty-{r.id}": "1", f"qty-{s.id}": "1",
                                                 "csrf_token": token(client)})
    assert response.status_code == 303
    assert cart_of(client) == {str(r.id): 1}
    assert "Selendang Songket (Merah) dihapus dari keranjang." in plain(client.get("/cart").get_data(as_text=True))


@pytest.mark.parametrize("variant_id", ["", "abc", "999999"])
def test_removing_something_not_in_the_cart_changes_nothing(client, shelf, variant_id):
    rendang, _, _ = shelf
    add(client, rendang.variants[0], 1)
    client.post("/cart/remove", data={"variant_id": variant_id, "csrf_token": token(client)})
    assert cart_of(client) == {str(rendang.variants[0].id): 1}


def test_lines_that_ran_out_are_dropped_and_capped_with_notices(client, make, shelf):
    rendang, songket, _ = shelf
    add(client, rendang.variants[0], 4)
    add(client, songket.variants[0], 2)
    from gallery.consignment.ledger import allocate

    allocate(rendang.variants[0], 3, reference="uji")
    allocate(songket.variants[0], 2, reference="uji")
    db.session.commit()
    text = plain(client.get("/cart").get_data(as_text=True))
    assert "Stok Rendang Lokan tinggal 2; jumlah di keranjang disesuaikan." in text
    assert "Selendang Songket sudah habis dan dihapus dari keranjang." in text
    assert cart_of(client) == {str(rendang.variants[0].id): 2}


def test_the_cart_survives_signing_in(client, make, shelf):
    rendang, _, _ = shelf
    user = make.user()
    add(client, rendang.variants[0], 2)
    response = make.login(client, user)
    assert response.status_code == 302
    assert cart_of(client) == {str(rendang.variants[0].id): 2}
    assert "Rendang Lokan" in client.get("/cart").get_data(as_text=True)


def test_the_header_shows_the_cart_without_a_query(app, client, shelf):
    rendang, _, _ = shelf
    add(client, rendang.variants[0], 3)
    page = client.get("/login").get_data(as_text=True)
    link = re.search(r'<a class="cart-link" href="/cart".*?</a>', page, re.S).group(0)
    assert plain(link) == "Keranjang ( 3 barang)"
    from gallery.cart.views import inject_cart_count

    with app.test_request_context():
        with count_statements() as statements:
            assert inject_cart_count() == {"cart_count": 0}
    assert statements == []


def test_the_product_page_has_an_add_to_cart_form_only_when_something_can_be_sold(client, make, shelf):
    rendang, _, kosong = shelf
    page = client.get(f"/products/{rendang.slug}").get_data(as_text=True)
    assert 'action="/cart/add"' in page and "Tambah ke keranjang" in page
    assert f'name="variant_id" value="{rendang.variants[0].id}"' in page
    page = client.get(f"/products/{kosong.slug}").get_data(as_text=True)
    assert 'action="/cart/add"' not in page
    assert "Habis" in plain(page)

    mixed = make.product(name="Sulaman", category="anyaman", variants=[("Kecil", 30_000, 100), ("Besar", 60_000, 200)])
    make.stock(mixed.variants[1], 1)
    page = client.get(f"/products/{mixed.slug}").get_data(as_text=True)
    options = re.findall(r'<option value="(\d+)">', page)
    assert options == [str(mixed.variants[1].id)]  # only the variant in stock can be chosen
