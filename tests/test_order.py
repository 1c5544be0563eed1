"""Order independence: the same notices added in any order give the same registry.

The bundled notices are mixed with synthetic ones that interact with them:
a back-filled appointment that joins a removal (赵线), one that joins a holder
known only from a 列X之后 reference (尼玛), one that a 免去其 later closes
(罗布顿珠), a reference that joins a later removal (向巴次仁), same-day notices
on either side of 林政发〔2023〕3号, later removals and re-rankings.  Rosters are
compared on every date on which anything changed and the day before each;
person ids differ between databases, so they are left out of the comparison
and people are compared by what they held.
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from sqlalchemy import select

from registry import db as dbmod
from registry import inputs, queries, timerules
from registry.models import Holding, Person
from registry.record import add_notice, bundled_notice_files
from conftest import make_notice


SYNTHETIC = [
    make_notice("林政发〔2019〕12号", "2019年5月20日", ["赵线任市卫生健康委员会副主任（试用期 1年）"]),
    make_notice("林政发〔2020〕5号", "2020年3月2日", ["尼玛任市卫生健康委员会副主任"]),
    make_notice("林政发〔2021〕7号", "2021年6月15日", ["罗布顿珠任市市场监督管理局副局长"]),
    make_notice("林政发〔2022〕3号", "2022年1月10日", ["达瓦任市卫生健康委员会副主任（列赵线之后）"]),
    make_notice("林政发〔2023〕1号", "2023年2月6日", ["格桑任市乡村振兴局副局长（列尼玛之后）"]),
    make_notice("林政发〔2023〕7号", "2023年2月6日", ["旺堆任市医疗保障局局长，免去其市医疗保障局副局长职务"]),
    make_notice("林政发〔2023〕10号", "2023年2月10日", ["免去向巴次仁的林芝经济开发区管委会副主任职务"]),
    make_notice("林政发〔2023〕11号", "2023年3月1日", ["张利任市商务局局长（试用期 1年）"]),
    make_notice("林政发〔2023〕12号", "2023年3月15日", ["免去尼玛的市卫生健康委员会副主任职务"]),
    make_notice("林政发〔2023〕13号", "2023年3月20日", ["扎西任市卫生健康委员会副主任（列胡秀兰之后）"]),
]
ALL = [p.read_text(encoding="utf-8") for p in bundled_notice_files()] + SYNTHETIC


def snapshot(engine) -> dict:
    """Every organization's roster on every date it changed and the day before, and everyone's
    history, without person ids."""
    with dbmod.reading(engine) as session:
        changes: dict[str, set] = {}
        for h in session.query(Holding).filter(timerules.current()):
            dates = {d for d in (h.since, h.until, h.probation_until) if d is not None}
            changes.setdefault(h.post.organization.name, set()).update(dates | {d - timedelta(days=1) for d in dates})
        rosters = {}
        for org, dates in changes.items():
            for day in sorted(dates):
                members = queries.roster(session, org, day)["members"]
                rosters[(org, day)] = [{k: v for k, v in m.items() if k != "person_id"} for m in members]
        histories = {}
        for name in sorted(set(session.scalars(select(Person.name)))):
            people = queries.history(session, name)["people"]
            histories[name] = sorted(repr(p["holdings"]) for p in people)
        return {"rosters": rosters, "histories": histories}


def record_all(db_path: str, texts: list[str]) -> dict:
    engine = dbmod.make_engine(db_path)
    dbmod.create_schema(engine)
    try:
        for text in texts:
            with dbmod.writing(engine) as session:
                assert add_notice(session, text, recorded_by="test").status == "recorded"
        return snapshot(engine)
    finally:
        engine.dispose()


def test_the_synthetic_notices_interact_as_intended(tmp_path):
    state = record_all(str(tmp_path / "canonical.db"), sorted(ALL, key=_date_order))
    rosters, histories = state["rosters"], state["histories"]
    # 赵线: one person from 2019-05-20 to 2023-02-06; 达瓦 ranked right after him, so
    # before 尼玛 (appointed 2020), and first once 赵线 has gone.
    assert histories["赵线"] == [repr([_holding("市卫生健康委员会", "副主任", "2019-05-20", "2023-02-06",
                                                probation="2020-05-20", appointed="林政发〔2019〕12号",
                                                removed="林政发〔2023〕3号", end="removed")])]
    names = [(m["name"], m["ranked_after"]) for m in rosters[("市卫生健康委员会", _d("2023-02-06"))]]
    assert names == [("达瓦", "赵线"), ("尼玛", None), ("胡秀兰", "尼玛"), ("罗布顿珠", "胡秀兰")]
    # 尼玛 of 卫健委 is one person from 2020 to 2023-03-15; 尼玛 of 乡村振兴局 another.
    assert len(histories["尼玛"]) == 2
    # 旺堆: known as 副局长 only from 龙小华's reference, closed the same day by 免去其.
    assert [(m["name"], m["title"]) for m in rosters[("市医疗保障局", _d("2023-02-06"))]] == [
        ("旺堆", "局长"), ("龙小华", "副局长")]
    assert len(histories["旺堆"]) == 1 and len(histories["向巴次仁"]) == 1 and len(histories["罗布顿珠"]) == 1


def _d(text):
    return inputs.parse_date(text)


def _date_order(text: str):
    from registry.parse import parse_notice

    p = parse_notice(text)
    return (p.date, p.series, p.year, p.seq)


def _holding(org, title, since, until, *, probation=None, appointed=None, removed=None, end=None,
             ranked_after=None, inferred=False):
    return {
        "organization": org, "title": title, "since": since, "until": until, "start_known": since is not None,
        "concurrent": False, "acting": False, "inferred": inferred, "probation_until": probation,
        "ranked_after": ranked_after, "appointed_by": appointed, "removed_by": removed, "end_reason": end,
    }


_REFERENCE: dict = {}


@settings(max_examples=25, deadline=None)
@given(order=st.permutations(ALL))
def test_any_order_gives_the_same_registry(tmp_path_factory, order):
    if "state" not in _REFERENCE:
        _REFERENCE["state"] = record_all(str(tmp_path_factory.mktemp("reference") / "r.db"),
                                         sorted(ALL, key=_date_order))
    state = record_all(str(tmp_path_factory.mktemp("shuffled") / "s.db"), order)
    assert state == _REFERENCE["state"]


def test_reverse_date_order_gives_the_same_registry(tmp_path):
    forward = record_all(str(tmp_path / "forward.db"), sorted(ALL, key=_date_order))
    backward = record_all(str(tmp_path / "backward.db"), sorted(ALL, key=_date_order, reverse=True))
    assert backward == forward
