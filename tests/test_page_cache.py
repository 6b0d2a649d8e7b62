"""The page cache shares only what is the same for everyone: no visitor's cart, login, CSRF token or CSP nonce
reaches another; repeated requests are answered 304; bad-input notices are never kept."""
from __future__ import annotations

import re

from gallery.accounts.models import Role
from tests.factories import csrf_token
from tests.sqlcount import count_statements

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
NONCE = re.compile(r"'nonce-([^']+)'")


def _product(make):
    product = make.product(make.producer(), name="Songket Balapak Uji", variants=[("Selendang", 750_000, 500)])
    make.stock(product.variants[0], 5)
    return product


def _add_to_cart(client, product, token):
    return client.post("/cart/add", data={"variant_id": str(product.variants[0].id), "quantity": "1",
                                          "csrf_token": token, "next": f"/products/{product.slug}"})


def test_a_cached_page_carries_no_other_visitors_login_cart_token_or_nonce(app, make):
    # Given a customer signed in with a songket in the cart, and an anonymous visitor
    product = _product(make)
    customer_client, anonymous = app.test_client(), app.test_client()
    make.login(customer_client, make.user(Role.CUSTOMER, email="pembeli@uji.test"))
    assert _add_to_cart(customer_client, product, csrf_token(customer_client, f"/products/{product.slug}")).status_code == 303
    path = f"/products/{product.slug}"
    # When both open the product page, the customer first (so the anonymous one is served from the cache)
    mine = customer_client.get(path)
    with count_statements() as statements:
        theirs = anonymous.get(path)
    assert len(statements) == 1  # a cache hit: only the catalogue version was read
    mine_text, theirs_text = mine.get_data(as_text=True), theirs.get_data(as_text=True)
    # Then each sees their own header
    assert "Keluar" in mine_text and 'class="cart-count"' in mine_text
    assert "Keluar" not in theirs_text and 'class="cart-count"' not in theirs_text and "Masuk" in theirs_text
    # And their own CSRF token (never the placeholder) and CSP nonce
    mine_tokens, theirs_tokens = set(TOKEN.findall(mine_text)), set(TOKEN.findall(theirs_text))
    assert mine_tokens and theirs_tokens and not mine_tokens & theirs_tokens
    assert "csrf-token-per-request" not in mine_text + theirs_text
    assert NONCE.search(mine.headers["Content-Security-Policy"]).group(1) != NONCE.search(
        theirs.headers["Content-Security-Policy"]).group(1)
    # And each token works for its own session only
    assert _add_to_cart(anonymous, product, next(iter(mine_tokens))).status_code == 400
    assert _add_to_cart(anonymous, product, next(iter(theirs_tokens))).status_code == 303
    # And a personal page is never marked for shared caches
    assert mine.headers["Cache-Control"] == "private, no-cache"


def test_an_anonymous_listing_may_be_kept_by_a_shared_cache_but_is_revalidated(client, make):
    _product(make)
    response = client.get("/products")
    assert response.headers["Cache-Control"] == "public, no-cache"
    assert "Set-Cookie" not in response.headers


def test_a_repeated_request_is_answered_not_modified_until_the_catalogue_changes(client, make):
    product = _product(make)
    first = client.get("/products")
    etag = first.headers["ETag"]
    # When the same page is asked for again with its ETag
    again = client.get("/products", headers={"If-None-Match": etag})
    # Then nothing is sent, and a shared cache may still keep the page it has
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["Cache-Control"] == "public, no-cache" and again.headers["ETag"] == etag
    # Until the catalogue changes: then the page comes with a new ETag
    make.stock(product.variants[0], 1)
    changed = client.get("/products", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_the_etag_differs_between_an_anonymous_visitor_and_a_signed_in_one(app, make):
    _product(make)
    signed_in, anonymous = app.test_client(), app.test_client()
    make.login(signed_in, make.user(Role.CUSTOMER))
    etag = anonymous.get("/products").headers["ETag"]
    assert signed_in.get("/products", headers={"If-None-Match": etag}).status_code == 200


def test_a_notice_about_bad_input_is_shown_every_time_and_the_page_not_kept(client, make):
    _product(make)
    for _ in range(2):
        text = client.get("/products?min_price=abc").get_data(as_text=True)
        assert "Harga minimum tidak valid dan diabaikan." in text


def test_a_message_flashed_by_an_earlier_request_shows_on_a_cached_page_once(client, make):
    # Given the product page is cached
    product = _product(make)
    path = f"/products/{product.slug}"
    client.get(path)
    # When the shopper adds to the cart (which flashes a message and comes back)
    _add_to_cart(client, product, csrf_token(client, path))
    # Then the cached page shows the message once, and not on the next visit
    assert "masuk keranjang" in client.get(path).get_data(as_text=True)
    assert "masuk keranjang" not in client.get(path).get_data(as_text=True)


def test_flask_cache_clear_empties_the_cache(app, client, make):
    _product(make)
    client.get("/products")
    result = app.test_cli_runner().invoke(args=["cache", "clear"])
    assert result.exit_code == 0 and "cache: cleared" in result.output
    with count_statements() as statements:
        client.get("/products")
    assert len(statements) > 1  # rendered again
