"""The seeded city both bench test files drive: seeded once per run, on the lane's database server."""
from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import seed_city  # noqa: E402
from ejan.features import task_modules  # noqa: E402
from ejan.tasks import init_celery  # noqa: E402

SCALE = 0.002  # 240 members, 4,000 diary entries


def _give_celery_back(app):
    # The seeder and these tests build apps of their own; Celery is one object per process.
    init_celery(app, task_modules(app.extensions["ejan.features"]))


@pytest.fixture(scope="session")
def city_url(tmp_path_factory, app):
    """A database of the bench's own, on the lane's server (PostgreSQL when the tests run there)."""
    server = os.environ.get("EJAN_TEST_DATABASE_URL")
    if not server:
        url = f"sqlite:///{tmp_path_factory.mktemp('city') / 'city.sqlite3'}"
        seed_city.seed(url, SCALE)
        _give_celery_back(app)
        yield url
        return
    url = make_url(server).set(database=f"ejan_benchtest_{os.getpid()}_{uuid.uuid4().hex[:6]}")
    seed_city.seed(url.render_as_string(hide_password=False), SCALE)
    _give_celery_back(app)
    yield url.render_as_string(hide_password=False)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def own_app(app):
    yield
    _give_celery_back(app)
