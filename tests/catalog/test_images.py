"""Product images: uploads are checked and re-encoded, nothing of the original survives, and the
renditions are served under content-hash names with a long cache."""
import io
import random
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from gallery.catalog.images import RENDITIONS, store_image
from gallery.errors import DomainError

SIZES = ("thumb", "card", "full")
EXTENSIONS = ("webp", "jpg")


def picture(fmt: str = "PNG", size=(640, 480), colour=(180, 60, 30), mode: str = "RGB", **save_args) -> bytes:
    """An image file made in memory, with a second colour block so pictures are not flat."""
    image = Image.new(mode, size, colour if mode == "RGB" else colour + (255,))
    image.paste((20, 90, 160) if mode == "RGB" else (20, 90, 160, 255), (0, 0, size[0] // 4, size[1] // 4))
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save_args)
    return buffer.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG that only claims its size: what a decompression bomb or a huge photo looks like to the check."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))


@pytest.fixture
def products_dir(app) -> Path:
    return Path(app.config["UPLOAD_FOLDER"]) / "products"


def stored_files(products_dir: Path) -> set[Path]:
    return set(products_dir.rglob("*")) if products_dir.exists() else set()


def rendition(products_dir: Path, key: str, size: str, extension: str) -> Path:
    return products_dir / key[:2] / f"{key}-{size}.{extension}"


# --- accepting -------------------------------------------------------------------------------------


def test_a_png_becomes_three_sizes_in_webp_and_jpeg_under_the_upload_folder(products_dir):
    stored = store_image(picture("PNG", size=(640, 480)))
    assert len(stored.key) == 32 and set(stored.key) <= set("0123456789abcdef")
    assert (stored.width, stored.height) == (640, 480)
    assert sorted(p.name for p in (products_dir / stored.key[:2]).glob(f"{stored.key}-*")) == sorted(
        f"{stored.key}-{size}.{extension}" for size in SIZES for extension in EXTENSIONS)
    expected = {"thumb": (160, 120), "card": (480, 360), "full": (640, 480)}
    for size in SIZES:
        for extension, pil_format in (("webp", "WEBP"), ("jpg", "JPEG")):
            with Image.open(rendition(products_dir, stored.key, size, extension)) as image:
                assert image.format == pil_format
                assert image.size == expected[size], (size, extension)
                assert image.mode == "RGB"


def test_a_large_jpeg_is_scaled_down_to_1200_pixels_on_its_longest_side(products_dir):
    stored = store_image(picture("JPEG", size=(2400, 1600), quality=90))
    assert (stored.width, stored.height) == (1200, 800)
    for size, longest in RENDITIONS.items():
        with Image.open(rendition(products_dir, stored.key, size, "jpg")) as image:
            assert max(image.size) == longest


def test_a_webp_upload_is_accepted(products_dir):
    stored = store_image(picture("WEBP", size=(300, 300)))
    assert rendition(products_dir, stored.key, "full", "webp").is_file()


def test_a_phone_jpeg_carrying_a_second_picture_mpo_is_accepted(products_dir):
    """Many phones save photos as JPEG with an embedded second picture (MPO); Pillow names it MPO."""
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (90, 140, 60)).save(
        buffer, "MPO", save_all=True, append_images=[Image.new("RGB", (160, 120), (0, 0, 0))])
    assert Image.open(io.BytesIO(buffer.getvalue())).format == "MPO"
    stored = store_image(buffer.getvalue())
    assert (stored.width, stored.height) == (800, 600)
    with Image.open(rendition(products_dir, stored.key, "full", "jpg")) as image:
        assert image.getpixel((400, 300)) == pytest.approx((90, 140, 60), abs=4)


def test_the_shortest_side_may_be_exactly_200_pixels():
    stored = store_image(picture("PNG", size=(200, 900)))
    assert (stored.width, stored.height) == (200, 900)


def test_a_transparent_png_is_flattened_on_white(products_dir):
    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    image.paste((200, 0, 0, 255), (0, 0, 150, 300))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    stored = store_image(buffer.getvalue())
    with Image.open(rendition(products_dir, stored.key, "full", "jpg")) as result:
        assert result.getpixel((250, 150)) == pytest.approx((255, 255, 255), abs=3)
        assert result.getpixel((50, 150)) == pytest.approx((200, 0, 0), abs=6)


# --- nothing of the original survives -------------------------------------------------------------


def test_only_re_encoded_renditions_are_written_never_the_upload(products_dir):
    upload = picture("JPEG", size=(700, 500), quality=95, comment=b"diunggah oleh staf")
    before = stored_files(products_dir)
    stored = store_image(upload)
    written = {p for p in stored_files(products_dir) - before if p.is_file()}
    assert {p.name for p in written} == {f"{stored.key}-{s}.{e}" for s in SIZES for e in EXTENSIONS}
    for path in written:
        data = path.read_bytes()
        assert data != upload
        assert b"diunggah oleh staf" not in data


def test_exif_metadata_is_stripped(products_dir):
    exif = Image.Exif()
    exif[0x010F] = "KameraRahasia"  # Make
    exif[0x0131] = "EditorRahasia"  # Software
    exif[0x8825] = {1: "S", 2: (1.0, 20.0, 30.0)}  # GPS: where the photo was taken
    stored = store_image(picture("JPEG", size=(600, 400), exif=exif))
    for size in SIZES:
        for extension in EXTENSIONS:
            path = rendition(products_dir, stored.key, size, extension)
            data = path.read_bytes()
            assert b"KameraRahasia" not in data and b"EditorRahasia" not in data
            assert b"Exif\x00\x00" not in data
            with Image.open(path) as image:
                assert dict(image.getexif()) == {}
                assert "exif" not in image.info


def test_exif_orientation_is_applied_to_the_pixels(products_dir):
    # Stored landscape with a red band along the top; orientation 6 says "rotate 90° clockwise to view".
    image = Image.new("RGB", (400, 300), (240, 240, 240))
    image.paste((220, 0, 0), (0, 0, 400, 60))
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=95)
    stored = store_image(buffer.getvalue())
    assert (stored.width, stored.height) == (300, 400)
    with Image.open(rendition(products_dir, stored.key, "full", "jpg")) as result:
        assert result.size == (300, 400)
        assert result.getpixel((290, 200)) == pytest.approx((220, 0, 0), abs=12)  # the band is now on the right
        assert result.getpixel((10, 200)) == pytest.approx((240, 240, 240), abs=12)
        assert result.getexif().get(0x0112) is None


def test_a_png_text_chunk_does_not_change_the_key():
    info = PngInfo()
    info.add_text("Comment", "pesan-tersembunyi-di-png")
    info.add_itxt("Description", "keterangan-rahasia")
    with_text = store_image(picture("PNG", size=(500, 400), pnginfo=info))
    plain = store_image(picture("PNG", size=(500, 400)))
    # Same pixels, same key: the chunk is not part of what is stored.
    assert with_text.key == plain.key


def test_png_text_never_reaches_a_rendition(products_dir):
    info = PngInfo()
    info.add_text("Comment", "pesan-tersembunyi-di-png")
    stored = store_image(picture("PNG", size=(500, 400), colour=(10, 200, 120), pnginfo=info))
    for size in SIZES:
        for extension in EXTENSIONS:
            path = rendition(products_dir, stored.key, size, extension)
            assert b"pesan-tersembunyi" not in path.read_bytes()
            with Image.open(path) as image:
                assert "Comment" not in image.info


def test_the_same_picture_gets_the_same_key_and_another_picture_another_key(products_dir):
    first = store_image(picture("PNG", colour=(120, 30, 200)))
    before = stored_files(products_dir)
    again = store_image(picture("PNG", colour=(120, 30, 200)))
    assert again == first
    assert stored_files(products_dir) == before  # nothing written twice
    other = store_image(picture("PNG", colour=(121, 30, 200)))
    assert other.key != first.key


# --- refusing --------------------------------------------------------------------------------------

NOT_READABLE = "Berkas ini bukan gambar yang bisa dibaca."


def _truncated_jpeg() -> bytes:
    data = picture("JPEG", size=(600, 600), quality=95)
    return data[: len(data) // 2]


def _gif() -> bytes:
    return picture("GIF", size=(400, 400))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"", "Pilih berkas gambar.", id="empty"),
        pytest.param(random.Random(7).randbytes(8192), NOT_READABLE, id="random-bytes"),
        pytest.param("Daftar harga rendang\nRp 85.000\n".encode() * 40, NOT_READABLE, id="text-file-named-jpg"),
        pytest.param(b'<svg xmlns="http://www.w3.org/2000/svg" width="500" height="500"><script>alert(1)</script></svg>',
                     NOT_READABLE, id="svg"),
        pytest.param(b"\xff\xd8\xff\xe0" + b"\x00" * 2000, NOT_READABLE, id="jpeg-magic-then-garbage"),
        pytest.param(_truncated_jpeg(), NOT_READABLE, id="truncated-jpeg"),
        pytest.param(_gif(), "Format gambar harus JPEG, PNG atau WebP.", id="gif"),
        pytest.param(picture("PNG", size=(199, 900)), "Gambar minimal 200 piksel di sisi terpendek.", id="too-narrow"),
        pytest.param(picture("JPEG", size=(120, 90)), "Gambar minimal 200 piksel di sisi terpendek.", id="too-small"),
        pytest.param(png_header(7000, 7000), "Gambar terlalu besar.", id="49-megapixels"),
        # A 200-megapixel phone photo, and a decompression bomb: past Pillow's own limit.
        pytest.param(png_header(16320, 12240), "Gambar terlalu besar.", id="200-megapixels"),
        pytest.param(png_header(100_000, 100_000), "Gambar terlalu besar.", id="decompression-bomb"),
    ],
)
def test_an_unusable_upload_is_refused_with_a_clear_message_and_nothing_is_written(products_dir, data, message):
    before = stored_files(products_dir)
    with pytest.raises(DomainError) as refused:
        store_image(data)
    assert str(refused.value.message) == message
    assert refused.value.field == "image"
    assert stored_files(products_dir) == before


def test_the_pixel_limit_comes_from_the_configuration(app, monkeypatch):
    monkeypatch.setitem(app.config, "IMAGE_MAX_PIXELS", 1_000_000)
    with pytest.raises(DomainError) as refused:
        store_image(picture("PNG", size=(1001, 1000)))
    assert str(refused.value.message) == "Gambar terlalu besar."
    assert store_image(picture("PNG", size=(1000, 1000))).width == 1000


# --- serving ---------------------------------------------------------------------------------------


@pytest.fixture
def stored():
    return store_image(picture("PNG", size=(900, 600), colour=(60, 60, 160)))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(("extension", "mimetype"), [("webp", "image/webp"), ("jpg", "image/jpeg")])
def test_media_serves_a_stored_rendition_with_a_year_long_immutable_cache(client, products_dir, stored, size,
                                                                          extension, mimetype):
    response = client.get(f"/media/products/{stored.key}-{size}.{extension}")
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.data == rendition(products_dir, stored.key, size, extension).read_bytes()
    cache = {part.strip() for part in response.headers["Cache-Control"].split(",")}
    assert cache == {"public", "max-age=31536000", "immutable"}
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_media_answers_a_repeated_request_with_304(client, stored):
    url = f"/media/products/{stored.key}-card.webp"
    first = client.get(url)
    assert first.headers.get("ETag")
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""


@pytest.mark.parametrize(
    "name",
    [
        "{other}-full.jpg",  # well-formed key that was never stored
        "{key}-huge.jpg",
        "{key}-original.jpg",
        "{key}-full.png",
        "{key}-full.gif",
        "{key}-full.svg",
        "{key}-full.jpg.tmp",
        "{upper}-full.jpg",
        "{short}-full.jpg",
        "{key}-full",
        "..-full.jpg",
        "..%2F..%2Fconfig-full.jpg",
        "%2e%2e%2f%2e%2e%2fwsgi-full.jpg",
        "../../../config.py",
        "{key}-full.jpg/../../../../config.py",
        "..%5C..%5Cconfig-full.jpg",
    ],
)
def test_media_404s_for_names_that_are_not_stored_renditions(client, stored, name):
    url = "/media/products/" + name.format(key=stored.key, other="0" * 32, upper=stored.key.upper(),
                                           short=stored.key[:31])
    response = client.get(url)
    assert response.status_code == 404, url
    assert not response.mimetype.startswith("image/")


# --- decoding costs (issue 15: a 4.9 KB upload held a worker for seconds and 200 MB) ----------------


def test_a_small_file_declaring_more_pixels_than_the_budget_is_refused_before_decoding(app, monkeypatch):
    # Given a 5000 x 5000 PNG of zeros: a few KB on disk, 75 MB once decoded, above the 24 MP budget
    image = Image.new("L", (5000, 5000))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    data = buffer.getvalue()
    assert len(data) < 50_000 and app.config["IMAGE_MAX_PIXELS"] <= 24_000_000
    decoded = []
    monkeypatch.setattr(Image.Image, "load", lambda self: decoded.append(self) or None)
    # When it is uploaded, then it is refused and no pixel was decoded
    with pytest.raises(DomainError, match="terlalu besar"):
        store_image(data)
    assert decoded == []


def test_a_large_jpeg_is_decoded_scaled_down_with_draft(monkeypatch):
    from PIL import JpegImagePlugin

    drafts = []
    original_draft = JpegImagePlugin.JpegImageFile.draft

    def recording_draft(self, mode, size):
        result = original_draft(self, mode, size)
        drafts.append((self.format, size, self.size))
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", recording_draft)
    stored = store_image(picture("JPEG", size=(4000, 3000)))
    assert drafts and drafts[0][0] == "JPEG" and drafts[0][1] == (RENDITIONS["full"], RENDITIONS["full"])
    assert drafts[0][2][0] < 4000  # libjpeg decoded a scaled-down picture
    assert stored.width == RENDITIONS["full"]


def test_no_more_uploads_are_decoded_at_once_than_the_configured_slots(app, monkeypatch):
    import threading

    from gallery.catalog import images

    monkeypatch.setattr(images, "_decode_slots", threading.BoundedSemaphore(1))
    monkeypatch.setattr(images, "DECODE_WAIT_SECONDS", 0.01)
    # Given one upload holding the only slot
    with images.decoding_slot():
        # When another arrives, then it is turned away with a message instead of piling up
        with pytest.raises(DomainError, match="memproses gambar lain"):
            store_image(picture())
    # and once the slot is free it goes through
    assert store_image(picture()).width == 640


def test_media_does_not_vary_by_cookie_so_shared_caches_keep_one_copy(client, stored):
    client.set_cookie("session", "anything")
    response = client.get(f"/media/products/{stored.key}-card.webp")
    assert response.status_code == 200 and "Cookie" not in response.headers.get("Vary", "")
