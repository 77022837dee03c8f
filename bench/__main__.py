"""``python -m bench``: every benchmark, results to ``bench/results/<date>.json`` and ``docs/performance.md``.

``--quick`` runs tiny sizes (a smoke run of the harness in about a minute); the full run is what
``make bench`` does and must stay under 10 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FULL = {
    # preload: seconds of RTMetrics pushed before timing each applier count; with appliers
    # running, the stream is pushed ``headroom`` seconds as fast as answered, then ``sustained``
    # seconds paced at ``rate`` pushes/s (1.1 × the 300/s goal).
    "ingest": {
        "rounds": 3,
        "duration": 10.0,
        "connections": 16,
        "preload": 10.0,
        "headroom": 10.0,
        "sustained": 20.0,
        "rate": 330.0,
    },
    "queries": {"stages": [10, 30, 90], "stores": 100, "devices": 3, "rounds": 3},
    "capture": {"duration": 5.0, "rounds": 3, "fps": 30.0, "scale": 1},
    "visitorsflow": {"events": 50_000, "files": 1_000},
    "brand_sales": {"stores": 100},
}
QUICK = {
    "ingest": {
        "rounds": 1,
        "duration": 2.0,
        "connections": 4,
        "preload": 1.0,
        "headroom": 1.0,
        "sustained": 2.0,
        "rate": 100.0,
    },
    "queries": {"stages": [1, 2], "stores": 5, "devices": 2, "rounds": 1},
    "capture": {"duration": 1.0, "rounds": 1, "fps": 10.0, "scale": 8},
    "visitorsflow": {"events": 2_000, "files": 20},
    "brand_sales": {"stores": 5},
}
SECTIONS = ("ingest", "queries", "capture", "visitorsflow", "brand_sales")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check the harness, not the code")
    parser.add_argument("--only", action="append", choices=SECTIONS, help="run only these sections")
    parser.add_argument("--database", default="vislivis_bench", help="PostgreSQL database (recreated)")
    parser.add_argument("--port", type=int, default=8790, help="loopback port of the bench's gunicorn")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="gunicorn sync workers (default: the web role's, 2 x CPUs + 1)",
    )
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite the table in docs/performance.md")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    sections = args.only or list(SECTIONS)

    sys.path.insert(0, str(ROOT))
    from bench import environment

    began = time.monotonic()
    env = environment.bench_env(args.database)
    environment.recreate_database(args.database)
    environment.migrate(env)
    if not (Path(env["STATIC_ROOT"]) / "staticfiles.json").exists():
        environment.collectstatic(env)
    environment.activate(env)
    timings: dict[str, float] = {"setup": round(time.monotonic() - began, 1)}
    results: dict = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "sizes": {name: sizes[name] for name in sections},
        "settings": "bench.settings = vislivis.settings.production + /bench/bare (production throttle rates)",
    }

    def section(name: str, work) -> None:
        started = time.monotonic()
        print(f"[bench] {name} …", flush=True)
        results[name] = work()
        timings[name] = round(time.monotonic() - started, 1)
        print(f"[bench] {name} done in {timings[name]} s", flush=True)

    if "ingest" in sections:
        from bench import ingest
        from bench.http import GunicornServer, wrk_available

        results["load_generator"] = "wrk" if wrk_available() else "python (wrk not installed)"
        # 500 stores with two cameras each: the fleet at its evening peak.
        fixtures = ingest.create_fixtures(stores=5 if args.quick else 500)
        with GunicornServer(env, args.port, workers=args.workers) as server:
            section("ingest", lambda: ingest.section(server.base_url, env, fixtures, **sizes["ingest"]))
        results["ingest"]["gunicorn_workers"] = server.workers
    if "queries" in sections:
        from bench import queries

        section("queries", lambda: queries.run(**sizes["queries"]))
    if "capture" in sections:
        from bench import capture

        section("capture", lambda: capture.run(env, **sizes["capture"]))
    if "visitorsflow" in sections:
        from bench import visitorsflow

        section("visitorsflow", lambda: visitorsflow.run(**sizes["visitorsflow"]))

    if "brand_sales" in sections:
        from bench import brand_sales

        section("brand_sales", lambda: brand_sales.run(**sizes["brand_sales"]))

    timings["total"] = round(time.monotonic() - began, 1)
    results["timings_s"] = timings
    from bench import report

    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    # A run of some sections names them: it does not overwrite the day's full run (or another's).
    parts = [stamp, *(args.only or []), *(["quick"] if args.quick else [])]
    name = "-".join(parts) + ".json"
    # The table shows every goal: only a full run (all sections, full sizes) rewrites it.
    doc = None if (args.no_doc or args.quick or args.only) else ROOT / "docs" / "performance.md"
    header = (
        f"Run of {results['started_at']} ({os.cpu_count()} CPUs, {results.get('load_generator', 'n/a')}), "
        f"{timings['total']:.0f} s in all; raw numbers in `bench/results/{name}`."
    )
    rows = report.write(results, ROOT / "bench" / "results" / name, doc, header)
    print(report.markdown_table(rows, header))
    print(f"[bench] total {timings['total']} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
