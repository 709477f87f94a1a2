"""Drive every key page of a seeded city with a real load generator and print what each one costs.

    .venv/bin/python bench/seed_city.py && .venv/bin/python bench/run.py
    .venv/bin/python bench/run.py --duration 2 --json /tmp/bench.json        # quick

Starts the site under gunicorn with the settings README's Production section gives a city
(4 sync workers, EJAN_DATABASE_URL on PostgreSQL), logs in as ordinary members on a PC and on an au
W41CA keitai (a cookie-capable phone from shared/data/keitai_ua_2007.csv), checks each page answers
200, then drives it over loopback with wrk (installed with apt-get when missing). Per page it prints
requests per second, p50/p95 latency, SQL statements per request (counted in-process with the Flask
test client and an SQLAlchemy listener, the same member and device), bytes of the body, and how many
times a bare Flask "hello" route served by the same gunicorn in the same run costs ("x hello" =
hello's requests per second / the page's; hello runs first and last, and its mean is used, so a
machine that got busier during the run shows as two different hello figures rather than as a
skewed ratio). The figures are written as JSON too.

Features add their pages to PAGES, and to TARGETS the SQL that picks a representative id for them.
"""
from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, delete, event, insert, select, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.floors import CHROME as FLOOR_CHROME, EMPTY as FLOOR_EMPTY  # noqa: E402
from bench.seed_city import DEFAULT_URL, EMAIL, PASSWORD  # noqa: E402

PC_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
KEITAI_MODEL = "W41CA"  # au, WAP2.0, keeps cookies
GUNICORN = ["--workers", "4"]  # README, Production: gunicorn --bind ... --workers 4 wsgi:app

# Representative ids, picked from whatever city is in the database. Each query returns one id.
TARGETS = {
    # Ordinary members with about the median number of friends, who belong to communities.
    "pc_member": """
        SELECT m.id FROM members m JOIN friendships f ON f.member_id = m.id
        WHERE m.status = 'active' AND m.role = 'member'
          AND EXISTS (SELECT 1 FROM community_memberships c WHERE c.member_id = m.id AND c.role = 'member')
        GROUP BY m.id ORDER BY abs(count(*) - 20), m.id LIMIT 1""",
    "keitai_member": """
        SELECT m.id FROM members m JOIN friendships f ON f.member_id = m.id
        WHERE m.status = 'active' AND m.role = 'member'
          AND EXISTS (SELECT 1 FROM community_memberships c WHERE c.member_id = m.id AND c.role = 'member')
        GROUP BY m.id ORDER BY abs(count(*) - 20), m.id LIMIT 1 OFFSET 1""",
    # The PC member's friend who writes the most.
    "friend": """
        SELECT f.friend_id FROM friendships f JOIN members m ON m.id = f.friend_id AND m.status = 'active'
        WHERE f.member_id = :pc_member
        ORDER BY (SELECT count(*) FROM diary_entries d WHERE d.author_id = f.friend_id) DESC, f.friend_id LIMIT 1""",
    # The member with the most friends: the profile that counts the most friends of friends.
    "hub": """
        SELECT f.member_id FROM friendships f JOIN members m ON m.id = f.member_id AND m.status = 'active'
        GROUP BY f.member_id ORDER BY count(*) DESC, f.member_id LIMIT 1""",
    # The most commented entry every member may read.
    "entry": """
        SELECT c.entry_id FROM diary_comments c JOIN diary_entries d ON d.id = c.entry_id AND d.visibility = 'members'
        JOIN members m ON m.id = d.author_id AND m.status = 'active'
        GROUP BY c.entry_id ORDER BY count(*) DESC, c.entry_id LIMIT 1""",
    "community": """
        SELECT id FROM communities WHERE topic_visibility = 'site' ORDER BY member_count DESC, id LIMIT 1""",
    "topic": """
        SELECT t.id FROM community_topics t JOIN communities c ON c.id = t.community_id AND c.topic_visibility = 'site'
        ORDER BY t.comment_count DESC, t.id LIMIT 1""",
    # The survey with the most responses whose results the PC member may see (answered, shown after closing).
    "survey": """
        SELECT s.id FROM surveys s JOIN survey_participations p ON p.survey_id = s.id AND p.member_id = :pc_member
        WHERE s.results_public
        ORDER BY (SELECT count(*) FROM survey_responses r WHERE r.survey_id = s.id) DESC, s.id LIMIT 1""",
}


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # formatted with TARGETS
    device: str  # "pc" or "keitai"; the member logged in is TARGETS' pc_member / keitai_member


PAGES = [
    # What every logged-in page costs before its own content (bench/floors.py): no key pages, the floor under them.
    Page("floor: logged in, answers a word", FLOOR_EMPTY, "pc"),
    Page("floor: logged in, the chrome only", FLOOR_CHROME, "pc"),
    Page("home", "/", "pc"),
    Page("diary, everyone", "/diary/everyone", "pc"),
    Page("diary, friends", "/diary/friends", "pc"),
    Page("profile of a friend", "/members/{friend}", "pc"),
    Page("profile, most friends", "/members/{hub}", "pc"),
    Page("diary of a friend", "/members/{friend}/diary", "pc"),
    Page("diary entry", "/diary/{entry}", "pc"),
    Page("communities", "/communities", "pc"),
    Page("community", "/communities/{community}", "pc"),
    Page("topic", "/topics/{topic}", "pc"),
    Page("notifications", "/notifications", "pc"),
    Page("search, one character (茶)", "/diary/search?q=%E8%8C%B6", "pc"),
    Page("search, two characters (掛川)", "/diary/search?q=%E6%8E%9B%E5%B7%9D", "pc"),
    Page("survey results", "/surveys/{survey}/results", "pc"),
    Page("survey chart (SVG)", "/surveys/{survey}/questions/2/chart.svg", "pc"),
    Page("home", "/", "keitai"),
    Page("diary, friends", "/diary/friends", "keitai"),
    # The map: the page, Folium's document in its frame, and the pins of a view around the station
    # (the first page of them, as the map asks) and of the whole city; the keitai list nearest first.
    Page("map", "/map", "pc"),
    Page("map frame (Folium)", "/map/frame", "pc"),
    Page("pins GeoJSON, station area", "/api/pins.geojson?bbox=137.99,34.76,138.03,34.78", "pc"),
    Page("pins GeoJSON, whole city", "/api/pins.geojson?bbox=137.8,34.6,138.2,34.95&per_page=500", "pc"),
    Page("map list, nearest", "/map?lat=%2B34.46.09.120&lon=%2B138.00.52.560&geo=wgs84", "keitai"),
]
HELLO = Page("bare Flask hello", "/hello/", "pc")
# The disaster screen (ejan/disaster) is the front page while an event is on: the seeded flood night
# (bench/seed_city.py) is switched on for these pages only. "guest" is a PC that is not logged in.
# /disaster/ is the page "/" shows while the event is on (the same view and cache), under its own path
# so its figures do not mix with the ordinary front page's.
DISASTER_PAGES = [
    Page("disaster screen, logged out", "/disaster/", "guest"),
    Page("disaster screen, logged in", "/disaster/", "pc"),
    Page("disaster screen, logged in", "/disaster/", "keitai"),
    # A member reloading is answered from the copy kept for their browser (ejan/microcache.py); here every
    # request is the next of many members' (CROWD_LUA), so nearly each one is a member's first load.
    Page("disaster screen, logged in, many members", "/disaster/", "crowd"),
]
DISASTER_AIMS = {"guest": 0.8, "pc": 0.25, "keitai": 0.25, "crowd": 0.25}  # the page's req/s over hello's, at least
CROWD = 40_000  # members in the crowd's row by default (--crowd): none comes twice below 3,600 req/s
# The crowd: ordinary active members, as TARGETS picks its members.
CROWD_MEMBERS = "SELECT id FROM members WHERE status = 'active' AND role = 'member' ORDER BY id LIMIT :n"

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests": %d, "duration_us": %d, "bytes": %d, "non_2xx_3xx": %d, '
    .. '"socket_errors": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, summary.bytes, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""
# Added to WRK_SCRIPT for the crowd: each request carries the next member's session cookie (it replaces any
# Cookie header wrk was given). wrk runs one Lua state per thread: thread i of n takes members i, i + n,
# i + 2n..., so no two requests share a member until the list is used up. Each thread formats its requests
# once, before the clock starts: formatted on every request (wrk.format in request()), they cost the load
# generator, on the same cores as the site, more than hello's fixed request costs it.
CROWD_LUA = """
local cookies = {
%(cookies)s
}
local threads, started = %(threads)d, 0
local prepared, at = {}, 0

setup = function(thread)
  thread:set("turn", started)
  started = started + 1
end

init = function(args)
  for i = turn + 1, #cookies, threads do
    wrk.headers["Cookie"] = cookies[i]
    prepared[#prepared + 1] = wrk.format()
  end
  if #prepared == 0 then
    wrk.headers["Cookie"] = cookies[1]
    prepared[1] = wrk.format()
  end
end

request = function()
  at = at %% #prepared + 1
  return prepared[at]
end
"""


# The list's row for KEITAI_MODEL, used when the phone list is not beside the project (a bare clone).
KEITAI_UA_FALLBACK = "KDDI-CA33 UP.Browser/6.2.0.10.4 (GUI) MMP/2.0"


def keitai_ua() -> str:
    """The real User-Agent of KEITAI_MODEL, from the phone list beside the project (shared/data)."""
    places = [p / "shared" / "data" / "keitai_ua_2007.csv" for p in ROOT.parents]
    csv_path = next((p for p in places if p.exists()), None)
    if csv_path is None:
        return KEITAI_UA_FALLBACK
    with open(csv_path, encoding="utf-8", newline="") as f:
        next(f)  # the title line
        for row in csv.DictReader(f):
            if row["機種名"] == KEITAI_MODEL:
                assert row["クッキー"] == "1", "the keitai benchmark needs a phone that keeps cookies"
                return row["ユーザエージェント"]
    raise SystemExit(f"{KEITAI_MODEL} is not in {csv_path}")


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: installing Debian's package", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, check=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env, check=True)
    return shutil.which("wrk") or sys.exit("wrk could not be installed")


# --- talking to the server --------------------------------------------------------------------------

def fetch(port: int, path: str, ua: str, cookie: str = "", body: str | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"User-Agent": ua, **({"Cookie": cookie} if cookie else {})}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request("GET" if body is None else "POST", path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, response.headers, data


def _session_cookie(headers, name: str = "ejan_session") -> str:
    for value in headers.get_all("Set-Cookie") or []:
        if value.startswith(name + "="):
            return value.split(";", 1)[0]
    return ""


def login(port: int, member_id: int, ua: str) -> str:
    """Log in through the login form like a browser; returns the Cookie header for wrk."""
    from urllib.parse import urlencode

    status, headers, data = fetch(port, "/login", ua)
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', data)
    if status != 200 or token is None:
        raise SystemExit(f"/login answered {status} without a form")
    form = urlencode({"email": EMAIL.format(member_id), "password": PASSWORD, "csrf_token": token.group(1).decode()})
    status, headers, _ = fetch(port, "/login", ua, _session_cookie(headers), form)
    cookie = _session_cookie(headers)
    if status != 302 or not cookie:
        raise SystemExit(f"logging in member {member_id} answered {status}, not a redirect with a session")
    return cookie


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- measuring ----------------------------------------------------------------------------------------

def wrk_threads(connections: int) -> int:
    return min(2, connections)


def crowd_script(cookies: list[str], threads: int) -> str:
    """wrk's script for the crowd: WRK_SCRIPT's figures, each request with the next Cookie header of `cookies`."""
    listed = ",\n".join(json.dumps(cookie) for cookie in cookies)  # tokens are URL-safe: JSON strings are Lua's
    return WRK_SCRIPT + CROWD_LUA % {"cookies": listed, "threads": threads}


def crowd_split(cookies: list[str]) -> tuple[list[str], list[str]]:
    """The crowd's warm-up members and its measured ones: no measured request meets a page the warm-up had
    kept. A crowd too small to split warms up on everyone (its figures are a toy's anyway)."""
    warm = cookies[:len(cookies) // 10]
    return warm or cookies, cookies[len(warm):]


def run_wrk(wrk: str, port: int, path: str, ua: str, cookie: str, seconds: int, connections: int,
            script: str) -> dict:
    command = [wrk, "-t", str(wrk_threads(connections)), "-c", str(connections), "-d", f"{seconds}s",
               "--timeout", "30s", "-s", script, "-H", f"User-Agent: {ua}", f"http://127.0.0.1:{port}{path}"]
    if cookie:
        command[-1:-1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("WRK "))
    figures = json.loads(line[4:])
    duration = figures["duration_us"] / 1e6
    return {"rps": figures["requests"] / duration, "p50_ms": figures["p50_us"] / 1000,
            "p95_ms": figures["p95_us"] / 1000, "p99_ms": figures["p99_us"] / 1000,
            "requests": figures["requests"], "wire_bytes_per_request": figures["bytes"] / max(1, figures["requests"]),
            "errors": figures["non_2xx_3xx"] + figures["socket_errors"]}


def bench_app(url: str, secret: str):
    from bench.floors import add_floors
    from ejan import create_app

    return add_floors(create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret, "WTF_CSRF_ENABLED": False}))


def signed_in(app, ua: str, member_id: int | None):
    """A test client posing as this browser, logged in through the login form when given a member."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = ua
    if member_id is not None and client.post(
            "/login", data={"email": EMAIL.format(member_id), "password": PASSWORD}).status_code != 302:
        raise SystemExit(f"in-process login of member {member_id} failed")
    return client


def count_statements(url: str, secret: str, pages: list[tuple[Page, str]], members: dict[str, int],
                     uas: dict[str, str], crowd: list[str] = ()) -> dict[tuple[str, str], int]:
    """SQL statements per request, counted in-process on the same database, member and device.
    Each page is requested once to warm up (first visits write footprints), then counted. The crowd's page
    is warmed up by one of its members and counted for another: a member's first load on a warm site."""
    from ejan.extensions import db

    app = bench_app(url, secret)
    counts = {}
    for device in dict.fromkeys(page.device for page, _ in pages):
        client = signed_in(app, uas[device], members.get(device))
        for page, path in pages:
            if page.device != device:
                continue
            _wear_crowd_member(client, device, crowd, 0)
            client.get(path)
            _wear_crowd_member(client, device, crowd, 1)
            statements: list[str] = []

            def listen(conn, cursor, statement, *args):
                statements.append(statement)

            # Every engine of the process: the disaster screen's front reads on a connection of its own.
            event.listen(Engine, "before_cursor_execute", listen)
            try:
                response = client.get(path)
            finally:
                event.remove(Engine, "before_cursor_execute", listen)
            if response.status_code != 200:
                raise SystemExit(f"in-process {device} {path} answered {response.status_code}")
            counts[device, path] = len(statements)
    with app.app_context():
        db.engine.dispose()
    return counts


def _wear_crowd_member(client, device: str, crowd: list[str], which: int) -> None:
    if device == "crowd":
        name, value = crowd[which].split("=", 1)
        client.set_cookie(name, value)


def make_crowd(url: str, secret: str, ua: str, size: int) -> list[str]:
    """The Cookie headers of up to `size` ordinary members, each logged in on a browser of their own. The
    first logs in through the login form; the others get copies of the session row that login stored
    (ejan/sessions.py), with their own token and member: the form thousands of times over would take
    minutes of password hashing."""
    engine = create_engine(make_url(url))
    with engine.connect() as conn:
        member_ids = list(conn.scalars(text(CROWD_MEMBERS), {"n": size}))
    engine.dispose()
    if len(member_ids) < 2:
        raise SystemExit("the crowd needs at least two ordinary active members: seed the city first")
    app = bench_app(url, secret)
    name = app.config["EJAN_SESSION_COOKIE"]
    token = signed_in(app, ua, member_ids[0]).get_cookie(name).value
    with app.app_context():
        from ejan.extensions import db

        tokens = [token, *_copy_session(token, member_ids[1:])]
        db.engine.dispose()
    return [f"{name}={token}" for token in tokens]


def _copy_session(token: str, member_ids: list[int]) -> list[str]:
    """New sessions of these members, each the row of `token`'s with a token and member of its own. The
    row's Flask-Login identifier (_id: address and User-Agent) holds for wrk, which comes from the same
    address with the same User-Agent."""
    from ejan.extensions import db
    from ejan.sessions import WebSession, _hash

    table = WebSession.__table__
    row = db.session.execute(select(table).where(table.c.token_hash == _hash(token))).mappings().one()
    data = json.loads(row["data"])
    tokens = [secrets.token_urlsafe(32) for _ in member_ids]
    db.session.execute(insert(table), [
        {**row, "token_hash": _hash(new), "member_id": member_id,
         "data": json.dumps({**data, "_user_id": str(member_id)})} for new, member_id in zip(tokens, member_ids)])
    db.session.commit()
    return tokens


def forget_crowd(url: str, cookies: list[str]) -> None:
    """Delete the crowd's sessions (make_crowd), the first member's real login among them."""
    from ejan.sessions import WebSession, _hash

    if not cookies:
        return
    engine = create_engine(make_url(url))
    with engine.begin() as conn:
        conn.execute(delete(WebSession.__table__).where(
            WebSession.token_hash.in_([_hash(cookie.split("=", 1)[1]) for cookie in cookies])))
    engine.dispose()


def disaster_switch(url: str, on: bool, wait: bool = True) -> None:
    """Switch the seeded event on (or back off) in the database, then wait until every worker's cached
    "is an event active?" (ejan/disaster/events.py, SUMMARY_SECONDS) has expired."""
    from ejan.disaster.events import SUMMARY_SECONDS

    engine = create_engine(make_url(url))
    with engine.begin() as conn:
        event_id = conn.scalar(text("SELECT max(id) FROM disaster_events"))
        if event_id is None:
            raise SystemExit("no disaster event in this database: seed it again (bench/seed_city.py)")
        if on:
            conn.execute(text("UPDATE disaster_events SET live = true, ended_at = NULL WHERE id = :i"), {"i": event_id})
        else:
            conn.execute(text("UPDATE disaster_events SET live = NULL, ended_at = started_at + interval '7 hours' "
                              "WHERE id = :i" if engine.dialect.name == "postgresql" else
                              "UPDATE disaster_events SET live = NULL, ended_at = started_at WHERE id = :i"),
                         {"i": event_id})
    engine.dispose()
    if wait:
        time.sleep(SUMMARY_SECONDS + 1)


def machine(url: str) -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next((int(line.split()[1]) // 1024 // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    engine = create_engine(make_url(url))
    with engine.connect() as conn:
        version = conn.scalar(text("SHOW server_version")) if engine.dialect.name == "postgresql" else "SQLite"
        sizes = {t: conn.scalar(text(f"SELECT count(*) FROM {t}")) for t in
                 ("members", "friendships", "diary_entries", "diary_comments", "communities", "notifications")}
    engine.dispose()
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": memory, "database": version,
            "python": platform.python_version(), "load_average_at_start": os.getloadavg(), "rows": sizes}


def pick_targets(url: str) -> dict[str, int]:
    engine = create_engine(make_url(url))
    found: dict[str, int] = {}
    with engine.connect() as conn:
        for name, sql in TARGETS.items():
            value = conn.scalar(text(sql), found)
            if value is None:
                raise SystemExit(f"no {name} in this database: seed it first (bench/seed_city.py)")
            found[name] = value
    engine.dispose()
    return found


def table(results: list[dict], hello: dict) -> str:
    lines = ["| page | device | path | req/s | p50 ms | p95 ms | SQL/req | bytes | x hello |",
             "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in [hello, *results]:
        ratio = hello["rps"] / r["rps"] if r["rps"] else float("inf")
        lines.append(f"| {r['name']} | {r['device']} | `{r['path']}` | {r['rps']:.0f} | {r['p50_ms']:.1f} | "
                     f"{r['p95_ms']:.1f} | {r['sql'] if r['sql'] is not None else '-'} | {r['bytes']:,} | {ratio:.1f} |")
    return "\n".join(lines)


def disaster_jobs(only: list[str] | None, crowd: int) -> list[tuple[Page, str]]:
    """The disaster screen's rows of this run: those --only names (all without it), the crowd's unless --crowd 0."""
    return [(page, page.path) for page in DISASTER_PAGES
            if (not only or page.path in only) and (crowd or page.device != "crowd")]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL, help=f"a seeded database (default {DEFAULT_URL})")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page (after 1 s warm-up)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (default: one per worker)")
    parser.add_argument("--json", default=str(ROOT / "instance" / "bench-run.json"), help="where to write the figures")
    parser.add_argument("--only", action="append", metavar="PATH",
                        help="only this path of PAGES (as written there, e.g. '/members/{friend}'), on every device "
                             "it is listed for; repeat for more. With --only, the disaster screen runs only if named (/disaster/)")
    parser.add_argument("--crowd", type=int, default=CROWD, metavar="N",
                        help=f"members in the disaster screen's many-members row, each logged in on a browser of "
                             f"their own (default {CROWD:,}, fewer if the city has fewer; 0: no such row)")
    args = parser.parse_args()
    if args.crowd == 1:
        parser.error("--crowd needs at least two members (or 0)")
    return args


def main() -> None:
    args = parse_args()
    url = args.database_url
    wrk = ensure_wrk()
    uas = {"pc": PC_UA, "keitai": keitai_ua(), "guest": PC_UA, "crowd": PC_UA}
    targets = pick_targets(url)
    members = {"pc": targets["pc_member"], "keitai": targets["keitai_member"]}
    pages = [(page, page.path.format(**targets)) for page in PAGES if not args.only or page.path in args.only]
    disaster_pages = disaster_jobs(args.only, args.crowd)
    secret = secrets.token_hex(32)
    about = machine(url)
    print(f"city: {about['rows']}; {about['cpu']}, {about['cores']} cores, {about['memory_gb']} GB, "
          f"PostgreSQL {about['database']}, load average {about['load_average_at_start']}", flush=True)
    crowd = []
    try:
        if any(page.device == "crowd" for page, _ in disaster_pages):
            crowd = make_crowd(url, secret, uas["crowd"], args.crowd)
            print(f"crowd: {len(crowd):,} members logged in", flush=True)
        sql = count_statements(url, secret, pages, members, uas)
        if disaster_pages:
            disaster_switch(url, True)
            try:
                sql.update(count_statements(url, secret, disaster_pages, members, uas, crowd))
            finally:
                disaster_switch(url, False)
        results = drive(args, wrk, secret, pages, disaster_pages, sql, members, uas, crowd)
    finally:
        forget_crowd(url, crowd)
    first, results, last = results[0], results[1:-1], results[-1]
    hello = {**first, "rps": (first["rps"] + last["rps"]) / 2, "p50_ms": (first["p50_ms"] + last["p50_ms"]) / 2,
             "p95_ms": (first["p95_ms"] + last["p95_ms"]) / 2, "first": first, "last": last}
    for result in results:
        result["x_hello"] = hello["rps"] / result["rps"]
    print(f"\nhello: {first['rps']:.0f} req/s first, {last['rps']:.0f} req/s last\n")
    print(table(results, hello))
    for result in results[len(results) - len(disaster_pages):]:
        share = result["rps"] / hello["rps"]
        aim = DISASTER_AIMS[result["device"]]
        result["of_hello"] = share
        print(f"{result['name']} ({result['device']}): {share:.2f} of hello (aim: at least {aim})")
    report = {"when": time.strftime("%Y-%m-%d %H:%M:%S %z"), "machine": about, "targets": targets,
              "settings": {"gunicorn": GUNICORN, "wrk_connections": args.connections, "duration_s": args.duration,
                           "pc_ua": uas["pc"], "keitai_ua": uas["keitai"], "crowd": len(crowd)},
              "hello": hello, "pages": results}
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"\nfigures written to {args.json}")


def drive(args, wrk: str, secret: str, pages: list[tuple[Page, str]], disaster_pages: list[tuple[Page, str]],
          sql: dict, members: dict[str, int], uas: dict[str, str], crowd: list[str]) -> list[dict]:
    """Serve the site under gunicorn and drive each page with wrk, hello first and last: one result each."""
    url = args.database_url
    port = free_port()
    media = tempfile.mkdtemp(prefix="ejan-bench-media-")
    env = {**os.environ, "EJAN_DATABASE_URL": url, "EJAN_SECRET_KEY": secret, "EJAN_MEDIA_DIR": media,
           "PYTHONPATH": str(ROOT)}
    # Beyond the city's settings: quiet logs, and no control socket, which a second run would share.
    gunicorn = [str(Path(sys.executable).with_name("gunicorn")), *GUNICORN, "--bind", f"127.0.0.1:{port}",
                "--log-level", "warning", "--no-control-socket", "--chdir", str(ROOT), "bench.wsgi_bench:app"]
    # The site logs one line per request (ejan/ops), as in production: hundreds of thousands under wrk, so
    # they go to a file of their own rather than into the table's output.
    server_log = ROOT / "instance" / "bench-gunicorn.log"
    server_log.parent.mkdir(exist_ok=True)
    server = subprocess.Popen(gunicorn, env=env, start_new_session=True, stdout=server_log.open("wb"),
                              stderr=subprocess.STDOUT)
    print(f"gunicorn's log: {server_log}", flush=True)
    results = []
    folder = Path(tempfile.mkdtemp(prefix="ejan-bench-wrk-"))
    try:
        wait_for(port)
        cookies = {device: login(port, member, uas[device]) for device, member in members.items()}
        cookies["guest"] = ""
        cookies["crowd"] = crowd[0] if crowd else ""  # the page's check; wrk's script then takes turns
        scripts = wrk_scripts(folder, crowd, wrk_threads(args.connections))
        for page, path in [(HELLO, HELLO.path), *pages, *disaster_pages, (HELLO, HELLO.path)]:
            if disaster_pages and page is disaster_pages[0][0]:
                disaster_switch(url, True)
            if page is HELLO and results and disaster_pages:
                disaster_switch(url, False)
            cookie = "" if page is HELLO else cookies[page.device]
            status, headers, body = fetch(port, path, uas[page.device], cookie)
            if status != 200:
                raise SystemExit(f"{page.device} {path} answered {status}, not 200")
            if page.device == "crowd" and _session_cookie(headers):
                raise SystemExit(f"{path}: the site replaced a crowd member's session: the copies are not accepted")
            warm_up, measured = scripts[page.device]
            run_wrk(wrk, port, path, uas[page.device], cookie, 1, args.connections, warm_up)  # warm every worker
            figures = run_wrk(wrk, port, path, uas[page.device], cookie, args.duration, args.connections, measured)
            if figures["errors"]:
                raise SystemExit(f"{page.device} {path}: {figures['errors']} failed requests under load")
            result = {**asdict(page), "path": path, **figures, "bytes": len(body),
                      "sql": None if page is HELLO else sql[page.device, path]}
            if page.device == "crowd":
                # Past the end of its list a member comes again, maybe to the copy kept for their browser: a
                # crowd too small for the run measures reloads as well as first loads. Say how many.
                result["crowd_members"] = len(crowd_split(crowd)[1])
                result["repeated"] = max(0, figures["requests"] - result["crowd_members"])
                if result["repeated"]:
                    print(f"crowd: {result['repeated']:,} of {figures['requests']:,} requests came from a member "
                          f"again (a crowd of {result['crowd_members']:,}: raise --crowd)", flush=True)
            print(f"{page.device:7} {path:24} {figures['rps']:7.0f} req/s  p50 {figures['p50_ms']:7.1f} ms  "
                  f"p95 {figures['p95_ms']:7.1f} ms  {result['sql'] if result['sql'] is not None else '-':>3} SQL  "
                  f"{len(body):7,} B", flush=True)
            results.append(result)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(media, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
    return results


def wrk_scripts(folder: Path, crowd: list[str], threads: int) -> dict[str, tuple[str, str]]:
    """wrk's scripts per device, for its warm-up and for its measured run: the same one but for the crowd's."""
    plain = folder / "wrk.lua"
    plain.write_text(WRK_SCRIPT)
    scripts = defaultdict(lambda: (str(plain), str(plain)))
    if crowd:
        for name, cookies in zip(("crowd-warm-up.lua", "crowd.lua"), crowd_split(crowd)):
            (folder / name).write_text(crowd_script(cookies, threads))
        scripts["crowd"] = (str(folder / "crowd-warm-up.lua"), str(folder / "crowd.lua"))
    return scripts


if __name__ == "__main__":
    main()
