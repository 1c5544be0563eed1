"""The rules the database holds, on SQLite and PostgreSQL, and ``check`` on a registry written around them.

Each rule is tested by writing what it forbids directly with SQL: the
database refuses it and stays as it was.  Then the rule is bypassed (as a
hand edit, or an older program, could) and ``check`` must report what was
planted, in one finding, without crashing.  Recorded time comes from the
database server and only moves forward.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import event, insert, select, text
from sqlalchemy.exc import IntegrityError

from conftest import dump, make_notice
from registry import admin, derive, record, timerules
from registry import db as dbmod
from registry.db import is_sqlite, writing
from registry.models import END_REASONS, Holding, Meta, Notice, NoticeVersion, Person, Post, server_now
from registry.parse import END_REASONS as PARSED_END_REASONS

THREE = "林政发〔2023〕3号"


def as_json(result):
    return json.loads(result.stdout)


def current_holding(engine, name: str, title: str) -> dict:
    """The one current holding of ``name`` as ``title``, as a row of column values without its id."""
    with engine.connect() as conn:
        row = conn.execute(
            select(Holding.__table__).join(Person, Holding.person_id == Person.id)
            .join(Post, Holding.post_id == Post.id)
            .where(Person.name == name, Post.title == title, Holding.known_until.is_(None))
        ).mappings().one()
    return {key: value for key, value in row.items() if key != "id"}


def rows_and_schema(engine) -> dict:
    """``dump`` without the sequence positions: PostgreSQL spends a sequence value on an INSERT that
    it then refuses, which is no change to what the registry holds.  (The registry's own writes put
    the sequences back on a refusal; these statements are plain SQL, around the registry.)"""
    return {key: value for key, value in dump(engine).items() if key != "(sequences)"}


def refused(engine, *statements: str) -> None:
    """Each statement in one transaction: the database refuses it, and nothing changes."""
    before = rows_and_schema(engine)
    with pytest.raises(IntegrityError):
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
    assert rows_and_schema(engine) == before


# -- no two current holdings of one person in one post share a date -----------------

# 李艳君 holds 市商务局副局长 from 2023-02-06, still.
@pytest.mark.parametrize("since, until, overlaps", [
    (date(2022, 1, 1), date(2023, 2, 6), False),  # ends the day the other starts: half-open, no overlap
    (date(2022, 1, 1), date(2023, 2, 7), True),
    (None, date(2023, 2, 6), False),
    (None, date(2023, 2, 7), True),  # no start on record: open below
    (None, None, True),
    (date(2023, 2, 6), None, True),
    (date(2030, 1, 1), None, True),
])
def test_an_overlapping_current_holding_is_refused(seeded, since, until, overlaps):
    row = current_holding(seeded, "李艳君", "副局长")
    statement = insert(Holding.__table__).values({**row, "since": since, "until": until})
    before = rows_and_schema(seeded)
    if overlaps:
        with pytest.raises(IntegrityError, match="holding_no_overlap"):
            with seeded.begin() as conn:
                conn.execute(statement)
        assert rows_and_schema(seeded) == before
    else:
        with seeded.begin() as conn:
            conn.execute(statement)
        assert len(dump(seeded)["holdings"]) == len(before["holdings"]) + 1


def test_overlaps_with_closed_rows_are_history_not_a_clash(seeded):
    """A row the registry no longer shows (known_until set) may overlap a current one."""
    row = current_holding(seeded, "李艳君", "副局长")
    with seeded.begin() as conn:
        conn.execute(insert(Holding.__table__).values(
            {**row, "since": None, "known_until": row["known_from"] + timedelta(seconds=1)}))


def test_reopening_a_row_into_an_overlap_is_refused(seeded):
    """The rule holds for updates too: a closed row made current again, or a current row moved onto another."""
    row = current_holding(seeded, "李艳君", "副局长")
    with seeded.begin() as conn:
        conn.execute(insert(Holding.__table__).values(
            {**row, "since": date(2022, 1, 1), "until": date(2023, 2, 6)}))
        conn.execute(insert(Holding.__table__).values(
            {**row, "since": None, "until": None, "known_until": row["known_from"] + timedelta(seconds=1)}))
    refused(seeded, "UPDATE holdings SET until = '2023-03-01' WHERE since = '2022-01-01'")
    refused(seeded, "UPDATE holdings SET known_until = NULL WHERE since IS NULL AND known_until IS NOT NULL "
                    f"AND person_id = {row['person_id']}")


# -- closed sets, recorded time, one active version, foreign keys ---------------------

FIRST_REMOVAL = "(SELECT min(id) FROM actions WHERE kind = 'remove')"
ENDED_HOLDING = "(SELECT min(id) FROM holdings WHERE end_reason IS NOT NULL)"


@pytest.mark.parametrize("statements", [
    pytest.param(["UPDATE actions SET kind = 'promote' WHERE id = (SELECT min(id) FROM actions)"], id="action kind"),
    pytest.param([f"UPDATE actions SET end_reason = 'fired' WHERE id = {FIRST_REMOVAL}"], id="action end reason"),
    pytest.param([f"UPDATE holdings SET end_reason = 'fired' WHERE id = {ENDED_HOLDING}"], id="holding end reason"),
    pytest.param(["UPDATE holdings SET known_until = known_from WHERE id = (SELECT min(id) FROM holdings)"],
                 id="known_until = known_from"),
    pytest.param(["UPDATE holdings SET known_until = '2000-01-01 00:00:00' WHERE id = (SELECT min(id) FROM holdings)"],
                 id="known_until before known_from"),
    pytest.param(["UPDATE notice_versions SET supersede_kind = 'deleted', superseded_at = recorded_at "
                  "WHERE id = (SELECT min(id) FROM notice_versions)"], id="supersede kind"),
    pytest.param(["INSERT INTO notice_versions (notice_id, version, issuer, title, addressees, basis, signer, date, "
                  "text, content_hash, recorded_at, recorded_by) SELECT notice_id, version + 1, issuer, title, "
                  "addressees, basis, signer, date, text, content_hash, recorded_at, recorded_by "
                  "FROM notice_versions WHERE id = (SELECT min(id) FROM notice_versions)"],
                 id="second active version"),
    pytest.param(["INSERT INTO person_events (kind, person_id, other_person_id, reason, recorded_at, recorded_by) "
                  "SELECT 'rename', min(id), max(id), 'r', CURRENT_TIMESTAMP, '' FROM people"], id="event kind"),
    pytest.param(["INSERT INTO person_events (kind, person_id, other_person_id, reason, recorded_at, recorded_by) "
                  "SELECT 'split', min(id), max(id), 'r', CURRENT_TIMESTAMP, '' FROM people",
                  "INSERT INTO person_event_actions (event_id, action_id, role) "
                  "SELECT (SELECT max(id) FROM person_events), min(id), 'boss' FROM actions"], id="split role"),
    pytest.param(["UPDATE holdings SET start_action_id = 999999 WHERE id = (SELECT min(id) FROM holdings)"],
                 id="holding to a missing action"),
    pytest.param(["INSERT INTO person_events (kind, person_id, other_person_id, reason, recorded_at, recorded_by) "
                  "SELECT 'split', min(id), max(id), 'r', CURRENT_TIMESTAMP, '' FROM people",
                  "INSERT INTO person_event_actions (event_id, action_id, role) "
                  "SELECT max(id), 999999, 'subject' FROM person_events"], id="split to a missing action"),
])
def test_the_database_refuses_what_the_rules_forbid(seeded, statements):
    refused(seeded, *statements)


def test_every_end_reason_the_parser_gives_is_one_the_database_accepts():
    assert set(PARSED_END_REASONS) <= set(END_REASONS)


# -- derivation never produces an overlap ----------------------------------------------

def test_a_second_removal_of_the_same_person_is_refused_not_doubled(seeded, cli_run, tmp_path):
    """李艳君, removed on 2023-03-01, is linked by hand to a second removal from the same post on 2023-04-01.
    That second holding would start on an unknown date, overlapping the first: the notice is refused."""
    person = current_holding(seeded, "李艳君", "副局长")["person_id"]
    first = tmp_path / "31.txt"
    first.write_text(make_notice("林政发〔2023〕31号", "2023年3月1日", ["免去李艳君的市商务局副局长职务"]), encoding="utf-8")
    assert cli_run("add-notice", str(first), "--yes").exit_code == 0
    second = tmp_path / "32.txt"
    second.write_text(make_notice("林政发〔2023〕32号", "2023年4月1日", ["免去李艳君的市商务局副局长职务"]), encoding="utf-8")
    before = dump(seeded)
    result = cli_run("add-notice", str(second), "--yes", "--person", f"李艳君={person}")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: 李艳君 (person {person}) would hold 副局长 twice at once ((未记载)–2023-04-01 and "
        f"2023-02-06–2023-03-01); a second holding needs an appointment between the two on record, "
        f"or --person to name someone else\n"
    )
    assert dump(seeded) == before


# -- append-only history -----------------------------------------------------------------

def test_rebuild_keeps_recorded_rows(seeded):
    """A rebuild over holdings on record re-derives now: it closes and opens, never deletes or rewrites."""
    before = dump(seeded)["holdings"]
    with writing(seeded) as session:
        derive.rebuild(session)
    assert dump(seeded)["holdings"] == before
    # A derivation that now differs (a row's position changed behind its back) is closed, not rewritten.
    with seeded.begin() as conn:
        changed = conn.execute(select(Holding.id).where(Holding.known_until.is_(None)).order_by(Holding.id)).scalar()
        conn.execute(text("UPDATE holdings SET position = 99 WHERE id = :id"), {"id": changed})
    with writing(seeded) as session:
        derive.rebuild(session)
    after = {row[0]: row for row in dump(seeded)["holdings"]}
    assert set(after) > {row[0] for row in before}
    closed = after[changed]
    assert closed[Holding.__table__.columns.keys().index("known_until")] is not None


# -- recorded time -----------------------------------------------------------------------

def test_recorded_time_is_the_servers_utc_clock(db_url, notice_text):
    """The database server's clock, in UTC whatever the session's time zone."""
    engine = dbmod.make_engine(db_url)
    if not is_sqlite(engine):
        @event.listens_for(engine, "connect")
        def _zone(dbapi_connection, _record):
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET TIME ZONE 'Asia/Shanghai'")
            dbapi_connection.commit()
    dbmod.create_schema(engine)
    try:
        with engine.connect() as conn:
            start = conn.execute(select(server_now())).scalar()
        with writing(engine) as session:
            record.add_notice(session, notice_text(3))
        with engine.connect() as conn:
            end = conn.execute(select(server_now())).scalar()
            recorded = conn.execute(select(NoticeVersion.recorded_at)).scalar_one()
            known = set(conn.execute(select(Holding.known_from)).scalars())
        utc = datetime.now(timezone.utc).replace(tzinfo=None)
        assert start <= recorded <= end
        assert abs(utc - recorded) < timedelta(minutes=5)
        assert known == {recorded}
    finally:
        engine.dispose()


def test_two_writes_in_one_moment_get_later_and_later_times(engine):
    with writing(engine) as session:
        times = [timerules.clock(session) for _ in range(5)]
    assert times == sorted(set(times))


def test_recorded_time_moves_forward_when_the_server_clock_goes_back(engine, notice_text):
    """A notice recorded while the server's clock ran an hour fast; the clock is put right, and the
    retraction that follows is still recorded after it, so that known_until > known_from."""
    with writing(engine) as session:
        ahead = session.scalar(select(server_now())) + timedelta(hours=1)
        record.add_notice(session, notice_text(3), now=ahead)
    with writing(engine) as session:
        record.retract(session, THREE, "issued in error")
    with engine.connect() as conn:
        version = conn.execute(select(NoticeVersion.recorded_at, NoticeVersion.superseded_at)).one()
        assert version.recorded_at == ahead
        assert version.superseded_at == ahead + timerules.TICK
        closed = conn.execute(select(Holding.known_from, Holding.known_until)).all()
    assert closed and all(until == ahead + timerules.TICK and since == ahead for since, until in closed)


def test_a_time_handed_out_counts_though_nothing_was_written_with_it(engine):
    """The clock keeps the latest time it handed out, whether or not a row holds it, and a moment
    chosen earlier than that (as tests choose theirs) is used as it is without setting it back."""
    with writing(engine) as session:
        ahead = session.scalar(select(server_now())) + timedelta(hours=1)
        assert timerules.clock(session, ahead) == ahead
    with writing(engine) as session:
        earlier = ahead - timedelta(minutes=30)
        assert timerules.clock(session, earlier) == earlier
    with writing(engine) as session:
        assert timerules.clock(session) == ahead + timerules.TICK


def test_a_registry_that_kept_no_clock_starts_from_its_latest_recorded_time(engine, notice_text):
    with writing(engine) as session:
        ahead = session.scalar(select(server_now())) + timedelta(hours=1)
        record.add_notice(session, notice_text(3), now=ahead)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM meta WHERE key = 'clock'"))
    with writing(engine) as session:
        assert timerules.clock(session) == ahead + timerules.TICK
        assert session.get(Meta, "clock").value == (ahead + timerules.TICK).isoformat()


# -- lengths -----------------------------------------------------------------------------

def test_a_long_user_is_refused_in_a_sentence(seeded, cli_run, notice_text, tmp_path):
    path = tmp_path / "3.txt"
    path.write_text(notice_text(3).replace("杨帆", "杨凡"), encoding="utf-8")
    before = dump(seeded)
    result = cli_run("--user", "u" * 300, "amend", THREE, str(path), "--reason", "typo")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("Error: the user (--user) 'uuuuuuuuuuuuuuuuuuuu…' is 300 characters long; "
                             "the registry keeps at most 100\n")
    assert dump(seeded) == before


@pytest.mark.parametrize("clause, message", [
    ("任命扎西为市" + "水" * 200 + "局副局长", "the organization name '市" + "水" * 19 + "…' is 202 characters long; "
                                             "the registry keeps at most 200"),
])
def test_a_long_field_is_refused_in_a_sentence(engine, cli_run, tmp_path, clause, message):
    path = tmp_path / "31.txt"
    path.write_text(make_notice("林政发〔2023〕31号", "2023年6月1日", [clause]), encoding="utf-8")
    before = dump(engine)
    result = cli_run("add-notice", str(path), "--yes")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.endswith(f"{message}\n"), result.stderr
    assert dump(engine) == before


def test_a_ten_megabyte_title_is_refused(engine, cli_run, tmp_path):
    text_ = make_notice("林政发〔2023〕31号", "2023年6月1日", ["任命扎西为市水利局副局长"])
    path = tmp_path / "31.txt"
    path.write_text(text_.replace("关于干部任免的通知", "关于" + "长" * (10 * 1024 * 1024)), encoding="utf-8")
    before = dump(engine)
    result = cli_run("add-notice", str(path), "--yes")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("Error: the text is 31,457,528 bytes, more than any notice could be "
                             "(at most 2,000,000 bytes); it was not read\n")
    assert dump(engine) == before


def test_a_text_of_more_characters_than_a_notice_has_is_refused(engine, cli_run, tmp_path):
    """Under the byte limit, over the character limit: refused before it is parsed."""
    text_ = make_notice("林政发〔2023〕31号", "2023年6月1日", ["任命扎西为市水利局副局长"])
    path = tmp_path / "31.txt"
    path.write_text(text_.replace("关于干部任免的通知", "关于" + "长" * 300_000), encoding="utf-8")
    before = dump(engine)
    result = cli_run("add-notice", str(path), "--yes")
    assert (result.exit_code, result.stdout) == (1, "")
    assert "a notice is at most 200000" in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert dump(engine) == before


def test_a_title_longer_than_its_column_is_refused(engine):
    from registry.errors import NoticeError

    text_ = make_notice("林政发〔2023〕31号", "2023年6月1日", ["任命扎西为市水利局副局长"])
    with pytest.raises(NoticeError, match=r"^the notice title '关于长长.*' is 605 characters long; "
                                          r"the registry keeps at most 500$"):
        with writing(engine) as session:
            record.add_notice(session, text_.replace("关于干部任免的通知", "关于" + "长" * 600 + "的通知"))


# -- check on a registry written around the rules -------------------------------------

def bypass(engine, sqlite_statements: list[str], postgres_statements: list[str], statements: list[str]) -> None:
    """Write ``statements`` with a rule switched off, as a hand edit or an older program could."""
    if is_sqlite(engine):
        # A plain sqlite3 connection: foreign keys off, as the sqlite3 shell has them.
        conn = sqlite3.connect(engine.url.database)
        try:
            for statement in sqlite_statements + statements:
                conn.execute(statement)
            conn.commit()
        finally:
            conn.close()
    else:
        with engine.begin() as conn:
            for statement in postgres_statements + statements:
                conn.execute(text(statement))


def notice_id(engine, number: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(Notice.id).where(Notice.number == number)).scalar_one()


def ids(holdings=(), people=(), notices=()) -> dict:
    return {"holdings": list(holdings), "people": list(people), "notices": list(notices)}


def errors_of(cli_run, code: str) -> tuple[int, list[dict]]:
    result = cli_run("check", "--format", "json")
    return result.exit_code, [e for e in as_json(result)["errors"] if e["code"] == code]


def test_check_reports_a_text_changed_after_recording(seeded, cli_run):
    bypass(seeded, [], [], [
        "UPDATE notice_versions SET text = replace(text, '胡秀兰', '胡秀蓝') "
        f"WHERE notice_id = (SELECT id FROM notices WHERE number = '{THREE}')"])
    assert errors_of(cli_run, "text_changed") == (1, [{
        "code": "text_changed",
        "message": f"the stored text of {THREE} (version 1) does not match the hash it was recorded with: "
                   f"it was changed after recording",
        "ids": ids(notices=[notice_id(seeded, THREE)]),
    }])


def test_check_reports_a_dangling_reference_without_crashing(seeded, cli_run):
    with seeded.connect() as conn:
        holding = conn.execute(select(Holding.id).order_by(Holding.id)).scalar()
    bypass(seeded, [], ["SET LOCAL session_replication_role = replica"],
           [f"UPDATE holdings SET start_action_id = 999999 WHERE id = {holding}"])
    result = cli_run("check", "--format", "json")
    assert result.exit_code == 1
    assert "unexpected" not in result.stderr
    found = [e for e in as_json(result)["errors"] if e["code"] == "dangling_reference"]
    assert found == [{
        "code": "dangling_reference",
        "message": f"holding {holding} refers to action 999999 (start_action_id), which does not exist",
        "ids": ids(holdings=[holding]),
    }]
    table = cli_run("check")
    assert table.exit_code == 1 and "dangling_reference" in table.stdout


def test_check_reports_an_unknown_kind(seeded, cli_run):
    with seeded.connect() as conn:
        action = conn.execute(text("SELECT min(id) FROM actions")).scalar()
    bypass(seeded, ["PRAGMA ignore_check_constraints = ON"], ["ALTER TABLE actions DROP CONSTRAINT action_kind"],
           [f"UPDATE actions SET kind = 'promote' WHERE id = {action}"])
    assert errors_of(cli_run, "unknown_value") == (1, [{
        "code": "unknown_value",
        "message": f"action {action} has kind 'promote', which is not one of appoint, remove",
        "ids": ids(),
    }])


def test_check_reports_two_active_versions(seeded, cli_run):
    bypass(seeded, ["DROP INDEX ux_notice_versions_active"], ["DROP INDEX ux_notice_versions_active"], [
        "INSERT INTO notice_versions (notice_id, version, issuer, title, addressees, basis, signer, date, text, "
        "content_hash, recorded_at, recorded_by) SELECT notice_id, version + 1, issuer, title, addressees, basis, "
        "signer, date, text, content_hash, recorded_at, recorded_by FROM notice_versions "
        f"WHERE notice_id = (SELECT id FROM notices WHERE number = '{THREE}')"])
    assert errors_of(cli_run, "several_active_versions") == (1, [{
        "code": "several_active_versions",
        "message": f"{THREE} has 2 active versions; a notice has at most one",
        "ids": ids(notices=[notice_id(seeded, THREE)]),
    }])


def test_check_reports_recorded_time_that_went_back(seeded, cli_run):
    with seeded.connect() as conn:
        holding = conn.execute(select(Holding.id).order_by(Holding.id)).scalar()
    bypass(seeded, ["PRAGMA ignore_check_constraints = ON"],
           ["ALTER TABLE holdings DROP CONSTRAINT holding_known_until_after_from"],
           [f"UPDATE holdings SET known_until = '2000-01-01 00:00:00' WHERE id = {holding}"])
    assert errors_of(cli_run, "known_before_recorded") == (1, [{
        "code": "known_before_recorded",
        "message": f"holding {holding} is known until a time not after it was known from (recorded time went back)",
        "ids": ids(holdings=[holding]),
    }])


# -- the migration ------------------------------------------------------------------------

def test_upgrading_moves_a_splits_actions_into_the_link_table(tmp_path):
    """The 0.1.0 fixture holds a split whose actions were a JSON string; after the upgrade they are rows."""
    path = tmp_path / "registry.db"
    shutil.copy("tests/fixtures/registry-0.1.0.db", path)
    conn = sqlite3.connect(path)
    expected = sorted(
        (event_id, item["action"], item["role"])
        for event_id, ids_json in conn.execute("SELECT id, action_ids_json FROM person_events")
        for item in json.loads(ids_json)
    )
    conn.close()
    assert expected
    engine = dbmod.make_engine(str(path))
    try:
        admin.upgrade(engine, str(path))
        with engine.connect() as conn:
            assert sorted(tuple(r) for r in conn.execute(text("SELECT * FROM person_event_actions"))) == expected
            triggers = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"))
            assert list(triggers.scalars()) == ["holding_no_overlap_insert", "holding_no_overlap_update"]
        refused(engine, "UPDATE actions SET kind = 'promote' WHERE id = (SELECT min(id) FROM actions)")
    finally:
        engine.dispose()


def test_an_old_registry_that_breaks_a_rule_is_refused_by_the_upgrade_and_kept(tmp_path, monkeypatch):
    """Two current holdings of one person in one post, written by 0.1.0: the upgrade names them
    and changes nothing; the registry still answers as before with the old program."""
    from click.testing import CliRunner
    from cli import cli

    path = tmp_path / "linzhi.db"
    shutil.copy("tests/fixtures/registry-0.1.0.db", path)
    conn = sqlite3.connect(path)
    (first,) = conn.execute("SELECT min(id) FROM holdings WHERE known_until IS NULL AND since IS NOT NULL").fetchone()
    conn.execute("INSERT INTO holdings (person_id, post_id, org_id, since, until, concurrent, acting, inferred, "
                 "position, start_action_id, known_from) SELECT person_id, post_id, org_id, NULL, NULL, 0, 0, 0, 0, "
                 f"start_action_id, known_from FROM holdings WHERE id = {first}")
    conn.commit()
    (second,) = conn.execute("SELECT max(id) FROM holdings").fetchone()
    tables = {name: conn.execute(f"SELECT * FROM {name}").fetchall()
              for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()}
    conn.close()
    result = CliRunner().invoke(cli, ["--db", str(path), "upgrade"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: the registry cannot be upgraded as it stands: current holdings of one person in one post share "
        f"a date (holdings {first}, {second}); correct them with the program that wrote it, then upgrade; "
        f"nothing was changed\n"
    )
    conn = sqlite3.connect(path)
    assert {name: conn.execute(f"SELECT * FROM {name}").fetchall() for name in tables} == tables
    conn.close()


def test_the_database_allows_every_end_reason_the_registry_writes():
    from registry import models, parse

    assert set(parse.END_REASONS) == set(models.END_REASONS)
