"""Corrections keep the record: retract and amend, and --known-at before and after each.

Nothing is deleted: the old version of a notice stays, marked superseded, with
when, by whom and why.  ``--known-at`` answers as the registry stood at a
moment; the moments are read from the database (naive UTC) and passed with an
explicit +00:00 zone, so the tests never sleep and never depend on the
machine's time zone.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from conftest import dump
from registry import db as dbmod
from registry.models import Action, Notice, NoticeVersion, Person, utcnow
from registry.record import bundled_notice_files

FOUR = "林政发〔2023〕4号"
THREE = "林政发〔2023〕3号"


def as_json(result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def versions(engine, number: str) -> list[NoticeVersion]:
    with dbmod.reading(engine) as session:
        notice = session.scalar(select(Notice).where(Notice.number == number))
        found = list(notice.versions)
        session.expunge_all()
        return found


def moment(value) -> str:
    return value.isoformat() + "+00:00"


def just_before(value) -> str:
    return moment(value - timedelta(microseconds=1))


# -- retract ------------------------------------------------------------------------

@pytest.fixture
def retracted(seeded, cli_run):
    """The seeded registry after 林政发〔2023〕4号 was retracted by 'clerk'; returns (engine, before, after)."""
    result = cli_run("--user", "clerk", "retract", "林政发[2023]4号", "--reason", "recorded from a draft")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{FOUR} retracted: 2 actions no longer count\n"
    (version,) = versions(seeded, FOUR)
    return seeded, just_before(version.superseded_at), moment(version.superseded_at)


def test_retract_keeps_the_version_marked_superseded(retracted):
    engine, _, _ = retracted
    (version,) = versions(engine, FOUR)
    assert (version.supersede_kind, version.superseded_by, version.supersede_reason) == (
        "retracted", "clerk", "recorded from a draft")
    assert version.superseded_at is not None and version.superseded_at >= version.recorded_at
    with dbmod.reading(engine) as session:
        assert len(session.scalars(select(Action).where(Action.version_id == version.id)).all()) == 2


def test_rosters_answer_as_if_the_retracted_notice_was_never_recorded(retracted, cli_run):
    engine, before, after = retracted
    def roster(*extra):
        return [m["name"] for m in as_json(cli_run("roster", "市生态环境局", "--as-of", "2023-02-07",
                                                 "--format", "json", *extra))["members"]]
    assert roster() == []
    assert roster("--known-at", after) == []
    assert roster("--known-at", before) == ["徐继军"]


def test_who_held_with_known_at_around_a_retraction(retracted, cli_run):
    _, before, after = retracted
    def holders(*extra):
        data = as_json(cli_run("who-held", "市生态环境局", "副局长", "--on", "2023-02-05", "--format", "json", *extra))
        return [(h["name"], h["until"]) for h in data["holders"]]
    assert holders("--known-at", before) == [("雷增炎", "2023-02-06")]
    assert holders("--known-at", after) == []
    assert holders() == []


def test_history_with_known_at_around_a_retraction(retracted, cli_run):
    _, before, after = retracted
    old = as_json(cli_run("history", "徐继军", "--format", "json", "--known-at", before))
    assert [(h["organization"], h["since"], h["appointed_by"]) for h in old["people"][0]["holdings"]] == [
        ("市生态环境局", "2023-02-06", FOUR)]
    for extra in ([], ["--known-at", after]):
        result = cli_run("history", "徐继军", *extra)
        assert result.exit_code == 1
        assert result.stderr == "Error: nobody called 徐继军 is on record\n"


def test_notices_show_retracted_notices_with_their_status(retracted, cli_run):
    _, before, after = retracted
    statuses = {n["number"]: n["status"] for n in as_json(cli_run("notices", "--format", "json"))["notices"]}
    assert statuses == {
        "林政发〔2023〕2号": "recorded", THREE: "recorded", FOUR: "retracted", "林政发〔2023〕5号": "recorded",
        "林政发〔2023〕6号": "recorded", "林政发〔2023〕8号": "recorded",
    }
    entry = next(n for n in as_json(cli_run("notices", "--format", "json", "--known-at", after))["notices"]
                 if n["number"] == FOUR)
    assert entry == {"number": FOUR, "date": "2023-02-06", "title": "关于雷增炎、徐继军同志任免职的通知",
                     "actions": 2, "status": "retracted", "issuer": "林芝市人民政府",
                     "source": {"file": "linzhengfa-2023-04.txt", "document": None, "pages": None}}
    old = as_json(cli_run("notices", "--format", "json", "--known-at", before))["notices"]
    assert next(n for n in old if n["number"] == FOUR)["status"] == "recorded"
    table = cli_run("notices").stdout.splitlines()
    assert next(line for line in table if line.startswith(FOUR)).split()[4] == "已撤销"


def test_a_retracted_notice_is_not_recorded_again(retracted, cli_run):
    engine, _, _ = retracted
    before = dump(engine)
    path = next(p for p in bundled_notice_files() if p.stem.endswith("-04"))
    result = cli_run("add-notice", "--yes", str(path))
    assert result.exit_code == 1
    day = versions(engine, FOUR)[0].superseded_at.strftime("%Y-%m-%d")
    assert result.stderr.endswith(
        f"Error: {FOUR} was retracted on {day} (recorded from a draft); a retracted notice is not recorded again\n")
    assert dump(engine) == before


@pytest.mark.parametrize("args, code, message", [
    (["retract", "林政发〔2023〕99号", "--reason", "x"], 1, "Error: no notice numbered 林政发〔2023〕99号\n"),
    (["retract", "林政发", "--reason", "x"], 1,
     "Error: '林政发' is not a document number such as 林政发〔2023〕3号\n"),
    (["retract", FOUR, "--reason", "  "], 1, "Error: a reason is required\n"),
])
def test_retract_refusals(seeded, cli_run, args, code, message):
    before = dump(seeded)
    result = cli_run(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", message)
    assert dump(seeded) == before


def test_retract_needs_a_reason(seeded, cli_run):
    result = cli_run("retract", FOUR)
    assert result.exit_code == 2
    assert "Missing option '--reason'" in result.stderr


def test_retract_twice_is_refused(retracted, cli_run):
    result = cli_run("retract", FOUR, "--reason", "again")
    assert (result.exit_code, result.stderr) == (1, f"Error: {FOUR} is already retracted\n")


def test_retract_uses_the_login_name_without_user(seeded, cli_run, monkeypatch):
    import cli as climod

    monkeypatch.setattr(climod, "_login", lambda: "deji")
    assert cli_run("retract", FOUR, "--reason", "draft", env={"REGISTRY_USER": None}).exit_code == 0
    assert versions(seeded, FOUR)[0].superseded_by == "deji"


# -- amend --------------------------------------------------------------------------

@pytest.fixture
def typo(engine, cli_run, notice_text, tmp_path):
    """The bundled notices, with 林政发〔2023〕3号 recorded with 胡秀兰 misspelt 胡秀蓝."""
    wrong = tmp_path / "wrong.txt"
    wrong.write_text(notice_text(3).replace("胡秀兰", "胡秀蓝"), encoding="utf-8")
    others = [str(p) for p in bundled_notice_files() if not p.stem.endswith("-03")]
    assert cli_run("add-notice", "--yes", *others, str(wrong)).exit_code == 0
    right = tmp_path / "right.txt"
    right.write_text(notice_text(3), encoding="utf-8")
    return engine, right


def ids_by_name(engine) -> dict[str, set[int]]:
    with dbmod.reading(engine) as session:
        found: dict[str, set[int]] = {}
        for person in session.scalars(select(Person)):
            found.setdefault(person.name, set()).add(person.id)
        return found


def holders_of(cli_run, *extra):
    data = as_json(cli_run("roster", "卫健委", "--as-of", "2023-02-07", "--format", "json", *extra))
    return [(m["name"], m["person_id"], m["ranked_after"]) for m in data["members"]]


def test_amend_replaces_the_text_from_now_on(typo, cli_run):
    engine, right = typo
    old = holders_of(cli_run)
    assert [(n, r) for n, _, r in old] == [("尼玛", None), ("胡秀蓝", "尼玛"), ("罗布顿珠", "胡秀蓝")]
    commerce = as_json(cli_run("who-held", "市商务局", "副局长", "--on", "2023-02-06", "--format", "json"))

    result = cli_run("--user", "clerk", "amend", "林政发〔2023〕3号", str(right), "--reason", "胡秀兰 misspelt")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"{THREE} amended: 14 actions"

    first, second = versions(engine, THREE)
    assert (first.supersede_kind, first.superseded_by, first.supersede_reason) == (
        "amended", "clerk", "胡秀兰 misspelt")
    assert (second.version, second.superseded_at, second.recorded_by) == (2, None, "clerk")
    assert second.recorded_at == first.superseded_at
    assert "胡秀蓝" in first.text and "胡秀蓝" not in second.text

    new = holders_of(cli_run)
    assert [(n, r) for n, _, r in new] == [("尼玛", None), ("胡秀兰", "尼玛"), ("罗布顿珠", "胡秀兰")]
    # People keep their ids where the name is unchanged; the corrected name is a new person.
    assert (new[0][1], new[2][1]) == (old[0][1], old[2][1])
    assert new[1][1] not in {old[1][1]}
    assert as_json(cli_run("who-held", "市商务局", "副局长", "--on", "2023-02-06", "--format", "json")) == commerce
    assert ids_by_name(engine)["胡秀蓝"] == {old[1][1]}  # the misspelt record stays, with nothing on it


def test_known_at_before_and_after_an_amendment(typo, cli_run):
    engine, right = typo
    assert cli_run("amend", THREE, str(right), "--reason", "typo").exit_code == 0
    first, _ = versions(engine, THREE)
    before, after = just_before(first.superseded_at), moment(first.superseded_at)

    assert [n for n, _, _ in holders_of(cli_run, "--known-at", before)] == ["尼玛", "胡秀蓝", "罗布顿珠"]
    assert [n for n, _, _ in holders_of(cli_run, "--known-at", after)] == ["尼玛", "胡秀兰", "罗布顿珠"]

    who = ["who-held", "卫健委", "副主任", "--on", "2023-02-07", "--format", "json"]
    assert [h["name"] for h in as_json(cli_run(*who, "--known-at", before))["holders"]] == ["尼玛", "胡秀蓝", "罗布顿珠"]
    assert [h["name"] for h in as_json(cli_run(*who, "--known-at", after))["holders"]] == ["尼玛", "胡秀兰", "罗布顿珠"]

    old = as_json(cli_run("history", "胡秀蓝", "--format", "json", "--known-at", before))["people"][0]
    assert [(h["title"], h["since"], h["appointed_by"]) for h in old["holdings"]] == [("副主任", "2023-02-06", THREE)]
    gone = cli_run("history", "胡秀蓝", "--known-at", after)
    assert (gone.exit_code, gone.stderr) == (1, "Error: nobody called 胡秀蓝 is on record\n")
    assert cli_run("history", "胡秀兰", "--known-at", before).exit_code == 1
    assert as_json(cli_run("history", "胡秀兰", "--format", "json"))["people"][0]["holdings"][0]["appointed_by"] == THREE

    def status(*extra):
        entries = as_json(cli_run("notices", "--format", "json", *extra))["notices"]
        return next(n["status"] for n in entries if n["number"] == THREE)
    assert (status("--known-at", before), status("--known-at", after), status()) == ("recorded", "amended", "amended")
    assert next(line for line in cli_run("notices").stdout.splitlines() if line.startswith(THREE)).split()[4] == "已更正"


@pytest.mark.parametrize("make, message", [
    (lambda text: text, f"Error: the corrected text of {THREE} is the same as the recorded one\n"),
    (lambda text: text.replace("〔2023〕3 号", "〔2023〕9 号"),
     f"Error: the corrected text is numbered 林政发〔2023〕9号, not {THREE}\n"),
])
def test_amend_refusals(seeded, cli_run, notice_text, tmp_path, make, message):
    path = tmp_path / "corrected.txt"
    path.write_text(make(notice_text(3)), encoding="utf-8")
    before = dump(seeded)
    result = cli_run("amend", THREE, str(path), "--reason", "why")
    assert (result.exit_code, result.stderr) == (1, message)
    assert dump(seeded) == before


def test_amend_of_a_retracted_notice_is_refused(retracted, cli_run, notice_text, tmp_path):
    path = tmp_path / "corrected.txt"
    path.write_text(notice_text(4).replace("徐继军", "徐继君"), encoding="utf-8")
    result = cli_run("amend", FOUR, str(path), "--reason", "why")
    assert (result.exit_code, result.stderr) == (1, f"Error: {FOUR} is retracted; there is nothing to amend\n")


def test_amend_needs_a_reason_and_a_known_number(seeded, cli_run, notice_text, tmp_path):
    path = tmp_path / "corrected.txt"
    path.write_text(notice_text(3), encoding="utf-8")
    missing = cli_run("amend", THREE, str(path))
    assert (missing.exit_code, missing.stdout) == (2, "")
    assert missing.stderr.splitlines()[-1] == "Error: Missing option '--reason'."
    unknown = cli_run("amend", "林政发〔2023〕99号", str(path), "--reason", "why")
    assert (unknown.exit_code, unknown.stderr) == (1, "Error: no notice numbered 林政发〔2023〕99号\n")


def test_amend_from_standard_input(typo, cli_run, notice_text):
    engine, _ = typo
    result = cli_run("amend", THREE, "-", "--reason", "typo", "--format", "json", input=notice_text(3).encode())
    assert result.exit_code == 0, result.stderr
    preview = json.loads(result.stdout)
    assert [a["name"] for a in preview["actions"]][7] == "胡秀兰"
    assert [v.version for v in versions(engine, THREE)] == [1, 2]


def test_library_retract_and_amend_with_explicit_times(typo, cli_run, notice_text):
    """The library takes ``now``: answers at chosen moments, no clock involved."""
    from registry import record

    engine, _ = typo
    t1 = utcnow() + timedelta(days=1)
    t2 = t1 + timedelta(hours=1)
    with dbmod.writing(engine) as session:
        assert record.amend(session, THREE, notice_text(3), "typo", by="clerk", now=t1).status == "amended"
    with dbmod.writing(engine) as session:
        record.retract(session, THREE, "wrong notice altogether", by="clerk", now=t2)
    names = {
        "2000-01-01T00:00:00+00:00": None,
        (t1 - timedelta(seconds=1)).isoformat() + "+00:00": ["尼玛", "胡秀蓝", "罗布顿珠"],
        (t1 + timedelta(seconds=1)).isoformat() + "+00:00": ["尼玛", "胡秀兰", "罗布顿珠"],
        (t2 + timedelta(seconds=1)).isoformat() + "+00:00": [],
    }
    for at, expected in names.items():
        result = cli_run("roster", "卫健委", "--as-of", "2023-02-07", "--format", "json", "--known-at", at)
        if expected is None:
            assert result.exit_code == 0
            assert json.loads(result.stdout)["members"] == []
        else:
            assert [m["name"] for m in json.loads(result.stdout)["members"]] == expected
    statuses = [
        next(n["status"] for n in as_json(cli_run("notices", "--format", "json", "--known-at", at))["notices"]
             if n["number"] == THREE)
        for at in list(names)[1:]
    ]
    assert statuses == ["recorded", "amended", "retracted"]


def test_the_notices_listing_written_as_it_is_read_is_the_whole_answer(typo, cli_run, tmp_path):
    """``notices --format json`` writes each notice as it is read (a province's listing is never held
    whole): the text is exactly ``to_json`` of the whole answer, at every moment of a registry with an
    amended notice, a retracted one and numbers missing in two years."""
    from conftest import make_notice
    from registry import queries
    from registry.render import to_json

    engine, right = typo
    assert cli_run("amend", THREE, str(right), "--reason", "胡秀兰 misspelt").exit_code == 0
    assert cli_run("retract", FOUR, "--reason", "recorded from a draft").exit_code == 0
    for number, name in (("林政发〔2024〕5号", "测甲"), ("林政发〔2024〕8号", "测乙")):
        path = tmp_path / f"{name}.txt"
        path.write_text(make_notice(number, "2024年3月1日", [f"{name}任市商务局副局长"]), encoding="utf-8")
        assert cli_run("add-notice", "--yes", str(path)).exit_code == 0
    moments = [None] + [v.recorded_at for v in versions(engine, THREE) + versions(engine, FOUR)]
    answers = set()
    for at in moments:
        with dbmod.reading(engine) as session:
            whole = queries.notices(session, known_at=at)
        written = cli_run("notices", "--format", "json", *(["--known-at", moment(at)] if at else []))
        assert written.exit_code == 0, written.stderr
        assert written.stdout == to_json(whole) + "\n"
        answers.add(written.stdout)
    assert len(answers) == 4  # before and after the amendment and the retraction, and now
    data = json.loads(cli_run("notices", "--format", "json").stdout)
    assert data["missing"] == ["林政发〔2023〕7号", "林政发〔2024〕6号", "林政发〔2024〕7号"]
    assert [(n["number"], n["status"]) for n in data["notices"]][1:4] == [
        (THREE, "amended"), (FOUR, "retracted"), ("林政发〔2023〕5号", "recorded")]
