"""The direction of the code: ``stores`` (tenants, stores, logins: the floor every feature stands
on) imports no feature app. A feature reacts to a store change through a signal it subscribes to
(analytics/signals.py); what spans the apps lives in the project layer (``vislivis/``, e.g. the
``demo`` command).

Feature apps are found, not listed: every project app (a folder of the repository with an
``apps.py``) but ``stores`` itself and the project layer, so a new app is covered on arrival.
Every import is read from the source (``ast``), function-level imports included.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FLOOR = "stores"
PROJECT_LAYER = "vislivis"
# Imports of a feature app that stores may keep: none (the store health is composed from sections
# the feature apps register in stores/health.py).
KNOWN: set[tuple[str, str]] = set()


def feature_apps() -> set[str]:
    return {
        path.parent.name
        for path in REPO.glob("*/apps.py")
        if path.parent.name not in {FLOOR, PROJECT_LAYER} and (path.parent / "__init__.py").exists()
    }


def imports_of(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            # ``from analytics import storedays`` names the app in the module; ``from . import x``
            # (level > 0) stays inside stores.
    return found


def test_the_feature_apps_are_found():
    assert {"analytics", "devices", "pantilt", "visitorsflow"} <= feature_apps()


def test_stores_imports_no_feature_app():
    features = feature_apps()
    offending = []
    for path in sorted((REPO / FLOOR).rglob("*.py")):
        relative = path.relative_to(REPO).as_posix()
        for line, module in imports_of(path):
            if module.split(".")[0] in features and (relative, module) not in KNOWN:
                offending.append(f"{relative}:{line} imports {module}")
    assert offending == []


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    """The reader is not blind to the case it exists for (the old stores/signals.py)."""
    sample = tmp_path / "signals.py"
    sample.write_text("def rebuild():\n    from analytics import storedays\n    import devices.selectors\n")
    assert imports_of(sample) == [(2, "analytics"), (3, "devices.selectors")]


# The feeds write hourly rows and announce them (stores.signals); the rollups combining them
# (analytics.storedays) subscribe. A feed importing a rollup is the loop issue 17 removed:
# devices → analytics.storedays → devices → analytics.
FEEDS = {"devices": "devices", "sender": "analytics/services.py", "tills": "sales"}
ROLLUPS = ("analytics.storedays",)


def _rollup_import_lines(path: Path) -> list[int]:
    """Lines of ``path`` importing a rollup (``import analytics.storedays``, ``from analytics import storedays``)."""
    lines = []
    for line, module in imports_of(path):
        named = {module} | {f"{module}.{alias.name}" for alias in _aliases(path, line)}
        if any(name == rollup or name.startswith(rollup + ".") for name in named for rollup in ROLLUPS):
            lines.append(line)
    return lines


def _aliases(path: Path, line: int) -> list[ast.alias]:
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.lineno == line:
            return node.names
    return []


def test_no_feed_imports_a_rollup():
    offending = []
    for target in FEEDS.values():
        root = REPO / target
        for path in sorted([root] if root.is_file() else root.rglob("*.py")):
            if "migrations" not in path.parts:
                offending += [f"{path.relative_to(REPO).as_posix()}:{line}" for line in _rollup_import_lines(path)]
    assert offending == []


def test_the_rollup_check_sees_both_import_forms(tmp_path):
    sample = tmp_path / "feed.py"
    sample.write_text("from analytics import storedays\nimport analytics.storedays\nfrom analytics import brand\n")
    assert _rollup_import_lines(sample) == [1, 2]
