"""Sessions end for real: logout, a password change or deactivation end every session and remember-me
cookie of the user; remember-me lasts 30 days, differs on every login and is renewed when used; the
session is renewed at login; password reset by e-mail is signed, single-use and expiring."""
import re
from datetime import timedelta

import pytest
from flask import current_app

from gallery import clock
from gallery.accounts.models import Role, User
from gallery.accounts.services import change_password, deactivate_user
from gallery.accounts.sessions import REMEMBER_COOKIE
from gallery.extensions import db
from tests.factories import PASSWORD, csrf_token


@pytest.fixture(autouse=True)
def empty_outbox():
    current_app.extensions["mailman"].outbox = []


def outbox() -> list:
    return current_app.extensions["mailman"].outbox


def login(client, user, *, remember=False):
    data = {"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client, "/login")}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302
    return response


def copy_of(app, client, *names):
    """A second browser holding copies of `client`'s cookies."""
    other = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        if cookie is not None:
            other.set_cookie(name, cookie.value)
    return other


def remember_cookie_header(response) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(REMEMBER_COOKIE + "="))


def test_a_copied_session_cookie_stops_working_after_logout(app, client, make):
    # Given staff signed in, and a copy of their session cookie taken meanwhile
    staff = make.user(Role.STAFF)
    login(client, staff)
    thief = copy_of(app, client, "session")
    assert thief.get("/staff").status_code == 200
    # When they log out
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    # Then the copy no longer opens /staff
    assert thief.get("/staff").status_code == 302


def test_remember_me_restores_a_session_for_30_days_and_is_renewed_with_a_new_value(app, client, make):
    staff = make.user(Role.STAFF)
    response = login(client, staff, remember=True)
    header = remember_cookie_header(response)
    assert f"Max-Age={30 * 24 * 3600}" in header and "HttpOnly" in header and "SameSite=Lax" in header
    first = client.get_cookie(REMEMBER_COOKIE).value
    # Given a browser with only the remember-me cookie (the session cookie ended with the browser)
    later = copy_of(app, client, REMEMBER_COOKIE)
    # When it opens /staff, then it is signed in and gets a renewed cookie with a different value
    assert later.get("/staff").status_code == 200
    renewed = later.get_cookie(REMEMBER_COOKIE).value
    assert renewed != first
    assert later.get("/staff").status_code == 200


def test_remember_me_differs_on_every_login(app, make):
    staff = make.user(Role.STAFF)
    values = set()
    for _ in range(2):
        browser = app.test_client()
        login(browser, staff, remember=True)
        values.add(browser.get_cookie(REMEMBER_COOKIE).value)
    assert len(values) == 2


def signed_in_the_past(monkeypatch, seconds: int):
    """Make everything signed from now on look `seconds` old (itsdangerous stamps the signing time)."""
    from itsdangerous import TimestampSigner

    real_time = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real_time(self) - seconds)
    return lambda: monkeypatch.setattr(TimestampSigner, "get_timestamp", real_time)


def test_remember_me_expires_after_30_days(app, client, make, monkeypatch):
    staff = make.user(Role.STAFF)
    back_to_now = signed_in_the_past(monkeypatch, 31 * 24 * 3600)
    login(client, staff, remember=True)
    back_to_now()
    later = copy_of(app, client, REMEMBER_COOKIE)
    assert later.get("/staff").status_code == 302


@pytest.mark.parametrize("ending", ["logout", "password change", "deactivation"])
def test_logout_password_change_and_deactivation_end_every_session_and_remember_me(app, client, make, ending):
    # Given staff signed in on two devices, one of them remembered
    staff = make.user(Role.STAFF)
    login(client, staff)
    phone = app.test_client()
    login(phone, staff, remember=True)
    remembered = copy_of(app, phone, REMEMBER_COOKIE)
    # When the session ends on one of them, the password changes, or the account is deactivated
    if ending == "logout":
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    else:
        user = db.session.get(User, staff.id)
        change_password(user, "sandi-baru-yang-kuat") if ending == "password change" else deactivate_user(user)
        db.session.commit()
    # Then no device and no remember-me cookie opens /staff any more
    for browser in (client, phone, remembered):
        assert browser.get("/staff").status_code == 302


def test_the_session_is_renewed_at_login_keeping_only_the_cart_and_language(client, make):
    staff = make.user(Role.STAFF)
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
        session["lang"] = "en"
    login(client, staff)
    with client.session_transaction() as session:
        assert "planted" not in session and session["lang"] == "en"


# --- password reset ---------------------------------------------------------------------------------


def ask_reset(client, email):
    return client.post("/forgot-password", data={"email": email, "csrf_token": csrf_token(client, "/forgot-password")})


def reset_link() -> str:
    match = re.search(r"https?://[^/\s]+(/reset-password/\S+)", outbox()[-1].body)
    assert match
    return match.group(1)


def choose(client, link, password):
    return client.post(link, data={"password": password, "confirm": password,
                                   "csrf_token": csrf_token(client, link)})


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(client, make):
    make.user(email="ada@contoh.id")
    known = ask_reset(client, "ada@contoh.id").get_data(as_text=True)
    unknown = ask_reset(client, "tidak-ada@contoh.id").get_data(as_text=True)
    assert known.replace("ada@contoh.id", "X") == unknown.replace("tidak-ada@contoh.id", "X")
    assert [m.to for m in outbox()] == [["ada@contoh.id"]]


def test_a_reset_link_sets_the_password_once_and_ends_other_sessions(app, client, make):
    staff = make.user(Role.STAFF)
    signed_in = app.test_client()
    login(signed_in, staff)
    ask_reset(client, staff.email)
    link = reset_link()
    # A weak password is refused and changes nothing
    assert choose(client, link, "password1").status_code == 422
    # A strong one is set, and the other device is signed out
    assert choose(client, link, "sandi-baru-yang-kuat").headers["Location"] == "/login"
    db.session.expire_all()
    assert db.session.get(User, staff.id).check_password("sandi-baru-yang-kuat")
    assert signed_in.get("/staff").status_code == 302
    # The same link cannot be used again
    assert client.get(link).headers["Location"] == "/forgot-password"
    token = csrf_token(client, "/forgot-password")
    response = client.post(link, data={"password": "lagi-sandi-lainnya-99", "confirm": "lagi-sandi-lainnya-99",
                                       "csrf_token": token})
    assert response.headers["Location"] == "/forgot-password"
    db.session.expire_all()
    assert db.session.get(User, staff.id).check_password("sandi-baru-yang-kuat")


def test_a_reset_link_expires(client, make, app, monkeypatch):
    staff = make.user(Role.STAFF)
    back_to_now = signed_in_the_past(monkeypatch, (app.config["PASSWORD_RESET_MINUTES"] + 1) * 60)
    ask_reset(client, staff.email)
    back_to_now()
    link = reset_link()
    response = client.get(link)
    assert response.headers["Location"] == "/forgot-password"
    assert "kedaluwarsa" in client.get("/forgot-password").get_data(as_text=True)


def test_password_reset_requests_are_rate_limited(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "ACCOUNT_EMAIL_RATE_LIMIT", "2 per minute")
    assert [ask_reset(client, "x@contoh.id").status_code for _ in range(3)] == [200, 200, 429]


def test_last_login_is_recorded_in_utc(client, make):
    staff = make.user(Role.STAFF)
    login(client, staff)
    db.session.expire_all()
    assert db.session.get(User, staff.id).last_login_at is not None
    assert clock.utcnow() - db.session.get(User, staff.id).last_login_at < timedelta(days=1)

