"""`make bench`: serve a large catalogue with gunicorn and measure it with wrk from a second process.

Speed is read here, never asserted in tests. Each row shows requests/s, p50 and p99 latency, the SQL
statements one request runs (from the X-SQL-Statements header the app adds when COUNT_SQL_STATEMENTS is
on) and the throughput as a ratio to /healthz measured in the same run, so machines can be compared.

    python -m gallery.bench [--products 50000] [--duration 10] [--rebuild]
    python -m gallery.bench --settlements 100000   (times statement generation instead; no wrk needed)

The catalogue lives in its own database (instance/bench.sqlite3, or BENCH_DATABASE_URL) and is built once;
--rebuild starts it again.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
INSTANCE = ROOT / "instance"

# Later issues add their own rows here.
PAGES = (
    ("/healthz", "/healthz"),
    ("home", "/"),
    ("listing", "/products"),
    ("search", "/products?q=rendang"),
    ("category p3", "/products?category=kuliner&page=3"),
    ("product", "/products/{product_slug}"),
    ("partners", "/partners"),
    ("statistics", "/statistics"),
)
# Back-office rows, requested as the demo staff account. A page of products runs the same statements whatever
# its number and the catalogue's size (8); a category filter adds the two that read the category, and an empty
# page (as "needs attention" usually is in the bench catalogue) skips the reads of its rows.
STAFF_PAGES = (
    ("staff list", "/staff/products"),
    ("staff p200", "/staff/products?page=200"),
    ("staff search", "/staff/products?q=rendang"),
    ("staff filter", "/staff/products?category=kuliner&status=published&page=20"),
    ("staff attn", "/staff/products?attention=any"),
)
STAFF_LOGIN = ("staf@galeri.test", "galeri-demo")  # created by `flask demo load`


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
    )
    env.pop("REDIS_URL", None)
    return env


def _flask(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=env, check=True)


def build(database_url: str, products: int, rebuild: bool) -> None:
    """Migrate and fill the bench database unless it already holds a catalogue."""
    env = _environment(database_url)
    sqlite_path = Path(database_url[len("sqlite:///"):]) if database_url.startswith("sqlite:///") else None
    if sqlite_path is not None and rebuild:
        sqlite_path.unlink(missing_ok=True)
        shutil.rmtree(INSTANCE / "bench-uploads", ignore_errors=True)
    if sqlite_path is not None and sqlite_path.exists():
        print(f"bench: reusing {sqlite_path} (--rebuild to start again)")
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


def _product_slug(base: str) -> str:
    with urllib.request.urlopen(base + "/products?sort=name", timeout=30) as response:
        page = response.read().decode()
    match = re.search(r'href="/products/([a-z0-9-]+)"', page)
    if not match:
        raise SystemExit("bench: no product link on /products")
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
        raise SystemExit("bench: no CSRF token on the login page")
    return match.group(1)


def staff_cookie(base: str, email: str = STAFF_LOGIN[0], password: str = STAFF_LOGIN[1]) -> str:
    """Sign in as staff through the login form; the Cookie header that carries the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base + "/login", timeout=30) as response:
        token = csrf_token_in(response.read().decode())
    form = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token}).encode()
    with opener.open(base + "/login", data=form, timeout=30) as response:
        if urllib.parse.urlparse(response.url).path != "/staff":
            raise SystemExit(f"bench: could not sign in as {email} (is the demo loaded?)")
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def measure(base: str, name: str, path: str, duration: int, connections: int, cookie: str | None = None) -> Row:
    request = urllib.request.Request(base + path, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        status = response.status
        statements = response.headers.get("X-SQL-Statements", "?")
    header = ["-H", f"Cookie: {cookie}"] if cookie else []
    result = subprocess.run(
        ["wrk", "--latency", "-t", "2", "-c", str(connections), "-d", f"{duration}s", *header, base + path],
        capture_output=True, text=True, check=True,
    )
    rps, p50, p99 = parse_wrk(result.stdout)
    return Row(name, path, status, statements, rps, p50, p99)


def report(rows: list[Row]) -> str:
    baseline = rows[0].requests_per_second or 1.0
    lines = [
        f"{'page':<12} {'status':>6} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'SQL/req':>8} {'vs /healthz':>11}  path",
    ]
    for row in rows:
        lines.append(
            f"{row.name:<12} {row.status:>6} {row.requests_per_second:>9.1f} {row.p50_ms:>8.1f} "
            f"{row.p99_ms:>8.1f} {row.statements:>8} {row.requests_per_second / baseline:>11.2f}  {row.path}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=50_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--settlements", type=int, metavar="ALLOCATIONS",
                        help="build this many sold allocations and time generating all producers' statements")
    args = parser.parse_args(argv)

    if args.settlements:
        from gallery.settlements.bench import run

        run(args.settlements, INSTANCE)
        return 0

    if shutil.which("wrk") is None:
        raise SystemExit("bench: wrk is not installed (apt-get install wrk)")
    database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{INSTANCE / 'bench.sqlite3'}"
    build(database_url, args.products, args.rebuild)

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(args.workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=_environment(database_url),
    )
    try:
        _wait_until_up(base, server)
        slug = _product_slug(base)
        rows = []
        for name, path in PAGES:
            path = path.format(product_slug=slug)
            print(f"bench: {path} for {args.duration} s …", flush=True)
            rows.append(measure(base, name, path, args.duration, args.connections))
        cookie = staff_cookie(base)
        for name, path in STAFF_PAGES:
            print(f"bench: {path} (staff) for {args.duration} s …", flush=True)
            rows.append(measure(base, name, path, args.duration, args.connections, cookie))
    finally:
        server.terminate()
        server.wait(timeout=30)
    print()
    print(f"gunicorn {args.workers} workers, wrk 2 threads × {args.connections} connections, "
          f"{args.duration} s per page, database {database_url.split('@')[-1]}")
    print(report(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
