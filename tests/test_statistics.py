"""The planner's statistics are brought up to date after a large write.

A server without autovacuum (or SQLite, which never gathers them by itself)
would otherwise plan a province's archive with no statistics at all.  After a
batch import and after a rebuild, the holdings table has been analyzed:
``sqlite_stat1`` has its rows on SQLite, ``pg_stat_user_tables`` says when on
PostgreSQL, where only the registry's own tables are analyzed: a bare ``ANALYZE``
would analyze the whole database, other applications' tables and (under
pytest-xdist) the other tests' schemas, while they assert that nothing was.  A batch that records nothing, and a dry run, leave the database
as it was.
"""

from __future__ import annotations

from sqlalchemy import text

from conftest import dump, make_notice
from registry import derive
from registry.db import writing
from registry.intake import Source, read_sources, record_batch
from registry.record import bundled_notice_files


def analyzed(engine) -> list[str]:
    """The tables with statistics (the registry's own tables only)."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            return sorted(conn.execute(text(
                "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema() "
                "AND (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL)")).scalars())
        if conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first() is None:
            return []
        return sorted(set(conn.execute(text("SELECT tbl FROM sqlite_stat1")).scalars()))


def test_a_batch_import_leaves_the_holdings_analyzed(engine):
    if engine.dialect.name == "postgresql":
        # Another application's table beside the registry's: a server is often shared.
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE other_application (id integer)"))
    assert "holdings" not in analyzed(engine)
    summary = record_batch(engine, read_sources(str(p) for p in bundled_notice_files()), recorded_by="test")
    assert len(summary.recorded) == 6
    assert {"actions", "holdings", "people"} <= set(analyzed(engine))
    assert "other_application" not in analyzed(engine)


def test_a_batch_that_records_nothing_or_a_dry_run_changes_nothing(engine):
    before = dump(engine)
    refused = Source("bad.txt", make_notice("林政发〔2023〕40号", "2023年3月1日", ["扎西任"]))
    assert record_batch(engine, [refused]).refused == [refused]
    record_batch(engine, read_sources(str(p) for p in bundled_notice_files()), dry_run=True)
    assert dump(engine) == before
    assert "holdings" not in analyzed(engine)


def test_a_rebuild_leaves_the_holdings_analyzed(engine):
    for path in bundled_notice_files():
        record_batch(engine, read_sources([str(path)]))
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TABLE sqlite_stat1"))
            before = None
        else:
            before = conn.execute(text("SELECT last_analyze FROM pg_stat_user_tables "
                                       "WHERE schemaname = current_schema() AND relname = 'holdings'")).scalar()
    if before is None:
        assert "holdings" not in analyzed(engine)
    with writing(engine) as session:
        derive.rebuild(session)
    assert "holdings" in analyzed(engine)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            assert conn.execute(text("SELECT last_analyze FROM pg_stat_user_tables "
                                     "WHERE schemaname = current_schema() AND relname = 'holdings'")).scalar() > before


def test_a_long_batch_refreshes_the_statistics_as_the_registry_grows(engine, monkeypatch):
    """Each time the notices a batch recorded doubled (100, 200, 400 … in earnest; 2 and 4 here),
    and once at the end: plans made for the empty registry would slow every later notice."""
    from registry import intake

    refreshed: list[int] = []
    recorded: list[str] = []
    monkeypatch.setattr(intake, "_GROWN", frozenset({2, 4}))
    monkeypatch.setattr(intake, "_refresh_statistics", lambda engine: refreshed.append(len(recorded)))
    summary = record_batch(engine, read_sources(str(p) for p in bundled_notice_files()),
                           progress=lambda source: recorded.append(source.name))
    assert len(summary.recorded) == 6
    # After the second and the fourth notice (before the progress line of each), and at the end.
    assert refreshed == [1, 3, 6]


def rows_counted(engine) -> int:
    """How many holdings the planner's statistics say there are."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            return int(conn.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'holdings' "
                                         "AND relnamespace = to_regnamespace(current_schema())")).scalar())
        stats = conn.execute(text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'holdings' AND idx = "
                                  "'ix_holdings_person'")).scalar()
        return int(stats.split()[0])


def test_a_later_refresh_counts_the_registry_as_it_is_then(engine):
    """The statistics of a registry analyzed when small are brought up to its size by the next
    batch's refresh, not kept as they were first gathered."""
    from sqlalchemy import func, select

    from registry.models import Holding

    files = bundled_notice_files()
    record_batch(engine, read_sources([str(files[0])]))
    first = rows_counted(engine)
    record_batch(engine, read_sources(str(p) for p in files[1:]))
    with engine.connect() as conn:
        holdings = conn.scalar(select(func.count()).select_from(Holding))
    assert first < holdings
    assert rows_counted(engine) == holdings
