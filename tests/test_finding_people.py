"""Finding people by part of a name (issue 12, item 5): `history` and `people`.

The bundled notices name 尼仓 and two people called 尼玛, so 尼 is part of three people's names;
卓玛 is part of one name only (益西卓玛).  A whole name answers as before.  Part of several names
lists the people with the posts they hold today: on a terminal the clerk picks one by id; with
--format json, or with nobody at a terminal, the list is the output and the exit code is 3.
Ids differ between backends, so the tests read them from the registry.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from registry import db as dbmod
from registry.errors import NotFound
from registry.models import Person
from registry.people import AmbiguousName, find_person

AMBIGUOUS = "Error: 尼 is part of the names of 3 people on record; give the whole name or a person id\n"


def ids_of(engine, name: str) -> list[int]:
    with dbmod.reading(engine) as session:
        return list(session.scalars(select(Person.id).where(Person.name == name).order_by(Person.id)))


def expected_matches(engine) -> list[dict]:
    (nicang,), (nima, nima_too) = ids_of(engine, "尼仓"), ids_of(engine, "尼玛")
    return [
        {"person_id": nicang, "name": "尼仓", "posts": ["市残疾人联合会第二届主席团执行理事会理事长"]},
        {"person_id": nima, "name": "尼玛", "posts": ["市卫生健康委员会副主任"]},
        {"person_id": nima_too, "name": "尼玛", "posts": []},
    ]


@pytest.mark.parametrize("command", ["history", "people"])
def test_part_of_several_names_in_json_lists_them_and_exits_3(seeded, cli_run, command):
    result = cli_run(command, "尼", "--format", "json")
    assert result.exit_code == 3
    assert json.loads(result.stdout) == {"query": "尼", "count": 3, "matches": expected_matches(seeded)}
    assert result.stderr == AMBIGUOUS


def test_part_of_several_names_without_a_terminal_prints_the_table_and_exits_3(seeded, cli_run):
    result = cli_run("history", "尼")
    assert result.exit_code == 3
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["人员ID", "姓名", "现任职务"]
    assert [line.split() for line in lines[2:]] == [
        [str(m["person_id"]), m["name"], *m["posts"]] for m in expected_matches(seeded)
    ]
    assert result.stderr == AMBIGUOUS


def test_part_of_several_names_in_csv(seeded, cli_run):
    result = cli_run("people", "尼", "--format", "csv")
    assert result.exit_code == 3
    rows = [m for m in expected_matches(seeded)]
    assert result.stdout.splitlines() == ["person_id,name,posts"] + [
        f"{m['person_id']},{m['name']},{''.join(m['posts'])}" for m in rows
    ]


@pytest.mark.parametrize("command", ["history", "people"])
def test_on_a_terminal_the_clerk_picks_one_by_id(seeded, cli_run, monkeypatch, command):
    import cli as climod

    chosen = ids_of(seeded, "尼玛")[1]
    direct = cli_run(command, str(chosen))
    assert direct.exit_code == 0
    monkeypatch.setattr(climod, "_on_terminal", lambda: True)
    result = cli_run(command, "尼", input=f"999\n{chosen}\n")
    assert (result.exit_code, result.stdout) == (0, direct.stdout)
    prompt = "尼 is part of 3 people's names; which person (人员ID)?: "
    assert result.stderr.count(prompt) == 2  # 999 is not one of them: asked again
    assert "Error: '999' is not one of" in result.stderr
    assert "市卫生健康委员会副主任" in result.stderr.split(prompt)[0]  # the list is shown before the question


def test_on_a_terminal_json_still_does_not_ask(seeded, cli_run, monkeypatch):
    import cli as climod

    monkeypatch.setattr(climod, "_on_terminal", lambda: True)
    result = cli_run("history", "尼", "--format", "json", input="1\n")
    assert result.exit_code == 3
    assert json.loads(result.stdout)["count"] == 3


@pytest.mark.parametrize("command", ["history", "people"])
def test_part_of_one_name_answers_for_that_name(seeded, cli_run, command):
    whole = cli_run(command, "益西卓玛", "--format", "json")
    part = cli_run(command, "卓玛", "--format", "json")
    assert (whole.exit_code, part.exit_code) == (0, 0)
    assert json.loads(part.stdout) == json.loads(whole.stdout)
    assert part.stderr == "note: 卓玛 is taken as 益西卓玛, the one name on record that contains it\n"


def test_part_of_the_names_of_namesakes_only_answers_for_all_of_them(seeded, cli_run):
    # 玛 alone would be 尼玛 and 益西卓玛; 尼玛 itself is a whole name (two people), answered as before.
    result = cli_run("history", "尼玛", "--format", "json")
    assert result.exit_code == 0 and result.stderr == ""
    assert [p["person_id"] for p in json.loads(result.stdout)["people"]] == ids_of(seeded, "尼玛")


@pytest.mark.parametrize("typed, message", [
    ("尼马", "Error: nobody called 尼马 is on record; closest: 尼仓, 尼玛, 马冰\n"),  # 尼 first: the family name
    ("罗不顿珠", "Error: nobody called 罗不顿珠 is on record; closest: 罗布顿珠\n"),
    ("Zzz", "Error: nobody called Zzz is on record\n"),
    ("%", "Error: nobody called % is on record\n"),
    ("_", "Error: nobody called _ is on record\n"),
])
@pytest.mark.parametrize("command", ["history", "people"])
def test_no_name_containing_it_suggests_the_closest(seeded, cli_run, command, typed, message):
    result = cli_run(command, typed)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", message)


def test_find_person_in_the_library(seeded):
    with dbmod.reading(seeded) as session:
        assert find_person(session, " 12 ") == "12"  # an id is not looked up here
        assert find_person(session, "罗布") == "罗布"  # a whole name, though 罗布顿珠 contains it
        assert find_person(session, "顿珠") == "罗布顿珠"
        with pytest.raises(AmbiguousName) as caught:
            find_person(session, "徐")
        assert [m["name"] for m in caught.value.matches] == ["徐斌", "徐继军"]
        assert caught.value.count == 2
        with pytest.raises(NotFound):
            find_person(session, "徐徐徐徐徐徐")


def test_a_long_list_is_cut_and_says_so(seeded, monkeypatch):
    import registry.people as people

    monkeypatch.setattr(people, "MATCHES_SHOWN", 2)
    with dbmod.reading(seeded) as session:
        with pytest.raises(AmbiguousName) as caught:
            find_person(session, "尼")
    assert len(caught.value.matches) == 2 and caught.value.count == 3
    assert str(caught.value) == ("尼 is part of the names of 3 people on record (the first 2 are listed); "
                                 "give the whole name or a person id")
