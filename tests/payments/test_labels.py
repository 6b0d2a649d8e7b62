"""Every way of paying has one short and one long name, in one table (gallery.payments.labels)."""
from flask_babel import force_locale

from gallery.orders.models import PaymentMethod
from gallery.orders.staff_forms import MarkPaidForm, payment_method_label
from gallery.payments import core
from gallery.payments.labels import LABELS, STAFF_RECORDED, long_label, short_label
from gallery.payments.models import Provider


def test_every_provider_and_order_method_has_both_names_in_both_languages(app):
    codes = set(Provider.ALL) | {PaymentMethod.CASH, PaymentMethod.QRIS, PaymentMethod.COD}
    assert codes <= set(LABELS)
    for code in codes:
        with force_locale("id"):
            short_id, long_id = short_label(code), long_label(code)
        with force_locale("en"):
            short_en, long_en = short_label(code), long_label(code)
        assert short_id and long_id and short_id != code and long_id != code
        assert short_en and (long_en != long_id or code == Provider.MIDTRANS), code  # its words are the same in English


def test_each_screen_reads_the_same_table(app):
    with app.test_request_context():
        assert payment_method_label("cash") == short_label("cash") == "Tunai"
        assert core.method_label(Provider.STRIPE) == long_label(Provider.STRIPE) == "Kartu / dompet digital (Stripe)"
        assert [choice[0] for choice in MarkPaidForm(meta={"csrf": False}).method.iter_choices()] == \
            list(STAFF_RECORDED)
        assert payment_method_label(None) == "" and long_label("unknown") == "unknown"


def test_the_reconciliation_names_each_way_money_came_in(app, client, make):
    make.login(client, make.user("admin"))
    page = client.get("/staff/settlements/reconciliation?period=2026-11").get_data(as_text=True)
    for code in ("stripe", "midtrans", "bank_transfer", "cash", "qris", "pos_cod"):
        assert f'id="received-{code}"' in page
    assert "Tunai di galeri" in page and "Kartu / dompet digital (Stripe)" in page
