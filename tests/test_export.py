"""Open-data exports: Popolo JSON and FollowTheMoney entities (issue 13).

The round trip checks both exports against the registry's own answers (history
for everyone, rosters on the days around each change): no holding lost or
invented.  The FollowTheMoney tests also check what the library itself does not
enforce: values it drops silently, required properties that are missing,
references that do not resolve.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import date, datetime, timezone

import pytest
from followthemoney import model
from sqlalchemy import select, update

from conftest import dump, make_notice
from registry import db as dbmod
from registry import derive, queries
from registry.exchange import ftm
from registry.models import Holding, Organization, Person

N9 = make_notice("林政发〔2023〕9号", "2023年3月1日", [
    "免去尼玛的市卫生健康委员会副主任职务",
    "格桑任市卫生健康委员会副主任（列罗布顿珠之后，试用期一年）",
    "次仁同志代理市生态环境局局长",
])
N12 = make_notice("林政发〔2023〕12号", "2023年4月3日", [
    "接受李宁博辞去市水利局副局长职务的请求",
    "卓玛（女）任市商务局副局长（列李艳君之后）",
])
ZHAOXIAN_2019 = make_notice("林政发〔2019〕12号", "2019年5月20日", ["赵线任市卫生健康委员会副主任（试用期 1年）"])
EXTRA = {"9.txt": N9, "12.txt": N12, "2019-12.txt": ZHAOXIAN_2019}
URN_3 = "urn:registry:notice:%E6%9E%97%E6%94%BF%E5%8F%91%E3%80%942023%E3%80%953%E5%8F%B7"


@pytest.fixture
def scenario(seeded, cli_run, tmp_path):
    """The bundled notices, two later notices and one back-filled older one."""
    for name, text in EXTRA.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = cli_run("add-notice", "--yes", *(str(tmp_path / name) for name in EXTRA))
    assert result.exit_code == 0, result.stderr
    return seeded


def export(cli_run, kind: str, *args: str):
    result = cli_run("export", kind, *args)
    assert result.exit_code == 0, result.stderr
    if kind == "popolo":
        return json.loads(result.stdout)
    return [json.loads(line) for line in result.stdout.splitlines()]


def ask(engine, function, *args, **kwargs):
    with dbmod.reading(engine) as session:
        return function(session, *args, **kwargs)


# -- Popolo --------------------------------------------------------------------------

def test_popolo_memberships_state_dates_sources_and_inferences(seeded, cli_run):
    doc = export(cli_run, "popolo")
    assert list(doc) == ["persons", "organizations", "posts", "memberships"]
    health = [m for m in doc["memberships"] if m["post_id"] == "post/7"]
    assert health == [
        {
            "id": "membership/9-7-unknown",
            "person_id": "person/9",
            "organization_id": "organization/7",
            "post_id": "post/7",
            "role": "副主任",
            "end_date": "2023-02-06",
            "end_reason": "removed",
            "note": "任职起始未记载",
            "sources": [{"url": URN_3, "note": "免职：林政发〔2023〕3号（2023-02-06）",
                         "number": "林政发〔2023〕3号", "date": "2023-02-06"}],
        },
        {
            "id": "membership/11-7-unknown",
            "person_id": "person/11",
            "organization_id": "organization/7",
            "post_id": "post/7",
            "role": "副主任",
            "note": "据排序推定；任职起始未记载",
            "sources": [{"url": URN_3, "note": "列…之后推定在任：林政发〔2023〕3号（2023-02-06）",
                         "number": "林政发〔2023〕3号", "date": "2023-02-06"}],
        },
        {
            "id": "membership/10-7-2023-02-06",
            "person_id": "person/10",
            "organization_id": "organization/7",
            "post_id": "post/7",
            "role": "副主任",
            "start_date": "2023-02-06",
            "sources": [{"url": URN_3, "note": "任职：林政发〔2023〕3号（2023-02-06）",
                         "number": "林政发〔2023〕3号", "date": "2023-02-06"}],
        },
        {
            "id": "membership/12-7-2023-02-06",
            "person_id": "person/12",
            "organization_id": "organization/7",
            "post_id": "post/7",
            "role": "副主任",
            "start_date": "2023-02-06",
            "sources": [{"url": URN_3, "note": "任职：林政发〔2023〕3号（2023-02-06）",
                         "number": "林政发〔2023〕3号", "date": "2023-02-06"}],
        },
    ]
    assert [p for p in doc["posts"] if p["id"] == "post/7"] == [
        {"id": "post/7", "label": "市卫生健康委员会副主任", "role": "副主任", "organization_id": "organization/7"}
    ]
    assert [o for o in doc["organizations"] if o["id"] == "organization/7"] == [{
        "id": "organization/7",
        "name": "市卫生健康委员会",
        "other_names": [{"name": "林芝市卫生健康委员会", "note": "全称"}, {"name": "市卫生健康委", "note": "简称"},
                        {"name": "卫生健康委", "note": "简称"}, {"name": "市卫健委", "note": "简称"},
                        {"name": "卫健委", "note": "简称"}],
    }]
    assert {"id": "person/11", "name": "尼玛"} in doc["persons"]


def test_popolo_notes_state_concurrent_acting_probation_and_the_end_reason(scenario, cli_run):
    doc = export(cli_run, "popolo")
    by_id = {m["id"]: m for m in doc["memberships"]}
    gesang = next(p["id"] for p in doc["persons"] if p["name"] == "格桑")
    ciren = next(p["id"] for p in doc["persons"] if p["name"] == "次仁")
    zhuoma = next(p for p in doc["persons"] if p["name"] == "卓玛")
    assert zhuoma["gender"] == "female"
    assert by_id[f"membership/{gesang.split('/')[1]}-7-2023-03-01"]["note"] == "试用期至2024-03-01"
    acting = [m for m in doc["memberships"] if m["person_id"] == ciren]
    assert [(m["role"], m["start_date"], m["note"]) for m in acting] == [("局长", "2023-03-01", "代理")]
    assert by_id["membership/28-20-2023-02-06"]["note"] == "兼任"
    resigned = by_id["membership/1-1-2023-02-06"]
    assert (resigned["end_date"], resigned["end_reason"]) == ("2023-04-03", "resigned")
    assert [s["note"] for s in resigned["sources"]] == [
        "任职：林政发〔2023〕2号（2023-02-06）", "辞职：林政发〔2023〕12号（2023-04-03）"
    ]
    # The back-filled 2019 appointment gives 赵线 his start: the id follows the start.
    zhao = by_id["membership/9-7-2019-05-20"]
    assert (zhao["start_date"], zhao["end_date"], zhao["note"]) == ("2019-05-20", "2023-02-06", "试用期至2020-05-20")
    assert [s["number"] for s in zhao["sources"]] == ["林政发〔2019〕12号", "林政发〔2023〕3号"]
    assert "membership/9-7-unknown" not in by_id


# Field names and JSON types of the Popolo specification (popoloproject.com/specs), and
# the registry's documented additions (note, end_reason; number and date on a source).
POPOLO_FIELDS = {
    "persons": {"id": str, "name": str, "gender": str},
    "organizations": {"id": str, "name": str, "other_names": list},
    "posts": {"id": str, "label": str, "role": str, "organization_id": str},
    "memberships": {"id": str, "person_id": str, "organization_id": str, "post_id": str, "role": str,
                    "start_date": str, "end_date": str, "end_reason": str, "note": str, "sources": list},
}
REQUIRED = {"persons": {"id", "name"}, "organizations": {"id", "name"}, "posts": {"id", "label", "organization_id"},
            "memberships": {"id", "person_id", "organization_id", "post_id", "sources"}}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def check_popolo(doc: dict) -> None:
    """Popolo's names and types, no null anywhere, unique ids, references that resolve."""
    assert "null" not in json.dumps(doc)
    ids = {kind: [item["id"] for item in doc[kind]] for kind in POPOLO_FIELDS}
    for kind, fields in POPOLO_FIELDS.items():
        assert len(set(ids[kind])) == len(ids[kind]), kind
        for item in doc[kind]:
            assert REQUIRED[kind] <= set(item) <= set(fields), (kind, item)
            assert all(isinstance(item[name], fields[name]) for name in item), (kind, item)
    for org in doc["organizations"]:
        assert all(set(n) == {"name", "note"} for n in org["other_names"])
    for post in doc["posts"]:
        assert post["organization_id"] in ids["organizations"]
    posts = {p["id"]: p for p in doc["posts"]}
    for m in doc["memberships"]:
        assert m["person_id"] in ids["persons"] and m["post_id"] in posts
        assert m["organization_id"] == posts[m["post_id"]]["organization_id"]
        assert m["role"] == posts[m["post_id"]]["role"]
        for name in ("start_date", "end_date"):
            assert name not in m or ISO_DATE.match(m[name])
        if "start_date" in m and "end_date" in m:
            assert m["start_date"] < m["end_date"]
        for s in m["sources"]:
            assert set(s) == {"url", "note", "number", "date"} and s["url"].isascii()
            assert re.match(r"^urn:registry:notice:\S+$", s["url"]) and ISO_DATE.match(s["date"])
        assert "start_date" in m or "任职起始未记载" in m["note"]


def test_popolo_follows_the_specification(scenario, cli_run):
    check_popolo(export(cli_run, "popolo"))
    for day in ("2023-02-05", "2023-02-06", "2023-03-01"):
        check_popolo(export(cli_run, "popolo", "--as-of", day))


# -- round trip: both exports against the registry's own answers ------------------------

def holdings_from_history(engine) -> list[tuple]:
    """(person id, organization, title, since, until) of every holding, as `history` gives them."""
    with dbmod.reading(engine) as session:
        ids = session.scalars(select(Person.id).order_by(Person.id)).all()
    found = []
    for person_id in ids:
        for person in ask(engine, queries.history, str(person_id))["people"]:
            found += [(person["person_id"], h["organization"], h["title"], h["since"], h["until"])
                      for h in person["holdings"]]
    return sorted(found, key=repr)


def holdings_from_popolo(doc: dict) -> list[tuple]:
    orgs = {o["id"]: o["name"] for o in doc["organizations"]}
    return sorted(((int(m["person_id"].split("/")[1]), orgs[m["organization_id"]], m["role"],
                    m.get("start_date"), m.get("end_date")) for m in doc["memberships"]), key=repr)


def holdings_from_ftm(entities: list[dict], org_names: dict[int, str]) -> list[tuple]:
    """The same tuples from Occupancies, through their Position and its organization's id."""
    by_id = {e["id"]: e for e in entities}
    found = []
    for e in entities:
        if e["schema"] != "Occupancy":
            continue
        p = e["properties"]
        position = by_id[p["post"][0]]["properties"]
        org = by_id[position["organization"][0]]
        title = position["name"][0].removeprefix(org["properties"]["name"][0])
        found.append((int(p["holder"][0].removeprefix("linzhi-person-")),
                      org_names[int(org["id"].removeprefix("linzhi-org-"))], title,
                      p.get("startDate", [None])[0], p.get("endDate", [None])[0]))
    return sorted(found, key=repr)


def test_round_trip_no_holding_lost_or_invented(scenario, cli_run):
    expected = holdings_from_history(scenario)
    assert len(expected) == 34 + 3  # the bundled holdings, 格桑, 次仁 and 卓玛
    doc = export(cli_run, "popolo")
    assert holdings_from_popolo(doc) == expected
    entities = export(cli_run, "ftm")
    with dbmod.reading(scenario) as session:
        org_names = {o.id: o.name for o in session.scalars(select(Organization))}
        people = {p.id: p.name for p in session.scalars(select(Person)) if p.id in {h[0] for h in expected}}
    assert holdings_from_ftm(entities, org_names) == expected
    assert {int(p["id"].removeprefix("person/")): p["name"] for p in doc["persons"]} == people
    assert {int(e["id"].removeprefix("linzhi-person-")): e["properties"]["name"][0]
            for e in entities if e["schema"] == "Person"} == people
    orgs = sorted(o["name"] for o in ask(scenario, queries.organizations)["organizations"] if o["holdings"])
    assert sorted(o["name"] for o in doc["organizations"]) == orgs
    assert sorted(org_names[int(e["id"].removeprefix("linzhi-org-"))]
                  for e in entities if e["schema"] in ("PublicBody", "Organization")) == orgs


ROUND_TRIP_DAYS = ["2019-05-19", "2019-05-20", "2023-02-05", "2023-02-06", "2023-02-07", "2023-02-09",
                   "2023-02-28", "2023-03-01", "2023-04-02", "2023-04-03", "2023-04-04"]


def test_round_trip_as_of_gives_every_roster(scenario, cli_run):
    orgs = [o["name"] for o in ask(scenario, queries.organizations)["organizations"]]
    with dbmod.reading(scenario) as session:
        org_names = {o.id: o.name for o in session.scalars(select(Organization))}
    for day in ROUND_TRIP_DAYS:
        doc = export(cli_run, "popolo", "--as-of", day)
        entities = export(cli_run, "ftm", "--as-of", day)
        names = {o["id"]: o["name"] for o in doc["organizations"]}
        from_popolo = sorted((names[m["organization_id"]], int(m["person_id"].split("/")[1]), m["role"],
                              m.get("start_date")) for m in doc["memberships"])
        from_roster = sorted((org, m["person_id"], m["title"], m["since"]) for org in orgs
                             for m in ask(scenario, queries.roster, org, date.fromisoformat(day))["members"])
        assert from_popolo == from_roster, day
        from_ftm = sorted((org, person, title, since) for person, org, title, since, _ in
                          holdings_from_ftm(entities, org_names))
        assert from_ftm == from_roster, day
        occupancies = [e for e in entities if e["schema"] == "Occupancy"]
        assert all(e["properties"]["status"] == ["current"] for e in occupancies), day


def test_an_as_of_export_is_the_whole_history_filtered_with_the_same_ids(scenario, cli_run):
    whole = export(cli_run, "popolo")
    for day in ROUND_TRIP_DAYS:
        doc = export(cli_run, "popolo", "--as-of", day)
        held = [m for m in whole["memberships"]
                if m.get("start_date", "0000") <= day < m.get("end_date", "9999")]
        assert doc["memberships"] == held, day
        used = {m["person_id"] for m in held}
        assert doc["persons"] == [p for p in whole["persons"] if p["id"] in used]


# -- stable ids -------------------------------------------------------------------------

def test_exports_do_not_change_when_holdings_are_derived_again(scenario, cli_run):
    before = {kind: cli_run("export", kind).stdout for kind in ("popolo", "ftm")}
    with dbmod.writing(scenario) as session:
        derive.rebuild(session)
        # A re-derivation may number the rows anew; nothing must follow the numbers.
        session.execute(update(Holding).values(id=Holding.id + 1000))
    after = {kind: cli_run("export", kind).stdout for kind in ("popolo", "ftm")}
    assert after == before


def test_a_merge_moves_memberships_to_the_person_kept(seeded, cli_run):
    assert cli_run("merge", "11", "14", "--reason", "档案").exit_code == 0
    doc = export(cli_run, "popolo")
    assert "person/14" not in [p["id"] for p in doc["persons"]]
    assert sorted(m["id"] for m in doc["memberships"] if m["person_id"] == "person/11") == [
        "membership/11-10-unknown", "membership/11-7-unknown"
    ]


# -- FollowTheMoney -----------------------------------------------------------------------

def test_ftm_entities_pass_the_library_and_our_own_checks(scenario, cli_run):
    entities = export(cli_run, "ftm")
    ids = {e["id"]: e for e in entities}
    assert len(ids) == len(entities)
    counts = {}
    for data in entities:
        assert set(data) == {"id", "schema", "properties"}
        proxy = model.get_proxy(data)
        assert proxy.schema.validate(data) is None
        # The library checks a required property only when it is present and empty.
        assert all(proxy.get(prop) for prop in proxy.schema.required), data
        for prop, value in proxy.itervalues():
            if prop.type.name == "entity":
                assert model.get(ids[value]["schema"]).is_a(prop.range), (data, prop.name)
        # Nothing was cleaned away or rewritten: the JSON holds what the library keeps.
        assert proxy.to_dict()["properties"] == data["properties"]
        counts[data["schema"]] = counts.get(data["schema"], 0) + 1
        p = data["properties"]
        if data["schema"] == "Occupancy":
            assert p["status"] in (["current"], ["ended"])
            assert ("endDate" in p) == (p["status"] == ["ended"])
            if "startDate" in p and "endDate" in p:
                assert p["startDate"][0] < p["endDate"][0]
            assert "startDate" in p or "任职起始未记载" in p["description"][0]
        if data["schema"] == "Position":
            assert p["country"] == ["cn"] and p["subnationalArea"] == ["西藏自治区林芝市"]
    assert counts == {"PublicBody": 19, "Organization": 1, "Position": 24, "Person": 35, "Occupancy": 37}


def test_ftm_entities_in_full(seeded, cli_run):
    entities = {e["id"]: e for e in export(cli_run, "ftm", "--as-of", "2023-02-07")}
    assert entities["linzhi-position-7"] == {
        "id": "linzhi-position-7", "schema": "Position",
        "properties": {"name": ["林芝市卫生健康委员会副主任"], "organization": ["linzhi-org-7"],
                       "country": ["cn"], "subnationalArea": ["西藏自治区林芝市"]},
    }
    assert entities["linzhi-org-7"] == {
        "id": "linzhi-org-7", "schema": "PublicBody",
        "properties": {"name": ["林芝市卫生健康委员会"], "country": ["cn"],
                       "alias": ["市卫生健康委员会", "市卫生健康委", "卫生健康委", "市卫健委", "卫健委"]},
    }
    assert entities["linzhi-occupancy-11-7-unknown"] == {
        "id": "linzhi-occupancy-11-7-unknown", "schema": "Occupancy",
        "properties": {"holder": ["linzhi-person-11"], "post": ["linzhi-position-7"], "status": ["current"],
                       "description": ["据排序推定；任职起始未记载。依据：列…之后推定在任：林政发〔2023〕3号（2023-02-06）"]},
    }
    assert entities["linzhi-occupancy-8-6-2023-02-06"]["properties"] == {
        "holder": ["linzhi-person-8"], "post": ["linzhi-position-6"], "status": ["current"],
        "startDate": ["2023-02-06"], "description": ["试用期至2024-02-06。依据：任职：林政发〔2023〕3号（2023-02-06）"],
    }
    assert entities["linzhi-person-11"] == {"id": "linzhi-person-11", "schema": "Person", "properties": {"name": ["尼玛"]}}
    assert "linzhi-occupancy-9-7-unknown" not in entities  # removed on 2023-02-06
    whole = {e["id"]: e for e in export(cli_run, "ftm")}
    assert whole["linzhi-occupancy-9-7-unknown"]["properties"] == {
        "holder": ["linzhi-person-9"], "post": ["linzhi-position-7"], "status": ["ended"],
        "endDate": ["2023-02-06"], "description": ["任职起始未记载。依据：免职：林政发〔2023〕3号（2023-02-06）"],
    }
    council = whole["linzhi-org-20"]
    assert (council["schema"], council["properties"]["name"]) == ("Organization", ["林芝市残疾人联合会第二届主席团执行理事会"])


def occupancy(**properties):
    entity = model.make_entity("Occupancy")
    entity.id = "linzhi-occupancy-test"
    for prop, value in properties.items():
        entity.add(prop, value)
    return entity


def person():
    entity = model.make_entity("Person")
    entity.id = "linzhi-person-1"
    entity.add("name", "李宁博")
    return entity


def test_the_library_accepts_an_occupancy_without_a_post_and_the_export_does_not():
    lacking = occupancy(holder="linzhi-person-1")
    assert lacking.schema.validate(lacking.to_dict()) is None
    with pytest.raises(ftm.ExportError, match="^Occupancy linzhi-occupancy-test has no post, which the schema requires$"):
        ftm.check([person(), lacking])


def test_the_export_refuses_references_the_library_does_not_resolve():
    dangling = occupancy(holder="linzhi-person-1", post="linzhi-position-9")
    assert dangling.schema.validate(dangling.to_dict()) is None
    with pytest.raises(ftm.ExportError, match="^Occupancy linzhi-occupancy-test: post linzhi-position-9 is not in the export$"):
        ftm.check([person(), dangling])
    wrong = occupancy(holder="linzhi-person-1", post="linzhi-person-1")
    with pytest.raises(ftm.ExportError, match="post linzhi-person-1 is a Person, not a Position$"):
        ftm.check([person(), wrong])
    with pytest.raises(ftm.ExportError, match="^two entities have the id linzhi-person-1$"):
        ftm.check([person(), person()])


def test_the_library_drops_a_bad_value_silently_and_the_export_refuses_it():
    entity = occupancy(startDate="2023年2月30日")
    assert entity.get("startDate") == []
    with pytest.raises(ftm.ExportError, match=r"^Occupancy linzhi-occupancy-test: startDate '2023-02-30' is not a valid value$"):
        ftm.put(entity, "startDate", "2023-02-30")


# -- the command line -----------------------------------------------------------------

def test_export_writes_a_file_and_reports_on_stderr(seeded, cli_run, tmp_path):
    target = tmp_path / "out.json"
    result = cli_run("export", "popolo", "--as-of", "2023-02-07", "--output", str(target))
    assert (result.exit_code, result.stdout) == (0, "")
    # 34 holdings less the 12 ended on 2023-02-06 and the 2 begun on 2023-02-09
    assert result.stderr == f"exported 20 people, 12 organizations, 13 posts and 20 holdings to {target}\n"
    assert json.loads(target.read_text(encoding="utf-8")) == export(cli_run, "popolo", "--as-of", "2023-02-07")
    result = cli_run("export", "ftm")
    assert result.stderr == "exported 32 people, 20 organizations, 23 posts and 34 holdings\n"
    assert len(result.stdout.splitlines()) == 32 + 20 + 23 + 34


def test_export_usage_errors_and_refusals(seeded, cli_run, tmp_path, db_url):
    result = cli_run("export", "popolo", "--as-of", "2023-02-30")
    assert result.exit_code == 2 and "'2023-02-30' is not a real date" in result.stderr and result.stdout == ""
    result = cli_run("export", "xml")
    assert result.exit_code == 2 and "No such command 'xml'" in result.stderr
    from click.testing import CliRunner
    from cli import cli

    missing = tmp_path / "none.db"
    result = CliRunner().invoke(cli, ["--db", str(missing), "export", "popolo"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Error: {missing} holds no registry; run `registry --db {missing} init` first\n"


def test_export_ftm_without_the_library_is_refused_and_changes_nothing(seeded, cli_run, monkeypatch, db_url):
    before = dump(seeded)
    monkeypatch.setitem(sys.modules, "followthemoney", None)
    result = cli_run("export", "ftm")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: export ftm needs the followthemoney library: pip install 'registry[ftm]'\n"
    assert dump(seeded) == before
    assert cli_run("export", "popolo").exit_code == 0


def test_an_empty_registry_exports_empty_lists(engine, cli_run):
    assert export(cli_run, "popolo") == {"persons": [], "organizations": [], "posts": [], "memberships": []}
    result = cli_run("export", "ftm")
    assert (result.exit_code, result.stdout) == (0, "")


def test_known_at_exports_the_registry_as_it_stood(scenario, cli_run):
    before = cli_run("export", "popolo").stdout
    moment = datetime.now(timezone.utc).isoformat()
    assert cli_run("retract", "林政发〔2023〕12号", "--reason", "录入错误").exit_code == 0
    now = export(cli_run, "popolo")
    assert not [m for m in now["memberships"] if any(s["number"] == "林政发〔2023〕12号" for s in m["sources"])]
    assert "end_date" not in next(m for m in now["memberships"] if m["id"] == "membership/1-1-2023-02-06")
    assert cli_run("export", "popolo", "--known-at", moment).stdout == before


def test_one_person_cannot_hold_one_post_twice_with_unknown_starts(seeded, cli_run, tmp_path):
    """A second removal of 赵线 from the post he left on 2023-02-06, with no appointment between, would
    make two holdings with no start on record, both open below: they overlap, so the notice is refused
    (the database rule) and the export keeps the one membership."""
    again = tmp_path / "20.txt"
    again.write_text(make_notice("林政发〔2023〕20号", "2023年5月1日", ["免去赵线的市卫生健康委员会副主任职务"]),
                     encoding="utf-8")
    before = export(cli_run, "popolo")
    result = cli_run("add-notice", "--yes", "--person", "赵线=9", str(again))
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: 赵线 (person 9) would hold 副主任 twice at once ((未记载)–2023-02-06 and (未记载)–2023-05-01); "
        "a second holding needs an appointment between the two on record, or --person to name someone else\n"
    )
    whole = export(cli_run, "popolo")
    assert whole == before
    assert [(m["id"], m["end_date"]) for m in whole["memberships"] if m["person_id"] == "person/9"] == [
        ("membership/9-7-unknown", "2023-02-06")]
