"""What the pages show of reviews: the product page's block, staff's queue, a producer's reviews, an order's.

Each reads a fixed number of statements whatever the number of reviews.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from gallery.extensions import db
from gallery.orders.sales import units_sold_by_product
from gallery.reviews.models import Review, ReviewStatus

LATEST_ON_PRODUCT_PAGE = 5
PER_PAGE = 50


@dataclass(frozen=True)
class ProductReviews:
    """The product page's trust signals: published reviews' average and count, the latest ones, units sold."""

    count: int
    average: float | None
    latest: list[Review]
    sold: int

    @property
    def average_text(self) -> str:
        """The average with one decimal and a comma, as Indonesians write it ("4,7")."""
        return f"{self.average:.1f}".replace(".", ",") if self.average is not None else ""


def product_reviews(product_id: int) -> ProductReviews:
    """The product page's review block (three statements)."""
    shown = (Review.product_id == product_id, Review.status == ReviewStatus.PUBLISHED)
    count, average = db.session.execute(select(func.count(Review.id), func.avg(Review.rating)).where(*shown)).one()
    latest = list(db.session.scalars(select(Review).where(*shown)
                                     .order_by(Review.created_at.desc(), Review.id.desc())
                                     .limit(LATEST_ON_PRODUCT_PAGE))) if count else []
    return ProductReviews(int(count or 0), float(average) if average is not None else None, latest,
                          units_sold_by_product([product_id]).get(product_id, 0))


def reviews_of_order(order_id: int) -> dict[int, Review]:
    """The order's reviews by order line (one statement)."""
    return {review.order_line_id: review
            for review in db.session.scalars(select(Review).where(Review.order_id == order_id))}


def status_counts(producer_id: int | None = None) -> dict[str, int]:
    query = select(Review.status, func.count()).group_by(Review.status)
    if producer_id is not None:
        query = query.where(Review.producer_id == producer_id)
    return dict(db.session.execute(query).all())


def reviews_page(status: str, page: int, *, producer_id: int | None = None) -> list[Review]:
    """One page of reviews in a status, newest first, with product and producer (two statements)."""
    query = (select(Review).options(selectinload(Review.product), selectinload(Review.producer))
             .where(Review.status == status))
    if producer_id is not None:
        query = query.where(Review.producer_id == producer_id)
    return list(db.session.scalars(query.order_by(Review.created_at.desc(), Review.id.desc())
                                   .limit(PER_PAGE).offset((page - 1) * PER_PAGE)))


def producer_reviews(producer_id: int) -> list[Review]:
    """The producer's reviews it may see (published and waiting; not hidden), newest first (two statements)."""
    return list(db.session.scalars(
        select(Review).options(selectinload(Review.product))
        .where(Review.producer_id == producer_id, Review.status != ReviewStatus.HIDDEN)
        .order_by(Review.created_at.desc(), Review.id.desc()).limit(200)))
