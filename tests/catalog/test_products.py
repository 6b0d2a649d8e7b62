"""Product rules (gallery.catalog.products): variants and SKUs, status, addresses, prices and their history."""
import pytest
from sqlalchemy import func, select

from gallery.catalog.history import EventKind, PriceChange, ProductEvent, price_history
from gallery.catalog.models import Product, ProductSlugRedirect, ProductStatus, Variant
from gallery.catalog.products import (
    ProductInput,
    add_variant,
    create_product,
    product_input,
    set_product_status,
    update_product,
    update_variant,
)
from gallery.catalog.variants import VariantError, VariantInput, remove_variant, variant_input
from gallery.consignment.documents import ReceiptLine, create_receipt, default_payout
from gallery.errors import DomainError
from gallery.extensions import db


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def anyaman(make):
    return make.category("anyaman").id


def test_empty_skus_are_generated_from_the_producer_and_product(make):
    producer = make.producer("Tikar Pandan Bayang")
    product = create_product(producer, ProductInput(name="Tas Pandan", category_id=anyaman(make), variants=[
        VariantInput(label="Sedang", price=125_000, weight_grams=400),
        VariantInput(label="Besar", price=165_000, weight_grams=550, sku="tpb-besar"),
    ]))
    assert [v.sku for v in product.variants] == [f"TPB-{product.id}-1", "TPB-BESAR"]


def test_a_sku_in_use_elsewhere_or_twice_is_refused_on_its_row_and_nothing_is_written(make):
    other = make.product(variants=[("Standar", 50_000, 400)])
    producer = make.producer()
    before = (count(Product), count(Variant))
    data = ProductInput(name="Tas", category_id=anyaman(make), variants=[
        VariantInput(label="A", price=10_000, weight_grams=100),
        VariantInput(label="B", price=10_000, weight_grams=100, sku=other.variants[0].sku),
    ])
    with pytest.raises(VariantError) as refused:
        create_product(producer, data)
    assert refused.value.index == 1 and refused.value.field == "sku"
    data.variants[1].sku = data.variants[0].sku = "SAMA-1"
    with pytest.raises(VariantError, match="dipakai dua kali"):
        create_product(producer, data)
    db.session.rollback()
    assert (count(Product), count(Variant)) == before


@pytest.mark.parametrize(("changes", "field"), [
    ({"label": " "}, "label"), ({"price": 0}, "price"), ({"price": 12.5}, "price"), ({"weight_grams": -1}, "weight_grams"),
    ({"length_cm": 301}, "length_cm"), ({"commission_bp": 10_001}, "commission_bp"), ({"sku": "kecil kecil"}, "sku"),
])
def test_bad_variant_values_are_refused_with_their_field(make, changes, field):
    row = VariantInput(label="S", price=10_000, weight_grams=100)
    for name, value in changes.items():
        setattr(row, name, value)
    with pytest.raises(VariantError) as refused:
        create_product(make.producer(), ProductInput(name="Tas", category_id=anyaman(make), variants=[row]))
    assert refused.value.field == field


def test_a_published_product_needs_an_active_variant(make):
    producer = make.producer()
    with pytest.raises(DomainError, match="minimal satu varian aktif"):
        create_product(producer, ProductInput(name="Tas", category_id=anyaman(make), status=ProductStatus.PUBLISHED))
    product = make.product(producer, variants=[("S", 10_000, 100)])
    with pytest.raises(DomainError, match="minimal satu varian aktif"):
        update_variant(product.variants[0], variant_input(product.variants[0], is_active=False))


def test_food_goes_on_sale_only_with_a_p_irt_or_bpom_that_is_valid_that_day(make):
    producer = make.producer()
    rendang = make.category("rendang").id
    with pytest.raises(DomainError, match="P-IRT atau BPOM"):
        create_product(producer, ProductInput(name="Rendang", category_id=rendang, status=ProductStatus.PUBLISHED,
                                              variants=[VariantInput(label="S", price=10_000, weight_grams=100)]))
    lapsed = make.certificate(producer, "pirt", "2061301010123-24")  # lapsed at the end of 2024
    data = ProductInput(name="Rendang", category_id=rendang, status=ProductStatus.PUBLISHED,
                        pirt_certificate_id=lapsed.id,
                        variants=[VariantInput(label="S", price=10_000, weight_grams=100)])
    with pytest.raises(DomainError, match="sudah tidak berlaku"):
        create_product(producer, data)
    data.status = ProductStatus.DRAFT
    draft = create_product(producer, data)
    assert draft.status == ProductStatus.DRAFT


def test_a_certificate_of_another_producer_cannot_be_named(make):
    mine, theirs = make.producer(), make.producer()
    halal = make.certificate(theirs, "halal", "ID13110000123450123")
    with pytest.raises(DomainError, match="sertifikat produsen ini") as refused:
        create_product(mine, ProductInput(name="Rendang", category_id=make.category("rendang").id,
                                          halal_certificate_id=halal.id))
    assert refused.value.field == "halal_certificate_id"


def test_status_moves_draft_published_archived_and_archived_products_leave_the_shop(client, make):
    product = make.product(name="Tikar Bayang", published=False)
    assert (product.status, product.published_at) == (ProductStatus.DRAFT, None)
    set_product_status(product, ProductStatus.PUBLISHED)
    db.session.commit()
    assert product.status == ProductStatus.PUBLISHED and product.published_at is not None
    assert client.get(f"/products/{product.slug}").status_code == 200
    set_product_status(product, ProductStatus.ARCHIVED)
    db.session.commit()
    assert (product.published, product.archived) == (False, True)
    assert client.get(f"/products/{product.slug}").status_code == 404
    events = db.session.scalars(select(ProductEvent).where(ProductEvent.kind == EventKind.STATUS)
                               .order_by(ProductEvent.id)).all()
    assert [event.changes["status"] for event in events] == [["draft", "published"], ["published", "archived"]]


def test_a_draft_follows_its_name_and_a_published_product_keeps_its_old_address(client, make):
    product = make.product(name="Tas Pandan", published=False)
    update_product(product, product_input(product, name="Tas Pandan Merah"))
    assert product.slug == "tas-pandan-merah" and count(ProductSlugRedirect) == 0  # never on sale: no redirect
    set_product_status(product, ProductStatus.PUBLISHED)
    update_product(product, product_input(product, name="Tas Pandan Bayang"))
    db.session.commit()
    assert product.slug == "tas-pandan-bayang"
    response = client.get("/products/tas-pandan-merah")
    assert response.status_code == 301 and response.headers["Location"] == "/products/tas-pandan-bayang"
    # Renamed back, it takes its old address again, and the newer one redirects.
    update_product(product, product_input(product, name="Tas Pandan Merah"))
    db.session.commit()
    assert product.slug == "tas-pandan-merah"
    assert client.get("/products/tas-pandan-bayang").headers["Location"] == "/products/tas-pandan-merah"
    # Another product never takes an address that still redirects.
    assert make.product(name="Tas Pandan Bayang").slug == "tas-pandan-bayang-2"


def test_a_price_change_needs_a_reason_and_is_recorded_with_who_and_why(make):
    product = make.product(variants=[("Sedang", 125_000, 400)])
    staff = make.user("staff")
    variant = product.variants[0]
    with pytest.raises(DomainError, match="alasan") as refused:
        update_variant(variant, variant_input(variant, price=135_000), user=staff)
    assert refused.value.field == "price_reason"
    db.session.rollback()
    update_variant(variant, variant_input(variant, price=135_000), user=staff, price_reason="Harga bahan naik")
    latest, first = price_history(product.id)
    assert (first.old_price, first.new_price) == (None, 125_000)
    assert (latest.old_price, latest.new_price, latest.reason, latest.changed_by_id) == (
        125_000, 135_000, "Harga bahan naik", staff.id)


def test_a_price_below_the_payout_of_a_lot_on_the_shelf_is_refused_naming_the_lot(make):
    product = make.product(variants=[("Sedang", 100_000, 400)])
    variant = product.variants[0]
    lot = make.stock(variant, 5, payout=80_000)
    with pytest.raises(VariantError, match=f"lot #{lot.id}") as refused:
        update_variant(variant, variant_input(variant, price=79_000), price_reason="Diskon")
    assert "Rp 80.000" in refused.value.message
    db.session.rollback()
    assert db.session.get(Variant, variant.id).price == 100_000 and count(PriceChange) == 1
    update_variant(variant, variant_input(variant, price=80_000), price_reason="Diskon")  # down to the payout is fine


def test_a_lot_that_left_the_shelf_no_longer_holds_the_price_up(make):
    product = make.product(variants=[("Sedang", 100_000, 400)])
    variant = product.variants[0]
    lot = make.stock(variant, 1, payout=80_000)
    lot.on_hand = 0  # sold, returned or written off
    db.session.commit()
    update_variant(variant, variant_input(variant, price=60_000), price_reason="Obral akhir tahun")
    assert variant.price == 60_000


def test_after_a_price_change_orders_keep_their_price_and_lots_their_payout(make):
    from gallery.orders.placing import CartLine
    from tests.edges import counter_sale

    product = make.product(variants=[("Sedang", 100_000, 400)])
    variant = product.variants[0]
    lot = make.stock(variant, 5, payout=80_000)
    order = counter_sale([CartLine(variant.id, 1)], "cash", user=make.user("staff"))
    update_variant(variant, variant_input(variant, price=120_000), price_reason="Harga baru")
    db.session.expire_all()
    line = order.lines[0]
    assert (line.unit_price, line.allocations[0].unit_payout) == (100_000, 80_000)
    assert db.session.get(type(lot), lot.id).unit_payout == 80_000
    # The next receipt takes the new price less commission.
    assert default_payout(db.session.get(Variant, variant.id), product.producer) == 96_000


def test_a_variant_commission_overrides_the_producers_for_new_lots_only(make):
    producer = make.producer(commission_bp=2000)
    product = make.product(producer, variants=[("Sedang", 100_000, 400)])
    variant = product.variants[0]
    old = make.stock(variant, 2)
    assert old.unit_payout == 80_000
    update_variant(variant, variant_input(variant, commission_bp=1000))
    receipt = create_receipt(producer, [ReceiptLine(variant.id, 3)])
    db.session.commit()
    assert receipt.lots[0].unit_payout == 90_000 and db.session.get(type(old), old.id).unit_payout == 80_000


def test_a_received_variants_sku_is_fixed(make):
    product = make.product(variants=[("Sedang", 100_000, 400), ("Besar", 150_000, 600)])
    fresh, received = product.variants
    update_variant(fresh, variant_input(fresh, sku="TAS-SEDANG"))
    assert fresh.sku == "TAS-SEDANG"
    make.stock(received, 1)
    with pytest.raises(VariantError, match="tidak bisa diubah"):
        update_variant(received, variant_input(received, sku="TAS-BESAR"))


def test_a_never_received_variant_is_deleted_and_a_received_one_archived(make):
    product = make.product(variants=[("Sedang", 100_000, 400), ("Besar", 150_000, 600), ("Kecil", 80_000, 300)])
    never, received, _third = product.variants
    make.stock(received, 1)
    sku = never.sku
    assert remove_variant(never) is True
    assert db.session.scalar(select(Variant).where(Variant.sku == sku)) is None
    assert db.session.scalar(select(PriceChange.variant_id).where(PriceChange.sku == sku)) is None  # history stays
    assert remove_variant(received) is False
    assert received.is_active is False and db.session.get(Variant, received.id) is not None


def test_the_last_active_variant_of_a_published_product_is_not_removed(make):
    product = make.product(variants=[("Sedang", 100_000, 400)])
    with pytest.raises(DomainError, match="minimal satu varian aktif"):
        remove_variant(product.variants[0])


def test_adding_a_variant_records_it_and_its_first_price(make):
    product = make.product(make.producer("Anyaman Bayang"), variants=[("Sedang", 100_000, 400)])
    variant = add_variant(product, VariantInput(label="Besar", price=150_000, weight_grams=600))
    assert variant.sku == f"AB-{product.id}-1"
    assert db.session.scalar(select(ProductEvent.changes).where(ProductEvent.kind == EventKind.VARIANT_ADDED)) == {
        "sku": variant.sku, "label": "Besar"}
    assert product.price_from == 100_000


def test_field_changes_are_recorded_with_old_and_new_values(make):
    product = make.product(name="Tikar", category="anyaman", published=False)
    staff = make.user("staff")
    update_product(product, product_input(product, name="Tikar Pandan", min_shelf_life_days=14,
                                          category_id=make.category("suvenir").id), user=staff)
    event = db.session.scalar(select(ProductEvent).where(ProductEvent.kind == EventKind.UPDATED))
    assert event.user_id == staff.id
    assert event.changes == {"name": ["Tikar", "Tikar Pandan"],
                             "category": ["Anyaman Pandan & Rotan", "Suvenir & Miniatur"],
                             "min_shelf_life_days": [None, 14]}


def test_minimum_shelf_life_is_whole_days_up_to_two_years(make):
    product = make.product(published=False)
    for days in (-1, 731):
        with pytest.raises(DomainError) as refused:
            update_product(product, product_input(product, min_shelf_life_days=days))
        assert refused.value.field == "min_shelf_life_days"
    update_product(product, product_input(product, min_shelf_life_days=30))
    assert product.min_shelf_life_days == 30
