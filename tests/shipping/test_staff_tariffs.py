"""The back-office tariff screens under /staff/shipping: access, import with preview and confirm, export."""
import io
import re
from datetime import datetime

import pytest
from sqlalchemy import func, select

from gallery import clock
from gallery.accounts.models import Role
from gallery.extensions import db
from gallery.shipping.models import ShippingService, TariffRate, TariffVersion
from gallery.shipping.tariff_lookups import active_version_id
from gallery.shipping.tariffs import import_tariff
from tests.factories import csrf_token
from tests.shipping.conftest import HEADER, SMALL_TABLE, csv_bytes
from tests.sqlcount import count_statements

TODAY = datetime(2026, 11, 23, 9, 0, tzinfo=clock.WIB)
PAGE = "/staff/shipping/tariffs"


@pytest.fixture(autouse=True)
def frozen_today():
    clock.freeze(TODAY)


def counts():
    return (db.session.scalar(select(func.count(TariffVersion.id))),
            db.session.scalar(select(func.count(TariffRate.id))))


@pytest.fixture
def admin_client(client, make):
    make.login(client, make.user(Role.ADMIN))
    return client


@pytest.fixture
def staff_client(client, make):
    make.login(client, make.user(Role.STAFF))
    return client


def upload(client, content: bytes, *, effective="2026-12-01", note="Tarif Desember", filename="pos.csv"):
    return client.post(f"{PAGE}/preview", data={
        "csrf_token": csrf_token(client, PAGE),
        "file": (io.BytesIO(content), filename),
        "effective_on": effective,
        "note": note,
    }, content_type="multipart/form-data")


def confirm_data(page: str) -> dict:
    fields = {}
    for name in ("csrf_token", "payload", "filename", "effective_on", "note"):
        match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page)
        assert match, name
        fields[name] = match.group(1)
    return fields


# --- access ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [PAGE, f"{PAGE}/active.csv", "/staff/shipping/services/new"])
def test_anonymous_users_are_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.PRODUCER])
def test_customers_and_producers_are_refused(client, make, role):
    producer = make.producer() if role == Role.PRODUCER else None
    make.login(client, make.user(role, producer=producer))
    assert client.get(PAGE).status_code == 403
    assert client.get(f"{PAGE}/active.csv").status_code == 403


def test_staff_may_look_and_export_but_not_import(staff_client, small_tariff):
    page = staff_client.get(PAGE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Pos Reguler" in html and "Tarif kirim" in html
    assert "Impor tabel tarif baru" not in html and 'action="/staff/shipping/tariffs/preview"' not in html
    assert staff_client.get(f"{PAGE}/active.csv").status_code == 200
    response = staff_client.post(f"{PAGE}/preview", data={"file": (io.BytesIO(b"x"), "x.csv")},
                                 content_type="multipart/form-data")
    assert response.status_code in (400, 403)  # without a token CSRF answers first
    assert staff_client.get("/staff/shipping/services/new").status_code == 403


def test_staff_with_a_valid_token_still_cannot_import(staff_client, make, small_tariff):
    # the staff page has no import form; take a token from another staff form
    token = csrf_token(staff_client, "/staff/producers/new")
    response = staff_client.post(f"{PAGE}/preview", data={
        "csrf_token": token, "file": (io.BytesIO(csv_bytes(SMALL_TABLE)), "pos.csv"), "effective_on": "2026-12-01",
    }, content_type="multipart/form-data")
    assert response.status_code == 403
    response = staff_client.post(f"{PAGE}/confirm", data={"csrf_token": token, "payload": "x",
                                                          "effective_on": "2026-12-01"})
    assert response.status_code == 403
    assert counts() == (1, 7)


def test_the_staff_menu_links_the_tariffs(staff_client):
    assert 'href="/staff/shipping/tariffs"' in staff_client.get("/staff").get_data(as_text=True)


# --- import -----------------------------------------------------------------------------------------------------------

def test_admin_previews_then_confirms_a_new_table(admin_client, pos_services):
    response = upload(admin_client, csv_bytes(SMALL_TABLE))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Semua baris benar" in page
    for count in (4, 2, 1):  # rows per service: Reguler, Nextday, Jumbo
        assert f"{count} dari 514 kabupaten/kota" in page
    assert "POS_NEXTDAY" in page and "Rp\u00a049.000" in page  # the first rows
    assert counts() == (0, 0)  # nothing saved by the preview

    response = admin_client.post(f"{PAGE}/confirm", data=confirm_data(page))
    assert response.status_code == 302 and response.headers["Location"] == PAGE
    assert counts() == (1, 7)
    version = db.session.scalar(select(TariffVersion))
    assert (version.source_filename, version.note, version.effective_on.isoformat()) == (
        "pos.csv", "Tarif Desember", "2026-12-01")
    listing = admin_client.get(PAGE).get_data(as_text=True)
    assert "Tabel tarif disimpan: 7 tarif, berlaku mulai 2026-12-01." in listing
    assert "Terjadwal" in listing  # effective 1 December: scheduled, not yet in force
    clock.freeze(datetime(2026, 12, 1, 7, 0, tzinfo=clock.WIB))
    assert active_version_id() == version.id
    assert "Berlaku" in admin_client.get(PAGE).get_data(as_text=True)


def test_a_file_with_errors_shows_every_wrong_row_and_saves_nothing(admin_client, pos_services):
    bad = csv_bytes(HEADER + "POS_REG,31.71,,26000,,2,4\nPOS_REG,99.99,,26000,,2,4\n"
                    "POS_NEXTDAY,31.71,,-1,,1,2\nPOS_REG,31.71,,27000,,2,4\n")
    response = upload(admin_client, bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "File ini berisi 3 kesalahan" in page and "Tidak ada yang disimpan" in page
    assert re.search(r'<td class="num" data-label="Baris">3</td>\s*<td data-label="Kolom">Kode kabupaten/kota</td>', page)
    assert "Harga per kg tidak boleh negatif." in page
    assert "Baris ganda: tarif POS_REG ke 31.71 sudah ada di baris 2." in page
    assert 'action="/staff/shipping/tariffs/confirm"' not in page
    assert 'name="file"' in page  # upload the corrected file from here
    assert counts() == (0, 0)


def test_upload_form_errors(admin_client, pos_services):
    response = admin_client.post(f"{PAGE}/preview", data={"csrf_token": csrf_token(admin_client, PAGE),
                                                           "effective_on": "2026-12-01"},
                                 content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Pilih file CSV tarif." in response.get_data(as_text=True)
    response = upload(admin_client, csv_bytes(SMALL_TABLE), effective="2026-11-01")
    assert response.status_code == 422
    assert "Tanggal mulai berlaku paling awal hari ini." in response.get_data(as_text=True)
    response = upload(admin_client, csv_bytes(SMALL_TABLE), effective="1-12-2026")
    assert response.status_code == 422
    assert "Tanggal tidak valid" in response.get_data(as_text=True)
    assert counts() == (0, 0)


def test_a_damaged_confirmation_saves_nothing(admin_client, pos_services):
    page = upload(admin_client, csv_bytes(SMALL_TABLE)).get_data(as_text=True)
    data = confirm_data(page)
    response = admin_client.post(f"{PAGE}/confirm", data=dict(data, payload="not-a-file"))
    assert response.status_code == 302
    assert "Data pratinjau tidak terbaca" in admin_client.get(PAGE).get_data(as_text=True)
    response = admin_client.post(f"{PAGE}/confirm", data=dict(data, effective_on="2026-13-45"))
    assert response.status_code == 302
    assert counts() == (0, 0)
    # without the CSRF token: refused
    assert admin_client.post(f"{PAGE}/confirm", data=dict(data, csrf_token="")).status_code == 400
    assert counts() == (0, 0)


def test_the_file_is_checked_again_on_confirmation(admin_client, pos_services):
    page = upload(admin_client, csv_bytes(SMALL_TABLE)).get_data(as_text=True)
    pos_services["POS_JUMBO"].code = "POS_JUMBO_LAMA"  # renamed between preview and confirmation
    db.session.commit()
    response = admin_client.post(f"{PAGE}/confirm", data=confirm_data(page))
    assert response.status_code == 422
    assert "Layanan “POS_JUMBO” tidak dikenal" in response.get_data(as_text=True)
    assert counts() == (0, 0)


# --- export -----------------------------------------------------------------------------------------------------------

def test_export_the_active_table(staff_client, pos_services):
    assert staff_client.get(f"{PAGE}/active.csv").status_code == 302  # nothing in force yet
    version = import_tariff(csv_bytes(SMALL_TABLE), "pos.csv", TODAY.date())
    db.session.commit()
    response = staff_client.get(f"{PAGE}/active.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="tarif-pos-v{version.id}.csv"' in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff# tariff version")
    assert "POS_REG,31.71,Kota Administrasi Jakarta Pusat,26000,,2,4" in text
    assert staff_client.get(f"{PAGE}/{version.id}.csv").get_data(as_text=True) == text
    assert staff_client.get(f"{PAGE}/{version.id + 99}.csv").status_code == 404


# --- service terms ------------------------------------------------------------------------------------------------------

def test_admin_changes_a_service_and_adds_one(admin_client, pos_services):
    reguler = pos_services["POS_REG"]
    path = f"/staff/shipping/services/{reguler.id}"
    page = admin_client.get(path).get_data(as_text=True)
    assert 'value="20"' in page and 'value="0,24"' in page
    data = {"csrf_token": csrf_token(admin_client, path), "code": "POS_REG", "name": "Pos Reguler",
            "volumetric_divisor": "6000", "rounding_tolerance_grams": "300", "min_kg": "1", "max_kg": "50", "max_length_cm": "150",
            "discount_bp": "22,5", "insurance_rate_bp": "0,25", "insurance_fee": "2.000", "position": "10",
            "active": "y"}
    assert admin_client.post(path, data=data).status_code == 302
    db.session.expire_all()
    assert (reguler.rounding_tolerance_grams, reguler.discount_bp, reguler.insurance_rate_bp, reguler.insurance_fee) == (
        300, 2250, 25, 2000)
    bad = admin_client.post(path, data=dict(data, discount_bp="abc", max_kg="0"))
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Tulis persen, misalnya 20 atau 12,5." in html
    bad = admin_client.post(path, data=dict(data, min_kg="20", max_kg="10"))
    assert bad.status_code == 422
    assert "Berat maksimum tidak boleh kurang dari berat minimum." in bad.get_data(as_text=True)
    db.session.expire_all()
    assert reguler.max_kg == 50

    new = "/staff/shipping/services/new"
    response = admin_client.post(new, data=dict(data, csrf_token=csrf_token(admin_client, new), code="pos_kilat",
                                                name="Pos Kilat", position="40"))
    assert response.status_code == 302
    assert db.session.scalar(select(ShippingService).where(ShippingService.code == "POS_KILAT")).name == "Pos Kilat"
    duplicate = admin_client.post(new, data=dict(data, csrf_token=csrf_token(admin_client, new), code="POS_KILAT"))
    assert duplicate.status_code == 422
    assert "Kode layanan POS_KILAT sudah dipakai." in duplicate.get_data(as_text=True)


# --- no N+1 -------------------------------------------------------------------------------------------------------------

def statements(client, path: str) -> int:
    client.get(path)
    with count_statements() as recorded:
        assert client.get(path).status_code == 200
    return len(recorded)


def _table(regencies: list[str]) -> bytes:
    lines = [f"{code},{regency},,26000,,2,4" for regency in regencies for code in ("POS_REG", "POS_NEXTDAY", "POS_JUMBO")]
    return csv_bytes(HEADER + "\n".join(lines) + "\n")


def test_the_overview_and_preview_run_a_fixed_number_of_statements(admin_client, pos_services):
    import_tariff(_table(["13.01", "13.71"]), "small.csv", TODAY.date())
    db.session.commit()
    small = statements(admin_client, PAGE + "?province=13")
    many = [f"13.{n:02d}" for n in range(1, 13)] + [f"13.7{n}" for n in range(1, 8)]
    import_tariff(_table(many), "large.csv", TODAY.date())
    import_tariff(_table(many), "again.csv", TODAY.date())
    db.session.commit()
    assert statements(admin_client, PAGE + "?province=13") == small <= 14

    def preview_statements(content):
        with count_statements() as recorded:
            assert upload(admin_client, content).status_code == 200
        return len(recorded)

    upload(admin_client, _table(["13.01"]))
    assert preview_statements(_table(["13.01"])) == preview_statements(_table(many))
