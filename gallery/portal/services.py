"""Profile change requests: a producer asks, staff approve (the catalog applies it) or reject with a reason.

Each function is one transaction: it checks everything first and flushes (the calling view commits), or rolls
back and raises DomainError.
"""
from __future__ import annotations

from dataclasses import asdict, fields

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from gallery import clock
from gallery.accounts.models import Role, User
from gallery.catalog.bank_details import clean_account_number, clean_bank_name_field
from gallery.catalog.models import Producer
from gallery.catalog.services import ProducerInput, normalise_whatsapp, update_producer
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.portal.models import REQUESTABLE, ProfileChangeRequest, RequestStatus

MAX_STORY = 5000
LIMITS = {"whatsapp": 20, "bank_name": 80, "bank_account_number": 40, "bank_account_holder": 120}


def _clean(values: dict[str, str | None], producer: Producer) -> dict[str, str]:
    """Only the fields that differ from the producer's current profile, checked and trimmed."""
    changes = {}
    for name in REQUESTABLE:
        value = values.get(name)
        if value is None:
            continue
        value = value.replace("\r\n", "\n").strip()
        if name == "whatsapp":
            value = normalise_whatsapp(value) or ""
        elif name == "story":
            if len(value) > MAX_STORY:
                raise DomainError(_l("Cerita usaha paling banyak %(n)s karakter.", n=MAX_STORY), field="story")
        elif len(value) > LIMITS[name]:
            raise DomainError(_l("Isian ini terlalu panjang."), field=name)
        if name == "bank_account_number":
            value = clean_account_number(value) or ""
        elif name in ("bank_name", "bank_account_holder"):
            value = clean_bank_name_field(value, name) or ""
        if value != (getattr(producer, name) or ""):
            changes[name] = value
    return changes


def request_change(producer: Producer, values: dict[str, str | None], *, user: User, note: str = "") -> ProfileChangeRequest:
    """Record what the producer wants changed; refused when nothing differs or a request is still pending."""
    if user.role != Role.PRODUCER or user.producer_id != producer.id:
        raise DomainError(_l("Hanya produsen ini yang boleh meminta perubahan profilnya."), field="producer")
    changes = _clean(values, producer)
    if not changes:
        raise DomainError(_l("Tidak ada yang berubah dari profil Anda sekarang."), field="story")
    if pending_of(producer.id) is not None:
        raise DomainError(_l("Permintaan Anda sebelumnya masih menunggu persetujuan staf."), field="story")
    request = ProfileChangeRequest(producer_id=producer.id, status=RequestStatus.PENDING, requested_by_id=user.id,
                                   created_at=clock.utcnow(), note=(note or "").strip()[:1000], **changes)
    db.session.add(request)
    db.session.flush()
    return request


def pending_of(producer_id: int) -> ProfileChangeRequest | None:
    return db.session.scalar(select(ProfileChangeRequest).where(
        ProfileChangeRequest.producer_id == producer_id, ProfileChangeRequest.status == RequestStatus.PENDING))


def requests_of(producer_id: int, limit: int = 20) -> list[ProfileChangeRequest]:
    """The producer's requests, newest first (one statement)."""
    return list(db.session.scalars(
        select(ProfileChangeRequest).where(ProfileChangeRequest.producer_id == producer_id)
        .order_by(ProfileChangeRequest.created_at.desc(), ProfileChangeRequest.id.desc()).limit(limit)))


def requests_for_staff(status: str = RequestStatus.PENDING, limit: int = 200) -> list[ProfileChangeRequest]:
    """Requests in one state with their producer, oldest pending first (one statement)."""
    order = ProfileChangeRequest.created_at if status == RequestStatus.PENDING else ProfileChangeRequest.decided_at.desc()
    return list(db.session.scalars(
        select(ProfileChangeRequest).options(joinedload(ProfileChangeRequest.producer),
                                             joinedload(ProfileChangeRequest.decided_by))
        .where(ProfileChangeRequest.status == status).order_by(order, ProfileChangeRequest.id).limit(limit)))


def pending_count() -> int:
    return int(db.session.scalar(select(func.count(ProfileChangeRequest.id))
                                 .where(ProfileChangeRequest.status == RequestStatus.PENDING)) or 0)


def _decidable(request: ProfileChangeRequest, user: User) -> None:
    if user is None or user.role not in Role.BACK_OFFICE:
        raise DomainError(_l("Hanya staf yang boleh memutuskan permintaan ini."), field="user")
    if request.status != RequestStatus.PENDING:
        raise DomainError(_l("Permintaan ini sudah diputuskan."), field="status")


def producer_input(producer: Producer) -> ProducerInput:
    """The producer's profile as the catalog's input, to change some fields and keep the rest."""
    names = {f.name for f in fields(ProducerInput)}
    return ProducerInput(**{name: getattr(producer, name) for name in names})


def approve(request: ProfileChangeRequest, *, user: User) -> ProfileChangeRequest:
    """Apply the requested values through the catalog (checked as staff edits are) and close the request."""
    _decidable(request, user)
    producer = db.session.get(Producer, request.producer_id)
    data = asdict(producer_input(producer))
    data.update(request.changes())
    request.status = RequestStatus.APPROVED
    request.decided_by_id = user.id
    request.decided_at = clock.utcnow()
    try:
        update_producer(producer, ProducerInput(**data))  # flushes; the view commits the decision with the change
    except DomainError:
        db.session.rollback()
        raise
    return request


def reject(request: ProfileChangeRequest, *, user: User, reason: str) -> ProfileChangeRequest:
    """Close the request without changing the profile; the producer sees the reason."""
    _decidable(request, user)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Tulis alasan penolakan."), field="reason")
    request.status = RequestStatus.REJECTED
    request.reason = reason[:1000]
    request.decided_by_id = user.id
    request.decided_at = clock.utcnow()
    db.session.flush()
    return request
