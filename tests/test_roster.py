"""Section 7 of issue 2 and the boundary dates around each change, on the seeded registry.

All the seed's notices take effect on 2023-02-06 (林政发〔2023〕8号 on 2023-02-09):
a removal ends a holding on that date (half-open), an appointment starts it,
a removal with no appointment on record counts on every earlier date, and a
列X之后 reference records X as holding the same title, start not on record.

Person ids are opaque: the tests look them up by name in the people table
(each seed name but 尼玛 belongs to exactly one person) and never assume values.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from conftest import BACKENDS, seeded_database
from registry import db as dbmod
from registry import inputs, queries
from registry.errors import NotFound
from registry.models import Action, Person

N2, N3, N4, N5, N6, N8 = (f"林政发〔2023〕{n}号" for n in (2, 3, 4, 5, 6, 8))
HEALTH = "市卫生健康委员会"
ZONE = "林芝经济开发区管委会"
COMMERCE = "市商务局"
DISABLED = "市残疾人联合会第二届主席团执行理事会"

ROSTER_KEYS = {"rank", "name", "person_id", "title", "since", "start_known", "concurrent", "acting", "inferred",
               "probation_until", "on_probation", "ranked_after", "basis"}


@pytest.fixture(scope="module", params=BACKENDS)
def seeded_once(request, tmp_path_factory):
    """One seeded registry per backend for the whole module: these tests only read.

    (The conftest ``seeded`` fixture seeds a fresh database for every test; the
    tests here that write use it.)
    """
    with seeded_database(request.param, tmp_path_factory.mktemp("roster")) as (_, engine):
        yield engine


def asker(engine):
    def run(function, *args, **kwargs):
        with dbmod.reading(engine) as session:
            return function(session, *args, **kwargs)

    return run


@pytest.fixture
def ask(seeded_once):
    """Run a query function in a read session: ask(queries.roster, "卫健委", date(…))."""
    return asker(seeded_once)


@pytest.fixture
def pid(seeded_once):
    return person_lookup(seeded_once)


def person_lookup(engine):
    """The id of the one person of a name; the two 尼玛 by the act that named them."""
    with dbmod.reading(engine) as session:
        people: dict[str, list[int]] = {}
        for person in session.scalars(select(Person).order_by(Person.id)):
            people.setdefault(person.name, []).append(person.id)
        nima_removed = session.scalar(select(Action.person_id).where(Action.name == "尼玛", Action.kind == "remove"))
        nima_ranked = session.scalar(select(Action.ranked_after_person_id).where(Action.name == "胡秀兰"))

    def lookup(name: str) -> int:
        if name == "尼玛(卫健委)":
            return nima_ranked
        if name == "尼玛(乡村振兴局)":
            return nima_removed
        assert len(people[name]) == 1, f"{name} is {len(people[name])} people"
        return people[name][0]

    lookup.people = people
    return lookup


def names(roster: dict) -> list[tuple]:
    """(rank, name, title, since, inferred, ranked_after) of each member."""
    return [(m["rank"], m["name"], m["title"], m["since"], m["inferred"], m["ranked_after"]) for m in roster["members"]]


# -- who is on record ---------------------------------------------------------------

def test_people_on_record(pid):
    assert sum(len(ids) for ids in pid.people.values()) == 32
    assert {name: len(ids) for name, ids in pid.people.items() if len(ids) > 1} == {"尼玛": 2}
    assert pid("尼玛(卫健委)") != pid("尼玛(乡村振兴局)")
    assert sorted(pid.people["尼玛"]) == sorted([pid("尼玛(卫健委)"), pid("尼玛(乡村振兴局)")])


# -- section 7 ------------------------------------------------------------------------

def test_health_commission_on_2023_02_07(ask, pid):
    assert ask(queries.roster, HEALTH, date(2023, 2, 7)) == {
        "organization": HEALTH,
        "as_of": "2023-02-07",
        "members": [
            {"rank": 1, "name": "尼玛", "person_id": pid("尼玛(卫健委)"), "title": "副主任",
             "since": None, "start_known": False, "concurrent": False, "acting": False, "inferred": True,
             "probation_until": None, "on_probation": False, "ranked_after": None, "basis": N3},
            {"rank": 2, "name": "胡秀兰", "person_id": pid("胡秀兰"), "title": "副主任",
             "since": "2023-02-06", "start_known": True, "concurrent": False, "acting": False, "inferred": False,
             "probation_until": None, "on_probation": False, "ranked_after": "尼玛", "basis": N3},
            {"rank": 3, "name": "罗布顿珠", "person_id": pid("罗布顿珠"), "title": "副主任",
             "since": "2023-02-06", "start_known": True, "concurrent": False, "acting": False, "inferred": False,
             "probation_until": None, "on_probation": False, "ranked_after": "胡秀兰", "basis": N3},
        ],
    }


def test_health_commission_on_2023_02_05(ask, pid):
    assert ask(queries.roster, HEALTH, date(2023, 2, 5)) == {
        "organization": HEALTH,
        "as_of": "2023-02-05",
        "members": [
            {"rank": 1, "name": "赵线", "person_id": pid("赵线"), "title": "副主任",
             "since": None, "start_known": False, "concurrent": False, "acting": False, "inferred": False,
             "probation_until": None, "on_probation": False, "ranked_after": None, "basis": N3},
            {"rank": 2, "name": "尼玛", "person_id": pid("尼玛(卫健委)"), "title": "副主任",
             "since": None, "start_known": False, "concurrent": False, "acting": False, "inferred": True,
             "probation_until": None, "on_probation": False, "ranked_after": None, "basis": N3},
        ],
    }


def test_development_zone_on_2023_02_07(ask, pid):
    assert ask(queries.roster, ZONE, date(2023, 2, 7)) == {
        "organization": ZONE,
        "as_of": "2023-02-07",
        "members": [
            {"rank": 1, "name": "马冰", "person_id": pid("马冰"), "title": "主任",
             "since": "2023-02-06", "start_known": True, "concurrent": True, "acting": False, "inferred": False,
             "probation_until": None, "on_probation": False, "ranked_after": None, "basis": N6},
            {"rank": 2, "name": "向巴次仁", "person_id": pid("向巴次仁"), "title": "副主任",
             "since": None, "start_known": False, "concurrent": False, "acting": False, "inferred": True,
             "probation_until": None, "on_probation": False, "ranked_after": None, "basis": N6},
            {"rank": 3, "name": "陈健华", "person_id": pid("陈健华"), "title": "副主任",
             "since": "2023-02-06", "start_known": True, "concurrent": True, "acting": False, "inferred": False,
             "probation_until": None, "on_probation": False, "ranked_after": "向巴次仁", "basis": N6},
        ],
    }


def test_development_zone_on_2023_02_05(ask, pid):
    # 马冰's 兼任 常务副主任 and 米次's 副主任 are known only from their removals.
    assert ask(queries.roster, ZONE, date(2023, 2, 5)) == {
        "organization": ZONE,
        "as_of": "2023-02-05",
        "members": [
            {"rank": 1, "name": "马冰", "person_id": pid("马冰"), "title": "常务副主任",
             "since": None, "start_known": False, "concurrent": True, "acting": False, "inferred": False,
             "probation_until": None, "on_probation": False, "ranked_after": None, "basis": N6},
            {"rank": 2, "name": "米次", "person_id": pid("米次"), "title": "副主任",
             "since": None, "start_known": False, "concurrent": False, "acting": False, "inferred": False,
             "probation_until": None, "on_probation": False, "ranked_after": None, "basis": N5},
            {"rank": 3, "name": "向巴次仁", "person_id": pid("向巴次仁"), "title": "副主任",
             "since": None, "start_known": False, "concurrent": False, "acting": False, "inferred": True,
             "probation_until": None, "on_probation": False, "ranked_after": None, "basis": N6},
        ],
    }


def test_roster_keys_are_the_contract(ask):
    for org, on in ((HEALTH, date(2023, 2, 7)), (ZONE, date(2023, 2, 5)), (COMMERCE, date(2023, 2, 6))):
        data = ask(queries.roster, org, on)
        assert set(data) == {"organization", "as_of", "members"}
        assert data["members"] and all(set(m) == ROSTER_KEYS for m in data["members"])


def test_who_held_commerce_deputy_on_2023_02_01(ask, pid):
    assert ask(queries.who_held, COMMERCE, "副局长", date(2023, 2, 1)) == {
        "organization": COMMERCE,
        "title": "副局长",
        "on": "2023-02-01",
        "holders": [
            {"name": "张利", "person_id": pid("张利"), "since": None, "until": "2023-02-06", "start_known": False,
             "concurrent": False, "inferred": False, "basis": N3, "acting": False, "probation_until": None},
        ],
    }


def test_who_held_commerce_deputy_on_2023_02_06(ask, pid):
    assert ask(queries.who_held, "商务局", "副局长", date(2023, 2, 6)) == {
        "organization": COMMERCE,
        "title": "副局长",
        "on": "2023-02-06",
        "holders": [
            {"name": "李艳君", "person_id": pid("李艳君"), "since": "2023-02-06", "until": None,
             "start_known": True, "concurrent": False, "inferred": False, "basis": N3, "acting": False,
             "probation_until": "2024-02-06"},
        ],
    }


def test_who_held_a_title_nobody_held_is_empty(ask):
    assert ask(queries.who_held, COMMERCE, "局长", date(2023, 2, 6))["holders"] == []


@pytest.mark.parametrize("on, on_probation", [
    (date(2023, 2, 6), True),
    (date(2024, 2, 5), True),  # the last day of the year's probation
    (date(2024, 2, 6), False),  # probation_until itself is past the probation
    (date(2024, 2, 7), False),
])
def test_commerce_deputy_probation(ask, pid, on, on_probation):
    assert ask(queries.roster, COMMERCE, on)["members"] == [
        {"rank": 1, "name": "李艳君", "person_id": pid("李艳君"), "title": "副局长",
         "since": "2023-02-06", "start_known": True, "concurrent": False, "acting": False, "inferred": False,
         "probation_until": "2024-02-06", "on_probation": on_probation, "ranked_after": None, "basis": N3},
    ]


def test_history_nima_is_two_people(ask, pid):
    assert ask(queries.history, "尼玛") == {
        "query": "尼玛",
        "people": sorted([
            {"person_id": pid("尼玛(卫健委)"), "name": "尼玛", "holdings": [
                {"organization": HEALTH, "title": "副主任", "since": None, "until": None, "start_known": False,
                 "concurrent": False, "acting": False, "inferred": True, "probation_until": None,
                 "ranked_after": None, "appointed_by": None, "removed_by": None, "end_reason": None},
            ]},
            {"person_id": pid("尼玛(乡村振兴局)"), "name": "尼玛", "holdings": [
                {"organization": "市乡村振兴局", "title": "副局长", "since": None, "until": "2023-02-06",
                 "start_known": False, "concurrent": False, "acting": False, "inferred": False,
                 "probation_until": None, "ranked_after": None, "appointed_by": None, "removed_by": N3,
                 "end_reason": "removed"},
            ]},
        ], key=lambda p: p["person_id"]),
    }


def test_history_of_one_person_with_two_posts(ask, pid):
    # 罗布顿珠任…，免去其…: one person, the unknown start first.
    assert ask(queries.history, "罗布顿珠") == {
        "query": "罗布顿珠",
        "people": [{"person_id": pid("罗布顿珠"), "name": "罗布顿珠", "holdings": [
            {"organization": "市市场监督管理局", "title": "副局长", "since": None, "until": "2023-02-06",
             "start_known": False, "concurrent": False, "acting": False, "inferred": False, "probation_until": None,
             "ranked_after": None, "appointed_by": None, "removed_by": N3, "end_reason": "removed"},
            {"organization": HEALTH, "title": "副主任", "since": "2023-02-06", "until": None, "start_known": True,
             "concurrent": False, "acting": False, "inferred": False, "probation_until": None,
             "ranked_after": "胡秀兰", "appointed_by": N3, "removed_by": None, "end_reason": None},
        ]}],
    }


def test_history_of_a_concurrent_post_ended_by_mian_qu_qi(ask, pid):
    assert ask(queries.history, "马冰") == {
        "query": "马冰",
        "people": [{"person_id": pid("马冰"), "name": "马冰", "holdings": [
            {"organization": ZONE, "title": "常务副主任", "since": None, "until": "2023-02-06", "start_known": False,
             "concurrent": True, "acting": False, "inferred": False, "probation_until": None,
             "ranked_after": None, "appointed_by": None, "removed_by": N6, "end_reason": "removed"},
            {"organization": ZONE, "title": "主任", "since": "2023-02-06", "until": None, "start_known": True,
             "concurrent": True, "acting": False, "inferred": False, "probation_until": None,
             "ranked_after": None, "appointed_by": N6, "removed_by": None, "end_reason": None},
        ]}],
    }


def test_history_with_probation(ask, pid):
    assert ask(queries.history, "李艳君")["people"] == [{"person_id": pid("李艳君"), "name": "李艳君", "holdings": [
        {"organization": COMMERCE, "title": "副局长", "since": "2023-02-06", "until": None, "start_known": True,
         "concurrent": False, "acting": False, "inferred": False, "probation_until": "2024-02-06",
         "ranked_after": None, "appointed_by": N3, "removed_by": None, "end_reason": None},
    ]}]


def test_history_by_person_id(ask, pid):
    data = ask(queries.history, str(pid("尼玛(乡村振兴局)")))
    assert data["query"] == str(pid("尼玛(乡村振兴局)"))
    assert [(p["person_id"], [h["organization"] for h in p["holdings"]]) for p in data["people"]] == [
        (pid("尼玛(乡村振兴局)"), ["市乡村振兴局"]),
    ]


def test_history_of_nobody(ask):
    with pytest.raises(NotFound) as caught:
        ask(queries.history, "张三")
    assert str(caught.value) == "nobody called 张三 is on record"
    with pytest.raises(NotFound) as caught:
        ask(queries.history, "999999")
    assert str(caught.value) == "no person with id 999999"


def bundled(number: int) -> dict:
    return {"file": f"linzhengfa-2023-0{number}.txt", "document": None, "pages": None}


def test_notices_six_and_seven_missing(ask):
    assert ask(queries.notices) == {
        "notices": [
            {"number": N2, "date": "2023-02-06", "title": "关于李宁博同志任职的通知", "actions": 1, "status": "recorded",
             "issuer": "林芝市人民政府", "source": bundled(2)},
            {"number": N3, "date": "2023-02-06", "title": "关于杨帆等同志任免职的通知", "actions": 14,
             "status": "recorded", "issuer": "林芝市人民政府", "source": bundled(3)},
            {"number": N4, "date": "2023-02-06", "title": "关于雷增炎、徐继军同志任免职的通知", "actions": 2,
             "status": "recorded", "issuer": "林芝市人民政府", "source": bundled(4)},
            {"number": N5, "date": "2023-02-06", "title": "关于米次等同志任免职的通知", "actions": 6,
             "status": "recorded", "issuer": "林芝市人民政府", "source": bundled(5)},
            {"number": N6, "date": "2023-02-06", "title": "关于马冰、陈健华同志任免职的通知", "actions": 3,
             "status": "recorded", "issuer": "林芝市人民政府", "source": bundled(6)},
            {"number": N8, "date": "2023-02-09",
             "title": "关于任命林芝市残疾人联合会第二届主席团执行理事会理事长、副理事长的通知", "actions": 2,
             "status": "recorded", "issuer": "林芝市人民政府", "source": bundled(8)},
        ],
        "missing": ["林政发〔2023〕7号"],
    }


# -- boundary dates: the day before, the day of and the day after each change -------

BOUNDARIES = [
    # (organization, date, [(rank, name, title, since, inferred, ranked_after)])
    (COMMERCE, date(2023, 2, 5), [(1, "张利", "副局长", None, False, None)]),
    (COMMERCE, date(2023, 2, 6), [(1, "李艳君", "副局长", "2023-02-06", False, None)]),
    (COMMERCE, date(2023, 2, 7), [(1, "李艳君", "副局长", "2023-02-06", False, None)]),
    ("市生态环境局", date(2023, 2, 5), [(1, "雷增炎", "副局长", None, False, None)]),
    ("市生态环境局", date(2023, 2, 6), [(1, "徐继军", "副局长", "2023-02-06", False, None)]),
    ("市生态环境局", date(2023, 2, 7), [(1, "徐继军", "副局长", "2023-02-06", False, None)]),
    # 王程 is known only from 李宁博's 列王程之后: inferred, there on every date.
    ("市水利局", date(2023, 2, 5), [(1, "王程", "副局长", None, True, None)]),
    ("市水利局", date(2023, 2, 6), [(1, "王程", "副局长", None, True, None),
                                   (2, "李宁博", "副局长", "2023-02-06", False, "王程")]),
    ("市水利局", date(2023, 2, 7), [(1, "王程", "副局长", None, True, None),
                                   (2, "李宁博", "副局长", "2023-02-06", False, "王程")]),
    ("市医疗保障局", date(2023, 2, 5), [(1, "旺堆", "副局长", None, True, None)]),
    ("市医疗保障局", date(2023, 2, 6), [(1, "旺堆", "副局长", None, True, None),
                                       (2, "龙小华", "副局长", "2023-02-06", False, "旺堆")]),
    ("市医疗保障局", date(2023, 2, 7), [(1, "旺堆", "副局长", None, True, None),
                                       (2, "龙小华", "副局长", "2023-02-06", False, "旺堆")]),
    (HEALTH, date(2023, 2, 5), [(1, "赵线", "副主任", None, False, None),
                                (2, "尼玛", "副主任", None, True, None)]),
    (HEALTH, date(2023, 2, 6), [(1, "尼玛", "副主任", None, True, None),
                                (2, "胡秀兰", "副主任", "2023-02-06", False, "尼玛"),
                                (3, "罗布顿珠", "副主任", "2023-02-06", False, "胡秀兰")]),
    (ZONE, date(2023, 2, 6), [(1, "马冰", "主任", "2023-02-06", False, None),
                              (2, "向巴次仁", "副主任", None, True, None),
                              (3, "陈健华", "副主任", "2023-02-06", False, "向巴次仁")]),
    ("市市场监督管理局", date(2023, 2, 5), [(1, "罗布顿珠", "副局长", None, False, None)]),
    ("市市场监督管理局", date(2023, 2, 6), []),
    ("市市场监督管理局", date(2023, 2, 7), []),
    ("市政府", date(2023, 2, 5), [(1, "杨帆", "副秘书长", None, False, None)]),
    ("市政府", date(2023, 2, 6), []),
    ("市乡村振兴局", date(2023, 2, 5), [(1, "尼玛", "副局长", None, False, None)]),
    ("市乡村振兴局", date(2023, 2, 6), []),
    ("市发展和改革委员会", date(2023, 2, 5), []),
    ("市发展和改革委员会", date(2023, 2, 6), [(1, "王冲飞", "副主任", "2023-02-06", False, None)]),
    ("市经济和信息化局", date(2023, 2, 5), [(1, "徐斌", "副局长", None, True, None)]),
    ("市经济和信息化局", date(2023, 2, 6), [(1, "徐斌", "副局长", None, True, None),
                                           (2, "索朗群宗", "副局长", "2023-02-06", False, "徐斌")]),
    ("市国防动员办公室", date(2023, 2, 5), []),
    ("市国防动员办公室", date(2023, 2, 6), [(1, "洛桑吉美", "主任", "2023-02-06", False, None)]),
    # 林政发〔2023〕8号 is dated 2023-02-09.
    (DISABLED, date(2023, 2, 8), []),
    (DISABLED, date(2023, 2, 9), [(1, "尼仓", "理事长", "2023-02-09", False, None),
                                  (2, "郑明", "副理事长", "2023-02-09", False, None)]),
    (DISABLED, date(2023, 2, 10), [(1, "尼仓", "理事长", "2023-02-09", False, None),
                                   (2, "郑明", "副理事长", "2023-02-09", False, None)]),
]


@pytest.mark.parametrize("org, on, expected", BOUNDARIES, ids=[f"{o}-{d}" for o, d, _ in BOUNDARIES])
def test_roster_on_boundary_dates(ask, org, on, expected):
    data = ask(queries.roster, org, on)
    assert (data["organization"], data["as_of"]) == (org, on.isoformat())
    assert names(data) == expected


def test_every_member_counts_on_the_day_before_its_end_and_not_on_it(ask):
    # Half-open [since, until): the removed are out on the notice's date, the appointees in.
    for org, title, removed, appointed in ((COMMERCE, "副局长", "张利", "李艳君"),
                                           ("市生态环境局", "副局长", "雷增炎", "徐继军")):
        assert [h["name"] for h in ask(queries.who_held, org, title, date(2023, 2, 5))["holders"]] == [removed]
        assert [h["name"] for h in ask(queries.who_held, org, title, date(2023, 2, 6))["holders"]] == [appointed]


def test_roster_long_before_anything_on_record(ask):
    # Starts not on record count on every earlier date; known starts do not.
    assert names(ask(queries.roster, HEALTH, date(2000, 1, 1))) == [
        (1, "赵线", "副主任", None, False, None), (2, "尼玛", "副主任", None, True, None),
    ]
    assert ask(queries.roster, DISABLED, date(2000, 1, 1))["members"] == []


# -- organization names -------------------------------------------------------------

@pytest.mark.parametrize("typed, canonical", [
    ("市卫生健康委员会", HEALTH),
    ("卫生健康委员会", HEALTH),
    ("林芝市卫生健康委员会", HEALTH),
    ("林芝卫生健康委员会", HEALTH),
    ("市卫生健康委", HEALTH),
    ("卫生健康委", HEALTH),
    ("市卫健委", HEALTH),
    ("卫健委", HEALTH),
    ("林芝经济开发区管委会", ZONE),
    ("经开区", ZONE),
    ("林芝经开区", ZONE),
    ("林芝经济开发区", ZONE),
    ("林芝经济开发区管理委员会", ZONE),
    ("林草局", "市林业和草原局"),
    ("市林草局", "市林业和草原局"),
    ("市发展改革委", "市发展和改革委员会"),
    ("市市场监管局", "市市场监督管理局"),
    ("市政府国资委", "市政府国有资产监督管理委员会"),
    ("市政府", "市政府"),
    ("市人民政府", "市政府"),
    ("林芝市人民政府", "市政府"),
    ("商务局", COMMERCE),
    ("林芝市商务局", COMMERCE),
    (" 卫健委 ", HEALTH),
])
def test_short_organization_names_resolve(ask, typed, canonical):
    assert ask(queries.roster, typed, date(2023, 2, 7))["organization"] == canonical


def test_a_short_name_gives_the_same_roster(ask):
    full = ask(queries.roster, HEALTH, date(2023, 2, 7))
    for typed in ("卫健委", "市卫生健康委", "林芝市卫生健康委员会"):
        assert ask(queries.roster, typed, date(2023, 2, 7)) == full
    assert ask(queries.roster, "经开区", date(2023, 2, 7)) == ask(queries.roster, ZONE, date(2023, 2, 7))


def test_unknown_organization_lists_the_closest(ask):
    with pytest.raises(NotFound) as caught:
        ask(queries.roster, "卫生委", date(2023, 2, 7))
    assert str(caught.value) == "no organization called '卫生委'; closest: 卫生健康委, 市卫生健康委, 卫健委"


# -- dates --------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["2023-02-06", "2023-2-6", "2023/2/6", "2023/02/06", "2023.2.6", "2023.02.06",
                                   "20230206", "2023年2月6日", "2023年02月06日", "2023 年 2 月 6 日", "2023年2月6号",
                                   "二〇二三年二月六日", "二○二三年二月六号", "２０２３－０２－０６", "２０２３．２．６",
                                   "２０２３０２０６", "２０２３年２月６日", " 2023-02-06 "])
def test_date_forms(typed):
    assert inputs.parse_date(typed) == date(2023, 2, 6)


@pytest.mark.parametrize("typed, day", [("二〇二三年十二月三十一日", date(2023, 12, 31)),
                                        ("二〇二四年二月二十九日", date(2024, 2, 29)),
                                        ("2023.12.31", date(2023, 12, 31)), ("20240229", date(2024, 2, 29))])
def test_date_forms_beyond_single_digits(typed, day):
    assert inputs.parse_date(typed) == day


@pytest.mark.parametrize("typed", ["06/02/2023", "yesterday", "2023年2月", "", "2023-2/6", "2023.2-6", "2023026",
                                   "二〇二三年2月6日", "2023年2月6", "202302061"])
def test_bad_dates_are_refused_naming_the_forms(typed):
    with pytest.raises(ValueError) as caught:
        inputs.parse_date(typed)
    assert str(caught.value) == (f"{typed!r} is not a date; dates are written 2023-02-06, 2023/2/6, 2023.2.6, "
                                 "20230206, 2023年2月6日, 2023年2月6号 or 二〇二三年二月六日")


@pytest.mark.parametrize("typed", ["2023-02-30", "2023-13-01", "20230230", "2023.2.29", "二〇二三年二月三十日",
                                   "2023年0月6日"])
def test_impossible_dates_are_refused(typed):
    with pytest.raises(ValueError) as caught:
        inputs.parse_date(typed)
    assert str(caught.value) == f"{typed!r} is not a real date"


def test_the_notice_reader_reads_dates_with_the_same_grammar():
    from registry import dates, parse

    from registry.record import bundled_notice_files

    text = bundled_notice_files()[0].read_text(encoding="utf-8")
    assert text.rstrip().endswith("2023年 2月 6日")
    assert parse.parse_notice(text.rstrip()[:-1] + "号").date == date(2023, 2, 6)
    assert parse.chinese_number is dates.chinese_number
    for typed in ("2023年2月6日", "二〇二三年二月六日", "2023年2月6号"):
        assert [day for _, day in dates.find_dates(typed)] == [inputs.parse_date(typed)]


@pytest.mark.parametrize("typed", ["2023-02-06", "2023/2/6", "2023年2月6日"])
def test_date_forms_on_the_command_line(seeded, cli_run, typed):
    result = cli_run("roster", "卫健委", "--as-of", typed, "--format", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    data = json.loads(result.stdout)
    assert data["as_of"] == "2023-02-06"
    assert [m["name"] for m in data["members"]] == ["尼玛", "胡秀兰", "罗布顿珠"]
    result = cli_run("who-held", "市商务局", "副局长", "--on", typed, "--format", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    assert [(h["name"], h["since"]) for h in json.loads(result.stdout)["holders"]] == [("李艳君", "2023-02-06")]


# -- a later notice: the gap closes, 列X之后 and probation in one parenthesis ----------

NOTICE_9 = """林芝市人民政府
关于胡秀兰等同志任免职的通知

林政发〔2023〕9 号

各县（区）人民政府,市各委、办、局:

经中共林芝市人民政府党组 2023年第 2次会议研究,决定:

免去胡秀兰的市卫生健康委员会副主任职务；

扎西任市卫生健康委员会副主任（列罗布顿珠之后，试用期 1年）。

林芝市人民政府

2023年 3月 1日
"""


def test_a_removal_closes_the_gap(seeded):
    from registry.intake import Source, record

    ask, pid = asker(seeded), person_lookup(seeded)
    outcome = record(seeded, Source("notice 9", NOTICE_9.encode("utf-8")), recorded_by="test")
    assert outcome.status == "recorded"
    assert names(ask(queries.roster, HEALTH, date(2023, 2, 28))) == [
        (1, "尼玛", "副主任", None, True, None),
        (2, "胡秀兰", "副主任", "2023-02-06", False, "尼玛"),
        (3, "罗布顿珠", "副主任", "2023-02-06", False, "胡秀兰"),
    ]
    after = ask(queries.roster, HEALTH, date(2023, 3, 1))
    assert names(after) == [
        (1, "尼玛", "副主任", None, True, None),
        (2, "罗布顿珠", "副主任", "2023-02-06", False, "胡秀兰"),
        (3, "扎西", "副主任", "2023-03-01", False, "罗布顿珠"),
    ]
    assert after["members"][2]["probation_until"] == "2024-03-01" and after["members"][2]["on_probation"]
    # The 胡秀兰 removed is the 胡秀兰 appointed: one person, one holding now ended.
    assert ask(queries.history, "胡秀兰")["people"] == [{"person_id": pid("胡秀兰"), "name": "胡秀兰", "holdings": [
        {"organization": HEALTH, "title": "副主任", "since": "2023-02-06", "until": "2023-03-01", "start_known": True,
         "concurrent": False, "acting": False, "inferred": False, "probation_until": None, "ranked_after": "尼玛",
         "appointed_by": N3, "removed_by": "林政发〔2023〕9号", "end_reason": "removed"},
    ]}]


# -- 列X之后 places the new holder right after X ------------------------------------------

def record_notice(engine, seq: int, day: str, *clauses: str) -> None:
    from conftest import make_notice
    from registry.intake import Source, record

    text = make_notice(f"林政发〔2023〕{seq}号", day, list(clauses))
    assert record(engine, Source(f"notice {seq}", text.encode("utf-8")), recorded_by="test").status == "recorded"


def ranked(engine, org: str, on: date) -> list[tuple]:
    return [(m["rank"], m["name"], m["ranked_after"]) for m in asker(engine)(queries.roster, org, on)["members"]]


def test_ranked_after_the_first_holder_goes_second_not_last(seeded):
    """卫健委 is 尼玛, 胡秀兰, 罗布顿珠; 列尼玛之后 puts 格桑 between 尼玛 and 胡秀兰, and
    列格桑之后 in the same notice puts 达瓦 right after 格桑."""
    record_notice(seeded, 9, "2023年3月1日", "格桑任市卫生健康委员会副主任（列尼玛之后）",
                  "达瓦任市卫生健康委员会副主任（列格桑之后）")
    assert ranked(seeded, HEALTH, date(2023, 3, 1)) == [
        (1, "尼玛", None), (2, "格桑", "尼玛"), (3, "达瓦", "格桑"), (4, "胡秀兰", "尼玛"), (5, "罗布顿珠", "胡秀兰"),
    ]
    # The day before, the order the seed set.
    assert ranked(seeded, HEALTH, date(2023, 2, 28)) == [(1, "尼玛", None), (2, "胡秀兰", "尼玛"), (3, "罗布顿珠", "胡秀兰")]


def test_ranked_after_a_middle_holder_and_then_a_removal(seeded):
    """列胡秀兰之后 puts 格桑 before 罗布顿珠; removing 胡秀兰 later closes the gap and keeps
    格桑 ahead of 罗布顿珠; a holder appointed without 列 goes last."""
    record_notice(seeded, 9, "2023年3月1日", "格桑任市卫生健康委员会副主任（列胡秀兰之后）")
    record_notice(seeded, 10, "2023年4月1日", "免去胡秀兰的市卫生健康委员会副主任职务", "扎西任市卫生健康委员会副主任")
    assert ranked(seeded, HEALTH, date(2023, 3, 31)) == [
        (1, "尼玛", None), (2, "胡秀兰", "尼玛"), (3, "格桑", "胡秀兰"), (4, "罗布顿珠", "胡秀兰"),
    ]
    assert ranked(seeded, HEALTH, date(2023, 4, 1)) == [
        (1, "尼玛", None), (2, "格桑", "胡秀兰"), (3, "罗布顿珠", "胡秀兰"), (4, "扎西", None),
    ]


def test_a_back_filled_reference_ranks_before_later_appointees(seeded):
    """Recorded late, a 2022 列王程之后 places 格桑 right after 王程; 李宁博's 2023 列王程之后
    then places him right after 王程, ahead of 格桑: ranks follow the notices' dates, not arrival."""
    record_notice(seeded, 1, "2022年6月1日", "格桑任市水利局副局长（列王程之后）")
    assert ranked(seeded, "市水利局", date(2022, 6, 1)) == [(1, "王程", None), (2, "格桑", "王程")]
    assert ranked(seeded, "市水利局", date(2023, 2, 6)) == [(1, "王程", None), (2, "李宁博", "王程"), (3, "格桑", "王程")]


def test_a_plain_statement_whose_columns_moved_is_refused_when_built(ask, monkeypatch):
    """roster, who-held and history unpack the plain statement's rows by position: a statement whose
    columns are not PLAIN_COLUMNS, in that order, is refused as it is built, before any answer."""
    before = ask(queries.roster, "卫健委", date(2023, 2, 7))
    moved = list(queries.PLAIN_COLUMNS)
    moved[7], moved[8] = moved[8], moved[7]  # concurrent and acting: both booleans, easily swapped
    monkeypatch.setattr(queries, "PLAIN_COLUMNS", tuple(moved))
    queries.forget_statements()
    try:
        with pytest.raises(RuntimeError, match="the plain statement's columns are"):
            ask(queries.roster, "卫健委", date(2023, 2, 7))
    finally:
        monkeypatch.undo()
        queries.forget_statements()
    assert ask(queries.roster, "卫健委", date(2023, 2, 7)) == before  # built again from the real order
