"""Reviews: only from completed orders, one per order line, moderated by staff, answered once by the producer."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from gallery.accounts.models import Role
from gallery.errors import DomainError, NotFound
from gallery.extensions import db
from gallery.orders.placing import CartLine
from tests.edges import mark_picked_up
from tests.edges import place_order
from tests.edges import pay_at_desk
from gallery.reviews import services
from gallery.reviews.models import Review, ReviewStatus
from tests.factories import csrf_token
from tests.payments.conftest import SHOPPER
from tests.sqlcount import count_statements


@pytest.fixture
def rendang(make):
    product = make.product(name="Rendang Lokan", category="rendang", variants=[("250 g", 65_000, 300)])
    make.stock(product.variants[0], 20, payout=50_000)
    return product


@pytest.fixture
def staff(make):
    return make.user(Role.STAFF)


def completed_order(rendang, staff, quantity=1):
    order = place_order([CartLine(rendang.variants[0].id, quantity)], SHOPPER, fulfilment="pickup")
    pay_at_desk(order, "cash", user=staff)
    return mark_picked_up(order, user=staff)


def photo_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (150, 60, 30)).save(buffer, "JPEG", comment=b"camera secret")
    return buffer.getvalue()


def test_only_a_completed_order_can_be_reviewed_and_each_line_once(rendang, staff):
    waiting = place_order([CartLine(rendang.variants[0].id, 1)], SHOPPER, fulfilment="pickup")
    with pytest.raises(DomainError):
        services.write_review(waiting, waiting.lines[0].id, rating=5)
    order = completed_order(rendang, staff)
    review = services.write_review(order, order.lines[0].id, rating=4, body="Lokannya gurih, pedasnya pas.")
    assert (review.status, review.author_name, review.producer_id) == (ReviewStatus.PENDING, "Siti R.",
                                                                        rendang.producer_id)
    with pytest.raises(DomainError) as again:
        services.write_review(order, order.lines[0].id, rating=1)
    assert "sudah" in again.value.message
    with pytest.raises(NotFound):
        services.write_review(order, waiting.lines[0].id, rating=5)  # a line of another order
    with pytest.raises(DomainError):
        services.write_review(completed_order(rendang, staff), order.lines[0].id + 100, rating=6)


def test_the_shopper_reviews_from_the_order_page_with_a_re_encoded_photo(app, client, rendang, staff):
    order = completed_order(rendang, staff)
    page = client.get(f"/orders/{order.number}?t={order.access_token}").get_data(as_text=True)
    link = f"/orders/{order.number}/reviews/{order.lines[0].id}?t={order.access_token}"
    assert link.replace("?", "?") in page.replace("&amp;", "&")
    assert client.get(f"/orders/{order.number}/reviews/{order.lines[0].id}").status_code == 404  # no link
    token = csrf_token(client, link)
    response = client.post(f"/orders/{order.number}/reviews/{order.lines[0].id}", data={
        "t": order.access_token, "rating": "5", "body": "Enak sekali!", "csrf_token": token,
        "photo": (io.BytesIO(photo_bytes()), "rendang.jpg")}, content_type="multipart/form-data")
    assert response.status_code == 303
    review = db.session.scalar(select(Review))
    assert review.rating == 5 and review.photo_key
    from gallery.catalog.images import rendition_path

    stored = rendition_path(review.photo_key, "full", "jpg").read_bytes()
    assert b"camera secret" not in stored
    page = client.get(f"/orders/{order.number}?t={order.access_token}").get_data(as_text=True)
    assert "Ulasan Anda: 5 bintang" in page and "menunggu diperiksa" in page


def test_staff_publish_or_hide_with_a_reason_and_the_product_page_shows_only_published(client, make, rendang, staff):
    first, second, third = (completed_order(rendang, staff, quantity) for quantity in (1, 2, 1))
    liked = services.write_review(first, first.lines[0].id, rating=5, body="Mantap, dikirim rapi.")
    fine = services.write_review(second, second.lines[0].id, rating=4, body="Enak, agak asin.")
    rude = services.write_review(third, third.lines[0].id, rating=1, body="Iklan toko sebelah www.contoh.id")
    db.session.commit()
    page = client.get(f"/products/{rendang.slug}").get_data(as_text=True)
    assert "Mantap" not in page and "Terjual 4" in page  # nothing published yet; 4 units sold
    with pytest.raises(DomainError):
        services.moderate(rude, publish=False, reason="", user=staff)
    services.moderate(liked, publish=True, user=staff)
    services.moderate(fine, publish=True, user=staff)
    services.moderate(rude, publish=False, reason="Berisi iklan toko lain", user=staff)
    db.session.commit()
    assert (rude.status, rude.moderation_reason, rude.moderated_by_id) == (ReviewStatus.HIDDEN,
                                                                         "Berisi iklan toko lain", staff.id)
    page = client.get(f"/products/{rendang.slug}").get_data(as_text=True)
    assert "Mantap, dikirim rapi." in page and "Enak, agak asin." in page and "www.contoh.id" not in page
    assert "4,5" in page and "2 ulasan" in page
    make.login(client, staff)
    queue = client.get("/staff/reviews?status=hidden").get_data(as_text=True)
    assert "Berisi iklan toko lain" in queue


def test_staff_moderate_through_the_queue(client, make, rendang, staff):
    order = completed_order(rendang, staff)
    review = services.write_review(order, order.lines[0].id, rating=3)
    db.session.commit()
    make.login(client, staff)
    token = csrf_token(client, "/staff/reviews")
    refused = client.post(f"/staff/reviews/{review.id}/moderate", data={"action": "hide", "csrf_token": token})
    assert refused.status_code == 303 and db.session.get(Review, review.id).status == ReviewStatus.PENDING
    client.post(f"/staff/reviews/{review.id}/moderate", data={"action": "publish", "csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Review, review.id).status == ReviewStatus.PUBLISHED


def test_the_producer_sees_its_reviews_and_replies_once_but_never_to_another_producers(app, client, make, rendang,
                                                                                    staff):
    order = completed_order(rendang, staff)
    review = services.write_review(order, order.lines[0].id, rating=5, body="Suka!")
    owner = make.user(Role.PRODUCER, producer=rendang.producer)
    stranger = make.user(Role.PRODUCER, producer=make.producer("Tenun Lain"))
    with pytest.raises(DomainError):
        services.reply(review.id, rendang.producer_id, "Terima kasih!", user=owner)  # not published yet
    services.moderate(review, publish=True, user=staff)
    with pytest.raises(NotFound):
        services.reply(review.id, stranger.producer_id, "Bukan produk saya", user=stranger)
    db.session.commit()
    make.login(client, owner)
    assert "Suka!" in client.get("/portal/reviews").get_data(as_text=True)
    token = csrf_token(client, "/portal/reviews")
    client.post(f"/portal/reviews/{review.id}/reply", data={"reply": "Terima kasih, Bu Siti!", "csrf_token": token})
    client.post(f"/portal/reviews/{review.id}/reply", data={"reply": "Balasan kedua", "csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Review, review.id).reply == "Terima kasih, Bu Siti!"
    assert "Terima kasih, Bu Siti!" in client.get(f"/products/{rendang.slug}").get_data(as_text=True)
    other = app.test_client()
    make.login(other, stranger)
    assert other.post(f"/portal/reviews/{review.id}/reply",
                      data={"reply": "Iseng", "csrf_token": csrf_token(other, "/portal/reviews")}).status_code == 404


def test_the_product_page_reads_reviews_in_the_same_statements_for_one_or_many(client, rendang, staff):
    def page_statements():
        with count_statements() as statements:
            assert client.get(f"/products/{rendang.slug}").status_code == 200
        return len(statements)

    order = completed_order(rendang, staff)
    services.moderate(services.write_review(order, order.lines[0].id, rating=5), publish=True, user=staff)
    db.session.commit()
    few = page_statements()
    for _ in range(6):
        order = completed_order(rendang, staff)
        services.moderate(services.write_review(order, order.lines[0].id, rating=4, body="Enak"), publish=True,
                          user=staff)
        db.session.commit()
    assert page_statements() == few


def test_a_review_photo_outlives_a_product_photo_of_the_same_picture(rendang, staff):
    from gallery.catalog.images import rendition_path, store_image
    from gallery.catalog.models import ProductImage
    from gallery.catalog.photos import remove_photo

    order = completed_order(rendang, staff)
    review = services.write_review(order, order.lines[0].id, rating=5, photo=photo_bytes())
    same = store_image(photo_bytes())  # the shop used the shopper's picture for the product too
    assert same.key == review.photo_key
    image = ProductImage(product_id=rendang.id, key=same.key, alt="Rendang", width=same.width, height=same.height)
    db.session.add(image)
    db.session.commit()
    remove_photo(rendang, image.id, user=staff)
    assert rendition_path(review.photo_key, "thumb", "jpg").is_file()
