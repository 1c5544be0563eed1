"""The command line through CliRunner: JSON contracts, exit codes, refusals, tables, help.

Every test asserts the exit code first, then stdout and stderr separately.  A
refusal must leave the database as it was: the tests compare every row of every
table (``dump``) and, on SQLite, the file's bytes before and after.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from wcwidth import wcswidth, wcwidth

from conftest import NOTICES, dump, file_bytes
from registry import db as dbmod
from registry import admin
from registry.intake import read_sources, record_batch
from registry.models import Action, Person

REPO = Path(__file__).resolve().parents[1]

N3, N6, N8 = "林政发〔2023〕3号", "林政发〔2023〕6号", "林政发〔2023〕8号"
HEALTH = "市卫生健康委员会"
DISABLED = "市残疾人联合会第二届主席团执行理事会"
TITLE_8 = "关于任命林芝市残疾人联合会第二届主席团执行理事会理事长、副理事长的通知"

ROSTER_MEMBER_KEYS = {"rank", "name", "person_id", "title", "since", "start_known", "concurrent", "acting",
                      "inferred", "probation_until", "on_probation", "ranked_after", "basis"}
HOLDER_KEYS = {"name", "person_id", "since", "until", "start_known", "concurrent", "inferred", "basis", "acting",
               "probation_until"}
HISTORY_HOLDING_KEYS = {"organization", "title", "since", "until", "start_known", "concurrent", "acting", "inferred",
                        "probation_until", "ranked_after", "appointed_by", "removed_by", "end_reason"}
PREVIEW_ACTION_KEYS = {"action", "name", "person_id", "organization", "title", "concurrent", "probation_years",
                       "ranked_after", "acting", "secondment", "end_reason"}


def ids_of(engine, name: str) -> list[int]:
    with dbmod.reading(engine) as session:
        return list(session.scalars(select(Person.id).where(Person.name == name).order_by(Person.id)))


def only_id(engine, name: str) -> int:
    ids = ids_of(engine, name)
    assert len(ids) == 1, f"{name} is {len(ids)} people"
    return ids[0]


def unchanged(engine, db_url):
    """A snapshot to compare after a refusal: unchanged(...) == snapshot."""
    return dump(engine), file_bytes(db_url)


def notes(result) -> list[str]:
    """The lines on stderr, sorted: their content is checked exactly, their order is not a contract."""
    return sorted(result.stderr.splitlines())


def json_ok(result) -> dict:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


@pytest.fixture
def seeded_without_8(engine):
    """The registry holding the bundled notices 2–6 but not 8."""
    summary = record_batch(engine, read_sources(str(NOTICES[n]) for n in (2, 3, 4, 5, 6)), recorded_by="test")
    assert len(summary.recorded) == 5
    return engine


def write_notice(tmp_path, name: str, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


# -- JSON contracts -------------------------------------------------------------------

def test_roster_json(seeded, cli_run):
    result = cli_run("roster", "卫健委", "--as-of", "2023-02-07", "--format", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    data = json.loads(result.stdout)
    assert set(data) == {"organization", "as_of", "members"}
    assert all(set(m) == ROSTER_MEMBER_KEYS for m in data["members"])
    nima = data["members"][0]["person_id"]
    assert nima in ids_of(seeded, "尼玛")
    assert data == {
        "organization": HEALTH,
        "as_of": "2023-02-07",
        "members": [
            {"rank": 1, "name": "尼玛", "person_id": nima, "title": "副主任", "since": None, "start_known": False,
             "concurrent": False, "acting": False, "inferred": True, "probation_until": None, "on_probation": False,
             "ranked_after": None, "basis": N3},
            {"rank": 2, "name": "胡秀兰", "person_id": only_id(seeded, "胡秀兰"), "title": "副主任",
             "since": "2023-02-06", "start_known": True, "concurrent": False, "acting": False, "inferred": False,
             "probation_until": None, "on_probation": False, "ranked_after": "尼玛", "basis": N3},
            {"rank": 3, "name": "罗布顿珠", "person_id": only_id(seeded, "罗布顿珠"), "title": "副主任",
             "since": "2023-02-06", "start_known": True, "concurrent": False, "acting": False, "inferred": False,
             "probation_until": None, "on_probation": False, "ranked_after": "胡秀兰", "basis": N3},
        ],
    }
    # JSON keeps Chinese as it is.
    assert "尼玛" in result.stdout and "\\u" not in result.stdout


def test_who_held_json(seeded, cli_run):
    data = json_ok(cli_run("who-held", "市商务局", "副局长", "--on", "2023-02-01", "--format", "json"))
    assert set(data) == {"organization", "title", "on", "holders"}
    assert all(set(h) == HOLDER_KEYS for h in data["holders"])
    assert data == {"organization": "市商务局", "title": "副局长", "on": "2023-02-01", "holders": [
        {"name": "张利", "person_id": only_id(seeded, "张利"), "since": None, "until": "2023-02-06",
         "start_known": False, "concurrent": False, "inferred": False, "basis": N3, "acting": False,
         "probation_until": None},
    ]}
    data = json_ok(cli_run("who-held", "市商务局", "副局长", "--on", "2023-02-06", "--format", "json"))
    assert data == {"organization": "市商务局", "title": "副局长", "on": "2023-02-06", "holders": [
        {"name": "李艳君", "person_id": only_id(seeded, "李艳君"), "since": "2023-02-06", "until": None,
         "start_known": True, "concurrent": False, "inferred": False, "basis": N3, "acting": False,
         "probation_until": "2024-02-06"},
    ]}


def test_who_held_table_shows_the_probation(seeded, cli_run):
    # Section 7: on 2023-02-06 who-held gives 李艳君, on probation until 2024-02-06.
    result = cli_run("who-held", "市商务局", "副局长", "--on", "2023-02-06")
    assert (result.exit_code, result.stderr) == (0, "")
    assert "李艳君" in result.stdout
    assert "试用期至2024-02-06" in result.stdout


def test_history_json(seeded, cli_run):
    data = json_ok(cli_run("history", "尼玛", "--format", "json"))
    assert set(data) == {"query", "people"}
    assert all(set(p) == {"person_id", "name", "holdings"} for p in data["people"])
    assert all(set(h) == HISTORY_HOLDING_KEYS for p in data["people"] for h in p["holdings"])
    assert data["query"] == "尼玛"
    assert [p["person_id"] for p in data["people"]] == ids_of(seeded, "尼玛")
    assert sorted((p["holdings"][0]["organization"], p["holdings"][0]["inferred"], p["holdings"][0]["until"],
                   p["holdings"][0]["removed_by"], len(p["holdings"])) for p in data["people"]) == [
        ("市乡村振兴局", False, "2023-02-06", N3, 1),
        (HEALTH, True, None, None, 1),
    ]
    # By id: exactly that person.
    one = data["people"][1]
    by_id = json_ok(cli_run("history", str(one["person_id"]), "--format", "json"))
    assert by_id == {"query": str(one["person_id"]), "people": [one]}


def test_notices_json(seeded, cli_run):
    data = json_ok(cli_run("notices", "--format", "json"))
    assert set(data) == {"notices", "missing"}
    assert all(set(n) == {"number", "date", "title", "actions", "status", "issuer", "source"}
               for n in data["notices"])
    assert {n["issuer"] for n in data["notices"]} == {"林芝市人民政府"}
    assert [(n["number"], n["date"], n["actions"], n["status"]) for n in data["notices"]] == [
        ("林政发〔2023〕2号", "2023-02-06", 1, "recorded"),
        ("林政发〔2023〕3号", "2023-02-06", 14, "recorded"),
        ("林政发〔2023〕4号", "2023-02-06", 2, "recorded"),
        ("林政发〔2023〕5号", "2023-02-06", 6, "recorded"),
        ("林政发〔2023〕6号", "2023-02-06", 3, "recorded"),
        ("林政发〔2023〕8号", "2023-02-09", 2, "recorded"),
    ]
    assert [n["title"] for n in data["notices"]] == [
        "关于李宁博同志任职的通知", "关于杨帆等同志任免职的通知", "关于雷增炎、徐继军同志任免职的通知",
        "关于米次等同志任免职的通知", "关于马冰、陈健华同志任免职的通知", TITLE_8,
    ]
    assert data["missing"] == ["林政发〔2023〕7号"]


ORGS = [
    # (name, aliases, holdings), in name order
    ("市乡村振兴局", [], 1),
    ("市住房和城乡建设局", ["市住建局", "住建局"], 1),
    ("市农业农村局", [], 2),  # 乔多吉 (inferred) and 何正勇
    ("市医疗保障局", ["市医保局", "医保局"], 2),
    ("市卫生健康委员会", ["市卫生健康委", "卫生健康委", "市卫健委", "卫健委"], 4),
    ("市发展和改革委员会", ["市发展改革委", "发展改革委", "市发改委", "发改委"], 1),
    ("市商务局", [], 2),
    ("市国防动员办公室", ["市国动办", "国动办"], 1),
    ("市城市管理和综合执法局", ["市城管局", "城管局", "市城管执法局"], 1),
    ("市市场监督管理局", ["市市场监管局", "市场监管局"], 1),
    ("市政府", ["市人民政府", "林芝市人民政府"], 1),
    ("市政府国有资产监督管理委员会", ["市政府国资委", "政府国资委", "市国资委", "国资委"], 1),
    ("市林业和草原局", ["市林草局", "林草局"], 1),
    (DISABLED, ["市残联执行理事会", "残联执行理事会"], 2),
    ("市民族宗教事务局", ["市民宗局", "民宗局"], 1),
    ("市水利局", [], 2),
    ("市生态环境局", [], 2),
    ("市经济和信息化局", ["市经信局", "经信局"], 2),
    ("市财政局", [], 1),
    # 米次, 马冰 主任, 马冰 常务副主任, 向巴次仁 (inferred), 陈健华
    ("林芝经济开发区管委会", ["林芝经开区", "经开区", "林芝经济开发区", "经开区管委会", "林芝经济开发区管理委员会"], 5),
]


def test_orgs_json(seeded, cli_run):
    data = json_ok(cli_run("orgs", "--format", "json"))
    assert set(data) == {"organizations"}
    assert all(set(o) == {"name", "aliases", "holdings"} for o in data["organizations"])
    assert [(o["name"], o["aliases"], o["holdings"]) for o in data["organizations"]] == ORGS


def test_add_notice_dry_run_json_on_a_registry_without_it(seeded_without_8, cli_run, notice_text, db_url):
    before = unchanged(seeded_without_8, db_url)
    result = cli_run("add-notice", str(NOTICES[8]), "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"number", "date", "title", "actions"}
    assert all(set(a) == PREVIEW_ACTION_KEYS for a in data["actions"])
    assert data == {"number": N8, "date": "2023-02-09", "title": TITLE_8, "actions": [
        {"action": "appoint", "name": "尼仓", "person_id": None, "organization": DISABLED, "title": "理事长",
         "concurrent": False, "probation_years": None, "ranked_after": None,
          "acting": False, "secondment": None, "end_reason": None},
        {"action": "appoint", "name": "郑明", "person_id": None, "organization": DISABLED, "title": "副理事长",
         "concurrent": False, "probation_years": None, "ranked_after": None,
          "acting": False, "secondment": None, "end_reason": None},
    ]}
    assert notes(result) == sorted([
        f"warning: {DISABLED} is a new organization",
        f"{N8} would be recorded: 2 actions; nothing recorded (--dry-run)",
    ])
    assert unchanged(seeded_without_8, db_url) == before

    # Recording it for real shows the same plan and records it.
    result = cli_run("add-notice", str(NOTICES[8]), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == data
    assert notes(result) == sorted([f"warning: {DISABLED} is a new organization", f"{N8} recorded: 2 actions"])
    assert len(json_ok(cli_run("notices", "--format", "json"))["notices"]) == 6


def test_add_notice_dry_run_json_on_an_empty_registry(engine, cli_run, db_url):
    before = unchanged(engine, db_url)
    result = cli_run("add-notice", str(NOTICES[6]), "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.stderr
    zone = "林芝经济开发区管委会"
    assert json.loads(result.stdout) == {"number": N6, "date": "2023-02-06", "title": "关于马冰、陈健华同志任免职的通知",
                                         "actions": [
        {"action": "appoint", "name": "马冰", "person_id": None, "organization": zone, "title": "主任",
         "concurrent": True, "probation_years": None, "ranked_after": None,
          "acting": False, "secondment": None, "end_reason": None},
        {"action": "remove", "name": "马冰", "person_id": None, "organization": zone, "title": "常务副主任",
         "concurrent": True, "probation_years": None, "ranked_after": None,
          "acting": None, "secondment": None, "end_reason": "removed"},
        {"action": "appoint", "name": "陈健华", "person_id": None, "organization": zone, "title": "副主任",
         "concurrent": True, "probation_years": None, "ranked_after": "向巴次仁",
          "acting": False, "secondment": None, "end_reason": None},
    ]}
    assert notes(result) == sorted([
        f"{N6} would be recorded: 3 actions; nothing recorded (--dry-run)",
        "warning: 林芝经济开发区管委会 is a new organization",
        "warning: 向巴次仁 is known only from 列向巴次仁之后: recorded as holding 副主任 of 林芝经济开发区管委会, "
        "start not on record",
    ])
    assert unchanged(engine, db_url) == before


NOTICE_9 = """林芝市人民政府
关于胡秀兰等同志任免职的通知

林政发〔2023〕9 号

各县（区）人民政府,市各委、办、局:

经中共林芝市人民政府党组 2023年第 2次会议研究,决定:

免去胡秀兰的市卫生健康委员会副主任职务；

扎西任市卫生健康委员会副主任（列罗布顿珠之后，试用期 1年）；

尼玛任市乡村振兴局局长。

林芝市人民政府

2023年 3月 1日
"""


def test_add_notice_dry_run_resolves_people_on_record(seeded, cli_run, db_url, tmp_path):
    path = write_notice(tmp_path, "9.txt", NOTICE_9)
    before = unchanged(seeded, db_url)
    result = cli_run("add-notice", path, "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.stderr
    nima = ids_of(seeded, "尼玛")
    assert json.loads(result.stdout)["actions"] == [
        {"action": "remove", "name": "胡秀兰", "person_id": only_id(seeded, "胡秀兰"), "organization": HEALTH,
         "title": "副主任", "concurrent": False, "probation_years": None, "ranked_after": None,
          "acting": None, "secondment": None, "end_reason": "removed"},
        {"action": "appoint", "name": "扎西", "person_id": None, "organization": HEALTH, "title": "副主任",
         "concurrent": False, "probation_years": 1, "ranked_after": "罗布顿珠",
          "acting": False, "secondment": None, "end_reason": None},
        {"action": "appoint", "name": "尼玛", "person_id": None, "organization": "市乡村振兴局", "title": "局长",
         "concurrent": False, "probation_years": None, "ranked_after": None,
          "acting": False, "secondment": None, "end_reason": None},
    ]
    # An appointment never takes a person by name alone, but the preview names the namesakes.
    assert notes(result) == sorted([
        "林政发〔2023〕9号 would be recorded: 3 actions; nothing recorded (--dry-run)",
        f"warning: 尼玛 is recorded as a new person, but people called 尼玛 are on record "
        f"(ids {nima[0]}, {nima[1]}); if this is one of them, add --person 尼玛=ID",
    ])
    assert unchanged(seeded, db_url) == before

    # --person links the name to the person chosen.
    with dbmod.reading(seeded) as session:
        removed_nima = session.scalar(select(Action.person_id).where(Action.name == "尼玛", Action.kind == "remove"))
    result = cli_run("add-notice", path, "--dry-run", "--format", "json", "--person", f"尼玛={removed_nima}")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["actions"][2]["person_id"] == removed_nima
    assert notes(result) == sorted(["林政发〔2023〕9号 would be recorded: 3 actions; nothing recorded (--dry-run)"])
    assert unchanged(seeded, db_url) == before


def test_add_notice_dry_run_table(seeded_without_8, cli_run, db_url):
    before = unchanged(seeded_without_8, db_url)
    result = cli_run("add-notice", str(NOTICES[8]), "--dry-run")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"{N8}  2023-02-09  {TITLE_8}"
    assert [line.split()[:3] for line in lines[3:]] == [["1", "任", "尼仓"], ["2", "任", "郑明"]]
    assert_aligned(table_lines(result.stdout))
    assert notes(result) == sorted([
        f"warning: {DISABLED} is a new organization",
        f"{N8} would be recorded: 2 actions; nothing recorded (--dry-run)",
    ])
    assert unchanged(seeded_without_8, db_url) == before


# -- exit codes ----------------------------------------------------------------------

def test_empty_results_exit_0(seeded, cli_run):
    result = cli_run("roster", DISABLED, "--as-of", "2000-01-01", "--format", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout) == {"organization": DISABLED, "as_of": "2000-01-01", "members": []}

    result = cli_run("roster", DISABLED, "--as-of", "2000-01-01")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == f"{DISABLED}  2000-01-01\n(nobody on record)\n"

    # A title on record, on a day before its first holder (a title never recorded is refused: issue 11).
    result = cli_run("who-held", DISABLED, "理事长", "--on", "2023-02-06", "--format", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout) == {"organization": DISABLED, "title": "理事长", "on": "2023-02-06",
                                         "holders": []}


@pytest.mark.parametrize("args", [
    ("roster", "卫生委"),
    ("roster", "卫生委", "--format", "json"),
    ("who-held", "卫生委", "副主任"),
])
def test_unknown_organization_exits_1_naming_the_closest(seeded, cli_run, args):
    result = cli_run(*args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "Error: no organization called '卫生委'; closest: 卫生健康委, 市卫生健康委, 卫健委\n"


def test_unknown_person_exits_1(seeded, cli_run):
    result = cli_run("history", "张三")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "Error: nobody called 张三 is on record; closest: 张利\n")
    result = cli_run("history", "999999")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "Error: no person with id 999999\n")


DATE_FORMS = "dates are written 2023-02-06, 2023/2/6, 2023.2.6, 20230206, 2023年2月6日, 2023年2月6号 or 二〇二三年二月六日"


@pytest.mark.parametrize("args, option, why", [
    (("roster", "卫健委", "--as-of", "2023-13-01"), "'--as-of' / '--on'", "'2023-13-01' is not a real date"),
    (("roster", "卫健委", "--as-of", "2023-02-30"), "'--as-of' / '--on'", "'2023-02-30' is not a real date"),
    (("roster", "卫健委", "--as-of", "yesterday"), "'--as-of' / '--on'", "'yesterday' is not a date; " + DATE_FORMS),
    (("who-held", "市商务局", "副局长", "--on", "6/2/2023"), "'--as-of' / '--on'",
     "'6/2/2023' is not a date; " + DATE_FORMS),
    (("changes", "--from", "2023-2-6-"), "'--from'", "'2023-2-6-' is not a date; " + DATE_FORMS),
])
def test_bad_date_exits_2(seeded, cli_run, args, option, why):
    result = cli_run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[0].startswith("Usage: ")
    assert result.stderr.splitlines()[-1] == f"Error: Invalid value for {option}: {why}"
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args, message", [
    (("roster", "卫健委", "--bogus"), "Error: No such option '--bogus'."),
    (("notices", "--format", "xml"), "Error: Invalid value for '--format': 'xml' is not one of 'table', 'json', 'csv'."),
    (("add-notice", "x.txt", "--format", "csv"), "Error: Invalid value for '--format': 'csv' is not one of 'table', "
                                                 "'json'."),
    (("add-notice", "x.txt", "--person", "尼玛"), "Error: Invalid value for --person: '尼玛' is not NAME=ID"),
    (("add-notice", "x.txt", "--person", "尼玛=x"), "Error: Invalid value for --person: '尼玛=x' is not NAME=ID"),
    (("roster",), "Error: Missing argument 'ORG'."),
    (("no-such-command",), "Error: No such command 'no-such-command'."),
])
def test_usage_errors_exit_2(seeded, cli_run, db_url, args, message):
    before = unchanged(seeded, db_url)
    result = cli_run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    # The exact wording is click's; the message must start with ours (click may add "Did you mean…").
    assert result.stderr.splitlines()[-1].startswith(message)
    assert "Traceback" not in result.stderr
    assert unchanged(seeded, db_url) == before


# -- refusals leave the database unchanged ------------------------------------------

@pytest.mark.parametrize("n", sorted(NOTICES))
def test_adding_a_bundled_notice_again_changes_nothing(seeded, cli_run, db_url, n):
    before = unchanged(seeded, db_url)
    result = cli_run("add-notice", str(NOTICES[n]))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == f"林政发〔2023〕{n}号 already recorded\n"
    assert unchanged(seeded, db_url) == before


def test_the_same_notice_in_another_encoding_and_width_is_already_recorded(seeded, cli_run, db_url, notice_text,
                                                                           tmp_path):
    # GB18030, ASCII punctuation, CRLF line ends and no page noise: the same notice.
    text = notice_text(4).split("2023 年·第一期")[0].replace("，", ",").replace("；", ";").replace("\n", "\r\n")
    path = write_notice(tmp_path, "copy.txt", text, encoding="gb18030")
    before = unchanged(seeded, db_url)
    result = cli_run("add-notice", path)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "林政发〔2023〕4号 already recorded\n", "")
    assert unchanged(seeded, db_url) == before


def test_adding_the_bundled_directory_again_changes_nothing(seeded, cli_run, db_url):
    before = unchanged(seeded, db_url)
    result = cli_run("add-notice", str(NOTICES[2].parent))
    assert result.exit_code == 0
    assert result.stdout == "".join(f"林政发〔2023〕{n}号 already recorded\n" for n in (2, 3, 4, 5, 6, 8))
    # Before the summary, stderr may carry a progress bar; stdout never does.
    assert result.stderr.splitlines()[-1] == "0 recorded, 6 already recorded, 0 refused"
    assert unchanged(seeded, db_url) == before


def test_the_same_number_with_different_text_is_refused(seeded, cli_run, db_url, notice_text, tmp_path):
    text = notice_text(3).replace("免去周改玲的", "免去周改林的")
    path = write_notice(tmp_path, "3-changed.txt", text)
    before = unchanged(seeded, db_url)
    for extra in ((), ("--dry-run",), ("--yes",)):
        result = cli_run("add-notice", path, *extra)
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr == f"Error: {N3} is already recorded with different text; use amend to correct it\n"
        assert unchanged(seeded, db_url) == before


@pytest.mark.parametrize("content, message", [
    (b"", "the file is empty"),
    (b"\x00\x01\x02binary", "the file is binary data, not a text notice"),
    ("林芝市人民政府\n关于会议的通知\n\n2023年2月6日\n".encode(), "the text has no document number (such as 林政发〔2023〕2号)"),
    (NOTICE_9.replace("尼玛任市乡村振兴局局长", "尼玛到市乡村振兴局工作").encode(),
     "cannot read the clause '尼玛到市乡村振兴局工作': expected a post and 职务 after the name"),
])
def test_an_unreadable_notice_is_refused(seeded, cli_run, db_url, tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    before = unchanged(seeded, db_url)
    result = cli_run("add-notice", str(path))
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: {message}\n")
    assert unchanged(seeded, db_url) == before


@pytest.mark.parametrize("args", [
    ("roster", "卫健委"),
    ("who-held", "市商务局", "副局长"),
    ("history", "尼玛"),
    ("notices",),
    ("orgs",),
    ("add-notice", str(NOTICES[2])),
])
def test_an_explicit_database_without_a_registry_says_run_init(db_url, cli_run, args):
    result = cli_run(*args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: {db_url} holds no registry; run `registry --db {db_url} init` first\n"
    if "://" not in db_url:
        assert not Path(db_url).exists(), "asking an empty path created a file"
    engine = dbmod.make_engine(db_url)
    try:
        assert admin.examine(engine).kind == "empty"
    finally:
        engine.dispose()


def test_an_explicit_sqlite_path_in_a_missing_directory_says_run_init(tmp_path):
    from cli import cli

    path = tmp_path / "no" / "such" / "dir" / "registry.db"
    result = CliRunner().invoke(cli, ["--db", str(path), "roster", "卫健委"], catch_exceptions=False)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Error: {path} holds no registry; run `registry --db {path} init` first\n"
    assert not path.parent.exists()
    result = CliRunner().invoke(cli, ["--db", str(path), "init"], catch_exceptions=False)
    assert (result.exit_code, result.stderr) == (0, "")
    assert path.is_file()


# -- init ----------------------------------------------------------------------------

def test_init_is_idempotent(db_url, cli_run):
    result = cli_run("init")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == f"registry ready at {db_url}: 6 notices recorded, 0 already recorded\n"
    engine = dbmod.make_engine(db_url)
    try:
        before = unchanged(engine, db_url)
        result = cli_run("init")
        assert (result.exit_code, result.stderr) == (0, "")
        assert result.stdout == f"registry ready at {db_url}: 0 notices recorded, 6 already recorded\n"
        assert unchanged(engine, db_url) == before
        result = cli_run("init", "--empty")
        assert (result.exit_code, result.stdout, result.stderr) == (0, f"registry ready at {db_url} (empty)\n", "")
        assert unchanged(engine, db_url) == before
    finally:
        engine.dispose()
    assert len(json_ok(cli_run("notices", "--format", "json"))["notices"]) == 6


def test_init_empty(db_url, cli_run):
    result = cli_run("init", "--empty")
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"registry ready at {db_url} (empty)\n", "")
    result = cli_run("notices", "--format", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout) == {"notices": [], "missing": []}
    assert json_ok(cli_run("orgs", "--format", "json")) == {"organizations": []}
    result = cli_run("roster", "卫健委")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "Error: no organization called '卫健委'\n")
    # A later plain init loads the bundled notices.
    result = cli_run("init")
    assert result.stdout == f"registry ready at {db_url}: 6 notices recorded, 0 already recorded\n"


def test_default_database_is_created_on_first_use(tmp_path):
    from cli import cli

    runner = CliRunner()
    env = {"REGISTRY_DB": None, "XDG_DATA_HOME": str(tmp_path)}
    path = tmp_path / "registry" / "registry.db"
    assert not path.exists()
    args = ["roster", "卫健委", "--as-of", "2023-02-07", "--format", "json"]

    result = runner.invoke(cli, args, env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"registry: created {path} with the 6 bundled notices\n"
    assert path.is_file()
    first = json.loads(result.stdout)
    assert [m["name"] for m in first["members"]] == ["尼玛", "胡秀兰", "罗布顿珠"]

    # Only the first use creates it, and says so.
    result = runner.invoke(cli, args, env=env, catch_exceptions=False)
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout) == first
    result = runner.invoke(cli, ["notices", "--format", "json"], env=env, catch_exceptions=False)
    assert (result.exit_code, result.stderr) == (0, "")
    assert len(json.loads(result.stdout)["notices"]) == 6


def test_registry_db_environment_variable(seeded, db_url):
    from cli import cli

    result = CliRunner().invoke(cli, ["notices", "--format", "json"], env={"REGISTRY_DB": db_url},
                                catch_exceptions=False)
    assert (result.exit_code, result.stderr) == (0, "")
    assert len(json.loads(result.stdout)["notices"]) == 6


# -- CSV -----------------------------------------------------------------------------

def test_roster_csv(seeded, cli_run):
    result = cli_run("roster", "市商务局", "--as-of", "2023-02-06", "--format", "csv")
    assert (result.exit_code, result.stderr) == (0, "")
    li = only_id(seeded, "李艳君")
    assert result.stdout == (
        "organization,as_of,rank,name,person_id,title,since,start_known,concurrent,acting,inferred,probation_until,"
        "on_probation,ranked_after,basis\n"
        f"市商务局,2023-02-06,1,李艳君,{li},副局长,2023-02-06,true,false,false,false,2024-02-06,true,,{N3}\n"
    )
    result = cli_run("roster", "市商务局", "--as-of", "2023-02-06", "--format", "csv", "--bom")
    assert result.stdout.startswith("\ufefforganization,as_of,rank,name,")


# -- tables stay aligned with Chinese text ------------------------------------------

def table_lines(output: str) -> list[str]:
    """The lines of the table in ``output``: the header, the rule and the rows up to a blank line."""
    lines = output.split("\n")
    rule = next(i for i, line in enumerate(lines) if re.fullmatch(r"-+( +-+)*", line))
    end = next((i for i in range(rule + 1, len(lines)) if not lines[i].strip()), len(lines))
    return lines[rule - 1:end]


def display_cells(line: str) -> list[str]:
    """The line as one entry per terminal column: a wide character takes two (the second is "")."""
    cells = []
    for ch in line:
        width = wcwidth(ch)
        assert width >= 0, f"unprintable {ch!r} in {line!r}"
        cells += [ch] + [""] * (width - 1)
    return cells


def assert_aligned(lines: list[str]) -> None:
    """Every line has the rule's display width, and every column starts where the rule says.

    tabulate strips trailing whitespace from every line, so each line is
    compared after padding it with spaces to the rule's width; a line that
    is wider than the rule, or has text in a gap between columns, is misaligned.
    """
    header, rule, rows = lines[0], lines[1], lines[2:]
    assert rows, "the table has no rows"
    width = wcswidth(rule)
    gaps = [i for i, ch in enumerate(rule) if ch == " "]
    starts = [0] + [i + 1 for i in gaps if i + 1 < len(rule) and rule[i + 1] == "-"]
    for line in [header, *rows]:
        assert line == line.rstrip(), f"trailing whitespace in {line!r}"
        assert wcswidth(line) <= width, f"{line!r} is wider ({wcswidth(line)}) than the rule ({width})"
        padded = line + " " * (width - wcswidth(line))
        assert wcswidth(padded) == width
        cells = display_cells(padded)
        assert all(cells[i] == " " for i in gaps), f"text in a gap between columns: {line!r}"
        # A column's text starts at its column: the cell at each start is not the tail of a wide character.
        assert all(cells[i] != "" for i in starts), f"a wide character straddles a column start: {line!r}"


TABLE_COMMANDS = [
    ("roster", "卫健委", "--as-of", "2023-02-07"),
    ("roster", "经开区", "--as-of", "2023-02-05"),
    ("roster", "市商务局", "--as-of", "2023-02-06"),
    ("who-held", "市商务局", "副局长", "--on", "2023-02-06"),
    ("history", "尼玛"),
    ("history", "罗布顿珠"),
    ("notices",),
    ("orgs",),
]


@pytest.mark.parametrize("args", TABLE_COMMANDS, ids=lambda args: "-".join(args[:2]))
def test_tables_align_with_chinese_text(seeded, cli_run, args):
    result = cli_run(*args)
    assert (result.exit_code, result.stderr) == (0, "")
    lines = table_lines(result.stdout)
    assert_aligned(lines)
    assert all("\t" not in line for line in lines)


def test_table_headers_are_chinese(seeded, cli_run):
    def header(*args):
        return table_lines(cli_run(*args).stdout)[0].split()

    assert header("roster", "卫健委", "--as-of", "2023-02-07") == [
        "序号", "姓名", "职务", "任职起始", "列...之后", "依据", "备注", "人员ID"]
    assert header("notices") == ["文号", "日期", "标题", "条目数", "状态", "来源"]
    assert header("orgs") == ["单位", "简称", "任职记录数"]


def test_roster_table(seeded, cli_run):
    result = cli_run("roster", "卫健委", "--as-of", "2023-02-07")
    assert (result.exit_code, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert lines[0] == f"{HEALTH}  2023-02-07"
    rows = [line.split() for line in lines[3:]]
    assert [row[:3] for row in rows] == [["1", "尼玛", "副主任"], ["2", "胡秀兰", "副主任"], ["3", "罗布顿珠", "副主任"]]
    assert "据排序推定；任职起始未记载" in lines[3] and "(未记载)" in lines[3]


def test_notices_table_reports_the_missing_number(seeded, cli_run):
    result = cli_run("notices")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.endswith("\n\nmissing: 林政发〔2023〕7号\n")
    assert len(table_lines(result.stdout)) == 2 + 6


# -- help and README -----------------------------------------------------------------

def commands():
    from cli import cli

    return sorted(cli.commands.items())


def every_command():
    """(full name, command) for each command, the export subcommands included."""
    for name, command in commands():
        yield name, command
        for sub, inner in sorted(getattr(command, "commands", {}).items()):
            yield f"{name} {sub}", inner


def examples_of(help_text: str) -> list[str]:
    """The example commands: the lines under an "Example:" (or "Examples:") line in a \\b paragraph."""
    paragraphs = help_text.strip().split("\n\n")
    found = []
    for paragraph in paragraphs:
        lines = paragraph.strip().splitlines()
        if len(lines) >= 3 and lines[0].strip() == "\b" and lines[1].strip() in ("Example:", "Examples:"):
            found.extend(line.strip().split("    #")[0].strip() for line in lines[2:])
    return found


def test_every_command_has_a_summary_and_an_example():
    for name, command in every_command():
        assert command.help, f"{name} has no help text"
        lines = command.help.strip().splitlines()
        assert lines[0].strip(), f"{name}: the help does not open with a summary"
        assert len(lines) == 1 or not lines[1].strip(), f"{name}: the summary is more than one line"
        examples = examples_of(command.help)
        assert examples, f"{name}: no example block (\\b, 'Example:', then the commands)"
        assert all(re.search(rf"^registry\b.*\s{re.escape(name)}(\s|$)", e) for e in examples), \
            f"{name}: an example does not run `registry … {name}`: {examples!r}"


@pytest.mark.parametrize("name", [name for name, _ in every_command()])
def test_help_of_every_command_shows_each_example_on_its_own_line(name):
    from cli import cli

    command = dict(every_command())[name]
    result = CliRunner().invoke(cli, [*name.split(), "--help"], catch_exceptions=False)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.startswith(f"Usage: cli {name} ")
    lines = result.stdout.splitlines()
    heading = next(i for i, line in enumerate(lines) if line.strip() in ("Example:", "Examples:"))
    shown = [line.split("    #")[0].strip() for line in lines[heading + 1:heading + 1 + len(examples_of(command.help))]]
    assert shown == examples_of(command.help)
    assert all(line.startswith("    registry ") for line in lines[heading + 1:heading + 1 + len(shown)])


def test_group_help_lists_every_command_and_the_environment_variable():
    from cli import cli

    result = CliRunner().invoke(cli, ["--help"], catch_exceptions=False)
    assert (result.exit_code, result.stderr) == (0, "")
    listed = re.findall(r"^  ([a-z][a-z-]*)\s+\S", result.stdout.split("Commands:")[1], flags=re.M)
    assert listed == [name for name, _ in commands()]
    assert "REGISTRY_DB" in result.stdout


def test_every_command_appears_in_the_readme():
    readme = REPO / "README.md"
    assert readme.is_file(), "README.md is missing at the repository root"
    text = readme.read_text(encoding="utf-8")
    lines = text.splitlines()
    missing = [
        name for name, _ in commands()
        if not any(re.search(rf"\bregistry\b.*(?<![\w-]){re.escape(name)}(?![\w-])", line) for line in lines)
    ]
    assert missing == [], f"README.md shows no `registry … {' / '.join(missing)}` command"
