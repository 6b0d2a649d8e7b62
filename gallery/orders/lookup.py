"""Finding an order again by its number and the e-mail or WhatsApp number it was placed with.

The answer is the same for an unknown number and a wrong contact, and both are compared in constant time,
so the form cannot be used to learn which orders exist; /orders/track also limits tries per address.
"""
from __future__ import annotations

import secrets

from sqlalchemy import select

from gallery.catalog.services import normalise_whatsapp
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.orders.models import Order


def order_by_number(number: str | None) -> Order | None:
    """The order with this number (typed in any case, with stray spaces), or None."""
    text = "".join((number or "").split()).upper()
    if not text or len(text) > 20:
        return None
    return db.session.scalar(select(Order).where(Order.number == text))


def _contact_forms(contact: str) -> tuple[str, str]:
    """The contact as an e-mail (lower case) and as a WhatsApp number (62…), either may be empty."""
    text = (contact or "").strip()
    try:
        whatsapp = normalise_whatsapp(text) or ""
    except DomainError:
        whatsapp = ""
    return text.lower(), whatsapp


def _same(given: str, stored: str | None) -> bool:
    return bool(given) and secrets.compare_digest(given.encode(), (stored or "").encode())


def find_order(number: str, contact: str) -> Order | None:
    """The online order whose number and e-mail or WhatsApp both match, else None (whichever was wrong)."""
    order = order_by_number(number)
    email, whatsapp = _contact_forms(contact)
    stored_email = (order.contact_email or "").lower() if order is not None else "-"
    stored_whatsapp = order.contact_whatsapp if order is not None else "-"
    matches = _same(email, stored_email) | _same(whatsapp, stored_whatsapp)  # both compared, always
    return order if order is not None and matches else None
