"""`make bench`: serve a large catalogue with gunicorn and measure it with wrk from a second process.

Speed is read here, never asserted in tests. Each row shows requests/s, p50 and p99 latency, the SQL
statements one request runs (from the X-SQL-Statements header the app adds when COUNT_SQL_STATEMENTS is
on) and the throughput as a ratio to /healthz measured in the same run, so machines can be compared.
Every storefront page is measured twice: as an anonymous shopper, and as the demo customer signed in with
a product in the cart. Then the staff pages, the RSS of each worker after warm-up and at the end, and,
with --checkout, orders per second under contention (gallery.devtools.bench_checkout).

    python -m gallery.devtools.bench [--products 50000[,200000…]] [--database sqlite|postgresql|both]
                            [--duration 10] [--connections 16] [--rebuild] [--checkout]
    python -m gallery.devtools.bench --settlements 100000   (times statement generation instead; no wrk needed)

Each catalogue lives in its own database, built once: instance/bench-<products>.sqlite3, and on PostgreSQL
the database named by BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/gallery_bench) with
`_<products>` appended, created when missing; --rebuild starts them again.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
INSTANCE = ROOT / "instance"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/gallery_bench"

# Storefront rows, measured as an anonymous shopper and as a signed-in customer with a cart.
PAGES = (
    ("/healthz", "/healthz"),
    ("home", "/"),
    ("listing", "/products"),
    ("page 100", "/products?page=100"),
    ("page 2000", "/products?page=2000"),
    ("category", "/products?category=kuliner&halal=1&sort=price_asc"),
    ("search", "/products?q=rendang"),
    ("product", "/products/{product_slug}"),
    ("producer", "/producers/{producer_slug}"),
    ("producers", "/producers"),
)
# Back-office rows, requested as the demo staff account.
STAFF_PAGES = (
    ("dashboard", "/staff"),
    ("stock", "/staff/stock"),
    ("staff list", "/staff/products"),
    ("staff p200", "/staff/products?page=200"),
    ("staff search", "/staff/products?q=rendang"),
    ("staff filter", "/staff/products?category=kuliner&status=published&page=20"),
    ("staff attn", "/staff/products?attention=any"),
)
STAFF_LOGIN = ("staf@galeri.test", "galeri-demo")  # created by `flask demo load`
CUSTOMER_LOGIN = ("pembeli@galeri.test", "galeri-demo")


@dataclass
class Row:
    name: str
    path: str
    status: int
    statements: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float


def _environment(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        FLASK_APP="gallery",
        GALLERY_ENV="development",
        DATABASE_URL=database_url,
        UPLOAD_FOLDER=str(INSTANCE / "bench-uploads"),
        COUNT_SQL_STATEMENTS="1",
        SECRET_KEY="bench-only-not-secret",
        MAIL_BACKEND="console",
    )
    env.pop("REDIS_URL", None)
    env.pop("CACHE_REDIS_URL", None)
    return env


def _flask(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=env, check=True)


def database_urls(kind: str, products: int) -> str:
    """The bench database of one kind for a catalogue of `products`."""
    if kind == "sqlite":
        return f"sqlite:///{INSTANCE / f'bench-{products}.sqlite3'}"
    base = urllib.parse.urlsplit(os.environ.get("BENCH_POSTGRES_URL") or DEFAULT_POSTGRES_URL)
    return urllib.parse.urlunsplit(base._replace(path=f"{base.path}_{products}"))


def _postgres(url: str, *, drop: bool) -> bool:
    """Make sure the PostgreSQL database exists (dropped first with `drop`); False when it already held one."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
            if drop:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                return False
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        raise OSError(f"PostgreSQL at {parts.hostname}:{parts.port} did not answer: {error}") from error
    return True


def build(database_url: str, products: int, rebuild: bool) -> None:
    """Migrate and fill the bench database unless it already holds a catalogue."""
    env = _environment(database_url)
    if database_url.startswith("sqlite:///"):
        path = Path(database_url[len("sqlite:///"):])
        if rebuild:
            path.unlink(missing_ok=True)
        fresh = not path.exists()
    else:
        fresh = _postgres(database_url, drop=rebuild)
    if not fresh:
        print(f"bench: reusing {database_url.split('@')[-1]} (--rebuild to start again)")
        _flask(env, "db", "upgrade")  # a catalogue built by an older checkout gets the new schema
        return
    started = time.monotonic()
    _flask(env, "db", "upgrade")
    _flask(env, "regions", "load")
    _flask(env, "catalog", "seed")
    _flask(env, "demo", "load", "--products", str(products))
    print(f"bench: catalogue of {products} products built in {time.monotonic() - started:.0f} s")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(base: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("bench: gunicorn exited before it answered")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("bench: gunicorn did not answer /healthz in time")


def _first_link(base: str, path: str, prefix: str) -> str:
    with urllib.request.urlopen(base + path, timeout=60) as response:
        page = response.read().decode()
    match = re.search(rf'href="{prefix}([a-z0-9-]+)"', page)
    if not match:
        raise SystemExit(f"bench: no link to {prefix}… on {path}")
    return match.group(1)


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _milliseconds(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * _UNITS_MS[unit]


def parse_wrk(output: str) -> tuple[float, float, float]:
    """(requests/s, p50 ms, p99 ms) from `wrk --latency` output."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _milliseconds(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = _milliseconds(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    return rps, p50, p99


def csrf_token_in(page: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    if not match:
        raise SystemExit("bench: no CSRF token on the page")
    return match.group(1)


def signed_in_opener(base: str, email: str, password: str, landing: str):
    """Sign in through the login form; (an opener carrying the session, its cookie jar)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base + "/login", timeout=30) as response:
        token = csrf_token_in(response.read().decode())
    form = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token}).encode()
    with opener.open(base + "/login", data=form, timeout=30) as response:
        if urllib.parse.urlparse(response.url).path != landing:
            raise SystemExit(f"bench: could not sign in as {email} (is the demo loaded?)")
    return opener, jar


def cookie_header(jar) -> str:
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def staff_cookie(base: str, email: str = STAFF_LOGIN[0], password: str = STAFF_LOGIN[1]) -> str:
    """Sign in as staff through the login form; the Cookie header that carries the session."""
    return cookie_header(signed_in_opener(base, email, password, "/staff")[1])


def customer_cookie(base: str, product_slug: str) -> str:
    """Sign in as the demo customer and put the product in the cart; the Cookie header of that session."""
    opener, jar = signed_in_opener(base, *CUSTOMER_LOGIN, "/")
    with opener.open(f"{base}/products/{product_slug}", timeout=30) as response:
        page = response.read().decode()
    variant = re.search(r'name="variant_id" value="(\d+)"', page) or re.search(r'<option value="(\d+)"', page)
    if variant is None:
        raise SystemExit(f"bench: {product_slug} cannot be added to the cart")
    form = urllib.parse.urlencode({"variant_id": variant.group(1), "quantity": "1", "csrf_token": csrf_token_in(page),
                                   "next": "/cart"}).encode()
    with opener.open(base + "/cart/add", data=form, timeout=30):
        pass
    return cookie_header(jar)


def measure(base: str, name: str, path: str, duration: int, connections: int, cookie: str | None = None) -> Row:
    request = urllib.request.Request(base + path, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=60) as response:
        status = response.status
        statements = response.headers.get("X-SQL-Statements", "?")
    header = ["-H", f"Cookie: {cookie}"] if cookie else []
    result = subprocess.run(
        ["wrk", "--latency", "-t", "2", "-c", str(connections), "-d", f"{duration}s", *header, base + path],
        capture_output=True, text=True, check=True,
    )
    rps, p50, p99 = parse_wrk(result.stdout)
    return Row(name, path, status, statements, rps, p50, p99)


def report(rows: list[Row], baseline: float | None = None) -> str:
    """The table of rows, each with its ratio to /healthz (the first row, unless a baseline is given)."""
    baseline = (baseline if baseline is not None else rows[0].requests_per_second) or 1.0
    lines = [
        f"{'page':<12} {'status':>6} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'SQL/req':>8} {'vs /healthz':>11}  path",
    ]
    for row in rows:
        lines.append(
            f"{row.name:<12} {row.status:>6} {row.requests_per_second:>9.1f} {row.p50_ms:>8.1f} "
            f"{row.p99_ms:>8.1f} {row.statements:>8} {row.requests_per_second / baseline:>11.2f}  {row.path}"
        )
    return "\n".join(lines)


def worker_rss_mb(master_pid: int) -> list[float]:
    """Resident memory of each gunicorn worker (children of the master), in MB."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master_pid}$", text, re.M):
            sizes.append(int(re.search(r"^VmRSS:\s+(\d+) kB", text, re.M).group(1)) / 1024)
    return sorted(sizes)


def run_database(kind: str, products: int, args) -> str:
    """Build (once), serve and measure one catalogue; the printed section."""
    url = database_urls(kind, products)
    build(url, products, args.rebuild)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(args.workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=_environment(url), stdout=subprocess.DEVNULL,
    )
    lines = [f"== {kind}, {products:,} products: gunicorn {args.workers} workers, wrk 2 threads × "
             f"{args.connections} connections, {args.duration} s per page, {datetime.now(timezone.utc).date().isoformat()}"]
    try:
        _wait_until_up(base, server)
        slugs = {"product_slug": _first_link(base, "/products?sort=name", "/products/"),
                 "producer_slug": _first_link(base, "/producers", "/producers/")}
        warm = measure(base, "warm-up", "/products", max(5, args.duration), args.connections)
        rss_warm = worker_rss_mb(server.pid)
        for visitor, cookie in (("anonymous", None), ("customer with a cart", customer_cookie(base, slugs["product_slug"]))):
            rows = []
            for name, path in PAGES:
                path = path.format(**slugs)
                print(f"bench: {kind} {products} {visitor}: {path} for {args.duration} s …", flush=True)
                rows.append(measure(base, name, path, args.duration, args.connections, cookie))
            lines += [f"-- {visitor}", report(rows)]
            healthz = rows[0].requests_per_second
        cookie = staff_cookie(base)
        rows = [measure(base, name, path, args.duration, args.connections, cookie) for name, path in STAFF_PAGES]
        lines += ["-- staff", report(rows, baseline=healthz)]
        requests = warm.requests_per_second * max(5, args.duration)
        lines.append(f"worker RSS MB after warm-up ({requests:,.0f} requests): {rss_warm}; "
                     f"at the end: {worker_rss_mb(server.pid)}")
        if args.checkout:
            from gallery.devtools.bench_checkout import run_checkout

            lines += run_checkout(base, url, _environment(url), args.duration)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", default="50000", help="catalogue sizes, comma-separated (5000,50000,200000)")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--checkout", action="store_true", help="also measure checkouts under contention")
    parser.add_argument("--settlements", type=int, metavar="ALLOCATIONS",
                        help="build this many sold allocations and time generating all producers' statements")
    args = parser.parse_args(argv)

    if args.settlements:
        from gallery.devtools.bench_settlements import run

        run(args.settlements, INSTANCE)
        return 0

    if shutil.which("wrk") is None:
        raise SystemExit("bench: wrk is not installed (apt-get install wrk)")
    INSTANCE.mkdir(exist_ok=True)
    kinds = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    sections = []
    for products in (int(size) for size in args.products.split(",")):
        for kind in kinds:
            try:
                sections.append(run_database(kind, products, args))
            except OSError as error:  # PostgreSQL not running: say so and measure the rest
                sections.append(f"== {kind}, {products:,} products: not measured ({error})")
    print()
    print("\n\n".join(sections))
    return 0


if __name__ == "__main__":
    sys.exit(main())
