"""The `flask` commands: users, regions, catalog reference data and translations."""
import shutil
from functools import partial

import pytest
from babel.messages.mofile import read_mo
from sqlalchemy import func, select

from gallery.accounts.models import Role, User
from gallery.catalog.models import Category, IkmClassification
from gallery.extensions import db
from gallery.i18n import TRANSLATIONS_DIR, compile_catalogs
from gallery.shipping.models import District, Province, Regency


@pytest.fixture
def flask_cli(app):
    """Run `flask …` against the test app; returns click's Result."""
    runner = app.test_cli_runner()

    def run(*args, **kwargs):
        result = runner.invoke(args=list(args), **kwargs)
        db.session.expire_all()  # the command committed through the same session
        return result

    return run


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


# --- flask users create ---------------------------------------------------------------------------------------


def test_users_create_makes_a_staff_account_that_can_sign_in(flask_cli, client, make):
    result = flask_cli("users", "create", "--email", "Rahmi@Galeri.test", "--role", "staff",
                       "--name", "Rahmi Kasir", "--password", "kasir-painan-1")
    assert result.exit_code == 0, result.output
    assert "created staff rahmi@galeri.test" in result.output
    user = db.session.scalar(select(User).where(User.email == "rahmi@galeri.test"))
    assert (user.role, user.name, user.producer_id) == (Role.STAFF, "Rahmi Kasir", None)
    response = make.login(client, "rahmi@galeri.test", "kasir-painan-1")
    assert response.headers["Location"] == "/staff"
    assert client.get("/staff").status_code == 200


def test_users_create_asks_for_the_password_twice_when_not_given(flask_cli, client, make):
    result = flask_cli("users", "create", "--email", "admin2@galeri.test", "--role", "admin",
                       input="rahasia-admin\nrahasia-admin\n")
    assert result.exit_code == 0, result.output
    assert "created admin admin2@galeri.test" in result.output
    assert make.login(client, "admin2@galeri.test", "rahasia-admin").headers["Location"] == "/staff"


def test_users_create_defaults_to_staff_and_names_the_user_after_the_email(flask_cli):
    result = flask_cli("users", "create", "--email", "yanti@galeri.test", "--password", "rahasia-yanti")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "yanti@galeri.test"))
    assert (user.role, user.name) == (Role.STAFF, "yanti")


def test_users_create_links_a_producer_account_to_its_producer(flask_cli, client, make):
    producer = make.producer("Galamai Bu Ros")
    result = flask_cli("users", "create", "--email", "ros@ikm.test", "--role", "producer",
                       "--producer", producer.slug, "--password", "galamai-enak")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "ros@ikm.test"))
    assert user.role == Role.PRODUCER and user.producer_id == producer.id
    assert make.login(client, "ros@ikm.test", "galamai-enak").headers["Location"] == "/portal"
    assert "Galamai Bu Ros" in client.get("/portal").get_data(as_text=True)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--role", "producer", "--producer", "tidak-ada"], "Produsen tidak-ada tidak ditemukan."),
        (["--role", "producer"], "Akun produsen harus terhubung ke satu produsen (--producer)."),
        (["--role", "staff", "--producer", "PRODUCER"], "Hanya akun produsen yang terhubung ke produsen."),
        (["--role", "staff", "--password", "pendek"], "Kata sandi minimal 10 karakter."),
    ],
    ids=["unknown-producer", "producer-without-producer", "staff-with-producer", "short-password"],
)
def test_users_create_refuses_bad_input_with_a_clear_message_and_creates_nothing(flask_cli, make, extra, message):
    producer = make.producer()
    extra = [producer.slug if value == "PRODUCER" else value for value in extra]
    if "--password" not in extra:
        extra += ["--password", "rahasia-123"]
    result = flask_cli("users", "create", "--email", "baru@galeri.test", *extra)
    assert result.exit_code == 1
    assert f"Error: {message}" in result.output
    assert "Traceback" not in result.output
    assert user_count() == 0


def test_users_create_refuses_an_unknown_role_and_lists_the_known_ones(flask_cli):
    result = flask_cli("users", "create", "--email", "baru@galeri.test", "--role", "kasir", "--password", "rahasia-123")
    assert result.exit_code == 2
    assert "Invalid value for '--role'" in result.output
    for role in Role.ALL:
        assert role in result.output
    assert user_count() == 0


def test_users_create_refuses_an_email_already_taken_in_any_case(flask_cli, make):
    make.user(Role.STAFF, email="staf@galeri.test")
    result = flask_cli("users", "create", "--email", "STAF@galeri.test", "--role", "admin", "--password", "rahasia-123")
    assert result.exit_code == 1
    assert "Email ini sudah terdaftar" in result.output
    assert user_count() == 1
    assert db.session.scalar(select(User.role)) == Role.STAFF


def test_users_create_refuses_mismatched_password_confirmation(flask_cli):
    result = flask_cli("users", "create", "--email", "baru@galeri.test", input="rahasia-123\nrahasia-456\n")
    assert result.exit_code != 0
    assert "do not match" in result.output  # click asks again, then gives up at the end of input
    assert user_count() == 0


# --- flask regions load ---------------------------------------------------------------------------------------


def region_counts() -> tuple[int, int, int]:
    return tuple(db.session.scalar(select(func.count()).select_from(model)) for model in (Province, Regency, District))


def test_regions_load_is_idempotent_and_knows_the_fifteen_kecamatan_of_pesisir_selatan(flask_cli):
    before = region_counts()
    first = flask_cli("regions", "load")
    after_first = region_counts()
    second = flask_cli("regions", "load")
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert before == after_first == region_counts()
    provinces, regencies, districts = after_first
    assert first.output == second.output == (
        f"regions: {provinces} provinces, {regencies} regencies, {districts} districts\n"
    )
    assert provinces >= 34 and regencies >= 500 and districts >= 7000
    home = db.session.scalars(select(District.name).where(District.regency_code == "13.01")).all()
    assert len(home) == 15
    assert {"IV Jurai", "Koto XI Tarusan", "Silaut", "Lunang"} <= set(home)
    assert db.session.get(Regency, "13.01").name.upper() == "KABUPATEN PESISIR SELATAN"


def test_regions_load_repairs_a_changed_name_and_a_missing_district(flask_cli):
    counts = region_counts()
    try:
        db.session.get(District, "13.01.05").name = "Nama Salah"
        db.session.delete(db.session.get(District, "13.01.15"))
        db.session.commit()
        result = flask_cli("regions", "load")
        assert result.exit_code == 0, result.output
        assert db.session.get(District, "13.01.05").name == "IV Jurai"
        assert db.session.get(District, "13.01.15").name == "Silaut"
        assert region_counts() == counts
    finally:
        from gallery.shipping.regions import load_regions

        db.session.rollback()
        load_regions()
        db.session.commit()


# --- flask catalog seed ---------------------------------------------------------------------------------------


def reference_counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count(Category.id))),
            db.session.scalar(select(func.count(IkmClassification.id))))


def test_catalog_seed_is_idempotent(flask_cli):
    counts = reference_counts()
    for _ in range(2):
        result = flask_cli("catalog", "seed")
        assert result.exit_code == 0, result.output
        assert result.output == "catalog: 0 categories and 0 classifications added\n"
        assert reference_counts() == counts
    assert {"fashion", "kuliner", "kerajinan", "lainnya"} <= set(
        db.session.scalars(select(Category.slug).where(Category.parent_id.is_(None)))
    )


def test_catalog_seed_restores_missing_rows_once_and_keeps_staff_edits(flask_cli):
    counts = reference_counts()
    batik = db.session.scalar(select(Category).where(Category.slug == "batik"))
    original_name = batik.name
    try:
        batik.name = "Batik Tulis & Cap"  # edited by staff: must survive a seed
        db.session.delete(db.session.scalar(select(Category).where(Category.slug == "lain-lain")))
        db.session.delete(db.session.scalar(select(IkmClassification).order_by(IkmClassification.id.desc())))
        db.session.commit()

        first = flask_cli("catalog", "seed")
        assert first.output == "catalog: 1 categories and 1 classifications added\n"
        second = flask_cli("catalog", "seed")
        assert second.output == "catalog: 0 categories and 0 classifications added\n"
        assert reference_counts() == counts
        restored = db.session.scalar(select(Category).where(Category.slug == "lain-lain"))
        assert restored.parent.slug == "lainnya" and not restored.is_food
        assert db.session.scalar(select(Category.name).where(Category.slug == "batik")) == "Batik Tulis & Cap"
    finally:
        db.session.rollback()
        db.session.scalar(select(Category).where(Category.slug == "batik")).name = original_name
        db.session.commit()


# --- flask translations compile -------------------------------------------------------------------------------


def test_translations_compile_leaves_an_up_to_date_catalogue_that_translates(flask_cli):
    result = flask_cli("translations", "compile")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("compiled ") and result.output.endswith(" catalogue(s)\n")
    po = TRANSLATIONS_DIR / "en" / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    assert mo.stat().st_mtime >= po.stat().st_mtime
    with mo.open("rb") as handle:
        catalogue = read_mo(handle)
    assert catalogue.get("Halaman tidak ditemukan").string == "Page not found"


def test_translations_compile_builds_missing_catalogues_and_skips_fresh_ones(flask_cli, tmp_path, monkeypatch):
    import gallery.translations_cli

    shutil.copytree(TRANSLATIONS_DIR / "en", tmp_path / "en", ignore=shutil.ignore_patterns("*.mo"))
    monkeypatch.setattr(gallery.translations_cli, "compile_catalogs", partial(compile_catalogs, tmp_path))

    first = flask_cli("translations", "compile")
    assert first.exit_code == 0, first.output
    assert first.output == "compiled 1 catalogue(s)\n"
    mo = tmp_path / "en" / "LC_MESSAGES" / "messages.mo"
    with mo.open("rb") as handle:
        assert read_mo(handle).get("Akses ditolak").string == "Access denied"

    assert flask_cli("translations", "compile").output == "compiled 0 catalogue(s)\n"


def test_users_deactivate_ends_every_session_of_the_user(app, flask_cli, client, make):
    from gallery.accounts.models import Role

    staff = make.user(Role.STAFF)
    make.login(client, staff)
    assert client.get("/staff").status_code == 200
    result = flask_cli("users", "deactivate", staff.email.upper())
    assert result.exit_code == 0, result.output
    assert client.get("/staff").status_code == 302
    assert make.login(app.test_client(), staff).status_code == 422
    assert flask_cli("users", "deactivate", "nobody@uji.test").exit_code != 0
