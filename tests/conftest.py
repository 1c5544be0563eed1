"""Fixtures: a registry database on SQLite, and on PostgreSQL when REGISTRY_TEST_POSTGRES_URL is set.

Every test that takes ``db_url`` (or a fixture built on it) runs once per
backend.  On PostgreSQL each test gets a schema of its own, dropped after it.
With the variable set, an unreachable server fails the tests: it never skips.
"""

from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from registry import db as dbmod
from registry.record import bundled_notice_files

# Messages in English, whatever the developer's locale: the tests compare English sentences.
# A test about the language sets --lang or REGISTRY_LANG itself.
os.environ["REGISTRY_LANG"] = "en"

# The working tree has the .po files only (the build makes the .mo): compile the ones missing
# or older than their .po, in place, so that this tree and its subprocesses speak Chinese too.
from registry.locale.build import compile_catalogs  # noqa: E402

compile_catalogs(only_stale=True)

POSTGRES_URL = os.environ.get("REGISTRY_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])

NOTICES = {int(p.stem.rsplit("-", 1)[1]): p for p in bundled_notice_files()}


class LazyLoadWhileWriting(AssertionError):
    pass


@event.listens_for(Session, "do_orm_execute")
def _no_lazy_load_while_writing(state):
    """No lazy loads on a write path: inside a write transaction (``db.writing``) every row is read
    by a query that says what it reads, so that a write's cost is in its code, not one hidden
    query per object touched.  A lazy load there fails the test that caused it."""
    bind = state.session.bind
    if state.is_select and state.lazy_loaded_from is not None and bind is not None \
            and bind.get_execution_options().get("registry_write"):
        raise LazyLoadWhileWriting(f"a lazy load in a write transaction: {state.statement}")


if os.environ.get("MUTANT_UNDER_TEST"):  # set by mutmut, for its stats run and for each mutant
    from registry import queries

    @pytest.fixture(autouse=True)
    def _statements_built_by_each_test():
        """Under mutation testing, each test builds the query statements it runs (they are
        otherwise built once per process): so mutmut maps a builder's mutants to every test that
        runs the statement, and each of those tests runs the mutant's statement."""
        queries.forget_statements()


def pytest_report_header(config):
    return f"registry backends: {', '.join(BACKENDS)}"


def pytest_terminal_summary(terminalreporter):
    """Say so in the summary (which -q keeps) when the PostgreSQL half of the suite did not run."""
    if not POSTGRES_URL:
        terminalreporter.write_line(
            "PostgreSQL half NOT run: REGISTRY_TEST_POSTGRES_URL is not set, so every database test ran on SQLite only",
            yellow=True, bold=True,
        )


def _public_btree_gist(admin) -> None:
    """The registry's exclusion constraint needs btree_gist, which a migration creates in the
    first schema of the search path if the database lacks it.  Kept in public, it outlives every
    test schema: dropped with one, it would take other tests' constraints with it.  Two pytest-xdist
    workers may both find it missing and create it at once; the one that loses sees it there."""
    try:
        with admin.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public"))
    except IntegrityError:
        with admin.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM pg_extension WHERE extname = 'btree_gist'")) == 1


@contextmanager
def fresh_database(backend: str, folder: Path) -> Iterator[str]:
    """A URL (or SQLite path) for an empty database of its own: a file in ``folder``, or a
    PostgreSQL schema that is dropped afterwards."""
    if backend == "sqlite":
        yield str(folder / "registry.db")
        return
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(POSTGRES_URL)
    _public_btree_gist(admin)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def seed(engine):
    """Record the six bundled notices into an empty registry."""
    from registry.intake import read_sources, record_batch

    summary = record_batch(engine, read_sources(str(p) for p in bundled_notice_files()), recorded_by="test")
    assert len(summary.recorded) == 6 and not summary.refused
    return engine


@contextmanager
def seeded_database(backend: str, folder: Path) -> Iterator[tuple[str, object]]:
    """(url, engine) of a fresh registry holding the bundled notices; for module-scoped fixtures."""
    with fresh_database(backend, folder) as url:
        engine = dbmod.make_engine(url)
        dbmod.create_schema(engine)
        try:
            yield url, seed(engine)
        finally:
            engine.dispose()


def ascii_copy(text: str, full_stop: bool = False) -> str:
    """What a web copy does to a notice: ASCII punctuation, [2023] in the number; with
    ``full_stop``, the full stop too."""
    wide, narrow = ("，；：（）〔〕。", ",;:()[].") if full_stop else ("，；：（）〔〕", ",;:()[]")
    for w, n in zip(wide, narrow):
        text = text.replace(w, n)
    return text


def make_notice(number: str, day: str, clauses: list[str]) -> str:
    """A notice in the Linzhi form: number, addressees, basis, clauses, signer, date."""
    body = "；\n\n".join(clauses)
    return (
        "林芝市人民政府\n关于干部任免的通知\n\n"
        f"{number}\n\n各县（区）人民政府，市各委、办、局：\n\n"
        "经中共林芝市人民政府党组研究，决定：\n\n"
        f"{body}。\n\n林芝市人民政府\n\n{day}\n"
    )


class _SeededTemplates:
    """One registry holding the bundled notices per backend, recorded once per session; a test that
    asks for ``seeded`` gets a copy of it (a file copy; on PostgreSQL a database created from it as
    a template), which is what recording the notices again would give, only much faster."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.made: dict[str, str] = {}
        self.databases: list[str] = []

    def copy(self, backend: str, folder: Path) -> str:
        if backend == "sqlite":
            path = folder / "registry.db"
            shutil.copyfile(self.template(backend), path)
            return str(path)
        name = "c_" + uuid.uuid4().hex[:12]
        self._server(f'CREATE DATABASE "{name}" TEMPLATE "{self.template(backend)}"')
        self.databases.append(name)
        return _on_database(name)

    def template(self, backend: str) -> str:
        if backend not in self.made:
            if backend == "sqlite":
                url = str(self.folder / "template.db")
            else:
                name = "tmpl_" + uuid.uuid4().hex[:12]
                self._server(f'CREATE DATABASE "{name}"')
                self.databases.append(name)
                url = _on_database(name)
            engine = dbmod.make_engine(url)
            dbmod.create_schema(engine)
            seed(engine)
            engine.dispose()  # a template database takes no connections; a SQLite file is whole again
            self.made[backend] = url if backend == "sqlite" else name
        return self.made[backend]

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        self._server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.databases.remove(name)

    def close(self) -> None:
        for name in list(self.databases):
            self._server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    @staticmethod
    def _server(statement: str) -> None:
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(statement))
        finally:
            admin.dispose()


def _on_database(name: str) -> str:
    """POSTGRES_URL with another database name (and the same options)."""
    url = make_url(POSTGRES_URL).set(database=name)
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def seeded_templates(tmp_path_factory):
    templates = _SeededTemplates(tmp_path_factory.mktemp("seeded-template"))
    yield templates
    templates.close()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    """A URL (or SQLite path) for an empty database of its own; for a test that asks for
    ``seeded``, a copy of the session's seeded registry."""
    if "seeded" in request.fixturenames:
        templates = request.getfixturevalue("seeded_templates")
        url = templates.copy(request.param, tmp_path)
        yield url
        if request.param != "sqlite":
            templates.drop(url)
        return
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def engine(db_url):
    """An engine on an empty registry (schema created, no notices)."""
    engine = dbmod.make_engine(db_url)
    dbmod.create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def seeded(engine):
    """An engine on a registry holding the six bundled notices (a copy of the session's template,
    see ``db_url``)."""
    return engine


def dump(engine) -> dict[str, list]:
    """Every row of every table in the database (not only the models' tables), in a fixed order;
    on PostgreSQL also every sequence's current value and the schema itself (columns, constraints,
    indexes).  Equal dumps mean an unchanged database; on SQLite, compare ``file_bytes`` too."""
    out: dict[str, list] = {}
    with engine.connect() as conn:
        for name in sorted(inspect(conn).get_table_names()):
            rows = conn.execute(text(f'SELECT * FROM "{name}"')).all()
            out[name] = sorted((tuple(r) for r in rows), key=repr)
        if conn.dialect.name == "postgresql":
            out.update(_postgres_schema(conn))
    return out


def _postgres_schema(conn) -> dict[str, list]:
    """The test schema as PostgreSQL describes it, and where each sequence stands."""
    here = "table_schema = current_schema()"
    described = {
        "(columns)": f"SELECT table_name, column_name, ordinal_position, data_type, is_nullable, column_default "
                     f"FROM information_schema.columns WHERE {here} ORDER BY table_name, ordinal_position",
        "(constraints)": f"SELECT table_name, constraint_name, constraint_type "
                         f"FROM information_schema.table_constraints WHERE {here} ORDER BY table_name, constraint_name",
        "(checks)": "SELECT c.constraint_name, c.check_clause FROM information_schema.check_constraints c "
                    "WHERE c.constraint_schema = current_schema() ORDER BY c.constraint_name, c.check_clause",
        "(key columns)": f"SELECT table_name, constraint_name, column_name, ordinal_position "
                         f"FROM information_schema.key_column_usage WHERE {here} "
                         f"ORDER BY table_name, constraint_name, ordinal_position",
        "(indexes)": "SELECT tablename, indexname, indexdef FROM pg_indexes "
                     "WHERE schemaname = current_schema() ORDER BY tablename, indexname",
    }
    out = {key: [tuple(r) for r in conn.execute(text(query))] for key, query in described.items()}
    out["(sequences)"] = [tuple(r) for r in conn.execute(text(
        "SELECT sequencename, last_value, start_value FROM pg_sequences "
        "WHERE schemaname = current_schema() ORDER BY sequencename"))]
    assert out["(columns)"] and out["(sequences)"], "the PostgreSQL dump found no schema: a vacuous comparison"
    return out


def file_bytes(db_url: str) -> bytes | None:
    """The SQLite file's bytes (None on PostgreSQL), for byte-for-byte comparisons."""
    return Path(db_url).read_bytes() if "://" not in db_url else None


@pytest.fixture
def cli_run(db_url):
    """Run the CLI against this test's database: cli_run("roster", "卫健委", ...) -> click Result."""
    from cli import cli

    runner = CliRunner()

    def run(*args, input=None, env=None):
        return runner.invoke(cli, ["--db", db_url, *args], input=input, env=env, catch_exceptions=False)

    return run


@pytest.fixture
def notice_text():
    """The text of a bundled notice by its number: notice_text(3)."""
    return lambda n: NOTICES[n].read_text(encoding="utf-8")
