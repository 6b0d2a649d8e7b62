"""How each producer wants to be told about its sales, stock and statements: e-mail, WhatsApp, or both.

A producer chooses in the portal; at least one channel stays on, and WhatsApp needs the producer's
WhatsApp number on its profile (changed through staff, gallery.portal.services).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from gallery import clock
from gallery.accounts.models import User
from gallery.catalog.models import Producer
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.notifications.compose import channels_of
from gallery.notifications.models import ProducerChannels


def producer_channels(producer_id: int) -> ProducerChannels:
    """The producer's choice (e-mail only when it never chose)."""
    return channels_of([producer_id])[producer_id]


def set_producer_channels(producer: Producer, *, by_email: bool, by_whatsapp: bool, user: User) -> ProducerChannels:
    """Record where the producer is told (flushes; the portal view commits)."""
    if not (by_email or by_whatsapp):
        raise DomainError(_l("Pilih minimal satu: surel atau WhatsApp."), field="by_email")
    if by_whatsapp and not producer.whatsapp:
        raise DomainError(_l("Isi nomor WhatsApp usaha Anda di profil dulu (lewat permintaan perubahan)."),
                          field="by_whatsapp")
    row = db.session.get(ProducerChannels, producer.id)
    if row is None:
        row = ProducerChannels(producer_id=producer.id)
        db.session.add(row)
    row.by_email, row.by_whatsapp = bool(by_email), bool(by_whatsapp)
    row.updated_at, row.updated_by_id = clock.utcnow(), user.id
    db.session.flush()
    return row
