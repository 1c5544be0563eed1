"""The plans SQLite chooses for the questions asked most, read with EXPLAIN QUERY PLAN.

A province's archive is answered fast only when roster, who-held and history
start from an index on what the question names (the organization, the post,
the person's name), never from a scan of the holdings or from an index that
matches every current row (``ix_holdings_known``, dropped by revision 0005).
Plans are read for the statements the registry really runs (caught as they are
executed), on a generated archive, before and after the statistics a batch
import or a rebuild gathers (``db.refresh_statistics``).
"""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from benchmarks import bench_scale
from registry import db as dbmod
from registry import queries


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    engine = dbmod.make_engine(str(tmp_path_factory.mktemp("plans") / "archive.db"))
    dbmod.create_schema(engine)
    bench_scale.build(engine, 2000)
    bench_scale.derive_all(engine)
    yield engine
    engine.dispose()


def plan(engine, ask, table: str = "holdings") -> str:
    """The query plan of the one statement on ``table`` that ``ask(session)`` runs, one line a step."""
    caught = []

    def catch(conn, cursor, statement, parameters, context, executemany):
        if f"FROM {table}" in statement:
            caught.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", catch)
    try:
        with Session(engine) as session:
            ask(session)
    finally:
        event.remove(engine, "before_cursor_execute", catch)
    assert len(caught) == 1
    with engine.connect() as conn:
        statement, parameters = caught[0]
        return "\n".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))


QUESTIONS = {
    "roster": lambda s: queries.roster(s, "市第1局", date(2000, 1, 1)),
    "roster known at": lambda s: queries.roster(s, "市第1局", date(2000, 1, 1), known_at=bench_scale.utcnow()),
    "who-held": lambda s: queries.who_held(s, "市第1局", "副局长", date(2000, 1, 1)),
    "history": lambda s: queries.history(s, "王次仁"),
}


@pytest.mark.parametrize("statistics", [False, True], ids=["no statistics", "after refresh_statistics"])
@pytest.mark.parametrize("question", list(QUESTIONS))
def test_the_questions_start_from_the_index_on_what_they_name(archive, question, statistics):
    if statistics:
        with archive.begin() as connection:
            dbmod.refresh_statistics(connection)  # as a batch import or a rebuild leaves them
    found = plan(archive, QUESTIONS[question])
    on_holdings = [step for step in found.splitlines() if step.startswith(("SEARCH holdings", "SCAN holdings"))]
    assert on_holdings, found  # (SQLite may search one index twice, for since IS NULL OR since <= ?)
    if question.startswith("roster"):
        intended = ("SEARCH holdings USING INDEX ix_holdings_org_asof (org_id=?",)
    elif question == "who-held":
        intended = ("SEARCH holdings USING INDEX ix_holdings_org_asof (org_id=?",
                    "SEARCH holdings USING INDEX ix_holdings_post_asof (post_id=?")
    else:
        assert found.splitlines()[0].startswith("SEARCH people USING COVERING INDEX ix_people_name (name=?)"), found
        intended = ("SEARCH holdings USING INDEX ix_holdings_person (person_id=?)",)
    assert all(step.startswith(intended) for step in on_holdings), found
    assert "SCAN " not in found, found


def test_no_index_matches_every_current_holding(archive):
    assert "ix_holdings_known" not in {index["name"] for index in inspect(archive).get_indexes("holdings")}


# What recording a notice may scan: the organization names and aliases (the parser's lexicon of
# organizations) and the person events (the person map).  Neither grows with the holdings or the
# notices; everything else is found by an index on what the notice names.
SCANNED_WHEN_RECORDING = ("SCAN organizations", "SCAN org_aliases", "SCAN person_events", "SCAN CONSTANT ROW",
                          "USE TEMP B-TREE FOR ORDER BY")


def test_recording_the_latest_notice_reads_by_index(archive, tmp_path):
    """The organization's latest notice is derived from the rows of the people it names and the
    versions dated from it on (``derive.extend``), each found by an index: the cost of recording
    it does not grow with the organization's record."""
    from conftest import make_notice
    from registry import record

    path = tmp_path / "copy.db"
    with sqlite3.connect(archive.url.database) as source, sqlite3.connect(path) as copy:
        source.backup(copy)
    engine = dbmod.make_engine(str(path))
    caught = []

    def catch(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("SELECT") and "sqlite_master" not in statement:
            caught.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", catch)
    notice = make_notice("林政发〔2026〕1号", "2026年1月1日", ["测甲任市第1局副局长（列测乙之后）", "免去测丙的市第1局局长职务"])
    with dbmod.writing(engine) as session:
        record.add_notice(session, notice)
    event.remove(engine, "before_cursor_execute", catch)
    statements = [statement for statement, _ in caught]
    assert any("notice_versions.date >=" in statement for statement in statements)  # the extension was asked for
    assert any("max(holdings.position)" in statement for statement in statements)
    # Only the posts the notice names, not every post of the organization.
    assert not any(" ".join(statement.split()) == "SELECT posts.title, posts.id FROM posts WHERE posts.org_id = ?"
                   for statement in statements)
    assert not any("ORDER BY notice_versions.date" in statement for statement in statements)  # and nothing replayed
    # The actions just inserted are handed to derivation, not read back; and with no merge or split
    # naming anyone the notice names (name resolution read that), no person event is asked for.
    assert not any("actions.version_id = ?" in statement for statement in statements)
    assert not any(statement.startswith("SELECT person_events.") for statement in statements)
    # The organizations are found among the spellings read for the parser, and the clock is read
    # with the writer lock: neither is asked for again.
    assert not any("WHERE organizations.name IN" in statement for statement in statements)
    assert not any(statement.startswith("SELECT meta.value") for statement in statements)
    with engine.connect() as conn:
        for statement, parameters in caught:
            steps = [row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
            scans = [step for step in steps if step.startswith(("SCAN", "USE TEMP"))]
            assert all(step.startswith(SCANNED_WHEN_RECORDING) for step in scans), (statement, steps)
            if "notice_versions.date >=" in statement:
                # From the versions dated on or after the notice, not from every action of the organization.
                assert "SEARCH notice_versions USING INDEX ix_notice_versions_date (date>?)" in steps, steps
            if "max(holdings.position)" in statement:
                # The number ranked in a post, from its last current row, not from all of them.
                assert "SEARCH holdings USING INDEX ix_holdings_post_rank (post_id=?)" in steps, steps
    engine.dispose()


def test_the_notices_naming_a_person_are_found_by_the_indexes_on_actions(archive):
    """``people NAME`` reads the actions naming the people of that name (as subject or in 列X之后)
    through the two indexes on actions, with the statistics the archive's build gathered (it
    refreshes them as it grows, as a batch import does) and after one more refresh.

    Most actions rank no one (ranked_after_person_id is NULL), and the sampled ANALYZE of
    ``refresh_statistics`` reads an index's first thousand or so entries, which are then all
    NULL: an index on every action's ranked_after_person_id then looks like a thousand actions
    for each person, and SQLite read every notice and every action instead (1.4 s at 1M holdings,
    against 54 ms).  Revision 0008 indexes only the actions that rank after someone."""
    from registry import people

    with archive.connect() as conn:
        unranked = conn.exec_driver_sql("SELECT count(*) FROM actions WHERE ranked_after_person_id IS NULL").scalar()
    assert unranked > 2000  # more than a sample reads: the case of a real archive
    for statistics in (False, True):
        if statistics:
            with archive.begin() as connection:
                dbmod.refresh_statistics(connection)
        steps = plan(archive, lambda session: people.people(session, "王次仁"), table="actions").splitlines()
        assert "SEARCH actions USING INDEX ix_actions_person_id (person_id=?)" in steps, steps
        assert "SEARCH actions USING INDEX ix_actions_ranked_after_person_id (ranked_after_person_id=?)" in steps, steps
        assert not [step for step in steps if step.startswith("SCAN")], steps
