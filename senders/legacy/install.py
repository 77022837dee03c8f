"""``python -m senders.legacy.install DIR``: put the seed's script names into a store's folder.

The copies import the installed ``senders`` package, so ``cd DIR && python data_sender.py -j
payload.json`` and the seed's cron lines work unchanged after ``pip install ./senders``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from senders.legacy import SCRIPTS


def install(target: Path) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    here = Path(__file__).resolve().parent
    written = []
    for name in SCRIPTS:
        destination = target / name
        shutil.copyfile(here / name, destination)
        destination.chmod(0o755)
        written.append(destination)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m senders.legacy.install DIR", file=sys.stderr)
        return 2
    for path in install(Path(args[0])):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
