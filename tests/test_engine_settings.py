"""The site's own settings on its database connections (ejan/dbutil.py: tune_engine)."""
import pytest
from sqlalchemy import text

from ejan.extensions import db


def test_postgresql_connections_run_without_the_jit_compiler(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (lane 2): SQLite has no JIT")
    with db.engine.connect() as conn:  # a pooled connection, as a request gets one
        assert conn.scalar(text("SHOW jit")) == "off"
    assert db.session.scalar(text("SHOW jit")) == "off"
