"""The tests as edges: services flush, and a test that uses one as a request would commits after it, as the
view or command calling it does (so other sessions, threads and after-commit hooks see what it wrote).

Each name here is the service of the same name, then a commit. A refusal (DomainError) commits nothing, as
in the views; a gateway attempt is committed before the provider is called, and a refusal there keeps what
it recorded (the failed attempt), as the payment view does.
"""
from __future__ import annotations

import functools

from gallery.errors import DomainError
from gallery.extensions import db
from gallery.orders import placing, till, transitions
from gallery.payments import core, desk, transfers


def _then_commit(service):
    @functools.wraps(service)
    def edge(*args, **kwargs):
        result = service(*args, **kwargs)
        db.session.commit()
        return result

    edge.__doc__ = f"{service.__module__}.{service.__name__}, then commit (as its view or command does)."
    return edge


place_order = _then_commit(placing.place_order)
counter_sale = _then_commit(till.counter_sale)
start_bank_transfer = _then_commit(transfers.start_bank_transfer)
confirm_transfer = _then_commit(transfers.confirm_transfer)
sell_at_counter = _then_commit(desk.sell_at_counter)
pay_at_desk = _then_commit(desk.pay_at_desk)

mark_paid = _then_commit(transitions.mark_paid)
mark_packed = _then_commit(transitions.mark_packed)
ship = _then_commit(transitions.ship)
mark_picked_up = _then_commit(transitions.mark_picked_up)
complete = _then_commit(transitions.complete)
cancel = _then_commit(transitions.cancel)
return_to_sender = _then_commit(transitions.return_to_sender)


def _at_provider(payment):
    """Commit the saved attempt, then open it at the provider and commit that (or the failure, and re-raise)."""
    db.session.commit()
    try:
        core.start_at_provider(payment)
    except DomainError:
        db.session.commit()
        raise
    db.session.commit()
    return payment


def start_payment(order, method: str):
    """gallery.payments.core.start_payment, then the provider, committing as the payment view does."""
    try:
        payment = core.start_payment(order, method)
    except DomainError:
        db.session.commit()
        raise
    return _at_provider(payment)


def start_with_gateway(gateway, order, *, user=None):
    """A gateway attempt opened and saved, then started at the provider (gallery.payments.core)."""
    return _at_provider(core.open_attempt(gateway, order, user=user))
