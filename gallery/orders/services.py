"""The old import path of the orders services, kept for callers outside the orders, cart and payments packages.

The rules live in modules named for them: gallery.orders.placing (re-price, quote, allocate, freeze),
gallery.orders.transitions (the state machine and its guards), gallery.orders.expiry (unpaid orders past
their deadline) and gallery.orders.till (walk-in sales). Import from those; this module only re-exports.
"""
from gallery.orders.expiry import expire_if_due, reinstate_expired
from gallery.orders.placing import (
    MAX_LINES,
    MAX_QUANTITY,
    CartLine,
    Contact,
    SoldOut,
    new_order_number,
    parcel_items,
    place_order,
)
from gallery.orders.till import counter_sale
from gallery.orders.transitions import (
    CHANNEL_LABELS,
    COD_TRANSITIONS,
    NOT_HANDED_OVER,
    STATUS_LABELS,
    TRANSITIONS,
    ChangedMeanwhile,
    can_transition,
    cancel,
    channel_label,
    complete,
    lock,
    mark_packed,
    mark_paid,
    mark_picked_up,
    mark_refunded,
    mark_remitted,
    record_note,
    return_to_sender,
    ship,
    status_label,
    transitions_for,
    unpack,
)
from gallery.shipping.addresses import Address

__all__ = [
    "CHANNEL_LABELS", "COD_TRANSITIONS", "MAX_LINES", "MAX_QUANTITY", "NOT_HANDED_OVER", "STATUS_LABELS",
    "TRANSITIONS", "Address", "CartLine", "ChangedMeanwhile", "Contact", "SoldOut", "can_transition", "cancel",
    "channel_label", "complete", "counter_sale", "expire_if_due", "lock", "mark_packed",
    "mark_paid", "mark_picked_up", "mark_refunded", "mark_remitted", "new_order_number", "parcel_items",
    "place_order", "reinstate_expired", "record_note", "return_to_sender", "ship", "status_label",
    "transitions_for", "unpack",
]
