"""Reminding shoppers of an unpaid order before its deadline gives its stock back (`flask orders remind`).

Each order is reminded once (the outbox's dedupe key), when its deadline is within PAYMENT_REMINDER_HOURS,
and only if it was placed at least an hour before: a shopper who just ordered needs no reminder yet.
Cash-on-delivery orders have no deadline and are never reminded.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gallery import clock
from gallery.extensions import db
from gallery.orders import notifications
from gallery.orders.models import Channel, Order, OrderLine, OrderStatus


def remind_due_payments() -> list[str]:
    """Queue a reminder for each unpaid online order whose deadline is near; return their numbers (the caller commits)."""
    now = clock.utcnow()
    due = db.session.scalars(
        select(Order)
        .options(selectinload(Order.lines).selectinload(OrderLine.allocations))
        .where(Order.status == OrderStatus.PENDING_PAYMENT, Order.channel == Channel.ONLINE,
               Order.payment_deadline > now,
               Order.payment_deadline <= now + timedelta(hours=current_app.config["PAYMENT_REMINDER_HOURS"]),
               Order.placed_at <= now - timedelta(hours=1))
        .order_by(Order.payment_deadline, Order.id)
    ).all()
    for order in due:
        notifications.payment_reminder(order)
    db.session.flush()
    return [order.number for order in due]
