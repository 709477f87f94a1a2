"""Fixtures: a migrated database (SQLite, or PostgreSQL when EJAN_TEST_DATABASE_URL is set), a real
SMTP server (aiosmtpd), clients for PCs and for real keitai User-Agents, and one-line members."""
from __future__ import annotations

import contextvars
import os
import socket
import uuid
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ejan import batching, caching, create_app, microcache
from ejan.disaster import front
from ejan.extensions import cache, db, limiter
from ejan.friends.models import Friendship
from ejan.members import services as members
from support import PASSWORD, PC_UA, phone_ua


# --- the database -------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    server = os.environ.get("EJAN_TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    # A database of our own per run, so parallel runs and leftovers never meet.
    name = f"ejan_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- mail: a real SMTP server -------------------------------------------------------------------

class Mailbox(list):
    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        message.envelope_to = list(envelope.rcpt_tos)
        message.envelope_from = envelope.mail_from
        self.append(message)
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self if address in m.envelope_to]

    def text_of(self, message) -> str:
        return message.get_body(("plain",)).get_content()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def mailbox(smtp_server):
    smtp_server.handler.clear()
    return smtp_server.handler


# --- the app ----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def app(database_url, smtp_server, tmp_path_factory):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,  # tests/test_csrf.py turns it back on
        "EJAN_MEDIA_DIR": str(tmp_path_factory.mktemp("media")),
        "EJAN_PASSWORD_METHOD": "pbkdf2:sha256:1000",  # fast hashing; production uses scrypt
        "EJAN_STRICT_PAGE_BUDGET": True,  # any keitai page over 10 KB fails its test
        "EJAN_SMTP_HOST": smtp_server.hostname,
        "EJAN_SMTP_PORT": smtp_server.port,
        "EJAN_BASE_URL": "http://ejan.test",
    })
    if os.environ.get("EJAN_TEST_BROKER_URL"):
        # Set before anything opens a broker connection, so every pool Celery builds points at Redis.
        # Tasks stay eager except inside tests/test_celery_worker.py, which starts a real worker.
        # Kept in the app's own CELERY settings too: tests that build other apps give Celery back with
        # init_celery(app), which applies those settings again (tests/bench did, and the workers' tests
        # after it published into memory://, where no worker listens).
        app.config["CELERY"]["broker_url"] = os.environ["EJAN_TEST_BROKER_URL"]
        app.extensions["celery"].conf.broker_url = os.environ["EJAN_TEST_BROKER_URL"]
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()  # the schema comes only from migrations
    app.wsgi_app = _own_context(app.wsgi_app)
    yield app
    with app.app_context():
        db.engine.dispose()


def _own_context(wsgi_app):
    """Serve each test request in an empty context, as in production.

    Tests hold an app context for their own database work; Flask would otherwise reuse it for the
    request, and `g` (the logged-in member, the template set) would leak from one request to the next.
    """
    def isolated(environ, start_response):
        return contextvars.Context().run(wsgi_app, environ, start_response)

    return isolated


def _empty_postgresql(conn, tables: list[str]) -> None:
    """Empty only the tables a test wrote to and rewind only the sequences it used: a TRUNCATE of all
    ~50 tables costs 0.3–0.7 s on PostgreSQL, which over 2,800 tests was half of the lane's time; this
    costs a few milliseconds. Replica mode skips the triggers (foreign keys, the audit log's
    append-only guard) while deleting; it needs a superuser, as the CI's trust login is, and without
    one the TRUNCATE of everything still works."""
    try:
        with conn.begin_nested():
            conn.execute(text("SET LOCAL session_replication_role = replica"))
    except Exception:
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        return
    written = conn.execute(text(" UNION ALL ".join(
        f"SELECT '{table}' WHERE EXISTS (SELECT 1 FROM {table})" for table in tables))).scalars().all()
    for table in written:
        conn.execute(text(f"DELETE FROM {table}"))
    used = conn.execute(text("SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) FROM pg_sequences "
                             "WHERE schemaname = current_schema() AND last_value IS NOT NULL")).scalars().all()
    for sequence in used:
        conn.execute(text("SELECT setval(:sequence, 1, false)"), {"sequence": sequence})


@pytest.fixture(autouse=True)
def _clean(app):
    """Every test starts from empty tables, fresh rate-limit and page-view counters and empty caches."""
    with app.app_context():
        limiter.reset()
        cache.clear()
        caching.forget_held()
        microcache.clear(app)
        front.clear(app)  # the disaster screen's frames: event ids come again once the tables are emptied
        # Views and footprints gathered by earlier tests would be written in the middle of this one (every
        # few seconds or 200 of them), into a statement count or a table the test reads.
        batching.reset_all()
        yield
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                _empty_postgresql(conn, tables)
            else:
                # Append-only tables (the audit log) refuse DELETE with a trigger; SQLite has no TRUNCATE,
                # so the triggers step aside while the tables are emptied.
                guards = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                           "AND name LIKE '%append_only%'")).all()
                for name, _sql in guards:
                    conn.execute(text(f"DROP TRIGGER {name}"))
                for table in tables:
                    conn.execute(text(f"DELETE FROM {table}"))
                for _name, sql in guards:
                    conn.execute(text(sql))


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


# --- members, in one line ---------------------------------------------------------------------

@pytest.fixture
def make_member(app):
    counter = iter(range(1, 10_000))

    def make(nickname: str | None = None, *, role: str = "member", suspended: bool = False,
             invited_by=None, district: str | None = None):
        n = next(counter)
        member = members.create_member(
            f"member{n}@example.jp", nickname or f"会員{n}", PASSWORD, role=role, district=district,
            invited_by=invited_by,
        )
        if suspended:
            member.status = "suspended"
            db.session.commit()
        return member

    return make


@pytest.fixture
def befriend():
    def befriend(a, b):
        db.session.add_all([Friendship(member_id=a.id, friend_id=b.id), Friendship(member_id=b.id, friend_id=a.id)])
        db.session.commit()

    return befriend


# --- clients ----------------------------------------------------------------------------------

@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login():
    def login(client, member, password: str = PASSWORD):
        response = client.post("/login", data={"email": member.email, "password": password})
        assert response.status_code == 302, "login failed"
        return response

    return login


@pytest.fixture
def keitai(app):
    """A client that sends a real phone's User-Agent; cookieless for i-mode browser 1.0."""
    def make(kind: str = "docomo_nocookie"):
        ua = phone_ua(kind)
        test_client = app.test_client(use_cookies=kind != "docomo_nocookie")
        test_client.environ_base["HTTP_USER_AGENT"] = ua
        return test_client

    return make


@pytest.fixture
def browser(app, login):
    """browser() is a fresh PC browser; browser(member) is one already logged in as that member."""
    def make(member=None):
        test_client = app.test_client()
        test_client.environ_base["HTTP_USER_AGENT"] = PC_UA
        if member is not None:
            login(test_client, member)
        return test_client

    return make


@pytest.fixture
def pc_client(app):
    test_client = app.test_client()
    test_client.environ_base["HTTP_USER_AGENT"] = PC_UA
    return test_client


# --- communities, for the features that hang things on one (maps, admin) -------------------------

@pytest.fixture
def make_community(app):
    from ejan.communities.models import Community, Membership

    def make(owner, name="倉真の茶畑", moderators=(), members=()):
        community = Community(name=name, category="地域", description="", owner_id=owner.id)
        db.session.add(community)
        db.session.flush()
        db.session.add(Membership(community_id=community.id, member_id=owner.id, role="owner"))
        for m in moderators:
            db.session.add(Membership(community_id=community.id, member_id=m.id, role="moderator"))
        for m in members:
            db.session.add(Membership(community_id=community.id, member_id=m.id, role="member"))
        db.session.commit()
        return community

    return make


@pytest.fixture
def clock(monkeypatch):
    """caching.held's clock, moved by the test (clock[0] += seconds)."""
    moment = [1000.0]
    monkeypatch.setattr(caching, "now", lambda: moment[0])
    return moment


@pytest.fixture
def counting(monkeypatch):
    """The counts caching.held has begun in the background, carried out when the test says (counting.run()):
    no test waits on the wall clock or on a real thread."""
    class Counting(list):
        def run(self):
            while self:
                self.pop(0)()

    begun = Counting()

    class Thread:
        def __init__(self, target, name, daemon):
            self.target = target

        def start(self):
            begun.append(self.target)

    monkeypatch.setattr(caching, "Thread", Thread)
    return begun
