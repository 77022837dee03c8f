"""The VisitorsFlow console: brand admins see their tenant's sites, logs and alerts, nothing else."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from visitorsflow.models import Alert, ExportAttempt, IngestedFile, PersonEvent, Site, TelegramSession

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_a(brand_admin_a) -> Client:
    client = Client()
    client.force_login(brand_admin_a)
    return client


@pytest.fixture
def rows(site, store_b, tmp_path):
    foreign = Site.objects.create(store=store_b, ssid="SS-RIVAL", watch_dir=str(tmp_path / "rival"))
    made = {}
    for key, owner in (("own", site), ("foreign", foreign)):
        made[key] = {
            "site": owner,
            "alert": Alert.objects.create(site=owner, kind="silence", text=f"{owner.ssid}: quiet-{key}"),
            "export": ExportAttempt.objects.create(site=owner, status="sent", note=f"note-{key}"),
            "file": IngestedFile.objects.create(
                site=owner, name=f"file-{key}.json", sha256="0" * 64, size=2, outcome="processed"
            ),
            "event": PersonEvent.objects.create(
                site=owner,
                person_id=4242 if key == "foreign" else 7,
                in_out=0,
                time=datetime(2024, 5, 1, tzinfo=UTC),
                frame_number=1,
            ),
        }
    return made


@pytest.mark.parametrize(
    ("url", "own", "foreign"),
    [
        ("/admin/visitorsflow/site/", "SS-007", "SS-RIVAL"),
        ("/admin/visitorsflow/alert/", "quiet-own", "quiet-foreign"),
        ("/admin/visitorsflow/exportattempt/", "note-own", "note-foreign"),
        ("/admin/visitorsflow/ingestedfile/", "file-own.json", "file-foreign.json"),
        ("/admin/visitorsflow/personevent/", "SS-007", "SS-RIVAL"),
    ],
)
def test_lists_are_scoped_to_the_tenant(admin_client_a, rows, url, own, foreign):
    response = admin_client_a.get(url)

    assert response.status_code == 200
    text = response.content.decode()
    assert own in text and foreign not in text


@pytest.mark.parametrize("kind", ["site", "alert", "export", "file", "event"])
def test_foreign_objects_are_404(admin_client_a, rows, kind):
    model = {
        "site": "site",
        "alert": "alert",
        "export": "exportattempt",
        "file": "ingestedfile",
        "event": "personevent",
    }
    obj = rows["foreign"][kind]

    response = admin_client_a.get(f"/admin/visitorsflow/{model[kind]}/{obj.pk}/change/")

    assert response.status_code == 404
    assert "RIVAL" not in response.content.decode()


def test_foreign_site_cannot_be_deleted_or_edited(admin_client_a, rows):
    foreign = rows["foreign"]["site"]

    assert admin_client_a.post(f"/admin/visitorsflow/site/{foreign.pk}/delete/", {"post": "yes"}).status_code == 404
    assert admin_client_a.post(f"/admin/visitorsflow/site/{foreign.pk}/change/", {"ssid": "X"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.ssid == "SS-RIVAL"


def test_site_form_offers_only_own_stores(admin_client_a, rows, store_a, store_b):
    text = admin_client_a.get("/admin/visitorsflow/site/add/").content.decode()

    assert f'value="{store_a.pk}"' in text and f'value="{store_b.pk}"' not in text


def test_brand_admin_edits_own_site(admin_client_a, rows, store_a):
    own = rows["own"]["site"]
    data = {
        "store": store_a.pk,
        "ssid": "SS-007",
        "watch_dir": own.watch_dir,
        "tag_count": 901,
        "tag_accu_in": 902,
        "tag_accu_out": 903,
        "export_url": "https://api.example.test/flow",
        "silence_minutes": 5,
        "telegram_recipients": "@ops",
        "language": "tr",
        "enabled": "on",
    }

    response = admin_client_a.post(f"/admin/visitorsflow/site/{own.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:1500]
    own.refresh_from_db()
    assert (own.silence_minutes, own.language, own.recipients) == (5, "tr", ["@ops"])


def test_logs_are_read_only(admin_client_a, rows):
    alert = rows["own"]["alert"]
    assert admin_client_a.get("/admin/visitorsflow/alert/add/").status_code == 403
    admin_client_a.post(f"/admin/visitorsflow/alert/{alert.pk}/change/", {"text": "edited"})
    alert.refresh_from_db()
    assert alert.text == "SS-007: quiet-own"


def test_telegram_session_is_operator_only_and_never_shown(admin_client_a, operator, db):
    TelegramSession.objects.create(name="default", phone="+886900000000", session="1SECRET-SESSION")
    # Not on the brand console at all; on the operators' site, which brand admins cannot enter.
    assert admin_client_a.get("/admin/visitorsflow/telegramsession/").status_code == 404
    assert admin_client_a.get("/operator/visitorsflow/telegramsession/").status_code == 302
    client = Client()
    client.force_login(operator)
    row = TelegramSession.objects.get()

    listing = client.get("/operator/visitorsflow/telegramsession/")
    change = client.get(f"/operator/visitorsflow/telegramsession/{row.pk}/change/")

    assert listing.status_code == 200 and change.status_code == 200
    assert "+886900000000" in listing.content.decode()
    assert "1SECRET-SESSION" not in listing.content.decode() + change.content.decode()


def test_operator_sees_every_tenant(operator, rows):
    client = Client()
    client.force_login(operator)
    text = client.get("/admin/visitorsflow/site/").content.decode()
    assert "SS-007" in text and "SS-RIVAL" in text
