"""A registry that lasts: schema revisions, upgrading a 0.1.0 registry, foreign databases, backups,
bounded waits and faults in one sentence.

``tests/fixtures/registry-0.1.0.db`` was written by version 0.1.0 (its generator is beside it) and
``registry-0.1.0.answers.json`` holds what 0.1.0 answered from it: every roster on every change date
and the day before, every history and people listing, the notices, the changes and the probations.
An upgraded registry must give every one of those answers unchanged, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import MetaData, create_engine, inspect, text

from cli import cli
from conftest import BACKENDS, NOTICES, fresh_database, make_notice
from registry import admin, schema
from registry import db as dbmod
from registry.models import Base

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
OLD = FIXTURES / "registry-0.1.0.db"
ANSWERS = json.loads((FIXTURES / "registry-0.1.0.answers.json").read_text(encoding="utf-8"))


def invoke(db: str, *args, env=None):
    return CliRunner().invoke(cli, ["--db", db, *args], env=env, catch_exceptions=False)


def ask(db: str, *args):
    result = invoke(db, *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def every_answer(db: str) -> dict:
    """The same questions the fixture's generator asked 0.1.0 (see make_v010_registry.every_answer)."""
    orgs = [o["name"] for o in ask(db, "orgs")["organizations"]]
    changes = ask(db, "changes")["changes"]
    dates = sorted({c["date"] for c in changes})
    days = sorted(set(dates) | {(date.fromisoformat(d) - timedelta(days=1)).isoformat() for d in dates})
    names = sorted({c["name"] for c in changes})
    return {
        "orgs": ask(db, "orgs"),
        "notices": ask(db, "notices"),
        "changes": changes,
        "rosters": {f"{org} {day}": ask(db, "roster", org, "--as-of", day) for org in orgs for day in days},
        "histories": {name: ask(db, "history", name) for name in names},
        "people": {name: ask(db, "people", name) for name in names},
        "probation": {day: ask(db, "probation", "--on", day) for day in days},
    }


def compare_answers(found: dict) -> None:
    """Question by question, so that a difference names the question."""
    assert found.keys() == ANSWERS.keys()
    for key, expected in ANSWERS.items():
        if key in ("rosters", "histories", "people", "probation"):
            assert found[key].keys() == expected.keys(), key
            for question, answer in expected.items():
                assert _as_0_1_0(found[key][question], answer) == answer, f"{key}: {question}"
        else:
            assert _as_0_1_0(found[key], expected) == expected, key


def _as_0_1_0(found, expected):
    """``found`` with only the keys 0.1.0 gave: later versions may add keys to a JSON object
    (contracts are extended, never broken), but every key 0.1.0 gave must keep its value."""
    if isinstance(expected, dict) and isinstance(found, dict):
        return {key: _as_0_1_0(found.get(key, "(missing)"), value) for key, value in expected.items()}
    if isinstance(expected, list) and isinstance(found, list) and len(found) == len(expected):
        return [_as_0_1_0(f, e) for f, e in zip(found, expected)]
    return found


def _old_registry_on(backend: str, folder: Path):
    """A 0.1.0 registry on the backend: the fixture file, or its rows copied into a PostgreSQL schema
    created by the baseline migration, left unstamped as 0.1.0 left it."""
    if backend == "sqlite":
        path = folder / "linzhi.db"
        shutil.copy(OLD, path)
        yield str(path)
        return
    with fresh_database(backend, folder) as url:
        engine = create_engine(url)
        with engine.begin() as conn:
            from alembic import command

            command.upgrade(schema.alembic_config(conn), schema.BASELINE)
            conn.execute(text("DROP TABLE alembic_version"))
        source = create_engine(f"sqlite:///{OLD}")
        old = MetaData()
        old.reflect(source)
        target = MetaData()
        target.reflect(engine)
        with source.connect() as read, engine.begin() as write:
            for table in old.sorted_tables:
                rows = [dict(r._mapping) for r in read.execute(table.select())]
                if rows:
                    write.execute(target.tables[table.name].insert(), rows)
            for table in old.sorted_tables:
                if "id" in table.c:
                    write.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {table.name}), 1))"
                    ))
        source.dispose()
        engine.dispose()
        yield url


@pytest.fixture(params=BACKENDS)
def old_registry(request, tmp_path):
    yield from _old_registry_on(request.param, tmp_path)


def test_the_schema_revision_is_the_head_of_the_migrations():
    assert schema.revisions()[0] == schema.REVISION


def test_version_names_the_program_and_the_schema_it_reads():
    from registry import __version__

    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"registry {__version__} (schema revision {schema.REVISION})\n"


def _index_definitions(engine) -> dict[str, str]:
    """Every index of the registry's tables as the database itself states it (its condition included,
    which Alembic's comparison does not look at)."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
        else:
            rows = conn.exec_driver_sql("SELECT indexname, replace(indexdef, current_schema() || '.', '') "
                                        "FROM pg_indexes WHERE schemaname = current_schema()")
        return {name: " ".join(definition.split()) for name, definition in rows}


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_migrations_build_the_models_indexes_word_for_word(backend, tmp_path):
    """A registry upgraded step by step and a new one have the same indexes, partial ones with the
    same condition (revision 0008 made the index of 列X之后 references partial)."""
    from alembic import command

    definitions = []
    for how in ("migrated", "created"):
        (tmp_path / how).mkdir()
        with fresh_database(backend, tmp_path / how) as url:
            engine = dbmod.make_engine(url)
            try:
                if how == "migrated":
                    with engine.begin() as conn:
                        command.upgrade(schema.alembic_config(conn), "head")
                else:
                    dbmod.create_schema(engine)
                definitions.append(_index_definitions(engine))
            finally:
                engine.dispose()
    migrated, created = definitions
    assert migrated == created
    assert "WHERE ranked_after_person_id IS NOT NULL" in created["ix_actions_ranked_after_person_id"].replace("(", "").replace(")", "")

@pytest.mark.parametrize("backend", BACKENDS)
def test_the_migrations_build_exactly_the_models(backend, tmp_path):
    """Alembic's autogenerate comparison finds no difference between the migrated schema and the models."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with fresh_database(backend, tmp_path) as url:
        engine = dbmod.make_engine(url)
        try:
            with engine.begin() as conn:
                from alembic import command

                command.upgrade(schema.alembic_config(conn), "head")
            with engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={"compare_type": True})
                assert compare_metadata(context, Base.metadata) == []
        finally:
            engine.dispose()


def test_an_old_registry_is_refused_until_upgraded_and_left_untouched(tmp_path):
    path = tmp_path / "linzhi.db"
    shutil.copy(OLD, path)
    before = path.read_bytes()
    for args in (("roster", "卫健委"), ("history", "尼玛"), ("add-notice", str(NOTICES[2]), "--yes"), ("check",)):
        result = invoke(str(path), *args)
        assert result.exit_code == 1, args
        assert result.stderr == (
            f"Error: the registry {path} was written by an earlier version (schema 0001); "
            f"run `registry --db {path} upgrade` first (it makes a backup)\n"
        )
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["linzhi.db"]


def test_upgrading_an_old_registry_keeps_every_answer(old_registry):
    result = invoke(old_registry, "upgrade")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"registry {dbmod.display(old_registry)} upgraded from schema 0001 "
                                    f"(as version 0.1.0 wrote it) to {schema.REVISION}")
    compare_answers(every_answer(old_registry))
    again = invoke(old_registry, "upgrade")
    assert again.exit_code == 0
    assert again.stdout == f"registry {dbmod.display(old_registry)} is already at schema {schema.REVISION}; nothing to do\n"


def test_an_upgraded_registry_takes_new_notices_as_a_new_one_would(old_registry, tmp_path):
    assert invoke(old_registry, "upgrade").exit_code == 0
    notice = tmp_path / "20.txt"
    notice.write_text(make_notice("林政发〔2023〕20号", "2023年4月1日", ["格桑任市卫生健康委员会主任"]), encoding="utf-8")
    result = invoke(old_registry, "add-notice", str(notice), "--yes")
    assert result.exit_code == 0, result.stderr
    roster = ask(old_registry, "roster", "卫健委", "--as-of", "2023-04-01")
    assert [(m["name"], m["title"]) for m in roster["members"]] == [
        ("格桑", "主任"), ("胡秀兰", "副主任"), ("罗布顿珠", "副主任"), ("格桑", "副主任"),
    ]


def test_the_upgrade_backup_is_the_old_registry(tmp_path):
    path = tmp_path / "linzhi.db"
    shutil.copy(OLD, path)
    result = invoke(str(path), "upgrade")
    assert result.exit_code == 0, result.stderr
    (backup,) = [p for p in tmp_path.iterdir() if ".before-upgrade-0001-" in p.name]
    assert backup.name.startswith("linzhi.db.before-upgrade-0001-") and backup.name.endswith("Z")
    assert f"; backup at {backup}\n" in result.stdout
    with sqlite3.connect(backup) as copy, sqlite3.connect(OLD) as old:
        for (table,) in old.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            assert copy.execute(f"SELECT * FROM {table}").fetchall() == old.execute(f"SELECT * FROM {table}").fetchall()
    assert admin.examine(dbmod.make_engine(str(backup))) == schema.State("registry", "0001", stamped=False)


def test_an_upgraded_registry_is_marked_and_in_wal_mode(tmp_path):
    path = tmp_path / "linzhi.db"
    shutil.copy(OLD, path)
    assert invoke(str(path), "upgrade").exit_code == 0
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == schema.APPLICATION_ID
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT value FROM meta WHERE key = 'application'").fetchone() == ("registry",)
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(schema.REVISION,)]


def test_a_registry_from_a_newer_program_is_refused(engine, db_url):
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    for args in (("roster", "卫健委"), ("upgrade",), ("init",)):
        result = invoke(db_url, *args)
        assert result.exit_code == 1, args
        assert result.stderr == (
            f"Error: the registry {dbmod.display(db_url)} was written by a newer version of this program "
            f"(schema 9999); this one reads schema {schema.REVISION}: install the newer version\n"
        )


def _foreign(db_url: str) -> None:
    engine = create_engine(dbmod.url_for(db_url))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)"))
        conn.execute(text("INSERT INTO moz_places (id, url) VALUES (1, 'https://example.org/')"))
        conn.execute(text("CREATE TABLE meta (key VARCHAR(40) PRIMARY KEY, value VARCHAR(200))"))
    engine.dispose()


def _tables(db_url: str) -> dict:
    engine = create_engine(dbmod.url_for(db_url))
    try:
        with engine.connect() as conn:
            names = sorted(inspect(conn).get_table_names())
            return {name: conn.execute(text(f"SELECT * FROM {name}")).fetchall() for name in names}
    finally:
        engine.dispose()


@pytest.mark.parametrize("args", [("init",), ("init", "--empty"), ("roster", "卫健委"), ("upgrade",),
                                  ("add-notice", str(NOTICES[2]), "--yes")])
def test_another_applications_database_is_refused_and_unchanged(db_url, args):
    _foreign(db_url)
    before = _tables(db_url)
    raw = Path(db_url).read_bytes() if "://" not in db_url else None
    result = invoke(db_url, *args)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {dbmod.display(db_url)} holds other tables and is not a registry; nothing was changed in it\n"
    )
    assert _tables(db_url) == before
    if raw is not None:
        assert Path(db_url).read_bytes() == raw


def test_a_file_that_is_not_a_database_is_one_sentence(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes("这不是数据库，只是一段文字。".encode() * 100)
    before = path.read_bytes()
    result = invoke(str(path), "roster", "卫健委")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {path} is not a registry: the file is not a SQLite database\n"
    assert path.read_bytes() == before


def test_init_twice_and_a_new_registry_is_current(db_url):
    first = invoke(db_url, "init")
    assert first.exit_code == 0, first.stderr
    assert first.stdout == f"registry ready at {dbmod.display(db_url)}: 6 notices recorded, 0 already recorded\n"
    second = invoke(db_url, "init")
    assert second.stdout == f"registry ready at {dbmod.display(db_url)}: 0 notices recorded, 6 already recorded\n"
    assert admin.examine(dbmod.make_engine(db_url)).current


# -- backup -----------------------------------------------------------------------------

def test_backup_copies_a_registry_while_another_writer_holds_it(tmp_path):
    path = tmp_path / "linzhi.db"
    assert invoke(str(path), "init").exit_code == 0
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE meta SET value = 'held' WHERE key = 'writer'")
    try:
        result = invoke(str(path), "backup", str(tmp_path / "copy.db"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"registry {path} backed up to {tmp_path / 'copy.db'}\n"
    assert ask(str(tmp_path / "copy.db"), "roster", "卫健委", "--as-of", "2023-02-07") == \
        ask(str(path), "roster", "卫健委", "--as-of", "2023-02-07")
    again = invoke(str(path), "backup", str(tmp_path / "copy.db"))
    assert again.exit_code == 1
    assert again.stderr == f"Error: {tmp_path / 'copy.db'} already exists; choose a new file name\n"


def test_backup_of_a_postgresql_registry_names_pg_dump(engine, db_url, tmp_path):
    result = invoke(db_url, "backup", str(tmp_path / "copy.db"))
    if "://" not in db_url:
        assert result.exit_code == 0, result.stderr
        assert (tmp_path / "copy.db").exists()
        return
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: a PostgreSQL registry is backed up with pg_dump (see the README); nothing was written\n"
    )
    assert not (tmp_path / "copy.db").exists()


# -- waits and faults --------------------------------------------------------------------

def test_a_writer_that_cannot_get_the_lock_is_told_the_registry_is_busy(seeded, db_url, tmp_path):
    notice = tmp_path / "20.txt"
    notice.write_text(make_notice("林政发〔2023〕20号", "2023年4月1日", ["格桑任市卫生健康委员会主任"]), encoding="utf-8")
    with dbmod.writing(seeded):
        process = subprocess.run(
            [sys.executable, str(ROOT / "cli.py"), "--db", db_url, "add-notice", str(notice), "--yes"],
            cwd=ROOT, env=dict(os.environ, REGISTRY_LOCK_TIMEOUT="1"), capture_output=True, text=True,
            timeout=120,
        )
    assert process.returncode == 1
    assert process.stderr == "Error: the registry is busy with another writer; nothing was recorded, try again\n"
    assert ask(db_url, "notices")["notices"][-1]["number"] == "林政发〔2023〕8号"


def test_a_reader_is_not_blocked_by_a_writer(seeded, db_url):
    with dbmod.writing(seeded) as session:
        session.execute(text("UPDATE meta SET value = 'busy' WHERE key = 'writer'"))
        session.flush()
        process = subprocess.run(
            [sys.executable, str(ROOT / "cli.py"), "--db", db_url, "roster", "卫健委", "--as-of", "2023-02-07",
             "--format", "json"],
            cwd=ROOT, env=dict(os.environ, REGISTRY_LOCK_TIMEOUT="1"), capture_output=True, text=True, timeout=120,
        )
    assert process.returncode == 0, process.stderr
    assert [m["name"] for m in json.loads(process.stdout)["members"]] == ["尼玛", "胡秀兰", "罗布顿珠"]


def test_a_password_is_never_printed():
    url = "postgresql+psycopg://hr:s3cret-pw@127.0.0.1:1/registry"
    for args in (("roster", "卫健委"), ("init",)):
        result = invoke(url, *args)
        assert result.exit_code == 1
        assert "s3cret-pw" not in result.output
        assert result.stderr == (
            "Error: cannot reach the database server for postgresql+psycopg://hr:***@127.0.0.1:1/registry; "
            "is it running and reachable?\n"
        )


def test_a_server_that_never_answers_is_given_up_on(monkeypatch):
    """A listener that accepts the connection and says nothing: the client gives up after the connect timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True)
    thread.start()
    monkeypatch.setattr(dbmod, "CONNECT_TIMEOUT_SECONDS", 2)
    try:
        url = f"postgresql+psycopg://hr@127.0.0.1:{listener.getsockname()[1]}/registry"
        result = invoke(url, "roster", "卫健委")
    finally:
        for connection, _ in accepted:
            connection.close()
        listener.close()
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: the database server for {url} did not answer within 2 s\n"
    )


def test_a_read_only_registry_refuses_a_write_in_one_sentence(tmp_path):
    path = tmp_path / "linzhi.db"
    assert invoke(str(path), "init").exit_code == 0
    before = path.read_bytes()
    url = f"sqlite:///file:{path}?mode=ro&uri=true"
    assert ask(url, "roster", "卫健委", "--as-of", "2023-02-07")["members"]
    notice = tmp_path / "20.txt"
    notice.write_text(make_notice("林政发〔2023〕20号", "2023年4月1日", ["格桑任市卫生健康委员会主任"]), encoding="utf-8")
    result = invoke(url, "add-notice", str(notice), "--yes")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {url} is read-only (the file or its folder or mount); nothing was recorded\n"
    assert path.read_bytes() == before


@pytest.mark.parametrize("message, sentence", [
    ("database or disk is full", "the disk holding x.db is full; nothing was recorded"),
    ("attempt to write a readonly database", "x.db is read-only (the file or its folder or mount); nothing was recorded"),
    ("database is locked", "the registry x.db is busy with another writer; nothing was recorded, try again"),
    ("unable to open database file", "cannot open x.db: the folder is missing or permission is denied"),
    ("file is not a database", "x.db is not a registry: the file is not a SQLite database"),
])
def test_sqlite_faults_are_one_sentence_without_sql(message, sentence):
    from sqlalchemy.exc import OperationalError

    error = OperationalError("INSERT INTO holdings VALUES (?)", ("secret parameter",), sqlite3.OperationalError(message))
    assert dbmod.fault_sentence(error, "x.db") == sentence


def test_an_unwritable_folder_for_the_default_registry_is_one_sentence(tmp_path):
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data folder should be")
    result = CliRunner().invoke(cli, ["roster", "卫健委"], env={"XDG_DATA_HOME": str(blocker), "REGISTRY_DB": None})
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output and "unexpected failure" not in result.output


# -- the default registry: all or nothing -------------------------------------------------

FIRST_USE = """
import sys, time
import registry.record as record
work = record.add_notice
count = 0
def add_notice(*args, **kwargs):
    global count
    outcome = work(*args, **kwargs)
    count += 1
    sys.stderr.write(f"registry-test: notice {count}\\n")
    sys.stderr.flush()
    time.sleep(0.2)
    return outcome
import registry.intake as intake
intake.add_notice = add_notice
from cli import cli
cli(sys.argv[1:], prog_name="registry")
"""


@pytest.mark.parametrize("kill_after", [1, 3, 6])
def test_a_first_use_killed_part_way_leaves_no_registry(tmp_path, kill_after):
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path))
    env.pop("REGISTRY_DB", None)
    process = subprocess.Popen(
        [sys.executable, "-c", FIRST_USE, "roster", "卫健委", "--as-of", "2023-02-07"], cwd=ROOT, env=env,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    while True:
        line = process.stderr.readline()
        assert line, f"the first use ended before notice {kill_after}: exit {process.wait()}"
        if line == f"registry-test: notice {kill_after}\n":
            break
    process.send_signal(signal.SIGKILL)
    process.wait()
    path = tmp_path / "registry" / "registry.db"
    assert not path.exists()
    result = CliRunner().invoke(cli, ["roster", "卫健委", "--as-of", "2023-02-07", "--format", "json"],
                                env={"XDG_DATA_HOME": str(tmp_path), "REGISTRY_DB": None})
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"registry: created {path} with the 6 bundled notices\n"
    assert [m["name"] for m in json.loads(result.stdout)["members"]] == ["尼玛", "胡秀兰", "罗布顿珠"]
    assert sorted(p.name for p in path.parent.iterdir() if not p.name.startswith("registry.db-")) == ["registry.db"]
