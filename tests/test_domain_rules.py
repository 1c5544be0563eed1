"""The rules the registry exists for, each stated by a case where breaking it changes the answer.

- Namesakes: two people of one name holding one post.  A removal, a 免去其, a
  ranking reference or a back-filled appointment that cannot tell them apart is
  refused with the candidate ids, and ``--person NAME=ID`` decides; a removal
  chooses among the holders of one name by the title it removes.
- A removal on the day of the appointment is refused.
- Probation ends N calendar years later (a leap day, month ends), the same in
  every answer that shows it: roster, history, changes, probation and check.
- ``--known-at T`` on every command that takes it answers exactly what the
  command answered at T, and the answer today differs.
- Reports after a retraction and after an amendment count only the text in force.
- Identity changes that would make the record wrong are refused: a merge naming
  a record already merged away, an undo that would make one person hold one
  post twice at once.

Everything goes through the CLI (or the public functions behind it) against a
registry holding the six bundled notices, on SQLite and PostgreSQL; every
refusal leaves the database exactly as it was.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from conftest import dump, file_bytes, make_notice


# -- helpers -------------------------------------------------------------------------


@pytest.fixture
def notice_file(tmp_path):
    """notice_file(9, "2023年3月1日", clause, ...) -> the path of 林政发〔2023〕9号 with those clauses."""

    def write(seq: int, day: str, *clauses: str):
        path = tmp_path / f"linzhengfa-2023-{seq}.txt"
        path.write_text(make_notice(f"林政发〔2023〕{seq}号", day, list(clauses)), encoding="utf-8")
        return path

    return write


@pytest.fixture
def add(seeded, cli_run, notice_file):
    """Record a notice through add-notice --yes; fails the test unless it is recorded."""

    def run(seq: int, day: str, *clauses: str, person: str | None = None):
        options = ["--person", person] if person else []
        result = cli_run("add-notice", str(notice_file(seq, day, *clauses)), "--yes", *options)
        assert result.exit_code == 0, result.stderr
        assert result.stdout.endswith(f"林政发〔2023〕{seq}号 recorded: {len(clauses)} action"
                                      f"{'s' if len(clauses) > 1 else ''}\n"), result.stdout
        return result

    return run


@pytest.fixture
def refused(cli_run, seeded, db_url):
    """refused(message, *args): the command exits 1 with exactly that one line on stderr,
    prints nothing, and leaves every row (and, on SQLite, every byte) as it was."""

    def run(message: str, *args: str):
        before, raw = dump(seeded), file_bytes(db_url)
        result = cli_run(*args)
        assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: {message}\n")
        assert dump(seeded) == before
        assert file_bytes(db_url) == raw

    return run


def as_json(result) -> dict:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def members(cli_run, org: str, on: str) -> list[tuple]:
    """(name, person_id, title) of each member of the roster, in rank order."""
    data = as_json(cli_run("roster", org, "--as-of", on, "--format", "json"))
    return [(m["name"], m["person_id"], m["title"]) for m in data["members"]]


def holder_id(cli_run, org: str, on: str, name: str, title: str) -> int:
    (person_id,) = [p for n, p, t in members(cli_run, org, on) if (n, t) == (name, title)]
    return person_id


WATER = "市水利局"
SEED_WATER = [("王程", "副局长"), ("李宁博", "副局长")]  # 市水利局 as the bundled notices leave it


def roster_of(cli_run, org: str, on: str) -> list[tuple]:
    return [(n, t) for n, _, t in members(cli_run, org, on)]


# -- namesakes holding one post ---------------------------------------------------------


@pytest.fixture
def two_zhaxi(add, cli_run):
    """Two people called 扎西 both 市水利局副局长 from 2023-04-01: (first id, second id)."""
    add(9, "2023年3月1日", "扎西任市水利局副局长")
    first = holder_id(cli_run, WATER, "2023-03-01", "扎西", "副局长")
    # Another 扎西 (inside the organization the name would resolve to the one in office).
    add(10, "2023年4月1日", "扎西任市水利局副局长", person="扎西=new")
    ids = [p for n, p, t in members(cli_run, WATER, "2023-04-01") if n == "扎西"]
    assert len(ids) == 2 and ids[0] == first  # the second 扎西 is another person, ranked after the first
    return ids[0], ids[1]


def test_an_ambiguous_removal_is_refused_with_the_candidates(two_zhaxi, notice_file, refused, cli_run):
    first, second = two_zhaxi
    path = notice_file(11, "2023年5月1日", "免去扎西的市水利局副局长职务")
    refused(f"扎西 in the clause '免去扎西的市水利局副局长职务' could be any of people {first}, {second}; "
            f"choose one with --person 扎西=ID", "add-notice", str(path), "--yes")
    # The clerk decides: the second 扎西 goes, the first stays.
    result = cli_run("add-notice", str(path), "--yes", "--person", f"扎西={second}")
    assert result.exit_code == 0, result.stderr
    assert [(n, p) for n, p, _ in members(cli_run, WATER, "2023-05-01")][2:] == [("扎西", first)]
    assert roster_of(cli_run, WATER, "2023-05-01") == [*SEED_WATER, ("扎西", "副局长")]
    assert [p for n, p, _ in members(cli_run, WATER, "2023-04-30") if n == "扎西"] == [first, second]


def test_a_removal_chooses_by_title_among_holders_of_one_name(add, cli_run):
    """扎西 (局长) and another 扎西 (副局长) in one bureau: 免去扎西的…副局长职务 removes the 副局长."""
    add(9, "2023年3月1日", "扎西任市水利局局长")
    director = holder_id(cli_run, WATER, "2023-03-01", "扎西", "局长")
    add(10, "2023年4月1日", "扎西任市水利局副局长", person="扎西=new")
    deputy = holder_id(cli_run, WATER, "2023-04-01", "扎西", "副局长")
    assert deputy != director
    add(11, "2023年5月1日", "免去扎西的市水利局副局长职务")
    assert members(cli_run, WATER, "2023-05-01")[0] == ("扎西", director, "局长")
    assert roster_of(cli_run, WATER, "2023-05-01") == [("扎西", "局长"), *SEED_WATER]
    add(12, "2023年6月1日", "免去扎西的市水利局局长职务")
    assert roster_of(cli_run, WATER, "2023-06-01") == SEED_WATER
    history = as_json(cli_run("history", "扎西", "--format", "json"))["people"]
    assert [(p["person_id"], [(h["title"], h["until"], h["removed_by"]) for h in p["holdings"]]) for p in history] == [
        (director, [("局长", "2023-06-01", "林政发〔2023〕12号")]),
        (deputy, [("副局长", "2023-05-01", "林政发〔2023〕11号")]),
    ]


def test_an_ambiguous_mian_qu_qi_is_refused(two_zhaxi, notice_file, refused):
    first, second = two_zhaxi
    path = notice_file(11, "2023年5月1日", "扎西任市水利局局长，免去其市水利局副局长职务")
    refused(f"扎西 in the clause '扎西任市水利局局长，免去其市水利局副局长职务' could be any of people "
            f"{first}, {second}; choose one with --person 扎西=ID", "add-notice", str(path), "--yes")


def test_an_ambiguous_ranking_reference_is_refused_then_decided(two_zhaxi, notice_file, refused, cli_run):
    first, second = two_zhaxi
    path = notice_file(11, "2023年5月1日", "格桑任市水利局副局长（列扎西之后）")
    refused(f"扎西 in the clause '格桑任市水利局副局长（列扎西之后）' could be any of people {first}, {second}; "
            f"choose one with --person 扎西=ID", "add-notice", str(path), "--yes")
    result = cli_run("add-notice", str(path), "--yes", "--person", f"扎西={first}")
    assert result.exit_code == 0, result.stderr
    # Right after the first 扎西, not at the end.
    ranked = members(cli_run, WATER, "2023-05-01")
    assert [(n, p) for n, p, _ in ranked[2:]] == [("扎西", first), ("格桑", ranked[3][1]), ("扎西", second)]


def test_an_ambiguous_back_filled_appointment_is_refused(add, cli_run, notice_file, refused):
    """One notice reveals two 扎西 of unknown start (one removed, one known from 列扎西之后);
    an older appointment of 扎西 could start either record."""
    add(10, "2023年3月1日", "免去扎西的市水利局副局长职务", "格桑任市水利局副局长（列扎西之后）")
    history = as_json(cli_run("history", "扎西", "--format", "json"))["people"]
    assert [[(h["since"], h["until"], h["inferred"]) for h in p["holdings"]] for p in history] == [
        [(None, "2023-03-01", False)], [(None, None, True)],
    ]
    removed, referenced = (p["person_id"] for p in history)
    path = notice_file(9, "2023年1月5日", "扎西任市水利局副局长")
    refused(f"扎西 in the clause '扎西任市水利局副局长' could be any of people {removed}, {referenced}; "
            f"choose one with --person 扎西=ID", "add-notice", str(path), "--yes")
    # Decided: the appointment starts the record of the 扎西 removed on 2023-03-01.
    result = cli_run("add-notice", str(path), "--yes", "--person", f"扎西={removed}")
    assert result.exit_code == 0, result.stderr
    history = as_json(cli_run("history", str(removed), "--format", "json"))["people"]
    assert [(h["since"], h["until"]) for h in history[0]["holdings"]] == [("2023-01-05", "2023-03-01")]


def test_a_removal_on_the_day_of_appointment_is_refused(add, notice_file, refused):
    add(9, "2023年3月1日", "扎西任市水利局副局长")
    path = notice_file(10, "2023年3月1日", "免去扎西的市水利局副局长职务")
    refused("林政发〔2023〕10号 removes 扎西 as 副局长 on the day of appointment", "add-notice", str(path), "--yes")


# -- probation: calendar years ------------------------------------------------------------


def test_probation_ends_calendar_years_later_in_every_answer(add, cli_run):
    """2023-03-01 + 1 year is 2024-03-01 (365 days would be 2024-02-29); from a leap day and
    from a month end, the period ends on the last day of the month."""
    add(9, "2023年3月1日", "格桑任市水利局局长（试用期一年）")
    add(10, "2023年8月31日", "达瓦任市商务局局长（试用期一年半）")
    add(11, "2024年2月29日", "次仁任市林业和草原局局长（试用期 1年）")
    expected = {"格桑": "2024-03-01", "达瓦": "2025-02-28", "次仁": "2025-02-28"}
    places = {"格桑": (WATER, "2023-03-01"), "达瓦": ("市商务局", "2023-08-31"), "次仁": ("市林业和草原局", "2024-02-29")}

    for name, (org, since) in places.items():
        roster = as_json(cli_run("roster", org, "--as-of", since, "--format", "json"))["members"]
        assert [(m["name"], m["probation_until"], m["on_probation"]) for m in roster if m["name"] == name] == [
            (name, expected[name], True)]
        (person,) = as_json(cli_run("history", name, "--format", "json"))["people"]
        assert [h["probation_until"] for h in person["holdings"]] == [expected[name]]

    changes = as_json(cli_run("changes", "--from", "2023-03-01", "--format", "json"))["changes"]
    assert [(c["name"], c["probation_until"]) for c in changes] == [(n, expected[n]) for n in ("格桑", "达瓦", "次仁")]

    # On probation the day before it ends, not on the day it ends.
    def in_force(on: str) -> list[str]:
        data = as_json(cli_run("probation", "--on", on, "--format", "json"))["probations"]
        return [p["name"] for p in data if p["name"] in expected and p["status"] == "in_force"]

    assert in_force("2024-02-29") == ["格桑", "达瓦", "次仁"]
    assert in_force("2024-03-01") == ["达瓦", "次仁"]
    assert in_force("2025-02-27") == ["达瓦", "次仁"]
    assert in_force("2025-02-28") == []
    on_the_day = as_json(cli_run("probation", "--on", "2024-02-29", "--format", "json"))["probations"]
    assert {p["name"]: p["probation_until"] for p in on_the_day if p["name"] in expected} == expected

    # check recomputes every probation from its notice: all agree.
    assert as_json(cli_run("check", "--format", "json"))["errors"] == []


# -- --known-at on every command ---------------------------------------------------------

KNOWN_AT_COMMANDS = {
    "roster": ["roster", "卫健委", "--as-of", "2023-03-01"],
    "who-held": ["who-held", "市国防动员办公室", "主任", "--on", "2023-03-01"],
    "history": ["history", "洛桑吉美"],
    "history of a merged name": ["history", "尼玛"],
    "notices": ["notices"],
    "orgs": ["orgs"],
    "people": ["people", "尼玛"],
    "changes": ["changes", "--from", "2023-02-09"],
    "probation": ["probation", "--on", "2023-03-01"],
    "vacancies": ["vacancies", "国动办", "--as-of", "2023-03-01"],
    "check": ["check"],
}


def test_known_at_answers_what_every_command_answered_then(seeded, cli_run, add):
    """Each command's answer, saved; then a notice and a merge; with --known-at set to the moment
    the answers were saved, every command gives the saved answer again, and without it another."""
    then = {name: cli_run(*args, "--format", "json") for name, args in KNOWN_AT_COMMANDS.items()}
    assert all(result.exit_code == 0 for result in then.values()), {n: r.stderr for n, r in then.items()}
    moment = datetime.now(timezone.utc).isoformat()

    add(9, "2023年3月1日", "免去洛桑吉美的市国防动员办公室主任职务", "格桑任市卫生健康委员会副主任（试用期一年）")
    nima = [p["person_id"] for p in json.loads(then["people"].stdout)["people"]]
    merged = cli_run("merge", str(nima[0]), str(nima[1]), "--reason", "档案显示为同一人")
    assert merged.exit_code == 0, merged.stderr

    for name, args in KNOWN_AT_COMMANDS.items():
        now = cli_run(*args, "--format", "json")
        assert now.exit_code == 0, (name, now.stderr)
        assert now.stdout != then[name].stdout, f"{name}: the case does not change the answer"
        past = cli_run(*args, "--format", "json", "--known-at", moment)
        assert (past.exit_code, past.stdout) == (0, then[name].stdout), name


# -- reports after a retraction and an amendment ---------------------------------------------


RETRACTED = ("免去洛桑吉美的市国防动员办公室主任职务", "格桑任市商务局局长（试用期一年）")


def test_reports_after_a_retraction(seeded, cli_run, add):
    before = {args[0]: cli_run(*args, "--format", "json").stdout for args in (
        ["changes", "--from", "2023-03-01"], ["probation", "--on", "2023-03-01"],
        ["vacancies", "国动办", "--as-of", "2023-03-01"], ["check"])}
    add(9, "2023年3月1日", *RETRACTED)
    recorded = as_json(cli_run("changes", "--from", "2023-03-01", "--format", "json"))["changes"]
    assert [(c["number"], c["action"], c["name"]) for c in recorded] == [
        ("林政发〔2023〕9号", "remove", "洛桑吉美"), ("林政发〔2023〕9号", "appoint", "格桑")]
    vacant = as_json(cli_run("vacancies", "国动办", "--as-of", "2023-03-01", "--format", "json"))["vacancies"]
    assert [(v["title"], v["last_holder"], v["removed_by"]) for v in vacant] == [("主任", "洛桑吉美", "林政发〔2023〕9号")]
    moment = datetime.now(timezone.utc).isoformat()

    result = cli_run("retract", "林政发〔2023〕9号", "--reason", "录入错误")
    assert (result.exit_code, result.stdout) == (0, "林政发〔2023〕9号 retracted: 2 actions no longer count\n")
    # Every report answers as if 9号 had never been recorded ...
    for args in (["changes", "--from", "2023-03-01"], ["probation", "--on", "2023-03-01"],
                 ["vacancies", "国动办", "--as-of", "2023-03-01"], ["check"]):
        assert cli_run(*args, "--format", "json").stdout == before[args[0]], args
    assert json.loads(before["changes"])["changes"] == []
    # ... except notices, which lists it as retracted, and --known-at before the retraction.
    listed = as_json(cli_run("notices", "--format", "json"))["notices"]
    assert [(n["number"], n["status"]) for n in listed][-1] == ("林政发〔2023〕9号", "retracted")
    past = as_json(cli_run("changes", "--from", "2023-03-01", "--known-at", moment, "--format", "json"))["changes"]
    assert past == recorded


def test_reports_after_an_amendment(seeded, cli_run, add, notice_file):
    add(9, "2023年3月1日", *RETRACTED)
    corrected = notice_file(9, "2023年3月1日", "免去洛桑吉美的市国防动员办公室主任职务", "扎西任市商务局局长（试用期 2年）")
    result = cli_run("amend", "林政发〔2023〕9号", str(corrected), "--reason", "姓名录错")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith("林政发〔2023〕9号 amended: 2 actions\n")
    changes = as_json(cli_run("changes", "--from", "2023-03-01", "--format", "json"))["changes"]
    assert [(c["action"], c["name"], c["title"], c["probation_until"]) for c in changes] == [
        ("remove", "洛桑吉美", "主任", None), ("appoint", "扎西", "局长", "2025-03-01")]
    probations = as_json(cli_run("probation", "--on", "2023-03-01", "--format", "json"))["probations"]
    assert [(p["name"], p["probation_until"]) for p in probations if p["organization"] == "市商务局"] == [
        ("李艳君", "2024-02-06"), ("扎西", "2025-03-01")]
    listed = as_json(cli_run("notices", "--format", "json"))["notices"]
    assert [(n["number"], n["status"], n["actions"]) for n in listed][-1] == ("林政发〔2023〕9号", "amended", 2)
    assert as_json(cli_run("check", "--format", "json"))["errors"] == []


# -- identity changes that would make the record wrong ------------------------------------------


def test_a_merge_naming_a_record_already_merged_away_is_refused(seeded, cli_run, add, refused):
    add(9, "2023年3月1日", "尼玛任市商务局局长")
    kept, absorbed, third = (p["person_id"] for p in as_json(cli_run("people", "尼玛", "--format", "json"))["people"])
    merged = cli_run("merge", str(kept), str(absorbed), "--reason", "档案显示为同一人")
    assert (merged.exit_code, merged.stdout) == (0, f"person {absorbed} merged into person {kept} (event 1)\n")
    refused(f"person {absorbed} is already merged into person {kept}; merge with {kept} instead",
            "merge", str(third), str(absorbed), "--reason", "同一人")
    refused(f"person {absorbed} is already merged into person {kept}; merge with {kept} instead",
            "merge", str(absorbed), str(third), "--reason", "同一人")
    refused(f"people {kept} and {absorbed} are already one person", "merge", str(kept), str(absorbed),
            "--reason", "同一人")


def test_an_undo_that_would_make_one_person_hold_a_post_twice_is_refused(seeded, cli_run, add, refused):
    """扎西 was 副局长 in March; a split gives his later 党组成员 post to another 扎西, and a
    removal of that other 扎西 as 副局长 (start not on record) is recorded while the split
    stands.  Undoing the split would make one 扎西 hold 副局长 twice in March."""
    add(9, "2023年3月1日", "扎西任市水利局副局长")
    zhaxi = holder_id(cli_run, WATER, "2023-03-01", "扎西", "副局长")
    add(10, "2023年4月1日", "免去扎西的市水利局副局长职务")
    add(11, "2023年5月1日", "扎西兼任市水利局党组成员", person=f"扎西={zhaxi}")
    (person,) = as_json(cli_run("people", str(zhaxi), "--format", "json"))["people"]
    member = next(h["holding_id"] for h in person["holdings"] if h["title"] == "党组成员")
    split = cli_run("split", str(zhaxi), "--holding", str(member), "--reason", "两位扎西")
    assert split.exit_code == 0, split.stderr
    other = int(split.stdout.split("new person ")[1].split()[0])
    add(12, "2023年6月1日", "免去扎西的市水利局副局长职务", person=f"扎西={other}")
    refused(f"event 1 cannot be undone: 扎西 would hold {WATER}副局长 twice at once "
            f"((未记载)–2023-06-01 and 2023-03-01–2023-04-01)", "undo", "1", "--reason", "拆分有误")


# -- edges the mutation run found untested ---------------------------------------------------


def test_who_held_table_shows_acting_and_probation_while_it_lasts(add, cli_run):
    add(9, "2023年3月1日", "次仁同志代理市生态环境局局长（试用期一年）")
    during = cli_run("who-held", "市生态环境局", "局长", "--on", "2024-02-29")
    person = holder_id(cli_run, "市生态环境局", "2023-03-01", "次仁", "局长")
    assert (during.exit_code, during.stdout) == (0, (
        "市生态环境局局长  2024-02-29\n"
        "姓名    任职起始    任职截止    依据               备注                      人员ID\n"
        "------  ----------  ----------  -----------------  ------------------------  --------\n"
        f"次仁    2023-03-01              林政发〔2023〕9号  代理；试用期至2024-03-01  {person}\n"))
    after = cli_run("who-held", "市生态环境局", "局长", "--on", "2024-03-01")
    assert (after.exit_code, after.stdout) == (0, (
        "市生态环境局局长  2024-03-01\n"
        "姓名    任职起始    任职截止    依据               备注    人员ID\n"
        "------  ----------  ----------  -----------------  ------  --------\n"
        f"次仁    2023-03-01              林政发〔2023〕9号  代理    {person}\n"))


def test_known_at_the_very_moment_of_recording_shows_it(seeded):
    """Known from T means known at T itself, not only after it."""
    from datetime import date, timedelta

    from registry import db as dbmod
    from registry import queries
    from registry.record import add_notice

    moment = datetime(2030, 1, 1, 8, 0, 0)
    text = make_notice("林政发〔2023〕9号", "2023年3月1日", ["格桑任市水利局局长"])
    with dbmod.writing(seeded) as session:
        add_notice(session, text, recorded_by="test", now=moment)
    with dbmod.reading(seeded) as session:
        def names(at):
            return [m["name"] for m in queries.roster(session, WATER, date(2023, 3, 1), known_at=at)["members"]]

        assert names(moment) == ["格桑", "王程", "李宁博"]
        assert names(moment - timedelta(microseconds=1)) == ["王程", "李宁博"]


def test_a_reference_to_someone_removed_before_is_refused_naming_both_holdings(add, cli_run, notice_file, refused):
    """列扎西之后 after 扎西 left the post says he holds it again from a date not on record,
    which would overlap his earlier holding: refused, naming both spans (the later one open).
    With two such people in one notice, the refusal names the one on record first, whatever
    the order of the clauses."""
    add(9, "2023年3月1日", "扎西任市水利局副局长")
    zhaxi = holder_id(cli_run, WATER, "2023-03-01", "扎西", "副局长")
    add(10, "2023年3月2日", "格桑任市水利局副局长")
    gesang = holder_id(cli_run, WATER, "2023-03-02", "格桑", "副局长")
    assert zhaxi < gesang
    add(11, "2023年4月1日", "免去扎西的市水利局副局长职务", "免去格桑的市水利局副局长职务")
    path = notice_file(12, "2023年5月1日", "次仁任市水利局副局长（列格桑之后）", "达瓦任市水利局副局长（列扎西之后）")
    refused(f"扎西 (person {zhaxi}) would hold 副局长 twice at once ((未记载)– and 2023-03-01–2023-04-01); "
            f"a second holding needs an appointment between the two on record, or --person to name someone else",
            "add-notice", str(path), "--yes", "--person", f"扎西={zhaxi}", "--person", f"格桑={gesang}")


def test_every_roster_and_the_secondment_note_answer_as_known_at(add, cli_run, notice_file, tmp_path):
    """roster --all and the 备注 column of a printed roster (a secondment) answer as the registry
    stood at --known-at: an amended secondment and a bureau filled later do not show."""
    add(9, "2023年3月1日", "格桑任市医疗保障局副局长（挂职，时间一年）")
    every = ["roster", "--all", "--as-of", "2023-03-01", "--format", "json"]
    insurance = ["roster", "医保局", "--as-of", "2023-03-01"]
    then = {"every": cli_run(*every), "insurance": cli_run(*insurance)}
    assert as_json(then["every"])["without_holders"][:3] == ["市政府", "市民族宗教事务局", "市财政局"]
    gesang = holder_id(cli_run, "市医疗保障局", "2023-03-01", "格桑", "副局长")
    assert then["insurance"].stdout.splitlines()[5].split() == [
        "3", "格桑", "副局长", "2023-03-01", "林政发〔2023〕9号", "挂职，时间一年", str(gesang)]
    moment = datetime.now(timezone.utc).isoformat()

    corrected = notice_file(9, "2023年3月1日", "格桑任市医疗保障局副局长（挂职，时间两年）")
    assert cli_run("amend", "林政发〔2023〕9号", str(corrected), "--reason", "期限录错").exit_code == 0
    add(10, "2023年3月1日", "扎西任市财政局副局长")
    # The same person holds the same title in another organization, with no secondment there.
    add(11, "2023年3月1日", "格桑兼任市水利局副局长", person=f"格桑={gesang}")
    (water,) = [line.split() for line in cli_run("roster", WATER, "--as-of", "2023-03-01").stdout.splitlines()
                if "格桑" in line]
    assert water[1:3] + water[-2:] == ["格桑", "副局长", "兼任", str(gesang)]
    (held,) = [line.split() for line in cli_run("who-held", "医保局", "副局长", "--on", "2023-03-01").stdout.splitlines()
               if "格桑" in line]
    assert held[-2:] == ["挂职，时间两年", str(gesang)]

    now = {"every": cli_run(*every), "insurance": cli_run(*insurance)}
    assert as_json(now["every"])["without_holders"][:3] == ["市政府", "市民族宗教事务局", "市政府国有资产监督管理委员会"]
    assert now["insurance"].stdout.splitlines()[5].split() == [
        "3", "格桑", "副局长", "2023-03-01", "林政发〔2023〕9号", "挂职，时间两年", str(gesang)]
    for name, args in (("every", every), ("insurance", insurance)):
        past = cli_run(*args, "--known-at", moment)
        assert (past.exit_code, past.stdout) == (0, then[name].stdout), name
    # An order file puts the organizations it names first.
    order = tmp_path / "order.txt"
    order.write_text("市财政局\n医保局\n", encoding="utf-8")
    ordered = as_json(cli_run(*every, "--order", str(order)))["rosters"]
    assert [r["organization"] for r in ordered][:3] == ["市财政局", "市医疗保障局", "市发展和改革委员会"]


def test_every_answer_changes_at_the_very_moment_of_each_change(seeded):
    """A notice, its amendment, a merge, its undoing and the notice's retraction, each at a chosen
    moment T: every answer as known at T is the new one, and as known a microsecond before T, the
    one before (recorded, shown, in force from T itself; superseded, undone from T itself)."""
    from datetime import date, timedelta

    from registry import db as dbmod
    from registry import people, queries, record, reports

    tick = timedelta(microseconds=1)
    moments = [datetime(2030, 1, 1, hour) for hour in range(8, 13)]
    health_nima = None

    def answers(at):
        with dbmod.reading(seeded) as session:
            found = people.people(session, "尼玛", known_at=at)["people"]
            return {
                "roster": [(m["name"], m["title"], m["probation_until"])
                           for m in queries.roster(session, WATER, date(2023, 3, 1), known_at=at)["members"]],
                "notice": [(n["number"], n["status"], n["title"]) for n in queries.notices(session, known_at=at)["notices"]
                           if n["number"] == "林政发〔2023〕9号"],
                "changes": [(c["action"], c["name"], c["title"]) for c in
                            reports.changes(session, start=date(2023, 3, 1), known_at=at)["changes"]],
                "people": [(p["person_id"], p["merged_into"]) for p in found],
                "history": [p["person_id"] for p in queries.history(session, "尼玛", known_at=at)["people"]],
            }

    first, amended = ("格桑任市水利局局长",), ("格桑任市水利局副局长（试用期一年）",)
    with dbmod.writing(seeded) as session:
        record.add_notice(session, make_notice("林政发〔2023〕9号", "2023年3月1日", list(first)),
                          recorded_by="test", now=moments[0])
    with dbmod.writing(seeded) as session:
        record.amend(session, "林政发〔2023〕9号", make_notice("林政发〔2023〕9号", "2023年3月1日", list(amended)),
                     reason="职务录错", by="test", now=moments[1])
    with dbmod.reading(seeded) as session:
        health_nima, rural_nima = (p["person_id"] for p in people.people(session, "尼玛")["people"])
    with dbmod.writing(seeded) as session:
        event = people.merge(session, health_nima, rural_nima, reason="同一人", by="test", now=moments[2])
        event_id = event.id
    with dbmod.writing(seeded) as session:
        people.undo(session, event_id, reason="两个人", by="test", now=moments[3])
    with dbmod.writing(seeded) as session:
        record.retract(session, "林政发〔2023〕9号", reason="录入错误", by="test", now=moments[4])

    states = [answers(moments[0] - tick)] + [answers(moment) for moment in moments]
    for moment, before, after in zip(moments, states, states[1:]):
        assert answers(moment - tick) == before, moment
        assert after != before, moment
    assert answers(None) == states[-1]
    assert [state["roster"][:1] for state in states[:3]] == [
        [("王程", "副局长", None)], [("格桑", "局长", None)], [("王程", "副局长", None)]]
    assert states[2]["roster"][2] == ("格桑", "副局长", "2024-03-01")
    assert [state["notice"] for state in states] == [
        [], [("林政发〔2023〕9号", "recorded", "关于干部任免的通知")], *[[("林政发〔2023〕9号", "amended", "关于干部任免的通知")]] * 3,
        [("林政发〔2023〕9号", "retracted", "关于干部任免的通知")]]
    assert [state["changes"] for state in states] == [
        [], [("appoint", "格桑", "局长")], *[[("appoint", "格桑", "副局长")]] * 3, []]
    assert [state["people"] for state in states] == [
        *[[(health_nima, None), (rural_nima, None)]] * 3, [(health_nima, None), (rural_nima, health_nima)],
        *[[(health_nima, None), (rural_nima, None)]] * 2]
    assert [state["history"] for state in states] == [[health_nima, rural_nima]] * 3 + [[health_nima]] + [
        [health_nima, rural_nima]] * 2


def test_vacancies_says_no_head_post_was_on_record_as_known_at(add, cli_run):
    """An organization with no head post on record says so; once a notice appoints a head, asked
    --known-at before it, it still says so (and, asked today, no longer does)."""
    args = ["vacancies", "市财政局", "--as-of", "2023-02-01"]
    then = {fmt: cli_run(*args, "--format", fmt) for fmt in ("json", "table")}
    assert [(r.exit_code, r.stderr) for r in then.values()] == [
        (0, "note: no head post of 市财政局 is on record\n"), (0, "")]
    assert then["table"].stdout.endswith("(no head post on record)\n")
    moment = datetime.now(timezone.utc).isoformat()
    add(9, "2023年3月1日", "扎西任市财政局局长")
    now = cli_run(*args, "--format", "json")
    assert (now.exit_code, now.stderr) == (0, "")
    for fmt, result in then.items():
        past = cli_run(*args, "--format", fmt, "--known-at", moment)
        assert (past.exit_code, past.stdout, past.stderr) == (0, result.stdout, result.stderr), fmt


def test_a_title_not_on_record_is_refused_naming_the_closest(add, cli_run, tmp_path, refused):
    """who-held refuses a title the organization never had (a misspelling must not read as
    "nobody held it"), naming the three closest of its own titles, or its first three when none
    is close; a title only a roster gave counts from the moment it was recorded, and before it an
    organization only that roster named has no post on record."""
    add(9, "2023年3月1日", "扎西任林芝经济开发区管委会副主任委员")
    zone = "林芝经济开发区管委会"
    refused(f"{zone} has no 副主人 on record; closest: 副主任, 常务副主任, 副主任委员",
            "who-held", zone, "副主人", "--on", "2023-03-01")
    refused(f"{zone} has no 书记 on record; closest: 主任, 副主任, 副主任委员", "who-held", zone, "书记")
    # 主任 is a title elsewhere (国动办), not in 市水利局.
    refused("市水利局 has no 主任 on record; closest: 副局长", "who-held", WATER, "主任")

    moment = datetime.now(timezone.utc).isoformat()
    sheet = tmp_path / "roster.csv"
    sheet.write_text("单位,姓名,职务,任职时间,任职文号,备注\n市财政局,达娃,总会计师,2020-07-01,,\n"
                     "市档案馆,次仁,馆长,2021-03-01,,\n", encoding="utf-8")
    assert cli_run("import-roster", str(sheet), "--as-of", "2023-01-01", "--reason", "启用时的名册", "--yes").exit_code == 0
    now = cli_run("who-held", "市财政局", "总会计师", "--on", "2023-01-01", "--format", "json")
    assert [h["name"] for h in as_json(now)["holders"]] == ["达娃"]
    refused("市财政局 has no 总会计师 on record; closest: 副局长",
            "who-held", "市财政局", "总会计师", "--on", "2023-01-01", "--known-at", moment)
    # An organization only the roster named had no post at all before it.
    refused("市档案馆 has no post on record", "who-held", "市档案馆", "馆长", "--on", "2023-01-01", "--known-at", moment)


def test_history_orders_by_start_shows_the_secondment_and_answers_by_id_as_known_at(add, cli_run):
    """history of one person (by id): holdings in order of their start, not of their end; the
    printed table's 备注 is the holding's secondment; --known-at answers as the registry stood
    then, before a later removal was recorded."""
    add(9, "2023年3月1日", "格桑任市医疗保障局副局长（挂职，时间一年）")
    gesang = holder_id(cli_run, "市医疗保障局", "2023-03-01", "格桑", "副局长")
    add(10, "2023年4月1日", "格桑兼任市水利局副局长", person=f"格桑={gesang}")
    moment = datetime.now(timezone.utc).isoformat()
    add(11, "2023年5月1日", "免去格桑的市水利局副局长职务", person=f"格桑={gesang}")

    def holdings(*options):
        (person,) = as_json(cli_run("history", str(gesang), "--format", "json", *options))["people"]
        return [(h["organization"], h["since"], h["until"]) for h in person["holdings"]]

    # The second post ended first; the order is still by start.
    assert holdings() == [("市医疗保障局", "2023-03-01", None), (WATER, "2023-04-01", "2023-05-01")]
    assert holdings("--known-at", moment) == [("市医疗保障局", "2023-03-01", None), (WATER, "2023-04-01", None)]
    table = cli_run("history", str(gesang)).stdout.splitlines()
    (insurance,) = [line for line in table if "市医疗保障局" in line]
    (water,) = [line for line in table if WATER in line]
    assert "挂职，时间一年" in insurance and "挂职" not in water, table


def test_the_printed_roster_shows_the_secondment_of_the_holding_on_its_date(add, cli_run):
    """One person holds one post twice, seconded the first time only: the printed roster's 备注 is
    the secondment of the holding in force on the roster's date, not of another holding of the
    same person and post."""
    add(9, "2023年3月1日", "格桑任市医疗保障局副局长（挂职，时间一年）")
    gesang = holder_id(cli_run, "市医疗保障局", "2023-03-01", "格桑", "副局长")
    add(10, "2023年4月1日", "免去格桑的市医疗保障局副局长职务", person=f"格桑={gesang}")
    add(11, "2023年5月1日", "格桑任市医疗保障局副局长", person=f"格桑={gesang}")

    def note(day: str) -> str:
        lines = cli_run("roster", "市医疗保障局", "--as-of", day).stdout.splitlines()
        (line,) = [line for line in lines if "格桑" in line]
        return "挂职，时间一年" if "挂职，时间一年" in line else ""

    assert [note(day) for day in ("2023-03-15", "2023-05-15")] == ["挂职，时间一年", ""]


def test_holdings_from_a_starting_roster_name_it_and_each_rows_own_document(seeded, cli_run, tmp_path):
    """Two rows of one starting roster, each with its own 任职文号: roster and who-held give the roster
    as the basis of each holding, history gives each row's own document as appointed_by."""
    sheet = tmp_path / "roster.csv"
    sheet.write_text("单位,姓名,职务,任职时间,任职文号,备注\n市财政局,达娃,总会计师,2020-07-01,林政发〔2020〕3号,\n"
                     "市财政局,次旦,副局长,2019-04-02,林政发〔2019〕9号,\n", encoding="utf-8")
    imported = cli_run("import-roster", str(sheet), "--as-of", "2023-01-01", "--reason", "启用时的名册", "--yes")
    assert imported.exit_code == 0, imported.stderr
    basis = "名册 roster.csv（2023-01-01）"
    listed = as_json(cli_run("roster", "市财政局", "--as-of", "2023-03-01", "--format", "json"))["members"]
    assert [(m["name"], m["title"], m["since"], m["basis"]) for m in listed] == [
        ("次旦", "副局长", "2019-04-02", basis), ("达娃", "总会计师", "2020-07-01", basis)]
    held = as_json(cli_run("who-held", "市财政局", "总会计师", "--on", "2023-01-01", "--format", "json"))["holders"]
    assert [(h["name"], h["since"], h["until"], h["basis"]) for h in held] == [("达娃", "2020-07-01", None, basis)]
    for name, document in (("达娃", "林政发〔2020〕3号"), ("次旦", "林政发〔2019〕9号")):
        (person,) = as_json(cli_run("history", name, "--format", "json"))["people"]
        assert [(h["organization"], h["appointed_by"], h["removed_by"]) for h in person["holdings"]] == [
            ("市财政局", document, None)], name
