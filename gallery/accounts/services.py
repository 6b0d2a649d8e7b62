"""Account rules: sign-up, sign-in and creating back-office and producer accounts."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from gallery import clock
from gallery.accounts.models import Role, User
from gallery.catalog.models import Producer
from gallery.errors import DomainError
from gallery.extensions import db

MIN_PASSWORD_LENGTH = 8
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
    db.session.commit()
    return user


def _check_new_account(email: str, password: str) -> str:
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise DomainError(_l("Alamat email tidak valid."), field="email")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise DomainError(
            _l("Kata sandi minimal %(n)s karakter.", n=MIN_PASSWORD_LENGTH), field="password"
        )
    if find_user_by_email(email) is not None:
        raise DomainError(_l("Email ini sudah terdaftar. Silakan masuk."), field="email")
    return email


def register_customer(name: str, email: str, password: str, phone: str | None = None) -> User:
    """Create a shopper's account; the email must be new."""
    email = _check_new_account(email, password)
    if not (name or "").strip():
        raise DomainError(_l("Nama wajib diisi."), field="name")
    user = User(email=email, name=name.strip(), phone=(phone or "").strip() or None, role=Role.CUSTOMER)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def create_user(
    email: str,
    role: str,
    password: str,
    *,
    name: str | None = None,
    producer_slug: str | None = None,
    commit: bool = True,
) -> User:
    """Create an account of any role; a producer account must name its producer by slug."""
    if role not in Role.ALL:
        raise DomainError(_l("Peran tidak dikenal: %(role)s", role=role), field="role")
    email = _check_new_account(email, password)
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
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return user


def home_endpoint(user: User) -> str:
    """The endpoint each role lands on after signing in."""
    return HOME_ENDPOINTS.get(user.role, "catalog.home")

