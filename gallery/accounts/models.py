"""Users and their roles."""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from gallery.dbtypes import UTCDateTime, now_utc
from gallery.extensions import db


class Role:
    """The four roles; a producer account belongs to exactly one producer."""

    CUSTOMER = "customer"
    PRODUCER = "producer"
    STAFF = "staff"
    ADMIN = "admin"
    ALL = (CUSTOMER, PRODUCER, STAFF, ADMIN)
    BACK_OFFICE = (STAFF, ADMIN)
    LABELS = {
        CUSTOMER: _l("pembeli"),
        PRODUCER: _l("produsen"),
        STAFF: _l("staf"),
        ADMIN: _l("admin"),
    }

    @classmethod
    def label(cls, role: str) -> str:
        """The role's name in the user's language."""
        return str(cls.LABELS.get(role, role))


class User(UserMixin, db.Model):
    """Anyone who signs in: shopper, producer, gallery staff or admin."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('customer', 'producer', 'staff', 'admin')", name="role_known"),
        CheckConstraint(
            "(role = 'producer' AND producer_id IS NOT NULL) OR (role <> 'producer' AND producer_id IS NULL)",
            name="producer_link_matches_role",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.CUSTOMER)
    producer_id: Mapped[int | None] = mapped_column(ForeignKey("producers.id"), index=True)
    is_active_account: Mapped[bool] = mapped_column("is_active", Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Moved on by logout, a password change or deactivation: every older session and remember-me
    # cookie of the user stops working (gallery.accounts.sessions).
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    producer = relationship("Producer", lazy="joined")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return bool(self.is_active_account)

    def set_password(self, password: str) -> None:
        """Store a salted hash of `password` (werkzeug's scrypt)."""
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])

    def check_password(self, password: str) -> bool:
        """Tell whether `password` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """What Flask-Login keeps in the session: the id with the session version (see accounts.sessions)."""
        return f"{self.id}:{self.session_version or 0}"

    def has_role(self, *roles: str) -> bool:
        """Tell whether the user holds one of `roles`."""
        return self.role in roles

    @property
    def is_back_office(self) -> bool:
        return self.role in Role.BACK_OFFICE

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
