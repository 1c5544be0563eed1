"""Holdings are derived: a rebuild from the notices alone gives the same answers.

``registry.derive.rebuild`` throws every holding away and replays the recorded
history in recorded order.  The rosters of every organization on every date
around the changes, who held every post, everyone's history and the notice
list must come out the same, and so must the answers "as known at" a moment
before and after a retraction.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from registry import db as dbmod
from registry import derive, queries, record
from registry.errors import NotFound
from registry.models import Holding, NoticeVersion, Organization, Person, Post, utcnow

DATES = [date(2023, 2, 5), date(2023, 2, 6), date(2023, 2, 7), date(2023, 2, 9), date(2023, 2, 10)]
# The day before each change and the days of the changes.
CHANGE_DATES = [date(2023, 2, 5), date(2023, 2, 6), date(2023, 2, 9)]
N3 = "林政发〔2023〕3号"


def snapshot(engine, known_at=None, *, dates=DATES, who_held_dates=CHANGE_DATES) -> dict:
    """The registry's answers about the seed, as plain data: the roster of every organization
    on ``dates``, who held every post on ``who_held_dates``, the history of every name (which
    covers every person), the notices and the organizations."""
    answers: dict = {}
    with dbmod.reading(engine) as session:
        orgs = list(session.scalars(select(Organization.name).order_by(Organization.name)))
        posts = session.execute(
            select(Organization.name, Post.title).join(Post, Post.org_id == Organization.id)
            .order_by(Organization.name, Post.title)
        ).all()
        names = list(session.scalars(select(Person.name).distinct().order_by(Person.name)))
        for on in dates:
            for org in orgs:
                answers[("roster", org, on)] = queries.roster(session, org, on, known_at=known_at)
        for on in who_held_dates:
            for org, title in posts:
                answers[("who-held", org, title, on)] = queries.who_held(session, org, title, on, known_at=known_at)
        for name in names:
            try:
                answers[("history", name)] = queries.history(session, name, known_at=known_at)
            except NotFound as error:
                answers[("history", name)] = str(error)
        answers[("notices",)] = queries.notices(session, known_at=known_at)
        answers[("orgs",)] = queries.organizations(session, known_at=known_at)
    return answers


def holding_rows(engine) -> list[tuple]:
    """Every holding row, both time axes included, without its surrogate id."""
    columns = [c for c in Holding.__table__.columns if c.name != "id"]
    with engine.connect() as conn:
        rows = conn.execute(select(*columns)).all()
    return sorted((tuple(r) for r in rows), key=repr)


def rebuild(engine) -> None:
    with dbmod.writing(engine) as session:
        derive.rebuild(session)


def test_rebuild_gives_the_same_answers(seeded):
    before = snapshot(seeded)
    rows = holding_rows(seeded)
    # The snapshot is not vacuous: the section 7 answers are in it, and everyone's history.
    assert [m["name"] for m in before[("roster", "市卫生健康委员会", date(2023, 2, 7))]["members"]] == [
        "尼玛", "胡秀兰", "罗布顿珠"]
    assert [m["name"] for m in before[("roster", "林芝经济开发区管委会", date(2023, 2, 7))]["members"]] == [
        "马冰", "向巴次仁", "陈健华"]
    assert [h["name"] for h in before[("who-held", "市商务局", "副局长", date(2023, 2, 5))]["holders"]] == ["张利"]
    assert len([k for k in before if k[0] == "roster"]) == 20 * len(DATES)
    assert sum(len(v["people"]) for k, v in before.items() if k[0] == "history") == 32

    rebuild(seeded)
    assert snapshot(seeded) == before
    assert holding_rows(seeded) == rows


@pytest.mark.parametrize("at_once", [1, 5, 2000], ids=["each row written apart", "five at once", "all at once"])
def test_rebuild_twice_and_from_no_holdings_is_the_same(seeded, monkeypatch, at_once):
    # A rebuild writes its rows a few thousand at a time (a province's million do not fit in
    # memory at once); written a row or a few at a time, as its organizations come, it is the same.
    monkeypatch.setattr(derive, "_WRITTEN_AT_ONCE", at_once)
    rows = holding_rows(seeded)
    rosters = snapshot(seeded, dates=[date(2023, 2, 7)], who_held_dates=[])
    rebuild(seeded)
    rebuild(seeded)
    assert holding_rows(seeded) == rows
    with dbmod.writing(seeded) as session:
        session.query(Holding).delete()
    with dbmod.reading(seeded) as session:
        assert session.scalar(select(func.count()).select_from(Holding)) == 0
        assert queries.roster(session, "卫健委", date(2023, 2, 7))["members"] == []
    rebuild(seeded)
    assert holding_rows(seeded) == rows
    assert snapshot(seeded, dates=[date(2023, 2, 7)], who_held_dates=[]) == rosters


@pytest.fixture
def retracted(seeded):
    """The seed, then 林政发〔2023〕3号 retracted.

    Returns (engine, the moment the last notice was recorded, the moment of the retraction).
    """
    with dbmod.reading(seeded) as session:
        last_recorded = session.scalar(select(func.max(NoticeVersion.recorded_at)))
    retracted_at = utcnow()
    assert retracted_at > last_recorded
    with dbmod.writing(seeded) as session:
        record.retract(session, N3, reason="issued in error", by="test", now=retracted_at)
    return seeded, last_recorded, retracted_at


def test_retraction_changes_the_answers(retracted):
    engine, before_retraction, retracted_at = retracted
    with dbmod.reading(engine) as session:
        def roster(org, known_at):
            return [m["name"] for m in queries.roster(session, org, date(2023, 2, 7), known_at=known_at)["members"]]

        assert roster("卫健委", before_retraction) == ["尼玛", "胡秀兰", "罗布顿珠"]
        assert roster("卫健委", retracted_at) == roster("卫健委", None) == []
        # Notices the retraction does not touch answer the same.
        assert roster("市水利局", before_retraction) == roster("市水利局", None) == ["王程", "李宁博"]
        statuses = {at: [(n["number"], n["status"]) for n in queries.notices(session, known_at=at)["notices"]][1]
                    for at in (before_retraction, retracted_at, None)}
        assert statuses == {before_retraction: (N3, "recorded"), retracted_at: (N3, "retracted"),
                            None: (N3, "retracted")}
        # 尼玛 of 市乡村振兴局 and the inferred 尼玛 of 市卫生健康委员会 come only from 林政发〔2023〕3号.
        assert len(queries.history(session, "尼玛", known_at=before_retraction)["people"]) == 2
        with pytest.raises(NotFound):
            queries.history(session, "尼玛")


def test_rebuild_after_a_retraction_keeps_known_at_answers(retracted):
    engine, before_retraction, retracted_at = retracted
    light = dict(dates=[date(2023, 2, 5), date(2023, 2, 7)], who_held_dates=[date(2023, 2, 6)])
    then, now = snapshot(engine, before_retraction, **light), snapshot(engine, **light)
    assert then != now
    rows = holding_rows(engine)

    rebuild(engine)
    # Both time axes of every holding come back as they were, so every "as known at" answer does.
    assert holding_rows(engine) == rows
    assert snapshot(engine, before_retraction, **light) == then
    assert snapshot(engine, **light) == now


def test_rebuild_keeps_known_at_answers_on_the_command_line(retracted, cli_run):
    engine, before_retraction, retracted_at = retracted
    moments = {
        "before": before_retraction.isoformat() + "+00:00",
        "after": retracted_at.isoformat() + "+00:00",
    }
    commands = [("roster", "卫健委", "--as-of", "2023-02-07"), ("history", "罗布顿珠"), ("notices",)]

    def ask():
        return {(label, args): cli_run(*args, "--known-at", moment, "--format", "json")
                for label, moment in moments.items() for args in commands}

    def outputs(results):
        return {key: (r.exit_code, r.stdout, r.stderr) for key, r in results.items()}

    answers = outputs(ask())
    roster, history = commands[0], commands[1]
    assert answers[("before", roster)][0::2] == (0, "")
    assert [m["name"] for m in json.loads(answers[("before", roster)][1])["members"]] == ["尼玛", "胡秀兰", "罗布顿珠"]
    assert json.loads(answers[("after", roster)][1])["members"] == []
    assert [h["organization"] for h in json.loads(answers[("before", history)][1])["people"][0]["holdings"]] == [
        "市市场监督管理局", "市卫生健康委员会"]
    assert answers[("after", history)] == (1, "", "Error: nobody called 罗布顿珠 is on record\n")

    rebuild(engine)
    assert outputs(ask()) == answers


# -- from no holdings: every kind of recorded change comes back at its own moment -----------------


def _write_notice(tmp_path, seq: int, day: str, *clauses: str):
    from conftest import make_notice

    path = tmp_path / f"notice-{seq}-{len(list(tmp_path.iterdir()))}.txt"
    path.write_text(make_notice(f"林政发〔2023〕{seq}号", day, list(clauses)), encoding="utf-8")
    return str(path)


def test_rebuild_from_no_holdings_replays_every_kind_of_recorded_change(seeded, cli_run, tmp_path):
    """Retraction, amendment, a starting roster, a merge, a split and an undo: after every
    holding is lost, a rebuild gives back every row with both time axes, so that the answers
    as known at each moment in between come back too."""

    def ok(*args):
        result = cli_run(*args)
        assert result.exit_code == 0, result.stderr
        return result

    def people(name):
        return [p["person_id"] for p in json.loads(ok("history", name, "--format", "json").stdout)["people"]]

    ok("add-notice", "--yes", _write_notice(tmp_path, 9, "2023年3月1日", "格桑任市水利局局长"))
    ok("amend", "林政发〔2023〕9号", _write_notice(tmp_path, 9, "2023年3月1日", "格桑任市水利局副局长"),
       "--reason", "职务录错")
    ok("add-notice", "--yes", _write_notice(tmp_path, 10, "2023年3月2日", "达瓦任市商务局局长"))
    ok("retract", "林政发〔2023〕10号", "--reason", "录入错误")
    sheet = tmp_path / "roster.csv"
    sheet.write_text("单位,姓名,职务,任职时间,任职文号,备注\n市财政局,达娃,副局长,2020-07-01,,\n", encoding="utf-8")
    ok("import-roster", str(sheet), "--as-of", "2023-01-01", "--reason", "启用时的在任名册", "--yes")
    health, rural = sorted(people("尼玛"))
    ok("add-notice", "--yes", _write_notice(tmp_path, 11, "2023年3月3日", "尼玛任市商务局副局长"), "--person", "尼玛=new")
    (third,) = set(people("尼玛")) - {health, rural}
    ok("merge", str(rural), str(third), "--reason", "同一人")
    # Merging 乡村振兴局's 尼玛 moves the 尼玛 merged into him earlier, whose notice names neither.
    merge = ok("merge", str(health), str(rural), "--reason", "同一人")
    merge_event = int(merge.stdout.split("(event ")[1].rstrip(")\n"))
    assert [h["person_id"] for h in json.loads(ok("roster", "市商务局", "--as-of", "2023-03-03", "--format", "json")
                                                  .stdout)["members"] if h["name"] == "尼玛"] == [health]
    ok("undo", str(merge_event), "--reason", "两个人")
    (luobu,) = people("罗布顿珠")
    with dbmod.reading(seeded) as session:
        market = session.scalar(select(Holding.id).join(Post).join(Organization).where(
            Holding.person_id == luobu, Holding.known_until.is_(None), Organization.name == "市市场监督管理局"))
    ok("split", str(luobu), "--holding", str(market), "--reason", "两位罗布顿珠")

    rows = holding_rows(seeded)
    with dbmod.reading(seeded) as session:
        moments = sorted({r[0] for r in session.execute(select(Holding.known_from))}
                         | {r[0] for r in session.execute(select(Holding.known_until)) if r[0] is not None})
    # The six seed notices, then the ten changes, each at a moment of its own; from the last
    # seed notice on, each moment's answers differ from the one before (the case is not vacuous).
    assert len(moments) == 16
    moments = moments[5:]
    light = dict(dates=[date(2023, 3, 1)], who_held_dates=[])
    answers = [snapshot(seeded, at, **light) for at in moments]
    assert all(a != b for a, b in zip(answers, answers[1:]))

    with dbmod.writing(seeded) as session:
        session.query(Holding).delete()
    rebuild(seeded)
    assert holding_rows(seeded) == rows
    assert [snapshot(seeded, at, **light) for at in moments] == answers


def test_a_rebuild_over_holdings_records_its_changes_at_the_moment_given(seeded):
    """Holdings on record that differ from the derivation are closed, and their replacements
    opened, at the moment the rebuild is given (tests and imports choose their moments)."""
    from sqlalchemy import text

    with seeded.begin() as conn:
        changed = conn.execute(select(Holding.id).where(Holding.known_until.is_(None)).order_by(Holding.id)).scalar()
        conn.execute(text("UPDATE holdings SET position = 99 WHERE id = :id"), {"id": changed})
    moment = utcnow().replace(microsecond=0) + timedelta(days=1)
    with dbmod.writing(seeded) as session:
        derive.rebuild(session, now=moment)
    with dbmod.reading(seeded) as session:
        closed = session.get(Holding, changed)
        (opened,) = session.scalars(select(Holding).where(Holding.known_from == moment))
        assert (closed.known_until, opened.person_id, opened.post_id, opened.known_until) == (
            moment, closed.person_id, closed.post_id, None)
        assert opened.position != 99
