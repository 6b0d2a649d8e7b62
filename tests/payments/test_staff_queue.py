"""The staff payments queue lists each order once, whatever attempts its shopper abandoned."""
from __future__ import annotations

from gallery.payments import transfers
from gallery.payments.models import Provider
from tests.payments.conftest import pickup_order, shelf  # noqa: F401  (fixtures)
from tests import edges


def test_an_attempt_abandoned_for_another_method_does_not_list_the_order_twice(pickup_order):  # noqa: F811
    order = pickup_order()
    edges.start_payment(order, Provider.BANK_TRANSFER)
    chosen = edges.start_payment(order, Provider.GALLERY)  # the shopper will pay at the counter after all
    other = pickup_order()
    edges.start_payment(other, Provider.BANK_TRANSFER)
    queue = transfers.waiting_for_staff()
    assert [p.order_id for p in queue].count(order.id) == 1 and chosen.id in [p.id for p in queue]
    assert other.id in [p.order_id for p in queue]
