"""`flask ejan backup` / `flask ejan restore`: a backup of a populated site, restored into an empty installation,
gives the same rows in every table and the same media files, byte for byte (SQLite by default; PostgreSQL when
EJAN_TEST_DATABASE_URL is set, restored into a second scratch database)."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from ejan import create_app
from ejan.extensions import db
from ejan.features import task_modules
from ejan.tasks import init_celery
from populated import populate


@pytest.fixture
def empty_site(app, tmp_path):
    """A second installation: its own empty database (a new SQLite file, or a new PostgreSQL database) and media."""
    source = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    server = None
    if source.get_backend_name() == "postgresql":
        name = f"ejan_restore_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        server = create_engine(source, isolation_level="AUTOCOMMIT")
        with server.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = source.set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    config = {**app.config, "SQLALCHEMY_DATABASE_URI": url, "EJAN_MEDIA_DIR": str(tmp_path / "restored-media")}
    config.pop("SQLALCHEMY_ENGINES", None)
    other = create_app(config)
    yield other
    with other.app_context():
        db.engine.dispose()
    init_celery(app, task_modules(app.extensions["ejan.features"]))  # Celery is one per process: hand it back
    if server is not None:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def rows_of(url: str) -> dict[str, list]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            found = {}
            for name in sorted(inspect(conn).get_table_names()):
                result = conn.execute(text(f'SELECT * FROM "{name}"'))
                found[name] = sorted((tuple(row) for row in result), key=repr)
            return found
    finally:
        engine.dispose()


def on(site, *args):
    """Run a `flask` command on `site` (the suite's own app context is pushed already, and the CLI would reuse it)."""
    with site.app_context():
        return site.test_cli_runner().invoke(args=list(args))


def files_of(root: str) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in Path(root).rglob("*") if p.is_file()}


def test_a_backup_restored_into_an_empty_site_gives_the_same_rows_and_media(app, make_member, befriend,
                                                                             empty_site, tmp_path):
    populate(app, make_member, befriend)
    db.session.remove()
    directory = tmp_path / "backup"
    result = app.test_cli_runner().invoke(args=["ejan", "backup", str(directory)])
    assert result.exit_code == 0, result.output
    before = rows_of(app.config["SQLALCHEMY_DATABASE_URI"])
    media_before = files_of(app.config["EJAN_MEDIA_DIR"])
    assert len(media_before) >= 6 and sum(map(len, before.values())) > 50  # a populated site, photos included
    assert all(before[name] for name in ("members", "diary_entries", "diary_photos", "community_topics", "pins",
                                         "safety_checkins", "survey_answers", "notifications", "alembic_version"))

    result = on(empty_site, "ejan", "restore", str(directory))
    assert result.exit_code == 0, result.output
    assert rows_of(empty_site.config["SQLALCHEMY_DATABASE_URI"]) == before
    assert files_of(empty_site.config["EJAN_MEDIA_DIR"]) == media_before


def test_restore_refuses_a_site_that_is_not_empty_unless_forced(app, make_member, befriend, tmp_path):
    populate(app, make_member, befriend)
    db.session.remove()
    directory = tmp_path / "backup"
    assert app.test_cli_runner().invoke(args=["ejan", "backup", str(directory)]).exit_code == 0
    result = app.test_cli_runner().invoke(args=["ejan", "restore", str(directory)])
    assert result.exit_code != 0 and "empty installation" in result.output


def test_a_backup_never_writes_into_a_directory_that_holds_something(app, tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "x").write_text("x")
    result = app.test_cli_runner().invoke(args=["ejan", "backup", str(tmp_path / "old")])
    assert result.exit_code != 0 and "not empty" in result.output


def test_restore_refuses_a_damaged_backup(app, make_member, befriend, empty_site, tmp_path):
    populate(app, make_member, befriend)
    db.session.remove()
    directory = tmp_path / "backup"
    assert app.test_cli_runner().invoke(args=["ejan", "backup", str(directory)]).exit_code == 0
    victim = next(p for p in (directory / "media").rglob("*") if p.is_file())
    victim.write_bytes(b"not the photo")
    result = on(empty_site, "ejan", "restore", str(directory))
    assert result.exit_code != 0 and "damaged" in result.output
