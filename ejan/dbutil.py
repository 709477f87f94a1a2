"""Small database helpers shared by features."""
from sqlalchemy import String, event, literal, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

from .extensions import db

ID_MAX = 2**31 - 1  # ids are the database's INTEGER; a larger number overflows it (PostgreSQL) or the driver


def as_id(value) -> int | None:
    """An id typed or posted as text, or None: only plain ASCII digits (not "1e9", "-1" or "１２"), within INTEGER."""
    text = value.strip() if isinstance(value, str) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= ID_MAX else None


def add_once(row) -> bool:
    """Insert a row whose key may already exist (a double tap, two tabs); an existing row is as good.

    Commits on its own, so call it after the main change of a request has been committed.
    """
    db.session.add(row)
    try:
        db.session.commit()
        return True
    except IntegrityError:
        db.session.rollback()
        return False


def commit_keeping_loaded() -> None:
    """Commit without expiring what the request has loaded: for a write that changes none of it (a
    footprint, marking notifications read after the page is rendered), so the member and the rows
    already shown are not read again right after (the request log reads the member, for one)."""
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def constant(value, type_=None):
    """A constant written into the statement's SQL when it runs (render_postcompile when compiled by hand), not
    sent as a parameter: the driver then converts only what changes from one run to the next."""
    return literal(value, type_, literal_execute=True)


def scalars_at_once(*queries) -> tuple:
    """The one value each of several queries selects, asked in a single statement (one round trip)."""
    return tuple(db.session.execute(select(*(query.scalar_subquery() for query in queries))).one())


def form_token(token: str | None) -> str | None:
    """A form's hidden one-time token as stored (the column holds 40 characters); a tampered longer one is cut."""
    return (token or "")[:40] or None


def earlier_submission(model, author_id: int, token: str | None):
    """The row this same form already created (a double submit, a reload), or None.

    `model` has author_id and submit_token, with a unique constraint on the pair, so two submits
    racing past this check still leave one row.
    """
    if not token:
        return None
    return db.session.scalar(select(model).where(model.author_id == author_id, model.submit_token == token))


def contains(query: str, *columns):
    """Case-insensitive "contains `query`" over columns, with %, _ and \\ in the query taken literally."""
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))


def tune_engine(app) -> None:
    """PostgreSQL's JIT compiler switched off for the site's connections: it starts on any statement the
    planner prices high (a map's nearest pins among thousands of candidates) and spends 15–20 ms
    compiling what runs in a few, which is a loss for every short web query (set once per pooled
    connection)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "connect")
    def _no_jit(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        dbapi_connection.commit()


class _IdList(TypeDecorator):
    """ids_of's value as a list of ints: PostgreSQL's array comes as one, SQLite's text "3,1,2" is split."""
    impl = String
    cache_ok = True

    def process_result_value(self, value, dialect):
        if value is None:
            return []
        if isinstance(value, str):
            return [int(number) for number in value.split(",")]
        return value


class ids_of(FunctionElement):
    """An aggregate of a group's integer ids as one list (array_agg; SQLite's group_concat): a city's list
    read as a few rows of many ids each. Turning 60,000 rows into Python objects costs ten times what
    PostgreSQL spends finding them; a few arrays of ints cost almost nothing."""
    type = _IdList()
    inherit_cache = True
    name = "ids_of"


@compiles(ids_of)
def _ids_of_array(element, compiler, **kw):
    return f"array_agg({compiler.process(element.clauses, **kw)})"


@compiles(ids_of, "sqlite")
def _ids_of_text(element, compiler, **kw):
    return f"group_concat({compiler.process(element.clauses, **kw)})"
