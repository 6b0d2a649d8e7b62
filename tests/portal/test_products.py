"""Producers' products and proposals: /portal/products, staff review at /staff/products/proposals, isolation."""
import io
import re

import pytest
from flask import current_app
from sqlalchemy import func, select

from gallery.accounts.models import Role
from gallery.catalog import proposals
from gallery.catalog.models import Product, ProductImage, ProductStatus
from gallery.catalog.proposal_models import ProductProposal, ProposalImage, ProposalStatus
from gallery.catalog.proposals import ProposalInput, ProposedVariant
from gallery.errors import DomainError, NotFound
from gallery.extensions import db
from tests.catalog.test_images import picture
from tests.catalog.test_listing import names_on
from tests.factories import csrf_token


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def outbox() -> list:
    return getattr(current_app.extensions["mailman"], "outbox", [])


def errors_of(response) -> str:
    return " ".join(re.findall(r'<ul class="errors"[^>]*>(.*?)</ul>', response.get_data(as_text=True), re.S))


@pytest.fixture
def amak(make):
    producer = make.producer("Rendang Lokan Amak Painan")
    make.certificate(producer, "pirt", "2061301010123-29")
    return producer


@pytest.fixture
def amak_user(make, amak):
    return make.user(Role.PRODUCER, email="produsen@galeri.test", producer=amak)


@pytest.fixture
def producer_client(client, make, amak_user):
    make.login(client, amak_user)
    return client


@pytest.fixture
def staff_client(app, make):
    client = app.test_client()
    make.login(client, make.user(Role.STAFF))
    return client


def propose_new(client, make, amak, **changes):
    data = {
        "name": "Rendang Paru", "category_id": str(make.category("rendang").id),
        "description": "Paru sapi iris tipis.", "pirt_certificate_id": str(amak.certificates[0].id),
        "new_variants-0-label": "250 g", "new_variants-0-price": "80.000", "new_variants-0-weight_grams": "300",
        "new_variants-0-net_content": "250 g", "note": "Produk baru untuk lebaran.",
        "csrf_token": csrf_token(client, "/portal/products/propose"),
        "photos": [(io.BytesIO(picture("JPEG", colour=(120, 30, 20))), "paru.jpg")],
    }
    data.update(changes)
    return client.post("/portal/products/propose", data={k: v for k, v in data.items() if v is not None},
                       content_type="multipart/form-data")


def test_a_producer_proposes_a_product_with_a_photo_staff_approve_and_it_is_on_sale(producer_client, staff_client,
                                                                                   client, make, amak):
    response = propose_new(producer_client, make, amak)
    assert response.status_code == 302
    proposal = db.session.scalar(select(ProductProposal))
    assert response.headers["Location"] == f"/portal/products/proposals/{proposal.id}"
    # Nothing reaches the shop before staff approve.
    assert count(Product) == 0 and len(proposal.images) == 1
    assert "Menunggu keputusan staf" in producer_client.get(response.headers["Location"]).get_data(as_text=True)

    queue = staff_client.get("/staff/products/proposals").get_data(as_text=True)
    assert "Rendang Paru" in queue and "Rendang Lokan Amak Painan" in queue
    page = staff_client.get(f"/staff/products/proposals/{proposal.id}").get_data(as_text=True)
    assert "Produk baru untuk lebaran." in page and "Rp\u00a080.000" in page and "2061301010123-29" in page
    token = csrf_token(staff_client, f"/staff/products/proposals/{proposal.id}")
    sent = len(outbox())
    response = staff_client.post(f"/staff/products/proposals/{proposal.id}/approve", data={"approve-csrf_token": token})
    assert response.status_code == 302
    product = db.session.scalar(select(Product))
    assert response.headers["Location"] == f"/staff/products/{product.id}/edit"
    assert (product.name, product.status, product.pirt_number) == ("Rendang Paru", ProductStatus.PUBLISHED,
                                                                    "2061301010123-29")
    assert [(v.label, v.price, v.net_content) for v in product.variants] == [("250 g", 80_000, "250 g")]
    assert len(product.images) == 1
    assert names_on(client.get("/products?q=paru")) == ["Rendang Paru"]
    mail = outbox()[sent:]
    assert [m.to for m in mail] == [["produsen@galeri.test"]]
    assert "disetujui" in mail[0].subject and "Rendang Paru" in mail[0].body
    assert "Disetujui dan tayang" in producer_client.get(f"/portal/products/proposals/{proposal.id}").get_data(
        as_text=True)


def test_another_producer_gets_404_on_the_proposal_and_the_product(app, make, producer_client, amak):
    propose_new(producer_client, make, amak)
    proposal = db.session.scalar(select(ProductProposal))
    own = make.product(amak, name="Rendang Lokan", category="rendang")
    other = app.test_client()
    make.login(other, make.user(Role.PRODUCER, producer=make.producer("Songket Tarusan")))
    assert other.get(f"/portal/products/proposals/{proposal.id}").status_code == 404
    assert other.get(f"/portal/products/{own.id}/propose").status_code == 404
    token = csrf_token(other, "/portal/products/propose")
    assert other.post(f"/portal/products/proposals/{proposal.id}", data={"csrf_token": token}).status_code == 404
    assert other.post(f"/portal/products/{own.id}/propose", data={"csrf_token": token}).status_code == 404
    listing = other.get("/portal/products").get_data(as_text=True)
    assert "Rendang Paru" not in listing and "Rendang Lokan" not in listing


def test_a_producer_cannot_publish_or_decide(make, producer_client, amak, amak_user):
    propose_new(producer_client, make, amak)
    proposal = db.session.scalar(select(ProductProposal))
    token = csrf_token(producer_client, "/portal/products")
    for decision in ("approve", "changes", "reject"):
        response = producer_client.post(f"/staff/products/proposals/{proposal.id}/{decision}",
                                        data={f"{decision}-csrf_token": token})
        assert response.status_code == 403
    with pytest.raises(DomainError):
        proposals.approve(proposal, user=amak_user)
    db.session.rollback()
    assert proposal.status == ProposalStatus.PENDING and count(Product) == 0


def test_a_producer_sees_all_its_products_whatever_their_status(make, producer_client, amak):
    make.product(amak, name="Rendang Lokan", category="rendang")
    make.product(amak, name="Dendeng Draf", category="rendang", published=False)
    page = producer_client.get("/portal/products").get_data(as_text=True)
    assert "Rendang Lokan" in page and "Dendeng Draf" in page and "Draf" in page and "Tayang" in page


def test_staff_ask_for_changes_the_producer_revises_and_staff_approve(make, producer_client, staff_client, amak):
    propose_new(producer_client, make, amak)
    proposal = db.session.scalar(select(ProductProposal))
    path = f"/staff/products/proposals/{proposal.id}"
    token = csrf_token(staff_client, path)
    response = staff_client.post(f"{path}/changes", data={"changes-csrf_token": token, "changes-comment": ""})
    assert response.status_code == 422 and "Tulis apa yang perlu diubah produsen." in errors_of(response)
    sent = len(outbox())
    response = staff_client.post(f"{path}/changes", data={"changes-csrf_token": token,
                                                          "changes-comment": "Tambahkan ukuran 500 g."})
    assert response.status_code == 302
    assert "perlu diubah" in outbox()[sent].subject and "Tambahkan ukuran 500 g." in outbox()[sent].body
    page = producer_client.get(f"/portal/products/proposals/{proposal.id}").get_data(as_text=True)
    assert "Staf meminta perubahan" in page and "Tambahkan ukuran 500 g." in page
    own_path = f"/portal/products/proposals/{proposal.id}"
    response = producer_client.post(own_path, data={
        "csrf_token": csrf_token(producer_client, own_path), "name": "Rendang Paru",
        "category_id": str(make.category("rendang").id), "pirt_certificate_id": str(amak.certificates[0].id),
        "new_variants-0-label": "250 g", "new_variants-0-price": "80000", "new_variants-0-weight_grams": "300",
        "new_variants-1-label": "500 g", "new_variants-1-price": "150000", "new_variants-1-weight_grams": "560",
    })
    assert response.status_code == 302
    db.session.expire_all()
    assert proposal.status == ProposalStatus.PENDING and len(proposal.payload["new_variants"]) == 2
    staff_client.post(f"{path}/approve", data={"approve-csrf_token": token})
    product = db.session.scalar(select(Product))
    assert [v.label for v in product.variants] == ["250 g", "500 g"] and product.published


def test_a_rejected_proposal_tells_the_producer_why_and_drops_its_photos(make, producer_client, staff_client, amak):
    propose_new(producer_client, make, amak)
    proposal = db.session.scalar(select(ProductProposal))
    path = f"/staff/products/proposals/{proposal.id}"
    response = staff_client.post(f"{path}/reject", data={"reject-csrf_token": csrf_token(staff_client, path),
                                                         "reject-comment": "Sudah ada produk yang sama."})
    assert response.status_code == 302
    assert "ditolak" in outbox()[-1].subject
    assert count(ProposalImage) == 0 and count(Product) == 0
    page = producer_client.get(f"/portal/products/proposals/{proposal.id}").get_data(as_text=True)
    assert "Ditolak" in page and "Sudah ada produk yang sama." in page
    listing = producer_client.get("/portal/products").get_data(as_text=True)
    assert "ditolak" in listing and "Sudah ada produk yang sama." in listing


def test_a_change_proposal_asks_prices_adds_a_variant_and_photos_shown_side_by_side(make, producer_client,
                                                                                    staff_client, amak):
    product = make.product(amak, name="Rendang Lokan", category="rendang",
                           variants=[("250 g", 85_000, 300), ("500 g", 160_000, 560)])
    small, large = product.variants
    path = f"/portal/products/{product.id}/propose"
    page = producer_client.get(path).get_data(as_text=True)
    assert 'value="85000"' in page and 'value="Rendang Lokan"' in page
    response = producer_client.post(path, data={
        "csrf_token": csrf_token(producer_client, path), "name": "Rendang Lokan Painan",
        "category_id": str(product.category_id), "pirt_certificate_id": str(product.pirt_certificate_id),
        "description": product.description,
        "prices-0-variant_id": str(small.id), "prices-0-price": "90.000",
        "prices-1-variant_id": str(large.id), "prices-1-price": "160000",
        "new_variants-0-label": "1 kg", "new_variants-0-price": "300000", "new_variants-0-weight_grams": "1100",
        "photos": [(io.BytesIO(picture(colour=(9, 99, 9))), "baru.png")],
    }, content_type="multipart/form-data")
    assert response.status_code == 302, errors_of(response)
    proposal = db.session.scalar(select(ProductProposal))
    assert proposal.payload["prices"] == {str(small.id): 90_000}  # unchanged prices are not asked for
    review = staff_client.get(f"/staff/products/proposals/{proposal.id}").get_data(as_text=True)
    assert re.search(r'<tr class="changed">\s*<th scope="row">Nama</th>\s*<td>Rendang Lokan</td>\s*'
                     r'<td><strong>Rendang Lokan Painan</strong></td>', review)
    assert "Rp\u00a085.000" in review and "Rp\u00a090.000" in review and "1 kg" in review
    # The shop still shows the current product until staff approve.
    assert db.session.get(Product, product.id).name == "Rendang Lokan"
    staff_client.post(f"/staff/products/proposals/{proposal.id}/approve",
                      data={"approve-csrf_token": csrf_token(staff_client, f"/staff/products/proposals/{proposal.id}")})
    db.session.expire_all()
    assert product.name == "Rendang Lokan Painan"
    assert [(v.label, v.price) for v in product.variants] == [("250 g", 90_000), ("500 g", 160_000), ("1 kg", 300_000)]
    assert len(product.images) == 1
    assert product.variants[0].id == small.id


def test_a_second_open_proposal_for_the_same_product_goes_to_the_open_one(make, producer_client, amak, amak_user):
    product = make.product(amak, name="Rendang Lokan", category="rendang")
    first = proposals.propose(amak, ProposalInput(name="Rendang Lokan Baru", category_id=product.category_id,
                                                  pirt_certificate_id=product.pirt_certificate_id),
                              user=amak_user, product=product)
    db.session.commit()
    response = producer_client.get(f"/portal/products/{product.id}/propose")
    assert response.status_code == 302 and response.headers["Location"] == f"/portal/products/proposals/{first.id}"
    with pytest.raises(DomainError, match="masih terbuka"):
        proposals.propose(amak, ProposalInput(name="Lain", category_id=product.category_id,
                                              pirt_certificate_id=product.pirt_certificate_id),
                          user=amak_user, product=product)


@pytest.mark.parametrize(("changes", "message"), [
    ({"name": ""}, "Nama produk wajib diisi."),
    ({"category_id": ""}, "Pilih sub-kategori produk."),
    ({"new_variants-0-label": "", "new_variants-0-price": "", "new_variants-0-weight_grams": ""},
     "Isi minimal satu varian"),
    ({"new_variants-0-price": "0"}, "Harga harus rupiah bulat lebih dari nol."),
    ({"photos": [(io.BytesIO(b"<svg/>"), "logo.svg")]}, "logo.svg:"),
])
def test_a_bad_proposal_is_refused_with_a_message_and_nothing_is_saved(make, producer_client, amak, changes, message):
    response = propose_new(producer_client, make, amak, **changes)
    assert response.status_code == 422
    assert message in errors_of(response)
    assert (count(ProductProposal), count(ProposalImage), count(ProductImage)) == (0, 0, 0)


def test_a_producer_cannot_name_another_producers_certificate_or_variant(make, amak, amak_user):
    other = make.producer()
    theirs = make.certificate(other, "halal", "ID13110000123450123")
    foreign = make.product(other)
    with pytest.raises(DomainError, match="sertifikat produsen ini"):
        proposals.propose(amak, ProposalInput(name="Rendang", category_id=make.category("rendang").id,
                                              halal_certificate_id=theirs.id,
                                              new_variants=[ProposedVariant("S", 10_000, 100)]), user=amak_user)
    with pytest.raises(NotFound):
        proposals.propose(amak, ProposalInput(name="x", category_id=foreign.category_id), user=amak_user,
                          product=foreign)
    with pytest.raises(NotFound):
        proposals.proposal_for_producer(999, amak.id)


def test_a_staff_decision_on_an_approval_that_breaks_a_rule_shows_it_and_keeps_the_proposal(make, producer_client,
                                                                                         staff_client, amak):
    propose_new(producer_client, make, amak)
    proposal = db.session.scalar(select(ProductProposal))
    amak.certificates[0].valid_until = amak.certificates[0].valid_until.replace(year=2020)  # the P-IRT lapsed since
    db.session.commit()
    path = f"/staff/products/proposals/{proposal.id}"
    response = staff_client.post(f"{path}/approve", data={"approve-csrf_token": csrf_token(staff_client, path)})
    assert response.status_code == 422 and "sudah tidak berlaku" in response.get_data(as_text=True)
    db.session.expire_all()
    assert proposal.status == ProposalStatus.PENDING and count(Product) == 0
