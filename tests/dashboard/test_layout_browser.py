"""Issue 18: nothing floats over a chart, on every dashboard page, as every role, wide and narrow.

A fixed "Store AI" badge once covered the top of the demographics chart. The check is general:
at each scroll position of each page, no element positioned ``fixed``, ``sticky`` or
``absolute`` (and visible) may intersect a chart (``canvas``, the heatmap grid). The checker is
first shown to catch such a badge, so a pass means something. Screenshots of every page go to
``test-artifacts/layout-*.png``.
"""

from __future__ import annotations

import pytest

from analytics.demo import load
from tests.dashboard.conftest import login, screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"wide": {"width": 1280, "height": 900}, "narrow": {"width": 390, "height": 844}}

# Every visible floating element whose box meets a chart's box, in viewport coordinates.
OVERLAPS_JS = """
() => {
  const charts = [...document.querySelectorAll("canvas, #heatmap")].filter(e => {
    const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0;
  });
  const hits = [];
  for (const el of document.querySelectorAll("body *")) {
    const style = getComputedStyle(el);
    if (!["fixed", "sticky", "absolute"].includes(style.position)) continue;
    if (style.display === "none" || style.visibility === "hidden" || style.opacity === "0") continue;
    const r = el.getBoundingClientRect();
    if (r.width <= 2 || r.height <= 2) continue;  // visually-hidden text is 1x1
    for (const chart of charts) {
      if (chart.contains(el) || el.contains(chart)) continue;
      const c = chart.getBoundingClientRect();
      if (r.left < c.right && c.left < r.right && r.top < c.bottom && c.top < r.bottom) {
        hits.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className} (${style.position}) over ` +
                  `${chart.tagName.toLowerCase()}#${chart.id} at scroll ${window.scrollY}`);
      }
    }
  }
  return hits;
}
"""


def overlaps_anywhere(page) -> list[str]:
    """Scroll from top to bottom one screen at a time and collect overlaps at each stop."""
    found: list[str] = []
    height = page.evaluate("document.documentElement.scrollHeight")
    step = page.viewport_size["height"] // 2
    for y in [*range(0, max(1, height), step), height]:
        page.evaluate(f"window.scrollTo(0, {y})")
        found += page.evaluate(OVERLAPS_JS)
    page.evaluate("window.scrollTo(0, 0)")
    return found


def charts_drawn(page) -> int:
    return page.evaluate("document.querySelectorAll('canvas').length")


@pytest.fixture
def demo_week(store_a, store_a2):
    load(store_a, days=3)
    load(store_a2, days=3)


def test_the_checker_catches_a_floating_badge(asgi_live_server, page, demo_week, viewer_a, store_a):
    # What the page looked like before: the badge fixed to the bottom right corner.
    login(page, asgi_live_server, "viewer-a", PASSWORD)
    page.goto(f"{asgi_live_server}/dashboard/stores/{store_a.pk}/")
    page.add_style_tag(content=".ai { position: fixed; right: 1rem; bottom: 1rem; z-index: 5; }")
    hits = overlaps_anywhere(page)
    assert any("div#ai-indicator" in hit and "(fixed) over canvas#chart-" in hit for hit in hits), hits


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize(
    ("username", "pages"),
    [
        ("viewer-a", ["list", "store", "visitorsflow", "brand-denied"]),
        ("owner-a", ["list", "store", "brand"]),
    ],
)
def test_no_floating_element_covers_a_chart(
    asgi_live_server, page, demo_week, viewer_a, brand_admin_a, store_a, username, pages, viewport
):
    base = asgi_live_server
    page.set_viewport_size(VIEWPORTS[viewport])
    login(page, base, username, PASSWORD)
    urls = {
        "list": "/dashboard/",
        "store": f"/dashboard/stores/{store_a.pk}/",
        "visitorsflow": f"/dashboard/stores/{store_a.pk}/visitorsflow/",
        "brand": "/dashboard/brand/",
        "brand-denied": "/dashboard/brand/",
    }
    for name in pages:
        response = page.goto(base + urls[name])
        assert response.status == (403 if name == "brand-denied" else 200), name
        if name == "store":
            page.wait_for_function("document.body.dataset.live === 'connected'")
            assert charts_drawn(page) >= 5
            badge = page.locator("#ai-indicator").bounding_box()
            heading = page.locator("h1").bounding_box()
            assert badge["y"] < page.locator("#panels").bounding_box()["y"]  # above the figures
            assert badge["y"] + badge["height"] > heading["y"]  # in the page head, not floating
        if name == "brand-denied":
            assert page.locator("h1").inner_text() == "You may not see this page"
            assert page.get_by_role("link", name="Back to your stores").is_visible()
        assert overlaps_anywhere(page) == [], name
        # The favicon the page names is served (no 404 in the console).
        icon = page.evaluate("document.querySelector('link[rel=icon]').href")
        assert page.request.get(icon).status == 200
        screenshot(page, f"layout-{username}-{name}-{viewport}")
