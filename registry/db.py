"""Engines and transactions, the same on SQLite and PostgreSQL.

A plain path is a SQLite file; anything with ``://`` is a SQLAlchemy URL.
Writers serialize on one row of the ``meta`` table (a row lock on PostgreSQL;
on SQLite every write transaction begins IMMEDIATE).  Every wait is bounded:
a writer that cannot take the lock within ``lock_timeout()`` seconds is told
the registry is busy (SQLite's busy timeout, PostgreSQL's ``lock_timeout``),
a PostgreSQL connection gives up after ``CONNECT_TIMEOUT_SECONDS`` and a
statement after ``STATEMENT_TIMEOUT_SECONDS``.  SQLite runs in WAL mode, so
readers never wait for a writer.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoResultFound, NoSuchModuleError
from sqlalchemy.orm import Session

from .errors import RegistryError
from . import location
from .models import Base, Meta, server_now
from .timerules import LOCKED_CLOCK
from .i18n import N_, _

CONNECT_TIMEOUT_SECONDS = 10
STATEMENT_TIMEOUT_SECONDS = 600


def lock_timeout() -> float:
    """Seconds a writer waits for another writer: 30, or REGISTRY_LOCK_TIMEOUT."""
    try:
        return max(0.0, float(os.environ.get("REGISTRY_LOCK_TIMEOUT", "30")))
    except ValueError:
        return 30.0


def default_db_path() -> Path:
    """A SQLite file in the user's data directory (see registry.location)."""
    return location.default_db_path()


def url_for(db: str) -> str:
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser()}"


def display(db: str) -> str:
    """The registry's name as printed: a path as given, a URL with its password hidden."""
    if "://" not in db:
        return db
    try:
        return make_url(db).render_as_string(hide_password=True)
    except ArgumentError:
        return _("(an unreadable database URL)")


def make_engine(db: str) -> Engine:
    try:
        url = make_url(url_for(db))
    except ArgumentError:
        raise RegistryError(_("{db} is not a database URL such as postgresql+psycopg://host/registry").format(db=display(db))) from None
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    if url.get_backend_name() != "postgresql":
        raise RegistryError(_("{db}: the registry runs on SQLite or PostgreSQL only").format(db=display(db)))
    try:
        engine = create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS})
    except (NoSuchModuleError, ImportError):
        if url.get_driver_name() != "psycopg":
            # postgresql:// means psycopg2 to SQLAlchemy; the registry's extra installs psycopg (3).
            raise RegistryError(
                _("the PostgreSQL driver {driver} named by {db} is not installed; the registry uses "
                   "psycopg: write the URL as postgresql+psycopg://… and install it with: pip install "
                   "'registry[postgres]'").format(driver=url.get_driver_name(), db=display(db))
            ) from None
        raise RegistryError(
            _("the PostgreSQL driver is not installed; install it with: pip install 'registry[postgres]'")
        ) from None

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = '{int(lock_timeout() * 1000)}ms'")
            cursor.execute(f"SET statement_timeout = '{STATEMENT_TIMEOUT_SECONDS}s'")
        dbapi_connection.autocommit = autocommit

    return engine


def _sqlite_engine(url) -> Engine:
    engine = create_engine(url, connect_args={"timeout": lock_timeout()})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take over transaction control from pysqlite so that BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(lock_timeout() * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        immediate = connection.get_execution_options().get("registry_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def sqlite_path(engine: Engine) -> Path | None:
    """The file of a SQLite registry (None for PostgreSQL or an in-memory database)."""
    path = engine.url.database if is_sqlite(engine) else None
    if path and path.startswith("file:") and engine.url.query.get("uri") == "true":
        path = path[len("file:"):]  # a URI filename, as in sqlite:///file:linzhi.db?mode=ro&uri=true
    return Path(path) if path and path != ":memory:" else None


def file_missing(engine: Engine) -> bool:
    """A SQLite file that is not there holds no registry (and connecting would create it)."""
    path = sqlite_path(engine)
    return path is not None and not path.exists()


def sqlite_outside_transaction(engine: Engine, statement: str) -> list:
    """Run a PRAGMA that SQLite refuses inside a transaction (journal mode, checkpoint)."""
    raw = engine.raw_connection()
    try:
        return raw.driver_connection.execute(statement).fetchall()
    finally:
        raw.close()


def create_tables(engine: Engine) -> None:
    """The current schema in an empty database, stamped with its revision and marked as a registry."""
    from . import schema

    path = sqlite_path(engine)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # WAL is a property of the file: set once, it holds for every later connection.
        sqlite_outside_transaction(engine, "PRAGMA journal_mode=WAL")
    with engine.begin() as conn:
        Base.metadata.create_all(conn)
        schema.mark(conn)


def create_schema(engine: Engine) -> None:
    """An empty registry: the tables, if the database holds none yet."""
    from . import schema

    if dbmod_empty(engine):
        create_tables(engine)
    else:
        with engine.connect() as conn:
            found = schema.state(conn)
        why = schema.refusal(found, display(str(engine.url)))
        if why is not None:
            raise RegistryError(why)


def dbmod_empty(engine: Engine) -> bool:
    from sqlalchemy import inspect

    return file_missing(engine) or not inspect(engine).get_table_names()


def refresh_statistics(connection) -> None:
    """Bring the planner's table statistics up to date after a large write (a batch import, a
    rebuild), so that plans stay right on a server that does not gather them by itself.

    PostgreSQL: ``ANALYZE`` of the registry's own tables.  A bare ``ANALYZE`` would analyze
    every table of the database, other schemas' and other applications' too, where the
    registry shares a server.  SQLite: ``ANALYZE`` on a sample (``analysis_limit``: about a
    thousand rows of each index, so that it costs little however large the file, which is the
    registry's alone).  Not ``PRAGMA optimize``: before SQLite 3.46 it re-analyzes only tables
    the same connection has just queried, so that on the connection a batch refreshes with it
    left every table as first analyzed (a registry of 2,000 notices kept the statistics of its
    first 100).
    Runs on ``connection`` (a Connection or a Session), inside its transaction.
    """
    bind = connection.get_bind() if isinstance(connection, Session) else connection
    dialect = bind.dialect
    if dialect.name == "postgresql":
        quote = dialect.identifier_preparer.quote
        tables = ", ".join(quote(table.name) for table in Base.metadata.sorted_tables)
        connection.execute(text(f"ANALYZE {tables}"))
        return
    connection.execute(text("PRAGMA analysis_limit=1000"))
    connection.execute(text("ANALYZE"))


# Rows are read in batches of this many from a cursor that streams them (a server-side cursor on
# PostgreSQL), so that a pass over every holding, text or notice never holds them all.
STREAMED_BATCH = 1000


def streamed(session: Session, statement):
    """The rows of ``statement`` on the session's connection, as plain rows (without the ORM's
    handling of each), a batch at a time."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # PostgreSQL plans a cursor for its first tenth of rows (nested loops that start at once,
        # twice as slow over the whole pass); these passes read every row.
        connection.exec_driver_sql("SET LOCAL cursor_tuple_fraction = 1")
    return connection.execute(statement, execution_options={"yield_per": STREAMED_BATCH})


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@contextmanager
def writing(bind: Engine | Connection) -> Iterator[Session]:
    """One write transaction holding the registry-wide writer lock; commits on success.

    The lock is taken before anything is read, so that name resolution and
    derivation see a registry no other writer is changing.  Waiting for it is
    bounded by the busy or lock timeout; there is no retry on top of that.
    ``bind``: the engine, or a connection outside any transaction (a batch keeps one for all
    its notices), which the transaction begins and ends on.
    """
    session = Session(bind.execution_options(registry_write=True))
    positions: list = []
    try:
        session.begin()
        rows = session.execute(_WRITER_LOCK).all()
        if not any(row.key == "writer" for row in rows):  # as scalar_one() refused it, under -O too
            raise NoResultFound("the registry has no writer row: it was not initialized")
        session.info[LOCKED_CLOCK] = next((row for row in rows if row.key == "clock"), None)
        positions = _sequence_positions(session)
        yield session
        session.commit()
    except BaseException:
        _restore_sequences(session, positions)
        session.rollback()
        raise
    finally:
        session.close()


# The writer row, and with it the clock row (``timerules.clock`` reads it from here instead of
# asking again).  Both are locked, in the order of their keys so that two writers never take them
# in opposite orders; a locked row is read as it is once the lock is held, however long the wait.
# (Read without a lock, the clock would be read as it stood when the statement began, before
# the writer ahead had moved it on.)
_WRITER_LOCK = (select(Meta.key, Meta.value, server_now().label("server_now"))
                .where(Meta.key.in_(("clock", "writer"))).order_by(Meta.key).with_for_update())

# PostgreSQL hands out sequence values outside transactions: a rollback keeps them spent, so a
# refused notice or a preview would still move the next person's id on.  The writer notes where
# every sequence stands once it holds the writer lock and, on the way out of a failed
# transaction (still holding the lock, so no other writer can have drawn a value), puts them back.
_SAVEPOINT = "registry_writer_start"


def _sequence_positions(session: Session) -> list[tuple[str, int, bool]]:
    if session.get_bind().dialect.name != "postgresql":
        return []
    connection = session.connection()
    rows = connection.execute(_SEQUENCES, {f"s{i}": name for i, name in enumerate(_SEQUENCE_NAMES)}).all()
    if rows:
        connection.exec_driver_sql(f"SAVEPOINT {_SAVEPOINT}")
    return [tuple(row) for row in rows]


# The sequence of each table's id, by name (PostgreSQL names a serial column's sequence so), each
# looked up by its name in the registry's schema (``pg_sequences`` would scan the whole catalog;
# a name not there finds nothing).  last_value is NULL until a sequence is first used: it then
# restarts at its start value.
_SEQUENCE_NAMES = [f"{table.name}_id_seq" for table in Base.metadata.sorted_tables
                   if table.autoincrement_column is not None]
_SEQUENCES = text(
    "SELECT c.relname, coalesce(pg_sequence_last_value(s.seqrelid), s.seqstart), "
    "pg_sequence_last_value(s.seqrelid) IS NOT NULL "
    "FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid "
    f"WHERE s.seqrelid IN ({', '.join(f'to_regclass(:s{i})' for i in range(len(_SEQUENCE_NAMES)))})"
)


def _restore_sequences(session: Session, positions: list[tuple[str, int, bool]]) -> None:
    if not positions:
        return
    try:
        connection = session.connection()
        # Back to the start (an error may have aborted the transaction); the lock stays held.
        connection.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
        connection.execute(text("SELECT " + ", ".join(
            f"setval('\"{name}\"', {int(value)}, {'true' if called else 'false'})"
            for name, value, called in positions
        )))
    except Exception:  # the connection itself failed: the rollback that follows reports it
        pass


def backup_sqlite(engine: Engine, target: Path) -> None:
    """A consistent copy of a SQLite registry, taken while others may be using it (online backup API)."""
    source_path = sqlite_path(engine)
    assert source_path is not None
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=lock_timeout())
    try:
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()


# -- faults -------------------------------------------------------------------------

_SQLITE_FAULTS = (
    ("database or disk is full", N_("the disk holding {db} is full; nothing was recorded")),
    ("readonly database", N_("{db} is read-only (the file or its folder or mount); nothing was recorded")),
    ("read-only", N_("{db} is read-only (the file or its folder or mount); nothing was recorded")),
    ("database is locked", N_("the registry {db} is busy with another writer; nothing was recorded, try again")),
    ("database is busy", N_("the registry {db} is busy with another writer; nothing was recorded, try again")),
    ("unable to open database file", N_("cannot open {db}: the folder is missing or permission is denied")),
    ("not a database", N_("{db} is not a registry: the file is not a SQLite database")),
    ("disk i/o error", N_("a disk error occurred reading or writing {db}; nothing was recorded")),
)

_POSTGRES_FAULTS = {
    "53100": N_("the database server's disk is full; nothing was recorded"),
    "53200": N_("the database server is out of memory; nothing was recorded"),
    "25006": N_("{db} is read-only; nothing was recorded"),
    "55P03": N_("the registry {db} is busy with another writer; nothing was recorded, try again"),
    "40P01": N_("the registry {db} is busy with another writer; nothing was recorded, try again"),
    "40001": N_("the registry {db} is busy with another writer; nothing was recorded, try again"),
    "57014": N_("the database server did not answer within the time limit; nothing was recorded"),
    "42501": N_("permission denied on {db}; ask its administrator for access"),
    "28P01": N_("the database server refused the user name or password for {db}"),
    "28000": N_("the database server refused the connection to {db} (authentication)"),
    "3D000": N_("the database named in {db} does not exist"),
    "57P01": N_("the database server shut down during the command; nothing was recorded"),
}


def fault_sentence(error: BaseException, db: str) -> str | None:
    """One sentence for a database or file fault, with no SQL and no parameters; None if unknown."""
    name = display(db)
    if isinstance(error, DBAPIError):
        orig = error.orig
        code = getattr(orig, "sqlstate", None)
        if code in _POSTGRES_FAULTS:
            return _(_POSTGRES_FAULTS[code]).format(db=name)
        message = str(orig).lower()
        if error.connection_invalidated or code is None and not isinstance(orig, sqlite3.Error):
            if "timeout" in message or "timed out" in message:
                return _("the database server for {name} did not answer within {seconds} s").format(name=name, seconds=CONNECT_TIMEOUT_SECONDS)
            if any(word in message for word in ("connection", "could not", "server", "refused", "resolve")):
                return _("cannot reach the database server for {name}; is it running and reachable?").format(name=name)
        for fragment, sentence in _SQLITE_FAULTS:
            if fragment in message:
                return _(sentence).format(db=name)
        return None
    if isinstance(error, OSError):
        if error.errno == 28:
            return _("the disk holding {name} is full; nothing was recorded").format(name=name)
        if isinstance(error, PermissionError):
            return _("permission denied: {file}").format(file=error.filename or name)
        if error.errno == 30:
            return _("{name} is on a read-only file system; nothing was recorded").format(name=name)
        return _("cannot use {file}: {reason}").format(file=error.filename or name, reason=error.strerror or error)
    return None
