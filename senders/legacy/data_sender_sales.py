#!/usr/bin/env python3
"""The till (POS) feed, `python -m senders sales`, as a seed-style script (same flags, checked, spooled).

Runs on any Python 3.8+ with nothing installed. It finds the client in this order: an installed
``senders`` package, ``vislivis-sender.pyz`` next to this file (the panel's one-file download),
a VISLIVIS checkout two folders up. Without any of them it prints one line saying how to get it
and exits 3 (docs/senders.md), never a traceback.
"""

import sys
from pathlib import Path

INSTALL = (
    "download it from the panel (curl -O https://<panel>/downloads/vislivis-sender.pyz, then "
    "python3 vislivis-sender.pyz install .) or run: pip install ./senders"
)

if sys.version_info < (3, 8):
    sys.stderr.write("error: the VISLIVIS sender needs Python 3.8 or newer (this is %d.%d)\n" % sys.version_info[:2])
    sys.exit(3)

HERE = Path(__file__).resolve().parent
for _place in (None, HERE / "vislivis-sender.pyz", HERE.parent.parent):
    if _place is not None:
        if not _place.exists():
            continue
        sys.path.insert(0, str(_place))
    try:
        from senders.legacy import run_as
    except ImportError:
        continue
    break
else:
    sys.stderr.write("error: the VISLIVIS sender client is not installed: " + INSTALL + "\n")
    sys.exit(3)

if __name__ == "__main__":
    sys.exit(run_as("sales"))
