"""What a producer sees in its portal (DESIGN.md rule 12 decides *whose* rows; this decides *how much*).

Per producer the gallery chooses (else its settings PORTAL_DETAIL and PORTAL_SHOWS_COMMISSION apply):
* detailed: every sale line, its stock, lots and documents; summary: its balance and statements only
  (statements then show totals per product, not every sale);
* whether the gallery's commission and the shelf price are shown, or only the producer's payout.
Every portal page and export asks `visibility_of` and leaves out what it hides.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g
from flask_babel import lazy_gettext as _l

from gallery import clock
from gallery.accounts.models import User
from gallery.catalog.models import Producer
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.portal.models import PortalDetail, PortalSettings


@dataclass(frozen=True)
class Visibility:
    detailed: bool
    shows_commission: bool
    own: bool = False  # the gallery chose for this producer


def visibility_of(producer_id: int) -> Visibility:
    """The portal settings in force for a producer (one statement, once per request)."""
    cache = g.setdefault("portal_visibility", {})
    if producer_id not in cache:
        cache[producer_id] = _read(producer_id)
    return cache[producer_id]


def _read(producer_id: int) -> Visibility:
    row = db.session.get(PortalSettings, producer_id)
    config = current_app.config
    detail = (row.detail if row and row.detail else None) or config["PORTAL_DETAIL"]
    shows = row.shows_commission if row and row.shows_commission is not None else bool(config["PORTAL_SHOWS_COMMISSION"])
    return Visibility(detail == PortalDetail.DETAILED, shows, own=row is not None)


def own_settings(producer_id: int) -> PortalSettings | None:
    """The producer's own row, to fill the staff form (None: the gallery's settings)."""
    return db.session.get(PortalSettings, producer_id)


def set_visibility(producer: Producer, detail: str | None, shows_commission: bool | None, *,
                   user: User | None) -> Visibility:
    """Choose what one producer sees; None follows the gallery's setting."""
    if detail is not None and detail not in PortalDetail.ALL:
        raise DomainError(_l("Pilih rinci atau ringkas."), field="detail")
    row = db.session.get(PortalSettings, producer.id) or PortalSettings(producer_id=producer.id)
    row.detail, row.shows_commission = detail, shows_commission
    row.updated_at, row.updated_by_id = clock.utcnow(), user.id if user else None
    db.session.add(row)
    db.session.flush()
    g.pop("portal_visibility", None)
    return visibility_of(producer.id)
