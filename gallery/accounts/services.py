"""Account rules: sign-in, creating back-office and producer accounts, changing passwords and
deactivating accounts (each of which ends the user's sessions). Sign-up and password reset by e-mail
live in accounts.email_flows."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from gallery import clock
from gallery.accounts.models import Role, User
from gallery.accounts.passwords import check_password_strength
from gallery.accounts.sessions import end_all_sessions
from gallery.catalog.models import Producer
from gallery.errors import DomainError
from gallery.extensions import db

# Compared against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")

HOME_ENDPOINTS = {
    Role.CUSTOMER: "catalog.home",
    Role.PRODUCER: "portal.dashboard",
    Role.STAFF: "staff.dashboard",
    Role.ADMIN: "staff.dashboard",
}


def normalise_email(email: str) -> str:
    """Emails are compared case-insensitively and stored lower-case."""
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    """Return the user with this email (any case), or None."""
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def authenticate(email: str, password: str) -> User:
    """Return the active user with these credentials or raise one vague DomainError."""
    user = find_user_by_email(email)
    if user is None:
        User(password_hash=_DUMMY_HASH).check_password(password or "")
        raise DomainError(_l("Email atau kata sandi salah."))
    if not user.check_password(password or "") or not user.is_active:
        raise DomainError(_l("Email atau kata sandi salah."))
    user.last_login_at = clock.utcnow()
    db.session.flush()
    return user


def check_new_account_shape(email: str, password: str, *, name: str | None = None) -> str:
    """Return the normalised email when it looks valid and the password is strong enough."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise DomainError(_l("Alamat email tidak valid."), field="email")
    check_password_strength(password, user_inputs=(email, name or ""))
    return email


def _check_new_account(email: str, password: str, *, name: str | None = None) -> str:
    # Only staff and the command line create accounts this way, so saying the address is taken leaks
    # nothing; the public sign-up answers the same for known and unknown addresses (email_flows).
    email = check_new_account_shape(email, password, name=name)
    if find_user_by_email(email) is not None:
        raise DomainError(_l("Email ini sudah terdaftar."), field="email")
    return email


def change_password(user: User, new_password: str) -> None:
    """Set a new password and end every session and remember-me cookie of the user (flushes)."""
    check_password_strength(new_password, user_inputs=(user.email, user.name))
    user.set_password(new_password)
    end_all_sessions(user)


def deactivate_user(user: User) -> None:
    """Refuse further sign-ins and end every session of the user at once (flushes)."""
    user.is_active_account = False
    end_all_sessions(user)


def create_user(
    email: str,
    role: str,
    password: str,
    *,
    name: str | None = None,
    producer_slug: str | None = None,
) -> User:
    """Create an account of any role; a producer account must name its producer by slug (flushes)."""
    if role not in Role.ALL:
        raise DomainError(_l("Peran tidak dikenal: %(role)s", role=role), field="role")
    email = _check_new_account(email, password, name=name)
    producer = None
    if role == Role.PRODUCER:
        if not producer_slug:
            raise DomainError(_l("Akun produsen harus terhubung ke satu produsen (--producer)."), field="producer")
        producer = db.session.scalar(select(Producer).where(Producer.slug == producer_slug))
        if producer is None:
            raise DomainError(_l("Produsen %(slug)s tidak ditemukan.", slug=producer_slug), field="producer")
    elif producer_slug:
        raise DomainError(_l("Hanya akun produsen yang terhubung ke produsen."), field="producer")
    user = User(
        email=email,
        name=(name or email.split("@")[0]).strip(),
        role=role,
        producer_id=producer.id if producer else None,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def home_endpoint(user: User) -> str:
    """The endpoint each role lands on after signing in."""
    return HOME_ENDPOINTS.get(user.role, "catalog.home")

