"""docker/: what the classic builder, compose and nginx need on a real engine (issue 15).

``make docker-smoke`` proves these on an engine; these tests keep them from drifting when no
engine is at hand.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"


def ignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def ignored(path: str) -> bool:
    """Docker's rule, enough for these names: the last matching pattern wins, ``!`` re-includes."""
    verdict = False
    for pattern in ignore_patterns():
        negate = pattern.startswith("!")
        bare = pattern.lstrip("!").rstrip("/").removeprefix("**/")
        parts = path.split("/")
        if any(fnmatch.fnmatch("/".join(parts[: i + 1]), bare) for i in range(len(parts))) or fnmatch.fnmatch(
            parts[-1], bare
        ):
            verdict = not negate
    return verdict


def test_the_root_dockerignore_keeps_secrets_and_local_state_out():
    assert not (DOCKER / "Dockerfile.dockerignore").exists()  # the classic builder ignores it
    for path in (".env", ".env.production", ".git", ".venv", "db.sqlite3", "db.sqlite3-journal", "var/media/x.png",
                 "node_modules/chart.js/package.json", "vislivis-2026-01-31.dump", "media-2026-01-31.tgz",
                 "stores/__pycache__/models.cpython-311.pyc"):  # fmt: skip
        assert ignored(path), path
    for path in (".env.example", "manage.py", "docker/entrypoint.sh", "requirements/base.txt", "static/x.css"):
        assert not ignored(path), path


def test_the_dockerfile_pulls_nothing_and_prepares_every_volume_and_home():
    dockerfile = (DOCKER / "Dockerfile").read_text()
    assert not re.search(r"^#\s*syntax\s*=", dockerfile, re.MULTILINE | re.IGNORECASE)
    assert "/app/var/beat" in dockerfile and "chown -R vislivis:vislivis /app/var" in dockerfile
    assert "--home-dir /home/vislivis --create-home" in dockerfile and "ENV HOME=/home/vislivis" in dockerfile
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            target = volume.split(":")[1]
            if target.startswith("/app/var/"):
                assert target in dockerfile, f"{target} is not created in the image"


def test_nginx_keeps_the_port_and_appends_the_client_address():
    conf = (DOCKER / "nginx.conf").read_text()
    assert "proxy_set_header Host $http_host;" in conf
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in conf
    assert "$host;" not in conf
    assert re.search(r"access_log /dev/stdout vislivis_json;", conf)


def test_web_and_ws_trust_exactly_the_one_proxy_and_daphne_reads_no_proxy_header():
    services = yaml.safe_load((DOCKER / "compose.yaml").read_text())["services"]
    for name in ("web", "ws"):
        assert services[name]["environment"]["TRUSTED_PROXY_HOPS"] == "${TRUSTED_PROXY_HOPS:-1}", name
    for name in ("worker", "beat", "watcher", "applier", "migrate"):
        assert "TRUSTED_PROXY_HOPS" not in services[name]["environment"], name
    entrypoint = (DOCKER / "entrypoint.sh").read_text()
    commands = [line for line in entrypoint.splitlines() if not line.lstrip().startswith("#")]
    assert not any("--proxy-headers" in line for line in commands)
    assert "--config docker/gunicorn.conf.py" in entrypoint


def test_the_compose_header_command_names_the_env_file_at_the_root():
    header = (DOCKER / "compose.yaml").read_text().split("\nname:")[0]
    assert "docker compose -f docker/compose.yaml --env-file .env up -d --build" in header


class ComposeLoader(yaml.SafeLoader):
    """Compose's merge tags (``!reset``, ``!override``) read as their plain values."""


for _tag in ("!reset", "!override"):
    ComposeLoader.add_constructor(
        _tag,
        lambda loader, node: (
            loader.construct_mapping(node)
            if isinstance(node, yaml.MappingNode)
            else loader.construct_sequence(node)
            if isinstance(node, yaml.SequenceNode)
            else loader.construct_scalar(node)
        ),
    )


def test_the_host_override_changes_only_addresses_ports_and_health_timing():
    override = yaml.load((DOCKER / "compose.host.yaml").read_text(), Loader=ComposeLoader)  # noqa: S506 - SafeLoader
    base = yaml.safe_load((DOCKER / "compose.yaml").read_text())["services"]
    allowed = {"network_mode", "environment", "depends_on", "healthcheck", "build", "ports", "volumes"}
    for name, service in override["services"].items():
        assert name in base, name
        assert set(service) <= allowed, (name, set(service) - allowed)
        assert "image" not in service and "command" not in service
        for key in service.get("healthcheck", {}):
            assert key in {"interval", "start_period"}, (name, key)
