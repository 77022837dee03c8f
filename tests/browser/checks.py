"""What every page must pass in the browser, whatever it shows: charts drawn, nothing floating
over them, no console error, no failed or off-site request. Used by ``tests/browser/`` and
``tests/dashboard/test_layout_browser.py``.

A chart is a ``canvas``, an ``svg`` of at least 40×40 px, the heatmap grid, or any element with a
``data-chart`` attribute: a new dashboard partial is covered by the overlap check as soon as its
chart is one of these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

CHARTS_JS = """
() => [...document.querySelectorAll("canvas, svg, #heatmap, [data-chart]")].filter(e => {
  const r = e.getBoundingClientRect();
  if (r.width <= 0 || r.height <= 0) return false;
  return e.tagName.toLowerCase() !== "svg" || (r.width >= 40 && r.height >= 40);
})
"""

# Every visible floating element whose box meets a chart's box, in viewport coordinates.
OVERLAPS_JS = f"""
() => {{
  const charts = ({CHARTS_JS})();
  const hits = [];
  for (const el of document.querySelectorAll("body *")) {{
    const style = getComputedStyle(el);
    if (!["fixed", "sticky", "absolute"].includes(style.position)) continue;
    if (style.display === "none" || style.visibility === "hidden" || style.opacity === "0") continue;
    const r = el.getBoundingClientRect();
    if (r.width <= 2 || r.height <= 2) continue;  // visually-hidden text is 1x1
    for (const chart of charts) {{
      if (chart.contains(el) || el.contains(chart)) continue;
      const c = chart.getBoundingClientRect();
      if (r.left < c.right && c.left < r.right && r.top < c.bottom && c.top < r.bottom) {{
        hits.push(`${{el.tagName.toLowerCase()}}#${{el.id}}.${{el.className}} (${{style.position}}) over ` +
                  `${{chart.tagName.toLowerCase()}}#${{chart.id}} at scroll ${{window.scrollY}}`);
      }}
    }}
  }}
  return hits;
}}
"""

# Canvases with at least one painted pixel, of all canvases on the page (a Chart.js chart that
# failed to draw, or drew before its data arrived, is a blank canvas).
DRAWN_CANVASES_JS = """
() => {
  const canvases = [...document.querySelectorAll("canvas")];
  const drawn = canvases.filter(c => {
    if (!c.width || !c.height) return false;
    const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return true;
    return false;
  });
  return [drawn.length, canvases.length];
}
"""


def overlaps_anywhere(page) -> list[str]:
    """Scroll from top to bottom half a screen at a time and collect overlaps at each stop."""
    found: list[str] = []
    height = page.evaluate("document.documentElement.scrollHeight")
    step = page.viewport_size["height"] // 2
    for y in [*range(0, max(1, height), step), height]:
        page.evaluate(f"window.scrollTo(0, {y})")
        found += page.evaluate(OVERLAPS_JS)
    page.evaluate("window.scrollTo(0, 0)")
    return found


def drawn_canvases(page) -> tuple[int, int]:
    drawn, total = page.evaluate(DRAWN_CANVASES_JS)
    return drawn, total


@dataclass
class PageProblems:
    """Console errors, uncaught exceptions and failed or off-site requests seen by one page."""

    base_url: str
    errors: list[str] = field(default_factory=list)

    def attach(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        page.on("request", self._request)

    def _console(self, message) -> None:
        if message.type == "error" and not self._expected_document_status(message.text):
            self.errors.append(f"console: {message.text} @ {message.location.get('url')}")

    @staticmethod
    def _expected_document_status(text: str) -> bool:
        # Chromium logs the page's own 403/404 ("Failed to load resource") as a console error;
        # that status is what the test asserts, not a fault of the page.
        return text.startswith("Failed to load resource: the server responded with a status of 40")

    def _request(self, request) -> None:
        host = urlsplit(request.url).hostname
        if urlsplit(request.url).scheme in ("http", "https", "ws", "wss") and host not in ("127.0.0.1", "localhost"):
            self.errors.append(f"off-site request (no CDN allowed): {request.url}")

    def _failed(self, request) -> None:
        # A navigation away cancels the page's pending requests (net::ERR_ABORTED): not a fault.
        if request.failure != "net::ERR_ABORTED":
            self.errors.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            self.errors.append(f"HTTP {response.status} for {response.request.resource_type} {response.url}")

    def take(self) -> list[str]:
        errors, self.errors = self.errors, []
        return errors
