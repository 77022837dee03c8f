#!/usr/bin/env python3
"""Seed 000's `data_sender_setup.py`, now `python -m senders setup` (same flags, checked, spooled)."""

import sys
from pathlib import Path

try:
    from senders.legacy import run_as
except ImportError:  # run from a checkout: the package sits two folders up
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))
    try:
        from senders.legacy import run_as
    except ImportError:
        sys.exit("vislivis-senders is not installed: pip install ./senders (from the VISLIVIS repository)")

if __name__ == "__main__":
    sys.exit(run_as("setup"))
