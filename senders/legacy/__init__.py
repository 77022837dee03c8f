"""The seed's six script names as thin wrappers, so existing cron lines keep working.

Copy them into the store's ``data_sender`` folder (``python -m senders.legacy.install DIR``)
or run them from a checkout: ``python senders/legacy/data_sender.py -j payload.json``.
"""

from __future__ import annotations

import sys
from typing import Sequence

SCRIPTS = {
    "heartbeat_sender.py": "heartbeat",
    "data_sender.py": "customers",
    "data_sender_age_gender.py": "age-gender",
    "data_sender_heatmap.py": "heatmap",
    "data_sender_queue.py": "queue",
    "data_sender_setup.py": "setup",
    "data_sender_sales.py": "sales",  # not a seed script: the till feed of issue 19, same shape
}


def run_as(command: str, argv: Sequence[str] | None = None) -> int:
    """``data_sender.py ARGS`` is ``senders customers ARGS``."""
    from senders.cli import main

    return main([command, *(sys.argv[1:] if argv is None else argv)])
