"""Goals vs measurements: the JSON result file and the Markdown table of ``docs/performance.md``.

The table sits between two markers in the document, so the prose around it (reasons and next
steps, written by people) survives every run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

BEGIN = "<!-- bench:table:begin -->"
END = "<!-- bench:table:end -->"


def _row(goal: str, measured: str, holds: bool | None, note: str = "") -> dict[str, Any]:
    return {"goal": goal, "measured": measured, "holds": holds, "note": note}


def goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Every goal of the issue with its measured value and whether it holds."""
    rows: list[dict[str, Any]] = []
    ingest = results.get("ingest")
    if ingest:
        r = ingest["results"]
        bare = r["bare"]
        rows.append(
            _row(
                "bare view baseline (reference)",
                f"{bare['rps_median']:.0f} req/s, p99 {bare['p99_ms_median']} ms",
                None,
            )
        )
        labels = {
            "xml_push": "XML push (seed Metrics, 3 objects) ≥ 0.40 × bare",
            "customers_basic": "sender JSON /api/analytics/customers, Basic ≥ 0.40 × bare",
            "customers_token": "sender JSON /api/analytics/customers, token ≥ 0.40 × bare",
        }
        for name, label in labels.items():
            item = r[name]
            rows.append(
                _row(
                    label,
                    f"{item['ratio_to_bare']:.2f} × ({item['rps_median']:.0f} req/s, p99 {item['p99_ms_median']} ms)",
                    item["ratio_to_bare"] >= 0.40,
                )
            )
        failed = sum(item["failed_total"] for item in r.values())
        total = sum(item["requests_total"] for item in r.values())
        rows.append(
            _row(
                f"zero non-2xx under {ingest['connections']} connections for {ingest['duration_s']:.0f} s",
                f"{failed} of {total} requests",
                failed == 0,
            )
        )
    queries = results.get("queries")
    if queries and queries["stages"]:
        last = queries["stages"][-1]
        labels = {
            "footfall_year_day": "/footfall one store, a year by day",
            "footfall_week_hour": "/footfall one store, a week by hour",
            "brand_month": f"brand comparison, {queries['stores']} stores, a month",
        }
        for name, label in labels.items():
            ms = last["ms"][name]
            rows.append(_row(f"{label} < 50 ms server time", f"{ms} ms at {last['days_loaded']} days", ms < 50))
            rows.append(
                _row(
                    f"{label}: server time ≤ 5 % of raw GROUP BY",
                    f"{last['ratios'][name] * 100:.1f} % ({ms} ms vs raw {last['ms'][_raw(name)]} ms)",
                    last["ratios"][name] <= 0.05,
                )
            )
            selector = name.replace("footfall_", "selector_")
            if name.startswith("footfall_") and selector in last["ratios"]:
                rows.append(
                    _row(
                        f"{label}: the query (rollup selector) ≤ 5 % of raw GROUP BY",
                        f"{last['ratios'][selector] * 100:.1f} % ({last['ms'][selector]} ms vs raw "
                        f"{last['ms'][_raw(name)]} ms)",
                        last["ratios"][selector] <= 0.05,
                    )
                )
        week = [stage["ms"]["footfall_week_hour"] for stage in queries["stages"]]
        stored = [stage["days_loaded"] for stage in queries["stages"]]
        growth = week[-1] / week[0] if week[0] else float("nan")
        rows.append(
            _row(
                "cost grows with rows returned, not rows stored (week by hour, same rows returned)",
                f"{' → '.join(f'{w} ms' for w in week)} at {' → '.join(str(d) for d in stored)} days "
                f"(×{growth:.2f} for ×{stored[-1] / stored[0]:.0f} rows stored)",
                growth <= 1.5,
            )
        )
        check = queries.get("rollup_check", {})
        rows.append(
            _row(
                "rollups equal what ingest keeps (late + superseding pushes, sample)",
                f"{check.get('hours')} hours compared",
                bool(check.get("equal")),
            )
        )
    capture = results.get("capture")
    if capture:
        rows.append(
            _row(
                "capture received fps ≥ 0.95 × raw websockets client (per frame the stream produced)",
                ", ".join(
                    f"{camera} {c['coverage_ratio']:.2f} × ({c['session_coverage']:.1%} vs "
                    f"{c['raw_coverage']:.1%} of the frames produced; wall clock {c['ratio']:.2f} ×, "
                    f"{c['session_fps']} vs {c['raw_fps']} fps)"
                    if "coverage_ratio" in c
                    else f"{camera} {c['ratio']:.2f} × ({c['session_fps']} vs {c['raw_fps']} fps)"
                    for camera, c in capture["cameras"].items()
                ),
                capture.get("min_coverage_ratio", capture["min_ratio"]) >= 0.95,
            )
        )
        rows.append(
            _row(
                "capture: zero dropped frames",
                f"{capture['dropped_total']} dropped, {capture['missing_in_gaps_total']} missing in sequence gaps",
                capture["dropped_total"] == 0 and capture["missing_in_gaps_total"] == 0,
            )
        )
        rss = capture.get("peak_rss_over_bytes_held")
        rows.append(
            _row(
                "capture peak RSS ≤ 1.2 × raw frame bytes held",
                f"{rss} × (whole process, Django included: {capture['bytes_held_mb_session']} MB held; "
                f"growth while recording {capture['rss_growth_over_bytes_held']} ×)",
                rss is not None and rss <= 1.2,
            )
        )
    vf = results.get("visitorsflow")
    if vf:
        export = vf["export"]
        rows.append(
            _row(
                f"VisitorsFlow export, {export['events']:,} events today < 100 ms",
                f"{export['build_ms_median']} ms",
                export["build_ms_median"] < 100,
            )
        )
        watcher = vf["watcher"]
        rows.append(
            _row(
                f"VisitorsFlow watcher ingests {watcher['files']:,} small files < 10 s",
                f"{watcher['seconds']} s ({watcher['committed']} committed)",
                watcher["seconds"] < 10 and watcher["committed"] == watcher["files"],
            )
        )
    return rows


def _raw(name: str) -> str:
    return {
        "footfall_year_day": "raw_year_day",
        "footfall_week_hour": "raw_week_hour",
        "brand_month": "raw_brand_month",
    }[name]


def markdown_table(rows: list[dict[str, Any]], header: str) -> str:
    lines = [header, "", "| Goal | Measured | Holds |", "| --- | --- | --- |"]
    for row in rows:
        holds = "—" if row["holds"] is None else ("yes" if row["holds"] else "**no**")
        lines.append(f"| {row['goal']} | {row['measured']} | {holds} |")
    return "\n".join(lines) + "\n"


def write(results: dict[str, Any], json_path: Path, doc_path: Path | None, header: str) -> list[dict[str, Any]]:
    rows = goals(results)
    results["goals"] = rows
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(results, indent=1, default=str) + "\n")
    if doc_path is not None:
        table = markdown_table(rows, header)
        text = doc_path.read_text() if doc_path.exists() else f"# Performance\n\n{BEGIN}\n{END}\n"
        if BEGIN in text and END in text:
            before, rest = text.split(BEGIN, 1)
            _, after = rest.split(END, 1)
            text = f"{before}{BEGIN}\n{table}{END}{after}"
        else:
            text = f"{text.rstrip()}\n\n{BEGIN}\n{table}{END}\n"
        doc_path.write_text(text)
    return rows
