"""The catalogue journey over HTTP, as people do it: a new producer's goods go on sale and sell, and a
producer's proposal reaches the shop only through staff."""
import io
import re

from sqlalchemy import select

from gallery.accounts.models import Role
from gallery.catalog.models import Producer, Product
from gallery.catalog.proposal_models import ProductProposal
from gallery.consignment.services import sellable_quantity
from gallery.extensions import db
from gallery.orders.models import Order
from tests.catalog.test_images import picture
from tests.catalog.test_product_page import food_facts
from tests.factories import csrf_token
from tests.orders.test_checkout import ADDRESS, CONTACT, DISTRICT, PROVINCE, REGENCY, add, submit

PRODUCER = {
    "business_name": "Galamai Uni Yet", "owner_name": "Yetti", "kecamatan_code": "13.01.05", "classification_id": "",
    "size_class": "mikro", "whatsapp": "0812 7777 1234", "address": "Jl. Imam Bonjol 3, Painan", "story": "Galamai.",
    "bank_name": "Bank Nagari", "bank_account_number": "1234567890", "bank_account_holder": "Yetti",
    "commission": "20",
}


def post(client, path, data, token_from=None, **kwargs):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, token_from or path)}, **kwargs)


def test_staff_put_a_new_producers_goods_on_sale_and_a_guest_buys_one(app, client, make, tariff):
    staff = app.test_client()
    make.login(staff, make.user(Role.STAFF))
    # A new producer with its P-IRT and halal certificates.
    assert post(staff, "/staff/producers/new", PRODUCER).status_code == 302
    producer = db.session.scalar(select(Producer))
    detail = f"/staff/producers/{producer.id}"
    for kind, number, until in (("pirt", "P-IRT No. 2061301020045-29", ""), ("halal", "ID13110000555000123", "2028-03-12")):
        response = post(staff, f"{detail}/certificates", {"kind": kind, "number": number, "valid_until": until},
                        token_from=detail)
        assert response.status_code == 302
    db.session.expire_all()
    pirt, halal = sorted(producer.certificates, key=lambda cert: cert.kind != "pirt")
    # A product with two variants and three photos, published at once.
    new = f"/staff/products/new?producer={producer.id}"
    assert "Galamai Uni Yet" in staff.get(new).get_data(as_text=True)
    response = post(staff, new, {
        "name": "Galamai Pesisir", "category_id": str(make.category("kue-tradisional").id), "status": "published",
        "description": "Dodol Minang dari ketan dan gula saka.", "pirt_certificate_id": str(pirt.id),
        "halal_certificate_id": str(halal.id), "storage_note": "Simpan di tempat sejuk.",
        "variants-0-label": "250 g", "variants-0-price": "30.000", "variants-0-weight_grams": "300",
        "variants-0-net_content": "250 g", "variants-0-is_active": "y",
        "variants-1-label": "500 g", "variants-1-price": "55.000", "variants-1-weight_grams": "560",
        "variants-1-net_content": "500 g", "variants-1-is_active": "y",
        "photos": [(io.BytesIO(picture("JPEG", colour=(110 + 40 * n, 60, 20))), f"galamai-{n}.jpg") for n in range(3)],
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    product = db.session.scalar(select(Product))
    small, large = product.variants
    # Ten units of the 250 g arrive on a consignment receipt.
    receipt_path = f"/staff/receipts/new?producer={producer.id}"
    response = post(staff, receipt_path, {"lines-0-variant_id": str(small.id), "lines-0-quantity": "10",
                                          "lines-0-expires_on": "2099-01-31", "lines-0-unit_payout": ""})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert sellable_quantity(small.id) == 10

    # The shopper sees photos with srcset, the prices and the certificates with their validity.
    page = client.get(f"/products/{product.slug}")
    html = page.get_data(as_text=True)
    assert html.count("srcset=") >= 2 and all(f"/media/products/{image.key}-" in html for image in product.images)
    assert "Rp\u00a030.000" in html and "Rp\u00a055.000" in html
    facts = food_facts(page)
    assert facts["P-IRT"] == "P-IRT No. 2061301020045-29 · berlaku s.d. 31 Desember 2029"
    assert facts["Sertifikat halal"] == "ID13110000555000123 · berlaku s.d. 12 Maret 2028"
    assert 'badge-halal">Halal<' in html

    # A guest buys one, delivered to Jakarta.
    add(client, small, 1)
    page = client.get("/checkout")
    page = submit(client, page, "refresh", province_code=PROVINCE, **CONTACT)
    page = submit(client, page, "refresh", regency_code=REGENCY)
    page = submit(client, page, "refresh", district_code=DISTRICT, **ADDRESS)
    response = submit(client, page, "place")
    assert response.status_code == 303
    order = db.session.scalar(select(Order))
    assert [(line.sku, line.quantity, line.unit_price) for line in order.lines] == [(small.sku, 1, 30_000)]
    assert sellable_quantity(small.id) == 9


def test_a_producer_proposes_staff_approve_and_another_producer_cannot_see_it(app, client, make):
    producer = make.producer("Rendang Lokan Amak Painan")
    make.certificate(producer, "pirt", "2061301010123-29")
    own = app.test_client()
    make.login(own, make.user(Role.PRODUCER, email="produsen@galeri.test", producer=producer))
    response = post(own, "/portal/products/propose", {
        "name": "Rendang Belut", "category_id": str(make.category("rendang").id),
        "pirt_certificate_id": str(producer.certificates[0].id),
        "new_variants-0-label": "200 g", "new_variants-0-price": "75000", "new_variants-0-weight_grams": "250",
        "photos": [(io.BytesIO(picture("JPEG")), "belut.jpg")],
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    proposal = db.session.scalar(select(ProductProposal))
    assert client.get("/products/rendang-belut").status_code == 404  # not before staff approve

    staff = app.test_client()
    make.login(staff, make.user(Role.STAFF))
    review = f"/staff/products/proposals/{proposal.id}"
    assert post(staff, f"{review}/approve", {}, token_from=review).status_code == 302
    page = client.get("/products/rendang-belut").get_data(as_text=True)
    assert "Rendang Belut" in page and "Rp\u00a075.000" in page and re.search(r"/media/products/\w+-full\.jpg", page)

    other = app.test_client()
    make.login(other, make.user(Role.PRODUCER, producer=make.producer("Songket Tarusan")))
    assert other.get(f"/portal/products/proposals/{proposal.id}").status_code == 404
