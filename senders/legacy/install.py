"""``senders install DIR`` (or ``python -m senders.legacy.install DIR``): the seed's script names in a folder.

The copies find the client on their own (an installed package, or ``vislivis-sender.pyz`` next
to them), so ``cd DIR && python3 data_sender.py -j payload.json`` and the seed's cron lines work
unchanged. Run from the one-file download (``python3 vislivis-sender.pyz install DIR``), the
archive itself is copied in as well: the folder then holds everything the store PC needs.
"""

from __future__ import annotations

import pkgutil
import shutil
import sys
import zipfile
from pathlib import Path

import senders
from senders.legacy import SCRIPTS

ARCHIVE_NAME = "vislivis-sender.pyz"


def running_archive() -> Path | None:
    """The ``.pyz`` this code is imported from, or None for an installed package or a checkout."""
    archive = Path(senders.__file__).resolve().parent.parent
    return archive if archive.is_file() and zipfile.is_zipfile(archive) else None


def install(target: Path) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SCRIPTS:
        data = pkgutil.get_data("senders.legacy", name)  # works from a zip archive too
        if data is None:
            raise FileNotFoundError(f"senders/legacy/{name} is missing from this copy of the client")
        destination = target / name
        destination.write_bytes(data)
        destination.chmod(0o755)
        written.append(destination)
    archive = running_archive()
    if archive is not None and archive != (target / ARCHIVE_NAME).resolve():
        shutil.copyfile(archive, target / ARCHIVE_NAME)
        written.append(target / ARCHIVE_NAME)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m senders.legacy.install DIR", file=sys.stderr)
        return 2
    try:
        written = install(Path(args[0]))
    except OSError as exc:
        print(f"error: cannot install into {args[0]}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
