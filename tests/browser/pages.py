# ruff: noqa: E501 - the page table keeps one page per line, so adding a page is one line
"""The page-by-role table of the browser suite: every page, what each role must get there.

One ``Page(...)`` entry per page. ``expect`` maps a role (or a group: ``tenant_b``, ``*`` for the rest) to
an ``Outcome``. URLs are formatted with ``World.ids``: store ids ``{a}``, ``{a2}``, ``{b}``, and
``{days}``, a ``from=…&to=…`` query of the last two full days of demo data.

Extending it:
- a new page: add one ``Page(...)`` entry below (and its route to ``tests/security/routes.py``);
- a new partial on the store dashboard: add its root selector to ``STORE_PARTS`` (and, if it
  draws a chart, raise ``STORE_CHARTS``; a canvas, an svg or a ``data-chart`` element is then
  also covered by the overlap check);
- a new role: add it to ``ROLES`` and a login to ``tests/browser/conftest.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

# Logged-in roles are the demo's logins (tenant A, "Boyner") and two of a second tenant (B).
ROLES = ("anonymous", "sender", "viewer", "brand_admin", "operator", "viewer_b", "brand_admin_b")
GROUPS = {"viewer_b": "tenant_b", "brand_admin_b": "tenant_b"}

A = "AVM İstanbul"  # tenant A's first store (granted to the demo's viewer and sender)
A2 = "Ankara Kızılay"  # tenant A's second store (brand admin and operator only)
B = "Rival Store"  # tenant B's store


@dataclass(frozen=True)
class Outcome:
    status: int = 200
    path: str | None = None  # where the browser ends up (a prefix), when not the page itself
    texts: tuple[str, ...] = ()  # in the page's visible text
    absent: tuple[str, ...] = ()  # nowhere in the page's HTML (another tenant's names)
    selectors: tuple[str, ...] = ()  # each matches at least one visible element
    charts: int = 0  # canvases that must be drawn (non-blank)
    live: bool = False  # the WebSocket connects (body[data-live=connected])


def ok(*texts: str, absent: tuple[str, ...] = (), selectors: tuple[str, ...] = (), **more) -> Outcome:
    return Outcome(texts=texts, absent=absent, selectors=selectors, **more)


LOGIN = Outcome(path="/accounts/login/?next=", selectors=("#id_username",))
DENIED = Outcome(403, texts=("You may not see this page", "Back to your stores"), absent=(A2, B))
MISSING = Outcome(404, texts=("Not Found",), absent=(A, A2, B))
CONSOLE_LOGIN = Outcome(path="/admin/login/?next=", selectors=("#id_username",))
CONSOLE_REFUSED = replace(CONSOLE_LOGIN, texts=("but are not authorized to access this page",), absent=(A, B))
OPERATOR_LOGIN = Outcome(path="/operator/login/?next=", selectors=("#id_username",))
OPERATOR_REFUSED = replace(OPERATOR_LOGIN, texts=("but are not authorized to access this page",), absent=(A, B))

# The store dashboard's figures: one selector per partial (other helpers add theirs here).
STORE_PARTS = ("#panels", "#kpi-footfall", "#heatmap .heat__name", "#table-queues", "#ai-indicator")
STORE_CHARTS = 5


def store(name: str, *absent: str) -> Outcome:
    return ok(name, absent=absent, selectors=STORE_PARTS, charts=STORE_CHARTS, live=True)


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    expect: dict[str, Outcome] = field(default_factory=dict)
    roles: tuple[str, ...] = ROLES  # fewer where every role must see the same (public pages)
    phone: bool = True  # also checked and photographed at a phone's width (not the admin pages)

    def outcome(self, role: str) -> Outcome:
        for key in (role, GROUPS.get(role), "*"):
            if key in self.expect:
                return self.expect[key]
        raise KeyError(f"{self.name}: no outcome for {role}")


PAGES = [
    Page("login", "/accounts/login/", {"*": ok("Log in", selectors=("#id_username", "#id_password"))}),
    Page(
        "store-list",
        "/dashboard/",
        {
            "anonymous": LOGIN,
            "tenant_b": ok(B, absent=(A, A2)),
            "viewer": ok(A, absent=(A2, B)),
            "sender": ok(A, absent=(A2, B)),
            "brand_admin": ok(A, A2, "Brand view", absent=(B,)),
            "operator": ok(A, A2, B),
        },
    ),
    Page("store", "/dashboard/stores/{a}/?{days}", {"anonymous": LOGIN, "tenant_b": MISSING, "*": store(A, B)}),
    Page(
        "store-2",
        "/dashboard/stores/{a2}/?{days}",
        {"anonymous": LOGIN, "tenant_b": MISSING, "viewer": MISSING, "sender": MISSING, "*": store(A2, B)},
    ),
    Page(
        "store-b",
        "/dashboard/stores/{b}/?{days}",
        {"anonymous": LOGIN, "tenant_b": store(B, A, A2), "operator": store(B), "*": MISSING},
    ),
    Page(
        "visitorsflow",
        "/dashboard/stores/{a}/visitorsflow/",
        {
            "anonymous": LOGIN,
            "tenant_b": MISSING,
            "*": ok("VisitorsFlow", A, selectors=("#visitorsflow-table tbody th",), absent=(B,)),
        },
    ),
    Page(
        "brand",
        "/dashboard/brand/?{days}",
        {
            "anonymous": LOGIN,
            "brand_admin": ok(A, A2, absent=(B,), selectors=("#brand-table",)),
            "brand_admin_b": ok(B, absent=(A, A2)),
            "operator": ok(A, A2, B),
            "*": DENIED,
        },
    ),
    Page(
        "console",
        "/admin/",
        {
            "anonymous": CONSOLE_LOGIN,
            "brand_admin": ok("VISLIVIS console", absent=(B,)),
            "brand_admin_b": ok("VISLIVIS console", absent=(A, A2)),
            "operator": ok("VISLIVIS console"),
            "*": CONSOLE_REFUSED,
        },
        phone=False,
    ),
    Page(
        "console-stores",
        "/admin/stores/store/",
        {
            "anonymous": CONSOLE_LOGIN,
            "brand_admin": ok(A, A2, absent=(B,), selectors=("#result_list",)),
            "brand_admin_b": ok(B, absent=(A, A2)),
            "operator": ok(A, A2, B),
            "*": CONSOLE_REFUSED,
        },
        phone=False,
    ),
    Page(
        "console-store",
        "/admin/stores/store/{a}/change/",
        {
            "anonymous": CONSOLE_LOGIN,
            "brand_admin": ok(A, selectors=("#store_form",), absent=(B,)),
            "brand_admin_b": Outcome(404, absent=(A, A2)),
            "operator": ok(A, selectors=("#store_form",)),
            "*": CONSOLE_REFUSED,
        },
        phone=False,
    ),
    Page(
        "operator",
        "/operator/",
        {"anonymous": OPERATOR_LOGIN, "operator": ok("VISLIVIS operator"), "*": OPERATOR_REFUSED},
        phone=False,
    ),
    Page(
        "operator-stores",
        "/operator/stores/store/",
        {"anonymous": OPERATOR_LOGIN, "operator": ok(A, A2, B, selectors=("#result_list",)), "*": OPERATOR_REFUSED},
        phone=False,
    ),
    Page(
        "api-docs",
        "/api/docs/",
        {"*": ok("VISLIVIS API", selectors=(".swagger-ui .opblock",), absent=(A, B))},
        roles=("anonymous", "viewer_b"),
        phone=False,
    ),
]
PAGE_BY_NAME = {page.name: page for page in PAGES}
