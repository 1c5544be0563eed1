"""Batch import: several files or a directory, recorded one notice at a time in date and number order."""

from __future__ import annotations

import json

import pytest

import cli as cli_module
from conftest import NOTICES, dump, file_bytes


def make_notice(number: int, day: str, clauses: list[str]) -> str:
    body = "；\n\n".join(clauses)
    return (
        f"林芝市人民政府\n关于干部任免的通知\n\n林政发〔2023〕{number} 号\n\n各县（区）人民政府,市各委、办、局:\n\n"
        f"经中共林芝市人民政府党组 2023年第 2次会议研究,决定:\n\n{body}。\n\n林芝市人民政府\n\n{day}\n"
    )


@pytest.fixture
def water(tmp_path):
    """Three notices on 市水利局, named so that file order is the reverse of date and number order.

    9号 and 10号 share a date: 10号 ranks 格桑 after the 扎西 whom 9号 appoints.  11号 is dated
    earlier than both.  Recorded in file order, 10号 would invent a second 扎西 (known only from
    列扎西之后) and 11号 would come last.
    """
    folder = tmp_path / "notices"
    folder.mkdir()
    files = {
        "a-10.txt": make_notice(10, "2023年3月1日", ["格桑任市水利局副局长（列扎西之后）"]),
        "b-9.txt": make_notice(9, "2023年3月1日", ["扎西任市水利局副局长"]),
        "c-11.txt": make_notice(11, "2023年2月20日", ["免去李宁博的市水利局副局长职务"]),
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def roster(cli_run, org, on):
    result = cli_run("roster", org, "--as-of", on, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["members"]


@pytest.mark.parametrize("form", ["files", "directory"])
def test_recorded_in_date_and_number_order(seeded, cli_run, water, form):
    args = [str(water / name) for name in ("a-10.txt", "b-9.txt", "c-11.txt")] if form == "files" else [str(water)]
    result = cli_run("add-notice", *args, "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "林政发〔2023〕11号 recorded: 1 action\n"
        "林政发〔2023〕9号 recorded: 1 action\n"
        "林政发〔2023〕10号 recorded: 1 action\n"
    )
    assert result.stderr.splitlines()[-1] == "3 recorded, 0 already recorded, 0 refused"
    members = roster(cli_run, "市水利局", "2023-03-01")
    assert [(m["name"], m["since"], m["inferred"], m["ranked_after"]) for m in members] == [
        ("王程", None, True, None),
        ("扎西", "2023-03-01", False, None),
        ("格桑", "2023-03-01", False, "扎西"),
    ]
    # 列扎西之后 is the 扎西 of 9号: there is one 扎西, not an inferred second one.
    history = json.loads(cli_run("history", "扎西", "--format", "json").stdout)
    assert len(history["people"]) == 1
    assert [m["name"] for m in roster(cli_run, "市水利局", "2023-02-20")] == ["王程"]


def test_order_of_numbers_is_numeric(engine, cli_run, tmp_path):
    """Within a day 2号 comes before 10号; the bundled notices in reverse order give the seed roster."""
    names = []
    for n in sorted(NOTICES, reverse=True):
        path = tmp_path / f"{100 - n}.txt"
        path.write_bytes(NOTICES[n].read_bytes())
        names.append(str(path))
    result = cli_run("add-notice", *reversed(names), "--yes")
    assert result.exit_code == 0, result.stderr
    assert [line.split()[0] for line in result.stdout.splitlines()] == [
        f"林政发〔2023〕{n}号" for n in sorted(NOTICES)
    ]
    assert [m["name"] for m in roster(cli_run, "卫健委", "2023-02-07")] == ["尼玛", "胡秀兰", "罗布顿珠"]


def test_progress_bar_on_stderr_for_more_than_three(engine, cli_run, tmp_path):
    files = []
    for n in sorted(NOTICES):
        path = tmp_path / NOTICES[n].name
        path.write_bytes(NOTICES[n].read_bytes())
        files.append(str(path))
    result = cli_run("add-notice", *files, "--yes")
    assert result.exit_code == 0, result.stderr
    # Data only on stdout: one line per notice, no bar.
    assert result.stdout == "".join(
        f"林政发〔2023〕{n}号 recorded: {count} action{'s' if count > 1 else ''}\n"
        for n, count in zip(sorted(NOTICES), [1, 14, 2, 6, 3, 2])
    )
    lines = result.stderr.splitlines()
    assert lines[0] == "recording 6 notices"
    assert lines[-1] == "6 recorded, 0 already recorded, 0 refused"

    again = cli_run("add-notice", *files[:3], "--yes")
    assert again.exit_code == 0
    assert again.stdout == "".join(f"林政发〔2023〕{n}号 already recorded\n" for n in (2, 3, 4))
    assert again.stderr == "0 recorded, 3 already recorded, 0 refused\n"


def test_refusals_do_not_stop_the_others(seeded, cli_run, tmp_path):
    good = tmp_path / "1-good.txt"
    good.write_text(make_notice(9, "2023年3月1日", ["格桑任市水利局副局长"]), encoding="utf-8")
    undated = tmp_path / "2-undated.txt"
    undated.write_text(make_notice(10, "", ["扎西任市水利局副局长"]), encoding="utf-8")
    unreadable = tmp_path / "3-unreadable.txt"
    unreadable.write_text(make_notice(11, "2023年3月2日", ["达瓦任市水利局副局长", "扎西负责全面工作"]),
                          encoding="utf-8")
    changed = tmp_path / "4-changed.txt"
    changed.write_text(NOTICES[2].read_text(encoding="utf-8").replace("李宁博", "李宁"), encoding="utf-8")
    again = tmp_path / "5-again.txt"
    again.write_bytes(NOTICES[4].read_bytes())
    good2 = tmp_path / "6-good.txt"
    good2.write_text(make_notice(12, "2023年3月3日", ["免去格桑的市水利局副局长职务"]), encoding="utf-8")
    # Refused only once a new person and a new organization are written (in a dry run, rolled
    # back to a savepoint): 李宁博 (linked below) has been 市水利局副局长 since 2023-02-06.
    held = tmp_path / "7-held.txt"
    held.write_text(make_notice(13, "2023年3月4日", ["扎西任市新能源局局长", "李宁博任市水利局副局长"]),
                    encoding="utf-8")
    [lnb] = [m["person_id"] for m in roster(cli_run, "水利局", "2023-03-01") if m["name"] == "李宁博"]

    files = [str(p) for p in (good, undated, unreadable, changed, again, good2, held)] + ["--person", f"李宁博={lnb}"]
    before = dump(seeded)
    dry = cli_run("add-notice", *files, "--dry-run")
    assert dry.exit_code == 1
    assert dry.stderr.splitlines()[-1] == "2 would be recorded, 1 already recorded, 4 refused"
    assert dump(seeded) == before

    result = cli_run("add-notice", *files, "--yes")
    assert result.exit_code == 1
    assert result.stdout == (
        "林政发〔2023〕4号 already recorded\n"
        "林政发〔2023〕9号 recorded: 1 action\n"
        "林政发〔2023〕12号 recorded: 1 action\n"
    )
    # Refusals in the order taken: by date and number (a clause is read only when its notice's
    # turn comes), then those whose number or date cannot be read, as named.
    assert result.stderr.splitlines()[-5:] == [
        f"refused {changed}: 林政发〔2023〕2号 is already recorded with different text; use amend to correct it",
        f"refused {unreadable}: cannot read the clause '扎西负责全面工作': expected a name and a verb (任, 任命…为, 免去, 兼任, 代理)",
        f"refused {held}: 林政发〔2023〕13号 appoints 李宁博 as 副局长 on 2023-03-04, a post they already hold",
        f"refused {undated}: 林政发〔2023〕10号 has no date (such as 2023年2月6日)",
        "2 recorded, 1 already recorded, 4 refused",
    ]
    # The two good ones are recorded: 格桑 from 2023-03-01 until 2023-03-03.
    assert "格桑" in [m["name"] for m in roster(cli_run, "市水利局", "2023-03-02")]
    assert "格桑" not in [m["name"] for m in roster(cli_run, "市水利局", "2023-03-03")]
    assert cli_run("roster", "市新能源局").exit_code == 1  # 13号 left no organization behind


def test_dry_run_records_nothing(seeded, cli_run, db_url, water):
    before, raw = dump(seeded), file_bytes(db_url)
    result = cli_run("add-notice", str(water), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert dump(seeded) == before
    assert file_bytes(db_url) == raw
    # The previews in date and number order; 10号's 扎西 is the one 9号 would create.
    blocks = result.stdout.split("\n\n")
    assert [block.split("\n")[0] for block in blocks[:3]] == [
        "林政发〔2023〕11号  2023-02-20  关于干部任免的通知",
        "林政发〔2023〕9号  2023-03-01  关于干部任免的通知",
        "林政发〔2023〕10号  2023-03-01  关于干部任免的通知",
    ]
    assert "列扎西之后（新人员，同林政发〔2023〕9号第1项）" in blocks[2]
    assert blocks[3] == (
        "林政发〔2023〕11号 would be recorded: 1 action\n"
        "林政发〔2023〕9号 would be recorded: 1 action\n"
        "林政发〔2023〕10号 would be recorded: 1 action\n"
    )
    assert result.stderr.splitlines()[-1] == "3 would be recorded, 0 already recorded, 0 refused"


def test_dry_run_json(seeded, cli_run, water):
    result = cli_run("add-notice", str(water), "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.stderr
    documents = json.loads(result.stdout)
    assert [(d["number"], d["date"]) for d in documents] == [
        ("林政发〔2023〕11号", "2023-02-20"), ("林政发〔2023〕9号", "2023-03-01"), ("林政发〔2023〕10号", "2023-03-01"),
    ]
    # Nobody the batch would create has an id yet.
    assert documents[2]["actions"] == [{
        "action": "appoint", "name": "格桑", "person_id": None, "organization": "市水利局", "title": "副局长",
        "concurrent": False, "probation_years": None, "ranked_after": "扎西", "acting": False, "secondment": None,
        "end_reason": None,
    }]
    assert documents[0]["actions"][0]["person_id"] is not None  # 李宁博, on record


@pytest.mark.parametrize("answer,code", [("y\n", 0), ("n\n", 1)])
def test_confirmation_on_a_terminal(seeded, cli_run, db_url, water, monkeypatch, answer, code):
    monkeypatch.setattr(cli_module, "_on_terminal", lambda: True)
    before = dump(seeded)
    result = cli_run("add-notice", str(water), input=answer)
    assert result.exit_code == code, result.stderr
    assert "Record 3 notices? [y/N]: " in result.stderr
    if answer == "n\n":
        assert result.stderr.endswith("nothing recorded\n")
        assert dump(seeded) == before
    else:
        assert result.stderr.splitlines()[-1] == "3 recorded, 0 already recorded, 0 refused"
        # Confirmed as previewed, even though ids handed out in the preview were rolled back.
        assert [m["ranked_after"] for m in roster(cli_run, "市水利局", "2023-03-01")] == [None, None, "扎西"]


def test_links_apply_to_the_whole_batch(seeded, cli_run, tmp_path):
    nima = next(m["person_id"] for m in roster(cli_run, "卫健委", "2023-02-07") if m["name"] == "尼玛")
    one = tmp_path / "one.txt"
    one.write_text(make_notice(9, "2023年3月1日", ["尼玛兼任市林业和草原局副局长"]), encoding="utf-8")
    two = tmp_path / "two.txt"
    two.write_text(make_notice(10, "2023年3月2日", ["免去尼玛的市卫生健康委员会副主任职务"]), encoding="utf-8")
    result = cli_run("add-notice", str(one), str(two), "--yes", "--person", f"尼玛={nima}")
    assert result.exit_code == 0, result.stderr
    history = json.loads(cli_run("history", str(nima), "--format", "json").stdout)
    held = [(h["organization"], h["since"], h["until"]) for h in history["people"][0]["holdings"]]
    assert held == [("市卫生健康委员会", None, "2023-03-02"), ("市林业和草原局", "2023-03-01", None)]


def test_a_wrong_link_refuses_the_batch_before_anything(seeded, cli_run, db_url, water):
    before = dump(seeded)
    result = cli_run("add-notice", str(water), "--yes", "--person", "扎西=99999")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: no person with id 99999 (given for 扎西)\n"
    assert dump(seeded) == before


def test_missing_file_refuses_the_command(seeded, cli_run, water, tmp_path):
    before = dump(seeded)
    result = cli_run("add-notice", str(water), str(tmp_path / "nowhere.txt"), "--yes")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Error: no file or directory called {tmp_path / 'nowhere.txt'}\n"
    assert dump(seeded) == before


def test_a_batch_reads_each_notice_with_the_organizations_recorded_before_it(seeded, cli_run, tmp_path):
    """巴宜区人民政府 carries no 市/林芝 prefix, so only the organizations on record can split
    "扎西巴宜区人民政府副区长" into name and organization; 9号 records it, 10号 needs it."""
    folder = tmp_path / "notices"
    folder.mkdir()
    (folder / "b.txt").write_text(make_notice(10, "2023年3月2日", ["免去扎西巴宜区人民政府副区长职务"]),
                                  encoding="utf-8")
    (folder / "a.txt").write_text(make_notice(9, "2023年3月1日", ["扎西任巴宜区人民政府副区长"]), encoding="utf-8")

    result = cli_run("add-notice", str(folder), "--yes")
    assert result.exit_code == 0, result.stderr
    history = json.loads(cli_run("history", "扎西", "--format", "json").stdout)
    assert [(p["name"], [(h["organization"], h["title"], h["since"], h["until"]) for h in p["holdings"]])
            for p in history["people"]] == [
        ("扎西", [("巴宜区人民政府", "副区长", "2023-03-01", "2023-03-02")]),
    ]


@pytest.mark.parametrize("lost", ["between notices", "at a commit"])
def test_a_batch_that_loses_its_connection_goes_on_with_a_new_one(engine, lost):
    """The batch keeps one connection for its notices.  Lost (the server restarted, say) between
    two notices or as one commits, the notice is taken again on a new connection, and the batch
    records every notice once, in order, as a batch on one connection does."""
    from sqlalchemy import event, func, select

    from registry import db as dbmod
    from registry.intake import Source, record_batch
    from registry.models import Notice

    sources = [Source(f"n{n}", make_notice(n, f"2023年3月{n}日", [f"{name}任市水利局副局长"]).encode())
               for n, name in ((1, "格桑"), (2, "扎西"), (3, "达瓦"))]
    kept = []

    def keep(connection):
        kept.append(connection)

    event.listen(engine, "engine_connect", keep)
    cut = []

    def cut_after_the_first(source):
        if source.label == "n1" and lost == "between notices":
            cut.append(kept[-1].connection.dbapi_connection)
            cut[-1].close()  # under SQLAlchemy's feet, as a restarted server would

    if lost == "at a commit":
        commit = engine.dialect.do_commit

        def failing_commit(connection):
            commit(connection)
            if not cut:  # the first commit goes through, and then the connection is lost
                raw = getattr(connection, "dbapi_connection", connection)
                cut.append(raw)
                raw.close()
                raw.commit()  # raises the driver's "closed" error

        engine.dialect.do_commit = failing_commit
    try:
        summary = record_batch(engine, sources, progress=cut_after_the_first)
    finally:
        event.remove(engine, "engine_connect", keep)
        if lost == "at a commit":
            del engine.dialect.do_commit
    assert cut, "the connection was never lost: a vacuous test"
    assert [(s.label, s.error) for s in summary.ordered] == [("n1", None), ("n2", None), ("n3", None)]
    # The notice whose commit went through is found recorded on the second look.
    expected_already = ["n1"] if lost == "at a commit" else []
    assert [s.label for s in summary.already] == expected_already
    with dbmod.reading(engine) as session:
        assert session.scalars(select(Notice.seq).order_by(Notice.seq)).all() == [1, 2, 3]
        assert session.scalar(select(func.count()).select_from(Notice)) == 3
