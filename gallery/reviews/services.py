"""The rules of reviews: who may write one, staff's decision, the producer's single reply.

A review is written from the order's own page (its private link, or the signed-in customer who placed
it) for a line of an online order that is completed, once per line (UNIQUE order_line_id). Its photo, if
any, is re-encoded like a product photo (gallery.catalog.images: nothing of the upload is kept). A new
review waits for staff: published, it shows on the product page; hidden, it shows nowhere, and staff say
why. The producer of the product may reply once to a published review. Each function flushes; the view
commits.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from gallery import clock
from gallery.accounts.models import User
from gallery.catalog.images import store_image
from gallery.errors import DomainError, NotFound
from gallery.extensions import db
from gallery.orders.models import Channel, Order, OrderLine, OrderStatus
from gallery.reviews.models import Review, ReviewStatus

MAX_BODY = 2000
MAX_REPLY = 1000


def author_name(contact_name: str) -> str:
    """How a shopper is named under a review: the first name and the last name's initial ("Siti R.")."""
    words = (contact_name or "").split()
    if not words:
        return str(_l("Pembeli"))
    shown = words[0][:40] + (f" {words[-1][0].upper()}." if len(words) > 1 else "")
    return shown[:60]


def reviewable(order: Order) -> bool:
    """Whether the order's lines may be reviewed: an online order that is completed."""
    return order.channel == Channel.ONLINE and order.status == OrderStatus.COMPLETED


def line_of(order: Order, line_id: int) -> OrderLine:
    """One line of the order, or NotFound."""
    line = next((line for line in order.lines if line.id == line_id), None)
    if line is None:
        raise NotFound(_l("Barang ini tidak ada di pesanan."))
    return line


def review_of_line(line_id: int) -> Review | None:
    return db.session.scalar(select(Review).where(Review.order_line_id == line_id))


def write_review(order: Order, line_id: int, *, rating: int, body: str = "", photo: bytes | None = None,
                 customer: User | None = None) -> Review:
    """Record the shopper's rating of one line, waiting for staff (flushes)."""
    line = line_of(order, line_id)
    if not reviewable(order):
        raise DomainError(_l("Ulasan bisa ditulis setelah pesanan selesai."), field="rating")
    if review_of_line(line.id) is not None:
        raise DomainError(_l("Barang ini sudah Anda ulas."), field="rating")
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise DomainError(_l("Pilih bintang 1 sampai 5."), field="rating")
    body = (body or "").strip()
    if len(body) > MAX_BODY:
        raise DomainError(_l("Ulasan paling banyak %(n)s huruf.", n=MAX_BODY), field="body")
    review = Review(order_line_id=line.id, order_id=order.id, product_id=line.variant.product_id,
                    producer_id=line.producer_id, customer_id=customer.id if customer else None,
                    author_name=author_name(order.contact_name), rating=rating, body=body,
                    status=ReviewStatus.PENDING, created_at=clock.utcnow())
    if photo:
        try:
            stored = store_image(photo)
        except DomainError as error:
            raise DomainError(error.message, field="photo") from None
        review.photo_key, review.photo_width, review.photo_height = stored.key, stored.width, stored.height
    try:
        # In a savepoint: when the same form was sent twice at once and the other one was recorded, only
        # this insert is undone, never the caller's transaction.
        with db.session.begin_nested():
            db.session.add(review)
    except IntegrityError:
        raise DomainError(_l("Barang ini sudah Anda ulas."), field="rating") from None
    return review


def moderate(review: Review, *, publish: bool, reason: str = "", user: User) -> Review:
    """Staff publish a review (it shows on the product page) or hide it, saying why (flushes)."""
    reason = (reason or "").strip()
    if not publish and len(reason) < 3:
        raise DomainError(_l("Tulis alasan menyembunyikan ulasan ini."), field="reason")
    if len(reason) > 300:
        raise DomainError(_l("Alasan paling banyak 300 huruf."), field="reason")
    review.status = ReviewStatus.PUBLISHED if publish else ReviewStatus.HIDDEN
    review.moderation_reason = reason
    review.moderated_at, review.moderated_by_id = clock.utcnow(), user.id
    # The cached product page follows: `reviews` is a table the catalogue version watches.
    db.session.flush()
    return review


def review_for_producer(review_id: int, producer_id: int) -> Review:
    """A review of one of the producer's products that it may see (not hidden), or NotFound."""
    review = db.session.get(Review, review_id)
    if review is None or review.producer_id != producer_id or review.status == ReviewStatus.HIDDEN:
        raise NotFound(_l("Ulasan tidak ditemukan."))
    return review


def reply(review_id: int, producer_id: int, text: str, *, user: User) -> Review:
    """The producer answers a published review of its product, once (a conditional UPDATE: of two replies
    sent at once only one is recorded); flushes."""
    review = review_for_producer(review_id, producer_id)
    text = (text or "").strip()
    if review.status != ReviewStatus.PUBLISHED:
        raise DomainError(_l("Balasan bisa ditulis setelah ulasannya tayang."), field="reply")
    if not 2 <= len(text) <= MAX_REPLY:
        raise DomainError(_l("Balasan 2 sampai %(n)s huruf.", n=MAX_REPLY), field="reply")
    replied = db.session.execute(
        update(Review).where(Review.id == review.id, Review.reply.is_(None))
        .values(reply=text, replied_at=clock.utcnow(), replied_by_id=user.id)
        .execution_options(synchronize_session=False)).rowcount
    if replied != 1:  # nothing was written
        raise DomainError(_l("Ulasan ini sudah Anda balas; balasan hanya sekali."), field="reply")
    db.session.refresh(review)
    return review
