"""Issue 18, item 6: every page as every role in Debian's Chromium, with the demo's data.

For each (page, role) of ``tests/browser/pages.py``: the outcome (200 with its key content, the
login page, the 403 page, a 404), with JavaScript running: charts drawn (non-blank canvases), the
live WebSocket connected where the page has one, no console error, no failed request, nothing
from another host (static files are served locally, no CDN), and no fixed, sticky or absolute
element over a chart, on a desktop and on a phone screen. Screenshots of both go to
``test-artifacts/browser/<page>--<role>-<viewport>.png``.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.checks import CHARTS_JS, drawn_canvases, overlaps_anywhere
from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS
from tests.browser.pages import PAGES, ROLES, Outcome

# ``django_db``: pytest-django sets up only the databases its marked tests name. Each test runs in
# a transaction of the test thread that it rolls back; the pages' data (``world``) was committed
# before, and the live server reads and writes through its own connections.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

US_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")
CASES = [pytest.param(page, role, id=f"{page.name}-as-{role}") for page in PAGES for role in page.roles]


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def check_outcome(page, base: str, url: str, expected: Outcome) -> None:
    response = page.goto(base + url)
    assert response is not None
    assert response.status == expected.status, (url, response.status, page.url)
    where = expected.path or url
    assert page.url.removeprefix(base).startswith(where), (page.url, where)
    if expected.live:
        page.wait_for_function("document.body.dataset.live === 'connected'")
    for selector in expected.selectors:
        page.locator(selector).first.wait_for(state="visible")
    if expected.charts:
        page.wait_for_function(
            f"(() => {{ const cs = [...document.querySelectorAll('canvas')]; return cs.length >= {expected.charts}"
            " && cs.every(c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
            " for (let i = 3; i < d.length; i += 4) if (d[i]) return true; return false; }); })()"
        )
        drawn, total = drawn_canvases(page)
        assert drawn == total >= expected.charts, (drawn, total)
    text = page.locator("body").inner_text()
    for wanted in expected.texts:
        assert wanted in text, (wanted, url)
    # Issue 18: English pages write ISO dates, also where JavaScript writes them (live updates).
    assert not US_DATE.search(text), (US_DATE.search(text), url)
    html = page.content()
    for unwanted in expected.absent:
        assert unwanted not in html, (unwanted, url)


@pytest.mark.parametrize(("page_spec", "role"), CASES)
def test_page_as_role(sessions, world, asgi_live_server, page_spec, role):
    session = sessions(role)
    page = session.page
    url = page_spec.url.format(**world.ids)
    expected = page_spec.outcome(role)
    check_outcome(page, asgi_live_server, url, expected)
    name = f"{page_spec.name}--{role}"
    # Nothing floats over a chart, wide or narrow (the page re-lays itself out, charts redraw).
    assert overlaps_anywhere(page) == [], "desktop"
    shot(page, f"{name}-desktop")
    if not page_spec.phone and not page.evaluate(f"({CHARTS_JS})().length"):
        assert session.problems.take() == []
        return
    page.set_viewport_size(PHONE)
    try:
        if expected.charts:
            page.wait_for_timeout(150)  # Chart.js redraws on resize (debounced)
        assert overlaps_anywhere(page) == [], "phone"
        shot(page, f"{name}-phone")
    finally:
        page.set_viewport_size(DESKTOP)
    problems = session.problems.take()
    assert problems == [], problems


def test_icons_load_in_the_browser(sessions, world, asgi_live_server):
    """Issue 18: no 404 for the icon. Every ``<link rel=icon>`` of the page and ``/favicon.ico``
    (which browsers ask for on their own) load as images, fetched by the page itself."""
    page = sessions("anonymous").page
    page.goto(f"{asgi_live_server}/accounts/login/")
    hrefs = page.eval_on_selector_all("link[rel~=icon]", "links => links.map(l => l.href)")
    assert len(hrefs) >= 2, hrefs
    for href in [*hrefs, f"{asgi_live_server}/favicon.ico"]:
        status, kind = page.evaluate(
            "async url => { const r = await fetch(url); return [r.status, r.headers.get('content-type')]; }", href
        )
        assert (status, kind.split(";")[0].startswith("image/")) == (200, True), (href, status, kind)


# Last in the module: it ends each role's session (``forget`` makes a later use log in again).
@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
def test_log_out(sessions, world, asgi_live_server, role):
    """Logging out from the page header ends the session: the next page asks for the login."""
    session = sessions(role)
    page = session.page
    try:
        page.goto(f"{asgi_live_server}/dashboard/")
        page.get_by_role("button", name="Log out").click()
        page.wait_for_url(re.compile(r"/accounts/login/$"))
        assert page.locator("#id_username").is_visible()
        page.goto(f"{asgi_live_server}/dashboard/")
        assert page.url.startswith(f"{asgi_live_server}/accounts/login/?next=")
        assert session.problems.take() == []
    finally:
        sessions.forget(role)
