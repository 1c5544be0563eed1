"""Issue 3 §6: a 2023-03-20 notice of the Linzhi form, recorded on top of the bundled notices.

林政发〔2023〕20号 appoints 格桑 (probation one year), makes 次仁 acting 局长,
removes 胡秀兰 and 罗布顿珠 in one clause, and accepts 徐继军's resignation.
The same notice saved as GB18030 with ASCII punctuation must give exactly the
same registry, and adding it after the UTF-8 copy is "already recorded".
Every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from conftest import dump, file_bytes, seeded_database
from registry import db as dbmod
from registry import queries, render
from registry.models import Person
from registry.record import add_notice

NOTICE = """林芝市人民政府
关于格桑等同志任免职的通知

林政发〔2023〕20 号

各县（区）人民政府,市各委、办、局:

经中共林芝市人民政府党组 2023年第 3次会议研究,决定:

任命格桑为市医疗保障局副局长（试用期一年）；

次仁同志代理市生态环境局局长；

免去胡秀兰、罗布顿珠的市卫生健康委员会副主任职务；

接受徐继军辞去市生态环境局副局长职务的请求。

林芝市人民政府

2023年 3月 20日
"""


def web_copy_gb18030(notice: str) -> bytes:
    """The notice as a web page saves it: ASCII punctuation, [2023], CRLF, GB18030."""
    for wide, narrow in zip("，；：（）〔〕", ",;:()[]"):
        notice = notice.replace(wide, narrow)
    return notice.replace("\n", "\r\n").encode("gb18030")


UTF8 = NOTICE.encode("utf-8")
GB18030 = web_copy_gb18030(NOTICE)


def record(engine, data: bytes):
    with dbmod.writing(engine) as session:
        outcome = add_notice(session, data, recorded_by="test")
        return outcome.status, [(step.parsed.kind, step.parsed.name, step.person_new) for step in outcome.plan]


def roster(engine, org: str, on: date) -> dict:
    """The roster as the CLI prints it with --format json."""
    with dbmod.reading(engine) as session:
        return json.loads(render.to_json(queries.roster(session, org, on)))


def history(engine, name: str) -> dict:
    with dbmod.reading(engine) as session:
        return json.loads(render.to_json(queries.history(session, name)))


def members(data: dict) -> list[tuple]:
    return [(m["name"], m["title"], m["since"], m["acting"], m["probation_until"], m["on_probation"])
            for m in data["members"]]


def test_notice_bytes_differ_but_say_the_same():
    """The two copies differ byte for byte, yet read as the same notice: one content hash, and
    the same number, date and acts (written out here from the text above)."""
    from registry.parse import parse_notice
    from registry.text import content_hash, decode

    assert GB18030 != UTF8
    assert b"," in GB18030 and b"[2023]" in GB18030 and "，".encode("gb18030") not in GB18030
    assert content_hash(decode(GB18030)) == content_hash(decode(UTF8))
    acts = [
        ("appoint", "格桑", "市医疗保障局", "副局长", False, 12, None),
        ("appoint", "次仁", "市生态环境局", "局长", True, None, None),
        ("remove", "胡秀兰", "市卫生健康委员会", "副主任", False, None, "removed"),
        ("remove", "罗布顿珠", "市卫生健康委员会", "副主任", False, None, "removed"),
        ("remove", "徐继军", "市生态环境局", "副局长", False, None, "resigned"),
    ]
    for data in (UTF8, GB18030):
        parsed = parse_notice(decode(data))
        assert (parsed.number, parsed.date, parsed.title) == ("林政发〔2023〕20号", date(2023, 3, 20), "关于格桑等同志任免职的通知")
        assert [(a.kind, a.name, a.org, a.title, a.acting, a.probation_months, a.end_reason)
                for a in parsed.actions] == acts


def test_scenario(seeded):
    assert record(seeded, UTF8) == ("recorded", [
        ("appoint", "格桑", True), ("appoint", "次仁", True),
        ("remove", "胡秀兰", False), ("remove", "罗布顿珠", False), ("remove", "徐继军", False),
    ])

    # 医保局: 格桑 joins at the end, on probation until 2024-03-20.
    assert members(roster(seeded, "医保局", date(2023, 3, 19))) == [
        ("旺堆", "副局长", None, False, None, False),
        ("龙小华", "副局长", "2023-02-06", False, None, False),
    ]
    insurance = roster(seeded, "医保局", date(2023, 3, 20))
    assert members(insurance) == [
        ("旺堆", "副局长", None, False, None, False),
        ("龙小华", "副局长", "2023-02-06", False, None, False),
        ("格桑", "副局长", "2023-03-20", False, "2024-03-20", True),
    ]
    assert insurance["members"][-1]["basis"] == "林政发〔2023〕20号"
    assert members(roster(seeded, "医保局", date(2024, 3, 19)))[-1] == (
        "格桑", "副局长", "2023-03-20", False, "2024-03-20", True)
    assert members(roster(seeded, "医保局", date(2024, 3, 20)))[-1] == (
        "格桑", "副局长", "2023-03-20", False, "2024-03-20", False)

    # 生态环境局: 次仁 acting 局长; 徐继军 gone, his reason recorded.
    assert members(roster(seeded, "市生态环境局", date(2023, 3, 19))) == [
        ("徐继军", "副局长", "2023-02-06", False, None, False),
    ]
    ecology = roster(seeded, "市生态环境局", date(2023, 3, 20))
    assert members(ecology) == [("次仁", "局长", "2023-03-20", True, None, False)]
    assert ecology["members"][0]["acting"] is True
    with dbmod.reading(seeded) as session:
        assert '"acting": true' in render.to_json(queries.roster(session, "市生态环境局", date(2023, 3, 20)))

    resigned = history(seeded, "徐继军")["people"]
    assert len(resigned) == 1
    assert [(h["organization"], h["title"], h["since"], h["until"], h["removed_by"], h["end_reason"])
            for h in resigned[0]["holdings"]] == [
        ("市生态环境局", "副局长", "2023-02-06", "2023-03-20", "林政发〔2023〕20号", "resigned"),
    ]
    acting = history(seeded, "次仁")["people"]
    assert [(h["organization"], h["title"], h["acting"], h["until"]) for h in acting[0]["holdings"]] == [
        ("市生态环境局", "局长", True, None),
    ]

    # 卫健委: 胡秀兰 and 罗布顿珠 present on 2023-03-19, gone on 2023-03-20.
    assert [m["name"] for m in roster(seeded, "卫健委", date(2023, 3, 19))["members"]] == ["尼玛", "胡秀兰", "罗布顿珠"]
    assert [m["name"] for m in roster(seeded, "卫健委", date(2023, 3, 20))["members"]] == ["尼玛"]
    for name in ("胡秀兰", "罗布顿珠"):
        health = [h for h in history(seeded, name)["people"][0]["holdings"] if h["organization"] == "市卫生健康委员会"]
        assert [(h["since"], h["until"], h["removed_by"], h["end_reason"]) for h in health] == [
            ("2023-02-06", "2023-03-20", "林政发〔2023〕20号", "removed"),
        ]


# -- the GB18030 web copy gives the same registry -----------------------------------------

@pytest.fixture
def other_seeded(db_url, tmp_path):
    """A second fresh registry with the bundled notices, on the same backend as ``seeded``."""
    other = tmp_path / "other"
    other.mkdir()
    with seeded_database("sqlite" if "://" not in db_url else "postgresql", other) as (_, engine):
        yield engine


DATES = [date(2023, 2, 5), date(2023, 2, 6), date(2023, 2, 9), date(2023, 3, 19), date(2023, 3, 20),
         date(2024, 3, 19), date(2024, 3, 20)]


def registry_view(engine) -> dict:
    """Everything a user can ask: every roster on every date that matters, every history, the notices."""
    with dbmod.reading(engine) as session:
        orgs = queries.organizations(session)
        names = sorted(set(session.scalars(select(Person.name))))
        view = {
            "organizations": orgs,
            "notices": queries.notices(session),
            "rosters": {f"{org['name']} {on}": queries.roster(session, org["name"], on)
                        for org in orgs["organizations"] for on in DATES},
            "histories": {name: queries.history(session, name) for name in names},
        }
        return json.loads(render.to_json(view))


def test_the_gb18030_ascii_copy_gives_the_same_registry(seeded, other_seeded):
    assert record(seeded, UTF8)[0] == "recorded"
    assert record(other_seeded, GB18030)[0] == "recorded"
    # Person ids included: both registries number their people in the same order.
    assert registry_view(other_seeded) == registry_view(seeded)


@pytest.mark.parametrize("first,second", [(UTF8, GB18030), (GB18030, UTF8)], ids=["utf-8 first", "gb18030 first"])
def test_the_other_copy_is_already_recorded(seeded, first, second):
    assert record(seeded, first)[0] == "recorded"
    before = dump(seeded)
    assert record(seeded, second) == ("already recorded", [])
    assert dump(seeded) == before


def test_the_cli_says_already_recorded_and_changes_nothing(seeded, cli_run, db_url, tmp_path):
    (tmp_path / "n20.txt").write_bytes(UTF8)
    (tmp_path / "n20-web.txt").write_bytes(GB18030)
    first = cli_run("add-notice", str(tmp_path / "n20.txt"), "--yes")
    assert first.exit_code == 0, first.stderr
    assert first.stdout.endswith("林政发〔2023〕20号 recorded: 5 actions\n")
    before, raw = dump(seeded), file_bytes(db_url)
    again = cli_run("add-notice", str(tmp_path / "n20-web.txt"), "--yes")
    assert (again.exit_code, again.stdout) == (0, "林政发〔2023〕20号 already recorded\n")
    assert dump(seeded) == before
    assert file_bytes(db_url) == raw
    on_the_day = cli_run("roster", "市生态环境局", "--as-of", "2023-03-20", "--format", "json")
    assert [(m["name"], m["acting"]) for m in json.loads(on_the_day.stdout)["members"]] == [("次仁", True)]


def test_other_phrasings_resolve_to_the_right_people(seeded):
    """Several posts name one person; a run-together removal finds the holder; reasons and gender are kept."""
    body = (
        "任命：\n一、扎西为市水利局局长、党组书记；\n二、卓玛（女）为市商务局副局长（挂职，时间一年）。\n"
        "免去：\n一、李宁博市水利局副局长职务；\n二、龙小华的市医疗保障局副局长职务（另有任用）。"
    )
    notice = (NOTICE.replace("林政发〔2023〕20 号", "林政发〔2023〕21 号").replace("3月 20日", "3月 21日")
              .replace(NOTICE[NOTICE.index("任命格桑"):NOTICE.index("\n\n林芝市人民政府\n\n")], body))
    with dbmod.reading(seeded) as session:
        before = {name: session.scalars(select(Person.id).where(Person.name == name)).all()
                  for name in ("李宁博", "龙小华")}
    assert record(seeded, notice.encode("gb18030")) == ("recorded", [
        ("appoint", "扎西", True), ("appoint", "扎西", False), ("appoint", "卓玛", True),
        ("remove", "李宁博", False), ("remove", "龙小华", False),
    ])

    people = history(seeded, "扎西")["people"]
    assert len(people) == 1
    assert sorted((h["organization"], h["title"], h["since"], h["until"]) for h in people[0]["holdings"]) == [
        ("市水利局", "党组书记", "2023-03-21", None), ("市水利局", "局长", "2023-03-21", None),
    ]
    for name, reason in (("李宁博", "removed"), ("龙小华", "reassigned")):
        (person,) = history(seeded, name)["people"]
        assert [person["person_id"]] == before[name]
        assert [(h["until"], h["removed_by"], h["end_reason"]) for h in person["holdings"]] == [
            ("2023-03-21", "林政发〔2023〕21号", reason),
        ]
    with dbmod.reading(seeded) as session:
        assert session.scalars(select(Person.gender).where(Person.name == "卓玛")).all() == ["女"]
    commerce = roster(seeded, "市商务局", date(2023, 3, 21))
    assert [(m["name"], m["title"]) for m in commerce["members"]][-1] == ("卓玛", "副局长")
