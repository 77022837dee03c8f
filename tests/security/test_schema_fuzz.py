"""Schemathesis against ``/api/schema/`` (issue 13, Deliver 7): every documented operation is
fuzzed through the real WSGI application, authenticated as tenant A's sender and as its viewer,
with generated and with real object ids (A's store, rig, session, ingest key) in the paths.

Every response must be what the schema says: no server error, a documented status and content
type, a body of the documented shape, and data outside the schema refused. Bounded by
``max_examples`` per operation and generation mode (the whole test stays well under 90 s);
``derandomize`` makes a CI failure reproduce on a laptop.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.security.tenant_world import World, build_world
from vislivis.wsgi import application

EXAMPLES = 10  # per operation, role and generation mode

# Checks left out, each with its reason; every other built-in check runs (no server error,
# documented status, content type, headers and body shape, invalid data refused, auth enforced).
EXCLUDED_CHECKS: list = [
    # "Schema-valid data must be accepted" cannot hold where validity depends on what is stored
    # or on a grammar JSON Schema cannot state: store codes and rig/device ids of the caller's
    # tenant (400 "Unknown device"), an XML document's root and counts, the customers rule
    # "entered/exited with one > 0, or a demographic field", the read API's longest range.
    positive_data_acceptance,
]


@pytest.fixture
def world(db):
    """Django closes the connection when a WSGI request ends; the test's transaction needs it
    open (django.test.Client disconnects the same handler around each of its own requests, and
    connects it again after, so this comes after the world's requests)."""
    built = build_world()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield built
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def real_ids(world: World) -> dict:
    return {
        "store_id": world.store_a.pk,
        "rig_id": world.rig_a.pk,
        "session_id": world.session_a.pk,
        "ingest_key": world.store_a.ingest_key,
    }


def load_schema():
    return schemathesis.openapi.from_wsgi("/api/schema/", application)


def operations(schema) -> list:
    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) >= 15, "the schema lost operations"
    return found


@pytest.mark.parametrize("role", ["sender", "viewer"])
def test_schema_fuzz(world, role):
    schema = load_schema()
    token = Token.objects.create(user=world.users[f"a:{role}"])
    headers = {"Authorization": f"Token {token.key}"}
    ids = real_ids(world)
    failures = []
    for operation in operations(schema):
        params = {p.name for p in operation.path_parameters}
        fixed = {name: value for name, value in ids.items() if name in params}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)
            if fixed and mode == GenerationMode.POSITIVE:
                strategy = st.one_of(strategy, operation.as_strategy(generation_mode=mode, path_parameters=fixed))

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def fuzz(case):
                cache.clear()  # throttles count in the cache: fuzzing is not a flood
                case.call_and_validate(headers=headers, excluded_checks=EXCLUDED_CHECKS)

            try:
                fuzz()
            except (AssertionError, BaseExceptionGroup) as exc:  # every operation's failures, reported together
                failures.append(f"{operation.label} [{mode.value}]: {exc}")
    assert not failures, "\n\n".join(failures)
