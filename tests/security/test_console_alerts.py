"""The brand console's alert rules: a brand admin routes its own stores' alerts, nothing of another brand."""

from __future__ import annotations

import pytest

from alerts.models import AlertRule, Notification
from tests.security.console_world import logged_in

pytestmark = pytest.mark.django_db
URL = "/admin/alerts/alertrule/"


def form(tenant, stores, **extra) -> dict:
    return {
        "tenant": tenant.pk,
        "name": "ops",
        "channel": "email",
        "recipient": "ops@boyner.example",
        "kinds": ["device_silent", "anomaly"],
        "stores": [store.pk for store in stores],
        "enabled": "on",
        "_save": "Save",
        **extra,
    }


def test_brand_admin_creates_a_rule_for_its_own_stores(brand_admin_a, store_a, store_a2, store_b):
    client = logged_in(brand_admin_a)
    page = client.get(URL + "add/").content.decode()
    assert "AVM İstanbul" in page and "Ankara" in page
    assert "Rival" not in page  # neither B's tenant nor its store is a choice
    assert 'value="device_refusing"' in page  # every kind offered as a checkbox

    response = client.post(URL + "add/", form(store_a.tenant, [store_a2]))
    assert response.status_code == 302
    rule = AlertRule.objects.get()
    assert (rule.tenant, rule.kinds, list(rule.stores.all())) == (
        store_a.tenant,
        ["device_silent", "anomaly"],
        [store_a2],
    )


@pytest.mark.parametrize("field", ["tenant", "stores"])
def test_another_brands_tenant_or_store_is_refused_and_nothing_is_saved(field, brand_admin_a, store_a, store_b):
    data = form(store_a.tenant, [store_a])
    data[field] = store_b.tenant.pk if field == "tenant" else [store_b.pk]
    response = logged_in(brand_admin_a).post(URL + "add/", data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not AlertRule.objects.exists()


@pytest.mark.parametrize(
    ("channel", "recipient", "kinds", "error"),
    [
        ("email", "not-an-address", ["device_silent"], "Enter a valid e-mail address."),
        ("telegram", "@a @b", ["device_silent"], "One Telegram username, phone number or chat id."),
        ("email", "ops@boyner.example", [], "This field is required."),
        ("email", "ops@boyner.example", ["no_such_kind"], "Select a valid choice."),
    ],
)
def test_bad_rules_are_refused_with_the_field(brand_admin_a, store_a, channel, recipient, kinds, error):
    data = form(store_a.tenant, [], channel=channel, recipient=recipient, kinds=kinds)
    response = logged_in(brand_admin_a).post(URL + "add/", data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not AlertRule.objects.exists()


def test_messages_and_problems_are_read_only_for_brand_admins(brand_admin_a, store_a):
    Notification.objects.create(
        tenant=store_a.tenant, kind="anomaly", phase="problem", channel="email", recipient="ops@boyner.example",
        subject="s", text="t",
    )  # fmt: skip
    client = logged_in(brand_admin_a)
    assert client.get("/admin/alerts/notification/").status_code == 200
    assert client.get("/admin/alerts/notification/add/").status_code == 403
    assert client.get("/admin/alerts/condition/add/").status_code == 403
