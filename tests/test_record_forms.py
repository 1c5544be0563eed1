"""Recording the forms of issue 8: 代理转正, names resolved inside the organization, notices
dated after today, several heads, the JSON fields and notes they add, party committees.

Every notice is written in both punctuation forms (full-width, and an ASCII web copy with
. for 。) and recorded through the CLI; every refusal leaves the database byte for byte as
it was.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from conftest import dump, file_bytes, make_notice
from registry import db as dbmod
from registry import record
from registry.models import Action, Person
from registry.text import MAX_NOTICE_BYTES
from test_parse_clauses import PARTY, ascii_copy

FORMS = {"full-width": lambda text: text, "ascii": ascii_copy}
ECOLOGY = "市生态环境局"
WATER = "市水利局"


@pytest.fixture(params=list(FORMS))
def form(request):
    return FORMS[request.param]


@pytest.fixture
def add(cli_run, tmp_path, form):
    """add(number, day, *clauses, links=(), dry=False, fmt=None): a notice through add-notice."""

    def run(number, day, *clauses, links=(), dry=False, fmt=None, ok=True):
        path = tmp_path / f"{number}.txt"
        path.write_text(form(make_notice(f"林政发〔2023〕{number}号", day, list(clauses))), encoding="utf-8")
        args = ["add-notice", str(path), "--dry-run" if dry else "--yes"]
        for name, person in links:
            args += ["--person", f"{name}={person}"]
        if fmt:
            args += ["--format", fmt]
        result = cli_run(*args)
        if ok:
            assert result.exit_code == 0, result.stderr
        return result

    return run


def as_json(result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def refused(engine, db_url, run) -> str:
    """Run a command that must be refused; return its one-line message, the database unchanged."""
    before, raw = dump(engine), file_bytes(db_url)
    result = run()
    assert (result.exit_code, result.stdout) == (1, ""), result.stdout
    assert dump(engine) == before
    assert file_bytes(db_url) == raw
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: ")
    return line[len("Error: "):]


def holders(cli_run, org, title, on):
    return as_json(cli_run("who-held", org, title, "--on", on, "--format", "json"))["holders"]


# -- 4. acting to substantive (代理转正) -------------------------------------------------------

def test_an_acting_head_appointed_in_earnest(engine, cli_run, add):
    add(20, "2023年3月1日", "次仁同志代理市生态环境局局长")
    preview = add(21, "2023年6月1日", "次仁任市生态环境局局长（试用期一年）", dry=True)
    [acting] = holders(cli_run, ECOLOGY, "局长", "2023-05-31")
    assert "同单位在任" in preview.stdout and "新人员" not in preview.stdout
    add(21, "2023年6月1日", "次仁任市生态环境局局长（试用期一年）")

    person = acting["person_id"]
    assert holders(cli_run, ECOLOGY, "局长", "2023-05-31") == [{
        "name": "次仁", "person_id": person, "since": "2023-03-01", "until": "2023-06-01", "start_known": True,
        "concurrent": False, "inferred": False, "basis": "林政发〔2023〕20号", "acting": True, "probation_until": None,
    }]
    assert holders(cli_run, ECOLOGY, "局长", "2023-06-01") == [{
        "name": "次仁", "person_id": person, "since": "2023-06-01", "until": None, "start_known": True,
        "concurrent": False, "inferred": False, "basis": "林政发〔2023〕21号", "acting": False,
        "probation_until": "2024-06-01",
    }]
    history = as_json(cli_run("history", "次仁", "--format", "json"))["people"]
    assert [(p["person_id"], [(h["since"], h["until"], h["acting"], h["end_reason"]) for h in p["holdings"]])
            for p in history] == [
        (person, [("2023-03-01", "2023-06-01", True, "confirmed"), ("2023-06-01", None, False, None)])]
    changes = as_json(cli_run("changes", "--org", ECOLOGY, "--format", "json"))["changes"]
    assert [(c["date"], c["action"], c["person_id"], c["acting"], c["probation_until"]) for c in changes] == [
        ("2023-03-01", "appoint", person, True, None), ("2023-06-01", "confirmed", person, False, "2024-06-01")]
    table = cli_run("changes", "--org", ECOLOGY).stdout
    assert "代理转正" in table
    assert as_json(cli_run("check", "--format", "json")) == {"errors": [], "warnings": []}


def test_an_acting_head_linked_with_person_is_confirmed_too(engine, cli_run, add):
    add(20, "2023年3月1日", "次仁同志代理市生态环境局局长")
    [acting] = holders(cli_run, ECOLOGY, "局长", "2023-03-01")
    add(21, "2023年6月1日", "次仁任市生态环境局局长", links=[("次仁", acting["person_id"])])
    assert [(h["person_id"], h["acting"]) for h in holders(cli_run, ECOLOGY, "局长", "2023-06-01")] == [
        (acting["person_id"], False)]


# -- 5. resolution inside the organization -------------------------------------------------------

def test_a_name_in_the_same_organization_is_that_person(seeded, cli_run, add):
    [lnb] = [p["person_id"] for p in as_json(cli_run("history", "李宁博", "--format", "json"))["people"]]
    preview = as_json(add(20, "2023年3月1日", "李宁博兼任市水利局总工程师", dry=True, fmt="json"))
    assert preview["actions"][0]["person_id"] == lnb
    add(20, "2023年3月1日", "李宁博兼任市水利局总工程师")
    history = as_json(cli_run("history", "李宁博", "--format", "json"))["people"]
    assert [(p["person_id"], [h["title"] for h in p["holdings"]]) for p in history] == [(lnb, ["副局长", "总工程师"])]


def test_a_promotion_inside_one_notice_keeps_one_person(seeded, cli_run, add):
    [lnb] = [p["person_id"] for p in as_json(cli_run("history", "李宁博", "--format", "json"))["people"]]
    add(20, "2023年3月1日", "免去李宁博的市水利局副局长职务", "李宁博任市水利局局长")
    history = as_json(cli_run("history", "李宁博", "--format", "json"))["people"]
    assert [(p["person_id"], [(h["title"], h["since"], h["until"]) for h in p["holdings"]]) for p in history] == [
        (lnb, [("副局长", "2023-02-06", "2023-03-01"), ("局长", "2023-03-01", None)])]


def test_a_namesake_elsewhere_does_not_count(seeded, cli_run, add):
    # 李宁博 holds a post in 市水利局, not in 市商务局: a 李宁博 appointed there is a new person.
    result = add(20, "2023年3月1日", "李宁博任市商务局局长")
    assert "李宁博 is recorded as a new person, but people called 李宁博 are on record" in result.stderr
    assert len(as_json(cli_run("history", "李宁博", "--format", "json"))["people"]) == 2


def test_a_reappointment_to_the_post_held_is_refused(seeded, db_url, cli_run, add):
    message = refused(seeded, db_url, lambda: add(20, "2023年3月1日", "李宁博任市水利局副局长", ok=False))
    assert message == "林政发〔2023〕20号 appoints 李宁博 as 副局长 on 2023-03-01, a post they already hold"


def test_person_new_forces_a_new_person(seeded, cli_run, add):
    add(20, "2023年3月1日", "李宁博任市水利局副局长", links=[("李宁博", "new")])
    assert [len(as_json(cli_run("history", "李宁博", "--format", "json"))["people"])] == [2]
    warnings = as_json(cli_run("check", "--format", "json"))["warnings"]
    assert all(w["code"] != "several_heads" for w in warnings)  # 副局长 is not a head post


def test_two_of_that_name_in_the_organization_is_ambiguous(seeded, db_url, cli_run, add):
    add(20, "2023年3月1日", "李宁博任市水利局总工程师", links=[("李宁博", "new")])
    people = sorted(p["person_id"] for p in as_json(cli_run("history", "李宁博", "--format", "json"))["people"])
    message = refused(seeded, db_url, lambda: add(21, "2023年4月1日", "李宁博兼任市水利局党组成员", ok=False))
    assert message == (
        f"李宁博 in the clause '李宁博兼任市水利局党组成员' could be any of people {people[0]}, {people[1]}; "
        "choose one with --person 李宁博=ID")


def test_the_people_a_notice_creates_are_numbered_in_clause_order(engine):
    """New people are inserted together once the notice is resolved: each clause, 列X之后 and
    namesake list must still name them by the ids they get, in the order they were created."""
    clauses = ["格桑任市水利局副局长", "达瓦任市水利局副局长（列格桑之后）", "格桑任市商务局局长",
               "次仁任市水利局副局长（列次旦之后）"]
    with dbmod.writing(engine) as session:
        plan = record.add_notice(session, make_notice("林政发〔2023〕20号", "2023年3月1日", clauses)).plan
    gesang, dawa, gesang2, ciren = (step.person_id for step in plan)
    cidan = plan[3].ranked_after_person_id
    assert [step.person_new for step in plan] == [True] * 4 and plan[3].ranked_after_new
    assert gesang < dawa < gesang2 < ciren < cidan
    assert [(step.ranked_after_person_id, step.namesakes) for step in plan] == [
        (None, []), (gesang, []), (None, [gesang]), (cidan, [])]
    with dbmod.reading(engine) as session:
        people = dict(session.execute(select(Person.id, Person.name)).all())
        actions = session.execute(select(Action.person_id, Action.ranked_after_person_id).order_by(Action.seq)).all()
    assert [people[p] for p in (gesang, dawa, gesang2, ciren, cidan)] == ["格桑", "达瓦", "格桑", "次仁", "次旦"]
    assert [tuple(a) for a in actions] == [(gesang, None), (dawa, gesang), (gesang2, None), (ciren, cidan)]


# -- 7. dates: after today, several heads --------------------------------------------------------

def test_a_notice_dated_after_today_is_refused(engine, db_url, cli_run, add, monkeypatch):
    monkeypatch.setattr(record, "today", lambda: date(2023, 3, 1))
    message = refused(engine, db_url, lambda: add(20, "2023年3月2日", "格桑任市水利局局长", ok=False))
    assert message == (
        "林政发〔2023〕20号 is dated 2023-03-02, after today (2023-03-01); a notice is recorded once it is issued")
    add(20, "2023年3月1日", "格桑任市水利局局长")


def test_two_heads_at_once_are_a_warning(engine, cli_run, add):
    add(20, "2023年3月1日", "格桑任市水利局局长")
    add(21, "2023年4月1日", "扎西任市水利局局长")
    [finding] = as_json(cli_run("check", "--format", "json"))["warnings"]
    [gesang] = holders(cli_run, WATER, "局长", "2023-03-01")
    zhaxi = next(h for h in holders(cli_run, WATER, "局长", "2023-04-01") if h["name"] == "扎西")
    assert finding["code"] == "several_heads"
    assert finding["message"] == (
        f"市水利局局长 has two holders on 2023-04-01, neither acting nor concurrent: 格桑 (person "
        f"{gesang['person_id']}) and 扎西 (person {zhaxi['person_id']})")
    assert finding["ids"]["people"] == sorted([gesang["person_id"], zhaxi["person_id"]])
    result = cli_run("check")
    assert result.exit_code == 0 and "several_heads" in result.stdout


def test_an_acting_or_concurrent_second_head_is_no_warning(engine, cli_run, add):
    add(20, "2023年3月1日", "格桑任市水利局局长")
    add(21, "2023年4月1日", "扎西同志代理市水利局局长")
    add(22, "2023年4月2日", "次仁兼任市水利局局长")
    add(23, "2023年5月1日", "免去格桑的市水利局局长职务")
    add(24, "2023年5月2日", "达瓦任市水利局局长")  # after 格桑 left: one substantive head
    assert as_json(cli_run("check", "--format", "json"))["warnings"] == []


# -- 8. JSON and notes ------------------------------------------------------------------------

def test_dry_run_json_carries_acting_secondment_and_end_reason(seeded, cli_run, add):
    data = as_json(add(20, "2023年3月1日", "次仁同志代理市生态环境局局长", "格桑任市水利局副局长（挂职，时间一年）",
                       "免去张利的市商务局副局长职务（挂职期满）", dry=True, fmt="json"))
    assert [(a["action"], a["name"], a["acting"], a["secondment"], a["end_reason"]) for a in data["actions"]] == [
        ("appoint", "次仁", True, None, None),
        ("appoint", "格桑", False, "挂职，时间一年", None),
        ("remove", "张利", None, None, "secondment_ended"),
    ]


def test_roster_and_history_show_a_secondment(engine, cli_run, add):
    add(20, "2023年3月1日", "格桑任市水利局副局长（挂职，时间一年）")
    roster = cli_run("roster", WATER, "--as-of", "2023-03-01").stdout
    assert "挂职，时间一年" in roster.splitlines()[-1]
    assert "挂职，时间一年" in cli_run("history", "格桑").stdout.splitlines()[-1]
    # The JSON contract of roster and history is unchanged.
    assert "secondment" not in as_json(cli_run("roster", WATER, "--as-of", "2023-03-01", "--format", "json"))[
        "members"][0]
    add(21, "2023年6月1日", "免去格桑的市水利局副局长职务（挂职期满）")
    [holding] = as_json(cli_run("history", "格桑", "--format", "json"))["people"][0]["holdings"]
    assert (holding["until"], holding["end_reason"]) == ("2023-06-01", "secondment_ended")
    assert "挂职期满" in cli_run("history", "格桑").stdout


def test_a_backfilled_preview_does_not_call_a_former_holder_current(engine, cli_run, add):
    add(20, "2023年3月1日", "格桑任市水利局局长")
    add(21, "2023年5月1日", "免去格桑的市水利局局长职务")
    [gesang] = holders(cli_run, WATER, "局长", "2023-03-01")
    preview = add(19, "2023年4月1日", "格桑兼任市水利局党组书记", dry=True)
    assert f"#{gesang['person_id']} 时任市水利局局长" in preview.stdout
    assert "现任" not in preview.stdout


def test_a_party_committee_notice(engine, cli_run, tmp_path, form):
    government = tmp_path / "gov.txt"
    government.write_text(form(make_notice("林政发〔2023〕20号", "2023年2月1日", [
        "扎西任市水利局局长", "次仁任市水利局党组成员", "达瓦任市水利局副局长", "罗布任市水利局常务副局长",
        "米玛任市水利局总工程师"])), encoding="utf-8")
    party = tmp_path / "party.txt"
    party.write_text(form(PARTY.replace("免去次仁的市水利局党组成员职务。", "平措任市水利局党组成员。")),
                     encoding="utf-8")
    assert cli_run("add-notice", "--yes", str(government), str(party)).exit_code == 0
    notices = as_json(cli_run("notices", "--format", "json"))["notices"]
    assert [(n["number"], n["issuer"]) for n in notices] == [
        ("林委发〔2023〕5号", "中共林芝市委员会"), ("林政发〔2023〕20号", "林芝市人民政府")]
    members = as_json(cli_run("roster", WATER, "--as-of", "2023-03-01", "--format", "json"))["members"]
    assert [(m["name"], m["title"]) for m in members] == [
        ("扎西", "党组书记"), ("扎西", "局长"), ("格桑", "党组副书记"), ("罗布", "常务副局长"), ("达瓦", "副局长"),
        ("次仁", "党组成员"), ("平措", "党组成员"), ("米玛", "总工程师"),
    ]
    # 扎西 the 局长 is the 扎西 the party committee names 党组书记: one person.
    assert len({m["person_id"] for m in members if m["name"] == "扎西"}) == 1


# -- 9, 10. refusals leave the database as it was ---------------------------------------------------

@pytest.mark.parametrize("clauses,message", [
    (["格桑任市水利局副局长\n免去扎西的市水利局局长职务"],
     "'市水利局副局长免去扎西的市水利局' cannot be an organization (the verb 免去) in the clause "
     "'格桑任市水利局副局长免去扎西的市水利局局长职务'; a clause boundary or a verb was not read"),
    (["因身体原因，免去李宁博的市水利局副局长职务"],
     "cannot read the reason '因身体原因' in the clause '因身体原因，免去李宁博的市水利局副局长职务': "
     "expected one of 因到龄退休、因退休、因挂职期满、因工作需要、因工作调动"),
    (["扎西格桑次仁多吉罗布顿珠平措任市水利局局长"],
     "the name '扎西格桑次仁多吉罗布顿珠平措' in the clause '扎西格桑次仁多吉罗布顿珠平措任市水利局局长' is 14 characters "
     "long; a name has at most 12"),
])
def test_refusals_leave_the_database_unchanged(seeded, db_url, add, clauses, message):
    assert refused(seeded, db_url, lambda: add(20, "2023年3月1日", *clauses, ok=False)) == message


def test_an_oversized_text_is_refused_at_once(seeded, db_url, cli_run, tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(make_notice("林政发〔2023〕20号", "2023年3月1日", ["格桑任市水利局局长"]).encode()
                     + b" " * MAX_NOTICE_BYTES)
    size = path.stat().st_size
    message = refused(seeded, db_url, lambda: cli_run("add-notice", "--yes", str(path)))
    assert message == (f"the text is {size:,} bytes, more than any notice could be (at most 2,000,000 bytes); "
                       "it was not read")
