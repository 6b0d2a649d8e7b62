"""Whether this shop holds the demo data: pages of figures say so, so nobody takes sample sales for real ones.

The demo users exist only in a shop loaded by `flask demo load` (gallery.devtools.demo), never in production.
"""
from __future__ import annotations

from sqlalchemy import select

from gallery.extensions import db

DEMO_EMAILS = ("admin@galeri.test", "staf@galeri.test", "produsen@galeri.test", "pembeli@galeri.test")


def sample_data_loaded() -> bool:
    """True when any demo user exists (one statement)."""
    from gallery.accounts.models import User

    return db.session.scalar(select(User.id).where(User.email.in_(DEMO_EMAILS)).limit(1)) is not None
