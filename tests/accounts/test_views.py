"""Signing in, out and up; each role lands on its home; guarded pages."""
import pytest
from flask import Blueprint
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


def test_register_creates_a_customer_and_signs_them_in(client):
    token = csrf_token(client, "/register")
    response = client.post("/register", data={
        "name": "Rina Marlina", "email": "Rina@Contoh.id", "phone": "0812 3456 7890",
        "password": "rahasia-rina", "confirm": "rahasia-rina", "csrf_token": token,
    })
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "rina@contoh.id"))
    assert user.role == Role.CUSTOMER and user.check_password("rahasia-rina")
    assert "Keluar" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "bukan-email"}, "Alamat email tidak valid"),
        ({"password": "pendek", "confirm": "pendek"}, "Minimal 8 karakter"),
        ({"confirm": "lain-lagi-123"}, "Kata sandi tidak sama"),
        ({"name": ""}, "Nama wajib diisi"),
    ],
)
def test_register_refuses_bad_input_and_writes_nothing(client, fields, message):
    data = {"name": "Rina", "email": "rina@contoh.id", "password": "rahasia-rina", "confirm": "rahasia-rina"}
    data.update(fields)
    data["csrf_token"] = csrf_token(client, "/register")
    response = client.post("/register", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_register_refuses_an_email_already_taken(client, make):
    make.user(email="ada@contoh.id")
    token = csrf_token(client, "/register")
    response = client.post("/register", data={"name": "X", "email": "ADA@contoh.id", "password": "rahasia-123",
                                              "confirm": "rahasia-123", "csrf_token": token})
    assert "sudah terdaftar" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 1


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
