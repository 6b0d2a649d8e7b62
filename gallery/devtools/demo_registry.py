"""A demo registry of a few hundred IKM so that /statistics looks like the real one (made-up names)."""
from __future__ import annotations

import random

from sqlalchemy import func, select

from gallery import clock
from gallery.catalog.models import IkmClassification, Producer, SizeClass
from gallery.extensions import db
from gallery.registry.models import SECTORS, RegistryEntry
from gallery.shipping.models import HOME_REGENCY_CODE, District

PRODUCT_WORDS = {
    "fashion": ["Songket", "Sulaman", "Bordir", "Batik", "Konveksi", "Tas Pandan", "Mukena"],
    "kuliner": ["Rendang", "Keripik Balado", "Galamai", "Kopi", "Ikan Asin", "Sambal Lado", "Kue Bolu", "Gula Aren"],
    "kerajinan": ["Anyaman", "Ukiran", "Kerang", "Gerabah", "Bambu", "Pandai Besi"],
    "lainnya": ["VCO", "Jamu", "Sablon", "Minyak Kelapa"],
}
OWNERS = ["Rosnawati", "Emawati", "Syafrizal", "Nurhayati", "Yusnidar", "Darmawati", "Afrizal", "Hendri",
          "Marlina", "Zulkifli", "Yulianti", "Rahmat", "Desi", "Fitri", "Irwan", "Wati", "Elvi", "Bujang"]
SUFFIXES = ["Saiyo", "Bundo", "Uni", "Minang", "Pesisir", "Bahari", "Sakato", "Mandiri", "Lestari", "Jaya"]
# Weights of the kecamatan: the gallery's own (IV Jurai) and the coastal ones have more IKM.
SIZE_WEIGHTS = (SizeClass.MIKRO,) * 14 + (SizeClass.KECIL,) * 5 + (SizeClass.MENENGAH,)


def load_demo_registry(rng: random.Random, count: int = 360) -> int:
    """Register every demo producer (they consign) and `count` more IKM (registered only); one bulk insert."""
    if db.session.scalar(select(func.count(RegistryEntry.id))):
        return 0
    districts = list(db.session.scalars(
        select(District.code).where(District.regency_code == HOME_REGENCY_CODE).order_by(District.code)))
    classifications = db.session.execute(select(IkmClassification.id, IkmClassification.sector_slug)).all()
    this_year = clock.today_wib().year
    now = clock.utcnow()
    rows = []
    for producer in db.session.scalars(select(Producer).order_by(Producer.id)):
        cid = producer.classification_id or classifications[0][0]
        sector = next((s for i, s in classifications if i == cid), "lainnya")
        rows.append({
            "registry_number": f"IKM-1301-{len(rows) + 1:04d}", "name": producer.business_name,
            "owner_name": producer.owner_name, "kecamatan_code": producer.kecamatan_code,
            "classification_id": cid, "size_class": producer.size_class,
            "sector": sector if sector in SECTORS else "lainnya", "phone": producer.whatsapp,
            "year_registered": rng.randint(this_year - 10, this_year - 1), "producer_id": producer.id,
            "created_at": now, "updated_at": now,
        })
    weights = [3 if code.endswith((".05", ".07", ".04")) else 1 for code in districts]
    for _ in range(count):
        cid, sector = rng.choice(classifications)
        sector = sector if sector in SECTORS else "lainnya"
        # Registrations grow over the years: later years are likelier.
        year = this_year - min(int(rng.expovariate(0.25)), 14)
        rows.append({
            "registry_number": f"IKM-1301-{len(rows) + 1:04d}",
            "name": f"{rng.choice(PRODUCT_WORDS[sector])} {rng.choice(SUFFIXES)} {len(rows) + 1}",
            "owner_name": rng.choice(OWNERS), "kecamatan_code": rng.choices(districts, weights)[0],
            "classification_id": cid, "size_class": rng.choice(SIZE_WEIGHTS), "sector": sector,
            "phone": f"0812{rng.randint(10_000_000, 99_999_999)}", "year_registered": year, "producer_id": None,
            "created_at": now, "updated_at": now,
        })
    db.session.execute(RegistryEntry.__table__.insert(), rows)
    db.session.commit()
    return len(rows)
