"""Engines and transactions, the same on SQLite and PostgreSQL.

A plain path is a SQLite file; anything with ``://`` is a SQLAlchemy URL.
Writers serialize on one row of the ``meta`` table (a row lock on PostgreSQL;
on SQLite every write transaction begins IMMEDIATE, and a busy timeout makes a
second writer wait instead of failing with "database is locked").
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from .models import Base, Meta

BUSY_TIMEOUT_SECONDS = 30


def default_db_path() -> Path:
    """A SQLite file in the user's data directory (XDG on Unix, %APPDATA% on Windows)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA", Path.home()))
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "registry" / "registry.db"


def url_for(db: str) -> str:
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser()}"


def make_engine(db: str) -> Engine:
    url = url_for(db)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            # Take over transaction control from pysqlite so that BEGIN is ours to emit.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection):
            immediate = connection.get_execution_options().get("registry_write", False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def create_schema(engine: Engine) -> None:
    if is_sqlite(engine):
        path = engine.url.database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    Base.metadata.create_all(engine)
    with Session(engine) as session, session.begin():
        if session.get(Meta, "writer") is None:
            session.add(Meta(key="writer", value=""))


def schema_exists(engine: Engine) -> bool:
    from sqlalchemy import inspect

    if is_sqlite(engine):
        # Connecting would create the file (or fail if its directory is missing): a file
        # that is not there holds no registry.
        path = engine.url.database
        if path and path != ":memory:" and not Path(path).exists():
            return False
    return inspect(engine).has_table("notices")


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@contextmanager
def writing(engine: Engine, attempts: int = 5) -> Iterator[Session]:
    """One write transaction holding the registry-wide writer lock; commits on success.

    The lock is taken before anything is read, so that name resolution and
    derivation see a registry no other writer is changing.
    """
    write_engine = engine.execution_options(registry_write=True)
    for attempt in range(attempts):
        session = Session(write_engine)
        try:
            session.begin()
            session.execute(select(Meta).where(Meta.key == "writer").with_for_update()).scalar_one()
            break
        except OperationalError:
            session.close()
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
    positions = _sequence_positions(session)
    try:
        yield session
        session.commit()
    except BaseException:
        _restore_sequences(session, positions)
        session.rollback()
        raise
    finally:
        session.close()


# PostgreSQL hands out sequence values outside transactions: a rollback keeps them spent, so a
# refused notice or a preview would still move the next person's id on.  The writer notes where
# every sequence stands once it holds the writer lock and, on the way out of a failed
# transaction (still holding the lock, so no other writer can have drawn a value), puts them back.
_SAVEPOINT = "registry_writer_start"


def _sequence_positions(session: Session) -> list[tuple[str, int, bool]]:
    if session.get_bind().dialect.name != "postgresql":
        return []
    connection = session.connection()
    # last_value is NULL until a sequence is first used: it then restarts at its start value.
    rows = connection.execute(text(
        "SELECT sequencename, coalesce(last_value, start_value), last_value IS NOT NULL "
        "FROM pg_sequences WHERE schemaname = current_schema()"
    )).all()
    if rows:
        connection.exec_driver_sql(f"SAVEPOINT {_SAVEPOINT}")
    return [tuple(row) for row in rows]


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
