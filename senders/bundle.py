"""The sender client as one file: ``vislivis-sender.pyz``, a zipapp any Python 3.8+ runs.

A store PC often has a stock Python and no pip access. The panel serves this archive at
``/downloads/vislivis-sender.pyz`` (built from this very package, so it always matches the
panel's rules), and ``python -m senders.bundle OUT.pyz`` writes it for offline installs.
Usage on the store PC::

    python3 vislivis-sender.pyz customers -j payload.json
    python3 vislivis-sender.pyz install /opt/vislivis/data_sender   # + the seed's six script names

The archive is built with ``zipfile`` rather than ``python -m zipapp`` so it can be made in
memory (the panel's view) and byte-for-byte reproducibly (fixed timestamps, sorted names).
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
SHEBANG = b"#!/usr/bin/env python3\n"
ENTRY = b'''"""vislivis-sender.pyz: the VISLIVIS sender client (python3 vislivis-sender.pyz --help)."""
import sys

if sys.version_info < (3, 8):
    sys.stderr.write("error: the VISLIVIS sender needs Python 3.8 or newer (this is %d.%d)\\n" % sys.version_info[:2])
    sys.exit(3)

from senders.cli import main

sys.exit(main())
'''
FIXED_TIME = (2026, 1, 1, 0, 0, 0)  # reproducible archives: the same code gives the same bytes


def members() -> list[tuple[str, bytes]]:
    """(name in the archive, contents) for the package's code and example files, sorted."""
    found = []
    for path in sorted(PACKAGE.rglob("*")):
        relative = path.relative_to(PACKAGE)
        if not path.is_file() or "__pycache__" in relative.parts or path.suffix not in (".py", ".json", ".toml"):
            continue
        if len(relative.parts) == 1 and path.suffix != ".py":
            continue  # pyproject.toml and requirements.txt are for pip, not for the archive
        found.append(("senders/" + relative.as_posix(), path.read_bytes()))
    return found


def build() -> bytes:
    """The archive's bytes: shebang, then a zip whose ``__main__.py`` runs ``senders.cli``."""
    buffer = io.BytesIO()
    buffer.write(SHEBANG)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in [("__main__.py", ENTRY), *members()]:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def write(target: Path) -> Path:
    target.write_bytes(build())
    target.chmod(0o755)
    return target


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m senders.bundle OUT.pyz", file=sys.stderr)
        return 2
    print(f"wrote {write(Path(args[0]))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
