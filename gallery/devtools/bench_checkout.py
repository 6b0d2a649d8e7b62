"""`make bench --checkout`: orders per second when 16 shoppers check out at once, and whether stock held.

Two rounds against the served bench catalogue: every client buying one of 50 products, then all of them
buying the same product. Each client is a thread with its own session speaking HTTP like a browser:
add one unit to the cart, then place a pick-up order (two POSTs per order, redirects not followed).
Before the rounds the 50 products get a lot of 100,000 units each, through the ledger; after them the
ledger is checked lot by lot (received = on hand + sold + returned + written off, never below zero), so
"0 oversold" is read from the books, not assumed.

    python -m gallery.devtools.bench_checkout prepare|verify   (run by gallery.devtools.bench with the bench database's environment)
"""
from __future__ import annotations

import http.cookiejar
import json
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

CLIENTS = 16
PRODUCTS = 50
UNITS = 100_000
MIN_SECONDS = 10  # a round shorter than this measures the machine's hiccups more than the shop
BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 303 is the answer we measure, not a page to fetch


@dataclass
class Tally:
    orders: int = 0
    sold_out: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _post(opener, url: str, data: dict) -> int:
    try:
        with opener.open(url, data=urllib.parse.urlencode(data).encode(), timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as answer:
        return answer.code


def _client(base: str, variants: list[int], start: threading.Barrier, seconds: float, tally: Tally, seed: int) -> None:
    from gallery.devtools.bench import csrf_token_in

    rng = random.Random(seed)
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect)
    with opener.open(base + "/login", timeout=60) as response:
        token = csrf_token_in(response.read().decode())
    start.wait()  # every shopper has a session: the clock starts now, for all of them
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        variant = rng.choice(variants)
        added = _post(opener, base + "/cart/add", {"variant_id": variant, "quantity": 1, "csrf_token": token,
                                                   "next": "/cart"})
        placed = _post(opener, base + "/checkout", {
            "action": "place", "fulfilment": "pickup", "name": "Pembeli Bench", "email": f"bench{seed}@galeri.test",
            "whatsapp": "081234567890", "csrf_token": token})
        with tally.lock:
            if added == 303 and placed == 303:
                tally.orders += 1
            elif placed == 422:
                tally.sold_out += 1
            else:
                tally.errors.append(f"add {added}, checkout {placed}")


def contend(base: str, variants: list[int], seconds: int) -> tuple[float, Tally]:
    """Run CLIENTS shoppers for `seconds`; (orders per second, their tally)."""
    tally = Tally()
    start = threading.Barrier(CLIENTS + 1)
    threads = [threading.Thread(target=_client, args=(base, variants, start, seconds, tally, n)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.monotonic()
    for thread in threads:
        thread.join()
    return tally.orders / (time.monotonic() - began), tally


def _in_app(command: str, env: dict) -> dict:
    result = subprocess.run([str(BIN / "python"), "-m", "gallery.devtools.bench_checkout", command], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_checkout(base: str, url: str, env: dict, seconds: int) -> list[str]:
    """Both rounds; the lines of the report."""
    variants = _in_app("prepare", env)["variants"]
    lines = ["-- checkout, 16 clients (pick-up orders, add to cart + place order per order)"]
    seconds = max(seconds, MIN_SECONDS)
    for label, chosen in (("50 products", variants), ("one product", variants[:1])):
        print(f"bench: checkout, {label}, for {seconds} s …", flush=True)
        rate, tally = contend(base, chosen, seconds)
        lines.append(f"{label:<12} {rate:>7.1f} orders/s  ({tally.orders} orders, {tally.sold_out} sold out, "
                     f"{len(tally.errors)} errors{': ' + tally.errors[0] if tally.errors else ''})")
    books = _in_app("verify", env)
    lines.append(f"ledger after the rounds: {books['lots']} lots, {books['unbalanced']} unbalanced, "
                 f"{books['negative']} below zero (oversold)")
    return lines


def _prepare() -> dict:
    from sqlalchemy import select

    from gallery.catalog.models import Category, Producer, Product, Variant
    from gallery.consignment.documents import default_payout
    from gallery.consignment.services import record_intake
    from gallery.extensions import db

    variants = list(db.session.scalars(
        select(Variant).join(Product).join(Producer).join(Category)
        .where(Product.published.is_(True), Producer.is_active.is_(True), Variant.is_active.is_(True),
               Category.is_food.is_(False))
        .order_by(Product.id, Variant.id).limit(PRODUCTS)))
    for variant in variants:
        record_intake(variant, UNITS, default_payout(variant, variant.product.producer), reason="bench")
    db.session.commit()
    return {"variants": [variant.id for variant in variants]}


def _verify() -> dict:
    from gallery.consignment.ledger import lot_balances

    balances = lot_balances()
    return {"lots": len(balances), "unbalanced": sum(not b.balanced for b in balances.values()),
            "negative": sum(b.on_hand < 0 for b in balances.values())}


def main(command: str) -> None:
    from gallery import create_app

    app = create_app()
    with app.app_context():
        print(json.dumps({"prepare": _prepare, "verify": _verify}[command]()))


if __name__ == "__main__":
    main(sys.argv[1])
