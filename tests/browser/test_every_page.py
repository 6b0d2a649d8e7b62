"""Every page of the URL map's world, as the roles that may open it (anonymous visitors, staff, a producer),
fits a 360 px screen, keeps each amount of money on one line and has no serious or critical axe-core
violation."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page

from gallery import clock
from gallery.extensions import db, limiter
from tests.browser.test_journeys import AXE, SERIOUS, WIDER_THAN_SCREEN
from tests.conftest import empty_database
from tests.factories import PASSWORD
from tests.portal.conftest import tariff, world  # noqa: F401  (fixtures)
from tests.test_url_map import EXPECTED, ids, rule_keys  # noqa: F401  (ids is a fixture)

# Not pages: data for scripts and downloads.
NOT_PAGES = ("/api/", "/healthz", "/static/", "/media/", "/payments/")
DOWNLOADS = (".csv", ".pdf", ".xlsx", ".jpg", ".css")
# Amounts of money ("Rp 12.000", "-Rp 0") drawn over two lines: the page's texts, as the phone lays them out.
MONEY_ON_TWO_LINES = r"""() => {
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.textContent.matchAll(/[-\u2212]?Rp\u00a0[0-9.]+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(match[0]);
    }
  }
  return broken.slice(0, 5);
}"""
# Sheets drawn at their printed size (an A4 page of price tags), not read on a phone.
PRINTED_SIZE = ("/staff/tags/print",)


@pytest.fixture(autouse=True)
def empty_afterwards(ctx):
    """The browser tests keep their world between tests; this one's world goes with it."""
    yield
    db.session.remove()
    clock.freeze(None)
    limiter.reset()
    empty_database()


def pages_for(app, role: str, ids: dict) -> list[str]:
    urls = []
    for key, rule in rule_keys(app):
        method, path = key.split(" ", 1)
        expect = EXPECTED[key]
        if (method != "GET" or path.startswith(NOT_PAGES) or path.endswith(DOWNLOADS) or path in PRINTED_SIZE
                or expect.answers[role] != 200):
            continue
        urls.append(expect.url(rule.rule, ids))
    return urls


def test_every_page_fits_a_phone_and_passes_axe(app, ids, page: Page, live_server):
    problems = []
    for role in ("anonymous", "staff", "producer_a"):
        page.context.clear_cookies()
        if role != "anonymous":
            page.goto(live_server + "/login")
            page.get_by_label("Email").fill(ids["users"][role].email)
            page.get_by_label("Kata sandi").fill(PASSWORD)
            page.get_by_role("button", name="Masuk").click()
        for url in pages_for(app, role, ids):
            page.goto(live_server + url)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > page.viewport_size["width"]:
                problems.append(f"{url} as {role} is {width}px wide: {page.evaluate(WIDER_THAN_SCREEN)}")
            if broken := page.evaluate(MONEY_ON_TWO_LINES):
                problems.append(f"{url} as {role} breaks amounts over two lines: {broken}")
            serious = [f"{v['id']} at {[n['target'] for n in v['nodes']][:2]}"
                       for v in AXE.run(page).response["violations"] if v.get("impact") in SERIOUS]
            if serious:
                problems.append(f"{url} as {role}: {serious}")
    assert not problems, "\n".join(problems)
