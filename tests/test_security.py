"""Hardening the whole shop: security headers and cookie flags, control characters and out-of-range ids
refused with a clear answer (never a 500, on PostgreSQL too), rate limits that survive Redis being down,
and /healthz reporting each dependency without hanging on a silent database."""
import socket
import threading

import pytest
from sqlalchemy import func, select

from config import ProductionConfig, TestingConfig
from gallery import create_app
from gallery.accounts.models import Role, User
from gallery.extensions import db, limiter
from gallery.partners.models import PartnerInquiry
from tests.conftest import IsolatedClient
from tests.factories import PASSWORD, csrf_token
from tests.partners.conftest import GOOD, post_inquiry
from tests.test_migrations import scratch  # noqa: F401  (fixture: empty databases of the suite's kind)

CONTROL = "a\x00b"


def test_every_page_carries_the_security_headers(client, make):
    # Given a product page, and staff signed in for /staff
    product = make.product(name="Rendang Daging Uji")
    make.login(client, make.user(Role.STAFF))
    for path in ("/", f"/products/{product.slug}", "/login", "/staff"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert "'unsafe-inline'" not in csp and "style-src 'self'" in csp, path
        assert "script-src 'self' 'nonce-" in csp, path
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "camera=()" in headers["Permissions-Policy"]
        assert "Strict-Transport-Security" not in headers  # only in production, behind TLS
        assert len(headers["X-Request-ID"]) >= 8


def test_the_nonce_changes_with_every_response(client):
    first = client.get("/").headers["Content-Security-Policy"]
    assert first != client.get("/").headers["Content-Security-Policy"]


def test_no_template_carries_inline_styles_or_scripts():
    from pathlib import Path
    import re

    offending = []
    for template in Path("templates").rglob("*.html"):
        text = template.read_text()
        if re.search(r"<style|\sstyle=|\son[a-z]+=\"|<script(?![^>]*\ssrc=)", text):
            offending.append(str(template))
    assert offending == []


def test_production_sends_hsts_and_secure_cookies(monkeypatch, make):
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("DATABASE_URL", TestingConfig.SQLALCHEMY_DATABASE_URI)
    app = create_app(ProductionConfig)
    app.test_client_class = IsolatedClient
    client = app.test_client()
    user = make.user(Role.STAFF)
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token,
                                           "remember": "y"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in c and "HttpOnly" in c and "SameSite=Lax" in c for c in cookies), cookies


def test_session_cookies_are_httponly_and_samesite_lax(client, make):
    user = make.user(Role.STAFF)
    response = make.login(client, user)
    session_cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie


# --- control characters (psycopg refuses NUL: these answered 500 on PostgreSQL) ----------------------


@pytest.mark.parametrize("query", [
    "/products?category=a%00b", "/products?kecamatan=13%00", "/products?producer=x%00y", "/products?q=kopi%00",
    "/producers?kecamatan=a%00b", "/products/rendang%00x", "/api/shipping/quote?destination=31%0071",
])
def test_a_control_character_in_the_query_or_path_gets_a_clear_400(client, query):
    response = client.get(query)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "karakter kontrol" in body


@pytest.mark.parametrize("path", ["/staff/producers?q=a%00b", "/staff/orders?q=a%00b", "/staff/counter?q=a%00b"])
def test_the_staff_search_boxes_refuse_control_characters(client, make, path):
    make.login(client, make.user(Role.STAFF))
    response = client.get(path)
    assert response.status_code == 400 and "karakter kontrol" in response.get_data(as_text=True)


@pytest.mark.parametrize("field", ["name", "organisation", "city", "product", "message"])
def test_a_control_character_in_the_partner_inquiry_is_refused_and_nothing_is_written(client, field):
    response = post_inquiry(client, "/partners/inquire", **{field: GOOD.get(field, "Rendang") + "\x00"})
    assert response.status_code == 400
    assert "karakter kontrol" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PartnerInquiry.id))) == 0


def test_line_breaks_and_tabs_are_not_control_characters_to_refuse(client):
    response = post_inquiry(client, "/partners/inquire", message="Baris satu\r\nBaris dua\tdengan tab, cukup panjang.")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(PartnerInquiry.id))) == 1


# --- integers out of range ----------------------------------------------------------------------------


def test_a_huge_producer_id_when_generating_statements_is_treated_as_none(client, make):
    admin = make.user(Role.ADMIN)
    make.login(client, admin)
    token = csrf_token(client, "/staff/settlements/")
    response = client.post("/staff/settlements/generate",
                           data={"producer_id": "9" * 20, "period": "2026-10", "csrf_token": token})
    assert response.status_code == 302


@pytest.mark.parametrize("path", ["/staff/lots/99999999999999999999", "/staff/producers/4294967296",
                                  "/staff/partners/0", "/staff/classifications?edit=99999999999999999999"])
def test_ids_beyond_the_integer_range_are_not_found_rather_than_errors(client, make, path):
    make.login(client, make.user(Role.STAFF))
    assert client.get(path).status_code in (200, 404)


# --- Redis down ---------------------------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def app_with_dead_redis(app):
    class DeadRedis(TestingConfig):
        REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
        RATELIMIT_STORAGE_URI = REDIS_URL
        LOGIN_RATE_LIMIT = "3 per minute"

    dead = create_app(DeadRedis)
    dead.test_client_class = IsolatedClient
    yield dead
    # The limiter is one object bound to the last app built: give it back to the suite's (memory) app.
    limiter.init_app(app)


def test_login_works_with_redis_unreachable_and_limits_fall_back_to_memory(app_with_dead_redis, make):
    client = app_with_dead_redis.test_client()
    user = make.user(Role.STAFF)
    assert make.login(client, user).status_code == 302
    assert client.get("/staff").status_code == 200
    # The limit still holds, counted in memory: 3 attempts a minute from this address, the 4th is refused
    other = app_with_dead_redis.test_client()
    statuses = [make.login(other, user, password="salah-sandi-lagi").status_code for _ in range(3)]
    assert statuses == [422, 422, 429]


def test_healthz_reports_redis_down_but_stays_200(app_with_dead_redis):
    response = app_with_dead_redis.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "down"}


def test_healthz_says_503_quickly_when_the_database_accepts_connections_but_never_answers():
    # Given a "database" that accepts TCP connections and then says nothing
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    threading.Thread(target=accept, daemon=True).start()

    class Silent(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"postgresql+psycopg://nobody@127.0.0.1:{listener.getsockname()[1]}/none"
        SQLALCHEMY_ENGINE_OPTIONS = {"connect_args": {"connect_timeout": 30}}
        HEALTH_CHECK_TIMEOUT = 0.5

    try:
        # When /healthz is asked twice (the first check is still stuck on the socket)
        client = create_app(Silent).test_client()
        first, second = client.get("/healthz"), client.get("/healthz")
    finally:
        stop.set()
        listener.close()
        for connection in accepted:
            connection.close()
    # Then both answer 503 with the database down instead of hanging with the worker
    assert (first.status_code, second.status_code) == (503, 503)
    assert first.get_json() == {"status": "unavailable", "database": "down"}
    assert accepted, "the check never reached the silent server"


def test_postgresql_connections_carry_connect_and_statement_timeouts():
    from config import database_engine_options

    options = database_engine_options("postgresql+psycopg://x@h/db", connect_timeout=5, statement_timeout_ms=20000)
    assert options["connect_args"] == {"connect_timeout": 5, "options": "-c statement_timeout=20000"}
    assert "connect_args" not in database_engine_options("sqlite:///x", connect_timeout=5, statement_timeout_ms=1)


@pytest.mark.requires_postgres(reason="statement_timeout is a PostgreSQL setting; SQLite has no server to time out")
def test_statements_are_cut_off_by_the_statement_timeout_on_postgresql():
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    assert db.session.execute(text("SHOW statement_timeout")).scalar_one() == "20s"
    with pytest.raises(OperationalError, match="statement timeout"):
        db.session.execute(text("SET LOCAL statement_timeout = 50; SELECT pg_sleep(2)"))
    db.session.rollback()


def test_no_user_was_written_by_refused_requests(client):
    client.post("/register", data={"name": "X\x00", "email": "x@contoh.id", "password": "rahasia-rina",
                                   "confirm": "rahasia-rina", "csrf_token": csrf_token(client, "/register")})
    assert db.session.scalar(select(func.count(User.id))) == 0


# --- static files ----------------------------------------------------------------------------------


def test_static_files_have_content_hashed_names_cached_for_a_year(client):
    page = client.get("/login").get_data(as_text=True)
    import re

    name = re.search(r'href="(/static/css/shop\.[0-9a-f]{10}\.css)"', page)
    assert name, "the stylesheet link carries no content hash"
    response = client.get(name.group(1))
    assert response.status_code == 200 and b".site-footer" in response.data
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    response.close()
    # An old hash, or the plain name, still works but is not cached for long
    for path in ("/static/css/shop.0000000000.css", "/static/css/shop.css"):
        old = client.get(path)
        assert old.status_code == 200 and "max-age=300" in old.headers["Cache-Control"]
        old.close()
    assert client.get("/static/../config.py").status_code == 404


def test_static_files_and_images_do_not_vary_by_cookie_so_shared_caches_keep_one_copy(client, make):
    # Given a visitor with a session cookie (signed in)
    make.login(client, make.user())
    import re

    name = re.search(r'href="(/static/css/shop\.[0-9a-f]{10}\.css)"', client.get("/products").get_data(as_text=True))
    response = client.get(name.group(1))
    assert "Cookie" not in response.headers.get("Vary", "") and "Set-Cookie" not in response.headers
    response.close()
    # While pages, which show the visitor's header, still do
    assert "Cookie" in client.get("/products").headers["Vary"]


def test_html_is_compressed_for_browsers_that_accept_it(client):
    response = client.get("/login", headers={"Accept-Encoding": "br, gzip"})
    assert response.headers["Content-Encoding"] in ("br", "gzip")


def test_a_cart_id_beyond_the_integer_range_is_refused_like_any_unknown_id(client):
    # psycopg binds it cast to INTEGER: PostgreSQL refused it with an error page
    token = csrf_token(client, "/login")
    response = client.post("/cart/add", data={"variant_id": "999999999999", "quantity": "1", "csrf_token": token})
    assert response.status_code == 303
    assert client.get("/cart").status_code == 200


@pytest.mark.parametrize(("raw", "parsed"), [("7", 7), (" 42 ", 42), ("2147483647", 2**31 - 1), ("2147483648", None),
                                             ("0", None), ("-1", None), ("1e3", None), ("٣", None), ("", None),
                                             (None, None)])
def test_ids_from_forms_and_query_strings_are_whole_numbers_within_integer(raw, parsed):
    from gallery.inputs import parse_id

    assert parse_id(raw) == parsed


# --- the database disappears while the shop is serving -----------------------------------------------


def test_a_database_dropped_while_serving_gives_a_clean_error_page_and_healthz_503(scratch):
    from flask_migrate import upgrade

    from tests.test_migrations import app_on

    url = scratch.new()
    shop = app_on(url)
    shop.config["PROPAGATE_EXCEPTIONS"] = False  # serve the error page as production does
    with shop.app_context():
        upgrade()
    client = shop.test_client()
    assert client.get("/").status_code == 200
    # When the database goes away under the running shop
    if scratch.postgresql:
        scratch.drop_all()
    else:
        from pathlib import Path

        with shop.app_context():
            db.engine.dispose()
        Path(url[len("sqlite:///"):]).unlink()
    # Then pages answer with the shop's own error page, never a traceback
    page = client.get("/")
    html = page.get_data(as_text=True)
    assert page.status_code == 500
    assert "Terjadi kesalahan" in html and page.headers["X-Request-ID"] in html
    assert "Traceback" not in html and "sqlalchemy" not in html.lower() and "psycopg" not in html.lower()
    # and on PostgreSQL the health check says the database is down (a new SQLite file is an empty database)
    if scratch.postgresql:
        assert client.get("/healthz").status_code == 503
    with shop.app_context():
        db.engine.dispose()
