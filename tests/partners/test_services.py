"""The inquiry rules without HTTP: transitions, append-only history, producer scoping."""
import pytest

from gallery.errors import DomainError, NotFound
from gallery.partners import services
from gallery.partners.models import InquiryStatus


def inquiry(partners, **changes):
    data = dict(kind="collaboration", name="Budi Mitra", organisation="", email="budi@contoh.id",
                whatsapp="081234567890", city="Padang", message="Ingin kolaborasi desain kemasan.",
                producer_id=partners.me.id)
    data.update(changes)
    return services.submit_inquiry(services.InquiryInput(**data))


def test_transitions_and_history(partners):
    row = inquiry(partners)
    with pytest.raises(DomainError):
        services.set_status(row, InquiryStatus.PARTNERSHIP, partners.staff)  # must be forwarded first
    services.forward_inquiry(row, partners.other.id, partners.staff, "ke produsen lain")
    services.add_note(row, partners.staff, "sudah ditelepon")
    services.set_status(row, InquiryStatus.IN_TALKS, partners.staff)
    services.set_status(row, InquiryStatus.CLOSED, partners.staff, "harga tidak cocok")
    with pytest.raises(DomainError):
        services.set_status(row, InquiryStatus.IN_TALKS, partners.staff)  # closed is final
    assert [(h.from_status, h.to_status) for h in row.history] == [
        (None, "new"), ("new", "forwarded"), ("forwarded", "forwarded"), ("forwarded", "in_talks"),
        ("in_talks", "closed")]
    assert row.partnership_on is None


def test_producer_acts_only_on_inquiries_forwarded_to_it(partners):
    row = inquiry(partners)
    with pytest.raises(NotFound):
        services.record_outcome(row.id, partners.me.id, InquiryStatus.IN_TALKS, partners.me_user)
    services.forward_inquiry(row, partners.me.id, partners.staff)
    with pytest.raises(NotFound):
        services.record_outcome(row.id, partners.other.id, InquiryStatus.PARTNERSHIP, partners.other_user)
    with pytest.raises(DomainError):
        services.record_outcome(row.id, partners.me.id, InquiryStatus.NEW, partners.me_user)
    services.record_outcome(row.id, partners.me.id, InquiryStatus.PARTNERSHIP, partners.me_user)
    assert row.status == InquiryStatus.PARTNERSHIP and row.partnership_on is not None


def test_product_of_another_producer_is_refused(partners, make):
    foreign = make.product(partners.other, category="songket")
    with pytest.raises(DomainError):
        inquiry(partners, product_id=foreign.id)
