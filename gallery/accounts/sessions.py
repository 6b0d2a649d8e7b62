"""Sessions that really end: each user has a session version carried by every session and remember-me
cookie; logging out, changing the password or deactivating the account moves it on, which ends every
session and remember-me cookie of that user at once. Remember-me lasts REMEMBER_ME_DAYS and is
re-issued with a new value each time it restores a session."""
from __future__ import annotations

import secrets

from flask import Flask, current_app, g, session
from flask_login import login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import lazyload

from gallery.accounts.models import User
from gallery.extensions import db, login_manager

REMEMBER_COOKIE = "gallery_remember"
# What a guest had in the session survives signing in (their cart and language); nothing else does.
KEPT_ACROSS_LOGIN = ("cart", "lang")


def session_token(user: User) -> str:
    """The value Flask-Login keeps in the session: the user id and their current session version."""
    return f"{user.id}:{user.session_version}"


def user_for_token(token: str) -> User | None:
    """The active user a session token names, or None when the token is malformed or outdated."""
    user_id, _, version = (token or "").partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    # The producer is read only where it is used: joined in here, SQLite materialised the join of every
    # producer with its kecamatan on each request of a signed-in user (5 ms at 4,000 producers).
    user = db.session.get(User, int(user_id), options=[lazyload(User.producer)])
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="remember-me")


def _max_age() -> int:
    return current_app.config["REMEMBER_ME_DAYS"] * 24 * 3600


def start_session(user: User, *, remember: bool = False) -> None:
    """Sign `user` in on a fresh session (a planted or older session's contents do not carry over)."""
    kept = {key: session[key] for key in KEPT_ACROSS_LOGIN if key in session}
    session.clear()
    session.update(kept)
    login_user(user)
    if remember:
        g.remember_user = user


def end_all_sessions(user: User) -> None:
    """Invalidate every session and remember-me cookie of `user` (flushes; the caller commits)."""
    user.session_version = (user.session_version or 0) + 1
    db.session.flush()


def end_session(user: User | None) -> None:
    """Sign out here and everywhere: the user's session version moves on (flushed; the view commits), the
    cookies are cleared."""
    if user is not None and user.is_authenticated:
        end_all_sessions(user)
    logout_user()
    session.clear()
    g.forget_remembered = True


def _restore_from_cookie(req) -> User | None:
    """Flask-Login's request loader: sign in from a valid remember-me cookie, then renew the cookie."""
    raw = req.cookies.get(REMEMBER_COOKIE)
    if not raw:
        return None
    try:
        token = _serializer().loads(raw, max_age=_max_age())
    except BadSignature:
        g.forget_remembered = True
        return None
    user = user_for_token(str(token.get("session", ""))) if isinstance(token, dict) else None
    if user is None:
        g.forget_remembered = True
        return None
    login_user(user, fresh=False)
    g.remember_user = user
    return user


def _write_remember_cookie(response):
    config = current_app.config
    user = g.pop("remember_user", None)
    if g.pop("forget_remembered", False) and user is None:
        response.delete_cookie(REMEMBER_COOKIE, httponly=True, samesite="Lax",
                               secure=config["SESSION_COOKIE_SECURE"])
    elif user is not None:
        # A new random part each time, so the value differs on every login and every renewal.
        value = _serializer().dumps({"session": session_token(user), "n": secrets.token_urlsafe(8)})
        response.set_cookie(REMEMBER_COOKIE, value, max_age=_max_age(), httponly=True, samesite="Lax",
                            secure=config["SESSION_COOKIE_SECURE"], path="/")
    return response


def init_app(app: Flask) -> None:
    """Load users from session tokens and remember-me cookies, and write the cookie after each request."""
    login_manager.user_loader(user_for_token)
    login_manager.request_loader(_restore_from_cookie)
    app.after_request(_write_remember_cookie)
