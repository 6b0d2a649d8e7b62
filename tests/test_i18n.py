"""Bahasa Indonesia by default, English on request; the English catalogue is complete and in step with the code."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from markupsafe import escape

from gallery.i18n import TRANSLATIONS_DIR
from tests.factories import csrf_token

ROOT = Path(__file__).resolve().parent.parent
PO_PATH = TRANSLATIONS_DIR / "en" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


@pytest.fixture(scope="module")
def english():
    with PO_PATH.open("rb") as handle:
        return read_po(handle)


def en(catalogue, msgid: str) -> str:
    """The English text of `msgid` as it appears in HTML."""
    message = catalogue.get(msgid)
    assert message is not None and message.string, f"no English for {msgid!r}"
    return str(escape(message.string))


def html_lang(page: str) -> str:
    return re.search(r'<html lang="([^"]*)"', page).group(1)


HOME_STRINGS = ("Oleh-oleh asli Pesisir Selatan, langsung dari pembuatnya", "Belanja per sektor", "Produk terbaru",
                "Lihat semua produk")
LISTING_STRINGS = ("Semua produk", "Saring produk", "Semua kategori", "Terapkan")


def test_pages_are_in_indonesian_by_default(client):
    home = client.get("/").get_data(as_text=True)
    assert html_lang(home) == "id"
    for text in HOME_STRINGS:
        assert text in home
    assert "Kuliner" in home and "Kerajinan" in home  # sector names
    listing = client.get("/products").get_data(as_text=True)
    assert html_lang(listing) == "id"
    for text in LISTING_STRINGS:
        assert text in listing


def test_lang_en_switches_the_page_to_the_english_catalogue(client, english):
    home = client.get("/?lang=en").get_data(as_text=True)
    assert html_lang(home) == "en"
    for text in HOME_STRINGS:
        assert en(english, text) in home
        assert text not in home
    assert "Culinary" in home and "Handicrafts" in home  # categories' English names
    assert "Kuliner" not in home


def test_the_chosen_language_is_remembered_for_the_next_requests(client, english):
    client.get("/?lang=en")
    listing = client.get("/products").get_data(as_text=True)
    assert html_lang(listing) == "en"
    for text in LISTING_STRINGS:
        assert en(english, text) in listing
    assert html_lang(client.get("/").get_data(as_text=True)) == "en"

    client.get("/products?lang=id")
    back = client.get("/").get_data(as_text=True)
    assert html_lang(back) == "id"
    assert HOME_STRINGS[0] in back


def test_the_choice_belongs_to_one_browser_only(app, client):
    client.get("/?lang=en")
    other = app.test_client()
    assert html_lang(other.get("/").get_data(as_text=True)) == "id"


def test_an_unknown_language_falls_back_to_indonesian(client):
    page = client.get("/?lang=xx").get_data(as_text=True)
    assert html_lang(page) == "id"
    assert HOME_STRINGS[0] in page
    assert html_lang(client.get("/products").get_data(as_text=True)) == "id"


def test_an_unknown_language_keeps_the_language_already_chosen(client):
    client.get("/?lang=en")
    assert html_lang(client.get("/products?lang=xx").get_data(as_text=True)) == "en"
    assert html_lang(client.get("/products").get_data(as_text=True)) == "en"


def test_login_form_errors_appear_in_english_when_english_is_chosen(client, english):
    token = csrf_token(client, "/login?lang=en")
    response = client.post("/login", data={"email": "", "password": "", "csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert en(english, "Email wajib diisi.") in page and en(english, "Kata sandi wajib diisi.") in page
    assert "Email wajib diisi." not in page

    response = client.post("/login", data={"email": "tidak.ada@uji.test", "password": "salah-sandi",
                                           "csrf_token": token})
    page = response.get_data(as_text=True)
    assert en(english, "Email atau kata sandi salah.") in page
    assert "Email atau kata sandi salah." not in page


def test_login_form_errors_are_indonesian_by_default(client):
    token = csrf_token(client, "/login")
    page = client.post("/login", data={"email": "", "password": "", "csrf_token": token}).get_data(as_text=True)
    assert "Email wajib diisi." in page and "Kata sandi wajib diisi." in page


def _texts(value) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def test_every_message_has_a_finished_english_translation(english):
    messages = [m for m in english if m.id]
    assert len(messages) > 100
    untranslated = [m.id for m in messages if not all(s.strip() for s in _texts(m.string))]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_every_translation_keeps_the_placeholders_of_its_message(english):
    wrong = []
    for message in english:
        if not message.id:
            continue
        expected = set(PLACEHOLDER.findall(" ".join(_texts(message.id))))
        for text in _texts(message.string):
            if text and set(PLACEHOLDER.findall(text)) != expected:  # empty ones fail the test above
                wrong.append((message.id, text))
    assert wrong == []


def test_plural_messages_have_both_english_forms(english):
    plurals = [m for m in english if m.id and m.pluralizable]
    assert plurals, "expected at least the '%(num)s produk' plural"
    for message in plurals:
        assert len(message.string) == 2 and all(message.string)


def test_every_string_in_the_code_and_templates_is_in_the_english_catalogue(english, tmp_path):
    """Run the same extraction as `make messages`; a new string without a translation fails here."""
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run([str(pybabel), "-q", "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy", "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as handle:
        extracted = read_po(handle)
    ids = [m.id for m in extracted if m.id]
    assert len(ids) > 100  # the extraction really read the sources
    missing = sorted({(m.id if isinstance(m.id, str) else m.id[0]) for m in extracted if m.id and m.id not in english})
    assert missing == [], "run `make messages` and translate: " + "; ".join(missing)
