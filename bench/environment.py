"""The production-like environment of a bench run: its own PostgreSQL database, Redis, settings.

``vislivis.settings.production`` refuses to start without a secret, hosts, Redis and a broker;
the bench gives it all of them (a throwaway secret). Throttle rates stay production's: the load
is spread over 100 stores and accounts as a brand's traffic is. ``SECURE_SSL_REDIRECT`` stays
on: requests carry ``X-Forwarded-Proto: https`` as the proxy in front sets it.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench_env(database: str, redis_db: int = 9, pg: str = "postgres://postgres@127.0.0.1:5432") -> dict[str, str]:
    """Environment for the bench process and its servers (inherits PATH and the like)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=f"{pg}/{database}",
        SECRET_KEY=env.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        REDIS_URL=f"redis://127.0.0.1:6379/{redis_db}",
        CELERY_BROKER_URL=f"redis://127.0.0.1:6379/{redis_db + 1}",
        CONN_MAX_AGE="600",
        LOG_LEVEL="WARNING",
        # The capture section's camera simulators listen on loopback, which production refuses
        # for tenant URLs (vislivis/outbound.py): without this every session frame was refused.
        OUTBOUND_ALLOWED_NETWORKS="127.0.0.0/8",
        MEDIA_ROOT=str(Path("/tmp") / f"{database}-media"),
        # One per checkout: worktrees with different static files (or none from node_modules)
        # must not share a manifest, or pages fail on a missing entry.
        STATIC_ROOT=str(Path("/tmp") / f"vislivis-bench-static-{hashlib.sha1(str(ROOT).encode()).hexdigest()[:8]}"),
    )
    for name in [k for k in env if k.startswith("THROTTLE_")]:
        del env[name]  # the production rates, whatever this shell says
    return env


def recreate_database(database: str, admin_url: str = "postgresql://postgres@127.0.0.1:5432/postgres") -> None:
    """Drop and create the bench's own database (never anyone else's: the name must say bench)."""
    if "bench" not in database:
        raise ValueError(f"refusing to recreate {database!r}: a bench database name contains 'bench'")
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=300
    )


def collectstatic(env: dict[str, str]) -> None:
    """Hashed, compressed static files as production serves them (the pages need the manifest)."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=600,
    )


def activate(env: dict[str, str]) -> None:
    """Make this process a Django process with the bench environment (call once, before imports of models)."""
    os.environ.update(env)
    import django

    django.setup()
