"""The schema comes only from migrations: they must describe exactly what the models declare."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ejan.extensions import db, managed_by_models


def test_migrations_create_exactly_the_tables_the_models_declare(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": managed_by_models})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], "a model changed without a migration (run: flask db migrate)"
