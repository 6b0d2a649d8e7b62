"""Loading and reading the region tables."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from gallery.extensions import db
from gallery.shipping.models import HOME_REGENCY_CODE, District, Province, Regency

REGIONS_DIR = Path(__file__).resolve().parents[2] / "data" / "regions"

# Words kept in capitals when a region name is shown in title case.
_UPPER_WORDS = {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "L", "DKI", "DI"}


@dataclass(frozen=True)
class LoadResult:
    provinces: int
    regencies: int
    districts: int


def display_name(name: str) -> str:
    """Turn `KABUPATEN PESISIR SELATAN` into `Kabupaten Pesisir Selatan`, keeping roman numerals."""
    words = []
    for word in name.split():
        words.append(word if word.upper() in _UPPER_WORDS and word.isupper() else word.capitalize())
    return " ".join(words)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_regions(directory: Path = REGIONS_DIR) -> LoadResult:
    """Insert or update provinces, regencies and districts from the CSV files; safe to repeat (the caller
    commits)."""
    tables = (
        (Province, _read(directory / "provinces.csv")),
        (Regency, _read(directory / "regencies.csv")),
        (District, _read(directory / "districts.csv")),
    )
    for model, rows in tables:
        existing = {code: name for code, name in db.session.execute(select(model.code, model.name))}
        new_rows = [row for row in rows if row["code"] not in existing]
        if new_rows:
            db.session.execute(model.__table__.insert(), new_rows)
        for row in rows:
            if row["code"] in existing and existing[row["code"]] != row["name"]:
                db.session.execute(
                    model.__table__.update().where(model.code == row["code"]).values(name=row["name"])
                )
    db.session.flush()
    return LoadResult(*(len(rows) for _, rows in tables))


def regions_loaded() -> bool:
    """Tell whether the region tables hold data."""
    return (db.session.scalar(select(func.count()).select_from(Regency)) or 0) > 0


def home_districts() -> list[District]:
    """The fifteen kecamatan of Pesisir Selatan, in code order."""
    return list(
        db.session.scalars(select(District).where(District.regency_code == HOME_REGENCY_CODE).order_by(District.code))
    )


def get_district(code: str) -> District | None:
    """Return the district with this Kemendagri code, or None."""
    return db.session.get(District, code)
