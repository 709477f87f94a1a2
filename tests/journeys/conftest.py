"""The journeys' world: the site as it runs in production, on this machine.

gunicorn (deploy/gunicorn.conf.py) serves the app on a free port of 127.0.0.1, on the test's own
PostgreSQL database and Redis; a real Celery worker (bench/mail_workers.py) sends the mail into an
aiosmtpd server (tests/conftest.py's `smtp_server`), and headless Chromium (Debian's) walks the pages.
Only the mailbox is read behind the site's back; the first members and communities are seeded
through the services, as `flask ejan create-admin` would.

The journeys run where PostgreSQL, Redis and Chromium are (the last step of .ci/run); elsewhere they
are skipped and the run says why in one line.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
import redis

from support import CHROMIUM, CHROMIUM_ARGS, chromium_missing

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.mail_workers import start_worker, stop_worker  # noqa: E402

DATABASE = os.environ.get("EJAN_TEST_DATABASE_URL")
BROKER = os.environ.get("EJAN_TEST_BROKER_URL")
JMA_SECRET = "journeys-relay-secret"
# Every step's screenshot lands here (git-ignored, like all of instance/); the README names it.
SHOTS = ROOT / "instance" / "journeys"


def journeys_missing() -> str | None:
    if not DATABASE or not BROKER:
        return "they need PostgreSQL and Redis (EJAN_TEST_DATABASE_URL, EJAN_TEST_BROKER_URL), as in .ci/run"
    return chromium_missing()


def pytest_collection_modifyitems(config, items):
    reason = journeys_missing()
    if reason is None:
        return
    skip = pytest.mark.skip(reason=f"journeys skipped: {reason}")
    for item in items:
        if item.get_closest_marker("journey"):
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    reason = journeys_missing()
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "journey" in r.keywords]
    if reason and skipped:
        terminalreporter.write_line(f"journeys skipped: {reason} ({len(skipped)} tests)", yellow=True, bold=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


class Site:
    """The running site: its address, its settings, and the logs to show when a journey fails."""

    def __init__(self, url: str, env: dict[str, str], logs: Path):
        self.url = url
        self.env = env
        self.logs = logs

    def tracebacks(self) -> str:
        out = []
        for path in sorted(self.logs.glob("*.log")):
            text = path.read_text(errors="replace")
            if "Traceback" in text:
                out.append(f"--- {path.name}\n{text[-4000:]}")
        return "\n".join(out)


@pytest.fixture(scope="session")
def site(app, smtp_server, tmp_path_factory):
    logs = tmp_path_factory.mktemp("journey-logs")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    tag = uuid.uuid4().hex[:8]
    queues = {"EJAN_MAIL_QUEUE": f"journeys-mail-{tag}", "EJAN_DISASTER_QUEUE": f"journeys-disaster-{tag}"}
    env = {
        "EJAN_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "EJAN_BROKER_URL": BROKER,
        "EJAN_SECRET_KEY": app.config["SECRET_KEY"], "EJAN_BASE_URL": url,
        "EJAN_MEDIA_DIR": app.config["EJAN_MEDIA_DIR"],
        "EJAN_SMTP_HOST": smtp_server.hostname, "EJAN_SMTP_PORT": str(smtp_server.port),
        "EJAN_PASSWORD_METHOD": "pbkdf2:sha256:1000", "EJAN_STRICT_PAGE_BUDGET": "1",
        "EJAN_JMA_SECRET": JMA_SECRET, "EJAN_BIND": f"127.0.0.1:{port}", "EJAN_WEB_WORKERS": "3",
        "EJAN_ACCESS_LOG": str(logs / "access.log"), "EJAN_ERROR_LOG": str(logs / "gunicorn.log"),
        # The map's tiles from the site itself: no request leaves the machine (CI has no network).
        "EJAN_MAP_TILES_URL": "/static/maps/test-tile.png?z={z}&x={x}&y={y}",
        "EJAN_HEARTBEAT_SECONDS": "2", "EJAN_MAIL_RETRY_BASE_SECONDS": "1", "EJAN_MAIL_RETRY_MAX_SECONDS": "3", **queues,
    }
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    web = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"], cwd=ROOT,
                           env=full_env, stdout=open(logs / "web.log", "wb"), stderr=subprocess.STDOUT,
                           start_new_session=True)
    worker = start_worker(env, ["celery", *queues.values()], f"journeys-{tag}",
                          log=open(logs / "worker.log", "wb"))
    # Celery beat: the workers' heartbeat (else admins see "the Celery worker seems stopped").
    beat = subprocess.Popen([sys.executable, "-m", "celery", "-A", "ejan.celery_worker:celery", "beat",
                             "--schedule", str(logs / "beat-schedule"), "--loglevel", "WARNING"],
                            cwd=ROOT, env=full_env, stdout=open(logs / "beat.log", "wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not _answers(f"{url}/healthz"):
            if web.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer on {url}/healthz:\n"
                                   + (logs / "web.log").read_text(errors="replace")[-3000:]
                                   + (logs / "gunicorn.log").read_text(errors="replace")[-3000:])
            time.sleep(0.2)
        yield Site(url, env, logs)
    finally:
        stop_worker(beat)
        stop_worker(worker)
        stop_worker(web)
        broker = redis.Redis.from_url(BROKER)
        for queue in queues.values():
            broker.delete(queue, f"_kombu.binding.{queue}")
        broker.close()


@pytest.fixture
def fresh_site(site, mailbox):
    """Each journey starts from empty tables (tests/conftest.py's _clean), an empty mailbox, and no
    cached figures or rate-limit counters left in Redis by the journey before."""
    broker = redis.Redis.from_url(BROKER)
    # Not flushdb: the worker's queue bindings (_kombu.*) live there too.
    for pattern in ("ejan:*", "LIMITS*", "LIMITER*"):
        for key in broker.scan_iter(match=pattern):
            broker.delete(key)
    broker.close()
    yield site
    problems = site.tracebacks()
    if problems:
        print(problems)


@pytest.fixture(scope="session")
def chromium_for_journeys():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def shots_dir(request):
    folder = SHOTS / request.node.name.replace("[", "-").rstrip("]")
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder


@pytest.fixture(params=["pc", "phone"])
def journey(request, fresh_site, chromium_for_journeys, mailbox, shots_dir):
    """A journey at a PC's screen (1280×800) or a phone's (390×844); keitai parts use a keitai."""
    from walk import Journey

    walk = Journey(fresh_site, chromium_for_journeys, mailbox, shots_dir, request.param)
    yield walk
    walk.close()


@pytest.fixture(scope="session")
def photo(tmp_path_factory):
    """A camera-sized JPEG of tea fields (green and sky), as a resident's phone would send."""
    from PIL import Image, ImageDraw

    path = tmp_path_factory.mktemp("photos") / "chabatake.jpg"
    image = Image.new("RGB", (1600, 1200), (120, 170, 230))
    draw = ImageDraw.Draw(image)
    for row in range(8):
        draw.rectangle([0, 500 + row * 90, 1600, 560 + row * 90], fill=(40 + row * 8, 120 + row * 6, 50))
    image.save(path, "JPEG", quality=85)
    return path
