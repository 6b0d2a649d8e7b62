"""Demo reviews: what shoppers of the demo's completed orders said, most published, one waiting for staff,
and the demo producer's reply, written through the real services."""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gallery import clock
from gallery.accounts.models import User
from gallery.extensions import db
from gallery.orders.models import Channel, Order, OrderStatus
from gallery.reviews import services

# (rating, words) a shopper might leave, in the shop's language.
SAYINGS = [
    (5, "Enak sekali, persis seperti yang dibeli di Painan. Paketnya rapi dan sampai cepat."),
    (5, "Kualitasnya bagus, sesuai foto. Pasti pesan lagi untuk oleh-oleh keluarga."),
    (4, "Rasanya mantap, hanya kemasannya agak penyok waktu sampai."),
    (5, "Pembuatnya ramah, barangnya asli buatan tangan. Terima kasih Galeri!"),
    (4, "Bagus dan harganya wajar. Pengiriman lewat Pos sesuai estimasi."),
    (3, "Lumayan, tapi saya kira ukurannya lebih besar."),
    (5, ""),
]


def load_demo_reviews(rng: random.Random, staff: User, producer_user: User) -> int:
    """Review some lines of completed online orders; returns how many reviews were written."""
    orders = db.session.scalars(
        select(Order).options(selectinload(Order.lines))
        .where(Order.channel == Channel.ONLINE, Order.status == OrderStatus.COMPLETED)
        .order_by(Order.completed_at.desc(), Order.id.desc()).limit(14)).all()
    now = clock.utcnow()
    written = 0
    try:
        for index, order in enumerate(orders):
            # Written a day or two after the goods arrived, checked by staff the next day.
            clock.freeze(min(now, order.completed_at + timedelta(days=rng.randint(1, 2), hours=rng.randint(1, 9))))
            rating, words = rng.choice(SAYINGS)
            review = services.write_review(order, order.lines[0].id, rating=rating, body=words)
            written += 1
            if index == 0:
                continue  # the newest waits for staff, so the queue has something to show
            clock.freeze(min(now, clock.utcnow() + timedelta(days=1)))
            services.moderate(review, publish=True, user=staff)
            if producer_user.producer_id == review.producer_id:
                services.reply(review.id, review.producer_id, "Terima kasih sudah berbelanja, semoga cocok!",
                               user=producer_user)
    finally:
        clock.freeze(None)
    return written
