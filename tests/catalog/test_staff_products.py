"""Staff products under /staff/products through the test client: list, create, edit, variants, history, access."""
import io
import re

import pytest
from sqlalchemy import func, select

from gallery.accounts.models import Role
from gallery.catalog.history import PriceChange
from gallery.catalog.models import Product, ProductImage, ProductStatus, Variant
from gallery.catalog.photos import Upload, add_photos
from gallery.catalog.proposal_models import ProductProposal
from gallery.extensions import db
from tests.catalog.test_images import picture
from tests.catalog.test_query_counts import statements_for
from tests.factories import csrf_token


@pytest.fixture
def staff_client(client, make):
    make.login(client, make.user(Role.STAFF))
    return client


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def names_in_list(response) -> list[str]:
    return re.findall(r'<a href="/staff/products/\d+/edit"><strong>(.*?)</strong></a>', response.get_data(as_text=True))


def errors_of(response) -> dict[str, str]:
    html = response.get_data(as_text=True)
    return {name: re.sub(r"<[^>]+>", "", text).strip()
            for name, text in re.findall(r'<ul class="errors" id="(.*?)-errors">(.*?)</ul>', html, re.S)}


def product_form(make, producer, **changes) -> dict:
    data = {
        "name": "Keripik Sanjai Balado", "category_id": str(make.category("keripik").id), "description": "Pedas manis.",
        "story": "Resep nenek.", "status": "published", "storage_note": "Simpan di tempat kering.",
        "min_shelf_life_days": "14",
        "pirt_certificate_id": str(make.certificate(producer, "pirt", "2061301010123-29").id),
        "variants-0-label": "250 g", "variants-0-price": "25.000", "variants-0-weight_grams": "300",
        "variants-0-length_cm": "15", "variants-0-width_cm": "10", "variants-0-height_cm": "5",
        "variants-0-is_active": "y",
        "variants-1-label": "500 g", "variants-1-price": "45000", "variants-1-weight_grams": "560",
        "variants-1-sku": "sanjai-500", "variants-1-commission": "15", "variants-1-is_active": "y",
        "variants-2-label": "", "variants-2-price": "", "variants-2-weight_grams": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def post_new(client, make, producer, files=(), **changes):
    path = f"/staff/products/new?producer={producer.id}"
    data = product_form(make, producer, **changes)
    data["csrf_token"] = csrf_token(client, path)
    data["photos"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(path, data=data, content_type="multipart/form-data")


def test_staff_create_a_product_with_two_variants_and_three_photos_in_one_go(staff_client, make):
    producer = make.producer("Sanjai Amak")
    photos = [(f"{n}.jpg", picture("JPEG", colour=(50 * n, 80, 20))) for n in range(1, 4)]
    response = post_new(staff_client, make, producer, photos)
    assert response.status_code == 302
    product = db.session.scalar(select(Product))
    assert response.headers["Location"] == f"/staff/products/{product.id}/edit"
    assert (product.name, product.status, product.story, product.min_shelf_life_days) == (
        "Keripik Sanjai Balado", ProductStatus.PUBLISHED, "Resep nenek.", 14)
    assert product.pirt_number == "2061301010123-29"
    assert [(v.label, v.price, v.weight_grams, v.length_cm, v.sku, v.commission_bp) for v in product.variants] == [
        ("250 g", 25_000, 300, 15, f"SA-{product.id}-1", None), ("500 g", 45_000, 560, 10, "SANJAI-500", 1500)]
    assert len(product.images) == 3
    assert staff_client.get(f"/products/{product.slug}").status_code == 200


def test_the_new_product_screen_first_asks_for_the_producer(staff_client, make):
    make.producer("Sanjai Amak")
    page = staff_client.get("/staff/products/new").get_data(as_text=True)
    assert 'name="producer"' in page and "Sanjai Amak" in page
    assert staff_client.get("/staff/products/new?producer=999").status_code == 422


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"name": ""}, "name", "Nama produk wajib diisi."),
    ({"category_id": ""}, "category_id", "Pilih sub-kategori produk."),
    ({"variants-0-price": "25,5"}, "variants-0-price", "Tulis bilangan bulat"),
    ({"variants-0-weight_grams": "berat"}, "variants-0-weight_grams", "Tulis bilangan bulat"),
    ({"variants-1-sku": "sanjai 500"}, "variants-1-sku", "Kode SKU hanya huruf besar"),
    ({"variants-1-commission": "120"}, "variants-1-commission", "Komisi harus antara 0 dan 100 %."),
    ({"variants-0-length_cm": "500"}, "variants-0-length_cm", "Ukuran paket dalam cm harus antara 1 dan 300."),
    ({"pirt_certificate_id": ""}, "pirt_certificate_id", "wajib mencantumkan sertifikat P-IRT atau BPOM"),
    ({"min_shelf_life_days": "900"}, "min_shelf_life_days", "Umur simpan minimum antara 0 dan 730 hari."),
    ({"status": "sold"}, "status", "Pilih status produk."),
])
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_saved(staff_client, make, changes, field, message):
    producer = make.producer()
    response = post_new(staff_client, make, producer, [("a.jpg", picture("JPEG"))], **changes)
    assert response.status_code == 422
    assert message in errors_of(response).get(field, ""), errors_of(response)
    assert "Belum ada yang disimpan." in response.get_data(as_text=True)
    assert (count(Product), count(Variant), count(ProductImage), count(PriceChange)) == (0, 0, 0, 0)


def test_a_bad_photo_keeps_the_whole_product_unsaved(staff_client, make):
    response = post_new(staff_client, make, make.producer(), [("a.jpg", picture("JPEG")), ("b.svg", b"<svg/>")])
    assert response.status_code == 422
    assert "b.svg:" in errors_of(response)["photos"]
    assert (count(Product), count(Variant), count(ProductImage)) == (0, 0, 0)


@pytest.fixture
def shelf_product(make):
    producer = make.producer("Sanjai Amak")
    product = make.product(producer, name="Keripik Sanjai", category="keripik",
                           variants=[("250 g", 25_000, 300), ("500 g", 45_000, 560)])
    make.stock(product.variants[0], 10, payout=20_000)
    return product


def edit_data(client, product, **changes) -> dict:
    path = f"/staff/products/{product.id}/edit"
    page = client.get(path).get_data(as_text=True)
    data = {}
    for tag in re.findall(r"<(?:input|select|textarea)[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="file"' in tag:
            continue
        if 'type="checkbox"' in tag:
            if "checked" in tag:
                data[name.group(1)] = "y"
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name.group(1)] = value.group(1) if value else ""
    for name, selected in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>.*?<option selected value="([^"]*)"', page,
                                     re.S):
        data[name] = selected
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\n?(.*?)</textarea>', page, re.S):
        data[name] = text
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_edit_screen_saves_details_variants_and_a_price_change_with_its_reason(staff_client, make, shelf_product):
    product = shelf_product
    data = edit_data(staff_client, product, name="Keripik Sanjai Balado", **{
        "variants-1-price": "47.000", "price_reason": "Harga singkong naik",
        "variants-2-label": "1 kg", "variants-2-price": "85000", "variants-2-weight_grams": "1100",
        "variants-2-is_active": "y"})
    response = staff_client.post(f"/staff/products/{product.id}/edit", data=data)
    assert response.status_code == 302, errors_of(response)
    db.session.expire_all()
    assert product.name == "Keripik Sanjai Balado"
    assert [(v.label, v.price) for v in product.variants] == [("250 g", 25_000), ("500 g", 47_000), ("1 kg", 85_000)]
    page = staff_client.get(f"/staff/products/{product.id}/edit").get_data(as_text=True)
    assert "Harga singkong naik" in page and "Rp\u00a045.000" in page and "Rp\u00a047.000" in page
    history = staff_client.get(f"/staff/products/{product.id}/history").get_data(as_text=True)
    assert "Keripik Sanjai → Keripik Sanjai Balado" in history and "Varian ditambah" in history


def test_a_price_change_without_a_reason_or_below_a_shelf_lots_payout_saves_nothing(staff_client, make,
                                                                                  shelf_product):
    product = shelf_product
    response = staff_client.post(f"/staff/products/{product.id}/edit",
                                 data=edit_data(staff_client, product, **{"variants-0-price": "30000"}))
    assert response.status_code == 422 and "Tulis alasan perubahan harga." in errors_of(response)["price_reason"]
    response = staff_client.post(f"/staff/products/{product.id}/edit", data=edit_data(
        staff_client, product, name="Nama Baru", price_reason="Obral", **{"variants-0-price": "19.000"}))
    assert response.status_code == 422
    lot = product.variants[0].id
    assert re.search(r"di bawah harga titip lot #\d+ \(Rp 20\.000", errors_of(response)["variants-0-price"]), lot
    db.session.expire_all()
    assert (product.name, product.variants[0].price, count(PriceChange)) == ("Keripik Sanjai", 25_000, 2)


def test_removing_a_variant_deletes_it_or_archives_it_once_it_had_stock(staff_client, make, shelf_product):
    product = shelf_product
    received, fresh = product.variants
    token = csrf_token(staff_client, f"/staff/products/{product.id}/edit")
    staff_client.post(f"/staff/products/{product.id}/variants/{fresh.id}/remove", data={"csrf_token": token})
    response = staff_client.post(f"/staff/products/{product.id}/variants/{received.id}/remove",
                                 data={"csrf_token": token})
    assert response.status_code == 302
    page = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Produk yang ditayangkan harus punya minimal satu varian aktif." in page
    db.session.expire_all()
    assert [v.id for v in product.variants] == [received.id] and received.is_active


def test_the_list_searches_filters_and_flags_what_needs_attention(staff_client, make, shelf_product):
    other = make.producer("Tenun Tarusan")
    draft = make.product(other, name="Selendang Songket", category="songket", published=False)
    archived = make.product(other, name="Kain Lama", category="songket")
    archived.archived, archived.published = True, False
    add_photos(shelf_product, [Upload("a.png", picture())])
    db.session.add(ProductProposal(producer_id=other.id, product_id=draft.id, payload={"name": "x"}))
    db.session.commit()
    assert names_in_list(staff_client.get("/staff/products")) == ["Kain Lama", "Selendang Songket", "Keripik Sanjai"]
    assert names_in_list(staff_client.get(f"/staff/products?q={shelf_product.variants[1].sku.lower()}")) == [
        "Keripik Sanjai"]
    assert names_in_list(staff_client.get("/staff/products?producer=tarusan")) == ["Kain Lama", "Selendang Songket"]
    assert names_in_list(staff_client.get(f"/staff/products?producer_id={other.id}&status=draft")) == [
        "Selendang Songket"]
    assert names_in_list(staff_client.get("/staff/products?category=kuliner")) == ["Keripik Sanjai"]
    assert names_in_list(staff_client.get("/staff/products?status=archived")) == ["Kain Lama"]
    assert names_in_list(staff_client.get("/staff/products?attention=no_photo")) == ["Selendang Songket"]
    assert names_in_list(staff_client.get("/staff/products?attention=pending_proposal")) == ["Selendang Songket"]
    row = re.search(r"Selendang Songket.*?</tr>", staff_client.get("/staff/products").get_data(as_text=True), re.S)
    assert "tanpa foto" in row.group(0) and "usulan menunggu" in row.group(0) and "Draf" in row.group(0)
    shown = staff_client.get("/staff/products?q=sanjai").get_data(as_text=True)
    assert "Rp\u00a025.000–Rp\u00a045.000" in shown and re.search(r'data-label="Di rak">10<', shown)
    warned = staff_client.get("/staff/products?status=sold&attention=nope")
    assert "Sebagian filter tidak dikenal dan diabaikan." in warned.get_data(as_text=True)


def test_the_list_runs_the_same_statements_for_a_page_of_3_as_for_a_page_of_50(staff_client, make):
    producer = make.producer()
    for _ in range(3):
        product = make.product(producer, variants=[("S", 10_000, 100), ("M", 12_000, 100)])
        make.stock(product.variants[0], 2)
    few = statements_for(staff_client, "/staff/products")
    deeper = statements_for(staff_client, "/staff/products?attention=any&q=produk")
    for n in range(60):
        product = make.product(producer, variants=[("S", 10_000, 100), ("M", 12_000, 100), ("L", 14_000, 100)])
        make.stock(product.variants[1], 1)
        add_photos(product, [Upload("a.png", picture(size=(200, 200)))]) if n % 2 else None
    assert statements_for(staff_client, "/staff/products") == few
    assert statements_for(staff_client, "/staff/products?page=2") == few
    assert statements_for(staff_client, "/staff/products?attention=any&q=produk") == deeper


@pytest.mark.parametrize("path", ["/staff/products", "/staff/products/new", "/staff/products/1/edit",
                                  "/staff/products/1/history", "/staff/products/import", "/staff/products/export.csv",
                                  "/staff/products/proposals", "/staff/products/proposals/1"])
def test_only_staff_and_admins_reach_the_catalogue_screens(client, make, path):
    assert client.get(path).status_code == 302  # anonymous: to the login page
    for role in (Role.CUSTOMER, Role.PRODUCER):
        other = client.application.test_client()
        make.login(other, make.user(role, producer=make.producer() if role == Role.PRODUCER else None))
        assert other.get(path).status_code == 403, role


def test_posts_without_the_csrf_token_are_refused(staff_client, make, shelf_product):
    data = edit_data(staff_client, shelf_product, name="Tanpa Token")
    data.pop("csrf_token")
    assert staff_client.post(f"/staff/products/{shelf_product.id}/edit", data=data).status_code == 400
    assert db.session.get(Product, shelf_product.id).name == "Keripik Sanjai"
