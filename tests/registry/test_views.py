"""The registry screens: who may see them, the upload → preview → confirm import, the public page."""
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from gallery.accounts.models import Role
from gallery.catalog.models import IkmClassification
from gallery.extensions import db
from gallery.registry.models import RegistryEntry
from tests.factories import csrf_token

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "registry-sample.csv"
STAFF_PAGES = ["/staff/reports/registry", "/staff/producers/import", "/staff/classifications",
               "/staff/reports/registry?table=kecamatan&format=csv"]


def entries() -> int:
    return db.session.scalar(select(func.count(RegistryEntry.id)))


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_anonymous_users_are_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.PRODUCER])
@pytest.mark.parametrize("path", STAFF_PAGES)
def test_customers_and_producers_are_refused(client, make, role, path):
    producer = make.producer() if role == Role.PRODUCER else None
    make.login(client, make.user(role, producer=producer))
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN])
def test_staff_and_admins_see_the_report_with_its_charts(client, make, role):
    make.login(client, make.user(role))
    page = client.get("/staff/reports/registry").get_data(as_text=True)
    assert page.count('<svg class="stat-chart"') == 7 and "Pancung Soal" in page


def test_the_statistics_page_is_public_and_linked_from_the_footer(client):
    home = client.get("/").get_data(as_text=True)
    assert 'href="/statistics"' in home
    response = client.get("/statistics")
    assert response.status_code == 200 and response.get_data(as_text=True).count('<svg class="stat-chart"') == 7


def _upload(client, content: bytes, name: str = "registrasi.csv"):
    import io

    token = csrf_token(client, "/staff/producers/import")
    return client.post("/staff/producers/import", data={"csrf_token": token, "file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def test_staff_import_a_file_after_a_preview_and_a_bad_file_saves_nothing(client, make):
    make.login(client, make.user(Role.STAFF))
    bad = SAMPLE.read_bytes() + b"R9,Usaha,Ani,Atlantis,batik,mikro,,,2020\n"
    response = _upload(client, bad)
    page = response.get_data(as_text=True)
    bad_line = len(SAMPLE.read_text(encoding="utf-8").splitlines()) + 1
    assert response.status_code == 422 and "Atlantis" in page
    assert re.search(rf'<td class="num" data-label="[^"]+">{bad_line}</td>', page)
    assert entries() == 0

    preview = _upload(client, SAMPLE.read_bytes())
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and entries() == 0
    payload = re.search(r'name="payload"[^>]*value="([^"]+)"', page) or re.search(r'value="([^"]+)"[^>]*name="payload"', page)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    saved = client.post("/staff/producers/import/confirm", data={
        "csrf_token": token.group(1), "payload": payload.group(1), "filename": "registrasi.csv"})
    assert saved.status_code == 302 and entries() == 10

    again = _upload(client, SAMPLE.read_bytes()).get_data(as_text=True)
    assert re.search(r'class="added">0<', again) and re.search(r'class="unchanged">10<', again)


def test_staff_edit_a_classification(client, make):
    item = db.session.scalar(select(IkmClassification).where(IkmClassification.code == "batik"))
    original = (item.name, item.name_en, item.sector_slug, item.position)
    make.login(client, make.user(Role.STAFF))
    try:
        token = csrf_token(client, f"/staff/classifications?edit={item.id}")
        response = client.post("/staff/classifications", data={
            "csrf_token": token, "id": item.id, "name": "Batik Pesisir", "name_en": "Batik", "sector_slug": "fashion",
            "position": 3})
        assert response.status_code == 302
        db.session.expire_all()
        assert db.session.get(IkmClassification, item.id).name == "Batik Pesisir"
    finally:
        item = db.session.get(IkmClassification, item.id)
        item.name, item.name_en, item.sector_slug, item.position = original
        db.session.commit()


def test_statistics_and_reconciliation_say_when_they_show_sample_data(app, client, make):
    from gallery.accounts.models import Role

    assert "Data contoh" not in client.get("/statistics").get_data(as_text=True)
    make.user(Role.STAFF, email="staf@galeri.test")  # a demo user exists only where the demo was loaded
    assert "Data contoh" in client.get("/statistics").get_data(as_text=True)
    staff = app.test_client()
    make.login(staff, "staf@galeri.test")
    assert "Data contoh" in staff.get("/staff/settlements/reconciliation?period=2026-11").get_data(as_text=True)
