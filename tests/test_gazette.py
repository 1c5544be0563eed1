"""A whole gazette issue, a PDF or a Word file through add-notice: each personnel notice recorded
as if it came alone, every other document skipped by title, provenance kept, folders read whole."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import NOTICES, dump, file_bytes, seeded_database
from make_files import GAZETTE, docx, gazette_pdf, image_pdf, pdf

RECORDED = [
    "林政发〔2023〕2号 recorded: 1 action",
    "林政发〔2023〕3号 recorded: 14 actions",
    "林政发〔2023〕4号 recorded: 2 actions",
    "林政发〔2023〕5号 recorded: 6 actions",
    "林政发〔2023〕6号 recorded: 3 actions",
    "林政发〔2023〕8号 recorded: 2 actions",
]
ALREADY = [f"林政发〔2023〕{n}号 already recorded" for n in (2, 3, 4, 5, 6, 8)]
OTHERS = [  # (position, pages in the PDF, what a clerk knows it by)
    (1, "1-8", "政府工作报告"),
    (2, "8-33", "林政发〔2023〕11号 关于印发2023年林芝市《政府工作报告》重点任务分解方案的通知"),
    (9, "34-36", "林政办发〔2023〕3号 关于印发《林芝市水土保持目标责任考核管理办法（试行）》的通知"),
    (10, "36-40", "〔2023〕3号 关于成立林芝市“双减”工作专门协调机制的通知"),
]
# Where each bundled notice stands in the gazette: (number, position, pages in the PDF).
PLACES = [(2, 3, [33, 33]), (3, 4, [33, 33]), (4, 5, [33, 34]), (5, 6, [34, 34]), (6, 7, [34, 34]), (8, 8, [34, 34])]


@pytest.fixture(params=["txt", "pdf"])
def gazette(request, tmp_path):
    path = tmp_path / f"gazette.{request.param}"
    path.write_bytes(GAZETTE.read_bytes() if request.param == "txt" else gazette_pdf())
    return path


def skipped_lines(path) -> list[str]:
    lines = []
    for position, pages, name in OTHERS:
        where = f"document {position}" + (f", pages {pages}" if path.suffix == ".pdf" else "")
        lines.append(f"skipped {path} ({where}): {name} is not a personnel notice")
    return lines


def backend(db_url: str) -> str:
    return "postgresql" if "://" in db_url else "sqlite"


def answers(run) -> dict:
    """Every roster on the dates around the notices, and every change: what a clerk would ask."""
    orgs = [o["name"] for o in json.loads(run("orgs", "--format", "json").stdout)["organizations"]]
    rosters = {
        (org, on): json.loads(run("roster", org, "--as-of", on, "--format", "json").stdout)
        for org in orgs for on in ("2023-02-05", "2023-02-06", "2023-02-09", "2023-03-01")
    }
    return {"rosters": rosters, "changes": json.loads(run("changes", "--format", "json").stdout)}


def reference_answers(db_url, tmp_path) -> dict:
    """The answers of a registry holding the six bundled notices, on the same backend."""
    from cli import cli

    folder = tmp_path / "reference"
    folder.mkdir()
    with seeded_database(backend(db_url), folder) as (url, _):
        runner = CliRunner()
        return answers(lambda *args: runner.invoke(cli, ["--db", url, *args], catch_exceptions=False))


def test_a_gazette_records_exactly_the_six_bundled_notices(engine, cli_run, db_url, gazette, tmp_path):
    result = cli_run("add-notice", str(gazette), "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == RECORDED + skipped_lines(gazette)
    assert result.stderr.splitlines()[0] == "recording 10 documents"
    assert result.stderr.splitlines()[-1] == "6 recorded, 0 already recorded, 0 refused, 4 skipped"
    assert answers(cli_run) == reference_answers(db_url, tmp_path)

    notices = json.loads(cli_run("notices", "--format", "json").stdout)["notices"]
    pdf_file = gazette.suffix == ".pdf"
    assert [(n["number"], n["source"]) for n in notices] == [
        (f"林政发〔2023〕{n}号", {"file": gazette.name, "document": position, "pages": pages if pdf_file else None})
        for n, position, pages in PLACES
    ]


def test_the_notices_table_shows_where_each_came_from(engine, cli_run, tmp_path):
    path = tmp_path / "公报2023-1.pdf"
    path.write_bytes(gazette_pdf())
    assert cli_run("add-notice", str(path), "--yes").exit_code == 0
    lines = cli_run("notices").stdout.splitlines()
    assert lines[0].split() == ["文号", "日期", "标题", "条目数", "状态", "来源"]
    assert lines[2].endswith("  公报2023-1.pdf 第3篇 第33页")
    assert lines[4].endswith("  公报2023-1.pdf 第5篇 第33~34页")  # the terminal table writes – as ~


def test_a_gazette_changes_nothing_in_a_registry_holding_its_notices(seeded, cli_run, gazette):
    before = dump(seeded)
    result = cli_run("add-notice", str(gazette), "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ALREADY + skipped_lines(gazette)
    assert result.stderr.splitlines()[-1] == "0 recorded, 6 already recorded, 0 refused, 4 skipped"
    assert dump(seeded) == before


def test_the_dry_run_json_lists_every_document(engine, cli_run, db_url, gazette):
    before, raw = dump(engine), file_bytes(db_url)
    result = cli_run("add-notice", str(gazette), "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert dump(engine) == before and file_bytes(db_url) == raw
    documents = json.loads(result.stdout)
    pdf_file = gazette.suffix == ".pdf"
    assert [(d["outcome"], d["number"], d["date"], d["reason"], d["source"]) for d in documents] == [
        ("would be recorded", f"林政发〔2023〕{n}号", "2023-02-09" if n == 8 else "2023-02-06", None,
         {"file": gazette.name, "document": position, "pages": pages if pdf_file else None})
        for n, position, pages in PLACES
    ] + [
        ("skipped", name.split(" ")[0] if " " in name else None, None, "not a personnel notice",
         {"file": gazette.name, "document": position,
          "pages": [int(p) for p in pages.split("-")] if pdf_file else None})
        for position, pages, name in OTHERS
    ]
    assert [d["title"] for d in documents[6:]] == [name.split(" ")[-1] for _, _, name in OTHERS]
    assert [len(d["actions"]) for d in documents] == [1, 14, 2, 6, 3, 2, 0, 0, 0, 0]
    # A notice's entry is its single-notice preview, with its outcome and source added.
    assert set(documents[0]) == {"number", "date", "title", "actions", "outcome", "reason", "source"}
    assert documents[0]["actions"][0] == {
        "action": "appoint", "name": "李宁博", "person_id": None, "organization": "市水利局", "title": "副局长",
        "concurrent": False, "probation_years": None, "ranked_after": "王程",
        "acting": False, "secondment": None, "end_reason": None,
    }
    assert result.stderr.splitlines()[-1] == "6 would be recorded, 0 already recorded, 0 refused, 4 skipped"


def test_a_notice_that_cannot_be_read_is_refused_and_the_others_recorded(engine, cli_run, tmp_path):
    text = GAZETTE.read_text(encoding="utf-8")
    clause = "徐继军任市生态环境局副局长"
    assert clause in text
    broken = tmp_path / "gazette.txt"
    broken.write_text(text.replace(clause, clause + "（正科级）", 1), encoding="utf-8")
    result = cli_run("add-notice", str(broken), "--yes")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [line for line in RECORDED if "4号" not in line] + skipped_lines(broken)
    assert result.stderr.splitlines()[-2:] == [
        f"refused {broken} (document 5): cannot read the qualifier （正科级） in the clause "
        f"'{clause}（正科级）'",
        "5 recorded, 0 already recorded, 1 refused, 4 skipped",
    ]
    numbers = [n["number"] for n in json.loads(cli_run("notices", "--format", "json").stdout)["notices"]]
    assert "林政发〔2023〕4号" not in numbers and len(numbers) == 5


def test_a_notice_is_the_same_whichever_way_it_arrives_first(engine, cli_run, tmp_path, notice_text):
    alone = tmp_path / "3号.pdf"
    alone.write_bytes(pdf([notice_text(3).split("\n")]))
    first = cli_run("add-notice", str(alone), "--yes")
    assert first.exit_code == 0, first.stderr
    assert first.stdout.splitlines()[-1] == "林政发〔2023〕3号 recorded: 14 actions"
    gazette = tmp_path / "gazette.txt"
    gazette.write_bytes(GAZETTE.read_bytes())
    result = cli_run("add-notice", str(gazette), "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == "5 recorded, 1 already recorded, 0 refused, 4 skipped"
    assert "林政发〔2023〕3号 already recorded" in result.stdout.splitlines()
    notices = json.loads(cli_run("notices", "--format", "json").stdout)["notices"]
    # The provenance is where the notice was first seen.
    assert notices[1]["source"] == {"file": "3号.pdf", "document": None, "pages": [1, 1]}
    assert notices[0]["source"] == {"file": "gazette.txt", "document": 3, "pages": None}


@pytest.mark.parametrize("number", [3, 8])
def test_a_word_copy_is_the_same_notice_as_its_text(seeded, cli_run, tmp_path, notice_text, number):
    before = dump(seeded)
    path = tmp_path / f"{number}号"  # no extension: told by its content
    path.write_bytes(docx(notice_text(number).split("\n")))
    result = cli_run("add-notice", str(path), "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"林政发〔2023〕{number}号 already recorded\n"
    assert dump(seeded) == before


def test_a_word_notice_is_recorded_with_its_file_name(engine, cli_run, tmp_path, notice_text):
    path = tmp_path / "马冰.docx"
    path.write_bytes(docx(notice_text(6).split("\n")))
    text = tmp_path / "6.txt"
    text.write_text(notice_text(6), encoding="utf-8")
    dry = cli_run("add-notice", str(path), "--dry-run", "--format", "json")
    same = cli_run("add-notice", str(text), "--dry-run", "--format", "json")
    assert dry.exit_code == same.exit_code == 0
    # A single notice keeps the single-notice preview shape, whatever the format.
    assert json.loads(dry.stdout) == json.loads(same.stdout)
    assert set(json.loads(dry.stdout)) == {"number", "date", "title", "actions"}
    assert cli_run("add-notice", str(path), "--yes").exit_code == 0
    assert cli_run("add-notice", str(text), "--yes").stdout == "林政发〔2023〕6号 already recorded\n"
    notices = json.loads(cli_run("notices", "--format", "json").stdout)["notices"]
    assert notices[0]["source"] == {"file": "马冰.docx", "document": None, "pages": None}


def test_a_scanned_pdf_is_refused_in_a_sentence(seeded, cli_run, tmp_path):
    before = dump(seeded)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(image_pdf())
    result = cli_run("add-notice", str(scan), "--yes")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {scan} is a PDF with no text layer (a scanned image?); the registry reads the text of a PDF "
        "and does no OCR\n"
    )
    assert dump(seeded) == before


def test_a_folder_is_read_recursively_and_every_other_file_is_named(seeded, cli_run, tmp_path, notice_text):
    folder = tmp_path / "archive"
    (folder / "2023" / "一月").mkdir(parents=True)
    (folder / "2023" / "一月" / "公报.pdf").write_bytes(gazette_pdf())
    # Other people than 6号's (inside one organization, the same name would be the same person).
    nine = (notice_text(6).replace("林政发〔2023〕6 号", "林政发〔2023〕9 号").replace("马冰", "马兵")
            .replace("陈健华", "陈建华"))
    (folder / "2023" / "9.docx").write_bytes(docx(nine.split("\n")))
    (folder / "8.txt").write_bytes(NOTICES[8].read_bytes())
    (folder / "名单.xlsx").write_bytes(b"PK\x03\x04")
    (folder / "README").write_text("说明", encoding="utf-8")
    (folder / "旧通知.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    result = cli_run("add-notice", str(folder), "--yes")
    assert result.exit_code == 0, result.stderr
    gazette = folder / "2023" / "一月" / "公报.pdf"
    assert result.stdout.splitlines() == [
        "林政发〔2023〕2号 already recorded",
        "林政发〔2023〕3号 already recorded",
        "林政发〔2023〕4号 already recorded",
        "林政发〔2023〕5号 already recorded",
        "林政发〔2023〕6号 already recorded",
        "林政发〔2023〕9号 recorded: 3 actions",  # dated 2023-02-06, before 8号
        "林政发〔2023〕8号 already recorded",
        "林政发〔2023〕8号 already recorded",
        *skipped_lines(gazette),
    ]
    assert result.stderr.splitlines()[-4:] == [
        f"not read {folder / 'README'}: not a .txt, .pdf or .docx file",
        f"not read {folder / '名单.xlsx'}: not a .txt, .pdf or .docx file",
        f"not read {folder / '旧通知.doc'}: a Word 97-2003 .doc file; save it as .docx or PDF",
        "1 recorded, 7 already recorded, 0 refused, 4 skipped; 3 files not read",
    ]
    notices = json.loads(cli_run("notices", "--format", "json").stdout)["notices"]
    assert notices[-1]["number"] == "林政发〔2023〕9号"
    assert notices[-1]["source"] == {"file": "2023/9.docx", "document": None, "pages": None}


def test_a_folder_with_nothing_to_read_is_refused(seeded, cli_run, tmp_path):
    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "a.jpg").write_bytes(b"\xff\xd8\xff")
    result = cli_run("add-notice", str(folder), "--yes")
    assert result.exit_code == 1
    assert result.stderr == f"Error: the directory {folder} holds no .txt, .pdf or .docx files; not read: {folder / 'a.jpg'}\n"


def test_a_gazette_on_standard_input(engine, cli_run):
    result = cli_run("add-notice", "-", "--yes", input=GAZETTE.read_bytes())
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:6] == RECORDED
    assert result.stdout.splitlines()[6] == "skipped <stdin> (document 1): 政府工作报告 is not a personnel notice"
    notices = json.loads(cli_run("notices", "--format", "json").stdout)["notices"]
    assert notices[0]["source"] == {"file": "<stdin>", "document": 3, "pages": None}


def test_a_notice_is_amended_from_a_word_file(seeded, cli_run, tmp_path, notice_text):
    corrected = notice_text(2).replace("（列王程之后）", "（列王程之后，试用期1年）")
    path = tmp_path / "2号更正.docx"
    path.write_bytes(docx(corrected.split("\n")))
    result = cli_run("amend", "林政发〔2023〕2号", str(path), "--reason", "漏录试用期")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "林政发〔2023〕2号 amended: 1 action"
    notices = json.loads(cli_run("notices", "--format", "json").stdout)["notices"]
    assert (notices[0]["status"], notices[0]["source"]) == (
        "amended", {"file": "2号更正.docx", "document": None, "pages": None})


def test_amend_takes_one_notice_not_a_gazette(seeded, cli_run, tmp_path):
    before = dump(seeded)
    gazette = tmp_path / "gazette.txt"
    gazette.write_bytes(GAZETTE.read_bytes())
    result = cli_run("amend", "林政发〔2023〕2号", str(gazette), "--reason", "x")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {gazette} holds 10 documents; amend takes a file that holds one notice\n"
    assert dump(seeded) == before
