"""Sign-up and password reset by e-mail, answering the same whether or not an address is known.

A sign-up writes no account until its owner opens the link mailed to the address (a signed token holding
the name and the password's hash, valid SIGNUP_LINK_HOURS); a known address gets a note instead. The
messages go through the outbox (gallery.notifications); a body with a link is erased once sent. A
reset link is signed, expires after PASSWORD_RESET_MINUTES and is single-use: it names the session
version and password hash it was issued under, and using it moves both on. These functions flush; the
view commits (the outbox sends a message only once that commit is done).
"""
from __future__ import annotations

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from gallery.accounts.models import Role, User
from gallery.accounts.services import change_password, check_new_account_shape, find_user_by_email
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.notifications.compose import Message, to_address

_SIGNUP = "signup"
_RESET = "password-reset"


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def _load(purpose: str, token: str, max_age: int) -> dict:
    try:
        data = _serializer(purpose).loads(token or "", max_age=max_age)
    except SignatureExpired:
        raise DomainError(_l("Tautan ini sudah kedaluwarsa. Silakan minta tautan baru.")) from None
    except BadSignature:
        raise DomainError(_l("Tautan ini tidak valid.")) from None
    if not isinstance(data, dict):
        raise DomainError(_l("Tautan ini tidak valid."))
    return data


def request_signup(name: str, email: str, password: str, phone: str | None = None) -> None:
    """Mail a confirmation link to a new address, or a note to a known one; nothing is stored yet."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Nama wajib diisi."), field="name")
    email = check_new_account_shape(email, password, name=name)
    # Hashed either way, so a known address does not answer faster than a new one.
    probe = User(email=email, name=name)
    probe.set_password(password)
    if find_user_by_email(email) is not None:
        to_address(Message("account_exists", _("Akun Anda di Galeri Oleh-oleh"), "account_exists",
                           {"login_url": _external("accounts.login"),
                            "reset_url": _external("accounts.forgot_password")}), email)
        return
    token = _serializer(_SIGNUP).dumps(
        {"name": name, "email": email, "phone": (phone or "").strip() or None, "hash": probe.password_hash}
    )
    to_address(Message("confirm_signup", _("Konfirmasi pendaftaran akun Anda"), "confirm_signup",
                       {"name": name, "confirm_url": _external("accounts.confirm_signup", token=token),
                        "hours": current_app.config["SIGNUP_LINK_HOURS"]}), email, sensitive=True)


def confirm_signup(token: str) -> User:
    """Create the shopper's account from a valid confirmation link (once; flushes, the caller commits)."""
    data = _load(_SIGNUP, token, current_app.config["SIGNUP_LINK_HOURS"] * 3600)
    if find_user_by_email(str(data.get("email", ""))) is not None:
        raise DomainError(_l("Akun ini sudah aktif. Silakan masuk."))
    user = User(email=data["email"], name=data["name"], phone=data.get("phone"), role=Role.CUSTOMER,
                password_hash=data["hash"])
    db.session.add(user)
    db.session.flush()
    return user


def request_password_reset(email: str) -> None:
    """Mail a reset link when the address belongs to an active account; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    token = _serializer(_RESET).dumps(
        {"user": user.id, "version": user.session_version, "hash": user.password_hash[-16:]}
    )
    to_address(Message("password_reset", _("Atur ulang kata sandi Anda"), "password_reset",
                       {"name": user.name, "reset_url": _external("accounts.reset_password", token=token),
                        "minutes": current_app.config["PASSWORD_RESET_MINUTES"]}), user.email, sensitive=True)


def user_for_reset(token: str) -> User:
    """The user a reset link was issued to, while the link is valid and unused."""
    data = _load(_RESET, token, current_app.config["PASSWORD_RESET_MINUTES"] * 60)
    user = db.session.get(User, int(data.get("user") or 0))
    if (user is None or not user.is_active or user.session_version != data.get("version")
            or user.password_hash[-16:] != data.get("hash")):
        raise DomainError(_l("Tautan ini sudah dipakai atau tidak berlaku lagi. Silakan minta tautan baru."))
    return user


def reset_password(token: str, new_password: str) -> User:
    """Set the new password through a valid reset link and end every session of the user (flushes)."""
    user = user_for_reset(token)
    change_password(user, new_password)
    return user


def _external(endpoint: str, **values) -> str:
    """An absolute link for an e-mail, on the shop's public address."""
    return current_app.config["SHOP_URL"].rstrip("/") + url_for(endpoint, **values)
