"""The demo's stand-in for the official API the five-minute export posts to (``make run`` only).

Served only when ``VISITORSFLOW_DEMO_API`` is true (``settings/local.py``; 404 otherwise, and in
production and the test settings). It answers as the official API does for a well-formed body
(200 and a small JSON result) and checks the body as strictly as our own exporter writes it: a
JSON array of objects with the seed's six keys, every value a string. Like the official API,
which takes posts only from unlocked addresses, it takes them from loopback only. Each accepted
post is recorded (a log line and one JSON line in ``var/visitorsflow-demo-api.jsonl``) so the
demo can show what "the official side" received.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from visitorsflow import conf
from vislivis.client_address import client_ip

logger = logging.getLogger(__name__)

KEYS = ("SSID", "TagType", "TagID", "TagValue", "StartTime", "EndTime")
TAG_TYPES = {"Count", "CountAccuIn", "CountAccuOut"}
MAX_BODY = 64 * 1024


def received_log() -> Path:
    return Path(
        getattr(settings, "VISITORSFLOW_DEMO_API_LOG", settings.BASE_DIR / "var" / "visitorsflow-demo-api.jsonl")
    )


def check_body(raw: bytes) -> tuple[list[dict] | None, str]:
    """The posted rows, or None and why they are refused (``field: reason``)."""
    if len(raw) > MAX_BODY:
        return None, f"body: over {MAX_BODY} bytes"
    try:
        rows = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, "body: not JSON"
    if not isinstance(rows, list) or not rows:
        return None, "body: must be a non-empty JSON array"
    for index, row in enumerate(rows):
        if not isinstance(row, dict) or set(row) != set(KEYS):
            return None, f"[{index}]: must be an object with exactly {', '.join(KEYS)}"
        if not all(isinstance(row[key], str) for key in KEYS):
            return None, f"[{index}]: every value must be a string"
        if row["TagType"] not in TAG_TYPES:
            return None, f"[{index}].TagType: must be one of {', '.join(sorted(TAG_TYPES))}"
        if not row["TagValue"].isdigit() or not row["TagValue"].isascii():
            return None, f"[{index}].TagValue: must be a non-negative integer"
        for key in ("StartTime", "EndTime"):
            if len(row[key]) != 14 or not (row[key].isascii() and row[key].isdigit()):
                return None, f"[{index}].{key}: must be YYYYMMDDHHMMSS"
    return rows, ""


def _loopback(request: HttpRequest) -> bool:
    try:
        return ipaddress.ip_address(client_ip(request)).is_loopback
    except ValueError:
        return False


@csrf_exempt
@require_POST
def official_api(request: HttpRequest) -> JsonResponse:
    """Accept one export as the official API would; 400 with the field and reason otherwise."""
    if not conf.get("VISITORSFLOW_DEMO_API"):
        raise Http404("not served")
    if not _loopback(request):
        return JsonResponse({"result": "error", "error": "address not unlocked"}, status=403)
    rows, error = check_body(request.body)
    if rows is None:
        return JsonResponse({"result": "error", "error": error}, status=400)
    entry = {"received_at": timezone.now().isoformat(), "rows": rows}
    try:
        path = received_log()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
    except OSError as exc:  # recording is the demo's bonus; the answer is still the API's
        logger.warning("visitorsflow demo API: could not record the post: %s", exc)
    values = {row["TagType"]: row["TagValue"] for row in rows}
    logger.info("visitorsflow demo API received %s: %s", rows[0]["SSID"], values)
    return JsonResponse({"result": "ok", "received": len(rows)})
