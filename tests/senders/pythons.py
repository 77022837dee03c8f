"""Which Python interpreters this machine has, for running the sender scripts as a store PC would.

A store PC has a stock ``python3`` of some version and nothing installed. The tests run the
seed's scripts under every Python 3 found here (``python3.N`` on ``PATH``, pyenv's versions, and
``$VISLIVIS_TEST_PYTHONS``, a ``os.pathsep``-separated list) and always under the interpreter
running the tests; ``requests`` and ``cv2`` are hidden from each (``BLOCKED``), so "nothing
installed" holds even where they happen to be.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

BLOCKED = ("requests", "cv2", "tomli")


@functools.cache
def interpreters() -> dict[tuple[int, int], str]:
    """(major, minor) → executable, one per version, the test runner's own included."""
    found = {sys.version_info[:2]: sys.executable}
    candidates = [shutil.which(f"python3.{minor}") for minor in range(5, 15)]
    candidates += sorted(str(p) for p in (Path.home() / ".pyenv" / "versions").glob("3.*/bin/python3"))
    candidates += [p for p in os.environ.get("VISLIVIS_TEST_PYTHONS", "").split(os.pathsep) if p]
    for candidate in candidates:
        if not candidate:
            continue
        try:
            done = subprocess.run(
                [candidate, "-c", "import sys; print('%d %d' % sys.version_info[:2])"],
                capture_output=True,
                text=True,
                timeout=20,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode != 0 or len(done.stdout.split()) != 2:
            continue  # e.g. a pyenv shim for a version that is not selected
        version = tuple(int(part) for part in done.stdout.split())
        found.setdefault(version, candidate)
    return dict(sorted(found.items()))


def supported() -> list[tuple[str, str]]:
    """(label, executable) for the Pythons 3.8+ worth a run; the label is the test id.

    Not all of them (each run starts a dozen processes on a shared CI machine): the oldest and
    the newest (the runner's own when it is the only one). ``$VISLIVIS_TEST_ALL_PYTHONS=1`` runs
    every one found (3.8-3.13 passed on the machine this was written on).
    """
    found = {v: exe for v, exe in interpreters().items() if v >= (3, 8)}
    if os.environ.get("VISLIVIS_TEST_ALL_PYTHONS") != "1":
        versions = sorted(found)
        found = {v: exe for v, exe in found.items() if v in (versions[0], versions[-1])}
    return [(f"py{a}.{b}", exe) for (a, b), exe in found.items()]


def too_old() -> list[tuple[str, str]]:
    return [(f"py{a}.{b}", exe) for (a, b), exe in interpreters().items() if (3, 0) <= (a, b) < (3, 8)]


def oldest_supported() -> str:
    return supported()[0][1]


def blocker_dir(root: Path) -> Path:
    """A folder that, first on ``PYTHONPATH``, makes ``import requests`` (and cv2, tomli) fail."""
    root.mkdir(parents=True, exist_ok=True)
    for name in BLOCKED:
        (root / f"{name}.py").write_text(f"raise ModuleNotFoundError(\"No module named '{name}'\", name='{name}')\n")
    return root


def plain_env(spool_dir: Path, blockers: Path, **extra: str) -> dict[str, str]:
    """The environment of a store PC: no VISLIVIS_* settings, no project on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VISLIVIS_", "PYTHON", "DJANGO"))}
    env.update({"VISLIVIS_SPOOL_DIR": str(spool_dir), "PYTHONPATH": str(blockers), "PYTHONDONTWRITEBYTECODE": "1"})
    env.update(extra)
    return env
