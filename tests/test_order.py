"""Order independence: the same notices added in any order give the same registry.

The bundled notices are mixed with synthetic ones that interact with them:
a back-filled appointment that joins a removal (赵线), one that joins a holder
known only from a 列X之后 reference (尼玛), one that a 免去其 later closes
(罗布顿珠), a reference that joins a later removal (向巴次仁), same-day notices
on either side of 林政发〔2023〕3号, later removals and re-rankings.  Rosters are
compared on every date on which anything changed and the day before each;
person ids differ between databases, so they are left out of the comparison
and people are compared by what they held.

Comparing the code with itself shows an order-dependent answer, not a wrong
one; so every order is also compared with a reference model written here: the
notices' acts replayed in date, number and clause order, one list per post.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

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


# -- the reference model ----------------------------------------------------------------------
#
# Replayed in date order, the rules are simple: an appointment opens a holding, placed right after
# the holder named in 列X之后 (known only from that reference if X holds nothing there: start not on
# record) or else last; a removal closes the person's open holding of that post (or records one
# whose start is not on record).  In these notices a name denotes one person within one
# organization, so the model keys people by (organization, name).


def add_months(day: date, months: int) -> date:
    """The same day N months later, or the month's last day if it has fewer days."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def reference_model(texts: list[str]) -> dict[str, dict[str, list[dict]]]:
    """organization -> title -> every holding in rank order, each a dict with name, since, until,
    inferred, ranked_after and probation_until."""
    from registry.parse import parse_notice

    acts = []
    for text in texts:
        notice = parse_notice(text)
        acts += [((notice.date, notice.series, notice.year, notice.seq, i), act) for i, act in enumerate(notice.actions)]
    posts: dict[str, dict[str, list[dict]]] = {}
    held: dict[tuple[str, str, str], dict] = {}  # (organization, name, title) -> the open holding
    for (on, *_), act in sorted(acts, key=lambda item: item[0]):
        ranking = posts.setdefault(act.org, {}).setdefault(act.title, [])
        if act.kind == "appoint":
            new = {"name": act.name, "since": on, "until": None, "inferred": False, "ranked_after": act.ranked_after,
                   "probation_until": add_months(on, act.probation_months) if act.probation_months else None}
            anchor = None
            if act.ranked_after:
                same = held.get((act.org, act.ranked_after, act.title))
                anchor = same or next((h for (o, n, _), h in held.items() if (o, n) == (act.org, act.ranked_after)), None)
                if anchor is None:
                    anchor = {"name": act.ranked_after, "since": None, "until": None, "inferred": True,
                              "ranked_after": None, "probation_until": None}
                    held[(act.org, act.ranked_after, act.title)] = anchor
                    ranking.append(anchor)
            if anchor is not None and anchor in ranking:
                ranking.insert(ranking.index(anchor) + 1, new)
            else:
                ranking.append(new)
            held[(act.org, act.name, act.title)] = new
        else:
            holding = held.pop((act.org, act.name, act.title), None)
            if holding is None:
                holding = {"name": act.name, "since": None, "until": None, "inferred": False, "ranked_after": None,
                           "probation_until": None}
                ranking.append(holding)
            holding["until"] = on
    return posts


def reference_roster(model, org: str, day: date) -> dict[str, list[tuple]]:
    """title -> (name, since, inferred, ranked_after, probation_until) of its holders on ``day``, in rank order."""
    return {
        title: [(h["name"], iso(h["since"]), h["inferred"], h["ranked_after"], iso(h["probation_until"]))
                for h in ranking
                if (h["since"] is None or h["since"] <= day) and (h["until"] is None or day < h["until"])]
        for title, ranking in model[org].items()
    }


def reference_days(model) -> dict[str, set[date]]:
    """Per organization, every date on which the model says something changed, and the day before."""
    days: dict[str, set[date]] = {}
    for org, titles in model.items():
        for ranking in titles.values():
            for h in ranking:
                for day in (h["since"], h["until"], h["probation_until"]):
                    if day is not None:
                        days.setdefault(org, set()).update({day, day - timedelta(days=1)})
    return days


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def assert_matches_the_model(state: dict, model) -> None:
    """The code's rosters (from a snapshot) are on the dates the model says matter, and on each
    of them every title's holders, in rank order, are the model's."""
    expected_days = {(org, day) for org, days in reference_days(model).items() for day in days}
    assert set(state["rosters"]) == expected_days
    for (org, day), members in state["rosters"].items():
        by_title: dict[str, list[tuple]] = {title: [] for title in model[org]}
        for m in members:
            by_title.setdefault(m["title"], []).append(
                (m["name"], m["since"], m["inferred"], m["ranked_after"], m["probation_until"]))
        assert by_title == reference_roster(model, org, day), (org, day)


MODEL = reference_model(ALL)


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
    """Record the notices in this order; check the answers against the reference model; the snapshot."""
    engine = dbmod.make_engine(db_path)
    dbmod.create_schema(engine)
    try:
        for text in texts:
            with dbmod.writing(engine) as session:
                assert add_notice(session, text, recorded_by="test").status == "recorded"
        state = snapshot(engine)
        assert_matches_the_model(state, MODEL)
        return state
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


def test_the_reference_model_itself():
    """The model on the seed's 卫健委, read off the notices by hand."""
    assert reference_roster(MODEL, "市卫生健康委员会", date(2023, 2, 6)) == {"副主任": [
        ("达瓦", "2022-01-10", False, "赵线", None), ("尼玛", "2020-03-02", False, None, None),
        ("胡秀兰", "2023-02-06", False, "尼玛", None), ("罗布顿珠", "2023-02-06", False, "胡秀兰", None),
    ]}
    assert reference_roster(MODEL, "市卫生健康委员会", date(2019, 5, 20))["副主任"] == [
        ("赵线", "2019-05-20", False, None, "2020-05-20")]
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28) and add_months(date(2023, 8, 31), 18) == date(2025, 2, 28)


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
