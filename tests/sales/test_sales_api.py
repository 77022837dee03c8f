"""POST /api/analytics/sales: the till feed under the sender feeds' rules (SPEC §3 shape)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sales.models import HourlySales
from stores.models import Store

URL = "/api/analytics/sales"
HOUR = datetime(2026, 2, 16, 14, tzinfo=UTC)
SEED = {
    "transactions": 12,
    "revenue": "1530.75",
    "items": 31,
    "till": "Kasa-1",
    "timestamp": "2026-02-16T14:20:11+00:00",
}


def test_record_is_created_in_the_stores_currency(api, sender_a, store_a):
    response = api(sender_a).post(URL, SEED, format="json")
    assert response.status_code == 201
    row = HourlySales.objects.get()
    assert response.json() == {
        "id": row.pk,
        "store": store_a.code,
        "till": "Kasa-1",
        "timestamp": "2026-02-16T14:00:00Z",
        "transactions": 12,
        "revenue": "1530.75",
        "items": 31,
        "currency": "TRY",
    }
    assert (row.store, row.till, row.hour, row.revenue) == (store_a, "Kasa-1", HOUR, Decimal("1530.75"))


def test_same_hour_and_till_is_updated_not_doubled(api, sender_a):
    client = api(sender_a)
    assert client.post(URL, SEED, format="json").status_code == 201
    again = client.post(
        URL, {**SEED, "transactions": 14, "revenue": 1600, "timestamp": "2026-02-16T14:00"}, format="json"
    )
    assert again.status_code == 200
    assert again.json()["transactions"] == 14
    row = HourlySales.objects.get()
    assert (row.transactions, row.revenue, row.items) == (14, Decimal("1600.00"), 31)  # items absent: kept


def test_tills_and_no_till_are_separate_rows(api, sender_a):
    client = api(sender_a)
    batch = [{**SEED, "till": "Kasa-1"}, {**SEED, "till": "Kasa-2"}, {k: v for k, v in SEED.items() if k != "till"}]
    assert client.post(URL, batch, format="json").status_code == 201
    assert client.post(URL, batch, format="json").status_code == 200
    assert sorted(HourlySales.objects.values_list("till", flat=True)) == ["", "Kasa-1", "Kasa-2"]


def test_batch_is_all_or_nothing_with_every_error_indexed(api, sender_a):
    batch = [SEED, {**SEED, "till": "Kasa-2", "revenue": "10.005"}, {**SEED, "till": "Kasa-3", "transactions": -1}]
    response = api(sender_a).post(URL, batch, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"1.revenue", "2.transactions"}
    assert not HourlySales.objects.exists()


def test_a_currency_mismatch_is_400_and_nothing_is_written(api, sender_a, store_a):
    client = api(sender_a)
    assert client.post(URL, {**SEED, "currency": "try"}, format="json").status_code == 201  # same, any case
    batch = [{**SEED, "till": "Kasa-9"}, {**SEED, "till": "Kasa-8", "currency": "EUR"}]
    response = client.post(URL, batch, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"1.currency": ["This store keeps revenue in TRY; got EUR."]}
    assert list(HourlySales.objects.values_list("till", flat=True)) == ["Kasa-1"]


def test_revenue_follows_the_stores_currency(api, sender_a, store_a):
    Store.objects.filter(pk=store_a.pk).update(currency="EUR")
    response = api(sender_a).post(URL, {**SEED, "currency": "EUR"}, format="json")
    assert response.status_code == 201
    assert HourlySales.objects.get().currency == "EUR"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"transactions": None}, "transactions"),
        ({"revenue": None}, "revenue"),
        ({"revenue": "-1"}, "revenue"),
        ({"revenue": "1.234"}, "revenue"),
        ({"revenue": "١٢"}, "revenue"),
        ({"revenue": "1_000"}, "revenue"),
        ({"revenue": True}, "revenue"),
        ({"revenue": "NaN"}, "revenue"),
        ({"revenue": "Infinity"}, "revenue"),
        ({"revenue": "1e20"}, "revenue"),
        ({"revenue": [1]}, "revenue"),
        ({"transactions": 0, "revenue": "5"}, "revenue"),
        ({"transactions": 1.5}, "transactions"),
        ({"transactions": 2**31}, "transactions"),
        ({"items": -3}, "items"),
        ({"till": "x" * 101}, "till"),
        ({"currency": "EURO"}, "currency"),
        ({"currency": "€€€"}, "currency"),
        ({"timestamp": "2026-02-16"}, "timestamp"),
        ({"revenu": "1"}, "revenu"),
    ],
)
def test_bad_fields_are_400_naming_the_field(api, sender_a, change, field):
    record = {**SEED, **change}
    if change.get("transactions", 1) is None:
        record.pop("transactions")
    response = api(sender_a).post(URL, record, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not HourlySales.objects.exists()


def test_zero_transactions_and_zero_revenue_is_a_closed_till_hour(api, sender_a):
    response = api(sender_a).post(URL, {**SEED, "transactions": 0, "revenue": 0, "items": 0}, format="json")
    assert response.status_code == 201
    assert response.json()["revenue"] == "0.00"


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(["transactions", "revenue", "items", "till", "currency", "timestamp"]), value=JSONISH)
def test_hostile_values_are_refused_with_the_field_or_stored_never_500(api, sender_a, field, value):
    response = api(sender_a).post(URL, {**SEED, field: value}, format="json")
    assert response.status_code in (200, 201, 400), response.content
    if response.status_code == 400:
        # The field named (a nested value's path starts with it); "revenue" for "0 transactions, revenue".
        assert {key.split(".")[0] for key in response.json()["errors"]} <= {field, "revenue"}
    HourlySales.objects.all().delete()


def test_a_viewer_cannot_write(api, viewer_a):
    assert api(viewer_a).post(URL, SEED, format="json").status_code == 403
    assert not HourlySales.objects.exists()


def test_another_brands_sender_cannot_write_to_this_store(api, sender_b, store_a):
    response = api(sender_b).post(URL, {**SEED, "store": store_a.code}, format="json")
    assert response.status_code == 404
    assert not HourlySales.objects.exists()


def test_anonymous_is_401(api):
    assert api().post(URL, SEED, format="json").status_code == 401
