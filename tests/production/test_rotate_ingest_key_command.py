"""``manage.py rotate_ingest_key --store CODE``."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from stores.models import Store


def test_rotates_only_that_store_and_prints_the_new_url(store_a, store_b):
    old_a, old_b = store_a.ingest_key, store_b.ingest_key
    out = StringIO()
    call_command("rotate_ingest_key", "--store", store_a.code, stdout=out)
    store_a.refresh_from_db()
    assert store_a.ingest_key != old_a
    assert json.loads(out.getvalue()) == {
        "store_id": store_a.pk,
        "store_code": "boyner-avm",
        "ingest_key": store_a.ingest_key,
        "ingest_url": f"/api/devices/xml/{store_a.ingest_key}/",
    }
    assert Store.objects.get(pk=store_b.pk).ingest_key == old_b
    assert not Store.objects.filter(ingest_key=old_a).exists()


def test_unknown_store_is_an_error_and_changes_nothing(store_a):
    old = store_a.ingest_key
    with pytest.raises(CommandError, match="No store with code 'nope'"):
        call_command("rotate_ingest_key", "--store", "nope")
    store_a.refresh_from_db()
    assert store_a.ingest_key == old
