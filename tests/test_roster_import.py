"""Starting rosters (issue 13): an office's sheet of who holds which post, recorded as a source.

A generated XLSX roster gives the rosters it states on its date; later notices
join its holdings; bad rows refuse the whole sheet with the row number and leave
the database unchanged; the same sheet again is "already recorded"; a sheet that
contradicts the registry says so in the preview and in ``check``.  The schema
change (revision 0004) upgrades a registry written by 0.1.0 with every answer
unchanged.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from openpyxl import Workbook
from sqlalchemy import create_engine

from conftest import dump, make_notice
from registry import db as dbmod
from registry import derive, schema
from registry.models import Base

FIXTURES = Path(__file__).parent / "fixtures"
HEADER = ["单位", "姓名", "职务", "任职时间", "任职文号", "备注"]
ROWS = [
    ["市商务局", "张三", "局长", datetime(2015, 3, 1), "林政发〔2015〕8号", ""],
    ["市商务局", "张利", "副局长", None, None, ""],
    ["市财政局", "达娃", "副局长", "2020/7/1", None, "试用期至2021-07-01"],
    ["市财政局", "周改玲", "副局长", "2019年4月2日", None, "兼任"],
    ["市卫生健康委员会", "赵线", "副主任", "2019-05-20", "林政发〔2019〕12号", ""],
    ["市卫生健康委员会", "尼玛", "副主任", None, None, ""],
]
D = "2023-01-01"


def xlsx(path: Path, rows: list[list], header: list[str] = HEADER) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def csv_file(path: Path, rows: list[list], header: list[str] = HEADER) -> Path:
    lines = [",".join(header)] + [",".join("" if v is None else (v.date().isoformat() if isinstance(v, datetime) else str(v))
                                           for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_json(cli_run, *args):
    result = cli_run(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def members(cli_run, org: str, day: str) -> list[tuple]:
    return [(m["rank"], m["name"], m["title"], m["since"], m["concurrent"], m["inferred"], m["probation_until"],
             m["basis"]) for m in run_json(cli_run, "roster", org, "--as-of", day)["members"]]


BASIS = "名册 roster.xlsx（2023-01-01）"


@pytest.fixture
def imported(seeded, cli_run, tmp_path):
    sheet = xlsx(tmp_path / "roster.xlsx", ROWS)
    result = cli_run("import-roster", str(sheet), "--as-of", D, "--reason", "启用时的在任名册", "--yes")
    assert result.exit_code == 0, result.stderr
    return result


def test_an_xlsx_roster_gives_the_rosters_it_states(imported, cli_run):
    assert imported.stdout == (
        "名册 roster.xlsx  2023-01-01\n"
        "行    单位              姓名    职务    任职时间    任职文号            备注                人员    人员认定\n"
        "----  ----------------  ------  ------  ----------  ------------------  ------------------  ------  -------------------------------------\n"
        "2     市商务局          张三    局长    2015-03-01  林政发〔2015〕8号                       新人员  无可对应的在任者，新建\n"
        "3     市商务局          张利    副局长  (未记载)                                            #7      2023-01-01 在任市商务局副局长\n"
        "4     市财政局          达娃    副局长  2020-07-01                      试用期至2021-07-01  新人员  无可对应的在任者，新建\n"
        "5     市财政局          周改玲  副局长  2019-04-02                      兼任                #6      2023-01-01 在任市财政局副局长\n"
        "6     市卫生健康委员会  赵线    副主任  2019-05-20  林政发〔2019〕12号                      #9      2023-01-01 在任市卫生健康委员会副主任\n"
        "7     市卫生健康委员会  尼玛    副主任  (未记载)                                            #11     2023-01-01 在任市卫生健康委员会副主任\n"
        "roster.xlsx (2023-01-01) recorded: 6 rows\n"
    )
    assert imported.stderr == ""
    assert members(cli_run, "市商务局", D) == [
        (1, "张三", "局长", "2015-03-01", False, False, None, BASIS),
        (2, "张利", "副局长", None, False, False, None, BASIS),
    ]
    assert members(cli_run, "市财政局", D) == [
        (1, "达娃", "副局长", "2020-07-01", False, False, "2021-07-01", BASIS),
        (2, "周改玲", "副局长", "2019-04-02", True, False, None, BASIS),
    ]
    # Rank follows the sheet; 尼玛 is now known from the roster, not only from 列尼玛之后.
    assert members(cli_run, "卫健委", D) == [
        (1, "赵线", "副主任", "2019-05-20", False, False, None, BASIS),
        (2, "尼玛", "副主任", None, False, False, None, BASIS),
    ]
    assert members(cli_run, "卫健委", "2023-02-06") == [
        (1, "尼玛", "副主任", None, False, False, None, BASIS),
        (2, "胡秀兰", "副主任", "2023-02-06", False, False, None, "林政发〔2023〕3号"),
        (3, "罗布顿珠", "副主任", "2023-02-06", False, False, None, "林政发〔2023〕3号"),
    ]
    # The sheet's own start: nobody before it.
    assert members(cli_run, "市商务局", "2015-02-28") == [(1, "张利", "副局长", None, False, False, None, BASIS)]


def test_the_notices_join_the_roster_holdings(imported, cli_run):
    zhao = run_json(cli_run, "history", "赵线")["people"][0]["holdings"]
    assert [(h["since"], h["until"], h["appointed_by"], h["removed_by"]) for h in zhao] == [
        ("2019-05-20", "2023-02-06", "林政发〔2019〕12号", "林政发〔2023〕3号")
    ]
    zhang_li = run_json(cli_run, "who-held", "市商务局", "副局长", "--on", "2023-02-05")["holders"]
    assert [(h["name"], h["person_id"], h["since"], h["until"], h["basis"]) for h in zhang_li] == [
        ("张利", 7, None, "2023-02-06", BASIS)
    ]


def test_later_notices_remove_and_rank_after_people_from_the_sheet(imported, cli_run, tmp_path):
    ranked = tmp_path / "20.txt"
    ranked.write_text(make_notice("林政发〔2023〕1号", "2023年2月1日", ["次旦任市财政局副局长（列达娃之后）"]),
                      encoding="utf-8")
    removed = tmp_path / "21.txt"
    removed.write_text(make_notice("林政发〔2023〕20号", "2023年3月1日", ["免去张三的市商务局局长职务"]),
                       encoding="utf-8")
    result = cli_run("add-notice", "--yes", str(ranked))
    assert result.exit_code == 0, result.stderr
    assert "列达娃之后（#34）" in result.stdout
    result = cli_run("add-notice", "--yes", str(removed))
    assert result.exit_code == 0, result.stderr
    assert "#33 现任市商务局局长" in result.stdout
    zhang = run_json(cli_run, "history", "张三")["people"]
    assert [(p["person_id"], [(h["since"], h["until"], h["appointed_by"], h["removed_by"]) for h in p["holdings"]])
            for p in zhang] == [(33, [("2015-03-01", "2023-03-01", "林政发〔2015〕8号", "林政发〔2023〕20号")])]
    assert [(m[1], m[3], m[7]) for m in members(cli_run, "市财政局", "2023-02-01")] == [
        ("达娃", "2020-07-01", BASIS), ("次旦", "2023-02-01", "林政发〔2023〕1号"), ("周改玲", "2019-04-02", BASIS),
    ]


def test_the_same_roster_again_is_already_recorded_as_xlsx_or_csv(imported, cli_run, seeded, tmp_path):
    before = dump(seeded)
    again = cli_run("import-roster", str(tmp_path / "roster.xlsx"), "--as-of", D, "--reason", "再次导入", "--yes")
    assert (again.exit_code, again.stdout, again.stderr) == (0, "roster.xlsx (2023-01-01) already recorded\n", "")
    as_csv = cli_run("import-roster", str(csv_file(tmp_path / "roster.csv", ROWS)), "--as-of", D, "--reason", "x", "--yes")
    assert (as_csv.exit_code, as_csv.stdout) == (0, "roster.csv (2023-01-01) already recorded\n")
    assert dump(seeded) == before


def test_a_different_roster_for_the_same_date_is_its_own_source_and_its_conflicts_are_listed(imported, cli_run, tmp_path):
    other = xlsx(tmp_path / "other.xlsx", [["市商务局", "张三", "局长", "2016-03-01", None, ""]])
    preview = cli_run("import-roster", str(other), "--as-of", D, "--reason", "办公室另一份名册", "--dry-run")
    assert preview.exit_code == 0
    conflict = ("名册 other.xlsx（2023-01-01） row 2: 张三 holds 市商务局局长 since 2016-03-01, but the registry has "
                "the start as 2015-03-01 (名册 roster.xlsx（2023-01-01）)")
    left_out = ("名册 other.xlsx（2023-01-01）: the registry has 张利 (person 7) as 市商务局副局长 on 2023-01-01 "
                "(名册 roster.xlsx（2023-01-01）), and the roster does not list them")
    assert preview.stderr == (f"conflict: {conflict}\nconflict: {left_out}\n"
                              "other.xlsx (2023-01-01) would be recorded: 1 row; nothing recorded (--dry-run)\n")
    recorded = cli_run("import-roster", str(other), "--as-of", D, "--reason", "办公室另一份名册", "--yes")
    assert recorded.exit_code == 0 and recorded.stdout.endswith("other.xlsx (2023-01-01) recorded: 1 row\n")
    check = cli_run("check", "--format", "json")
    assert check.exit_code == 0
    assert [w["message"] for w in json.loads(check.stdout)["warnings"] if w["code"] == "roster_conflict"] == [
        conflict, left_out
    ]
    # The first roster's start stands: the second confirms the holding, it does not start another.
    assert members(cli_run, "市商务局", D)[0][:4] == (1, "张三", "局长", "2015-03-01")


def test_a_roster_contradicting_a_removal_is_refused(seeded, cli_run, tmp_path):
    # The database holds the rules: one person cannot hold one post twice at once, so a sheet
    # saying 张利 held the post since 2020 though a notice removed him in 2023 is refused whole.
    before = dump(seeded)
    sheet = xlsx(tmp_path / "late.xlsx", [["市商务局", "张利", "副局长", "2020-01-01", None, ""]])
    result = cli_run("import-roster", str(sheet), "--as-of", "2023-03-01", "--reason", "x", "--yes", "--person", "张利=7")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("Error: 张利 (person 7) would hold 副局长 twice at once ((未记载)–2023-02-06 and "
                             "2020-01-01–); a second holding needs an appointment between the two on record, "
                             "or --person to name someone else\n")
    assert dump(seeded) == before


REFUSALS = [
    (HEADER[:3] + ["部门"], [["市商务局", "张三", "局长", "x"]],
     "row 1: unknown column '部门'; the columns are 单位, 姓名, 职务, 任职时间, 任职文号, 备注 "
     "(or organization, name, title, since, document, note)"),
    (HEADER, [["市商务局", "张三", "局长", None, None, ""], ["市商务局", "", "副局长", None, None, ""]],
     "row 3: 姓名 is empty"),
    (HEADER, [["市商务局", "张三", "局长", "2019年13月1日", None, ""]],
     "row 2: 任职时间 '2019年13月1日' is not a real date"),
    (HEADER, [["市商务局", "张三", "局长", None, None, ""], ["市财政局", "达娃", "副局长", None, None, ""],
              ["市商务局", "张三", "局长", "2015-03-01", None, ""]],
     "row 4 repeats row 2 (张三, 市商务局局长)"),
    (HEADER, [["市商务局", "张三", "局长", None, None, "正处级"]],
     "row 2: cannot read '正处级' in 备注 '正处级' (the registry reads 兼任, 代理 and 试用期至DATE)"),
    (HEADER, [["市商务局", "张三", "科员", None, None, ""]], "row 2: 职务 '科员' is not a title the registry knows"),
    (HEADER, [["市商务局", "张三", "局长", "2023-05-01", None, ""]],
     "row 2: 任职时间 2023-05-01 is after the roster's date 2023-01-01"),
    (["organization", "name"], [["市商务局", "张三"]], "row 1: no column 职务"),
]


@pytest.mark.parametrize("header, rows, message", REFUSALS, ids=[m.split(":")[0] + str(i) for i, (_, _, m) in enumerate(REFUSALS)])
def test_a_bad_row_refuses_the_whole_sheet(seeded, cli_run, tmp_path, db_url, header, rows, message):
    before, before_bytes = dump(seeded), (Path(db_url).read_bytes() if "://" not in db_url else None)
    sheet = xlsx(tmp_path / "bad.xlsx", rows, header)
    result = cli_run("import-roster", str(sheet), "--as-of", D, "--reason", "x", "--yes")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: {message}\n")
    assert dump(seeded) == before
    if before_bytes is not None:
        assert Path(db_url).read_bytes() == before_bytes


def test_a_post_held_acting_on_the_roster_is_acting_in_its_answers(seeded, cli_run, tmp_path):
    """备注 代理 on a roster row: the holding is acting (代理) in the roster and in who-held, and only
    that one; 兼任 beside it is concurrent, not acting."""
    sheet = csv_file(tmp_path / "acting.csv", [["市统计局", "次仁", "局长", "2022-05-01", "", "代理"],
                                               ["市统计局", "卓玛", "副局长", "2021-03-01", "", "兼任"]])
    result = cli_run("import-roster", str(sheet), "--as-of", D, "--reason", "启用时的在任名册", "--yes")
    assert result.exit_code == 0, result.stderr
    listed = run_json(cli_run, "roster", "市统计局", "--as-of", D)["members"]
    assert [(m["name"], m["title"], m["acting"], m["concurrent"]) for m in listed] == [
        ("次仁", "局长", True, False), ("卓玛", "副局长", False, True)]
    held = run_json(cli_run, "who-held", "市统计局", "局长", "--on", D)["holders"]
    assert [(h["name"], h["acting"]) for h in held] == [("次仁", True)]


def test_a_roster_of_a_notices_date_states_the_posts_after_that_notice(seeded, cli_run, tmp_path):
    """A roster dated the day of 林政发〔2023〕3号 lists 卫健委 as it stood after that notice: it agrees
    with the notice's appointments (it is replayed after the notices of its date), and the roster
    answers are those of the notices, each holding still started by its notice."""
    before = run_json(cli_run, "roster", "卫健委", "--as-of", "2023-02-06")
    sheet = csv_file(tmp_path / "same-day.csv", [["市卫生健康委员会", name, "副主任", "", "", ""]
                                                 for name in ("尼玛", "胡秀兰", "罗布顿珠")])
    result = cli_run("import-roster", str(sheet), "--as-of", "2023-02-06", "--reason", "当日名册", "--yes")
    assert result.exit_code == 0, result.stderr
    after = run_json(cli_run, "roster", "卫健委", "--as-of", "2023-02-06")
    assert [(m["name"], m["since"], m["basis"]) for m in after["members"]] == [
        (m["name"], m["since"], m["basis"]) for m in before["members"]]
    assert [m["basis"] for m in after["members"]][1:] == ["林政发〔2023〕3号"] * 2


def test_an_earlier_roster_recorded_later_is_replayed_in_date_order(seeded, cli_run, tmp_path):
    """Two rosters of one organization, the later-dated recorded first: the replay takes them in
    the order of their dates, so the earlier one's start date for 边巴次仁 holds, and the later one,
    which gave none, finds the holding open."""
    june = csv_file(tmp_path / "june.csv", [["市卫生健康委员会", "边巴次仁", "副主任", "", "", ""]])
    january = csv_file(tmp_path / "january.csv", [["市卫生健康委员会", "边巴次仁", "副主任", "2019-05-20", "", ""]])
    for sheet, day in ((june, "2023-06-01"), (january, "2023-01-01")):
        result = cli_run("import-roster", str(sheet), "--as-of", day, "--reason", "名册", "--yes")
        assert result.exit_code == 0, result.stderr
    (person,) = run_json(cli_run, "history", "边巴次仁")["people"]
    assert [(h["organization"], h["since"], h["until"]) for h in person["holdings"]] == [
        ("市卫生健康委员会", "2019-05-20", None)]


def test_an_earlier_roster_naming_two_possible_people_is_refused_naming_both(seeded, cli_run, tmp_path, db_url):
    """赵线 was removed on 2023-02-06 (start not on record), and a June roster lists a 赵线 as 副主任
    again: a January roster naming 赵线 could mean either record, and is refused, naming both, with
    the database unchanged."""
    june = csv_file(tmp_path / "june.csv", [["市卫生健康委员会", "赵线", "副主任", "", "", ""]])
    assert cli_run("import-roster", str(june), "--as-of", "2023-06-01", "--reason", "名册", "--yes").exit_code == 0
    people = sorted(p["person_id"] for p in run_json(cli_run, "history", "赵线")["people"])
    before = dump(seeded)
    january = csv_file(tmp_path / "january.csv", [["市卫生健康委员会", "赵线", "副主任", "2019-05-20", "", ""]])
    result = cli_run("import-roster", str(january), "--as-of", "2023-01-01", "--reason", "名册", "--yes")
    assert (result.exit_code, result.stderr) == (
        1, f"Error: row 2: 赵线 could be any of people {people[0]}, {people[1]}; choose one with --person 赵线=ID\n")
    assert dump(seeded) == before


def test_english_columns_and_csv_are_read(seeded, cli_run, tmp_path):
    sheet = csv_file(tmp_path / "en.csv", [["市商务局", "张三", "局长", "2015-03-01"]],
                     header=["Organization", "Name", "Title", "Since"])
    result = cli_run("import-roster", str(sheet), "--as-of", D, "--reason", "x", "--yes")
    assert result.exit_code == 0, result.stderr
    assert members(cli_run, "市商务局", D)[0][:4] == (1, "张三", "局长", "2015-03-01")


def test_usage_errors(seeded, cli_run, tmp_path):
    sheet = xlsx(tmp_path / "r.xlsx", ROWS)
    assert cli_run("import-roster", str(sheet), "--reason", "x").exit_code == 2
    assert cli_run("import-roster", str(sheet), "--as-of", D).exit_code == 2
    result = cli_run("import-roster", str(tmp_path / "r.txt"), "--as-of", D, "--reason", "x")
    assert result.exit_code == 2
    (tmp_path / "r.txt").write_text("x", encoding="utf-8")
    result = cli_run("import-roster", str(tmp_path / "r.txt"), "--as-of", D, "--reason", "x", "--yes")
    assert (result.exit_code, result.stderr) == (1, "Error: r.txt is not a roster: give an .xlsx or .csv file\n")


def test_dry_run_and_a_declined_confirmation_record_nothing(seeded, cli_run, tmp_path, monkeypatch):
    import cli as climod

    before = dump(seeded)
    sheet = xlsx(tmp_path / "roster.xlsx", ROWS)
    result = cli_run("import-roster", str(sheet), "--as-of", D, "--reason", "x", "--dry-run")
    assert result.exit_code == 0 and result.stdout.startswith("名册 roster.xlsx  2023-01-01\n")
    assert result.stderr == "roster.xlsx (2023-01-01) would be recorded: 6 rows; nothing recorded (--dry-run)\n"
    monkeypatch.setattr(climod, "_on_terminal", lambda: True)
    result = cli_run("import-roster", str(sheet), "--as-of", D, "--reason", "x", input="n\n")
    assert result.exit_code == 1 and result.stderr.endswith("Record this roster? [y/N]: n\nnothing recorded\n")
    assert dump(seeded) == before
    result = cli_run("import-roster", str(sheet), "--as-of", D, "--reason", "x", input="y\n")
    assert result.exit_code == 0 and result.stdout.endswith("roster.xlsx (2023-01-01) recorded: 6 rows\n")


def test_a_rebuild_gives_the_same_answers_and_known_at_sees_before_the_import(seeded, cli_run, tmp_path):
    moment = datetime.now().isoformat()
    sheet = xlsx(tmp_path / "roster.xlsx", ROWS)
    assert cli_run("import-roster", str(sheet), "--as-of", D, "--reason", "x", "--yes").exit_code == 0
    answers = [cli_run("roster", org, "--as-of", day, "--format", "json").stdout
               for org in ("市商务局", "市财政局", "卫健委") for day in (D, "2023-02-06")]
    with dbmod.writing(seeded) as session:
        derive.rebuild(session)
    assert [cli_run("roster", org, "--as-of", day, "--format", "json").stdout
            for org in ("市商务局", "市财政局", "卫健委") for day in (D, "2023-02-06")] == answers
    then = run_json(cli_run, "roster", "市商务局", "--as-of", D, "--known-at", moment)
    assert [m["name"] for m in then["members"]] == ["张利"]


def test_exports_cite_the_roster(imported, cli_run):
    doc = json.loads(cli_run("export", "popolo").stdout)
    zhang = next(p["id"] for p in doc["persons"] if p["name"] == "张三")
    membership = next(m for m in doc["memberships"] if m["person_id"] == zhang)
    assert membership["start_date"] == "2015-03-01"
    assert membership["sources"] == [{"url": "urn:registry:roster:1", "note": f"{BASIS}，任职文号林政发〔2015〕8号",
                                      "date": "2023-01-01"}]


def test_a_split_of_a_roster_holding_is_refused(imported, cli_run, seeded):
    people = run_json(cli_run, "people", "张利")["people"][0]
    roster_holding = next(h["holding_id"] for h in people["holdings"] if h["until"] == "2023-02-06")
    before = dump(seeded)
    result = cli_run("split", "7", "--holding", str(roster_holding), "--reason", "x")
    assert result.exit_code == 1
    assert result.stderr == (f"Error: holding {roster_holding} comes from a starting roster, not a notice, "
                             f"and cannot be split off\n")
    assert dump(seeded) == before


# -- the schema change ------------------------------------------------------------------------

def test_the_migrations_give_the_schema_the_models_describe(db_url):
    engine = dbmod.make_engine(db_url)
    try:
        with engine.begin() as connection:
            from alembic import command

            config = schema.alembic_config(connection)
            command.upgrade(config, "head")
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
            assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == schema.REVISION
    finally:
        engine.dispose()


# A registry written by 0.1.0 upgrading through 0004 with every answer unchanged: test_schema.py.


def test_the_upgrade_keeps_the_triggers_on_holdings(tmp_path):
    """SQLite alters holdings by copying it; the triggers earlier revisions put there must survive."""
    from alembic import command
    from alembic.script import ScriptDirectory

    engine = create_engine(f"sqlite:///{tmp_path / 'triggers.db'}")
    trigger = ("CREATE TRIGGER holding_guard BEFORE INSERT ON holdings WHEN NEW.position < 0 "
               "BEGIN SELECT RAISE(ABORT, 'negative position'); END")
    before_roster = ScriptDirectory.from_config(schema.alembic_config()).get_revision("0004").down_revision

    def triggers(connection):
        return sorted(connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'holdings'").scalars())

    try:
        with engine.begin() as connection:
            command.upgrade(schema.alembic_config(connection), before_roster)
            connection.exec_driver_sql(trigger)
            expected = triggers(connection)
            assert trigger in expected
            command.upgrade(schema.alembic_config(connection), "head")
            assert triggers(connection) == expected
            command.downgrade(schema.alembic_config(connection), before_roster)
            assert triggers(connection) == expected
    finally:
        engine.dispose()


def test_check_names_a_second_head_beside_the_rosters_head(imported, seeded, cli_run, tmp_path):
    """A 局长 appointed while the roster's 局长 still holds: several_heads names both, and the one notice
    that started a holding (the roster's holding has none)."""
    from sqlalchemy import select

    from registry.models import Notice

    path = tmp_path / "head.txt"
    path.write_text(make_notice("林政发〔2023〕20号", "2023年3月1日", ["旺姆任市商务局局长"]), encoding="utf-8")
    assert cli_run("add-notice", str(path), "--yes").exit_code == 0, "add-notice"
    heads = [w for w in run_json(cli_run, "check")["warnings"] if w["code"] == "several_heads"]
    [zhang] = run_json(cli_run, "people", "张三")["people"]
    [wangmu] = run_json(cli_run, "people", "旺姆")["people"]
    with seeded.connect() as conn:
        notice = conn.execute(select(Notice.id).where(Notice.number == "林政发〔2023〕20号")).scalar_one()
    assert heads == [{
        "code": "several_heads",
        "message": f"市商务局局长 has two holders on 2023-03-01, neither acting nor concurrent: 张三 (person "
                   f"{zhang['person_id']}) and 旺姆 (person {wangmu['person_id']})",
        "ids": {"holdings": [zhang["holdings"][0]["holding_id"], wangmu["holdings"][0]["holding_id"]],
                "people": [zhang["person_id"], wangmu["person_id"]], "notices": [notice]},
    }]


@pytest.mark.parametrize("as_of", ["2023-06-01", "2023-05-01"], ids=["a later day", "the notice's day"])
def test_the_latest_notice_dated_before_a_later_roster_is_replayed_with_it(seeded, cli_run, tmp_path, as_of):
    """No notice is dated after this one, but a roster of its organization is, or is dated the
    same day (a roster states the posts at the end of its day): the replay takes the notice
    before the roster, so the organization is replayed whole, not extended from the rows the
    roster started (the new deputy ranks before the sheet's people, who join the ranking on the
    roster's date)."""
    sheet = xlsx(tmp_path / "mid-year.xlsx", [["市财政局", "达娃", "副局长", "2020/7/1", None, ""],
                                               ["市财政局", "周改玲", "副局长", "2019年4月2日", None, ""]])
    result = cli_run("import-roster", str(sheet), "--as-of", as_of, "--reason", "年中名册", "--yes")
    assert result.exit_code == 0, result.stderr
    notice = tmp_path / "30.txt"
    notice.write_text(make_notice("林政发〔2023〕30号", "2023年5月1日", ["次旦任市财政局副局长"]), encoding="utf-8")
    result = cli_run("add-notice", "--yes", str(notice))
    assert result.exit_code == 0, result.stderr
    basis = f"名册 mid-year.xlsx（{as_of}）"
    assert [(m[0], m[1], m[3], m[7]) for m in members(cli_run, "市财政局", "2023-06-01")] == [
        (1, "次旦", "2023-05-01", "林政发〔2023〕30号"), (2, "达娃", "2020-07-01", basis), (3, "周改玲", "2019-04-02", basis),
    ]
