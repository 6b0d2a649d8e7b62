"""Products and variants as CSV: export, and an import with a preview that saves all lines or none."""
import csv
import io

import pytest
from sqlalchemy import func, select

from gallery.accounts.models import Role
from gallery.catalog.history import EventKind, PriceChange, ProductEvent
from gallery.catalog.models import Product, ProductStatus, Variant
from gallery.catalog.product_csv import COLUMNS, ProductFileError, export_csv, import_products, run_import
from gallery.catalog.staff_queries import ProductFilter, export_products
from gallery.extensions import db
from tests.factories import csrf_token

HEADER = ",".join(COLUMNS)


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def line(**cells) -> str:
    out = io.StringIO()
    csv.writer(out).writerow([cells.get(column, "") for column in COLUMNS])
    return out.getvalue().strip()


def file_of(*lines: str) -> bytes:
    return ("\n".join((HEADER, *lines)) + "\n").encode()


@pytest.fixture
def sanjai(make):
    producer = make.producer("Sanjai Amak")
    make.certificate(producer, "pirt", "2061301010123-29")
    make.certificate(producer, "halal", "ID13110000123450123")
    return producer


def keripik(producer, name="Keripik Balado", **cells):
    base = dict(producer=producer.slug, category="keripik", name=name, status="published", pirt="2061301010123-29")
    base.update(cells)
    return base


def test_a_producers_list_of_forty_items_is_entered_once(sanjai):
    lines = [line(**keripik(sanjai, name=f"Keripik {n}", label="250 g", price=f"{20 + n}000", weight_grams="300"))
             for n in range(40)]
    preview = import_products(file_of(*lines), "sanjai.csv")
    assert (preview.new_products, preview.new_variants, preview.rows_read) == (40, 40, 40)
    products = db.session.scalars(select(Product).order_by(Product.id)).all()
    assert len(products) == 40 and all(p.status == ProductStatus.PUBLISHED for p in products)
    assert products[0].pirt_number == "2061301010123-29" and products[0].variants[0].price == 20_000
    assert db.session.scalar(select(PriceChange.reason).limit(1)) == "Impor CSV sanjai.csv"
    assert count(ProductEvent) >= 40


def test_lines_of_one_product_become_its_variants(sanjai):
    preview = import_products(file_of(
        line(**keripik(sanjai, halal="ID13110000123450123"), label="250 g", price="25.000", weight_grams="300",
             sku="bal-250"),
        line(**keripik(sanjai, halal="ID13110000123450123"), label="500 g", price="45000", weight_grams="560",
             commission_percent="12,5", length_cm="20", active="1"),
    ))
    assert (preview.new_products, preview.new_variants) == (1, 2)
    product = db.session.scalar(select(Product))
    assert product.halal_number == "ID13110000123450123"
    assert [(v.sku, v.label, v.price, v.commission_bp, v.length_cm) for v in product.variants] == [
        ("BAL-250", "250 g", 25_000, None, 10), (f"SA-{product.id}-1", "500 g", 45_000, 1250, 20)]


def test_export_and_import_round_trip_changes_prices_and_adds_variants(make, sanjai):
    product = make.product(sanjai, name="Keripik Balado", category="keripik", variants=[("250 g", 25_000, 300)])
    make.stock(product.variants[0], 5, payout=20_000)
    exported = export_csv(export_products(ProductFilter()))
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert rows[0]["product_slug"] == product.slug and rows[0]["pirt"] == product.pirt_number
    rows[0]["price"] = "27000"
    rows.append(dict(rows[0], sku="", label="500 g", price="45000", weight_grams="560"))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    preview = import_products(out.getvalue().encode(), "ubah.csv")
    assert (preview.changed_products, preview.new_variants, preview.price_changes) == (1, 1, 1)
    db.session.expire_all()
    assert [(v.label, v.price) for v in product.variants] == [("250 g", 27_000), ("500 g", 45_000)]
    change = db.session.scalar(select(PriceChange).where(PriceChange.old_price.is_not(None)))
    assert (change.old_price, change.new_price, change.reason) == (25_000, 27_000, "Impor CSV ubah.csv")
    assert db.session.scalar(select(ProductEvent.changes).where(ProductEvent.kind == EventKind.IMPORTED)) == {
        "files": ["ubah.csv"]}


def test_every_wrong_line_is_reported_and_nothing_is_saved(make, sanjai):
    other = make.product(make.producer(), variants=[("S", 10_000, 100)])
    content = file_of(
        line(**keripik(sanjai, name="Baik"), label="250 g", price="25000", weight_grams="300"),
        line(**keripik(sanjai, name="Harga Salah"), label="250 g", price="25,5", weight_grams="300"),
        line(**keripik(sanjai, name="SKU Terpakai"), label="250 g", price="25000", weight_grams="300",
             sku=other.variants[0].sku),
        line(**keripik(sanjai, name="Tanpa Sertifikat", pirt=""), label="250 g", price="25000", weight_grams="300"),
        line(**keripik(sanjai, name="Sertifikat Asing", pirt="2061301019999-29"), label="250 g", price="25000",
             weight_grams="300"),
        line(producer="tidak-ada", category="keripik", name="X", label="S", price="1000", weight_grams="100"),
        line(**keripik(sanjai, name="Kategori", category="kuliner"), label="S", price="1000", weight_grams="100"),
    )
    before = (count(Product), count(Variant), count(PriceChange), count(ProductEvent))
    preview = run_import(content, "salah.csv")
    assert not preview.ok
    by_line = {(error.line, error.column): str(error.message) for error in preview.errors}
    assert set(by_line) == {(3, "price"), (4, "sku"), (5, "pirt"), (6, "pirt"), (7, "producer"), (8, "category")}
    assert "sudah dipakai" in by_line[(4, "sku")]
    assert "belum tercatat" in by_line[(6, "pirt")]
    with pytest.raises(ProductFileError):
        import_products(content, "salah.csv")
    assert (count(Product), count(Variant), count(PriceChange), count(ProductEvent)) == before


def test_a_price_below_a_shelf_lots_payout_is_refused_on_its_line(make, sanjai):
    product = make.product(sanjai, name="Keripik Balado", category="keripik", variants=[("250 g", 25_000, 300)])
    lot = make.stock(product.variants[0], 5, payout=20_000)
    preview = run_import(file_of(line(**keripik(sanjai, product_slug=product.slug), sku=product.variants[0].sku,
                                      label="250 g", price="19000", weight_grams="300")))
    assert [(error.line, error.column) for error in preview.errors] == [(2, "price")]
    assert f"lot #{lot.id}" in str(preview.errors[0].message)
    assert db.session.get(Variant, product.variants[0].id).price == 25_000


def upload_as_staff(client, make, content: bytes):
    make.login(client, make.user(Role.STAFF))
    token = csrf_token(client, "/staff/products/import")
    return client.post("/staff/products/import", data={"csrf_token": token, "file": (io.BytesIO(content), "a.csv")},
                       content_type="multipart/form-data")


def test_the_staff_screen_previews_then_saves_the_same_file(client, make, sanjai):
    preview = upload_as_staff(client, make, file_of(line(**keripik(sanjai), label="250 g", price="25000",
                                                         weight_grams="300")))
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "Semua baris benar" in page and "Keripik Balado" in page
    assert count(Product) == 0  # a preview saves nothing
    payload = page.split('name="payload" type="hidden" value="')[1].split('"')[0]
    confirm_token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    saved = client.post("/staff/products/import/confirm", data={"csrf_token": confirm_token, "payload": payload,
                                                                "filename": "a.csv"})
    assert saved.status_code == 302 and count(Product) == 1


def test_the_staff_screen_shows_row_errors_and_saves_nothing(client, make, sanjai):
    response = upload_as_staff(client, make, file_of(line(**keripik(sanjai), label="250 g", price="gratis",
                                                          weight_grams="300")))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Tidak ada yang disimpan." in page and "Tulis bilangan bulat" in page and 'name="payload"' not in page
    assert count(Product) == 0


def test_the_export_follows_the_lists_filters(client, make, sanjai):
    make.product(sanjai, name="Keripik Balado", category="keripik")
    make.product(make.producer("Tenun Tarusan"), name="Selendang", category="songket")
    make.login(client, make.user(Role.STAFF))
    response = client.get("/staff/products/export.csv?category=kuliner")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row["name"] for row in rows] == ["Keripik Balado"]
