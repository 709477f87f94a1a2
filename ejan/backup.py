"""`flask ejan backup DIR` and `flask ejan restore DIR`: a consistent snapshot of the database and the uploaded
media, and bringing it back on an empty installation (README, "Backup and restore").

The database is copied in one snapshot: SQLite through its online backup API (a consistent copy even while the
site writes), PostgreSQL through pg_dump (one REPEATABLE READ snapshot, custom format). The media are copied from
the store (ejan/storage.py: a directory or a bucket) after the database, so every image a row of the snapshot
names is there (images are stored before the row that names them is committed); an image added meanwhile is an
extra file, harmless. A manifest lists every table's row count and every media file's SHA-256, and restore checks
both after it has finished.

    DIR/manifest.json     format, dialect, migration revision, counts, media digests
    DIR/database.sqlite3  (SQLite) or DIR/database.pgdump (PostgreSQL, pg_dump -Fc)
    DIR/media/…           the store's files under their own names
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, inspect, select, table, text
from sqlalchemy.engine import Engine, make_url

from .clock import utcnow
from .storage import MediaStore

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
MEDIA = "media"


class BackupError(Exception):
    """Something an operator must fix (a missing tool, a non-empty target, a damaged backup)."""


@dataclass
class Summary:
    tables: dict[str, int]
    media: int


# --- backup ----------------------------------------------------------------------------------------------

def backup(engine: Engine, store: MediaStore, directory: str | Path) -> Summary:
    target = Path(directory)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: give a new directory for each backup")
    target.mkdir(parents=True, exist_ok=True)
    dialect = engine.dialect.name
    if dialect == "sqlite":
        _sqlite_backup(engine, target / SQLITE_FILE)
        counts = _counts_sqlite(target / SQLITE_FILE)
    elif dialect == "postgresql":
        counts = _pg_dump(engine, target / PG_FILE)
    else:
        raise BackupError(f"no backup method for {dialect}")
    media = {}
    for name in sorted(store.names()):
        data = store.read(name)
        path = target / MEDIA / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        media[name] = hashlib.sha256(data).hexdigest()
    manifest = {"format": FORMAT, "dialect": dialect, "created_at": utcnow().isoformat(), "revision": _revision(engine),
                "tables": counts, "media": media}
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return Summary(counts, len(media))


def _sqlite_backup(engine: Engine, path: Path) -> None:
    source = sqlite3.connect(_sqlite_path(engine))
    try:
        destination = sqlite3.connect(path)
        with destination:
            source.backup(destination)  # the online backup API: a consistent copy while others write
        destination.close()
    finally:
        source.close()


def _sqlite_path(engine: Engine) -> str:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return database


def _pg_env(engine: Engine) -> tuple[str, dict]:
    """A libpq address without the password (which goes in PGPASSWORD, out of the process list)."""
    url = engine.url
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = url.password
    plain = make_url(str(url.set(drivername="postgresql", password=None)))
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found: install the PostgreSQL client tools (Debian: postgresql-client)")
    return found


def _pg_dump(engine: Engine, path: Path) -> dict[str, int]:
    """pg_dump inside a snapshot this transaction exports, so the manifest's counts are of the very same data."""
    address, env = _pg_env(engine)
    tool = _tool("pg_dump")
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.scalar(text("SELECT pg_export_snapshot()"))
            counts = _counts_in(conn)
            _run([tool, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                  "--file", str(path), "--dbname", address], env)
    return counts


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[:2000]}")


# --- restore -----------------------------------------------------------------------------------------------

def restore(engine: Engine, store: MediaStore, directory: str | Path, *, force: bool = False) -> Summary:
    source = Path(directory)
    manifest = _manifest(source)
    dialect = engine.dialect.name
    if manifest["dialect"] != dialect:
        raise BackupError(f"this backup is of a {manifest['dialect']} database; the site uses {dialect}")
    if not force:
        problem = _not_empty(engine, store)
        if problem:
            raise BackupError(f"{problem}: restore goes only into an empty installation (or use --force)")
    for name, digest in manifest["media"].items():  # checked before anything changes
        if hashlib.sha256((source / MEDIA / name).read_bytes()).hexdigest() != digest:
            raise BackupError(f"media file {name} differs from the manifest: the backup is damaged")
    engine.dispose()
    if dialect == "sqlite":
        _sqlite_restore(source / SQLITE_FILE, _sqlite_path(engine))
    else:
        _pg_restore(engine, source / PG_FILE)
    engine.dispose()
    for name in manifest["media"]:
        store.write(name, (source / MEDIA / name).read_bytes())
    counts = _counts(engine)
    expected = manifest.get("tables")
    if expected is not None and counts != expected:
        raise BackupError(f"restored row counts differ from the backup's: {_difference(expected, counts)}")
    return Summary(counts, len(manifest["media"]))


def _manifest(source: Path) -> dict:
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source} holds no readable {MANIFEST}: not a backup of this site") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')} is not {FORMAT}")
    return manifest


def _not_empty(engine: Engine, store: MediaStore) -> str | None:
    tables = inspect(engine).get_table_names()
    if "members" in tables:
        with engine.connect() as conn:
            if conn.scalar(select(func.count()).select_from(table("members"))):
                return "the database already has members"
    if next(iter(store.names()), None) is not None:
        return "the media store already has files"
    return None


def _sqlite_restore(path: Path, database: str) -> None:
    source = sqlite3.connect(path)
    try:
        destination = sqlite3.connect(database)
        with destination:
            source.backup(destination)  # replaces the whole destination database, schema included
        destination.close()
    finally:
        source.close()


def _pg_restore(engine: Engine, path: Path) -> None:
    with engine.begin() as conn:  # whatever a migrated empty installation holds makes way for the backup
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    address, env = _pg_env(engine)
    _run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
          "--dbname", address, str(path)], env)


# --- what a database holds ---------------------------------------------------------------------------------

def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return _counts_in(conn)


def _counts_in(conn) -> dict[str, int]:
    names = sorted(inspect(conn).get_table_names())
    return {name: conn.scalar(select(func.count()).select_from(table(name))) for name in names}


def _counts_sqlite(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        names = sorted(row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
        return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}
    finally:
        conn.close()


def _revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if "alembic_version" not in inspect(conn).get_table_names():
            return None
        return conn.scalar(text("SELECT version_num FROM alembic_version"))


def _difference(expected: dict, found: dict) -> str:
    names = sorted(set(expected) | set(found))
    return ", ".join(f"{n}: {expected.get(n)} -> {found.get(n)}" for n in names if expected.get(n) != found.get(n))
