"""Product photos on the staff screens: batches, order, main photo, alt text, delete, and refused files."""
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from gallery.accounts.models import Role
from gallery.catalog.history import EventKind, ProductEvent
from gallery.catalog.models import ProductImage
from gallery.catalog.photos import Upload, add_photos, keys_in_use, remove_photo
from gallery.extensions import db
from tests.catalog.test_images import picture, png_header
from tests.factories import csrf_token


@pytest.fixture
def staff_client(client, make):
    make.login(client, make.user(Role.STAFF))
    return client


@pytest.fixture(autouse=True)
def own_upload_folder(app, tmp_path, monkeypatch):
    """Renditions are shared by content: files left by other tests would be removed as unused orphans."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path))


@pytest.fixture
def product(make):
    return make.product(name="Tas Pandan", category="anyaman")


def files_under(app) -> set[Path]:
    root = Path(app.config["UPLOAD_FOLDER"]) / "products"
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def photo_count() -> int:
    return db.session.scalar(select(func.count(ProductImage.id)))


def upload(client, product, files, alt="Tas pandan merah"):
    path = f"/staff/products/{product.id}/edit"
    data = {"csrf_token": csrf_token(client, path), "alt": alt,
            "photos": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(f"/staff/products/{product.id}/photos", data=data, content_type="multipart/form-data")


def test_staff_upload_three_photos_at_once_and_the_first_becomes_the_main_one(app, staff_client, product):
    files = [(f"foto-{n}.jpg", picture("JPEG", colour=(40 * n, 90, 30))) for n in range(1, 4)]
    response = upload(staff_client, product, files)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/staff/products/{product.id}/edit#photos")
    db.session.expire_all()
    assert [image.position for image in product.images] == [0, 1, 2]
    assert {image.alt for image in product.images} == {"Tas pandan merah"}
    page = staff_client.get(f"/products/{product.slug}").get_data(as_text=True)
    main = product.images[0].key
    assert re.search(rf'<source type="image/webp" srcset="/media/products/{main}-thumb.webp 160w, '
                     rf'/media/products/{main}-card.webp 480w, /media/products/{main}-full.webp 1200w"', page)
    assert all(f"/media/products/{image.key}-thumb.jpg" in page for image in product.images[1:])
    event = db.session.scalar(select(ProductEvent).where(ProductEvent.kind == EventKind.PHOTOS_ADDED))
    assert event.changes == {"count": 3, "files": ["foto-1.jpg", "foto-2.jpg", "foto-3.jpg"]}


BAD_FILES = [
    ("catatan.txt", b"bukan gambar sama sekali"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400"><rect width="400" height="400"/>'
                 b'</svg>'),
    ("bom.png", png_header(8000, 6000)),  # 48 megapixels claimed
]


@pytest.mark.parametrize(("name", "content"), BAD_FILES, ids=["text", "svg", "bomb"])
def test_a_bad_file_in_a_batch_is_named_and_nothing_of_the_batch_is_stored(app, staff_client, product, name,
                                                                           content):
    before = files_under(app)
    response = upload(staff_client, product, [("bagus.jpg", picture("JPEG")), (name, content)])
    assert response.status_code == 422
    errors = re.search(r'<ul class="errors" id="photos-errors">(.*?)</ul>', response.get_data(as_text=True), re.S)
    assert errors and name in errors.group(1) and "Tidak ada foto yang disimpan." in errors.group(1)
    assert photo_count() == 0
    assert files_under(app) == before  # the good file's renditions were removed again


def test_a_file_over_the_upload_limit_is_refused_with_the_limit(app, staff_client, product, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    big = picture("PNG", size=(1600, 1600), colour=(10, 200, 90))
    big += b"\0" * (2 * 1024 * 1024 - len(big) + 1)  # trailing bytes past the limit
    response = upload(staff_client, product, [("besar.png", big)])
    assert response.status_code == 422
    assert "besar.png: Berkas lebih besar dari 2 MB." in response.get_data(as_text=True)
    assert photo_count() == 0


def test_a_batch_of_files_each_within_the_limit_may_exceed_it_together(app, staff_client, product, monkeypatch):
    one = picture("PNG", size=(900, 900), colour=(120, 40, 200))
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", int(len(one) * 1.5))
    response = upload(staff_client, product, [("a.png", one), ("b.png", one[:-12] + one[-12:])])
    assert response.status_code == 302 and photo_count() == 2


def test_order_alt_text_main_photo_and_delete(app, staff_client, product):
    add_photos(product, [Upload(f"{n}.png", picture(colour=(60 * n, 20, 20))) for n in range(1, 4)])
    db.session.commit()
    first, second, third = (image.id for image in product.images)
    path = f"/staff/products/{product.id}/edit"
    token = csrf_token(staff_client, path)
    response = staff_client.post(f"/staff/products/{product.id}/photos/arrange", data={
        "csrf_token": token, f"position-{first}": "2", f"position-{second}": "0", f"position-{third}": "1",
        f"alt-{second}": "Tas pandan dari samping"})
    assert response.status_code == 302
    db.session.expire_all()
    assert [image.id for image in product.images] == [second, third, first]
    assert product.images[0].alt == "Tas pandan dari samping"
    staff_client.post(f"/staff/products/{product.id}/photos/{first}/main", data={"csrf_token": token})
    db.session.expire_all()
    assert product.cover_image.id == first
    key = db.session.get(ProductImage, third).key
    staff_client.post(f"/staff/products/{product.id}/photos/{third}/delete", data={"csrf_token": token})
    db.session.expire_all()
    assert [image.id for image in product.images] == [first, second]
    assert not any(key in path.name for path in files_under(app))


def test_a_deleted_photo_keeps_its_files_while_another_product_shows_the_same_picture(app, make, product):
    other = make.product(name="Tas Lain")
    same = picture(colour=(5, 5, 5))
    add_photos(product, [Upload("a.png", same)])
    add_photos(other, [Upload("b.png", same)])
    key = product.images[0].key
    remove_photo(product, product.images[0].id)
    assert keys_in_use({key}) == {key}
    assert any(key in path.name for path in files_under(app))


def test_a_photo_of_another_product_is_not_found(staff_client, make, product):
    other = make.product(name="Tas Lain")
    add_photos(other, [Upload("b.png", picture())])
    token = csrf_token(staff_client, f"/staff/products/{product.id}/edit")
    response = staff_client.post(f"/staff/products/{product.id}/photos/{other.images[0].id}/delete",
                                 data={"csrf_token": token})
    assert response.status_code == 404 and photo_count() == 1
