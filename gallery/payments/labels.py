"""What each way of paying is called, written once for every screen.

A code is a payment's provider (gallery.payments.models.Provider) or an order's payment method
(gallery.orders.models.PaymentMethod, or `bank_transfer` when staff matched a transfer by hand). Each has a
short name, for receipts, the staff order page and the mark-paid choice, and a long one where what lies
behind the name matters: the shopper choosing how to pay, the payments list, the reconciliation.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from gallery.orders.models import PaymentMethod
from gallery.payments.models import Provider

# code: (short, long)
LABELS = {
    PaymentMethod.CASH: (_l("Tunai"), _l("Tunai di galeri")),
    PaymentMethod.QRIS: (_l("QRIS"), _l("QRIS di galeri")),
    Provider.BANK_TRANSFER: (_l("Transfer bank"), _l("Transfer bank")),
    Provider.STRIPE: (_l("Stripe"), _l("Kartu / dompet digital (Stripe)")),
    Provider.MIDTRANS: (_l("Midtrans"), _l("QRIS, e-wallet, virtual account (Midtrans)")),
    Provider.GALLERY: (_l("Bayar di galeri"), _l("Bayar di galeri")),
    PaymentMethod.COD: (_l("Bayar di tempat (COD)"), _l("Bayar di tempat (COD Pos)")),
    Provider.POS_COD: (_l("Bayar di tempat (COD)"), _l("Bayar di tempat (COD Pos)")),
}
# What staff may record as taken when they mark an order paid.
STAFF_RECORDED = (PaymentMethod.CASH, PaymentMethod.QRIS, Provider.BANK_TRANSFER)


def short_label(code: str | None) -> str:
    """A way of paying in a word or two ("cash" → "Tunai"); unknown codes as they are, none as ""."""
    if not code:
        return ""
    return str(LABELS[code][0]) if code in LABELS else code


def long_label(code: str) -> str:
    """A way of paying with what lies behind it ("stripe" → "Kartu / dompet digital (Stripe)")."""
    return str(LABELS[code][1]) if code in LABELS else code
