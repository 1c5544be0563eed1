"""People told apart and put together: people, merge, split, undo.

Merges and splits are recorded events: undoable, visible in history (a note
line under the table) and in ``people``, respected by --known-at, and
re-applied by a rebuild.  Ids differ between backends, so every test reads
them from the registry.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from conftest import dump, make_notice
from registry import db as dbmod
from registry import derive
from registry.models import Action, Holding, Organization, Person, PersonEvent, Post


def as_json(result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def add(cli_run, tmp_path):
    """add(number, day, *clauses, links=()): record a synthetic notice through the CLI."""

    def run(number, day, *clauses, links=()):
        path = tmp_path / f"{abs(hash(number))}.txt"
        path.write_text(make_notice(number, day, list(clauses)), encoding="utf-8")
        args = ["add-notice", "--yes", str(path)]
        for name, person in links:
            args += ["--person", f"{name}={person}"]
        result = cli_run(*args)
        assert result.exit_code == 0, result.stderr
        return result

    return run


def nima(cli_run) -> tuple[int, int]:
    """(尼玛 of 卫健委, 尼玛 of 乡村振兴局)."""
    people = as_json(cli_run("history", "尼玛", "--format", "json"))["people"]
    by_org = {p["holdings"][0]["organization"]: p["person_id"] for p in people}
    return by_org["市卫生健康委员会"], by_org["市乡村振兴局"]


def holding_id(engine, person_id: int, org_fragment: str) -> int:
    with dbmod.reading(engine) as session:
        rows = session.scalars(select(Holding).where(Holding.person_id == person_id, Holding.known_until.is_(None)))
        return next(h.id for h in rows if org_fragment in h.post.organization.name)


def events(engine) -> list[PersonEvent]:
    with dbmod.reading(engine) as session:
        found = list(session.scalars(select(PersonEvent).order_by(PersonEvent.id)))
        session.expunge_all()
        return found


def moment(value, shift=timedelta(0)) -> str:
    return (value + shift).isoformat() + "+00:00"


TICK = timedelta(microseconds=1)


def roster_ids(cli_run, *extra):
    data = as_json(cli_run("roster", "卫健委", "--as-of", "2023-02-07", "--format", "json", *extra))
    return [(m["name"], m["person_id"], m["ranked_after"]) for m in data["members"]]


# -- people -------------------------------------------------------------------------

def test_people_json_shape(seeded, cli_run):
    health, rural = nima(cli_run)
    data = as_json(cli_run("people", "尼玛", "--format", "json"))
    assert data == {"query": "尼玛", "people": [
        {
            "person_id": health, "name": "尼玛", "merged_into": None,
            "holdings": [{
                "holding_id": holding_id(seeded, health, "卫生"), "organization": "市卫生健康委员会",
                "title": "副主任", "since": None, "until": None, "short": "市卫生健康委员会副主任 (未记载)–",
            }],
            "notices": ["林政发〔2023〕3号"], "events": [],
        },
        {
            "person_id": rural, "name": "尼玛", "merged_into": None,
            "holdings": [{
                "holding_id": holding_id(seeded, rural, "乡村"), "organization": "市乡村振兴局",
                "title": "副局长", "since": None, "until": "2023-02-06",
                "short": "市乡村振兴局副局长 (未记载)–2023-02-06",
            }],
            "notices": ["林政发〔2023〕3号"], "events": [],
        },
    ]}
    assert health < rural


def test_people_table_and_csv(seeded, cli_run):
    health, rural = nima(cli_run)
    result = cli_run("people", "尼玛")
    assert result.exit_code == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["人员ID", "姓名", "任职", "相关文号", "备注"]
    assert lines[2].split() == [str(health), "尼玛", f"#{holding_id(seeded, health, '卫生')}",
                                "市卫生健康委员会副主任", "(未记载)~", "林政发〔2023〕3号"]
    from wcwidth import wcswidth

    # tabulate strips trailing spaces: no line is wider than the rule under the header.
    assert all(wcswidth(line) <= wcswidth(lines[1]) for line in lines)
    csv = cli_run("people", "尼玛", "--format", "csv", "--bom")
    assert csv.stdout.splitlines() == [
        "\ufeffperson_id,name,merged_into,holdings,notices,events",
        f"{health},尼玛,,#{holding_id(seeded, health, '卫生')} 市卫生健康委员会副主任 (未记载)–,林政发〔2023〕3号,",
        f"{rural},尼玛,,#{holding_id(seeded, rural, '乡村')} 市乡村振兴局副局长 (未记载)–2023-02-06,林政发〔2023〕3号,",
    ]


def test_people_lists_a_reference_as_a_mention(seeded, cli_run):
    # 胡秀兰 is appointed by 林政发〔2023〕3号 and named in 罗布顿珠's 列胡秀兰之后 of the same notice.
    (person,) = as_json(cli_run("people", "胡秀兰", "--format", "json"))["people"]
    assert person["notices"] == ["林政发〔2023〕3号"]
    assert [h["short"] for h in person["holdings"]] == ["市卫生健康委员会副主任 2023-02-06–"]


def test_people_by_id_and_unknown(seeded, cli_run):
    health, _ = nima(cli_run)
    data = as_json(cli_run("people", str(health), "--format", "json"))
    assert (data["query"], [p["person_id"] for p in data["people"]]) == (str(health), [health])
    for query, message in (("无名氏", "Error: nobody called 无名氏 is on record\n"),
                           ("99999", "Error: no person with id 99999\n")):
        result = cli_run("people", query)
        assert (result.exit_code, result.stdout, result.stderr) == (1, "", message)


# -- merge --------------------------------------------------------------------------

@pytest.fixture
def merged(seeded, cli_run):
    """The two 尼玛 merged by 'clerk' (卫健委's kept); returns (engine, kept, absorbed)."""
    health, rural = nima(cli_run)
    result = cli_run("--user", "clerk", "merge", str(health), str(rural), "--reason", "same man, per his file")
    assert result.exit_code == 0, result.stderr
    (event,) = events(seeded)
    assert result.stdout == f"person {rural} merged into person {health} (event {event.id})\n"
    return seeded, health, rural


def test_merge_makes_one_person_in_history(merged, cli_run):
    engine, kept, absorbed = merged
    (event,) = events(engine)
    data = as_json(cli_run("history", "尼玛", "--format", "json"))
    assert [(p["person_id"], [h["organization"] for h in p["holdings"]]) for p in data["people"]] == [
        (kept, ["市乡村振兴局", "市卫生健康委员会"])]
    assert set(data["people"][0]["holdings"][0]) == {
        "organization", "title", "since", "until", "start_known", "concurrent", "acting", "inferred",
        "probation_until", "ranked_after", "appointed_by", "removed_by", "end_reason"}
    table = cli_run("history", "尼玛")
    assert table.stderr == f"note: event {event.id}: person {absorbed} merged into person {kept} (same man, per his file)\n"
    assert cli_run("history", "尼玛", "--format", "json").stderr == ""
    assert roster_ids(cli_run)[0] == ("尼玛", kept, None)


def test_merge_shows_in_people(merged, cli_run):
    engine, kept, absorbed = merged
    (event,) = events(engine)
    data = as_json(cli_run("people", "尼玛", "--format", "json"))
    record = {
        "event_id": event.id, "kind": "merge", "person_id": kept, "other_person_id": absorbed,
        "reason": "same man, per his file", "recorded_at": moment(event.recorded_at.replace(microsecond=0)),
        "recorded_by": "clerk", "undone_at": None, "undone_by": None, "undo_reason": None,
    }
    assert [(p["person_id"], p["merged_into"], [h["organization"] for h in p["holdings"]], p["notices"], p["events"])
            for p in data["people"]] == [
        (kept, None, ["市乡村振兴局", "市卫生健康委员会"], ["林政发〔2023〕3号"], [record]),
        (absorbed, kept, [], [], [record]),
    ]
    table = cli_run("people", "尼玛").stdout
    assert f"已并入#{kept}；事件{event.id}合并" in table
    assert f"{event.id}         合并    #{kept} #{absorbed}" in table


def test_people_and_history_read_only_the_events_of_the_people_named(merged, cli_run):
    """Other people's merges change nothing in what ``people`` and ``history`` say of 尼玛, and are
    not even read: each answer loads the events naming its records, not every event on record (with
    20,000 merges of others, ``people`` of 430 namesakes took 6.1 s; 133 ms since)."""
    from registry import people as peoplemod

    engine, kept, absorbed = merged
    before = (cli_run("people", "尼玛", "--format", "json").stdout, cli_run("history", "尼玛").stderr)
    with dbmod.writing(engine) as session:
        others = [Person(name=f"并档{i}") for i in range(6)]
        session.add_all(others)
        session.flush()
        session.add_all([PersonEvent(kind="merge", person_id=others[i].id, other_person_id=others[i + 1].id,
                                     reason="others") for i in (0, 2, 4)])
    assert len(events(engine)) == 4
    assert (cli_run("people", "尼玛", "--format", "json").stdout, cli_run("history", "尼玛").stderr) == before
    (event,) = [e for e in events(engine) if e.reason != "others"]
    for ask in (lambda session: peoplemod.people(session, "尼玛"),
                lambda session: peoplemod.history_notes(session, "尼玛")):
        loaded = []

        def note(target, context):
            loaded.append(target.id)

        sa_event.listen(PersonEvent, "load", note)
        try:
            with dbmod.reading(engine) as session:
                ask(session)
        finally:
            sa_event.remove(PersonEvent, "load", note)
        assert loaded == [event.id]


def test_merge_respects_known_at_and_undo(merged, cli_run):
    engine, kept, absorbed = merged
    (event,) = events(engine)
    result = cli_run("--user", "clerk", "undo", str(event.id), "--reason", "they are two after all")
    assert (result.exit_code, result.stdout) == (0, f"event {event.id} (merge) undone\n")
    (event,) = events(engine)
    assert (event.undone_by, event.undo_reason) == ("clerk", "they are two after all")

    def people_at(at=None):
        extra = ["--known-at", at] if at else []
        return [p["person_id"] for p in as_json(cli_run("history", "尼玛", "--format", "json", *extra))["people"]]

    assert people_at(moment(event.recorded_at, -TICK)) == [kept, absorbed]
    assert people_at(moment(event.recorded_at)) == [kept]
    assert people_at(moment(event.undone_at, -TICK)) == [kept]
    assert people_at(moment(event.undone_at)) == [kept, absorbed]
    assert people_at() == [kept, absorbed]
    assert cli_run("history", "尼玛").stderr == ""  # an undone event is no longer a note

    during = as_json(cli_run("people", "尼玛", "--format", "json", "--known-at", moment(event.undone_at, -TICK)))
    assert [(p["merged_into"], p["events"][0]["undone_at"]) for p in during["people"]] == [(None, None), (kept, None)]
    now = as_json(cli_run("people", "尼玛", "--format", "json"))
    assert [(p["merged_into"], p["events"][0]["undo_reason"]) for p in now["people"]] == [
        (None, "they are two after all"), (None, "they are two after all")]
    before = cli_run("people", "尼玛", "--known-at", moment(event.recorded_at, -TICK), "--format", "json")
    assert [p["events"] for p in as_json(before)["people"]] == [[], []]


def test_merge_refused_when_both_hold_the_post_at_once(seeded, cli_run, add):
    add("林政发〔2023〕20号", "2023年3月1日", "扎西任市水利局副局长")
    add("林政发〔2023〕21号", "2023年4月1日", "扎西任市水利局副局长（列李宁博之后）", links=[("扎西", "new")])
    first, second = [p["person_id"] for p in as_json(cli_run("people", "扎西", "--format", "json"))["people"]]
    before = dump(seeded)
    result = cli_run("merge", str(first), str(second), "--reason", "same")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: people {first} and {second} cannot be one person: both hold 市水利局副局长 at the same time "
        "(2023-03-01– and 2023-04-01–)\n"
    )
    assert dump(seeded) == before


def test_merge_refused_when_the_derivation_would_overlap(seeded, cli_run, add):
    # Two 扎西 removed from one post on different dates, starts not on record: as one person
    # they would hold it twice on every date before the first removal.
    add("林政发〔2023〕20号", "2023年3月1日", "免去扎西的市水利局副局长职务")
    add("林政发〔2023〕21号", "2023年4月1日", "免去扎西的市水利局副局长职务")
    first, second = [p["person_id"] for p in as_json(cli_run("people", "扎西", "--format", "json"))["people"]]
    result = cli_run("merge", str(first), str(second), "--reason", "same")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: people {first} and {second} cannot be one person: both hold 市水利局副局长 at the same time "
        "((未记载)–2023-03-01 and (未记载)–2023-04-01)\n"
    )


@pytest.mark.parametrize("args, message", [
    (lambda h, r, l: [h, h], lambda h, r, l: f"person {h} is already one person; give two different ids"),
    (lambda h, r, l: [h, l], lambda h, r, l: f"person {h} is 尼玛 and person {l} is 李宁博; only records of one "
                                             f"name can be merged (correct a misspelt name with amend)"),
    (lambda h, r, l: [h, 99999], lambda h, r, l: "no person with id 99999"),
])
def test_merge_refusals(seeded, cli_run, args, message):
    health, rural = nima(cli_run)
    other = as_json(cli_run("history", "李宁博", "--format", "json"))["people"][0]["person_id"]
    before = dump(seeded)
    result = cli_run("merge", *map(str, args(health, rural, other)), "--reason", "why")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: {message(health, rural, other)}\n")
    assert dump(seeded) == before


def test_merge_twice_and_merge_an_absorbed_record(merged, cli_run):
    engine, kept, absorbed = merged
    again = cli_run("merge", str(kept), str(absorbed), "--reason", "again")
    assert (again.exit_code, again.stderr) == (1, f"Error: people {kept} and {absorbed} are already one person\n")


def test_merge_and_split_need_a_reason(seeded, cli_run):
    health, rural = nima(cli_run)

    def usage_error(*args: str) -> str:
        result = cli_run(*args)
        assert (result.exit_code, result.stdout) == (2, "")
        return result.stderr.splitlines()[-1]

    assert usage_error("merge", str(health), str(rural)) == "Error: Missing option '--reason'."
    assert usage_error("merge", str(health), "abc", "--reason", "x") == (
        "Error: Invalid value for 'OTHER_ID': 'abc' is not a valid integer.")
    blank = cli_run("merge", str(health), str(rural), "--reason", " ")
    assert (blank.exit_code, blank.stderr) == (1, "Error: a reason is required (--reason)\n")
    assert usage_error("split", str(health), "--reason", "x") == "Error: Missing option '--holding'."
    assert usage_error("undo", "1") == "Error: Missing option '--reason'."


# -- split --------------------------------------------------------------------------

def test_split_moves_holdings_to_a_new_person(merged, cli_run):
    engine, kept, absorbed = merged
    health = holding_id(engine, kept, "卫生")
    result = cli_run("--user", "clerk", "split", str(kept), "--holding", str(health), "--reason", "two men")
    assert result.exit_code == 0, result.stderr
    merge_event, split_event = events(engine)
    new = split_event.other_person_id
    assert result.stdout == f"holding {health} of person {kept} moved to new person {new} (event {split_event.id})\n"
    assert new not in (kept, absorbed)
    # 尼玛 of 卫健委 is known only from 胡秀兰's 列尼玛之后: that reference is what moves.
    with dbmod.reading(engine) as session:
        reference = session.scalar(select(Action.id).where(Action.name == "胡秀兰"))
    assert (split_event.kind, split_event.person_id, split_event.action_ids) == (
        "split", kept, [{"action": reference, "role": "ranked_after"}])

    assert roster_ids(cli_run) == [("尼玛", new, None), ("胡秀兰", roster_ids(cli_run)[1][1], "尼玛"),
                                   ("罗布顿珠", roster_ids(cli_run)[2][1], "胡秀兰")]
    history = as_json(cli_run("history", "尼玛", "--format", "json"))["people"]
    assert [(p["person_id"], [h["organization"] for h in p["holdings"]]) for p in history] == [
        (kept, ["市乡村振兴局"]), (new, ["市卫生健康委员会"])]
    assert cli_run("history", "尼玛").stderr.splitlines() == [
        f"note: event {merge_event.id}: person {absorbed} merged into person {kept} (same man, per his file)",
        f"note: event {split_event.id}: person {new} split from person {kept} (two men)",
    ]
    people = as_json(cli_run("people", "尼玛", "--format", "json"))["people"]
    assert [(p["person_id"], p["merged_into"], [e["event_id"] for e in p["events"]]) for p in people] == [
        (kept, None, [merge_event.id, split_event.id]), (absorbed, kept, [merge_event.id]),
        (new, None, [split_event.id])]

    # --known-at before the split: one person; after an undo: one person again, the kept id.
    assert [p["person_id"] for p in as_json(cli_run(
        "history", "尼玛", "--format", "json", "--known-at", moment(split_event.recorded_at, -TICK)))["people"]] == [kept]
    assert cli_run("undo", str(split_event.id), "--reason", "one man after all").exit_code == 0
    assert [p["person_id"] for p in as_json(cli_run("history", "尼玛", "--format", "json"))["people"]] == [kept]
    assert roster_ids(cli_run)[0] == ("尼玛", kept, None)
    people = as_json(cli_run("people", "尼玛", "--format", "json"))["people"]
    assert [(p["person_id"], p["merged_into"]) for p in people] == [(kept, None), (absorbed, kept), (new, kept)]


def test_a_notice_after_a_split_follows_the_new_person_and_its_undo(seeded, cli_run, add):
    (luobu,) = as_json(cli_run("history", "罗布顿珠", "--format", "json"))["people"]
    person = luobu["person_id"]
    health = holding_id(seeded, person, "卫生")
    assert cli_run("split", str(person), "--holding", str(health), "--reason", "two men").exit_code == 0
    (event,) = events(seeded)
    new = event.other_person_id
    add("林政发〔2023〕30号", "2023年5月4日", "免去罗布顿珠的市卫生健康委员会副主任职务")
    history = as_json(cli_run("history", "罗布顿珠", "--format", "json"))["people"]
    assert [(p["person_id"], [(h["organization"], h["until"]) for h in p["holdings"]]) for p in history] == [
        (person, [("市市场监督管理局", "2023-02-06")]), (new, [("市卫生健康委员会", "2023-05-04")])]
    # Undoing the split says the new record is the same man: the later removal follows him back.
    assert cli_run("undo", str(event.id), "--reason", "one man").exit_code == 0
    history = as_json(cli_run("history", "罗布顿珠", "--format", "json"))["people"]
    assert [(p["person_id"], [(h["organization"], h["until"]) for h in p["holdings"]]) for p in history] == [
        (person, [("市市场监督管理局", "2023-02-06"), ("市卫生健康委员会", "2023-05-04")])]


def test_merging_a_split_off_record_into_a_namesake_moves_the_split_holdings_too(seeded, cli_run, add):
    """罗布顿珠's 卫健委 holding is split off to a new record, which holds it only through the split
    (the notice names the old record). Merging that new record into a namesake elsewhere must move
    the split holding as well: the organizations a merge re-derives include those of the actions a
    split gave the record."""
    (luobu,) = as_json(cli_run("history", "罗布顿珠", "--format", "json"))["people"]
    person = luobu["person_id"]
    add("林政发〔2023〕30号", "2023年5月4日", "罗布顿珠任市水利局副局长", links=[("罗布顿珠", "new")])
    water = next(p["person_id"] for p in as_json(cli_run("history", "罗布顿珠", "--format", "json"))["people"]
                 if p["person_id"] != person)
    health = holding_id(seeded, person, "卫生")
    assert cli_run("split", str(person), "--holding", str(health), "--reason", "two men").exit_code == 0
    (event,) = events(seeded)
    new = event.other_person_id
    result = cli_run("merge", str(water), str(new), "--reason", "the 水利局 man is the 卫健委 man")
    assert result.exit_code == 0, result.stderr
    history = as_json(cli_run("history", "罗布顿珠", "--format", "json"))["people"]
    assert [(p["person_id"], sorted(h["organization"] for h in p["holdings"])) for p in history] == [
        (person, ["市市场监督管理局"]), (water, ["市卫生健康委员会", "市水利局"])]


def test_split_refusals(merged, cli_run):
    engine, kept, absorbed = merged
    health, rural = holding_id(engine, kept, "卫生"), holding_id(engine, kept, "乡村")
    cases = [
        (["split", str(kept), "--holding", "99999"],
         f"holding 99999 is not one of person {kept}'s holdings; see `registry people {kept}`"),
        (["split", str(kept), "--holding", str(health), "--holding", str(rural)],
         f"that moves every holding of person {kept}; a split leaves them at least one"),
        (["split", str(absorbed), "--holding", str(health)],
         f"person {absorbed} is merged into person {kept}; split person {kept} instead"),
        (["split", "99999", "--holding", str(health)], "no person with id 99999"),
    ]
    before = dump(engine)
    for args, message in cases:
        result = cli_run(*args, "--reason", "why")
        assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: {message}\n")
    assert dump(engine) == before


# -- undo ---------------------------------------------------------------------------

def test_undo_refusals(merged, cli_run):
    engine, _, _ = merged
    (event,) = events(engine)
    unknown = cli_run("undo", "99999", "--reason", "why")
    assert (unknown.exit_code, unknown.stderr) == (
        1, "Error: no person event 99999; see `registry people NAME` for event ids\n")
    assert cli_run("undo", str(event.id), "--reason", "mistake").exit_code == 0
    (event,) = events(engine)
    again = cli_run("undo", str(event.id), "--reason", "mistake")
    assert (again.exit_code, again.stderr) == (
        1, f"Error: event {event.id} was already undone on {event.undone_at:%Y-%m-%d}\n")


# -- links and rebuilds -------------------------------------------------------------

def test_person_link_at_entry_joins_an_existing_person(seeded, cli_run, add):
    _, rural = nima(cli_run)
    add("林政发〔2023〕31号", "2023年6月1日", "尼玛任市水利局副局长（列李宁博之后）", links=[("尼玛", rural)])
    people = {p["person_id"]: p for p in as_json(cli_run("people", "尼玛", "--format", "json"))["people"]}
    assert people[rural]["notices"] == ["林政发〔2023〕3号", "林政发〔2023〕31号"]
    assert [h["short"] for h in people[rural]["holdings"]] == [
        "市乡村振兴局副局长 (未记载)–2023-02-06", "市水利局副局长 2023-06-01–"]


def test_a_notice_naming_an_absorbed_record_gives_its_holding_to_the_kept_one(merged, cli_run, add):
    """A later notice may still name the absorbed record (here by --person): its holding is the
    kept person's, as a rebuild derives it.  The notice names no one else, so that whether the
    person map is read turns on the absorbed record alone."""
    engine, kept, absorbed = merged
    add("林政发〔2023〕31号", "2023年6月1日", "尼玛任市水利局总工程师", links=[("尼玛", absorbed)])
    with dbmod.reading(engine) as session:
        holders = session.scalars(select(Holding.person_id).join(Post, Holding.post_id == Post.id)
                                  .where(Post.title == "总工程师", Holding.since == date(2023, 6, 1),
                                         Holding.known_until.is_(None))).all()
    assert holders == [kept]
    history = as_json(cli_run("history", "尼玛", "--format", "json"))["people"]
    assert [(p["person_id"], [h["organization"] for h in p["holdings"]]) for p in history] == [
        (kept, ["市乡村振兴局", "市卫生健康委员会", "市水利局"])]


def test_rebuild_reapplies_merges_splits_and_undos(merged, cli_run):
    engine, kept, absorbed = merged
    health = holding_id(engine, kept, "卫生")
    assert cli_run("split", str(kept), "--holding", str(health), "--reason", "two").exit_code == 0
    merge_event, split_event = events(engine)
    assert cli_run("undo", str(split_event.id), "--reason", "one").exit_code == 0
    merge_event, split_event = events(engine)
    moments = [None] + [moment(t, shift) for t in (merge_event.recorded_at, split_event.recorded_at,
                                                 split_event.undone_at) for shift in (-TICK, timedelta(0))]

    def answers():
        found = []
        for at in moments:
            extra = ["--known-at", at] if at else []
            found.append(as_json(cli_run("history", "尼玛", "--format", "json", *extra)))
            found.append(roster_ids(cli_run, *extra))
            people = as_json(cli_run("people", "尼玛", "--format", "json", *extra))
            for p in people["people"]:
                for h in p["holdings"]:
                    h.pop("holding_id")
            found.append(people)
        return found

    before = answers()
    assert len({json.dumps(a, ensure_ascii=False) for a in before[1::3]}) == 2  # the split changed the roster
    with dbmod.writing(engine) as session:
        derive.rebuild(session)
    assert answers() == before


def test_a_split_follows_its_acts_into_an_amended_text(seeded, cli_run, notice_text, tmp_path):
    """Amending 林政发〔2023〕3号 (a typo elsewhere in it) restates the removal the split moved:
    the split still holds, and what the registry said before the amendment is unchanged."""
    [robu] = [p["person_id"] for p in as_json(cli_run("history", "罗布顿珠", "--format", "json"))["people"]]
    market = holding_id(seeded, robu, "市场监督管理局")
    assert cli_run("split", str(robu), "--holding", str(market), "--reason", "两位罗布顿珠").exit_code == 0
    [split] = events(seeded)

    def posts():
        people = as_json(cli_run("history", "罗布顿珠", "--format", "json"))["people"]
        return sorted((p["person_id"], [h["organization"] for h in p["holdings"]]) for p in people)

    after_split = posts()
    assert after_split == [(robu, ["市卫生健康委员会"]), (split.other_person_id, ["市市场监督管理局"])]

    corrected = tmp_path / "3.txt"
    corrected.write_text(notice_text(3).replace("杨帆", "杨凡"), encoding="utf-8")
    result = cli_run("amend", "林政发〔2023〕3号", str(corrected), "--reason", "杨凡 was typed 杨帆")
    assert result.exit_code == 0, result.stderr
    assert posts() == after_split

    # Undoing the split still puts the removal back with 罗布顿珠.
    assert cli_run("undo", str(split.id), "--reason", "one man after all").exit_code == 0
    assert posts() == [(robu, ["市市场监督管理局", "市卫生健康委员会"])]


def test_the_organizations_an_identity_change_touches(seeded, cli_run, add, tmp_path):
    """derive.orgs_of_people: the organizations of every action naming the people (as subject
    or in 列X之后) and of every starting-roster row naming them; at a recorded moment, also of
    everyone the merges then in force make the same person."""
    sheet = tmp_path / "roster.csv"
    sheet.write_text("单位,姓名,职务,任职时间,任职文号,备注\n市财政局,达娃,副局长,2020-07-01,,\n", encoding="utf-8")
    assert cli_run("import-roster", str(sheet), "--as-of", "2023-01-01", "--reason", "启用时的名册", "--yes").exit_code == 0
    add("林政发〔2023〕9号", "2023年3月1日", "达娃任市商务局副局长", links=[("达娃", "new")])
    health, rural = nima(cli_run)
    dawa = sorted(p["person_id"] for p in as_json(cli_run("people", "达娃", "--format", "json"))["people"])
    with dbmod.reading(seeded) as session:
        org = {o.id: o.name for o in session.scalars(select(Organization))}

        def orgs(ids, at=()):
            return sorted(org[i] for i in derive.orgs_of_people(session, ids, at))

        assert orgs([health]) == ["市卫生健康委员会"]  # named only in 胡秀兰's 列尼玛之后
        assert orgs([rural]) == ["市乡村振兴局"]
        assert orgs([health, rural]) == ["市乡村振兴局", "市卫生健康委员会"]
        assert [orgs([d]) for d in dawa] == [["市财政局"], ["市商务局"]]  # the roster's, the notice's
    merged = cli_run("merge", str(dawa[1]), str(dawa[0]), "--reason", "同一人")
    assert merged.exit_code == 0, merged.stderr
    (event,) = [e for e in events(seeded) if e.kind == "merge"]
    with dbmod.reading(seeded) as session:
        org = {o.id: o.name for o in session.scalars(select(Organization))}

        def orgs(ids, at=()):
            return sorted(org[i] for i in derive.orgs_of_people(session, ids, at))

        assert orgs([dawa[1]]) == ["市商务局"]
        assert orgs([dawa[1]], (event.recorded_at - TICK,)) == ["市商务局"]
        assert orgs([dawa[1]], (event.recorded_at,)) == ["市商务局", "市财政局"]
        assert orgs([dawa[1]], (event.recorded_at - TICK, event.recorded_at)) == ["市商务局", "市财政局"]
        assert orgs([dawa[0]]) == ["市财政局"]
        assert orgs([dawa[0]], (event.recorded_at,)) == ["市商务局", "市财政局"]
    assert cli_run("undo", str(event.id), "--reason", "两个人").exit_code == 0
    (event,) = [e for e in events(seeded) if e.kind == "merge"]
    with dbmod.reading(seeded) as session:
        # Each moment counts: the merge in force at the first, undone by the second.
        assert orgs([dawa[1]], (event.undone_at,)) == ["市商务局"]
        assert orgs([dawa[1]], (event.recorded_at, event.undone_at)) == ["市商务局", "市财政局"]


def test_a_split_takes_the_references_made_while_the_moving_holding_lasted(seeded, cli_run, add):
    """扎西 was 副局长 from 3/1 to 4/1, then 党组成员 from 6/1.  Splitting off the 副局长 holding
    takes the references to him made while it lasted, its first and its last day included (on
    the last day, 列扎西之后 comes before the removal), and leaves the one made while he was
    党组成员 only."""
    add("林政发〔2023〕9号", "2023年3月1日", "扎西任市水利局副局长", "格桑任市水利局副局长（列扎西之后）")
    add("林政发〔2023〕10号", "2023年4月1日", "达瓦任市水利局副局长（列扎西之后）", "免去扎西的市水利局副局长职务")
    (zhaxi,) = [p["person_id"] for p in as_json(cli_run("history", "扎西", "--format", "json"))["people"]]
    add("林政发〔2023〕11号", "2023年6月1日", "扎西任市水利局党组成员", links=[("扎西", zhaxi)])
    add("林政发〔2023〕12号", "2023年7月1日", "次仁任市水利局党组成员（列扎西之后）")
    with dbmod.reading(seeded) as session:
        action = {a.name: a.id for a in session.scalars(select(Action)) if a.name in ("格桑", "达瓦", "次仁")}
        appointed, removed = sorted(a.id for a in session.scalars(select(Action).where(
            Action.name == "扎西", Action.title == "副局长")))
        deputy = session.scalar(select(Holding.id).where(
            Holding.person_id == zhaxi, Holding.known_until.is_(None), Holding.since == date(2023, 3, 1)))
    result = cli_run("split", str(zhaxi), "--holding", str(deputy), "--reason", "两位扎西")
    assert result.exit_code == 0, result.stderr
    (split,) = events(seeded)
    assert sorted(split.action_ids, key=lambda item: item["action"]) == sorted([
        {"action": appointed, "role": "subject"}, {"action": removed, "role": "subject"},
        {"action": action["格桑"], "role": "ranked_after"}, {"action": action["达瓦"], "role": "ranked_after"}],
        key=lambda item: item["action"])


def test_the_person_map_of_a_few_records_finds_what_the_whole_map_finds(engine):
    """Recording a notice looks up only the records it names (``derive.person_map`` with people):
    read by the events that join records, step by step, it must place every record where the map
    of every event does, at every recorded time, whatever the chains, undos and splits."""
    from datetime import datetime

    from sqlalchemy import insert


    def at(minute):
        return datetime(2026, 1, 1, 0, minute)

    with dbmod.writing(engine) as session:
        people = [session.execute(insert(Person.__table__).returning(Person.__table__.c.id),
                                  {"name": f"测{i}", "created_at": at(0)}).scalar_one() for i in range(12)]
        p = dict(enumerate(people))

        def event(kind, kept, other, minute, undone=None):
            return session.execute(insert(PersonEvent.__table__).returning(PersonEvent.__table__.c.id), {
                "kind": kind, "person_id": p[kept], "other_person_id": p[other], "reason": "测试",
                "recorded_at": at(minute), "undone_at": None if undone is None else at(undone)}).scalar_one()

        event("merge", 0, 1, 1)               # 1 into 0
        event("merge", 1, 2, 2)               # 2 into 1, that is into 0: a chain
        event("merge", 3, 0, 3, undone=7)     # 0 into 3, undone later
        event("merge", 4, 5, 4)
        event("merge", 5, 4, 5, undone=6)     # back and forth, undone
        event("split", 6, 7, 6, undone=8)     # an undone split points 7 back at 6
        event("merge", 8, 6, 9)               # 6 (and so 7) into 8, after the undo
        event("split", 9, 10, 10)             # a split in force joins no records
        event("merge", 11, 9, 11)
    with dbmod.reading(engine) as session:
        for minute in range(0, 13):
            whole = derive.person_map(session, at(minute))
            for person in people:
                few = derive.person_map(session, at(minute), {person})
                assert few.find(person) == whole.find(person), (minute, person)
        whole = derive.person_map(session, None)
        # Now: 1 and 2 are 0 (a chain); 5 is 4 (its merge back undone); 6 and 7 are 8 (the split
        # undone, then the merge); 9 is 11; 10 stays itself (a split in force moves acts, not records).
        assert [whole.find(person) for person in people] == [p[i] for i in (0, 0, 0, 3, 4, 4, 8, 8, 8, 11, 10, 11)]
        for person in people:
            assert derive.person_map(session, None, {person}).find(person) == whole.find(person)


def test_two_new_people_of_one_name_in_one_notice_are_told_apart_in_the_preview(seeded, cli_run, tmp_path):
    """Two 格桑 appointed to two bureaus by one notice, neither on record: two new people, and the
    preview says the second is another person than the first; 尼玛, on record twice, is named."""
    before = dump(seeded)
    path = tmp_path / "40.txt"
    path.write_text(make_notice("林政发〔2023〕40号", "2023年3月1日", [
        "格桑任市商务局副局长", "格桑任市财政局副局长", "尼玛任市财政局副局长"]), encoding="utf-8")
    result = cli_run("add-notice", str(path), "--dry-run", "--format", "json")
    assert [a["person_id"] for a in as_json(result)["actions"]] == [None, None, None]
    with dbmod.reading(seeded) as session:
        nima = sorted(session.scalars(select(Person.id).where(Person.name == "尼玛")))
    assert sorted(result.stderr.splitlines()) == sorted([
        "林政发〔2023〕40号 would be recorded: 3 actions; nothing recorded (--dry-run)",
        "warning: 格桑 in item 2 is recorded as another person than the 格桑 of item 1",
        f"warning: 尼玛 is recorded as a new person, but people called 尼玛 are on record (ids {nima[0]}, {nima[1]}); "
        "if this is one of them, add --person 尼玛=ID",
    ])
    assert dump(seeded) == before
