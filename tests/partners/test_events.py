"""Business-matching events: created by staff, producers register from the portal, pairings recorded,
and the yearly "meetings → partnerships" figure on the report."""
import re
from collections import Counter
from datetime import date, datetime

from sqlalchemy import select

from gallery import clock
from gallery.extensions import db
from gallery.partners import services
from gallery.partners.models import EventParticipant, MatchingEvent, Pairing
from tests.factories import csrf_token


def figure(page: str, year: int, name: str) -> int:
    row = re.search(rf'<tr data-year="{year}">(.*?)</tr>', page, re.S)
    assert row, f"no row for {year}"
    return int(re.search(rf'data-figure="{name}">(\d+)<', row.group(1)).group(1))


def test_event_registration_pairings_and_yearly_figure(app, make, partners):
    clock.freeze(datetime(2026, 3, 2, 3, 0, tzinfo=clock.WIB))
    staff = app.test_client()
    make.login(staff, partners.staff)

    # Staff create an event through the form; the public page lists it.
    token = csrf_token(staff, "/staff/partners/events")
    response = staff.post("/staff/partners/events", data={
        "csrf_token": token, "title": "Temu Bisnis IKM 2026", "held_on": "2026-04-15", "place": "Aula Bupati, Painan",
        "speakers": "Ibu Rina (Asosiasi Pengusaha)", "invited_partners": "Toko Oleh-oleh Christine Hakim"})
    assert response.status_code == 302
    event = db.session.scalar(select(MatchingEvent))
    assert "Temu Bisnis IKM 2026" in app.test_client().get("/partners").get_data(as_text=True)
    bad = staff.post("/staff/partners/events", data={"csrf_token": token, "title": "", "held_on": "x", "place": ""})
    assert bad.status_code == 422 and db.session.scalar(select(MatchingEvent.id).where(MatchingEvent.id != event.id)) is None

    # Both producers register from the portal (twice changes nothing).
    for user in (partners.me_user, partners.other_user):
        client = app.test_client()
        make.login(client, user)
        assert "Temu Bisnis IKM 2026" in client.get("/portal/partners/events").get_data(as_text=True)
        token = csrf_token(client, "/portal/partners/events")
        for _ in range(2):
            assert client.post(f"/portal/partners/events/{event.id}/register",
                               data={"csrf_token": token}).status_code == 302
        assert "Anda sudah terdaftar" in client.get("/portal/partners/events").get_data(as_text=True)
    participants = db.session.scalars(select(EventParticipant.producer_id)).all()
    assert sorted(participants) == sorted([partners.me.id, partners.other.id])

    # After the event staff record pairings and mark which continued.
    clock.freeze(datetime(2026, 5, 1, 3, 0, tzinfo=clock.WIB))
    token = csrf_token(staff, f"/staff/partners/events/{event.id}")
    for producer, partner in ((partners.me, "Dewi"), (partners.me, "Andi"), (partners.other, "Rudi")):
        response = staff.post(f"/staff/partners/events/{event.id}/pairings", data={
            "csrf_token": token, "producer": producer.id, "partner_name": partner, "partner_organisation": "CV Uji"})
        assert response.status_code == 302
    pairings = db.session.scalars(select(Pairing).order_by(Pairing.id)).all()
    response = staff.post(f"/staff/partners/pairings/{pairings[0].id}/partnership",
                          data={"csrf_token": token, "partnership_on": "2026-04-30"})
    assert response.status_code == 302
    # A date before the event is refused and changes nothing.
    response = staff.post(f"/staff/partners/pairings/{pairings[1].id}/partnership",
                          data={"csrf_token": token, "partnership_on": "2026-01-01"})
    assert response.status_code == 422

    # A second, earlier year, through the services.
    old = services.create_event(services.EventInput("Temu Bisnis 2025", date(2025, 9, 9), "Painan"), partners.staff)
    db.session.commit()
    services.add_participant(old, partners.other.id, partners.staff)
    db.session.commit()
    for n in range(4):
        pairing = services.record_pairing(old, partners.other.id, f"Mitra {n}", "", partners.staff)
        db.session.commit()
        if n % 2:
            services.mark_partnership(pairing, date(2025, 10, 1))
            db.session.commit()

    # The report's figures match the pairings counted independently here.
    db.session.expire_all()
    events, meetings, continued = Counter(), Counter(), Counter()
    for row in db.session.scalars(select(MatchingEvent)):
        events[row.held_on.year] += 1
        for pairing in row.pairings:
            meetings[row.held_on.year] += 1
            continued[row.held_on.year] += pairing.partnership_on is not None
    assert (meetings[2026], continued[2026], meetings[2025], continued[2025]) == (3, 1, 4, 2)
    page = staff.get("/staff/partners/report").get_data(as_text=True)
    for year in (2025, 2026):
        assert figure(page, year, "events") == events[year]
        assert figure(page, year, "meetings") == meetings[year]
        assert figure(page, year, "partnerships") == continued[year]


def test_past_events_cannot_be_registered_for(app, make, partners):
    clock.freeze(datetime(2026, 6, 1, 3, 0, tzinfo=clock.WIB))
    past = services.create_event(services.EventInput("Lewat", date(2026, 5, 1), "Painan"), partners.staff)
    db.session.commit()
    client = app.test_client()
    make.login(client, partners.me_user)
    token = csrf_token(client, "/portal/partners/events")
    assert client.post(f"/portal/partners/events/{past.id}/register", data={"csrf_token": token}).status_code == 404
    assert db.session.scalar(select(EventParticipant)) is None


def test_pairing_needs_a_participating_producer(app, make, partners):
    event = services.create_event(services.EventInput("Acara", date(2030, 1, 1), "Painan"), partners.staff)
    db.session.commit()
    staff = app.test_client()
    make.login(staff, partners.staff)
    token = csrf_token(staff, f"/staff/partners/events/{event.id}")
    response = staff.post(f"/staff/partners/events/{event.id}/pairings",
                          data={"csrf_token": token, "producer": partners.me.id, "partner_name": "X"})
    assert response.status_code == 422 and db.session.scalar(select(Pairing)) is None


def test_registering_twice_at_the_same_moment_keeps_one_participant(app, partners, monkeypatch):
    event = services.create_event(services.EventInput("Acara", date(2030, 1, 1), "Painan"), partners.staff)
    db.session.commit()
    services.add_participant(event, partners.me.id, partners.staff)
    db.session.commit()
    # The second registration checked before the first had committed: only the unique pair stops it.
    real = services._participant
    calls = []

    def not_yet(event_, producer_id):
        calls.append(producer_id)
        return None if len(calls) == 1 else real(event_, producer_id)

    monkeypatch.setattr(services, "_participant", not_yet)
    again = services.register_interest(event.id, partners.me.id, partners.me_user)
    db.session.commit()
    assert again is not None and again.producer_id == partners.me.id and len(calls) == 2
    assert len(db.session.scalars(select(EventParticipant)).all()) == 1
