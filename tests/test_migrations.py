"""The schema comes only from migrations: they must describe exactly what the models declare."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ejan.extensions import db, managed_by_models


# SQLite cannot reflect expression indexes (lower(name)); PostgreSQL compares them.
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_migrations_create_exactly_the_tables_the_models_declare(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": managed_by_models})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], "a model changed without a migration (run: flask db migrate)"
