"""Mails per second of a broadcast to every member, with 1, 2 and 4 Celery worker processes, into a
local SMTP sink (aiosmtpd, in this process). Prints a table; JSON with --json.

    .venv/bin/python bench/broadcast.py                      # 10,000 members, PostgreSQL + Redis on 127.0.0.1
    .venv/bin/python bench/broadcast.py --members 120000 --workers 4

It builds a fresh database (`ejan_bench_mail` by default) with the migrations, loads the members, and
for each worker count starts that many `celery worker --pool solo` processes, waits until they answer,
then times notify(Audience(everyone=True), "disaster_broadcast", ...) from the call until the sink has
accepted every mail. The aim (docs/notify.md): 120,000 members in 60 s with 4 workers, 2,000 mails/s.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.mail_workers import start_sink, start_worker, stop_worker  # noqa: E402

PAYLOAD = {"subject": "避難指示", "link": "/", "texts": {
    "ja": {"title": "【掛川市】避難指示を発令しました", "body": "大東・大須賀地区に避難指示を発令しました。最寄りの避難所へ避難してください。"},
    "pt": {"title": "[Kakegawa] Ordem de evacuação", "body": "Dirija-se ao abrigo mais próximo."}}}


def fresh_database(url: str) -> None:
    target = make_url(url)
    if target.get_backend_name() == "sqlite":
        Path(target.database).unlink(missing_ok=True)
        return
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def build_app(env: dict):
    os.environ.update(env)
    from ejan import create_app

    app = create_app({"TESTING": False})
    return app


def load_members(app, count: int) -> None:
    from flask_migrate import upgrade

    from ejan.extensions import db
    from ejan.members.models import Member

    with app.app_context():
        upgrade()
        languages = ("ja", "ja", "ja", "ja", "pt", "en", None)
        for start in range(0, count, 10_000):
            db.session.execute(insert(Member), [
                dict(email=f"resident{n}@example.jp", password_hash="-", stored_nickname=f"住民{n}", intro="",
                     role="member", status="active", language=languages[n % len(languages)])
                for n in range(start, min(count, start + 10_000))])
            db.session.commit()


def reset(app) -> None:
    from ejan.extensions import db

    with app.app_context():
        for table in ("deliveries", "notifications", "broadcasts"):
            db.session.execute(text(f"DELETE FROM {table}"))
        db.session.commit()


def run_once(app, sink, env: dict, workers: int, members: int, log_dir: Path) -> dict:
    from ejan.notify.api import Audience, notify

    reset(app)
    processes = [start_worker(env, [env["EJAN_MAIL_QUEUE"], env["EJAN_DISASTER_QUEUE"]], f"bench{i}",
                              log=open(log_dir / f"worker{workers}-{i}.log", "wb")) for i in range(workers)]
    try:
        with app.app_context():
            # Warm up: every worker has started and connected before the clock starts.
            from celery import current_app as celery

            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                answers = celery.control.ping(timeout=1.0) or []
                if len(answers) >= workers:
                    break
            sink.by_recipient.clear()
            sink.accepted = 0
            started = time.monotonic()
            notify(Audience(everyone=True), "disaster_broadcast", PAYLOAD)
            while sink.accepted < members and time.monotonic() - started < 1800:
                time.sleep(0.05)
            seconds = time.monotonic() - started
    finally:
        for process in processes:
            stop_worker(process)
    return {"workers": workers, "mails": sink.accepted, "seconds": round(seconds, 2),
            "per_second": round(sink.accepted / seconds, 1), "duplicates": len(sink.duplicates())}


def table(rows: list[dict]) -> str:
    lines = ["| workers | mails | seconds | mails/s | mails/s per worker | 120,000 members would take |",
             "| ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        lines.append(f"| {row['workers']} | {row['mails']:,} | {row['seconds']:.1f} | {row['per_second']:,.0f} | "
                     f"{row['per_second'] / row['workers']:,.0f} | {120_000 / row['per_second'] / 60:.1f} min |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--workers", default="1,2,4", help="worker process counts to try, comma-separated")
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/ejan_bench_mail")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    fresh_database(args.database_url)
    controller, sink = start_sink()
    tag = uuid.uuid4().hex[:6]
    env = {"EJAN_DATABASE_URL": args.database_url, "EJAN_BROKER_URL": args.broker_url,
           "EJAN_SMTP_HOST": controller.hostname, "EJAN_SMTP_PORT": str(controller.port),
           "EJAN_SECRET_KEY": "bench", "EJAN_NOTIFY_BATCH": str(args.batch),
           "EJAN_MAIL_QUEUE": f"bench-mail-{tag}", "EJAN_DISASTER_QUEUE": f"bench-disaster-{tag}"}
    app = build_app(env)
    load_members(app, args.members)
    log_dir = ROOT / "instance" / "bench-broadcast-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for workers in (int(w) for w in args.workers.split(",")):
            row = run_once(app, sink, env, workers, args.members, log_dir)
            rows.append(row)
            print(f"{workers} worker(s): {row['mails']:,} mails in {row['seconds']:.1f} s", flush=True)
    finally:
        controller.stop()
    print()
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps({"members": args.members, "batch": args.batch, "runs": rows}, indent=2))


if __name__ == "__main__":
    main()
