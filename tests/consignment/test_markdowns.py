"""Markdowns: who bears the discount, the commission never negative, FEFO and the price agreeing, the statement."""
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from gallery import clock
from gallery.accounts.models import Role
from gallery.consignment.markdown_models import MarkdownBearer
from gallery.consignment.markdown_split import split_markdown
from gallery.consignment.markdowns import StepInput, create_ageing_rule, put_on_sale, stop
from gallery.consignment.pricing import QuoteLine, quote, shelf_prices
from gallery.consignment.terms import TermsInput, set_terms
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.orders.placing import CartLine
from tests.edges import sell_at_counter
from gallery.settlements import statements as settlements
from gallery.settlements.models import Statement

NOVEMBER = settlements.Period.month(2026, 11)


def at(day: int, month: int = 11, hour: int = 10) -> None:
    clock.freeze(datetime(2026, month, day, hour, 0, tzinfo=clock.WIB))


# --- The split, for every price, payout, discount and share ----------------------------------


@given(list_price=st.integers(1, 5_000_000), payout_share=st.integers(0, 10_000), discount_bp=st.integers(0, 9000),
       producer_share_bp=st.integers(0, 10_000))
def test_a_markdown_never_makes_the_commission_or_the_payout_negative(list_price, payout_share, discount_bp,
                                                                      producer_share_bp):
    base_payout = list_price * payout_share // 10_000
    terms = split_markdown(list_price, base_payout, discount_bp, producer_share_bp)
    assert 1 <= terms.unit_price <= list_price
    assert 0 <= terms.unit_payout <= base_payout
    assert 0 <= terms.commission <= list_price - base_payout
    assert terms.producer_part >= 0 and terms.gallery_part >= 0
    assert terms.discount == terms.producer_part + terms.gallery_part
    if producer_share_bp == 0:  # the gallery alone: the payout is kept, the price never below it
        assert terms.unit_payout == base_payout <= terms.unit_price
    if producer_share_bp == 10_000 and terms.discount <= base_payout:  # the producer alone: commission kept
        assert terms.commission == list_price - base_payout


def test_each_bearer_gives_up_its_part_of_the_discount():
    # Rp 50.000, payout Rp 40.000 (20 % commission), 30 % off = Rp 15.000.
    def sold(share):
        terms = split_markdown(50_000, 40_000, discount, share)
        return terms.unit_price, terms.unit_payout

    discount = 3000
    assert sold(10_000) == (35_000, 25_000)  # producer: payout −15.000
    assert sold(5000) == (35_000, 32_500)  # shared: 7.500 each
    assert sold(0) == (40_000, 40_000)  # the gallery alone bears at most its commission: the price stops there
    discount = 1000
    assert sold(0) == (45_000, 40_000)


# --- Markdowns on the shelf ------------------------------------------------------------------


@pytest.fixture
def shop(make):
    """A producer at 20 % with a Rp 50.000 basket; it agreed to bear markdowns."""
    at(1, month=8)
    staff, admin = make.user(Role.STAFF), make.user(Role.ADMIN)
    producer = make.producer("Anyaman Uji", commission_bp=2000)
    set_terms(producer, TermsInput(markdown_consent_on=clock.today_wib()), user=admin)
    db.session.commit()
    variant = make.product(producer, category="anyaman", variants=[("Sedang", 50_000, 300)]).variants[0]
    old = make.stock(variant, 2)  # received 1 August
    at(15, month=9)
    newer = make.stock(variant, 3)  # received 15 September
    return type("Shop", (), dict(staff=staff, admin=admin, producer=producer, variant=variant, old=old, newer=newer))


def test_an_ageing_rule_marks_down_the_lots_that_reached_each_step(shop):
    at(1, month=11)  # the old lot is 92 days on the shelf, the newer 47
    create_ageing_rule(name="Stok lama", producer=shop.producer, bearer=MarkdownBearer.SHARED, shared_bp=5000,
                       steps=[StepInput(60, 1000), StepInput(90, 2500)], user=shop.staff)
    db.session.commit()
    price = shelf_prices([shop.variant.id])[shop.variant.id]
    assert (price.unit_price, price.list_price, price.units) == (37_500, 50_000, 2)
    # Three units: FEFO takes the old lot's two (−25 %) then one at the shelf price; the quote agrees.
    (line_quote,) = quote([QuoteLine(shop.variant, 3)])
    assert [(p.quantity, p.terms.unit_price) for p in line_quote.portions] == [(2, 37_500), (1, 50_000)]
    sale = sell_at_counter([CartLine(shop.variant.id, 3)], "cash", user=shop.staff)
    assert sale.total == line_quote.total == 2 * 37_500 + 50_000
    marked, full = sale.lines
    assert (marked.quantity, marked.unit_price, marked.list_price, marked.markdown_bearer) == (2, 37_500, 50_000,
                                                                                               "shared")
    assert (full.quantity, full.unit_price, full.markdown_id) == (1, 50_000, None)
    # 12.500 off: the producer bears 6.250 of it, the gallery 6.250 of its 10.000 commission.
    assert [(a.lot_id, a.unit_price, a.unit_payout) for a in marked.allocations] == [(shop.old.id, 37_500, 33_750)]


@pytest.mark.parametrize("bearer, shared_bp, discount_bp, price, payout", [
    (MarkdownBearer.GALLERY, None, 1000, 45_000, 40_000),
    (MarkdownBearer.PRODUCER, None, 3000, 35_000, 25_000),
    (MarkdownBearer.SHARED, 5000, 3000, 35_000, 32_500),
])
def test_a_markdown_borne_by_each_party_gives_the_right_payout_and_commission_on_the_statement(
        shop, bearer, shared_bp, discount_bp, price, payout):
    at(3, month=11)
    put_on_sale(shop.variant, name="Obral November", discount_bp=discount_bp, bearer=bearer, shared_bp=shared_bp,
                ends_on=date(2026, 11, 30), user=shop.staff)
    db.session.commit()
    sell_at_counter([CartLine(shop.variant.id, 1)], "cash", user=shop.staff)
    at(20, month=11)
    sell_at_counter([CartLine(shop.variant.id, 1)], "qris", user=shop.staff)
    at(1, month=12)
    settlements.generate(NOVEMBER, user=shop.staff)
    statement = db.session.scalar(select(Statement).where(Statement.producer_id == shop.producer.id))
    assert [(line.quantity, line.unit_price, line.unit_payout, line.list_price, line.base_payout,
             line.markdown_bearer) for line in statement.markdown_lines] == [(1, price, payout, 50_000, 40_000, bearer)] * 2
    assert statement.regular_lines == []
    assert statement.gross_sales == 2 * price and statement.payout_total == 2 * payout
    assert statement.commission == 2 * (price - payout) >= 0
    totals = statement.markdown_totals
    assert totals.discount == 2 * (50_000 - price)
    assert totals.producer_part == 2 * (40_000 - payout) and totals.gallery_part == totals.discount - totals.producer_part


def test_a_sale_the_gallery_cannot_bear_alone_is_refused(shop):
    at(3, month=11)
    with pytest.raises(DomainError) as refused:
        put_on_sale(shop.variant, name="Obral", discount_bp=3000, bearer=MarkdownBearer.GALLERY,
                    ends_on=date(2026, 11, 30), user=shop.staff)
    assert "20 %" in refused.value.message


def test_the_producer_bears_nothing_it_did_not_agree_to(make, shop):
    at(3, month=11)
    other = make.producer("Tanpa Persetujuan", commission_bp=2000)
    basket = make.product(other, category="anyaman", variants=[("Kecil", 30_000, 200)]).variants[0]
    make.stock(basket, 4)
    with pytest.raises(DomainError):
        put_on_sale(basket, name="Obral", discount_bp=2000, bearer=MarkdownBearer.PRODUCER,
                    ends_on=date(2026, 11, 30), user=shop.staff)
    # A sub-category rule skips the producers that did not agree; the one that did is marked down.
    create_ageing_rule(name="Anyaman", category=make.category("anyaman"), bearer=MarkdownBearer.PRODUCER,
                       steps=[StepInput(0, 2000)], user=shop.staff)
    db.session.commit()
    prices = shelf_prices([basket.id, shop.variant.id])
    assert not prices[basket.id].marked_down
    assert prices[shop.variant.id].unit_price == 40_000


def test_a_stopped_or_ended_markdown_no_longer_applies_and_sales_keep_their_terms(shop):
    at(3, month=11)
    sale = put_on_sale(shop.variant, name="Obral", discount_bp=1000, bearer=MarkdownBearer.GALLERY,
                       ends_on=date(2026, 11, 10), user=shop.staff)
    db.session.commit()
    sold = sell_at_counter([CartLine(shop.variant.id, 1)], "cash", user=shop.staff)
    at(11, month=11)
    assert not shelf_prices([shop.variant.id])[shop.variant.id].marked_down
    at(5, month=11)
    stop(sale, user=shop.staff)
    assert not shelf_prices([shop.variant.id])[shop.variant.id].marked_down
    db.session.expire_all()
    assert sold.lines[0].unit_price == 45_000


def test_the_deepest_markdown_applies_and_markdowns_never_stack(shop):
    at(1, month=11)
    create_ageing_rule(name="Stok lama", producer=shop.producer, bearer=MarkdownBearer.PRODUCER,
                       steps=[StepInput(60, 1000)], user=shop.staff)
    db.session.commit()
    put_on_sale(shop.variant, name="Obral", discount_bp=1500, bearer=MarkdownBearer.GALLERY,
                ends_on=date(2026, 11, 30), user=shop.staff)
    db.session.commit()
    (old_lot,) = [lot for lot in quote([QuoteLine(shop.variant, 5)])[0].portions if lot.lot_id == shop.old.id]
    assert old_lot.terms.unit_price == 42_500 and old_lot.markdown.bearer == MarkdownBearer.GALLERY


def test_bad_rules_are_refused(shop, make):
    at(1, month=11)
    for steps in ([], [StepInput(60, 2000), StepInput(90, 1000)], [StepInput(30, 9500)]):
        with pytest.raises(DomainError):
            create_ageing_rule(name="Salah", producer=shop.producer, bearer=MarkdownBearer.GALLERY, steps=steps,
                               user=shop.staff)
    with pytest.raises(DomainError):  # a sector, not a sub-category
        create_ageing_rule(name="Salah", category=make.category("kerajinan"), bearer=MarkdownBearer.GALLERY,
                           steps=[StepInput(60, 1000)], user=shop.staff)
    with pytest.raises(DomainError):
        put_on_sale(shop.variant, name="Obral", discount_bp=1000, bearer=MarkdownBearer.GALLERY,
                    ends_on=clock.today_wib() - timedelta(days=1), user=shop.staff)


def test_the_shop_shows_the_struck_through_price_and_the_cart_charges_the_new_one(app, client, shop):
    at(3, month=11)
    put_on_sale(shop.variant, name="Obral", discount_bp=1000, bearer=MarkdownBearer.GALLERY,
                ends_on=date(2026, 11, 30), user=shop.staff)
    db.session.commit()
    page = client.get(f"/products/{shop.variant.product.slug}").get_data(as_text=True)
    assert "<s class=\"meta\">Rp\u00a050.000</s> Rp\u00a045.000" in page
    from tests.factories import csrf_token

    token = csrf_token(client, f"/products/{shop.variant.product.slug}")
    client.post("/cart/add", data={"csrf_token": token, "variant_id": shop.variant.id, "quantity": 2})
    cart = client.get("/cart").get_data(as_text=True)
    assert "Rp\u00a090.000" in cart and "Rp\u00a0100.000" in cart
