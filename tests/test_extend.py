"""A notice that extends an organization's record at its end is derived incrementally.

``derive.extend`` starts from the rows the organization shows and applies only the notice's
own actions; anything else (a back-filled notice, a second notice of the same day, a roster
dated later, a retraction) replays the organization whole.  The two must always give the same
rows, which is what these tests check: after each notice, every organization's rows are
compared with a whole replay, and the path taken is counted, so that the comparison is not
vacuous.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from conftest import NOTICES, make_notice
from registry import db as dbmod
from registry import derive, record
from registry.models import Action, Holding, Notice, NoticeVersion, Organization, Person, Post
from registry.timerules import current

# Every rule the incremental path re-implements by starting mid-stream: a ranking by 列X之后
# (after a holder of the same title, after one known only from the reference, after one who
# holds another title there), 代理转正, a removal of someone whose start is not on record,
# probation, a concurrent post, 免去其 and a removal that closes a gap in the ranking.
IN_DATE_ORDER = [
    (1, "2023年3月1日", ["张三任市水利局局长", "李四任市水利局副局长", "王五任市水利局副局长（试用期1年）"]),
    (2, "2023年3月2日", ["赵六任市水利局副局长（列李四之后）", "钱七同志代理市林业和草原局局长", "李四兼任市水利局党组成员"]),
    (3, "2023年3月3日", ["孙八任市水利局副局长（列周九之后）", "免去吴十的市林业和草原局副局长职务"]),
    (4, "2023年3月4日", ["郑一任市水利局总工程师（列张三之后）", "钱七任市林业和草原局局长"]),
    (5, "2023年3月5日", ["免去李四的市水利局副局长职务", "免去孙八的市水利局副局长职务", "王五兼任市林业和草原局副局长"]),
    # 冯二 goes after 王五, so 周九 and 孙八 (removed) move down one; 李四, still 党组成员 there, is
    # made 副局长 again, a second holding of the post.
    (6, "2023年3月6日", ["冯二任市水利局副局长（列王五之后），免去其市林业和草原局副局长职务", "李四任市水利局副局长"]),
    # Two places in one notice, the second above the first: each moves down who is below it.
    (7, "2023年3月7日", ["褚十任市水利局副局长（列冯二之后）", "韩一任市水利局副局长（列赵六之后）"]),
    # The one ranked right below the anchor is named in the notice as well (and so read already).
    (8, "2023年3月8日", ["免去王五的市水利局副局长职务", "卫二任市水利局副局长（列韩一之后）"]),
]


def _shown(session, org_id) -> list[tuple]:
    rows = session.execute(
        select(*(getattr(Holding, name) for name in derive._KEY_FIELDS)).where(Holding.org_id == org_id, current())
    ).all()
    return sorted(map(tuple, rows), key=repr)


def _replayed(session, org_id) -> list[tuple]:
    return sorted((d.key() for d in derive.replay(session, org_id, derive.clock(session))), key=repr)


def _each_org_matches_a_whole_replay(engine) -> int:
    with dbmod.writing(engine) as session:
        orgs = session.scalars(select(Organization.id)).all()
        for org_id in orgs:
            assert _shown(session, org_id) == _replayed(session, org_id), org_id
        session.rollback()  # the replay may have created nothing; leave no trace either way
    return len(orgs)


@pytest.fixture
def counted(monkeypatch):
    """How many organizations each path derived."""
    calls = {"extend": 0, "replay": 0}
    extend, replay = derive.extend, derive.replay

    def counting_extend(*args, **kwargs):
        calls["extend"] += 1
        return extend(*args, **kwargs)

    def counting_replay(*args, **kwargs):
        calls["replay"] += 1
        return replay(*args, **kwargs)

    monkeypatch.setattr(derive, "extend", counting_extend)
    monkeypatch.setattr(derive, "replay", counting_replay)
    return calls


def _add(engine, seq: int, day: str, clauses: list[str]) -> None:
    with dbmod.writing(engine) as session:
        record.add_notice(session, make_notice(f"林政发〔2023〕{seq}号", day, clauses))


def test_notices_in_date_order_extend_each_organization_and_give_what_a_replay_gives(engine, counted):
    for seq, day, clauses in IN_DATE_ORDER:
        before = dict(counted)
        _add(engine, seq, day, clauses)
        assert counted["replay"] == before["replay"], (seq, "a notice at the end replays nothing whole")
        assert counted["extend"] > before["extend"]
        _each_org_matches_a_whole_replay(engine)
    with dbmod.reading(engine) as session:
        deputies = session.execute(
            select(Person.name, Holding.position, Holding.until.is_not(None), Holding.inferred)
            .join(Person, Holding.person_id == Person.id).join(Post, Holding.post_id == Post.id)
            .join(Organization, Post.org_id == Organization.id)
            .where(Organization.name == "市水利局", Post.title == "副局长", current())
            .order_by(Holding.position)
        ).all()
    # Every holding ever, in rank order: 李四 (removed, keeps his place), 赵六 after him, 韩一 after
    # 赵六, 卫二 after 韩一, 王五 (removed), 冯二 after 王五, 褚十 after 冯二, 周九 (known only from
    # 列周九之后), 孙八 after 周九 (removed), 李四 again.
    assert [tuple(row) for row in deputies] == [
        ("李四", 1, True, False), ("赵六", 2, False, False), ("韩一", 3, False, False), ("卫二", 4, False, False),
        ("王五", 5, True, False), ("冯二", 6, False, False), ("褚十", 7, False, False), ("周九", 8, False, True),
        ("孙八", 9, True, False), ("李四", 10, False, False),
    ]


def test_a_back_filled_or_same_day_notice_replays_the_organization_whole(engine, counted):
    for seq, day, clauses in IN_DATE_ORDER[:4]:
        _add(engine, seq, day, clauses)
    before = dict(counted)
    # Same day as notice 4, in the same organization: its place among that day's notices is by number.
    _add(engine, 9, "2023年3月4日", ["褚三任市水利局副局长（列赵六之后）"])
    assert counted["replay"] == before["replay"] + 1 and counted["extend"] == before["extend"]
    _each_org_matches_a_whole_replay(engine)
    before = dict(counted)
    # Back-filled: dated before what 市水利局 holds already.
    _add(engine, 10, "2023年2月1日", ["卫四任市水利局副局长"])
    assert counted["replay"] == before["replay"] + 1 and counted["extend"] == before["extend"]
    _each_org_matches_a_whole_replay(engine)
    before = dict(counted)
    # Later than everything again: extended, on top of the rows the whole replays wrote.
    _add(engine, 11, "2023年4月1日", ["蒋五任市水利局副局长（列卫四之后）"])
    assert counted["replay"] == before["replay"] and counted["extend"] == before["extend"] + 1
    _each_org_matches_a_whole_replay(engine)


def test_one_notice_extends_the_organizations_at_their_end_and_replays_the_others(engine, counted):
    """Which organizations are at their end is asked for all of a notice's organizations at once,
    then organization by organization once something is dated from the notice on."""
    for seq, day, clauses in IN_DATE_ORDER[:5]:
        _add(engine, seq, day, clauses)
    _add(engine, 20, "2023年2月1日", ["许一任市文化广电局局长"])  # an organization whose record ends early
    before = dict(counted)
    # Dated between notices 2 and 3: 市水利局 and 市林业和草原局 have later notices, 市文化广电局
    # has none; 王五 is named in two organizations, one extended and one replayed.
    _add(engine, 21, "2023年3月2日", ["许二任市文化广电局副局长", "王五兼任市文化广电局党组成员",
                                      "许三任市水利局副局长（列王五之后）", "许五任市林业和草原局副局长"])
    assert counted["extend"] == before["extend"] + 1 and counted["replay"] == before["replay"] + 2
    assert _each_org_matches_a_whole_replay(engine) == 3
    before = dict(counted)
    # At the end of all three, two of them with the same person, and a roster-free registry:
    # nothing is dated from it on, so the three are extended from one read.
    _add(engine, 22, "2023年3月9日", ["王五任市文化广电局副局长", "许四任市水利局副局长（列许三之后）",
                                      "免去王五的市林业和草原局副局长职务"])
    assert counted["extend"] == before["extend"] + 3 and counted["replay"] == before["replay"]
    assert _each_org_matches_a_whole_replay(engine) == 3


def test_a_refused_extension_leaves_the_rows_as_they_were(engine):
    for seq, day, clauses in IN_DATE_ORDER[:2]:
        _add(engine, seq, day, clauses)
    before = _holdings(engine)
    with pytest.raises(record.NoticeError, match="a post they already hold"):
        _add(engine, 7, "2023年3月9日", ["赵六任市水利局副局长（列王五之后）"])
    assert _holdings(engine) == before


def _holdings(engine) -> list[tuple]:
    with engine.connect() as conn:
        return sorted(map(tuple, conn.execute(select(Holding.__table__)).all()), key=repr)


def test_a_lazy_load_in_a_write_transaction_fails_the_test(engine):
    """The guard in conftest is live: recording reads by queries, and touching an unloaded
    relationship inside ``db.writing`` raises instead of quietly running a query."""
    from conftest import LazyLoadWhileWriting
    from registry.models import Notice

    _add(engine, *IN_DATE_ORDER[0])
    with dbmod.reading(engine) as session:
        assert len(session.scalar(select(Notice)).versions) == 1  # reading may
    with pytest.raises(LazyLoadWhileWriting):
        with dbmod.writing(engine) as session:
            session.scalar(select(Notice)).versions


def test_the_actions_a_notice_hands_to_derivation_are_the_ones_recorded(engine, monkeypatch):
    """add_notice hands derivation the actions it has just inserted rather than reading them
    back: each field must be what the database holds (the same values, of the same types), for
    every form of clause, the seed's notices and those above."""
    compared = []
    rederive = derive.rederive

    def comparing(session, org_ids, now, *, appended=None, **others):
        read = [tuple(row) for row in session.execute(
            select(*derive.APPENDED_COLUMNS).join(NoticeVersion, Action.version_id == NoticeVersion.id)
            .join(Notice, NoticeVersion.notice_id == Notice.id).where(Action.version_id == appended.id)
            .order_by(Action.seq))]
        handed = [tuple(action) for action in appended.actions]
        assert [[(v, type(v)) for v in row] for row in handed] == [[(v, type(v)) for v in row] for row in read]
        compared.append(len(read))
        return rederive(session, org_ids, now, appended=appended, **others)

    monkeypatch.setattr(derive, "rederive", comparing)
    for _, path in sorted(NOTICES.items()):
        with dbmod.writing(engine) as session:
            record.add_notice(session, path.read_bytes())
    for seq, day, clauses in IN_DATE_ORDER:
        _add(engine, 100 + seq, day, clauses)
    assert len(compared) == len(NOTICES) + len(IN_DATE_ORDER) and sum(compared) > 40


def test_a_notice_naming_no_one_a_merge_or_split_names_reads_no_person_event(engine):
    """Name resolution reads whether a merge or split names each of the notice's people; when none
    is, derivation asks for no person event (the notices below name people already on record)."""
    from sqlalchemy import event

    asked = []

    def catch(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("SELECT person_events."):
            asked.append(statement)

    event.listen(engine, "before_cursor_execute", catch)
    try:
        for seq, day, clauses in IN_DATE_ORDER:
            _add(engine, seq, day, clauses)
    finally:
        event.remove(engine, "before_cursor_execute", catch)
    assert asked == []
