"""Back-filled notices: an older notice added later re-derives everything after it.

Every scenario runs in both arrival orders (the old notice after the bundled
ones, and before them) and on both backends; the answers must be the same.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from registry import db as dbmod
from registry.models import NoticeVersion
from registry.record import bundled_notice_files
from conftest import make_notice

ARRIVALS = ["old notice last", "old notice first"]


ZHAOXIAN_2019 = make_notice("林政发〔2019〕12号", "2019年5月20日", ["赵线任市卫生健康委员会副主任（试用期 1年）"])
NIMA_2020 = make_notice("林政发〔2020〕5号", "2020年3月2日", ["尼玛任市卫生健康委员会副主任"])
DAWA_2022 = make_notice("林政发〔2022〕3号", "2022年1月10日", ["达瓦任市卫生健康委员会副主任（列赵线之后）"])
LUOBU_2021 = make_notice("林政发〔2021〕7号", "2021年6月15日", ["罗布顿珠任市市场监督管理局副局长"])


@pytest.fixture
def build(engine, cli_run, tmp_path):
    """build(arrival, *texts): record the bundled notices and ``texts`` in that arrival order."""

    def run(arrival: str, *texts: str):
        files = []
        for i, text in enumerate(texts):
            path = tmp_path / f"old-{i}.txt"
            path.write_text(text, encoding="utf-8")
            files.append(str(path))
        bundled = [str(p) for p in bundled_notice_files()]
        batches = [bundled, *([f] for f in files)]
        if arrival == "old notice first":
            batches = [*([f] for f in reversed(files)), bundled]
        for batch in batches:
            result = cli_run("add-notice", "--yes", *batch)
            assert result.exit_code == 0, result.stderr
        return engine

    return run


def as_json(result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def members(cli_run, org: str, day: str, *keys: str, known_at: str | None = None):
    args = ["roster", org, "--as-of", day, "--format", "json"]
    if known_at:
        args += ["--known-at", known_at]
    data = as_json(cli_run(*args))
    return [tuple(m[k] for k in keys) for m in data["members"]]


@pytest.mark.parametrize("arrival", ARRIVALS)
def test_a_backfilled_appointment_joins_the_unknown_start(build, cli_run, arrival):
    build(arrival, ZHAOXIAN_2019)
    history = as_json(cli_run("history", "赵线", "--format", "json"))
    assert len(history["people"]) == 1
    assert history["people"][0]["holdings"] == [{
        "organization": "市卫生健康委员会",
        "title": "副主任",
        "since": "2019-05-20",
        "until": "2023-02-06",
        "start_known": True,
        "concurrent": False,
        "acting": False,
        "inferred": False,
        "probation_until": "2020-05-20",
        "ranked_after": None,
        "appointed_by": "林政发〔2019〕12号",
        "removed_by": "林政发〔2023〕3号",
        "end_reason": "removed",
    }]
    person = history["people"][0]["person_id"]
    keys = ("name", "since", "on_probation", "probation_until", "basis")
    assert members(cli_run, "卫健委", "2019-05-19", *keys) == [("尼玛", None, False, None, "林政发〔2023〕3号")]
    assert members(cli_run, "卫健委", "2019-05-20", *keys)[0] == (
        "赵线", "2019-05-20", True, "2020-05-20", "林政发〔2019〕12号")
    assert members(cli_run, "卫健委", "2019-06-01", *keys) == [
        ("赵线", "2019-05-20", True, "2020-05-20", "林政发〔2019〕12号"),
        ("尼玛", None, False, None, "林政发〔2023〕3号"),
    ]
    assert members(cli_run, "卫健委", "2020-05-19", "name", "on_probation")[0] == ("赵线", True)
    assert members(cli_run, "卫健委", "2020-05-20", "name", "on_probation")[0] == ("赵线", False)
    assert members(cli_run, "卫健委", "2023-02-05", "name", "person_id")[0] == ("赵线", person)
    assert [m[0] for m in members(cli_run, "卫健委", "2023-02-05", "name")] == ["赵线", "尼玛"]
    assert [m[0] for m in members(cli_run, "卫健委", "2023-02-06", "name")] == ["尼玛", "胡秀兰", "罗布顿珠"]
    people = as_json(cli_run("people", "赵线", "--format", "json"))["people"]
    assert [(p["person_id"], [h["short"] for h in p["holdings"]], p["notices"]) for p in people] == [
        (person, ["市卫生健康委员会副主任 2019-05-20–2023-02-06"], ["林政发〔2019〕12号", "林政发〔2023〕3号"])]


@pytest.mark.parametrize("arrival", ARRIVALS)
def test_who_held_sees_the_backfilled_start(build, cli_run, arrival):
    build(arrival, ZHAOXIAN_2019)
    before = as_json(cli_run("who-held", "卫健委", "副主任", "--on", "2019-05-19", "--format", "json"))
    assert [h["name"] for h in before["holders"]] == ["尼玛"]
    on = as_json(cli_run("who-held", "卫健委", "副主任", "--on", "2021-01-01", "--format", "json"))
    assert [(h["name"], h["since"], h["until"], h["basis"]) for h in on["holders"]] == [
        ("赵线", "2019-05-20", "2023-02-06", "林政发〔2019〕12号"),
        ("尼玛", None, None, "林政发〔2023〕3号"),
    ]


@pytest.mark.parametrize("arrival", ARRIVALS)
def test_ranks_are_rederived_from_the_inserted_date(build, cli_run, arrival):
    # 尼玛, known only from 胡秀兰's 列尼玛之后, gets a known start in 2020; 达瓦 goes
    # right after 赵线 in 2022, so ahead of 尼玛 whom 赵线 preceded.
    build(arrival, ZHAOXIAN_2019, NIMA_2020, DAWA_2022)
    keys = ("rank", "name", "since", "inferred", "ranked_after")
    assert members(cli_run, "卫健委", "2020-03-01", *keys) == [(1, "赵线", "2019-05-20", False, None)]
    assert members(cli_run, "卫健委", "2020-03-02", *keys) == [
        (1, "赵线", "2019-05-20", False, None),
        (2, "尼玛", "2020-03-02", False, None),
    ]
    assert members(cli_run, "卫健委", "2022-01-10", *keys) == [
        (1, "赵线", "2019-05-20", False, None),
        (2, "达瓦", "2022-01-10", False, "赵线"),
        (3, "尼玛", "2020-03-02", False, None),
    ]
    assert members(cli_run, "卫健委", "2023-02-05", "rank", "name") == [(1, "赵线"), (2, "达瓦"), (3, "尼玛")]
    assert members(cli_run, "卫健委", "2023-02-06", *keys) == [
        (1, "达瓦", "2022-01-10", False, "赵线"),
        (2, "尼玛", "2020-03-02", False, None),
        (3, "胡秀兰", "2023-02-06", False, "尼玛"),
        (4, "罗布顿珠", "2023-02-06", False, "胡秀兰"),
    ]
    # One 尼玛 in 卫健委 (the 2020 appointment joined the reference), another in 乡村振兴局.
    history = as_json(cli_run("history", "尼玛", "--format", "json"))["people"]
    assert sorted((h["organization"], h["since"], h["inferred"]) for p in history for h in p["holdings"]) == [
        ("市乡村振兴局", None, False), ("市卫生健康委员会", "2020-03-02", False)]
    assert len(history) == 2


@pytest.mark.parametrize("arrival", ARRIVALS)
def test_a_backfilled_post_is_closed_by_a_later_mianquqi(build, cli_run, arrival):
    # 罗布顿珠任卫健委副主任，免去其市场监管局副局长: the 2021 appointment is the post removed.
    build(arrival, LUOBU_2021)
    history = as_json(cli_run("history", "罗布顿珠", "--format", "json"))["people"]
    assert len(history) == 1
    assert [(h["organization"], h["since"], h["until"], h["appointed_by"], h["removed_by"])
            for h in history[0]["holdings"]] == [
        ("市市场监督管理局", "2021-06-15", "2023-02-06", "林政发〔2021〕7号", "林政发〔2023〕3号"),
        ("市卫生健康委员会", "2023-02-06", None, "林政发〔2023〕3号", None),
    ]
    assert members(cli_run, "市场监管局", "2021-06-14", "name") == []
    assert members(cli_run, "市场监管局", "2023-02-05", "name", "since") == [("罗布顿珠", "2021-06-15")]
    assert members(cli_run, "市场监管局", "2023-02-06", "name") == []


def test_known_at_shows_the_registry_before_the_backfill(build, cli_run):
    engine = build("old notice last", ZHAOXIAN_2019)
    with dbmod.reading(engine) as session:
        recorded = session.scalar(select(NoticeVersion.recorded_at).order_by(NoticeVersion.recorded_at.desc()).limit(1))
    before = (recorded - timedelta(microseconds=1)).isoformat() + "+00:00"
    after = recorded.isoformat() + "+00:00"
    keys = ("name", "since")
    assert members(cli_run, "卫健委", "2019-01-01", *keys, known_at=before) == [("赵线", None), ("尼玛", None)]
    assert members(cli_run, "卫健委", "2019-01-01", *keys, known_at=after) == [("尼玛", None)]
    assert members(cli_run, "卫健委", "2019-01-01", *keys) == [("尼玛", None)]
    old = as_json(cli_run("history", "赵线", "--format", "json", "--known-at", before))["people"][0]["holdings"]
    assert [(h["since"], h["appointed_by"]) for h in old] == [(None, None)]
    numbers = [n["number"] for n in as_json(cli_run("notices", "--format", "json", "--known-at", before))["notices"]]
    assert "林政发〔2019〕12号" not in numbers


def test_the_preview_says_the_backfilled_appointment_joins(seeded, cli_run, tmp_path):
    path = tmp_path / "2019.txt"
    path.write_text(ZHAOXIAN_2019, encoding="utf-8")
    person = as_json(cli_run("history", "赵线", "--format", "json"))["people"][0]["person_id"]
    preview = as_json(cli_run("add-notice", "--dry-run", "--format", "json", str(path)))
    assert [(a["name"], a["person_id"]) for a in preview["actions"]] == [("赵线", person)]
    assert cli_run("add-notice", "--yes", str(path)).exit_code == 0
    assert as_json(cli_run("history", "赵线", "--format", "json"))["people"][0]["person_id"] == person
