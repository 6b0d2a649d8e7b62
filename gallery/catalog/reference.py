"""Reference data every installation needs: the category tree and the IKM classifications."""
from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from gallery.catalog.models import Category, IkmClassification
from gallery.extensions import db

DATA_DIR = Path(__file__).resolve().parents[2] / "data"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def seed_categories() -> int:
    """Create the sectors and sub-categories of data/categories.csv that are missing (by slug)."""
    existing = {c.slug: c for c in db.session.scalars(select(Category))}
    created = 0
    for row in _rows("categories.csv"):
        if row["slug"] in existing:
            continue
        parent = existing.get(row["parent"]) if row["parent"] else None
        category = Category(
            slug=row["slug"],
            parent=parent,
            name=row["name"],
            name_en=row["name_en"] or None,
            is_food=row["is_food"] == "1",
            position=int(row["position"]),
        )
        db.session.add(category)
        existing[row["slug"]] = category
        created += 1
    db.session.flush()
    return created


def seed_classifications() -> int:
    """Create the IKM classifications of data/ikm-classifications.csv that are missing (by code)."""
    existing = set(db.session.scalars(select(IkmClassification.code)))
    created = 0
    for position, row in enumerate(_rows("ikm-classifications.csv"), start=1):
        if row["code"] in existing:
            continue
        db.session.add(
            IkmClassification(
                code=row["code"], name=row["name"], name_en=row["name_en"], sector_slug=row["sector"], position=position
            )
        )
        created += 1
    db.session.flush()
    return created


def seed_reference_data() -> tuple[int, int]:
    """Seed categories and classifications; existing rows (maybe edited by staff) are left alone (the
    caller commits)."""
    return seed_categories(), seed_classifications()
