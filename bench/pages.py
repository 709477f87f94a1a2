"""Look inside the key pages in-process: time per request, SQL per page, and for one page where the time goes.

    .venv/bin/python bench/pages.py                                  # every page of bench/run.py, in-process
    .venv/bin/python bench/pages.py --page /diary/everyone --explain # its slowest statements, EXPLAIN ANALYZEd
    .venv/bin/python bench/pages.py --page "/members/{hub}" --profile
    .venv/bin/python bench/pages.py --seed 0.01 --database-url sqlite:////tmp/city.sqlite3

Uses the city bench/seed_city.py built (--seed SCALE builds one first) and the pages and members of
bench/run.py, so the in-process figures and the load-generator figures describe the same requests.
Speed is measured here and never asserted in tests; the tests assert query counts instead.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from bench import run  # noqa: E402
from bench.seed_city import DEFAULT_URL, EMAIL, PASSWORD, seed  # noqa: E402
from ejan.extensions import db  # noqa: E402


def clients(app, members: dict[str, int], uas: dict[str, str]) -> dict:
    found = {}
    for device, member in members.items():
        client = app.test_client()
        client.environ_base["HTTP_USER_AGENT"] = uas[device]
        if client.post("/login", data={"email": EMAIL.format(member), "password": PASSWORD}).status_code != 302:
            raise SystemExit(f"login of member {member} failed")
        found[device] = client
    return found


def timed_statements(engine, request) -> list[tuple[float, str, object]]:
    """Run request() and return (seconds, statement, parameters) for every statement it sent."""
    found, started = [], {}

    def before(conn, cursor, statement, parameters, context, executemany):
        started[id(cursor)] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        found.append((time.perf_counter() - started.pop(id(cursor), time.perf_counter()), statement, parameters))

    # Every engine of the process (engine is kept for the callers): the disaster screen's front has its own.
    event.listen(Engine, "before_cursor_execute", before)
    event.listen(Engine, "after_cursor_execute", after)
    try:
        request()
    finally:
        event.remove(Engine, "before_cursor_execute", before)
        event.remove(Engine, "after_cursor_execute", after)
    return found


def explain(engine, statements, top: int) -> None:
    for seconds, statement, parameters in sorted(statements, key=lambda s: -s[0])[:top]:
        print(f"\n--- {seconds * 1000:.1f} ms ---\n{statement}\n{parameters}")
        if engine.dialect.name == "postgresql" and statement.lstrip().upper().startswith("SELECT"):
            with engine.connect() as conn:
                for (line,) in conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters):
                    print("   ", line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--seed", type=float, metavar="SCALE", help="seed a fresh city of this scale first")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--page", help="only this path of bench/run.py's PAGES (or DISASTER_PAGES), e.g. "
                                       "'/members/{hub}'")
    parser.add_argument("--device", default="pc", choices=("pc", "keitai"))
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the page's slowest statements")
    parser.add_argument("--profile", action="store_true", help="cProfile the page's requests")
    parser.add_argument("--sort", default="cumulative", help="--profile's order: cumulative, tottime, ...")
    parser.add_argument("--top", type=int, default=30, help="--profile's number of lines")
    parser.add_argument("--callers", metavar="PATTERN", help="--profile: also who called the functions matching this")
    args = parser.parse_args()
    if args.seed:
        seed(args.database_url, args.seed, replace=True)
    targets = run.pick_targets(args.database_url)
    members = {"pc": targets["pc_member"], "keitai": targets["keitai_member"]}
    uas = {"pc": run.PC_UA, "keitai": run.keitai_ua()}
    known = [*run.PAGES, *(p for p in run.DISASTER_PAGES if p.device in members)]
    pages = [p for p in known if args.page is None or (p.path == args.page and p.device == args.device)]
    if not pages:
        raise SystemExit(f"{args.page} ({args.device}) is not in bench/run.py's PAGES")
    app = run.bench_app(args.database_url, "bench")
    with app.app_context():
        engine = db.engine
    logged_in = clients(app, members, uas)
    print(f"targets: {targets}")
    disaster = any(page in run.DISASTER_PAGES for page in pages)
    if disaster:  # the seeded event, on for these pages only (this process's cache is fresh: no wait)
        run.disaster_switch(args.database_url, True, wait=False)
    try:
        measure(args, app, engine, pages, targets, logged_in)
    finally:
        if disaster:
            run.disaster_switch(args.database_url, False, wait=False)
    with app.app_context():
        db.engine.dispose()


def measure(args, app, engine, pages, targets, logged_in) -> None:
    for page in pages:
        path, client = page.path.format(**targets), logged_in[page.device]
        client.get(path)  # first visits write footprints
        statements = timed_statements(engine, lambda: client.get(path))
        timings = []
        profiler = cProfile.Profile() if args.profile else None
        for _ in range(args.repeat):
            began = time.perf_counter()
            if profiler:
                profiler.enable()
            response = client.get(path)
            if profiler:
                profiler.disable()
            timings.append((time.perf_counter() - began) * 1000)
        sql_ms = sum(s[0] for s in statements) * 1000
        print(f"{page.device:7} {path:26} {response.status_code} {len(response.data):7,} B  {len(statements):3d} SQL "
              f"({sql_ms:6.1f} ms)  median {statistics.median(timings):7.1f} ms  max {max(timings):7.1f} ms")
        if args.explain:
            explain(engine, statements, top=3)
        if profiler:
            stats = pstats.Stats(profiler).sort_stats(args.sort)
            stats.print_stats(args.top)
            if args.callers:
                stats.print_callers(args.callers)


if __name__ == "__main__":
    main()
