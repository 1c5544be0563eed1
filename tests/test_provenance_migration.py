"""Migration 0003 (provenance): a 0.1.0 registry upgrades with its answers unchanged and no source on
record; the new columns keep their rule (pages in order) on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from registry import db as dbmod
from registry import schema

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_0_1_0_registry_upgrades_with_no_source_on_record(tmp_path):
    from cli import cli

    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / "registry-0.1.0.db", path)
    runner = CliRunner()
    run = lambda *args: runner.invoke(cli, ["--db", str(path), *args], catch_exceptions=False)  # noqa: E731
    upgraded = run("upgrade")
    assert upgraded.exit_code == 0, upgraded.stderr
    assert upgraded.stdout.startswith(f"registry {path} upgraded from schema 0001 (as version 0.1.0 wrote it) "
                                      f"to {schema.REVISION}")
    expected = json.loads((FIXTURES / "registry-0.1.0.answers.json").read_text(encoding="utf-8"))["notices"]
    notices = json.loads(run("notices", "--format", "json").stdout)
    assert {n["source"] for n in notices["notices"]} == {None}
    # What 0.1.0 answered, with the keys later versions added (issuer, source) set aside.
    assert [{k: v for k, v in n.items() if k not in ("source", "issuer")} for n in notices["notices"]] == \
        expected["notices"]
    assert notices["missing"] == expected["missing"]
    # A gazette added afterwards finds its notices already recorded (the retracted 11号 is not this 11号).
    gazette = tmp_path / "gazette.txt"
    shutil.copy(FIXTURES / "gazette-2023-01.txt", gazette)
    result = run("add-notice", str(gazette), "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == "0 recorded, 6 already recorded, 0 refused, 4 skipped"


@pytest.mark.parametrize("pages,allowed", [((1, 1), True), ((3, 4), True), ((4, 3), False), ((0, 2), False)])
def test_page_ranges_are_kept_in_order_by_the_database(seeded, pages, allowed):
    statement = text("UPDATE notice_versions SET source_file = 'g.pdf', source_first_page = :first, "
                     "source_last_page = :last WHERE id = (SELECT min(id) FROM notice_versions)")
    with seeded.connect() as conn:
        if allowed:
            conn.execute(statement, {"first": pages[0], "last": pages[1]})
            conn.rollback()
        else:
            with pytest.raises(IntegrityError):
                conn.execute(statement, {"first": pages[0], "last": pages[1]})


def test_the_migration_runs_on_this_backend(db_url):
    """0001, then 0003, on an empty database of this backend: the columns arrive empty and ruled."""
    from alembic import command

    engine = dbmod.make_engine(db_url)
    try:
        with engine.begin() as conn:
            command.upgrade(schema.alembic_config(conn), "0001")
            conn.execute(text("INSERT INTO notices (id, number, series, year, seq) VALUES (1, 'A〔2023〕1号', 'A', 2023, 1)"))
            conn.execute(text(
                "INSERT INTO notice_versions (id, notice_id, version, issuer, title, addressees, basis, signer, date, "
                "text, content_hash, recorded_at, recorded_by) VALUES (1, 1, 1, '', '', '', '', '', '2023-02-06', "
                "'t', 'h', '2023-02-06 00:00:00', '')"))
        with engine.begin() as conn:
            command.upgrade(schema.alembic_config(conn), "0003")
        with engine.connect() as conn:
            row = conn.execute(text("SELECT source_file, source_document, source_first_page, source_last_page "
                                    "FROM notice_versions")).one()
            assert tuple(row) == (None, None, None, None)
            with pytest.raises(IntegrityError):
                conn.execute(text("UPDATE notice_versions SET source_first_page = 5, source_last_page = 2"))
    finally:
        engine.dispose()
