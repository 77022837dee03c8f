"""POST /api/analytics/customers: seed §2 and §3 payloads, merge semantics, validation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from analytics.models import HourlyCustomers
from tests.conftest import basic_auth_header

URL = "/api/analytics/customers"

SEED_PAYLOAD = {
    "entered": 10,
    "exited": 8,
    "customers_inside": 42,
    "male_count": 5,
    "female_count": 5,
    "age_18_30": 3,
    "age_30_50": 5,
    "age_50_plus": 2,
    "camera_id": "kapi-1",
    "timestamp": "2026-02-16T14:00",
}
SEED_AGE_GENDER = {
    "timestamp": "2026-02-16T14:00",
    "entered": 15,
    "exited": 12,
    "male_count": 6,
    "female_count": 9,
    "age_18_30": 7,
    "age_30_50": 5,
    "age_50_plus": 3,
}
SEED_DEMOGRAPHICS_ONLY = {
    "timestamp": "2026-02-16T14:00",
    "male_count": 6,
    "female_count": 4,
    "age_18_30": 4,
    "age_30_50": 4,
    "age_50_plus": 2,
}
HOUR = datetime(2026, 2, 16, 14, tzinfo=UTC)


def test_seed_payload_is_created(api, sender_a, store_a):
    response = api(sender_a).post(URL, SEED_PAYLOAD, format="json")
    assert response.status_code == 201
    assert response.json() == {
        "id": HourlyCustomers.objects.get().pk,
        "store": "boyner-avm",
        "camera_id": "kapi-1",
        "timestamp": "2026-02-16T14:00:00Z",
        "entered": 10,
        "exited": 8,
        "customers_inside": 42,
        "male_count": 5,
        "female_count": 5,
        "age_18_30": 3,
        "age_30_50": 5,
        "age_50_plus": 2,
    }
    row = HourlyCustomers.objects.get()
    assert (row.store, row.camera_id, row.hour) == (store_a, "kapi-1", HOUR)


def test_same_payload_twice_updates_and_does_not_double(api, sender_a):
    client = api(sender_a)
    assert client.post(URL, SEED_PAYLOAD, format="json").status_code == 201
    second = client.post(URL, SEED_PAYLOAD, format="json")
    assert second.status_code == 200
    assert HourlyCustomers.objects.count() == 1
    assert HourlyCustomers.objects.get().entered == 10


def test_demographics_only_after_counts_merges(api, sender_a):
    client = api(sender_a)
    client.post(URL, {"entered": 12, "exited": 10, "timestamp": "2026-02-16T14:00"}, format="json")
    response = client.post(URL, SEED_DEMOGRAPHICS_ONLY, format="json")
    assert response.status_code == 200
    row = HourlyCustomers.objects.get()
    assert (row.entered, row.exited) == (12, 10)
    assert (row.male_count, row.female_count, row.age_18_30, row.age_30_50, row.age_50_plus) == (6, 4, 4, 4, 2)
    assert row.customers_inside is None


def test_counts_after_demographics_keep_demographics(api, sender_a):
    client = api(sender_a)
    assert client.post(URL, SEED_DEMOGRAPHICS_ONLY, format="json").status_code == 201
    client.post(URL, SEED_AGE_GENDER, format="json")
    row = HourlyCustomers.objects.get()
    assert (row.entered, row.exited, row.male_count, row.female_count) == (15, 12, 6, 9)


def test_camera_id_separates_rows(api, sender_a):
    client = api(sender_a)
    client.post(URL, SEED_PAYLOAD, format="json")
    client.post(URL, {**SEED_PAYLOAD, "camera_id": "kapi-2"}, format="json")
    client.post(URL, {key: v for key, v in SEED_PAYLOAD.items() if key != "camera_id"}, format="json")
    assert sorted(HourlyCustomers.objects.values_list("camera_id", flat=True)) == ["", "kapi-1", "kapi-2"]


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        ("2026-02-16T14:00", datetime(2026, 2, 16, 14, tzinfo=UTC)),
        ("2026-02-16T14:37:12", datetime(2026, 2, 16, 14, tzinfo=UTC)),
        ("2026-02-16T14:59:59Z", datetime(2026, 2, 16, 14, tzinfo=UTC)),
        ("2026-02-16T17:20:00+03:00", datetime(2026, 2, 16, 14, tzinfo=UTC)),
        ("2026-02-16T09:05:00-05:00", datetime(2026, 2, 16, 14, tzinfo=UTC)),
        ("2026-02-16T19:45:00+05:30", datetime(2026, 2, 16, 14, tzinfo=UTC)),
        ("2026-02-16T14:00:00.123456Z", datetime(2026, 2, 16, 14, tzinfo=UTC)),
    ],
)
def test_timestamp_forms_truncate_to_utc_hour(api, sender_a, timestamp, expected):
    response = api(sender_a).post(URL, {"entered": 1, "timestamp": timestamp}, format="json")
    assert response.status_code == 201, response.json()
    assert HourlyCustomers.objects.get().hour == expected


def test_absent_timestamp_means_current_utc_hour(api, sender_a):
    before = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    api(sender_a).post(URL, {"entered": 1}, format="json")
    after = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    assert HourlyCustomers.objects.get().hour in {before, after}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"entered": 0, "exited": 0}, "entered"),
        ({"entered": 0}, "entered"),
        ({"camera_id": "kapi-1"}, "entered"),
        ({}, "entered"),
        ({"entered": -1}, "entered"),
        ({"entered": "ten"}, "entered"),
        ({"entered": 1.5}, "entered"),
        ({"entered": True}, "entered"),
        ({"entered": None}, "entered"),
        ({"entered": 2**31}, "entered"),
        ({"entered": 1, "male_count": -3}, "male_count"),
        ({"entered": 1, "timestamp": "yesterday"}, "timestamp"),
        ({"entered": 1, "timestamp": "2026-02-16"}, "timestamp"),
        ({"entered": 1, "timestamp": "2026-02-30T10:00"}, "timestamp"),
        ({"entered": 1, "timestamp": "1999-12-31T23:00"}, "timestamp"),
        ({"entered": 1, "timestamp": "2999-01-01T00:00"}, "timestamp"),
        ({"entered": 1, "timestamp": 1700000000}, "timestamp"),
        ({"entered": 1, "camera_id": "x" * 101}, "camera_id"),
        ({"entered": 1, "camera_id": "bad\x00id"}, "camera_id"),
        ({"entered": 1, "enterd": 5}, "enterd"),
    ],
)
def test_invalid_payloads_are_400_with_field(api, sender_a, payload, field):
    response = api(sender_a).post(URL, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert not HourlyCustomers.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ("[1, 2, 3]", "application/json", 400),
        ('"hello"', "application/json", 400),
        ('{"entered": NaN}', "application/json", 400),
        ("entered=1", "application/x-www-form-urlencoded", 415),
        ("<xml/>", "text/xml", 415),
        ("\xff\xfe", "application/json", 400),
    ],
)
def test_malformed_bodies_are_client_errors(api, sender_a, body, content_type, status):
    response = api(sender_a).post(URL, body, content_type=content_type)
    assert response.status_code == status
    assert "errors" in response.json()
    assert not HourlyCustomers.objects.exists()


def test_batch_is_applied(api, sender_a):
    batch = [{"entered": n, "timestamp": f"2026-02-16T{10 + n}:00"} for n in range(1, 4)]
    response = api(sender_a).post(URL, batch, format="json")
    assert response.status_code == 201
    assert [row["entered"] for row in response.json()] == [1, 2, 3]
    assert HourlyCustomers.objects.count() == 3


def test_batch_is_all_or_nothing(api, sender_a):
    batch = [{"entered": 1, "timestamp": "2026-02-16T10:00"}, {"entered": -1}, {"exited": "x"}]
    response = api(sender_a).post(URL, batch, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"1.entered", "2.exited"}
    assert not HourlyCustomers.objects.exists()


def test_batch_limits(api, sender_a):
    client = api(sender_a)
    assert client.post(URL, [], format="json").status_code == 400
    too_many = [{"entered": 1}] * 1001
    assert client.post(URL, too_many, format="json").status_code == 400
    assert not HourlyCustomers.objects.exists()


def test_batch_of_1000_is_accepted(api, sender_a):
    batch = [{"entered": 1, "camera_id": f"cam-{n}", "timestamp": "2026-02-16T10:00"} for n in range(1000)]
    response = api(sender_a).post(URL, batch, format="json")
    assert response.status_code == 201
    assert HourlyCustomers.objects.count() == 1000


def test_body_over_one_mib_is_413(api, sender_a):
    body = '{"entered": 1, "camera_id": "' + "x" * (1024 * 1024) + '"}'
    response = api(sender_a).post(URL, body, content_type="application/json")
    assert response.status_code == 413
    assert "body" in response.json()["errors"]
    assert not HourlyCustomers.objects.exists()


def test_body_over_limit_without_content_length_is_413(sender_a, client):
    """A chunked upload has no Content-Length; Django's own limit must still answer 413."""
    body = ('{"entered": 1, "camera_id": "' + "x" * (1024 * 1024 + 10) + '"}').encode()
    response = client.generic(
        "POST", URL, body, content_type="application/json", HTTP_AUTHORIZATION=basic_auth_header("boyner")
    )
    assert response.status_code == 413


def test_token_auth(api, sender_a):
    client = api()
    token = client.post("/api/auth/token", {"username": "boyner", "password": "s3cret-pass"}, format="json")
    assert token.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert client.post(URL, SEED_PAYLOAD, format="json").status_code == 201


def test_wrong_and_missing_credentials_are_401(api, sender_a):
    assert api().post(URL, SEED_PAYLOAD, format="json").status_code == 401
    assert api(sender_a, password="wrong").post(URL, SEED_PAYLOAD, format="json").status_code == 401
    bad_token = api()
    bad_token.credentials(HTTP_AUTHORIZATION="Token deadbeef")
    assert bad_token.post(URL, SEED_PAYLOAD, format="json").status_code == 401
    assert not HourlyCustomers.objects.exists()


def test_other_tenants_store_is_404_nothing_written(api, sender_a, store_b):
    response = api(sender_a).post(URL, {**SEED_PAYLOAD, "store": store_b.code}, format="json")
    assert response.status_code == 404
    assert store_b.code not in response.content.decode()
    assert "Rival" not in response.content.decode()
    assert not HourlyCustomers.objects.exists()


def test_unknown_store_code_looks_the_same_as_foreign(api, sender_a, store_b):
    foreign = api(sender_a).post(URL, {**SEED_PAYLOAD, "store": store_b.code}, format="json")
    unknown = api(sender_a).post(URL, {**SEED_PAYLOAD, "store": "no-such-store"}, format="json")
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json() == unknown.json()


def test_account_with_several_stores_must_name_one(api, store_a, store_a2):
    from stores.models import Role
    from tests.factories import make_member

    user = make_member(store_a.tenant, Role.SENDER, [store_a, store_a2], username="franchise").user
    client = api(user)
    missing = client.post(URL, SEED_PAYLOAD, format="json")
    assert missing.status_code == 400
    assert "store" in missing.json()["errors"]
    named = client.post(URL, {**SEED_PAYLOAD, "store": store_a2.code}, format="json")
    assert named.status_code == 201
    assert HourlyCustomers.objects.get().store == store_a2


def test_sender_bound_to_one_store_cannot_write_to_sibling_store(api, sender_a, store_a2):
    response = api(sender_a).post(URL, {**SEED_PAYLOAD, "store": store_a2.code}, format="json")
    assert response.status_code == 404
    assert not HourlyCustomers.objects.exists()


def test_brand_admin_writes_to_any_store_of_its_tenant(api, brand_admin_a, store_a2):
    response = api(brand_admin_a).post(URL, {**SEED_PAYLOAD, "store": store_a2.code}, format="json")
    assert response.status_code == 201


def test_trailing_slash_is_accepted(api, sender_a):
    assert api(sender_a).post(URL + "/", SEED_PAYLOAD, format="json").status_code == 201
