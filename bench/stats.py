"""Interleaving and medians: the only statistics the bench uses."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from typing import Any


def interleave(runs: dict[str, Callable[[], Any]], rounds: int) -> dict[str, list[Any]]:
    """Run every named measurement once per round, in the given order (A B A B …).

    Interleaving spreads a machine's drift (other processes, thermal, caches) over all
    variants instead of letting it land on whichever ran last.
    """
    results: dict[str, list[Any]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            results[name].append(run())
    return results


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def ratio(value: float, baseline: float) -> float:
    return round(value / baseline, 4) if baseline else float("nan")
