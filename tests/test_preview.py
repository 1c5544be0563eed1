"""The preview add-notice shows, its confirmation, and --person links."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

import cli as cli_module
from conftest import dump, file_bytes
from registry import intake
from registry.intake import Source
from registry.models import Person
from registry.parse import ParsedAction, ParsedNotice
from registry.preview import preview_json, preview_rows, preview_warnings, qualifiers, verb
from registry.record import Outcome, PlannedAction


def make_notice(number: int, day: str, clauses: list[str]) -> str:
    body = "；\n\n".join(clauses)
    return (
        f"林芝市人民政府\n关于干部任免的通知\n\n林政发〔2023〕{number} 号\n\n各县（区）人民政府,市各委、办、局:\n\n"
        f"经中共林芝市人民政府党组 2023年第 2次会议研究,决定:\n\n{body}。\n\n林芝市人民政府\n\n{day}\n"
    )


def ids(engine, name: str) -> list[int]:
    with engine.connect() as conn:
        return list(conn.scalars(select(Person.id).where(Person.name == name).order_by(Person.id)))


def roster_person(cli_run, org: str, on: str, name: str) -> int:
    members = json.loads(cli_run("roster", org, "--as-of", on, "--format", "json").stdout)["members"]
    return next(m["person_id"] for m in members if m["name"] == name)


PREVIEWED = make_notice(9, "2023年3月1日", [
    "免去尼玛的市卫生健康委员会副主任职务",
    "格桑任市卫生健康委员会副主任（列罗布顿珠之后，试用期 1年）",
    "李宁博兼任市水利局党组成员",
    "扎西任市新能源局局长",
    "达瓦任市新能源局副局长（列次旦之后）",
])


@pytest.fixture
def previewed(tmp_path):
    path = tmp_path / "9.txt"
    path.write_text(PREVIEWED, encoding="utf-8")
    return path


def test_preview_shows_verb_person_organization_title_qualifiers(seeded, cli_run, db_url, previewed):
    nima = roster_person(cli_run, "卫健委", "2023-02-07", "尼玛")
    robu = roster_person(cli_run, "卫健委", "2023-02-07", "罗布顿珠")
    [lnb] = ids(seeded, "李宁博")
    before, raw = dump(seeded), file_bytes(db_url)

    result = cli_run("add-notice", str(previewed), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert dump(seeded) == before
    assert file_bytes(db_url) == raw

    # The rows, as the preview computes them (the last column says why, in words).
    outcome = intake.record(seeded, Source("9.txt", previewed.read_bytes()), dry_run=True)
    headers, rows = preview_rows(outcome)
    assert headers == ["序", "动作", "姓名", "人员", "单位", "职务", "附注", "人员认定"]
    assert [row[:7] for row in rows] == [
        [1, "免去", "尼玛", f"#{nima} 现任市卫生健康委员会副主任", "市卫生健康委员会", "副主任", ""],
        [2, "任", "格桑", "新人员", "市卫生健康委员会", "副主任", f"列罗布顿珠之后（#{robu}）；试用期1年"],
        [3, "兼任", "李宁博", f"#{lnb} 现任市水利局副局长", "市水利局", "党组成员", ""],
        [4, "任", "扎西", "新人员", "市新能源局（新单位）", "局长", ""],
        [5, "任", "达瓦", "新人员", "市新能源局（新单位）", "副局长", "列次旦之后（新人员，推定在任）"],
    ]
    assert all(row[7] for row in rows)
    # ... and exactly that on stdout; the warnings and the note on stderr.
    # Written out by hand (not rendered by the code under test): the table as a clerk reads it.
    assert result.stdout == (
        "林政发〔2023〕9号  2023-03-01  关于干部任免的通知\n"
        "序    动作    姓名    人员                            单位                  职务      附注                              人员认定\n"
        "----  ------  ------  ------------------------------  --------------------  --------  --------------------------------  -------------------------------------\n"
        f"1     免去    尼玛    #{nima} 现任市卫生健康委员会副主任  市卫生健康委员会      副主任                                      2023-03-01 在任市卫生健康委员会副主任\n"
        f"2     任      格桑    新人员                          市卫生健康委员会      副主任    列罗布顿珠之后（#{robu}）；试用期1年  无可对应的在任者，新建\n"
        "3     兼任    李宁博  #1 现任市水利局副局长           市水利局              党组成员                                    2023-03-01 同单位在任（市水利局）\n"
        "4     任      扎西    新人员                          市新能源局（新单位）  局长                                        无可对应的在任者，新建\n"
        "5     任      达瓦    新人员                          市新能源局（新单位）  副局长    列次旦之后（新人员，推定在任）    无可对应的在任者，新建\n"
    )
    assert (nima, robu) == (11, 12)  # two digits, as the column widths above assume
    # 李宁博 holds a post in 市水利局 on that date: the same person (同单位在任), no warning.
    assert rows[2][7] == "2023-03-01 同单位在任（市水利局）"
    assert result.stderr.splitlines() == [
        "warning: 市新能源局 is a new organization",
        "warning: 次旦 is known only from 列次旦之后: recorded as holding 副局长 of 市新能源局, start not on record",
        "林政发〔2023〕9号 would be recorded: 5 actions; nothing recorded (--dry-run)",
    ]


def test_dry_run_json(seeded, cli_run, db_url, previewed):
    nima = roster_person(cli_run, "卫健委", "2023-02-07", "尼玛")
    [lnb] = ids(seeded, "李宁博")
    before = dump(seeded)
    result = cli_run("add-notice", str(previewed), "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert dump(seeded) == before

    def action(kind, name, person_id, org, title, probation=None, after=None, concurrent=False):
        return {"action": kind, "name": name, "person_id": person_id, "organization": org, "title": title,
                "concurrent": concurrent, "probation_years": probation, "ranked_after": after,
                "acting": False if kind == "appoint" else None, "secondment": None,
                "end_reason": "removed" if kind == "remove" else None}

    assert json.loads(result.stdout) == {
        "number": "林政发〔2023〕9号", "date": "2023-03-01", "title": "关于干部任免的通知",
        "actions": [
            action("remove", "尼玛", nima, "市卫生健康委员会", "副主任"),
            action("appoint", "格桑", None, "市卫生健康委员会", "副主任", probation=1, after="罗布顿珠"),
            action("appoint", "李宁博", lnb, "市水利局", "党组成员", concurrent=True),
            action("appoint", "扎西", None, "市新能源局", "局长"),
            action("appoint", "达瓦", None, "市新能源局", "副局长", after="次旦"),
        ],
    }


def test_recording_shows_what_was_recorded(seeded, cli_run, previewed):
    result = cli_run("add-notice", str(previewed), "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("林政发〔2023〕9号  2023-03-01  关于干部任免的通知\n序")
    assert result.stdout.endswith("林政发〔2023〕9号 recorded: 5 actions\n")
    again = cli_run("add-notice", str(previewed), "--yes")
    assert (again.exit_code, again.stdout, again.stderr) == (0, "林政发〔2023〕9号 already recorded\n", "")
    dry = cli_run("add-notice", str(previewed), "--dry-run")
    assert (dry.exit_code, dry.stdout, dry.stderr) == (0, "林政发〔2023〕9号 already recorded\n", "")


# -- confirmation on a terminal ----------------------------------------------------

# 免去其 names the person the same sentence appoints, and 列扎西之后 the 扎西 appointed before:
# both are new people whose ids in the preview are provisional.
CONFIRMED = make_notice(9, "2023年3月1日", [
    "扎西任市新能源局局长，免去其市水利局副局长职务",
    "达瓦任市新能源局副局长（列扎西之后）",
    "免去尼玛的市卫生健康委员会副主任职务",
])


@pytest.fixture
def terminal(monkeypatch):
    monkeypatch.setattr(cli_module, "_on_terminal", lambda: True)


def test_confirm_no_records_nothing(seeded, cli_run, db_url, tmp_path, terminal):
    path = tmp_path / "9.txt"
    path.write_text(CONFIRMED, encoding="utf-8")
    before, raw = dump(seeded), file_bytes(db_url)
    result = cli_run("add-notice", str(path), input="n\n")
    assert result.exit_code == 1
    assert result.stdout.startswith("林政发〔2023〕9号  2023-03-01  关于干部任免的通知\n")
    assert result.stderr.endswith("Record this notice? [y/N]: n\nnothing recorded\n")
    assert dump(seeded) == before
    assert file_bytes(db_url) == raw


def test_confirm_yes_records_what_was_shown(seeded, cli_run, tmp_path, terminal):
    path = tmp_path / "9.txt"
    path.write_text(CONFIRMED, encoding="utf-8")
    result = cli_run("add-notice", str(path), input="y\n")
    assert result.exit_code == 0, result.stderr
    assert "Record this notice? [y/N]: " in result.stderr
    assert result.stdout.endswith("林政发〔2023〕9号 recorded: 4 actions\n")
    members = json.loads(cli_run("roster", "市新能源局", "--as-of", "2023-03-01", "--format", "json").stdout)["members"]
    assert [(m["name"], m["title"], m["ranked_after"]) for m in members] == [("扎西", "局长", None),
                                                                              ("达瓦", "副局长", "扎西")]


def test_confirm_refuses_when_the_registry_changed_meanwhile(seeded, cli_run, db_url, tmp_path, terminal,
                                                             monkeypatch):
    path = tmp_path / "9.txt"
    path.write_text(CONFIRMED, encoding="utf-8")
    other = make_notice(8_000, "2023年2月20日", ["免去尼玛的市卫生健康委员会副主任职务"])

    def meanwhile(*args, **kwargs):
        # Someone else records a notice while the clerk reads the preview: 尼玛 is gone by 2023-03-01.
        intake.record(seeded, Source("other", other.encode()))
        return True

    monkeypatch.setattr(cli_module, "ask_yes_no", meanwhile)
    before = dump(seeded)
    result = cli_run("add-notice", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: the registry changed since the preview of 林政发〔2023〕9号; nothing was recorded, run again"
    )
    after = dump(seeded)
    assert len(after["notices"]) == len(before["notices"]) + 1  # only the other notice


def test_no_question_without_a_terminal_or_with_yes(seeded, cli_run, tmp_path, terminal):
    result = cli_run("add-notice", "-", input=CONFIRMED)  # the notice itself is on stdin
    assert result.exit_code == 0, result.stderr
    assert "Record this notice?" not in result.stderr
    assert result.stdout.endswith("林政发〔2023〕9号 recorded: 4 actions\n")


# -- --person NAME=ID -------------------------------------------------------------

def test_removal_resolves_to_the_inferred_nima(seeded, cli_run, tmp_path):
    """Without --person, removing 尼玛 from 卫健委 is the 尼玛 known from 列尼玛之后, not a new one."""
    nima = roster_person(cli_run, "卫健委", "2023-02-07", "尼玛")
    path = tmp_path / "9.txt"
    path.write_text(make_notice(9, "2023年3月1日", ["免去尼玛的市卫生健康委员会副主任职务"]), encoding="utf-8")
    result = cli_run("add-notice", str(path), "--yes")
    assert result.exit_code == 0, result.stderr
    assert f"#{nima} 现任市卫生健康委员会副主任" in result.stdout
    assert result.stderr == ""
    assert len(ids(seeded, "尼玛")) == 2
    history = json.loads(cli_run("history", str(nima), "--format", "json").stdout)
    assert [(h["organization"], h["since"], h["until"], h["inferred"]) for h in history["people"][0]["holdings"]] \
        == [("市卫生健康委员会", None, "2023-03-01", True)]


def test_person_links_an_appointment_elsewhere(seeded, cli_run, tmp_path):
    nima = roster_person(cli_run, "卫健委", "2023-02-07", "尼玛")
    path = tmp_path / "9.txt"
    path.write_text(make_notice(9, "2023年3月1日", ["尼玛兼任市林业和草原局副局长"]), encoding="utf-8")

    unlinked = cli_run("add-notice", str(path), "--dry-run")
    assert "\n1     兼任    尼玛    新人员" in unlinked.stdout
    assert unlinked.stderr.splitlines()[0] == (
        f"warning: 尼玛 is recorded as a new person, but people called 尼玛 are on record "
        f"(ids {', '.join(map(str, ids(seeded, '尼玛')))}); if this is one of them, add --person 尼玛=ID"
    )

    result = cli_run("add-notice", str(path), "--yes", "--person", f"尼玛={nima}")
    assert result.exit_code == 0, result.stderr
    assert f"#{nima} 现任市卫生健康委员会副主任" in result.stdout
    assert "由 --person 指定" in result.stdout
    assert result.stderr == ""
    assert len(ids(seeded, "尼玛")) == 2
    history = json.loads(cli_run("history", str(nima), "--format", "json").stdout)
    assert [(h["organization"], h["title"], h["since"], h["concurrent"])
            for h in history["people"][0]["holdings"]] == [
        ("市卫生健康委员会", "副主任", None, False), ("市林业和草原局", "副局长", "2023-03-01", True),
    ]


@pytest.mark.parametrize("link,message", [
    ("尼玛=99999", "no person with id 99999 (given for 尼玛)"),
    ("尼玛={lnb}", "person {lnb} is 李宁博, not 尼玛"),
    ("次旦={lnb}", "person {lnb} is 李宁博, not 次旦"),  # a name the notice does not even use
])
def test_wrong_links_are_refused(seeded, cli_run, db_url, tmp_path, link, message):
    [lnb] = ids(seeded, "李宁博")
    path = tmp_path / "9.txt"
    path.write_text(make_notice(9, "2023年3月1日", ["尼玛兼任市林业和草原局副局长"]), encoding="utf-8")
    before, raw = dump(seeded), file_bytes(db_url)
    for mode in ("--yes", "--dry-run"):
        result = cli_run("add-notice", str(path), mode, "--person", link.format(lnb=lnb))
        assert (result.exit_code, result.stdout) == (1, "")
        assert result.stderr == f"Error: {message.format(lnb=lnb)}\n"
    assert dump(seeded) == before
    assert file_bytes(db_url) == raw


@pytest.mark.parametrize("link", ["尼玛", "尼玛=", "=12", "尼玛=abc", "尼玛=-3", "尼玛=１２", "尼玛=1=2"])
def test_malformed_person_is_a_usage_error(seeded, cli_run, db_url, previewed, link):
    before = dump(seeded)
    result = cli_run("add-notice", str(previewed), "--yes", "--person", link)
    assert (result.exit_code, result.stdout) == (2, "")
    assert f"Invalid value for --person: {link!r} is not NAME=ID (such as 尼玛=12)" in result.stderr
    assert dump(seeded) == before


def test_one_name_linked_twice_is_a_usage_error(seeded, cli_run, previewed):
    result = cli_run("add-notice", str(previewed), "--yes", "--person", "尼玛=1", "--person", "尼玛=2")
    assert result.exit_code == 2
    assert "Invalid value for --person: 尼玛 is linked to two ids (1 and 2)" in result.stderr


# -- the preview's words, one construction at a time ----------------------------------

def step(kind="appoint", **fields) -> PlannedAction:
    parsed = ParsedAction(kind=kind, name="格桑", org="市医疗保障局", title="副局长", clause="…", **fields)
    return PlannedAction(parsed=parsed, person_id=7, person_new=True, org_name="市医疗保障局", org_new=False)


@pytest.mark.parametrize("planned,expected_verb,expected_qualifiers", [
    (step(), "任", []),
    (step(concurrent=True), "兼任", []),
    (step(acting=True), "代理", []),
    (step(probation_months=12), "任", ["试用期1年"]),
    (step(probation_months=18), "任", ["试用期1年半"]),
    (step(probation_months=6), "任", ["试用期半年"]),
    (step(probation_months=3), "任", ["试用期3个月"]),
    (step(secondment="挂职，时间一年", gender="女"), "任", ["挂职，时间一年", "女"]),
    (step("remove", end_reason="removed"), "免去", []),
    (step("remove", end_reason="resigned"), "辞去", []),
    (step("remove", end_reason="retired"), "免去（退休）", []),
    (step("remove", end_reason="probation_terminated"), "免去（终止试用期）", []),
    (step("remove", end_reason="reassigned"), "免去（另有任用）", []),
    (step("remove", end_reason="removed", concurrent=True), "免去兼任", []),
])
def test_verbs_and_qualifiers(planned, expected_verb, expected_qualifiers):
    assert verb(planned) == expected_verb
    assert qualifiers(planned) == expected_qualifiers


def test_people_created_by_the_notice_are_named_by_item():
    first = step(ranked_after="尼玛")
    first.ranked_after_person_id, first.ranked_after_new = 8, True
    second = step("remove", end_reason="removed")
    second.person_new = False  # 免去其: the person of item 1
    third = step(ranked_after="尼玛")
    third.person_id, third.ranked_after_person_id = 9, 8
    third.namesakes = [7]
    notice = ParsedNotice(number="林政发〔2023〕9号", series="林政发", year=2023, seq=9, issuer="", title="t",
                          addressees="", basis="", signer="", date=date(2023, 3, 1), actions=[])
    outcome = Outcome("recorded", notice, [first, second, third])
    _, rows = preview_rows(outcome)
    assert [(row[3], row[6]) for row in rows] == [
        ("新人员", "列尼玛之后（新人员，推定在任）"),
        ("新人员，同第1项", ""),
        ("新人员", "列尼玛之后（新人员，同第1项）"),
    ]
    assert [a["person_id"] for a in preview_json(outcome)["actions"]] == [None, None, None]
    assert preview_warnings(outcome) == [
        "尼玛 is known only from 列尼玛之后: recorded as holding 副局长 of 市医疗保障局, start not on record",
        "格桑 in item 3 is recorded as another person than the 格桑 of item 1",
    ]
