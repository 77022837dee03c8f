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
        load = ingest.get("load_average")
        machine = f"; load average {load['before'][0]:.1f} → {load['after'][0]:.1f} during the section" if load else ""
        rows.append(
            _row(
                "bare view baseline (reference)",
                f"{bare['rps_median']:.0f} req/s, p99 {bare['p99_ms_median']} ms{machine}",
                None,
            )
        )
        # Ratios hold only under wrk: the Python stand-in takes a quarter of two cores under the
        # bare view, slowing it more than a push, which flatters every ratio (docs/performance.md).
        stand_in = results.get("load_generator", "wrk") != "wrk"
        caveat = "; Python stand-in load generator: ratios not comparable (install wrk)" if stand_in else ""
        xml = {"xml_push": "Metrics", "rtmetrics_push": "RTMetrics stream"}
        present = [name for name in xml if name in r]
        xml_failed = sum(r[name]["failed_total"] for name in present)
        xml_total = sum(r[name]["requests_total"] for name in present)
        rows.append(
            _row(
                f"XML push ≥ 0.40 × bare, 0 non-2xx at {ingest['connections']} connections",
                "; ".join(
                    f"{xml[name]} {r[name]['ratio_to_bare']:.2f} × ({r[name]['rps_median']:.0f} req/s, "
                    f"p50 {r[name]['p50_ms_median']} ms, p99 {r[name]['p99_ms_median']} ms)"
                    for name in present
                )
                + f"; {xml_failed} non-2xx of {xml_total}{caveat}",
                all(r[name]["ratio_to_bare"] >= 0.40 for name in present) and xml_failed == 0 and not stand_in,
            )
        )
        labels = {
            "customers_basic": "sender JSON /api/analytics/customers, Basic ≥ 0.40 × bare",
            "customers_token": "sender JSON /api/analytics/customers, token ≥ 0.40 × bare",
        }
        for name, label in labels.items():
            item = r[name]
            rows.append(
                _row(
                    label,
                    f"{item['ratio_to_bare']:.2f} × ({item['rps_median']:.0f} req/s, p99 {item['p99_ms_median']} ms)"
                    + caveat,
                    item["ratio_to_bare"] >= 0.40 and not stand_in,
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
        if ingest.get("apply"):
            rows.extend(apply_rows(ingest["apply"]))
        if ingest.get("storage"):
            rows.extend(storage_rows(ingest["storage"]))
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


def apply_rows(apply: dict[str, Any]) -> list[dict[str, Any]]:
    """The applier's goals: the sustained RTMetrics rate, its apply lag, and apply throughput."""
    rows = []
    sustained = apply.get("sustained", {})
    paced, fastest = sustained.get("paced"), sustained.get("max")
    if paced:
        push = paced["push"]
        headroom = ""
        if fastest:
            headroom = (
                f"; as fast as answered {fastest['push']['rps']:.0f}/s (p99 {fastest['push']['p99_ms']} ms, "
                f"{fastest['push']['failed']} non-2xx, lag p99 {fastest['lag_p99_s']} s)"
            )
        rows.append(
            _row(
                "≥ 300 RTMetrics pushes/s sustained",
                f"{push['rps']:.0f}/s paced at {paced['target_rate']:.0f}/s for {paced['duration_s']:.0f} s with "
                f"{paced['appliers']} appliers running (p50 {push['p50_ms']} ms, p99 {push['p99_ms']} ms, "
                f"{push['failed']} non-2xx){headroom}",
                push["rps"] >= 300 and push["failed"] == 0,
            )
        )
        applied = paced["pending"] == 0 and paced["accepted"] == paced["documents"]
        rows.append(
            _row(
                "apply lag p99 ≤ 2 s",
                f"p99 {paced['lag_p99_s']} s, p50 {paced['lag_p50_s']} s, max {paced['lag_max_s']} s "
                f"({paced['accepted']} of {paced['documents']} documents of the paced run applied)",
                paced["lag_p99_s"] is not None and paced["lag_p99_s"] <= 2.0 and applied,
            )
        )
    throughput = apply.get("throughput", {})
    if throughput:
        rows.append(
            _row(
                "apply throughput (reference)",
                ", ".join(
                    f"{count} applier{'s' if count != '1' else ''} "
                    f"{item['docs_per_s'] if item['docs_per_s'] is not None else 'n/a (one batch took all)'} docs/s "
                    f"({item['documents']} pending RTMetrics drained in {item['seconds']} s)"
                    for count, item in throughput.items()
                ),
                None,
            )
        )
    return rows


def storage_rows(storage: dict[str, Any]) -> list[dict[str, Any]]:
    """Bytes per camera-day at the real-time rate, against the issue's unbounded estimate."""
    day = storage.get("camera_day")
    if not day:
        return []
    compacted = storage["compacted"]
    per_doc = compacted["devices_receiveddocument"]["bytes_per_row"]
    per_minute = compacted["devices_minutecount"]["bytes_per_row"]
    body = storage["bodies"].get("RTMetrics") or next(iter(storage["bodies"].values()))
    parts = storage["partitions"]
    compressed = body["stored_share"] is not None and body["stored_share"] <= 0.25
    return [
        _row(
            "storage per camera-day reported and bounded",
            f"{day['bytes'] / 1e6:.2f} MB per camera-day = {day['documents']:,} documents × {per_doc:.0f} B + "
            f"{day['minute_rows']:,} minute rows × {per_minute:.0f} B; {day['fleet_bytes'] / 1e9:.0f} GB for "
            f"{day['fleet']} (unbounded estimate ~{day['unbounded_bytes'] / 1e6:.0f} MB, "
            f"~{day['unbounded_fleet_bytes'] / 1e9:.0f} GB: {day['share_of_unbounded']:.2f} ×); bodies kept at "
            f"{body['stored_bytes']:.0f} of {body['received_bytes']:.0f} B; partitions: "
            f"{parts['devices_receiveddocument']} documents, {parts['devices_minutecount']} minutes",
            compressed and day["share_of_unbounded"] <= 0.5,
        )
    ]


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
