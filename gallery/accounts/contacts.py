"""Who to write to about a producer's business: the e-mail addresses of its active accounts."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from gallery.accounts.models import Role, User
from gallery.extensions import db


def producer_emails(producer_ids: Iterable[int]) -> dict[int, list[str]]:
    """The e-mail addresses of each producer's active accounts, oldest account first (one statement)."""
    found: dict[int, list[str]] = {}
    for producer_id, email in db.session.execute(
            select(User.producer_id, User.email).where(
                User.producer_id.in_(list(producer_ids)), User.role == Role.PRODUCER,
                User.is_active_account.is_(True)).order_by(User.id)):
        found.setdefault(producer_id, []).append(email)
    return found
