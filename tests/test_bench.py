"""`make bench` helpers: reading wrk's output, the report's ratio to /healthz, the staff sign-in (no gunicorn)."""
import re
import threading
import urllib.request

import pytest
from werkzeug.serving import make_server

from gallery.accounts.models import Role
from gallery.devtools.bench import STAFF_LOGIN, Row, parse_wrk, report, staff_cookie

# What `wrk --latency -t 2 -c 4 -d 10s URL` prints (wrk 4.2), here with microseconds in the distribution.
WRK_FAST = """\
Running 10s test @ http://127.0.0.1:41233/healthz
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   412.35us  120.11us   5.21ms   92.40%
    Req/Sec     4.85k   310.22     5.40k    71.00%
  Latency Distribution
     50%  390.00us
     75%  450.00us
     90%  520.00us
     99%    1.02ms
  96512 requests in 10.00s, 14.36MB read
Requests/sec:   9650.12
Transfer/sec:      1.44MB
"""

# A slow page: milliseconds at the median, seconds at the tail, plus the error lines wrk adds.
WRK_SLOW = """\
Running 10s test @ http://127.0.0.1:41233/products?q=rendang
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    85.20ms  210.44ms   1.98s    95.10%
    Req/Sec    31.02     12.40    60.00     64.00%
  Latency Distribution
     50%   42.50ms
     75%   61.00ms
     90%  120.30ms
     99%    1.25s
  611 requests in 10.01s, 21.77MB read
  Socket errors: connect 0, read 0, write 0, timeout 3
  Non-2xx or 3xx responses: 2
Requests/sec:     61.04
Transfer/sec:      2.17MB
"""


def test_parse_wrk_reads_requests_per_second_and_converts_microseconds_to_milliseconds():
    rps, p50, p99 = parse_wrk(WRK_FAST)
    assert rps == pytest.approx(9650.12)
    assert p50 == pytest.approx(0.39)
    assert p99 == pytest.approx(1.02)


def test_parse_wrk_converts_seconds_and_ignores_error_lines():
    rps, p50, p99 = parse_wrk(WRK_SLOW)
    assert rps == pytest.approx(61.04)
    assert p50 == pytest.approx(42.5)
    assert p99 == pytest.approx(1250.0)


def test_parse_wrk_reads_the_distribution_not_the_thread_stats():
    # The thread-stats line also carries latencies and a "Req/Sec" column; neither may be taken.
    rps, p50, p99 = parse_wrk(WRK_FAST)
    assert p50 != pytest.approx(0.41235)  # the average, not the median
    assert rps != pytest.approx(4850)


def test_parse_wrk_reads_minutes():
    output = WRK_SLOW.replace("1.25s", "1.50m")
    assert parse_wrk(output)[2] == pytest.approx(90_000.0)


def _row(name, path, rps, p50=1.0, p99=2.0, statements="3"):
    return Row(name=name, path=path, status=200, statements=statements, requests_per_second=rps,
               p50_ms=p50, p99_ms=p99)


def _ratio_by_path(text: str) -> dict[str, str]:
    """The `vs /healthz` column of each row, keyed by the path that ends the line."""
    ratios = {}
    for line in text.splitlines()[1:]:
        match = re.search(r"(\d+\.\d{2})\s+(\S+)$", line)
        ratios[match.group(2)] = match.group(1)
    return ratios


def test_report_shows_each_page_as_a_ratio_of_healthz_throughput():
    rows = [
        _row("/healthz", "/healthz", 2000.0),
        _row("home", "/", 500.0),
        _row("search", "/products?q=rendang", 250.0),
        _row("category p3", "/products?category=kuliner&page=3", 3000.0),
    ]
    text = report(rows)
    assert _ratio_by_path(text) == {
        "/healthz": "1.00",
        "/": "0.25",
        "/products?q=rendang": "0.12",  # 0.125 shown with two decimals
        "/products?category=kuliner&page=3": "1.50",
    }


def test_report_has_a_header_and_one_line_per_row_with_status_latencies_and_sql_count():
    rows = [_row("/healthz", "/healthz", 1000.0, 0.4, 1.1, "1"), _row("listing", "/products", 120.5, 30.26, 88.0, "5")]
    lines = report(rows).splitlines()
    assert len(lines) == 3
    assert lines[0].split() == ["page", "status", "req/s", "p50", "ms", "p99", "ms", "SQL/req", "vs", "/healthz",
                                "path"]
    assert lines[2].split() == ["listing", "200", "120.5", "30.3", "88.0", "5", "0.12", "/products"]


def test_report_survives_a_healthz_that_served_nothing():
    text = report([_row("/healthz", "/healthz", 0.0), _row("home", "/", 10.0)])
    assert len(text.splitlines()) == 3  # no ZeroDivisionError


def test_staff_rows_sign_in_through_the_login_form_and_reuse_the_session(app, make):
    # Given the demo staff account and the shop served over real HTTP
    make.user(Role.STAFF, email=STAFF_LOGIN[0], password=STAFF_LOGIN[1])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        # When the bench signs in
        cookie = staff_cookie(base)
        # Then the cookie opens the staff products list, which wrk is given as a header
        with urllib.request.urlopen(urllib.request.Request(base + "/staff/products", headers={"Cookie": cookie})) as r:
            assert r.status == 200 and r.url.endswith("/staff/products")
    finally:
        server.shutdown()
        thread.join(timeout=5)
