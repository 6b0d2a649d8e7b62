"""Partner inquiries: the Done-when flow, spam defences, validation and access control."""
import re

from sqlalchemy import func, select

from gallery import clock
from gallery.accounts.models import Role
from gallery.extensions import db
from gallery.partners.models import InquiryHistory, InquiryStatus, PartnerInquiry
from tests.factories import csrf_token
from tests.partners.conftest import GOOD, outbox, post_inquiry


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(PartnerInquiry))


def assert_inquiry_form_on(page: str) -> None:
    assert 'class="inquiry-box"' in page and 'action="/partners/inquire"' in page, "no inquiry form on the page"


def test_partner_inquiry_from_producer_page_to_partnership(app, make, partners):
    # A partner finds the producer's page and sends the inquiry form folded into it.
    partner = app.test_client()
    page = partner.get(f"/producers/{partners.me.slug}").get_data(as_text=True)
    assert_inquiry_form_on(page)
    sent_before = len(outbox())
    response = post_inquiry(partner, f"/producers/{partners.me.slug}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/partners/inquire/sent")
    assert "Terima kasih" in partner.get(response.headers["Location"]).get_data(as_text=True)
    inquiry = db.session.scalar(select(PartnerInquiry))
    assert inquiry.producer_id == partners.me.id and inquiry.status == InquiryStatus.NEW
    assert inquiry.quantity == 200 and inquiry.forwarded_to_id is None
    mail = outbox()[sent_before:]
    assert len(mail) == 1 and mail[0].to == [GOOD["email"]] and GOOD["message"] in mail[0].body

    # Before it is forwarded, the producer sees nothing of it.
    mine = app.test_client()
    make.login(mine, partners.me_user)
    assert GOOD["email"] not in mine.get("/portal/partners").get_data(as_text=True)
    assert mine.get(f"/portal/partners/{inquiry.id}").status_code == 404

    # Staff find it in the inbox (filtered) and forward it to the producer.
    staff = app.test_client()
    make.login(staff, partners.staff)
    inbox = staff.get(f"/staff/partners?status=new&kind=reseller&producer={partners.me.id}").get_data(as_text=True)
    assert GOOD["name"] in inbox
    assert GOOD["name"] not in staff.get("/staff/partners?status=forwarded").get_data(as_text=True)
    assert GOOD["name"] not in staff.get("/staff/partners?kind=investment").get_data(as_text=True)
    token = csrf_token(staff, f"/staff/partners/{inquiry.id}")
    response = staff.post(f"/staff/partners/{inquiry.id}/forward",
                          data={"csrf_token": token, "producer": partners.me.id, "note": "Cocok untuk rendang"})
    assert response.status_code == 302

    # The producer sees it with the partner's contact details and records a partnership.
    listing = mine.get("/portal/partners").get_data(as_text=True)
    assert GOOD["name"] in listing
    detail = mine.get(f"/portal/partners/{inquiry.id}").get_data(as_text=True)
    for secret in (GOOD["email"], GOOD["whatsapp"], GOOD["organisation"], GOOD["city"]):
        assert secret in detail
    token = csrf_token(mine, f"/portal/partners/{inquiry.id}")
    response = mine.post(f"/portal/partners/{inquiry.id}",
                         data={"csrf_token": token, "status": "partnership", "note": "Kontrak 6 bulan"})
    assert response.status_code == 302
    db.session.expire_all()
    inquiry = db.session.get(PartnerInquiry, inquiry.id)
    assert inquiry.status == InquiryStatus.PARTNERSHIP and inquiry.partnership_on is not None
    history = [(h.from_status, h.to_status, h.user_id) for h in inquiry.history]
    assert history == [(None, "new", None), ("new", "forwarded", partners.staff.id),
                       ("forwarded", "partnership", partners.me_user.id)]
    assert "Kontrak 6 bulan" in staff.get(f"/staff/partners/{inquiry.id}").get_data(as_text=True)
    report = staff.get("/staff/partners/report").get_data(as_text=True)
    year = clock.to_wib(inquiry.created_at).year
    row = re.search(rf'<tr data-year="{year}">(.*?)</tr>', report, re.S).group(1)
    assert 'data-figure="inquiries">1<' in row and 'data-figure="inquiry_partnerships">1<' in row

    # Another producer sees none of it, and its URL is a 404 there.
    other = app.test_client()
    make.login(other, partners.other_user)
    page = other.get("/portal/partners").get_data(as_text=True)
    for secret in (GOOD["name"], GOOD["email"], GOOD["whatsapp"]):
        assert secret not in page
    assert other.get(f"/portal/partners/{inquiry.id}").status_code == 404
    token = csrf_token(other, "/portal/partners/events")
    assert other.post(f"/portal/partners/{inquiry.id}",
                      data={"csrf_token": token, "status": "closed"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(PartnerInquiry, inquiry.id).status == InquiryStatus.PARTNERSHIP


def test_product_page_carries_the_form_with_product_and_producer(app, partners):
    client = app.test_client()
    assert_inquiry_form_on(client.get(f"/products/{partners.product.slug}").get_data(as_text=True))
    assert post_inquiry(client, f"/products/{partners.product.slug}", kind="custom").status_code == 302
    inquiry = db.session.scalar(select(PartnerInquiry))
    assert (inquiry.producer_id, inquiry.product_id, inquiry.kind) == (partners.me.id, partners.product.id, "custom")


def test_honeypot_pretends_success_and_writes_nothing(app, partners):
    client = app.test_client()
    sent_before = len(outbox())
    response = post_inquiry(client, "/partners/inquire", website="http://spam.example")
    assert response.status_code == 302 and response.headers["Location"].endswith("/partners/inquire/sent")
    assert count() == 0 and len(outbox()) == sent_before


def test_bad_input_is_422_with_messages_and_writes_nothing(app, partners):
    client = app.test_client()
    response = post_inquiry(client, "/partners/inquire", email="bukan-email", whatsapp="abc", message="",
                            kind="lainnya", budget="1,5 juta")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for message in ("Alamat email tidak valid.", "Nomor WhatsApp tidak valid", "Tulis pesan Anda.",
                    "Tulis bilangan bulat"):
        assert message in page
    assert "Pilih jenis kerja sama." in page and "Not a valid" not in page
    assert post_inquiry(client, "/partners/inquire", csrf_token="palsu").status_code in (400, 422)
    assert count() == 0 and db.session.scalar(select(func.count()).select_from(InquiryHistory)) == 0


def test_budget_accepts_thousands_dots(app, partners):
    client = app.test_client()
    assert post_inquiry(client, "/partners/inquire", kind="investment", budget="150.000.000").status_code == 302
    assert db.session.scalar(select(PartnerInquiry.budget)) == 150_000_000


def test_sixth_post_in_an_hour_from_one_address_is_refused(app, partners):
    client = app.test_client()
    for n in range(5):
        assert post_inquiry(client, "/partners/inquire", name=f"Mitra {n}").status_code == 302
    assert post_inquiry(client, "/partners/inquire", name="Mitra 6").status_code == 429
    assert count() == 5
    # GETs are not limited.
    assert client.get("/partners/inquire").status_code == 200


def test_staff_pages_are_for_back_office_only(app, make, partners):
    paths = ("/staff/partners", "/staff/partners/events", "/staff/partners/report")
    anonymous = app.test_client()
    for path in paths:
        response = anonymous.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    for user in (make.user(Role.CUSTOMER), partners.me_user):
        client = app.test_client()
        make.login(client, user)
        for path in paths:
            assert client.get(path).status_code == 403, (user.role, path)
    for role in (Role.STAFF, Role.ADMIN):
        client = app.test_client()
        make.login(client, make.user(role))
        for path in paths:
            assert client.get(path).status_code == 200, (role, path)


def test_portal_pages_are_for_producers_only(app, make, partners):
    paths = ("/portal/partners", "/portal/partners/events")
    anonymous = app.test_client()
    for path in paths:
        response = anonymous.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    for role in (Role.CUSTOMER, Role.STAFF, Role.ADMIN):
        client = app.test_client()
        make.login(client, make.user(role))
        for path in paths:
            assert client.get(path).status_code == 403, (role, path)


def test_public_pages_render(app, partners):
    client = app.test_client()
    assert "Bermitra" in client.get("/partners").get_data(as_text=True)
    assert client.get("/partners/inquire?producer=tidak-ada").status_code == 200


def test_inbox_and_portal_list_do_not_grow_queries_with_rows(app, make, partners):
    from gallery.partners import services
    from tests.sqlcount import count_statements

    def add(n: int) -> None:
        for i in range(n):
            row = services.submit_inquiry(services.InquiryInput(
                kind="reseller", name=f"Mitra {i}", organisation="", email=f"m{i}@contoh.id",
                whatsapp="081234567890", city="Padang", message="Pesan uji yang cukup panjang.",
                producer_id=partners.me.id))
            db.session.commit()
            services.forward_inquiry(row, partners.me.id, partners.staff)
            db.session.commit()

    staff = app.test_client()
    make.login(staff, partners.staff)
    mine = app.test_client()
    make.login(mine, partners.me_user)
    add(2)
    with count_statements() as few_staff:
        assert staff.get("/staff/partners").status_code == 200
    with count_statements() as few_portal:
        assert mine.get("/portal/partners").status_code == 200
    add(8)
    with count_statements() as many_staff:
        assert staff.get("/staff/partners").status_code == 200
    with count_statements() as many_portal:
        assert mine.get("/portal/partners").status_code == 200
    assert len(many_staff) == len(few_staff) and len(many_portal) == len(few_portal)


def test_inbox_pages_through_every_inquiry_keeping_its_filters(app, make, partners, monkeypatch):
    from gallery.partners import services, staff_views

    monkeypatch.setattr(staff_views, "PER_PAGE", 3)
    for i in range(7):
        services.submit_inquiry(services.InquiryInput(
            kind="custom" if i % 2 else "reseller", name=f"Mitra Halaman {i}", organisation="",
            email=f"h{i}@contoh.id", whatsapp="081234567890", city="Padang",
            message="Pesan uji yang cukup panjang.", producer_id=partners.me.id))
        db.session.commit()
    staff = app.test_client()
    make.login(staff, partners.staff)
    seen = []
    for page in (1, 2, 3):
        html = staff.get(f"/staff/partners?page={page}").get_data(as_text=True)
        seen += re.findall(r"Mitra Halaman (\d)", html)
    assert sorted(seen) == [str(i) for i in range(7)]  # each once, newest first across pages
    assert seen == sorted(seen, reverse=True)
    first = staff.get("/staff/partners?kind=reseller").get_data(as_text=True)
    assert "/staff/partners?kind=reseller&amp;page=2" in first and "Halaman 1 dari 2" in first
    # A page past the end shows the last page instead of an error.
    assert "Mitra Halaman 0" in staff.get("/staff/partners?page=99").get_data(as_text=True)
