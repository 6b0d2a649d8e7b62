"""Signing in, out and up; each role lands on its home; guarded pages."""
import re

import pytest
from flask import Blueprint, current_app
from sqlalchemy import func, select

from gallery.accounts.decorators import role_required
from gallery.accounts.models import Role, User
from gallery.extensions import db
from tests.factories import PASSWORD, csrf_token


@pytest.mark.parametrize(
    ("role", "home"),
    [(Role.CUSTOMER, "/"), (Role.PRODUCER, "/portal"), (Role.STAFF, "/staff"), (Role.ADMIN, "/staff")],
)
def test_each_role_lands_on_its_home_after_login(client, make, role, home):
    producer = make.producer() if role == Role.PRODUCER else None
    user = make.user(role, producer=producer)
    response = make.login(client, user)
    assert response.status_code == 302
    assert response.headers["Location"] == home
    assert client.get(home).status_code == 200


def test_login_accepts_the_email_in_any_case(client, make):
    make.user(email="siti@uji.test")
    response = make.login(client, "SITI@Uji.test")
    assert response.status_code == 302


def test_wrong_password_is_refused_with_a_message_and_no_session(client, make):
    user = make.user()
    response = make.login(client, user, password="salah-sandi")
    assert response.status_code == 422
    assert "Email atau kata sandi salah" in response.get_data(as_text=True)
    assert client.get("/staff").status_code == 302  # still anonymous


def test_unknown_email_gets_the_same_message_as_a_wrong_password(client, make):
    response = make.login(client, "tidak.ada@uji.test")
    assert "Email atau kata sandi salah" in response.get_data(as_text=True)


def test_inactive_account_cannot_sign_in(client, make):
    user = make.user()
    user.is_active_account = False
    db.session.commit()
    assert make.login(client, user).status_code == 422


def test_login_follows_a_local_next_but_never_another_site(client, make):
    user = make.user(Role.STAFF)
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token,
                                           "next": "/products?q=kopi"})
    assert response.headers["Location"] == "/products?q=kopi"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        token = csrf_token(client, "/login")
        response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token,
                                               "next": evil})
        assert response.headers["Location"] == "/staff"
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def test_logout_needs_a_post_and_ends_the_session(client, make):
    user = make.user(Role.STAFF)
    make.login(client, user)
    assert client.get("/logout").status_code == 405
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert client.get("/staff").status_code == 302


@pytest.fixture(autouse=True)
def empty_outbox():
    current_app.extensions["mailman"].outbox = []


def outbox() -> list:
    return current_app.extensions["mailman"].outbox


def link_in(message, path: str) -> str:
    match = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"[^\s]+)", message.body)
    assert match, message.body
    return match.group(1)


def register(client, **fields):
    data = {"name": "Rina Marlina", "email": "Rina@Contoh.id", "phone": "0812 3456 7890",
            "password": "rahasia-rina", "confirm": "rahasia-rina"}
    data.update(fields)
    data["csrf_token"] = csrf_token(client, "/register")
    return client.post("/register", data=data)


def test_register_creates_the_account_only_when_the_emailed_link_is_opened(client):
    # Given a sign-up
    response = register(client)
    # Then nothing is written yet and a confirmation link went to the address
    assert response.status_code == 200
    assert "Periksa email Anda" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 0
    assert [m.to for m in outbox()] == [["rina@contoh.id"]]
    # When the link is opened, then the customer account exists and can sign in
    response = client.get(link_in(outbox()[0], "/register/confirm/"))
    assert response.headers["Location"] == "/login"
    user = db.session.scalar(select(User).where(User.email == "rina@contoh.id"))
    assert user.role == Role.CUSTOMER and user.check_password("rahasia-rina") and user.name == "Rina Marlina"
    assert client.post("/login", data={"email": "rina@contoh.id", "password": "rahasia-rina",
                                       "csrf_token": csrf_token(client, "/login")}).status_code == 302
    # and the link does not make a second account
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    client.get(link_in(outbox()[0], "/register/confirm/"))
    assert db.session.scalar(select(func.count(User.id))) == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "bukan-email"}, "Alamat email tidak valid"),
        ({"password": "pendek", "confirm": "pendek"}, "Minimal 10 karakter"),
        ({"password": "1234567890", "confirm": "1234567890"}, "terlalu mudah ditebak"),
        ({"password": "password123", "confirm": "password123"}, "terlalu mudah ditebak"),
        ({"password": "qwertyuiop", "confirm": "qwertyuiop"}, "terlalu mudah ditebak"),
        ({"confirm": "lain-lagi-123"}, "Kata sandi tidak sama"),
        ({"name": ""}, "Nama wajib diisi"),
    ],
)
def test_register_refuses_bad_input_and_writes_nothing(client, fields, message):
    response = register(client, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 0
    assert outbox() == []


def test_register_answers_the_same_for_a_known_address_and_mails_its_owner(client, make):
    # Given an address that already has an account
    make.user(email="ada@contoh.id")
    # When someone signs up with it (in any case) and with a new one
    known = register(client, email="ADA@contoh.id").get_data(as_text=True)
    unknown = register(client, email="baru@contoh.id").get_data(as_text=True)
    # Then both pages say the same thing but for the address, and no account was created or changed
    assert known.replace("ada@contoh.id", "X") == unknown.replace("baru@contoh.id", "X")
    assert "sudah terdaftar" not in known
    assert db.session.scalar(select(func.count(User.id))) == 1
    # and the owner of the known address learns of the attempt instead of getting a sign-up link
    to_owner = next(m for m in outbox() if m.to == ["ada@contoh.id"])
    assert "/register/confirm/" not in to_owner.body and "/forgot-password" in to_owner.body


def test_register_is_rate_limited_like_login(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "ACCOUNT_EMAIL_RATE_LIMIT", "2 per minute")
    statuses = [register(client, email=f"orang{n}@contoh.id").status_code for n in range(3)]
    assert statuses == [200, 200, 429]


@pytest.mark.parametrize(("role", "status"), [(Role.CUSTOMER, 403), (Role.PRODUCER, 403), (Role.STAFF, 200),
                                              (Role.ADMIN, 200)])
def test_staff_pages_admit_only_staff_and_admin(client, make, role, status):
    user = make.user(role, producer=make.producer() if role == Role.PRODUCER else None)
    make.login(client, user)
    assert client.get("/staff").status_code == status


@pytest.mark.parametrize(("role", "status"), [(Role.CUSTOMER, 403), (Role.STAFF, 403), (Role.ADMIN, 403),
                                              (Role.PRODUCER, 200)])
def test_portal_admits_only_producers(client, make, role, status):
    user = make.user(role, producer=make.producer() if role == Role.PRODUCER else None)
    make.login(client, user)
    assert client.get("/portal").status_code == status


def test_anonymous_users_are_sent_to_login(client):
    for path in ("/staff", "/portal"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


def test_role_required_guards_a_single_view(make):
    from config import TestingConfig
    from gallery import create_app
    from tests.conftest import IsolatedClient

    app = create_app(TestingConfig)
    app.test_client_class = IsolatedClient
    bp = Blueprint("guarded_test", __name__)

    @bp.route("/only-admins")
    @role_required(Role.ADMIN)
    def only_admins():
        return "ok"

    app.register_blueprint(bp)
    client = app.test_client()
    assert client.get("/only-admins").status_code == 302
    make.login(client, make.user(Role.STAFF))
    assert client.get("/only-admins").status_code == 403
    other = app.test_client()
    make.login(other, make.user(Role.ADMIN))
    assert other.get("/only-admins").get_data(as_text=True) == "ok"
