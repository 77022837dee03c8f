"""The daily summary: yesterday against the same weekday's median of four weeks, worst stores,
at the brand's local time, once a day, in the brand's language.

Turkish comes from the project's catalog (``locale/tr``, the committed ``django.mo``): the test
holds that catalog to the summary's strings.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core import mail

from alerts import summary
from alerts.models import BrandAlertSettings, Condition
from analytics.models import StoreDay

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 2, 16)
# Tuesday 17 February 08:05 in Istanbul: the summary of Monday is due at 08:00.
DUE = datetime(2026, 2, 17, 5, 5, tzinfo=UTC)


def days(store, values: dict[int, int], source: str = "camera") -> None:
    """StoreDay rows: ``{weeks before MONDAY: footfall}``."""
    for weeks, footfall in values.items():
        StoreDay.objects.create(
            store=store,
            source=source,
            business_date=MONDAY - timedelta(weeks=weeks),
            footfall=footfall,
            occupancy_peak=0,
            starts_at=datetime.combine(MONDAY, time(7), tzinfo=UTC),
            ends_at=datetime.combine(MONDAY, time(7), tzinfo=UTC) + timedelta(days=1),
            updated_at=DUE,
        )


@pytest.fixture
def brand(store_a, store_a2, tenant_a, make_rule):
    StoreDay.objects.filter(store__tenant=tenant_a).delete()
    days(store_a, {0: 600, 1: 1000, 2: 900, 3: 5000, 4: 1100})  # median of the four weeks: 1050
    days(store_a2, {0: 480, 1: 500, 2: 520, 3: 400, 4: 510}, source="sender")  # 505: no camera days
    make_rule(tenant_a, kinds=["daily_summary"])
    BrandAlertSettings.objects.create(tenant=tenant_a, summary_time=time(8, 0), timezone="Europe/Istanbul")
    return tenant_a


def send(now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return summary.send_due(now)


def test_summary_in_english_at_the_brands_time_once_a_day(brand, store_a, django_capture_on_commit_callbacks):
    Condition.objects.create(store=store_a, kind="device_silent", subject="CAM-1", active=True, alerts_sent=1)
    assert send(DUE - timedelta(minutes=10), django_capture_on_commit_callbacks) == []  # 07:55 local
    [note] = send(DUE, django_capture_on_commit_callbacks)
    assert send(DUE + timedelta(hours=3), django_capture_on_commit_callbacks) == []  # once a day

    [sent] = mail.outbox
    assert sent.subject == "[VISLIVIS] Daily summary of Boyner for 2026-02-16"
    assert sent.body == "\n".join(
        [
            "Daily summary of Boyner for Monday 2026-02-16.",
            "Visitors: 1080 (usual for a Monday: 1555, -31%).",
            "Furthest below their usual:",
            "- AVM İstanbul: 600 (usual 1050, -43%)",
            "- Ankara: 480 (usual 505, -5%)",
            "Open problems: 1",
        ]
    )
    # the next day is due again
    assert len(send(DUE + timedelta(days=1), django_capture_on_commit_callbacks)) == 1


def test_summary_in_turkish(brand, django_capture_on_commit_callbacks):
    brand.language = "tr"
    brand.save()
    send(DUE, django_capture_on_commit_callbacks)
    [sent] = mail.outbox
    assert sent.subject == "[VISLIVIS] Boyner günlük özeti, 2026-02-16"
    assert sent.body == "\n".join(
        [
            "Boyner için 2026-02-16 Pazartesi günlük özeti.",
            "Ziyaretçi: 1080 (bir Pazartesi için olağan: 1555, -31%).",
            "Olağanın en çok altında kalanlar:",
            "- AVM İstanbul: 600 (olağan 1050, -43%)",
            "- Ankara: 480 (olağan 505, -5%)",
            "Açık sorunlar: 0",
        ]
    )


def test_a_store_without_data_yesterday_is_named_and_a_brand_without_rule_gets_nothing(
    brand, store_a2, tenant_b, django_capture_on_commit_callbacks
):
    StoreDay.objects.filter(store=store_a2, business_date=MONDAY).delete()
    BrandAlertSettings.objects.create(tenant=tenant_b)
    send(DUE, django_capture_on_commit_callbacks)
    [sent] = mail.outbox
    assert "No data: Ankara" in sent.body
    assert "Visitors: 600 (usual for a Monday: 1050, -43%)." in sent.body
    assert sent.to == ["ops@boyner.example"]


def test_summary_switched_off_sends_nothing(brand, django_capture_on_commit_callbacks):
    BrandAlertSettings.objects.filter(tenant=brand).update(summary_enabled=False)
    assert send(DUE, django_capture_on_commit_callbacks) == []
