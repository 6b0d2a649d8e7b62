"""Tariff tables: checking a CSV row by row, saving it whole or not at all, export, the sample table, the CLI."""
import csv
import io
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from gallery import clock
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.shipping.models import ShippingService, TariffRate, TariffVersion
from gallery.shipping.quotes import ParcelItem, quote
from gallery.shipping.sample_tariff import SAMPLE_PATH
from gallery.shipping.tariff_csv import TariffFileError, export_csv, parse_tariff_csv
from gallery.shipping.tariff_lookups import active_version_id
from gallery.shipping.tariffs import import_tariff, load_sample
from tests.shipping.conftest import HEADER, SMALL_TABLE, csv_bytes

TODAY = datetime(2026, 11, 23, 9, 0, tzinfo=clock.WIB)


@pytest.fixture(autouse=True)
def frozen_today():
    clock.freeze(TODAY)


def counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count(TariffVersion.id))),
            db.session.scalar(select(func.count(TariffRate.id))))


BAD_TABLE = (
    "# a comment line, skipped (its line still counts)\n"
    + HEADER
    + "POS_REG,31.71,Jakarta Pusat,26000,,2,4\n"        # line 3: fine
    "POS_REG,99.99,Nowhere,26000,,2,4\n"                # 4: unknown regency
    "POS_KILAT,31.71,Jakarta Pusat,26000,,2,4\n"        # 5: unknown service
    "POS_NEXTDAY,31.71,Jakarta Pusat,-42000,,1,2\n"     # 6: negative price
    "POS_REG,13.71,Padang,12.000,,2,3\n"                # 7: not a whole number
    "POS_REG,13.01,Pesisir Selatan,8000,,3,1\n"         # 8: etd min > max
    "POS_REG,31.71,Jakarta Pusat,27000,,2,4\n"          # 9: duplicate of line 3
    "\n"                                                # 10: blank, skipped
    "POS_JUMBO,31.71,Jakarta Pusat,,,x,7\n"             # 11: missing price, bad etd
)


def test_every_wrong_row_is_reported_with_its_line_number(pos_services):
    preview = parse_tariff_csv(csv_bytes(BAD_TABLE), "bad.csv")
    assert not preview.ok
    by_line = {}
    for error in preview.errors:
        by_line.setdefault(error.line, []).append((error.column, str(error.message)))
    assert sorted(by_line) == [4, 5, 6, 7, 8, 9, 11]
    assert by_line[4] == [("regency_code", "Kode kabupaten/kota “99.99” tidak dikenal (contoh kode yang benar: 31.71).")]
    assert by_line[5][0][0] == "service" and "POS_KILAT" in by_line[5][0][1] and "POS_REG" in by_line[5][0][1]
    assert by_line[6] == [("price_per_kg", "Harga per kg tidak boleh negatif.")]
    assert by_line[7] == [("price_per_kg", "Harga per kg harus bilangan bulat tanpa titik atau koma, bukan “12.000”.")]
    assert by_line[8] == [("etd_min_days", "Estimasi minimal tidak boleh lebih lama dari estimasi maksimal.")]
    assert by_line[9] == [(None, "Baris ganda: tarif POS_REG ke 31.71 sudah ada di baris 3.")]
    assert {column for column, _ in by_line[11]} == {"price_per_kg", "etd_min_days"}
    assert preview.lines_with_errors == 7 and preview.rows_read == 8


def test_a_file_with_any_error_saves_nothing(pos_services):
    with pytest.raises(TariffFileError) as caught:
        import_tariff(csv_bytes(BAD_TABLE), "bad.csv", TODAY.date())
    assert caught.value.field == "file"
    assert len(caught.value.preview.errors) == 8
    assert counts() == (0, 0)


@pytest.mark.parametrize("content, message", [
    (b"", "File kosong"),
    (b"# only a comment\n", "File kosong"),
    (HEADER.encode(), "tidak memuat satu pun baris data"),
    (b"service,regency,price\nPOS_REG,31.71,26000\n", "Baris judul tidak memuat kolom regency_code"),
    ("service,regency_code,price_per_kg,etd_min_days,etd_max_days\nPOS_REG,31.71,26\xa0000,2,4\n".encode("latin-1"),
     "UTF-8"),
])
def test_file_level_problems(pos_services, content, message):
    preview = parse_tariff_csv(content, "x.csv")
    assert not preview.ok
    assert message in str(preview.errors[0].message)


@pytest.mark.parametrize("row, message", [
    ("POS_REG,31.71,,0,,2,4", "Harga per kg harus antara 1 dan 10.000.000."),
    ("POS_REG,31.71,,10000001,,2,4", "Harga per kg harus antara 1 dan 10.000.000."),
    ("POS_REG,31.71,,12500.5,,2,4", "bilangan bulat"),
    ("POS_REG,31.71,,26000,-1,2,4", "Harga kg pertama tidak boleh negatif."),
    ("POS_REG,31.71,,26000,,2,61", "Estimasi maksimal (hari) harus antara 1 dan 60."),
    ("POS_REG,31.71,,26000,,,4", "Estimasi minimal (hari) wajib diisi."),
    (",31.71,,26000,,2,4", "Layanan wajib diisi."),
    ("POS_REG,,,26000,,2,4", "Kode kabupaten/kota wajib diisi."),
    ("POS_REG,31.71,,26000,,2,4,extra", "Baris ini punya 8 kolom, baris judul 7."),
])
def test_row_checks(pos_services, row, message):
    preview = parse_tariff_csv(csv_bytes(HEADER + row + "\n"))
    assert [error.line for error in preview.errors] == [2]
    assert message in str(preview.errors[0].message)


def test_excel_style_semicolons_a_byte_order_mark_and_lowercase_codes_are_accepted(pos_services):
    text = "\ufeffService;Regency_Code;Price_Per_Kg;Etd_Min_Days;Etd_Max_Days\npos_reg;31.71;26000;2;4\n"
    preview = parse_tariff_csv(text.encode("utf-8"), "excel.csv")
    assert preview.ok, preview.errors
    rate = preview.rates[0]
    assert (rate.service_code, rate.regency_code, rate.price_per_kg, rate.first_kg_price) == ("POS_REG", "31.71", 26000, None)


def test_a_good_file_is_saved_as_a_new_version(pos_services, make):
    admin = make.user("admin")
    version = import_tariff(csv_bytes(SMALL_TABLE), "pos-painan-des.csv", date(2026, 12, 1), user=admin,
                            note="Tarif Desember")
    assert counts() == (1, 7)
    assert (version.effective_on, version.source_filename, version.note, version.row_count, version.imported_by_id) == (
        date(2026, 12, 1), "pos-painan-des.csv", "Tarif Desember", 7, admin.id)
    nextday = db.session.scalar(select(TariffRate).join(ShippingService)
                                .where(ShippingService.code == "POS_NEXTDAY", TariffRate.regency_code == "31.71"))
    assert (nextday.price_per_kg, nextday.first_kg_price, nextday.etd_min_days, nextday.etd_max_days) == (42000, 49000, 1, 2)
    # not in force before 1 December
    assert active_version_id() is None
    assert active_version_id(date(2026, 12, 1)) == version.id


def test_reimporting_creates_a_new_version_and_switches_the_active_one(pos_services):
    first = import_tariff(csv_bytes(SMALL_TABLE), "a.csv", TODAY.date())
    assert quote("31.71", [ParcelItem(1500, 0, 0, 0)])[0].public_price == 52_000
    preview = parse_tariff_csv(csv_bytes(SMALL_TABLE.replace(",26000,", ",27000,")), "b.csv")
    assert (preview.changed, preview.added, preview.removed) == (1, 0, 0)
    second = import_tariff(csv_bytes(SMALL_TABLE.replace(",26000,", ",27000,")), "b.csv", TODAY.date())
    assert second.id != first.id and counts() == (2, 14)
    assert active_version_id() == second.id
    assert quote("31.71", [ParcelItem(1500, 0, 0, 0)])[0].public_price == 54_000
    # the first version and its rates are kept (orders keep the version they were quoted with)
    assert db.session.get(TariffVersion, first.id).row_count == 7


@pytest.mark.parametrize("effective, field_message", [
    (None, "Isi tanggal mulai berlaku."),
    (TODAY.date() - timedelta(days=1), "Tanggal mulai berlaku paling awal hari ini."),
    (TODAY.date() + timedelta(days=367), "paling lambat satu tahun"),
])
def test_the_effective_date_is_today_or_later_within_a_year(pos_services, effective, field_message):
    with pytest.raises(DomainError) as caught:
        import_tariff(csv_bytes(SMALL_TABLE), "a.csv", effective)
    assert caught.value.field == "effective_on" and field_message in str(caught.value.message)
    assert counts() == (0, 0)


def test_export_writes_the_active_table_in_the_import_format(pos_services):
    version = import_tariff(csv_bytes(SMALL_TABLE), "a.csv", TODAY.date())
    text = export_csv()
    lines = text.splitlines()
    assert lines[0].startswith(f"# tariff version {version.id}, effective 2026-11-23")
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[1:]))))
    assert len(rows) == 7
    assert rows[0] == {"service": "POS_REG", "regency_code": "13.01", "regency_name": "Kabupaten Pesisir Selatan",
                       "price_per_kg": "8000", "first_kg_price": "", "etd_min_days": "1", "etd_max_days": "2"}
    # what is exported imports again unchanged
    again = parse_tariff_csv(text.encode("utf-8"))
    assert again.ok and (again.changed, again.added, again.removed) == (0, 0, 0)


def test_export_without_a_table_says_so(pos_services):
    with pytest.raises(DomainError):
        export_csv()


# --- the sample table ------------------------------------------------------------------------------------------------

def test_the_sample_file_is_labelled_and_matches_its_generator():
    from gallery.shipping.sample_tariff import sample_csv

    text = SAMPLE_PATH.read_text(encoding="utf-8")
    assert text.startswith("# SAMPLE tariff table, NOT the real Pos Painan agency prices")
    assert text == sample_csv()


def test_load_sample_loads_all_514_regencies_for_three_services_once(app):
    version = load_sample()
    assert version is not None and version.row_count == 514 * 3
    assert {s.code for s in db.session.scalars(select(ShippingService))} == {"POS_REG", "POS_NEXTDAY", "POS_JUMBO"}
    per_service = dict(db.session.execute(
        select(ShippingService.code, func.count(TariffRate.id)).join(TariffRate).group_by(ShippingService.code)).all())
    assert per_service == {"POS_REG": 514, "POS_NEXTDAY": 514, "POS_JUMBO": 514}
    assert load_sample() is None and counts() == (1, 1542)
    # plausible zones: cheapest at home, dearer with distance, the Jakarta example
    reguler = {o.service_code: o for o in quote("31.71", [ParcelItem(1500, 0, 0, 0)])}["POS_REG"]
    assert (reguler.public_price, reguler.price, reguler.discount, reguler.etd_days) == (52_000, 41_600, 10_400, (2, 4))
    per_kg = [next(o for o in quote(code, [ParcelItem(900, 0, 0, 0)]) if o.service_code == "POS_REG").public_price
              for code in ("13.01", "13.71", "12.71", "31.71", "51.71", "73.71", "95.01")]
    assert per_kg == sorted(per_kg) and len(set(per_kg)) == len(per_kg), per_kg


def test_load_sample_leaves_existing_service_terms_alone(pos_services):
    pos_services["POS_REG"].discount_bp = 2500
    db.session.commit()
    import_tariff(csv_bytes(SMALL_TABLE), "real.csv", TODAY.date())
    assert load_sample() is None
    assert db.session.scalar(select(ShippingService.discount_bp).where(ShippingService.code == "POS_REG")) == 2500
    assert counts() == (1, 7)


# --- the commands ---------------------------------------------------------------------------------------------------

@pytest.fixture
def flask_cli(app):
    runner = app.test_cli_runner()

    def run(*args):
        result = runner.invoke(args=list(args))
        db.session.expire_all()
        return result

    return run


def test_tariff_import_and_export_commands(flask_cli, pos_services, tmp_path):
    good = tmp_path / "pos.csv"
    good.write_text(SMALL_TABLE, encoding="utf-8")
    result = flask_cli("tariff", "import", str(good), "--effective", "2026-11-23", "--note", "dari Pos Painan")
    assert result.exit_code == 0, result.output
    assert "7 rates, effective 2026-11-23" in result.output
    out = tmp_path / "out.csv"
    result = flask_cli("tariff", "export", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "POS_REG,31.71,Kota Administrasi Jakarta Pusat,26000,,2,4" in out.read_text(encoding="utf-8")
    assert "POS_NEXTDAY,13.71" in flask_cli("tariff", "export").output


def test_tariff_import_command_lists_the_errors_and_saves_nothing(flask_cli, pos_services, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_TABLE, encoding="utf-8")
    result = flask_cli("tariff", "import", str(bad), "--effective", "2026-12-01")
    assert result.exit_code == 1
    assert "line 4: Kode kabupaten/kota “99.99” tidak dikenal" in result.output
    assert "line 9: Baris ganda" in result.output
    assert counts() == (0, 0)
    result = flask_cli("tariff", "import", str(bad), "--effective", "2020-01-01")
    assert result.exit_code == 1 and "paling awal hari ini" in result.output


def test_load_sample_command_is_idempotent(flask_cli):
    first = flask_cli("tariff", "load-sample")
    assert first.exit_code == 0, first.output
    assert "SAMPLE table loaded" in first.output and "1542 rates" in first.output
    second = flask_cli("tariff", "load-sample")
    assert second.exit_code == 0 and "sample not loaded" in second.output
    assert counts() == (1, 1542)


def test_a_file_that_drops_regencies_or_services_says_so_and_needs_replace_everything(small_tariff, make,
                                                                                       client):
    # Given the table in force serves Jayawijaya and Pos Jumbo, and a new file that serves neither
    kept = [line for line in SMALL_TABLE.splitlines()[1:] if "95.01" not in line and "POS_JUMBO" not in line]
    content = csv_bytes(HEADER + "\n".join(kept) + "\n")
    # When it is checked, the preview counts and lists what would no longer be served
    preview = parse_tariff_csv(content, "baru.csv")
    assert preview.ok and preview.drops
    assert (preview.dropped_services, preview.dropped_regencies, preview.removed) == (["POS_JUMBO"], ["95.01"], 2)
    # Then saving it needs the explicit choice to replace everything
    with pytest.raises(DomainError) as refused:
        import_tariff(content, "baru.csv", TODAY.date())
    assert refused.value.field == "replace_all"
    assert counts() == (1, 7)
    version = import_tariff(content, "baru.csv", TODAY.date(), replace_all=True)
    assert version.row_count == 5
    # A file that only changes prices needs no such choice.
    assert not parse_tariff_csv(csv_bytes(HEADER + "\n".join(kept) + "\n"), "sama.csv").drops


def test_the_preview_page_lists_the_drops_and_offers_the_choice(small_tariff, make, client):
    from gallery.accounts.models import Role
    from tests.factories import csrf_token

    make.login(client, make.user(Role.ADMIN))
    kept = [line for line in SMALL_TABLE.splitlines()[1:] if "95.01" not in line]
    token = csrf_token(client, "/staff/shipping/tariffs")
    page = client.post("/staff/shipping/tariffs/preview", data={
        "csrf_token": token, "effective_on": TODAY.date().isoformat(), "note": "",
        "file": (io.BytesIO(csv_bytes(HEADER + "\n".join(kept) + "\n")), "baru.csv")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "1 kabupaten/kota tidak bisa dikirimi lagi: 95.01" in page and 'name="replace_all"' in page
