"""Partner inquiries and business-matching events: every rule lives here; services flush, the views commit.

A status change is one append-only InquiryHistory row with who, when and a note. A producer acts
only on an inquiry forwarded to it; anything else is NotFound, exactly like one that does not exist.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from gallery import clock
from gallery.catalog.models import Producer, Product
from gallery.errors import DomainError, NotFound
from gallery.extensions import db
from gallery.notifications.compose import Message, to_address
from gallery.partners.models import (
    EventParticipant,
    InquiryHistory,
    InquiryKind,
    InquiryStatus,
    MatchingEvent,
    Pairing,
    PartnerInquiry,
)


@dataclass
class InquiryInput:
    kind: str
    name: str
    organisation: str
    email: str
    whatsapp: str
    city: str
    message: str
    quantity: int | None = None
    budget: int | None = None
    producer_id: int | None = None
    product_id: int | None = None


def submit_inquiry(data: InquiryInput) -> PartnerInquiry:
    """Save a partner's inquiry as `new`, with its first history row, and queue the partner's confirmation."""
    if data.kind not in InquiryKind.ALL:
        raise DomainError(_("Pilih jenis kerja sama."), field="kind")
    if data.product_id is not None:
        product = db.session.get(Product, data.product_id)
        if product is None or (data.producer_id is not None and product.producer_id != data.producer_id):
            raise DomainError(_("Produk tidak dikenal."), field="message")
        data.producer_id = product.producer_id
    inquiry = PartnerInquiry(
        kind=data.kind, status=InquiryStatus.NEW, name=data.name.strip(), organisation=data.organisation.strip(),
        email=data.email.strip(), whatsapp=data.whatsapp.strip(), city=data.city.strip(),
        message=data.message.strip(), quantity=data.quantity, budget=data.budget,
        producer_id=data.producer_id, product_id=data.product_id, created_at=clock.utcnow(),
    )
    inquiry.history.append(InquiryHistory(from_status=None, to_status=InquiryStatus.NEW, note="",
                                          created_at=clock.utcnow()))
    db.session.add(inquiry)
    db.session.flush()
    to_address(Message("partner_inquiry", _("Pertanyaan kemitraan Anda sudah kami terima"), "partner_inquiry",
                       {"inquiry": inquiry, "producer": inquiry.producer, "product": inquiry.product}), inquiry.email)
    db.session.flush()
    return inquiry


def _change(inquiry: PartnerInquiry, to_status: str, user, note: str = "") -> None:
    if to_status not in InquiryStatus.NEXT.get(inquiry.status, ()):
        raise DomainError(
            _("Status %(old)s tidak bisa diubah menjadi %(new)s.",
              old=inquiry.status_label, new=str(InquiryStatus.LABELS.get(to_status, to_status))),
            field="status",
        )
    inquiry.history.append(InquiryHistory(from_status=inquiry.status, to_status=to_status, note=note.strip(),
                                          user_id=user.id if user else None, created_at=clock.utcnow()))
    inquiry.status = to_status
    if to_status == InquiryStatus.PARTNERSHIP:
        inquiry.partnership_on = clock.today_wib()


def forward_inquiry(inquiry: PartnerInquiry, producer_id: int, user, note: str = "") -> PartnerInquiry:
    """Staff hand a new inquiry to one producer; from then on that producer sees it in the portal."""
    producer = db.session.get(Producer, producer_id)
    if producer is None or not producer.is_active:
        raise DomainError(_("Pilih produsen yang aktif."), field="producer")
    _change(inquiry, InquiryStatus.FORWARDED, user, note)
    inquiry.forwarded_to_id = producer.id
    inquiry.forwarded_at = clock.utcnow()
    db.session.flush()
    return inquiry


def set_status(inquiry: PartnerInquiry, to_status: str, user, note: str = "") -> PartnerInquiry:
    """Staff move an inquiry on (in talks, partnership, closed); forwarding goes through forward_inquiry."""
    if to_status == InquiryStatus.FORWARDED:
        raise DomainError(_("Pilih produsen untuk meneruskan pertanyaan ini."), field="status")
    _change(inquiry, to_status, user, note)
    db.session.flush()
    return inquiry


def add_note(inquiry: PartnerInquiry, user, note: str) -> PartnerInquiry:
    """A note without a status change: still one history row."""
    if not note.strip():
        raise DomainError(_("Tulis catatannya."), field="note")
    inquiry.history.append(InquiryHistory(from_status=inquiry.status, to_status=inquiry.status, note=note.strip(),
                                          user_id=user.id if user else None, created_at=clock.utcnow()))
    db.session.flush()
    return inquiry


def inquiry_for_producer(inquiry_id: int, producer_id: int) -> PartnerInquiry:
    """An inquiry forwarded to this producer, or NotFound."""
    inquiry = db.session.scalar(select(PartnerInquiry).where(
        PartnerInquiry.id == inquiry_id, PartnerInquiry.forwarded_to_id == producer_id))
    if inquiry is None:
        raise NotFound(_("Pertanyaan kemitraan tidak ditemukan."))
    return inquiry


def record_outcome(inquiry_id: int, producer_id: int, to_status: str, user, note: str = "") -> PartnerInquiry:
    """The producer records how the talks went: in talks, a partnership, or closed without one."""
    inquiry = inquiry_for_producer(inquiry_id, producer_id)
    if to_status not in InquiryStatus.OUTCOMES:
        raise DomainError(_("Pilih hasilnya."), field="status")
    _change(inquiry, to_status, user, note)
    db.session.flush()
    return inquiry


# --- Business-matching events ------------------------------------------------------------------


@dataclass
class EventInput:
    title: str
    held_on: date
    place: str
    speakers: str = ""
    invited_partners: str = ""
    description: str = ""


def create_event(data: EventInput, user) -> MatchingEvent:
    if not data.title.strip() or not data.place.strip():
        raise DomainError(_("Nama acara dan tempat wajib diisi."), field="title")
    event = MatchingEvent(title=data.title.strip(), held_on=data.held_on, place=data.place.strip(),
                          speakers=data.speakers.strip(), invited_partners=data.invited_partners.strip(),
                          description=data.description.strip(), created_by_id=user.id if user else None,
                          created_at=clock.utcnow())
    db.session.add(event)
    db.session.flush()
    return event


def _participant(event: MatchingEvent, producer_id: int) -> EventParticipant | None:
    return db.session.scalar(select(EventParticipant).where(
        EventParticipant.event_id == event.id, EventParticipant.producer_id == producer_id))


def add_participant(event: MatchingEvent, producer_id: int, user, *, via_portal: bool = False) -> EventParticipant:
    """Add a producer to an event; adding it twice changes nothing."""
    producer = db.session.get(Producer, producer_id)
    if producer is None or not producer.is_active:
        raise DomainError(_("Pilih produsen yang aktif."), field="producer")
    existing = _participant(event, producer_id)
    if existing is not None:
        return existing
    participant = EventParticipant(event_id=event.id, producer_id=producer_id, via_portal=via_portal,
                                   registered_by_id=user.id if user else None, created_at=clock.utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(participant)
    except IntegrityError:
        # Registered at the same moment from another tab or by staff: the unique pair already holds it
        # (only the savepoint is rolled back; the caller's transaction goes on).
        return _participant(event, producer_id)
    return participant


def register_interest(event_id: int, producer_id: int, user) -> EventParticipant:
    """A producer registers from the portal for an upcoming event."""
    event = db.session.get(MatchingEvent, event_id)
    if event is None or event.held_on < clock.today_wib():
        raise NotFound(_("Acara tidak ditemukan atau sudah lewat."))
    return add_participant(event, producer_id, user, via_portal=True)


def record_pairing(event: MatchingEvent, producer_id: int, partner_name: str, partner_organisation: str,
                   user, note: str = "") -> Pairing:
    """One meeting at the event between a participating producer and a partner."""
    if _participant(event, producer_id) is None:
        raise DomainError(_("Produsen ini belum terdaftar di acara ini."), field="producer")
    if not partner_name.strip():
        raise DomainError(_("Nama mitra wajib diisi."), field="partner_name")
    pairing = Pairing(event_id=event.id, producer_id=producer_id, partner_name=partner_name.strip(),
                      partner_organisation=partner_organisation.strip(), note=note.strip(),
                      recorded_by_id=user.id if user else None, created_at=clock.utcnow())
    db.session.add(pairing)
    db.session.flush()
    return pairing


def mark_partnership(pairing: Pairing, on: date) -> Pairing:
    """The meeting continued into a partnership, from this date."""
    if on < pairing.event.held_on:
        raise DomainError(_("Tanggal kemitraan tidak boleh sebelum tanggal acara."), field="partnership_on")
    pairing.partnership_on = on
    db.session.flush()
    return pairing


# --- The yearly figure -------------------------------------------------------------------------


@dataclass
class YearRow:
    year: int
    events: int = 0
    meetings: int = 0
    partnerships: int = 0
    inquiries: int = 0
    inquiry_partnerships: int = 0

    @property
    def rate_percent(self) -> int | None:
        """Share of the year's meetings that became partnerships, rounded half up."""
        if not self.meetings:
            return None
        return (self.partnerships * 200 + self.meetings) // (self.meetings * 2)


def yearly_report() -> list[YearRow]:
    """Per year of the event: events, meetings (pairings) and those that became partnerships; per year
    of arrival: inquiries and those that became partnerships. Newest year first."""
    rows: dict[int, YearRow] = {}

    def row(year: int) -> YearRow:
        return rows.setdefault(year, YearRow(year))

    for (held_on,) in db.session.execute(select(MatchingEvent.held_on)):
        row(held_on.year).events += 1
    for held_on, partnership_on in db.session.execute(
        select(MatchingEvent.held_on, Pairing.partnership_on).join(Pairing, Pairing.event_id == MatchingEvent.id)
    ):
        row(held_on.year).meetings += 1
        if partnership_on is not None:
            row(held_on.year).partnerships += 1
    for created_at, status in db.session.execute(select(PartnerInquiry.created_at, PartnerInquiry.status)):
        year = clock.to_wib(created_at).year
        row(year).inquiries += 1
        if status == InquiryStatus.PARTNERSHIP:
            row(year).inquiry_partnerships += 1
    return sorted(rows.values(), key=lambda r: r.year, reverse=True)


def inquiry_counts_by_status() -> dict[str, int]:
    """How many inquiries are in each status: one grouped query."""
    return {status: count for status, count in db.session.execute(
        select(PartnerInquiry.status, func.count(PartnerInquiry.id)).group_by(PartnerInquiry.status))}
