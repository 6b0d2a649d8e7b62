"""The tests as edges: services flush, and a test that uses one as a request would commits after it, as the
view or command calling it does (so other sessions, threads and after-commit hooks see what it wrote)."""
from __future__ import annotations

from gallery.extensions import db
from gallery.orders import placing
from gallery.payments import desk, transfers


def place_order(*args, **kwargs):
    """gallery.orders.placing.place_order, then commit (as the checkout view does)."""
    order = placing.place_order(*args, **kwargs)
    db.session.commit()
    return order


def start_bank_transfer(order):
    """gallery.payments.transfers.start_bank_transfer, then commit (as the payment view does)."""
    payment = transfers.start_bank_transfer(order)
    db.session.commit()
    return payment


def sell_at_counter(*args, **kwargs):
    """gallery.payments.desk.sell_at_counter, then commit (as the till's view does)."""
    order = desk.sell_at_counter(*args, **kwargs)
    db.session.commit()
    return order
