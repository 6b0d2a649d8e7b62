"""The registry import: row-level errors save nothing; a good file imports; re-import is an upsert."""
from pathlib import Path

import pytest
from sqlalchemy import func, select

from gallery.extensions import db
from gallery.registry.models import RegistryEntry
from gallery.registry.services import RegistryFileError, import_registry, parse_registry_csv

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "registry-sample.csv"
HEADER = "registry_number,name,owner,kecamatan,classification,size_class,sector,phone,year_registered\n"


def entries() -> int:
    return db.session.scalar(select(func.count(RegistryEntry.id)))


def test_the_sample_file_imports_and_a_second_import_changes_nothing():
    result = import_registry(SAMPLE.read_bytes(), SAMPLE.name)
    db.session.commit()
    assert (result.added, result.changed, result.unchanged) == (10, 0, 0)
    assert entries() == 10
    entry = db.session.scalar(select(RegistryEntry).where(RegistryEntry.registry_number == "IKM-1301-0003"))
    assert entry.kecamatan_code == "13.01.07" and entry.sector == "kuliner"  # sector from its classification
    before = {e.registry_number: (e.name, e.updated_at) for e in db.session.scalars(select(RegistryEntry))}
    again = import_registry(SAMPLE.read_bytes(), SAMPLE.name)
    db.session.commit()
    assert (again.added, again.changed, again.unchanged) == (0, 0, 10)
    db.session.expire_all()
    assert {e.registry_number: (e.name, e.updated_at) for e in db.session.scalars(select(RegistryEntry))} == before


def test_a_changed_row_updates_by_registry_number():
    import_registry(SAMPLE.read_bytes())
    db.session.commit()
    changed = SAMPLE.read_text(encoding="utf-8").replace("Songket Saiyo,Rosnawati,IV Jurai,tenun-songket,mikro",
                                                         "Songket Saiyo,Rosnawati,IV Jurai,tenun-songket,kecil")
    result = import_registry(changed.encode())
    db.session.commit()
    assert (result.added, result.changed, result.unchanged) == (0, 1, 9)
    assert entries() == 10
    entry = db.session.scalar(select(RegistryEntry).where(RegistryEntry.registry_number == "IKM-1301-0001"))
    assert entry.size_class == "kecil"


@pytest.mark.parametrize("row, column", [
    ("R9,Usaha,Ani,Kecamatan Antah,batik,mikro,,,2020", "kecamatan"),
    ("R9,Usaha,Ani,13.02.01,batik,mikro,,,2020", "kecamatan"),  # a kecamatan outside Pesisir Selatan
    ("R9,Usaha,Ani,Bayang,bukan-klasifikasi,mikro,,,2020", "classification"),
    ("R9,Usaha,Ani,Bayang,batik,raksasa,,,2020", "size_class"),
    ("R9,Usaha,Ani,Bayang,batik,mikro,,,20x0", "year_registered"),
    ("R9,Usaha,Ani,Bayang,batik,mikro,,,2999", "year_registered"),
    ("R9,Usaha,Ani,Bayang,batik,mikro,pertambangan,,2020", "sector"),
    ("IKM-1301-0001,Usaha,Ani,Bayang,batik,mikro,,,2020", "registry_number"),  # duplicate in the file
])
def test_one_bad_row_saves_nothing_and_is_named_with_its_line(row, column):
    good = SAMPLE.read_text(encoding="utf-8")
    content = (good + row + "\n").encode()
    bad_line = len(good.splitlines()) + 1
    with pytest.raises(RegistryFileError) as caught:
        import_registry(content, "bad.csv")
    errors = caught.value.preview.errors
    assert [(e.line, e.column) for e in errors] == [(bad_line, column)]
    assert entries() == 0


def test_preview_counts_what_would_change_without_saving():
    preview = parse_registry_csv(SAMPLE.read_bytes())
    assert preview.ok and preview.added == 10 and entries() == 0


def test_an_entry_is_linked_to_the_producer_with_the_same_name_in_the_same_kecamatan(make):
    producer = make.producer("Songket  SAIYO", kecamatan="13.01.05")
    make.producer("Rendang Uni Ema", kecamatan="13.01.06")  # another kecamatan: not linked
    result = import_registry(SAMPLE.read_bytes())
    db.session.commit()
    assert result.linked == 1
    linked = db.session.scalars(select(RegistryEntry).where(RegistryEntry.producer_id.is_not(None))).all()
    assert [(e.registry_number, e.producer_id) for e in linked] == [("IKM-1301-0001", producer.id)]
    assert import_registry(SAMPLE.read_bytes()).changed == 0


def test_the_cli_imports_and_reports_nothing_changed_the_second_time(app, tmp_path):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["producers", "import", str(SAMPLE)])
    assert first.exit_code == 0, first.output
    assert "10 added, 0 changed" in first.output
    second = runner.invoke(args=["producers", "import", str(SAMPLE)])
    assert "0 added, 0 changed" in second.output
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "R1,Usaha,Ani,Atlantis,batik,mikro,,,2020\n", encoding="utf-8")
    result = runner.invoke(args=["producers", "import", str(bad)])
    assert result.exit_code != 0 and "line 2" in result.output
