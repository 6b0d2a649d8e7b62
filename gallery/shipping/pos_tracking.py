"""The Pos Indonesia tracking adapter: a parcel's events by its resi (the only module that calls the API).

Pos Indonesia's business API sits behind an OAuth2 gateway: the shop asks `POST {POS_TRACKING_URL}/token`
(client credentials, HTTP Basic with the key and secret the agency issues) for a bearer token, then
`POST {POS_TRACKING_URL}/utilitas/bisnis/1.0.1/getTrackAndTrace` with `{"barcode": resi}`, which answers
`{"response": {"data": [{"barcode", "eventDate": "YYYY-MM-DD HH:MM:SS" (WIB), "eventName", "officeCode",
"officeName", "description"}, …]}}`. Event names become our ParcelStatus. Without POS_TRACKING_URL and
credentials nothing is polled and staff type or import the events instead (gallery.orders.tracking).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone

import requests
from flask import current_app

from gallery.orders.models import ParcelStatus

TOKEN_PATH = "/token"  # noqa: S105 - an address, not a secret
TRACK_PATH = "/utilitas/bisnis/1.0.1/getTrackAndTrace"
# Words of Pos's event names, first match wins (checked in this order: "GAGAL ANTAR" before "ANTAR").
_STATUS_WORDS = (
    (("GAGAL", "ANTAR ULANG", "TIDAK BERHASIL"), ParcelStatus.FAILED_ATTEMPT),
    (("RETUR", "KEMBALI KE PENGIRIM"), ParcelStatus.RETURNED),
    (("SELESAI ANTAR", "DITERIMA OLEH", "DELIVERED", "BERHASIL ANTAR"), ParcelStatus.DELIVERED),
    (("ANTAR", "KURIR", "DELIVERY"), ParcelStatus.OUT_FOR_DELIVERY),
    (("POSTING", "LOKET", "PENERIMAAN"), ParcelStatus.POSTED),
)


class TrackingUnavailable(Exception):
    """The tracker could not answer now (down, refused, or answered something unreadable)."""


@dataclass(frozen=True)
class ParcelEvent:
    """One step of a parcel as the tracker reports it (the moment in UTC)."""

    occurred_at: datetime
    status: str
    location: str
    description: str


def configured() -> bool:
    """Whether the Pos tracking API is set up (its address and the agency's key and secret)."""
    config = current_app.config
    return bool(config.get("POS_TRACKING_URL") and config.get("POS_TRACKING_KEY")
                and config.get("POS_TRACKING_SECRET"))


def status_of(event_name: str) -> str:
    """Our ParcelStatus for one of Pos's event names ("SELESAI ANTAR" → delivered; unknown → in transit)."""
    name = (event_name or "").upper()
    for words, status in _STATUS_WORDS:
        if any(word in name for word in words):
            return status
    return ParcelStatus.IN_TRANSIT


_token: dict = {}


def _bearer(base: str) -> str:
    """A cached access token, asked anew shortly before it expires."""
    if _token.get("base") == base and _token.get("expires", 0) > time.monotonic() + 30:
        return _token["value"]
    config = current_app.config
    try:
        response = requests.post(base + TOKEN_PATH, data={"grant_type": "client_credentials"},
                                 auth=(config["POS_TRACKING_KEY"], config["POS_TRACKING_SECRET"]),
                                 timeout=config["POS_TRACKING_TIMEOUT_SECONDS"])
        answer = response.json()
    except (requests.RequestException, ValueError) as error:
        raise TrackingUnavailable(f"Pos token: {error}") from None
    if response.status_code != 200 or not answer.get("access_token"):
        raise TrackingUnavailable(f"Pos token refused: {response.status_code} {response.text[:200]}")
    _token.update(base=base, value=answer["access_token"],
                  expires=time.monotonic() + int(answer.get("expires_in") or 3600))
    return _token["value"]


def _moment(text: str) -> datetime:
    """Pos's local time (WIB) as an aware UTC datetime."""
    return datetime.strptime(text.strip()[:19] + " +0700", "%Y-%m-%d %H:%M:%S %z").astimezone(timezone.utc)


def fetch_events(resi: str) -> list[ParcelEvent]:
    """Every event Pos knows of the parcel, oldest first; raise TrackingUnavailable when it cannot tell."""
    base = current_app.config["POS_TRACKING_URL"].rstrip("/")
    token = _bearer(base)
    try:
        response = requests.post(base + TRACK_PATH, json={"barcode": resi},
                                 headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                                 timeout=current_app.config["POS_TRACKING_TIMEOUT_SECONDS"])
        answer = response.json()
    except (requests.RequestException, ValueError) as error:
        raise TrackingUnavailable(f"Pos tracking: {error}") from None
    if response.status_code == 401:
        _token.clear()
    if response.status_code != 200:
        raise TrackingUnavailable(f"Pos tracking {response.status_code}: {response.text[:200]}")
    rows = ((answer.get("response") or {}).get("data")) or []
    try:
        events = [ParcelEvent(_moment(row["eventDate"]), status_of(row.get("eventName", "")),
                              str(row.get("officeName") or "")[:120],
                              str(row.get("description") or row.get("eventName") or "")[:300])
                  for row in rows if isinstance(row, dict) and row.get("barcode", resi) == resi]
    except (KeyError, ValueError, TypeError) as error:
        raise TrackingUnavailable(f"Pos tracking answer unreadable: {error}") from None
    return sorted(events, key=lambda event: event.occurred_at)
