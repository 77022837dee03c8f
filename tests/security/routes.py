"""Every URL pattern and WebSocket route of the project, with who may read, write and delete.

Plain data, read by ``tests/security/test_route_table.py``: one test walks ``get_resolver()``
and ``vislivis.routing`` and fails when a pattern is missing here (or listed here but gone);
the others try every entry as each role of tenant B against tenant A's real objects, and as
A's own roles (the allowed ones must succeed, so the tests can fail).

Roles are those of tenant A: ``anonymous``, ``sender``, ``viewer``, ``brand_admin`` (SPEC §1,
``stores.models.Role``) and the platform ``operator`` (superuser). The same roles of tenant B are
never allowed anything of A: another tenant's object answers 401/403/404/405, and exactly what
a never-existing object answers (no oracle), and nothing of A changes.

``target`` says which of A's objects the URL names:

- ``store`` / ``rig`` / ``session``: an id in the path (``{store_id}``, ``{rig_id}``, ``{session_id}``);
- ``ingest_key``: the store's secret ingest key in the path: the key *is* the credential (SPEC §4,
  a camera holds nothing else), so whoever holds it may push; B is tried with a forged key and
  must never see A's key anywhere;
- ``self``: no object in the path; the caller acts on its own tenant (its stores, its account).
  B's writes name A's objects in the body (A's store code, A's rig) and must be refused;
- ``account``: the caller's own user account only (password change);
- ``public``: nothing tenant-owned (health, schema, login forms): B may use it but learns nothing
  of A and changes nothing of A.

``read``/``write``/``delete`` are the A roles allowed GET / the ``write`` method / DELETE. No
route of the project deletes anything (the console does, see ``console``): every DELETE is
refused. ``body`` names a request body in ``test_route_table.BODIES``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ANONYMOUS, SENDER, VIEWER, BRAND_ADMIN, OPERATOR = "anonymous", "sender", "viewer", "brand_admin", "operator"
A_ROLES = (ANONYMOUS, SENDER, VIEWER, BRAND_ADMIN, OPERATOR)
B_ROLES = ("sender", "viewer", "brand_admin")  # of the OTHER tenant

NOBODY: frozenset[str] = frozenset()
EVERYONE = frozenset(A_ROLES)
MEMBERS = frozenset({SENDER, VIEWER, BRAND_ADMIN, OPERATOR})  # Store.objects.visible_to / tenant members
WRITERS = frozenset({SENDER, BRAND_ADMIN, OPERATOR})  # stores.api.permissions.CanSendData
BRAND = frozenset({BRAND_ADMIN, OPERATOR})


@dataclass(frozen=True)
class Route:
    pattern: str  # as walked from the resolver: the include() prefixes joined with the pattern
    url: str  # a concrete URL; {store_id} {rig_id} {session_id} {ingest_key} {uid} filled with A's objects
    target: str  # store | rig | session | ingest_key | self | public
    read: frozenset[str] = NOBODY
    write: frozenset[str] = NOBODY
    delete: frozenset[str] = NOBODY
    write_method: str = "POST"
    body: str = ""  # a key of test_route_table.BODIES ("" = empty body)
    read_ok: tuple[int, ...] = (200,)  # what an allowed GET answers
    write_ok: tuple[int, ...] = (200, 201)  # what an allowed write answers
    delete_answer: tuple[int, ...] = ()  # what DELETE answers besides a refusal (public pages only)
    note: str = ""


@dataclass(frozen=True)
class WsRoute:
    pattern: str
    url: str
    target: str
    read: frozenset[str] = field(default=NOBODY)
    note: str = ""


ROUTES: tuple[Route, ...] = (
    # Health: unauthenticated, names of dependencies only.
    Route("healthz", "/healthz", "public", read=EVERYONE),
    # Public files (vislivis/public_files.py): the open sender client and the icon, nothing of a tenant.
    Route("downloads/vislivis-sender.pyz", "/downloads/vislivis-sender.pyz", "public", read=EVERYONE),
    Route("favicon.ico", "/favicon.ico", "public", read=EVERYONE, read_ok=(301, 302)),
    # Private media (vislivis/media.py): A's camera snapshot, for who sees A's store only.
    Route("media/<path:path>", "/media/{media_path}", "store", read=MEMBERS),
    Route("readyz", "/readyz", "public", read=EVERYONE),
    # The demo's stand-in for VisitorsFlow's official API (visitorsflow/demo_api.py): not served with
    # the test settings (GET 405, POST 404); tests/visitorsflow/test_demo.py posts to it where it is.
    Route(
        "demo/visitorsflow/official-api",
        "/demo/visitorsflow/official-api",
        "public",
        note="404 unless VISITORSFLOW_DEMO_API (settings/local.py), loopback clients only",
    ),
    # Sender API (SPEC §3): writes go to the caller's own stores; B names A's store code.
    Route(
        r"^api/auth/token/?$",
        "/api/auth/token",
        "public",
        write=frozenset({SENDER, VIEWER, BRAND_ADMIN, OPERATOR}),
        body="token",
        write_ok=(200,),
        note="credentials in the body; B tries A's username with B's password",
    ),
    Route(r"^api/health/heartbeat/?$", "/api/health/heartbeat", "self", write=WRITERS, body="heartbeat"),
    Route(r"^api/analytics/customers/?$", "/api/analytics/customers", "self", write=WRITERS, body="customers"),
    Route(r"^api/analytics/heatmaps/?$", "/api/analytics/heatmaps", "self", write=WRITERS, body="heatmaps"),
    Route(r"^api/analytics/queues/?$", "/api/analytics/queues", "self", write=WRITERS, body="queues"),
    Route(r"^api/analytics/sales/?$", "/api/analytics/sales", "self", write=WRITERS, body="sales"),
    Route(r"^api/settings/setup/?$", "/api/settings/setup", "self", write=WRITERS, body="setup"),
    # Read API (SPEC §7).
    Route(r"^api/stores/?$", "/api/stores/", "self", read=MEMBERS, note="lists the caller's stores only"),
    Route(r"^api/stores/(?P<store_id>\d+)/customers/?$", "/api/stores/{store_id}/customers", "store", read=MEMBERS),
    Route(r"^api/stores/(?P<store_id>\d+)/heatmaps/?$", "/api/stores/{store_id}/heatmaps", "store", read=MEMBERS),
    Route(r"^api/stores/(?P<store_id>\d+)/queues/?$", "/api/stores/{store_id}/queues", "store", read=MEMBERS),
    Route(r"^api/stores/(?P<store_id>\d+)/sales/?$", "/api/stores/{store_id}/sales", "store", read=MEMBERS),
    Route(r"^api/stores/(?P<store_id>\d+)/health/?$", "/api/stores/{store_id}/health", "store", read=MEMBERS),
    Route(r"^api/stores/(?P<store_id>\d+)/footfall/?$", "/api/stores/{store_id}/footfall", "store", read=MEMBERS),
    Route(
        r"^api/stores/(?P<store_id>\d+)/demographics/?$", "/api/stores/{store_id}/demographics", "store", read=MEMBERS
    ),
    # Counting cameras (SPEC §4): the key in the URL is the credential.
    Route(
        r"api/devices/^xml/(?P<ingest_key>[A-Za-z0-9_-]{1,64})/?$",
        "/api/devices/xml/{ingest_key}/",
        "ingest_key",
        write=EVERYONE,
        body="metrics_xml",
        write_ok=(200,),
        note="whoever holds the key pushes; B gets 404 for a forged key and never sees A's",
    ),
    # Pan-tilt (SPEC §5): process-request names a rig of the caller's tenant in the body.
    Route(
        r"api/pantilt/^process-requests?/?$",
        "/api/pantilt/process-request",
        "self",
        write=WRITERS,
        body="process_request",
        write_ok=(202,),
    ),
    Route(r"^process-requests?/?$", "/process-request", "self", write=WRITERS, body="process_request", write_ok=(202,)),
    Route(r"api/pantilt/^rigs/(?P<rig_id>\d+)/?$", "/api/pantilt/rigs/{rig_id}", "rig", read=MEMBERS),
    Route(
        r"api/pantilt/^sessions/(?P<session_id>\d+)/?$", "/api/pantilt/sessions/{session_id}", "session", read=MEMBERS
    ),
    # OpenAPI schema and its two viewers: public documentation, no tenant data.
    Route("api/schema/", "/api/schema/", "public", read=EVERYONE),
    Route("api/docs/", "/api/docs/", "public", read=EVERYONE),
    Route("api/redoc/", "/api/redoc/", "public", read=EVERYONE),
    # Dashboards (SPEC §7): login required (anonymous is redirected to the login page).
    Route("", "/", "public", read=EVERYONE, read_ok=(302,), delete_answer=(302,), note="redirects any method"),
    Route("dashboard/", "/dashboard/", "self", read=MEMBERS),
    Route("dashboard/brand/", "/dashboard/brand/", "self", read=BRAND),
    Route("dashboard/brand/export.csv", "/dashboard/brand/export.csv", "self", read=BRAND),
    Route("dashboard/brand/heatmap.csv", "/dashboard/brand/heatmap.csv", "self", read=BRAND),
    Route("dashboard/stores/<int:store_id>/", "/dashboard/stores/{store_id}/", "store", read=MEMBERS),
    Route(
        "dashboard/stores/<int:store_id>/visitorsflow/",
        "/dashboard/stores/{store_id}/visitorsflow/",
        "store",
        read=MEMBERS,
    ),
    Route("dashboard/stores/<int:store_id>/panels/", "/dashboard/stores/{store_id}/panels/", "store", read=MEMBERS),
    Route(
        "dashboard/stores/<int:store_id>/export/<slug:table>.csv",
        "/dashboard/stores/{store_id}/export/footfall.csv",
        "store",
        read=MEMBERS,
    ),
    # Accounts (django.contrib.auth.urls): forms about the caller's own account.
    Route(
        "accounts/login/",
        "/accounts/login/",
        "public",
        read=EVERYONE,
        write=EVERYONE,
        body="login",
        write_ok=(200, 302),
        note="A's roles log in (302); anonymous and B typing A's username get the form again (200)",
    ),
    Route("accounts/logout/", "/accounts/logout/", "public", write=EVERYONE, write_ok=(302,), note="POST only"),
    Route(
        "accounts/password_change/",
        "/accounts/password_change/",
        "account",
        read=MEMBERS,
        write=MEMBERS,
        body="password_change",
        write_ok=(200,),
        note="wrong old password: the form again, nothing changed",
    ),
    Route("accounts/password_change/done/", "/accounts/password_change/done/", "account", read=MEMBERS),
    Route(
        "accounts/password_reset/",
        "/accounts/password_reset/",
        "public",
        read=EVERYONE,
        write=EVERYONE,
        body="password_reset",
        write_ok=(302,),
        note="answers the same whether the address exists or not",
    ),
    Route("accounts/password_reset/done/", "/accounts/password_reset/done/", "public", read=EVERYONE),
    Route(
        "accounts/reset/<uidb64>/<token>/",
        "/accounts/reset/{uid}/not-a-token/",
        "public",
        read=EVERYONE,
        write=EVERYONE,
        body="password_reset_confirm",
        write_ok=(200,),
        delete_answer=(200,),
        note="A's user id with a forged token: 'invalid link', nothing changed",
    ),
    Route("accounts/reset/done/", "/accounts/reset/done/", "public", read=EVERYONE),
    Route(
        "i18n/setlang/",
        "/i18n/setlang/",
        "public",
        write=EVERYONE,
        body="setlang",
        write_ok=(302,),
        delete_answer=(302,),
        note="any other method just redirects back",
    ),
)

# Every URL under this prefix is the Django admin / brand console: its model admins are
# enumerated, scoped and tried by the console helper's tests (tests/security/test_console_*.py).
CONSOLE_PREFIXES: tuple[str, ...] = ("admin/", "operator/")  # tests/security/test_console_*.py

WS_ROUTES: tuple[WsRoute, ...] = (
    WsRoute(r"^ws/stores/(?P<store_id>\d+)/$", "/ws/stores/{store_id}/", "store", read=MEMBERS),
    WsRoute(
        r"^ws/pantilt/sessions/(?P<session_id>\d+)/?$", "/ws/pantilt/sessions/{session_id}/", "session", read=MEMBERS
    ),
)
