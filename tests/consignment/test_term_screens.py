"""Staff screens: the expiring list and its bulk actions, a producer's terms and portal settings, markdowns."""
import re
from datetime import date, datetime

import pytest
from sqlalchemy import select

from gallery import clock
from gallery.accounts.models import Role
from gallery.consignment.markdown_models import Markdown
from gallery.consignment.models import Lot, ProducerReturn
from gallery.consignment.term_models import ConsignmentTerms, LotTermChange
from gallery.extensions import db
from gallery.portal.models import PortalSettings
from tests.factories import csrf_token
from tests.sqlcount import count_statements


def at(day: date) -> None:
    clock.freeze(datetime(day.year, day.month, day.day, 9, 0, tzinfo=clock.WIB))


@pytest.fixture
def desk(app, make):
    at(date(2026, 8, 1))
    staff = make.user(Role.STAFF)
    producer = make.producer("Tenun Layar", commission_bp=2000)
    variant = make.product(producer, category="songket", variants=[("Merah", 300_000, 400)]).variants[0]
    lots = [make.stock(variant, 2) for _ in range(3)]
    client = app.test_client()
    make.login(client, staff)
    return type("Desk", (), dict(staff=staff, producer=producer, variant=variant, lots=lots, client=client))


def test_the_expiring_list_acts_on_the_ticked_lots(desk):
    at(date(2026, 10, 25))  # the terms end on 30 October
    page = desk.client.get("/staff/consignment/expiring").get_data(as_text=True)
    assert page.count('name="lot"') == 3 and "Tenun Layar" in page
    token = csrf_token(desk.client, "/staff/consignment/expiring")
    first, second, third = (lot.id for lot in desk.lots)
    refused = desk.client.post("/staff/consignment/expiring", data={
        "csrf_token": token, "action": "extend", "days": "30", "reason": "", "lot": [first]})
    assert refused.status_code == 422 and db.session.scalar(select(LotTermChange.id)) is None
    extended = desk.client.post("/staff/consignment/expiring", data={
        "csrf_token": token, "action": "extend", "days": "30", "reason": "Pameran Desember", "lot": [first]})
    assert extended.status_code == 302
    returned = desk.client.post("/staff/consignment/expiring", data={
        "csrf_token": token, "action": "return", "lot": [second]})
    assert returned.status_code == 302
    db.session.expire_all()
    document = db.session.scalar(select(ProducerReturn))
    assert document.number.startswith("RT-") and db.session.get(Lot, second).on_hand == 0
    page = desk.client.get("/staff/consignment/expiring").get_data(as_text=True)
    assert page.count('name="lot"') == 1 and f'value="{third}"' in page


def test_the_expiring_list_runs_a_fixed_number_of_statements(desk, make):
    at(date(2026, 10, 25))
    with count_statements() as statements:
        desk.client.get("/staff/consignment/expiring")
    few = len(statements)
    at(date(2026, 8, 1))
    for _ in range(8):
        make.stock(desk.variant, 1)
    at(date(2026, 10, 25))
    with count_statements() as statements:
        assert desk.client.get("/staff/consignment/expiring").status_code == 200
    assert len(statements) == few


def test_staff_set_a_producers_terms_and_what_it_sees(desk):
    path = f"/staff/consignment/producers/{desk.producer.id}/terms"
    token = csrf_token(desk.client, path)
    refused = desk.client.post(path, data={"csrf_token": token, "end_action": "donate", "term_days": "60"})
    assert refused.status_code == 422 and db.session.get(ConsignmentTerms, desk.producer.id) is None
    saved = desk.client.post(path, data={"csrf_token": token, "term_days": "60", "grace_days": "7", "end_action": "",
                                         "markdown_consent_on": "2026-07-30"})
    assert saved.status_code == 302
    terms = db.session.get(ConsignmentTerms, desk.producer.id)
    assert (terms.term_days, terms.grace_days, terms.markdown_consent_on) == (60, 7, date(2026, 7, 30))
    shown = desk.client.post(path, data={"portal-csrf_token": token, "portal-detail": "summary",
                                         "portal-shows_commission": "0"})
    assert shown.status_code == 302
    settings = db.session.get(PortalSettings, desk.producer.id)
    assert (settings.detail, settings.shows_commission) == ("summary", False)
    assert "ringkas" in desk.client.get(path).get_data(as_text=True)


def test_staff_put_a_variant_on_sale_and_write_an_ageing_rule(desk, make):
    at(date(2026, 11, 2))
    path = f"/staff/markdowns/sales/new?variant={desk.variant.id}"
    token = csrf_token(desk.client, path)
    too_deep = desk.client.post(path, data={"csrf_token": token, "name": "Obral", "discount": "30",
                                            "bearer": "gallery", "ends_on": "2026-11-30"})
    assert too_deep.status_code == 422 and "20 %" in too_deep.get_data(as_text=True)
    assert desk.client.post(path, data={"csrf_token": token, "name": "Obral akhir tahun", "discount": "10",
                                        "bearer": "gallery", "ends_on": "2026-11-30"}).status_code == 302
    rule = desk.client.post("/staff/markdowns/rules/new", data={
        "csrf_token": token, "name": "Songket lama", "category_id": str(make.category("songket").id),
        "step1_days": "60", "step1_discount": "10", "step2_days": "90", "step2_discount": "25",
        "bearer": "shared", "producer_share": "50"})
    assert rule.status_code == 302
    listed = desk.client.get("/staff/markdowns").get_data(as_text=True)
    assert "Obral akhir tahun" in listed and "Songket lama" in listed and "ditanggung bersama" in listed
    sale = db.session.scalar(select(Markdown).where(Markdown.kind == "sale"))
    assert desk.client.post(f"/staff/markdowns/{sale.id}/stop", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Markdown, sale.id).stopped_at is not None
    assert re.search(r"dihentikan", desk.client.get("/staff/markdowns?ended=1").get_data(as_text=True))


def test_an_ageing_rule_names_its_producer_by_typing_the_business_name(desk, make):
    # Given two producers whose names share a word, and no select of every producer on the form
    make.producer("Tenun Layar Baru")
    form = desk.client.get("/staff/markdowns/rules/new").get_data(as_text=True)
    assert 'name="producer_name"' in form and "<select" in form and 'name="producer_id"' not in form
    token = csrf_token(desk.client, "/staff/markdowns/rules/new")
    rule = {"csrf_token": token, "name": "Songket lama", "step1_days": "60", "step1_discount": "10",
            "bearer": "gallery"}
    # When staff type a name that matches nobody, or both, then nothing is saved and the form says why
    for typed, message in (("Anyaman", "Tidak ada produsen bernama"), ("Tenun", "Lebih dari satu produsen cocok")):
        refused = desk.client.post("/staff/markdowns/rules/new", data={**rule, "producer_name": typed})
        assert refused.status_code == 422 and message in refused.get_data(as_text=True)
    assert db.session.scalar(select(Markdown.id)) is None
    # When the name matches one producer, then the rule is that producer's
    assert desk.client.post("/staff/markdowns/rules/new",
                            data={**rule, "producer_name": "Tenun Layar Baru"}).status_code == 302
    saved = db.session.scalar(select(Markdown))
    assert saved.producer_id != desk.producer.id and saved.producer.business_name == "Tenun Layar Baru"
    # and a name typed in full is that producer, though a longer name contains it
    assert desk.client.post("/staff/markdowns/rules/new",
                            data={**rule, "name": "Songket lama 2", "producer_name": "tenun layar"}).status_code == 302
    assert db.session.scalar(select(Markdown.producer_id).where(Markdown.name == "Songket lama 2")) == desk.producer.id
