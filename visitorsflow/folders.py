"""Where a site's watch folder is, and the rule that no two sites' folders overlap.

A tenant never types a path: a site's folder is derived, ``<VISITORSFLOW_ROOT>/<tenant id>/<ssid>``,
unless an operator (the CLI, or a superuser in the console) chooses one. Either way no site's
folder may equal, lie inside or contain another site's — otherwise one brand's site would ingest
(and move away) another brand's files. Paths are compared after resolving symlinks, so a link
to another site's folder is the same folder.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from visitorsflow import conf

# An ssid becomes one path segment: no separators, no "..", nothing hidden.
SSID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"
_SSID_RE = re.compile(SSID_PATTERN)


class FolderError(ValueError):
    """The folder cannot be a site's watch folder; the message says why."""


def root() -> Path:
    """The parent of every derived folder (resolved)."""
    return Path(conf.get("VISITORSFLOW_ROOT")).expanduser().resolve()


def segment(ssid: str) -> str:
    """The ssid as a folder name; a legacy ssid that is not a safe name gets a stable hash."""
    if _SSID_RE.fullmatch(ssid) and ".." not in ssid:
        return ssid
    return "site-" + hashlib.sha256(ssid.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def derived(tenant_id: int, ssid: str) -> Path:
    return root() / str(tenant_id) / segment(ssid)


def resolve(path: str | Path) -> Path:
    """Absolute, symlinks resolved (as far as the path exists)."""
    candidate = Path(path).expanduser()
    if not candidate.is_absolute():
        raise FolderError(f"{path} is not an absolute path")
    try:
        return candidate.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise FolderError(f"{path} cannot be resolved: {exc}") from exc


def overlap(a: Path, b: Path) -> bool:
    """Equal, or one inside the other (both resolved)."""
    return a == b or a in b.parents or b in a.parents


def check(path: Path, tenant_id: int, others: Iterable[str]) -> None:
    """Raise ``FolderError`` unless ``path`` (resolved) may be this tenant's site folder.

    ``others`` are the stored folders of every other site, of every tenant. The messages never
    name another tenant's site or path.
    """
    base = root()
    if path == base or path in base.parents:
        raise FolderError(f"{path} contains the VisitorsFlow root {base}")
    if base in path.parents and (base / str(tenant_id)) not in path.parents:
        raise FolderError(f"a folder under {base} must be inside {base / str(tenant_id)} (the site's tenant)")
    for other in others:
        if not other:
            continue
        try:
            other_path = resolve(other)
        except FolderError:
            continue
        if overlap(path, other_path):
            raise FolderError("it overlaps another site's watch folder (equal, inside or containing it)")
