"""The SAMPLE tariff shipped in data/tariff-sample.csv, and the sample terms of the three Pos services.

NOT the Pos Painan agency's real prices: a plausible table built from zones by distance from Painan
so the shop works out of the box. The real table comes from the agency and is imported by an
admin (/staff/shipping/tariffs or `flask tariff import`).

Regenerate the CSV after changing the zones:

    .venv/bin/python -m gallery.shipping.sample_tariff > data/tariff-sample.csv
"""
from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
SAMPLE_PATH = DATA_DIR / "tariff-sample.csv"
HEADER = ("service", "regency_code", "regency_name", "price_per_kg", "first_kg_price", "etd_min_days", "etd_max_days")


@dataclass(frozen=True)
class SampleService:
    """A service's terms as `flask tariff load-sample` creates it when missing."""

    code: str
    name: str
    volumetric_divisor: int
    rounding_tolerance_grams: int
    min_kg: int
    max_kg: int
    max_length_cm: int
    discount_bp: int
    insurance_rate_bp: int
    insurance_fee: int
    position: int
    # Cash on delivery: sample terms only (the agency states its own); off unless COD_ENABLED is set.
    cod_enabled: bool = False
    cod_fee_bp: int = 0
    cod_min_fee: int = 0


# Sample terms of the agency agreement: 20 % off Pos Reguler, 15 % off Nextday, 10 % off Jumbo;
# insurance 0,24 % of the declared value + Rp 2.000 (Pos's usual form); COD by Pos Reguler for 3 %, at
# least Rp 5.000.
SAMPLE_SERVICES = (
    SampleService("POS_REG", "Pos Reguler", 6000, 200, 1, 50, 150, 2000, 24, 2000, 10,
                  cod_enabled=True, cod_fee_bp=300, cod_min_fee=5000),
    SampleService("POS_NEXTDAY", "Pos Nextday", 6000, 200, 1, 30, 120, 1500, 24, 2000, 20),
    SampleService("POS_JUMBO", "Pos Jumbo Ekonomi", 6000, 500, 10, 150, 200, 1000, 24, 2000, 30),
)

# Pos Reguler per kg and its estimate (days) to a city (kota) of each province; a kabupaten costs a
# little more and may take a day longer outside Java and Sumatra.
# zone: Pesisir Selatan itself, the rest of West Sumatra, Sumatra, Java, Bali/Nusa Tenggara,
# Kalimantan, Sulawesi, Maluku/Papua.
PROVINCE_REGULER = {
    "13": (12_000, 2, 3),
    "14": (17_000, 2, 4), "15": (17_000, 2, 4), "17": (18_000, 2, 4),
    "12": (20_000, 2, 4), "16": (20_000, 3, 4),
    "11": (24_000, 3, 5), "18": (22_000, 3, 5), "19": (24_000, 3, 5), "21": (24_000, 3, 5),
    "31": (26_000, 2, 4), "32": (26_000, 2, 4), "36": (26_000, 2, 4),
    "33": (28_000, 3, 5), "34": (28_000, 3, 5), "35": (30_000, 3, 5),
    "51": (38_000, 4, 6), "52": (42_000, 4, 7), "53": (50_000, 5, 8),
    "61": (40_000, 4, 6), "62": (45_000, 4, 7), "63": (45_000, 4, 7), "64": (48_000, 4, 7), "65": (55_000, 5, 8),
    "71": (60_000, 5, 8), "72": (58_000, 5, 8), "73": (52_000, 4, 7), "74": (58_000, 5, 8),
    "75": (62_000, 5, 8), "76": (58_000, 5, 8),
    "81": (70_000, 6, 10), "82": (75_000, 6, 10),
    "91": (85_000, 7, 12), "92": (85_000, 7, 12), "93": (86_000, 7, 14), "94": (88_000, 8, 14),
    "95": (90_000, 8, 14), "96": (85_000, 7, 12),
}
HOME_REGENCY = ("13.01", 8_000, 1, 2)
NEAR_PROVINCES = {"11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35", "36"}


def _round_to(amount: int, step: int = 500) -> int:
    return (amount + step - 1) // step * step


def rates_for(code: str, name: str) -> list[tuple]:
    """The three sample rows (service, code, name, per kg, first kg, etd min, etd max) of one regency."""
    province = code[:2]
    if code == HOME_REGENCY[0]:
        reg, etd_min, etd_max = HOME_REGENCY[1:]
    else:
        reg, etd_min, etd_max = PROVINCE_REGULER[province]
        if name.upper().startswith("KABUPATEN"):
            reg = _round_to(reg * 21 // 20) if province not in NEAR_PROVINCES else reg + 1_000
            etd_max += 0 if province in NEAR_PROVINCES else 1
    nextday = _round_to(reg * 8 // 5)
    nextday_first = nextday + _round_to(reg // 4, 1000)
    nd_min, nd_max = (1, 1) if code == HOME_REGENCY[0] else (1, 2) if province in NEAR_PROVINCES else (2, 3)
    jumbo = _round_to(reg * 3 // 5)
    return [
        ("POS_REG", code, name, reg, "", etd_min, etd_max),
        ("POS_NEXTDAY", code, name, nextday, nextday_first, nd_min, nd_max),
        ("POS_JUMBO", code, name, jumbo, "", etd_min + 1, etd_max + 3),
    ]


def sample_csv(regencies_csv: Path = DATA_DIR / "regions" / "regencies.csv") -> str:
    """The sample table as CSV text, comment lines first."""
    from gallery.shipping.regions import display_name

    out = io.StringIO()
    out.write(
        "# SAMPLE tariff table, NOT the real Pos Painan agency prices. Built from zones by distance from Painan\n"
        "# (gallery.shipping.sample_tariff). Public Pos prices in whole Rupiah per kg; estimates in days.\n"
        "# Import the agency's real table at /staff/shipping/tariffs or with `flask tariff import FILE --effective DATE`.\n"
    )
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    with regencies_csv.open(newline="", encoding="utf-8") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda row: row["code"])
    by_service: dict[str, list[tuple]] = {service.code: [] for service in SAMPLE_SERVICES}
    for row in rows:
        for rate in rates_for(row["code"], display_name(row["name"])):
            by_service[rate[0]].append(rate)
    for service in SAMPLE_SERVICES:
        writer.writerows(by_service[service.code])
    return out.getvalue()


if __name__ == "__main__":
    sys.stdout.write(sample_csv())
