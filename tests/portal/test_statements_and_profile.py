"""Statements read from the settlements domain, and profile change requests decided by staff."""
from datetime import date

from sqlalchemy import select

from gallery.accounts.models import Role
from gallery.extensions import db
from gallery.portal import services
from gallery.portal.models import ProfileChangeRequest, RequestStatus
from gallery.settlements import queries as settlement_queries
from gallery.settlements.models import Statement
from gallery.settlements.periods import Period
from gallery.settlements.statements import approve, generate, mark_paid
from tests.settlements.conftest import proof_png
from tests.factories import csrf_token


def _statements(world, make):
    admin = make.user(Role.ADMIN)
    result = generate(Period.month(2026, 11), user=admin)
    db.session.commit()
    assert result.created
    mine = db.session.scalar(select(Statement).where(Statement.producer_id == world.me.id))
    theirs = db.session.scalar(select(Statement).where(Statement.producer_id == world.other.id))
    return admin, mine, theirs


def test_statements_show_approved_and_paid_ones_with_downloads_and_hide_drafts(portal, make, world):
    admin, mine, theirs = _statements(world, make)
    # A draft is not shown yet.
    assert mine.number not in portal.get("/portal/statements").get_data(as_text=True)
    assert portal.get(f"/portal/statements/{mine.number}").status_code == 404
    approve(mine, user=admin)
    db.session.commit()
    approve(theirs, user=admin)
    db.session.commit()
    mark_paid(mine, date(2026, 11, 16), "TRF-001", user=admin, proof=proof_png())
    db.session.commit()
    body = portal.get("/portal/statements").get_data(as_text=True)
    assert mine.number in body and theirs.number not in body
    amount = "Rp\u00a0" + f"{mine.amount_due:,}".replace(",", ".")
    assert amount in body
    detail = portal.get(f"/portal/statements/{mine.number}")
    assert detail.status_code == 200 and "Rendang Lokan Uji" in detail.get_data(as_text=True)
    csv_file = portal.get(f"/portal/statements/{mine.number}.csv")
    assert csv_file.status_code == 200 and csv_file.get_data().startswith("\ufeff".encode())
    assert portal.get(f"/portal/statements/{mine.number}.pdf").mimetype == "application/pdf"
    # The other producer's statement, in every form, does not exist for me.
    for suffix in ("", ".csv", ".pdf"):
        assert portal.get(f"/portal/statements/{theirs.number}{suffix}").status_code == 404
    # The dashboard's last payout and earnings due agree with the settlements domain.
    dashboard = portal.get("/portal").get_data(as_text=True)
    assert f"<strong>{amount}</strong><span>setoran terakhir" in dashboard
    due = settlement_queries.earnings_due(world.me.id)
    assert f"<strong>{'Rp' + chr(0xa0) + f'{due:,}'.replace(',', '.')}</strong><span>belum dibayarkan" in dashboard


def test_a_profile_request_waits_for_staff_who_approve_it_through_the_catalog(app, portal, make, world):
    page = portal.get("/portal/profile").get_data(as_text=True)
    assert f'href="/producers/{world.me.slug}"' in page
    token = csrf_token(portal, "/portal/profile")
    response = portal.post("/portal/profile", data={
        "csrf_token": token, "story": "Rendang lokan dari Painan sejak 1998.", "whatsapp": "0812 3333 4444",
        "bank_name": "Bank Nagari", "bank_account_number": "1234567890", "bank_account_holder": "Uni Painan",
    })
    assert response.status_code == 302
    request = db.session.scalar(select(ProfileChangeRequest))
    assert request.status == RequestStatus.PENDING and request.whatsapp == "6281233334444"
    db.session.refresh(world.me)
    assert world.me.story != "Rendang lokan dari Painan sejak 1998."  # nothing changes before approval
    # A second request while one is pending is refused with a message.
    again = portal.post("/portal/profile", data={"csrf_token": token, "story": "lain"})
    assert again.status_code == 422 and "masih menunggu" in again.get_data(as_text=True)
    # The producer cannot reach the staff screen; staff can.
    assert portal.get("/staff/profile-requests").status_code == 403
    staff = app.test_client()
    make.login(staff, make.user(Role.STAFF))
    listing = staff.get("/staff/profile-requests").get_data(as_text=True)
    assert "Bank Nagari" in listing and world.me.business_name in listing
    token = csrf_token(staff, "/staff/profile-requests")
    assert staff.post(f"/staff/profile-requests/{request.id}/approve", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    producer = db.session.get(type(world.me), world.me.id)
    assert (producer.story, producer.whatsapp, producer.bank_name, producer.bank_account_number,
            producer.bank_account_holder) == ("Rendang lokan dari Painan sejak 1998.", "6281233334444",
                                              "Bank Nagari", "1234567890", "Uni Painan")
    assert db.session.get(ProfileChangeRequest, request.id).status == RequestStatus.APPROVED
    assert "disetujui" in portal.get("/portal/profile").get_data(as_text=True)


def test_staff_reject_with_a_reason_and_the_profile_stays(app, portal, make, world):
    request = services.request_change(world.me, {"bank_account_number": "99912345"}, user=world.me_user)
    db.session.commit()
    staff = app.test_client()
    make.login(staff, make.user(Role.STAFF))
    token = csrf_token(staff, "/staff/profile-requests")
    refused = staff.post(f"/staff/profile-requests/{request.id}/reject", data={"csrf_token": token})
    assert refused.status_code == 422 and "Tulis alasan" in refused.get_data(as_text=True)
    response = staff.post(f"/staff/profile-requests/{request.id}/reject",
                          data={"csrf_token": token, f"r{request.id}-reason": "Nama pemilik rekening tidak cocok."})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(world.me), world.me.id).bank_account_number != "99912345"
    assert "Nama pemilik rekening tidak cocok." in portal.get("/portal/profile").get_data(as_text=True)


def test_bad_profile_input_gets_a_message_and_writes_nothing(portal, world):
    token = csrf_token(portal, "/portal/profile")
    response = portal.post("/portal/profile", data={"csrf_token": token, "whatsapp": "12345",
                                                    "story": world.me.story})
    assert response.status_code == 422 and "WhatsApp tidak valid" in response.get_data(as_text=True)
    assert db.session.scalar(select(ProfileChangeRequest)) is None
    unchanged = portal.post("/portal/profile", data={
        "csrf_token": token, "story": world.me.story, "whatsapp": world.me.whatsapp or "",
        "bank_name": world.me.bank_name or "", "bank_account_number": world.me.bank_account_number or "",
        "bank_account_holder": world.me.bank_account_holder or ""})
    assert unchanged.status_code == 422 and "Tidak ada yang berubah" in unchanged.get_data(as_text=True)
