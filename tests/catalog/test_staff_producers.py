"""Staff management of producers (IKM) under /staff/producers, through the test client."""
import re

import pytest
from sqlalchemy import func, select

from gallery.accounts.models import Role
from gallery.catalog.forms import basis_points_to_percent, percent_to_basis_points
from gallery.catalog.models import IkmClassification, Producer, ProducerCertificate, Product
from gallery.catalog.services import ProducerInput, set_producer_active, update_producer
from gallery.errors import DomainError
from gallery.extensions import db
from tests.catalog.test_listing import names_on
from tests.factories import csrf_token
from tests.sqlcount import count_statements


def producer_count() -> int:
    return db.session.scalar(select(func.count(Producer.id)))


def form_data(**overrides) -> dict:
    data = {
        "business_name": "Rendang Uni Ema",
        "owner_name": "Ema Susanti",
        "kecamatan_code": "13.01.05",
        "classification_id": "",
        "size_class": "kecil",
        "whatsapp": "0812 3456 7890",
        "address": "Jl. Ilyas Yakub No. 5, Painan",
        "story": "Rendang lokan resep keluarga sejak 1985.",
        "bank_name": "Bank Nagari",
        "bank_account_number": "1234 5678 90",
        "bank_account_holder": "Ema Susanti",
        "commission": "12,5",
        "is_featured": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def staff_client(client, make):
    make.login(client, make.user(Role.STAFF))
    return client


def post(client, path: str, data: dict, token_from: str | None = None):
    data = dict(data, csrf_token=csrf_token(client, token_from or path))
    return client.post(path, data=data)


def test_staff_creates_a_producer_that_appears_in_the_list_and_the_shop(staff_client):
    classification = db.session.scalar(select(IkmClassification).order_by(IkmClassification.id))
    response = post(staff_client, "/staff/producers/new", form_data(classification_id=str(classification.id)))
    assert response.status_code == 302
    producer = db.session.scalar(select(Producer))
    assert response.headers["Location"] == f"/staff/producers/{producer.id}"
    assert (producer.business_name, producer.owner_name, producer.kecamatan_code) == (
        "Rendang Uni Ema", "Ema Susanti", "13.01.05")
    assert producer.commission_bp == 1250
    assert producer.whatsapp == "6281234567890"
    assert producer.size_class == "kecil" and producer.is_featured and producer.is_active
    assert producer.classification_id == classification.id
    assert producer.slug == "rendang-uni-ema"

    listing = staff_client.get("/staff/producers").get_data(as_text=True)
    assert "Rendang Uni Ema" in listing and "12,5 %" in listing and "IV Jurai" in listing
    assert "Rendang Uni Ema" in staff_client.get("/producers").get_data(as_text=True)
    page = staff_client.get(f"/staff/producers/{producer.id}").get_data(as_text=True)
    assert "Bank Nagari" in page and "1234 5678 90" in page


def test_new_form_offers_the_fifteen_kecamatan_and_the_default_commission(staff_client):
    page = staff_client.get("/staff/producers/new").get_data(as_text=True)
    select_html = re.search(r'<select[^>]*name="kecamatan_code".*?</select>', page, re.S).group(0)
    assert len(re.findall(r'value="13\.01\.\d\d"', select_html)) == 15
    assert re.search(r'name="commission"[^>]*value="20"', page) or re.search(r'value="20"[^>]*name="commission"', page)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"business_name": ""}, "Nama usaha wajib diisi"),
        ({"owner_name": "  "}, "Nama pemilik wajib diisi"),
        ({"kecamatan_code": "13.71.01"}, "Pilih salah satu kecamatan di Pesisir Selatan"),
        ({"kecamatan_code": "bukan-kode"}, "Pilih salah satu kecamatan di Pesisir Selatan"),
        ({"kecamatan_code": ""}, "Pilih kecamatan"),
        ({"commission": "150"}, "Komisi harus antara 0 dan 100 %"),
        ({"commission": "-1"}, "Komisi harus antara 0 dan 100 %"),
        ({"commission": "abc"}, "Komisi harus berupa angka persen"),
        ({"commission": "12,125"}, "dua angka di belakang koma"),
        ({"commission": ""}, "Komisi wajib diisi"),
        ({"whatsapp": "12345"}, "Nomor WhatsApp tidak valid"),
        ({"size_class": "raksasa"}, "Skala usaha harus mikro, kecil atau menengah"),
        ({"classification_id": "99999"}, "Pilih salah satu klasifikasi IKM"),
        ({"classification_id": "xyz"}, "Pilih salah satu klasifikasi IKM"),
        ({"bank_account_number": "rek-abc"}, "Nomor rekening hanya berisi angka"),
    ],
)
def test_invalid_producer_input_is_refused_with_a_message_and_writes_nothing(staff_client, fields, message):
    before = producer_count()
    response = post(staff_client, "/staff/producers/new", form_data(**fields))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page.replace("&#39;", "'")
    assert "Belum ada yang disimpan" in page
    assert producer_count() == before


def test_edit_changes_terms_and_bank_details_and_keeps_the_slug(staff_client, make):
    producer = make.producer("Sulaman Kambang", commission_bp=2000)
    path = f"/staff/producers/{producer.id}/edit"
    page = staff_client.get(path).get_data(as_text=True)
    assert 'value="Sulaman Kambang"' in page and 'value="20"' in page
    response = post(staff_client, path, form_data(
        business_name="Sulaman Kambang", owner_name="Rosni", kecamatan_code="13.01.10", commission="15",
        bank_name="BRI", bank_account_number="0011-01-000123-30-1", bank_account_holder="Rosni",
        size_class="menengah", whatsapp="", is_featured=None,
    ))
    assert response.status_code == 302
    db.session.expire_all()
    producer = db.session.get(Producer, producer.id)
    assert producer.slug == "sulaman-kambang"
    assert producer.commission_bp == 1500
    assert (producer.bank_name, producer.bank_account_number, producer.bank_account_holder) == (
        "BRI", "0011-01-000123-30-1", "Rosni")
    assert producer.kecamatan_code == "13.01.10" and producer.size_class == "menengah"
    assert producer.whatsapp is None and not producer.is_featured
    detail = staff_client.get(f"/staff/producers/{producer.id}").get_data(as_text=True)
    assert "15 %" in detail and "0011-01-000123-30-1" in detail


def test_renaming_gives_a_new_slug_and_refreshes_product_search(staff_client, make):
    producer = make.producer("Kopi Lama")
    make.product(producer, name="Kopi Bubuk Robusta", category="kopi-teh")
    response = post(staff_client, f"/staff/producers/{producer.id}/edit",
                    form_data(business_name="Kopi Bukit Barisan", commission="20"))
    assert response.status_code == 302
    db.session.expire_all()
    producer = db.session.get(Producer, producer.id)
    assert producer.slug == "kopi-bukit-barisan"
    assert staff_client.get("/producers/kopi-bukit-barisan").status_code == 200
    assert "Kopi Bubuk Robusta" in names_on(staff_client.get("/products?q=barisan"))


def test_refused_edit_changes_nothing(staff_client, make):
    producer = make.producer("Anyaman Pandan Surantih", commission_bp=2000, bank_name="BNI")
    response = post(staff_client, f"/staff/producers/{producer.id}/edit",
                    form_data(business_name="Nama Baru", bank_name="BRI", commission="150"))
    assert response.status_code == 422
    db.session.expire_all()
    producer = db.session.get(Producer, producer.id)
    assert (producer.business_name, producer.bank_name, producer.commission_bp) == (
        "Anyaman Pandan Surantih", "BNI", 2000)


def test_deactivating_hides_the_producer_and_its_products_and_reactivating_brings_them_back(staff_client, make):
    producer = make.producer("Galamai Amai")
    product = make.product(producer, name="Galamai Durian", category="kue-tradisional")
    lot = make.stock(product.variants[0], 7)
    path = f"/staff/producers/{producer.id}/active"

    response = post(staff_client, path, {"active": "0"}, token_from=f"/staff/producers/{producer.id}")
    assert response.status_code == 302
    assert "Galamai Durian" not in names_on(staff_client.get("/products"))
    assert staff_client.get(f"/producers/{producer.slug}").status_code == 404
    assert staff_client.get(f"/products/{product.slug}").status_code == 404
    assert "Galamai Amai" not in staff_client.get("/producers").get_data(as_text=True)
    # Kept: its products and its stock.
    db.session.expire_all()
    assert db.session.get(Product, product.id) is not None
    assert db.session.get(type(lot), lot.id).on_hand == 7
    listing = staff_client.get("/staff/producers?status=inactive").get_data(as_text=True)
    assert "Galamai Amai" in listing
    assert "Galamai Amai" not in staff_client.get("/staff/producers?status=active").get_data(as_text=True)

    response = post(staff_client, path, {"active": "1"}, token_from=f"/staff/producers/{producer.id}")
    assert response.status_code == 302
    assert "Galamai Durian" in names_on(staff_client.get("/products"))
    assert staff_client.get(f"/producers/{producer.slug}").status_code == 200


def test_the_active_switch_refuses_a_value_it_does_not_know(staff_client, make):
    producer = make.producer()
    response = post(staff_client, f"/staff/producers/{producer.id}/active", {"active": "maybe"},
                    token_from=f"/staff/producers/{producer.id}")
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Producer, producer.id).is_active


def test_list_searches_by_name_and_filters_by_kecamatan(staff_client, make):
    make.producer("Songket Tarusan", kecamatan="13.01.07")
    make.producer("Rendang Painan", kecamatan="13.01.05", owner_name="Bu Songsong")
    make.producer("Keripik Balai Selasa", kecamatan="13.01.05")

    def names(query: str) -> set[str]:
        page = staff_client.get("/staff/producers" + query).get_data(as_text=True)
        return set(re.findall(r"<strong>([^<]+)</strong></a>", page))

    assert names("") == {"Songket Tarusan", "Rendang Painan", "Keripik Balai Selasa"}
    assert names("?q=songket") == {"Songket Tarusan"}
    assert names("?q=SONGSONG") == {"Rendang Painan"}  # owner's name too, any case
    assert names("?q=%25") == set()  # a LIKE wildcard is searched for literally
    assert names("?kecamatan=13.01.05") == {"Rendang Painan", "Keripik Balai Selasa"}
    assert names("?kecamatan=13.01.05&q=keripik") == {"Keripik Balai Selasa"}
    assert names("?kecamatan=99.99") == {"Songket Tarusan", "Rendang Painan", "Keripik Balai Selasa"}


def test_list_shows_product_count_and_sellable_units_on_hand(staff_client, make):
    producer = make.producer("Kerupuk Jengkol Lumpo")
    first = make.product(producer, category="keripik")
    make.product(producer, category="keripik", published=False)
    make.stock(first.variants[0], 4)
    make.stock(first.variants[0], 6)
    page = staff_client.get("/staff/producers").get_data(as_text=True)
    row = re.search(r"Kerupuk Jengkol Lumpo.*?</tr>", page, re.S).group(0)
    cells = re.findall(r'<td class="num"[^>]*>(.*?)</td>', row, re.S)
    assert cells[0].strip() == "20 %"
    assert cells[1].strip() == "2" and "1 tayang" in row
    assert cells[2].strip() == "10"


def test_list_paginates_fifty_a_page(staff_client, make):
    for n in range(53):
        make.producer(f"IKM Halaman {n:02d}")
    first = staff_client.get("/staff/producers").get_data(as_text=True)
    assert first.count("IKM Halaman") == 50 and "Halaman 1 dari 2" in first
    second = staff_client.get("/staff/producers?page=2").get_data(as_text=True)
    assert second.count("IKM Halaman") == 3 and "IKM Halaman 52" in second
    assert staff_client.get("/staff/producers?page=abc").status_code == 200
    assert staff_client.get("/staff/producers?page=999").get_data(as_text=True).count("IKM Halaman") == 3


def list_statements(client) -> int:
    with count_statements() as statements:
        response = client.get("/staff/producers")
    assert response.status_code == 200
    return len(statements)


def test_list_runs_the_same_number_of_statements_for_3_and_for_60_producers(staff_client, make):
    def add_producers(count: int):
        for _ in range(count):
            producer = make.producer()
            product = make.product(producer)
            make.stock(product.variants[0], 2)

    add_producers(3)
    few = list_statements(staff_client)
    add_producers(57)
    assert list_statements(staff_client) == few
    assert few <= 8


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.PRODUCER])
def test_producers_and_customers_get_403_everywhere(client, make, role):
    producer = make.producer()
    make.login(client, make.user(role, producer=producer if role == Role.PRODUCER else None))
    for path in ("/staff/producers", "/staff/producers/new", f"/staff/producers/{producer.id}",
                 f"/staff/producers/{producer.id}/edit"):
        assert client.get(path).status_code == 403, path
    token = csrf_token(client, "/")
    before = producer_count()
    for path, data in (
        ("/staff/producers/new", form_data()),
        (f"/staff/producers/{producer.id}/edit", form_data()),
        (f"/staff/producers/{producer.id}/active", {"active": "0"}),
        (f"/staff/producers/{producer.id}/certificates", {"kind": "sni", "number": "SNI 1234"}),
    ):
        assert client.post(path, data=dict(data, csrf_token=token)).status_code == 403, path
    db.session.expire_all()
    assert producer_count() == before and db.session.get(Producer, producer.id).is_active


def test_anonymous_users_are_sent_to_login_everywhere(client, make):
    producer = make.producer()
    paths = ["/staff/producers", "/staff/producers/new", f"/staff/producers/{producer.id}",
             f"/staff/producers/{producer.id}/edit"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next="), path
    token = csrf_token(client, "/login")
    for path in ("/staff/producers/new", f"/staff/producers/{producer.id}/edit",
                 f"/staff/producers/{producer.id}/active", f"/staff/producers/{producer.id}/certificates"):
        response = client.post(path, data={"csrf_token": token, "active": "0"})
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login"), path
    db.session.expire_all()
    assert db.session.get(Producer, producer.id).is_active


def test_admin_is_admitted(client, make):
    make.login(client, make.user(Role.ADMIN))
    assert client.get("/staff/producers").status_code == 200
    assert client.get("/staff/producers/new").status_code == 200


def test_post_without_csrf_token_is_refused(staff_client, make):
    producer = make.producer()
    before = producer_count()
    assert staff_client.post("/staff/producers/new", data=form_data()).status_code == 400
    assert staff_client.post(f"/staff/producers/{producer.id}/active", data={"active": "0"}).status_code == 400
    response = staff_client.post(f"/staff/producers/{producer.id}/edit",
                                 data=form_data(business_name="Diganti", csrf_token="palsu"))
    assert response.status_code == 400
    db.session.expire_all()
    assert producer_count() == before
    assert db.session.get(Producer, producer.id).is_active
    assert db.session.get(Producer, producer.id).business_name != "Diganti"


def test_unknown_producer_is_404(staff_client):
    assert staff_client.get("/staff/producers/999999").status_code == 404
    assert staff_client.get("/staff/producers/999999/edit").status_code == 404


def test_staff_nav_links_to_producers(staff_client):
    assert 'href="/staff/producers"' in staff_client.get("/staff").get_data(as_text=True)


def test_detail_shows_terms_bank_details_and_all_products(staff_client, make):
    producer = make.producer("Tenun Batang Kapas", bank_name="Bank Nagari", bank_account_number="2100 1234",
                             bank_account_holder="Yusra", commission_bp=1750)
    shown = make.product(producer, name="Kain Tenun Merah", category="songket")
    make.product(producer, name="Selendang Draf", category="songket", published=False)
    make.stock(shown.variants[0], 3)
    page = staff_client.get(f"/staff/producers/{producer.id}").get_data(as_text=True)
    for text in ("Tenun Batang Kapas", "17,5 %", "Bank Nagari", "2100 1234", "Yusra", "Kain Tenun Merah",
                 "Selendang Draf", "Belum tayang"):
        assert text in page, text


def test_certificates_can_be_added_and_removed(staff_client, make):
    producer = make.producer()
    path = f"/staff/producers/{producer.id}"
    response = post(staff_client, f"{path}/certificates",
                    {"kind": "halal", "number": "id 1311 0000 1234 50123", "issued_by": "BPJPH",
                     "valid_until": "2029-06-30"}, token_from=path)
    assert response.status_code == 302
    certificate = db.session.scalar(select(ProducerCertificate))
    assert certificate.number == "ID13110000123450123" and certificate.producer_id == producer.id
    assert "ID13110000123450123" in staff_client.get(path).get_data(as_text=True)

    for bad, message in (({"kind": "halal", "number": "123"}, "sertifikat halal BPJPH"),
                         ({"kind": "sni", "number": ""}, "Nomor sertifikat wajib diisi"),
                         ({"kind": "jimat", "number": "X1"}, "Pilih jenis sertifikat"),
                         ({"kind": "sni", "number": "SNI 1", "valid_until": "31/12"}, "Tanggal tidak valid")):
        response = post(staff_client, f"{path}/certificates", bad, token_from=path)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ProducerCertificate.id))) == 1

    other = make.producer()
    response = post(staff_client, f"/staff/producers/{other.id}/certificates/{certificate.id}/delete", {},
                    token_from=path)
    assert response.status_code == 404
    response = post(staff_client, f"{path}/certificates/{certificate.id}/delete", {}, token_from=path)
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(ProducerCertificate.id))) == 0


# --- the services and the percent conversion without HTTP -------------------------------------


@pytest.mark.parametrize(("text", "basis_points"), [("20", 2000), ("12,5", 1250), ("12.5", 1250), ("0", 0),
                                                    ("100", 10_000), (" 7,25 % ", 725), ("12,50", 1250)])
def test_percent_text_becomes_basis_points(text, basis_points):
    assert percent_to_basis_points(text) == basis_points


@pytest.mark.parametrize("text", ["150", "100,01", "-1", "abc", "", "12,125", "1e2", "½"])
def test_bad_percent_text_is_refused(text):
    with pytest.raises(ValueError):
        percent_to_basis_points(text)


def test_basis_points_show_as_percent_text():
    assert [basis_points_to_percent(bp) for bp in (2000, 1250, 725, 0, None)] == ["20", "12,5", "7,25", "0", ""]


def test_update_producer_uses_the_create_checks_and_changes_nothing_on_error(make):
    producer = make.producer("Batik Tanah Liek")
    data = ProducerInput(business_name="Batik Tanah Liek", owner_name="X", kecamatan_code="31.71.01",
                         commission_bp=1000)
    with pytest.raises(DomainError) as error:
        update_producer(producer, data)
    assert error.value.field == "kecamatan_code"
    db.session.rollback()
    assert producer.kecamatan_code == "13.01.05" and producer.commission_bp != 1000


def test_set_producer_active_keeps_products(make):
    producer = make.producer()
    make.product(producer)
    set_producer_active(producer, False)
    assert not producer.is_active
    assert db.session.scalar(select(func.count(Product.id)).where(Product.producer_id == producer.id)) == 1
    set_producer_active(producer, True)
    assert producer.is_active
