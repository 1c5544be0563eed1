"""Rosters the office prints (issue 11): every bureau at once, CSV for scripts, no silent empty
answers, and tables that fit the terminal.

The HTML is checked in a real browser in test_print_browser.py and the workbooks
in test_xlsx.py; this file checks the command line around them.
"""

from __future__ import annotations

import json
import os
from datetime import date, timedelta

import pytest
from wcwidth import wcswidth

from conftest import dump, file_bytes
from registry import render

AS_OF = "2023-02-07"
# The organizations with someone on record on 2023-02-07, in the office's order (registry.ordering).
ORDER_ON_AS_OF = [
    "市发展和改革委员会", "市经济和信息化局", "市生态环境局", "市住房和城乡建设局", "市水利局", "市农业农村局",
    "市商务局", "市卫生健康委员会", "市林业和草原局", "市医疗保障局", "市国防动员办公室", "林芝经济开发区管委会",
]
WITHOUT_HOLDERS = ["市政府", "市民族宗教事务局", "市财政局", "市政府国有资产监督管理委员会", "市市场监督管理局",
                   "市乡村振兴局", "市城市管理和综合执法局", "市残疾人联合会第二届主席团执行理事会"]


def ok(result):
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


# -- every bureau at once ----------------------------------------------------------------

def test_roster_all_json_is_every_roster_in_the_office_order(seeded, cli_run):
    data = json.loads(ok(cli_run("roster", "--all", "--as-of", AS_OF, "--format", "json")).stdout)
    assert list(data) == ["as_of", "rosters", "without_holders"]
    assert data["as_of"] == AS_OF
    assert [r["organization"] for r in data["rosters"]] == ORDER_ON_AS_OF
    assert data["without_holders"] == WITHOUT_HOLDERS
    # Each roster is exactly what `roster ORG` answers.
    for answer in data["rosters"]:
        alone = json.loads(ok(cli_run("roster", answer["organization"], "--as-of", AS_OF, "--format", "json")).stdout)
        assert answer == alone


def test_roster_all_table_lists_the_empty_organizations_at_the_end(seeded, cli_run):
    result = ok(cli_run("roster", "--all", "--as-of", AS_OF))
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert [line for line in lines if line.endswith(f"  {AS_OF}")] == [f"{o}  {AS_OF}" for o in ORDER_ON_AS_OF]
    assert lines[-1] == f"nobody on record on {AS_OF}: {'、'.join(WITHOUT_HOLDERS)}"
    # The first roster is printed as `roster ORG` prints it, then a blank line before the next.
    first = ok(cli_run("roster", ORDER_ON_AS_OF[0], "--as-of", AS_OF)).stdout
    assert result.stdout.startswith(first + "\n" + ORDER_ON_AS_OF[1])


def test_roster_all_csv_has_a_row_per_member_with_its_organization(seeded, cli_run):
    data = json.loads(ok(cli_run("roster", "--all", "--as-of", AS_OF, "--format", "json")).stdout)
    lines = ok(cli_run("roster", "--all", "--as-of", AS_OF, "--format", "csv")).stdout.splitlines()
    assert lines[0] == ("organization,as_of,rank,name,person_id,title,since,start_known,concurrent,acting,inferred,"
                        "probation_until,on_probation,ranked_after,basis")
    expected = [(r["organization"], m["name"]) for r in data["rosters"] for m in r["members"]]
    assert [tuple(line.split(",")[0:4:3]) for line in lines[1:]] == expected


def test_order_file_puts_the_office_list_first(seeded, cli_run, tmp_path):
    order = tmp_path / "order.txt"
    order.write_text("# 本办排序\n卫健委\n\n林芝经开区\n市政府\n", encoding="utf-8")
    data = json.loads(ok(cli_run("roster", "--all", "--as-of", AS_OF, "--order", str(order),
                                 "--format", "json")).stdout)
    assert [r["organization"] for r in data["rosters"]] == (
        ["市卫生健康委员会", "林芝经济开发区管委会"]
        + [o for o in ORDER_ON_AS_OF if o not in ("市卫生健康委员会", "林芝经济开发区管委会")])
    # 市政府 is named, but nobody is on record there that day: it is listed at the end, first.
    assert data["without_holders"] == WITHOUT_HOLDERS


def test_order_file_with_an_unknown_name_is_refused(seeded, cli_run, tmp_path):
    order = tmp_path / "order.txt"
    order.write_text("卫健委\n卫生局\n", encoding="utf-8")
    result = cli_run("roster", "--all", "--order", str(order))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"Error: {order} line 2: no organization called '卫生局'; "
                             "closest: 卫生健康委, 市生态环境局, 市卫生健康委\n")


@pytest.mark.parametrize("args, message", [
    (("roster",), "Error: Missing argument 'ORG'. Give an organization, or --all for every one."),
    (("roster", "卫健委", "--all"), "Error: give ORG or --all, not both"),
    (("roster", "卫健委", "--order", "README.md"), "Error: --order goes with --all"),
])
def test_roster_org_or_all(seeded, cli_run, args, message):
    result = cli_run(*args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines()[-1] == message


# -- CSV for scripts ----------------------------------------------------------------------

@pytest.mark.parametrize("args, header", [
    (("who-held", "市商务局", "副局长", "--on", "2023-02-06"),
     "organization,title,on,name,person_id,since,until,start_known,concurrent,inferred,basis,acting,"
     "probation_until"),
    (("history", "尼玛"),
     "person_id,name,organization,title,since,until,start_known,concurrent,acting,inferred,probation_until,"
     "ranked_after,appointed_by,removed_by,end_reason"),
    (("notices",), "number,date,title,actions,status,issuer,source"),
    (("orgs",), "name,aliases,holdings"),
    (("roster", "卫健委"), "organization,as_of,rank,name,person_id,title,since,start_known,concurrent,acting,"
                           "inferred,probation_until,on_probation,ranked_after,basis"),
])
def test_csv_headers_are_the_json_keys(seeded, cli_run, args, header):
    result = ok(cli_run(*args, "--format", "csv"))
    assert result.stdout.splitlines()[0] == header


def test_who_held_csv_rows(seeded, cli_run):
    result = ok(cli_run("who-held", "市商务局", "副局长", "--on", "2023-02-06", "--format", "csv"))
    data = json.loads(ok(cli_run("who-held", "市商务局", "副局长", "--on", "2023-02-06", "--format", "json")).stdout)
    holder = data["holders"][0]
    assert result.stdout.splitlines()[1] == (
        f"市商务局,副局长,2023-02-06,李艳君,{holder['person_id']},2023-02-06,,true,false,false,林政发〔2023〕3号,false,2024-02-06")


def test_history_csv_has_a_row_per_holding(seeded, cli_run):
    data = json.loads(ok(cli_run("history", "尼玛", "--format", "json")).stdout)
    lines = ok(cli_run("history", "尼玛", "--format", "csv")).stdout.splitlines()
    assert [line.split(",")[:4] for line in lines[1:]] == [
        [str(p["person_id"]), "尼玛", h["organization"], h["title"]] for p in data["people"] for h in p["holdings"]]


def test_formula_cells_get_a_leading_quote():
    text = render.to_csv(["name", "count"], [["=1+1", 1], ["+86", -2], ["-x", 0], ["@SUM(A1)", None],
                                             ["\tx", True], ["\rx", False], ["扎西", 3], ["a=b", 4]])
    assert text == ("name,count\n'=1+1,1\n'+86,-2\n'-x,0\n'@SUM(A1),\n'\tx,true\n'\rx,false\n扎西,3\n"
                    "a=b,4\n")


def test_formula_injection_through_a_notice_is_defused(engine, cli_run, tmp_path):
    # The registry reads organization names from notices: one that starts like a formula
    # (as a hostile or careless text could) must reach a spreadsheet as text.
    from conftest import make_notice

    path = tmp_path / "n.txt"
    path.write_text(make_notice("林政发〔2023〕20号", "2023年3月1日", ["扎西任-市水利局副局长"]), encoding="utf-8")
    ok(cli_run("add-notice", str(path), "--yes"))
    result = ok(cli_run("roster", "--as-of", "2023-03-01", "--format", "csv", "--", "-市水利局"))
    assert result.stdout.splitlines()[1].startswith("'-市水利局,2023-03-01,1,扎西,")


@pytest.mark.parametrize("command", [
    ("roster", "卫健委"), ("who-held", "市商务局", "副局长"), ("history", "尼玛"), ("notices",), ("orgs",),
    ("changes",), ("probation",), ("vacancies", "国动办"), ("check",), ("people", "尼玛"),
])
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_bom_is_refused_unless_csv(seeded, cli_run, db_url, command, fmt):
    before = dump(seeded), file_bytes(db_url)
    result = cli_run(*command, "--format", fmt, "--bom")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines()[-1] == f"Error: --bom is for --format csv only (the format here is {fmt})"
    assert (dump(seeded), file_bytes(db_url)) == before


# -- no silent empty answers ----------------------------------------------------------------

def test_a_title_never_recorded_is_refused_with_the_closest(seeded, cli_run, db_url):
    before = dump(seeded), file_bytes(db_url)
    result = cli_run("who-held", "市商务局", "副局常")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: 市商务局 has no 副局常 on record; closest: 副局长\n"
    result = cli_run("who-held", "卫健委", "主任", "--format", "json")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: 市卫生健康委员会 has no 主任 on record; closest: 副主任\n"
    assert (dump(seeded), file_bytes(db_url)) == before


def test_a_date_after_today_gets_a_note(seeded, cli_run):
    today = date.today()
    later = today + timedelta(days=1)
    note = (f"note: {later.isoformat()} is after today ({today.isoformat()}); "
            f"the answer is what the notices on record say for that date\n")
    for args in (("roster", "卫健委", "--as-of", later.isoformat()),
                 ("roster", "--all", "--as-of", later.isoformat(), "--format", "json"),
                 ("who-held", "市商务局", "副局长", "--on", later.isoformat()),
                 ("vacancies", "国动办", "--as-of", later.isoformat()),
                 ("probation", "--on", later.isoformat())):
        assert ok(cli_run(*args)).stderr == note, args
    assert ok(cli_run("roster", "卫健委", "--as-of", today.isoformat())).stderr == ""
    assert ok(cli_run("roster", "卫健委")).stderr == ""


def test_vacancies_says_when_no_head_post_was_ever_on_record(seeded, cli_run):
    result = ok(cli_run("vacancies", "卫健委", "--as-of", AS_OF))
    assert (result.stdout, result.stderr) == (f"市卫生健康委员会  {AS_OF}\n(no head post on record)\n", "")
    result = ok(cli_run("vacancies", "卫健委", "--as-of", AS_OF, "--format", "json"))
    assert json.loads(result.stdout) == {"organization": "市卫生健康委员会", "as_of": AS_OF, "vacancies": []}
    assert result.stderr == "note: no head post of 市卫生健康委员会 is on record\n"
    # An organization whose head post is on record and filled: no vacant head post.
    result = ok(cli_run("vacancies", "国动办", "--as-of", AS_OF))
    assert (result.stdout, result.stderr) == (f"市国防动员办公室  {AS_OF}\n(no vacant head post)\n", "")


# -- terminals ---------------------------------------------------------------------------------

@pytest.fixture
def terminal(monkeypatch):
    """Make the CLI believe stdout is a terminal of a given size; collect what goes to the pager."""
    import cli

    paged: list[str] = []
    monkeypatch.setattr(cli.click, "echo_via_pager", lambda text: paged.append(text))

    def size(columns: int, lines: int = 200):
        monkeypatch.setattr(cli, "_stdout_terminal", lambda: os.terminal_size((columns, lines)))
        return paged

    return size


def widths(text: str) -> set[int]:
    return {wcswidth(line) for line in text.splitlines()}


def test_a_wide_terminal_gets_the_whole_table(seeded, cli_run, terminal):
    piped = ok(cli_run("roster", "卫健委", "--as-of", AS_OF)).stdout
    terminal(200)
    assert ok(cli_run("roster", "卫健委", "--as-of", AS_OF)).stdout == piped


def test_a_narrow_terminal_drops_the_ids_then_wraps_the_notes(seeded, cli_run, terminal):
    piped = ok(cli_run("roster", "卫健委", "--as-of", AS_OF)).stdout
    table = piped.splitlines()[1:]
    full = max(widths("\n".join(table)))
    terminal(full - 1)
    narrower = ok(cli_run("roster", "卫健委", "--as-of", AS_OF)).stdout.splitlines()
    assert narrower[1].split() == ["序号", "姓名", "职务", "任职起始", "列...之后", "依据", "备注"]
    assert narrower[3].split() == ["1", "尼玛", "副主任", "(未记载)", "林政发〔2023〕3号", "据排序推定；任职起始未记载"]
    assert len(narrower) == len(piped.splitlines())

    terminal(80)
    fitted = ok(cli_run("roster", "卫健委", "--as-of", AS_OF)).stdout.splitlines()
    assert max(widths("\n".join(fitted))) <= 80
    assert "人员ID" not in fitted[1]
    # The 备注 of 尼玛 is wrapped onto lines of its own, in its column; the other rows are as they were.
    second = next(i for i, line in enumerate(fitted) if line.startswith("2 "))
    assert second > 4
    assert "".join(line.split()[-1] for line in fitted[3:second]) == "据排序推定；任职起始未记载"
    assert {len(line) - len(line.lstrip()) for line in fitted[4:second]} == {wcswidth(fitted[1][:fitted[1].index("备注")])}
    assert fitted[second].split() == ["2", "胡秀兰", "副主任", "2023-02-06", "尼玛", "林政发〔2023〕3号"]


def test_tables_avoid_ambiguous_width_characters(seeded, cli_run):
    for args in (("roster", "卫健委"), ("people", "尼玛"), ("changes",), ("history", "尼玛")):
        text = ok(cli_run(*args)).stdout
        assert not set(text) & {"…", "–", "—"}, args


def test_a_long_table_goes_through_the_pager_on_a_terminal_only(seeded, cli_run, terminal):
    piped = ok(cli_run("roster", "--all", "--as-of", AS_OF)).stdout
    paged = terminal(300, 20)
    result = ok(cli_run("roster", "--all", "--as-of", AS_OF))
    assert result.stdout == ""
    assert paged == [piped]
    # A short answer is printed as it is.
    short = ok(cli_run("roster", "卫健委", "--as-of", AS_OF))
    assert short.stdout.startswith("市卫生健康委员会  2023-02-07\n") and len(paged) == 1


def test_a_workbook_is_refused_on_a_terminal(seeded, cli_run, terminal):
    terminal(100)
    result = cli_run("roster", "卫健委", "--format", "xlsx")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: a workbook is not for the terminal; give --output FILE or redirect to a file\n"


def test_a_workbook_goes_to_a_redirected_stdout(seeded, cli_run):
    result = ok(cli_run("roster", "卫健委", "--as-of", AS_OF, "--format", "xlsx"))
    assert result.stdout_bytes[:2] == b"PK" and result.stderr == ""


def test_output_writes_a_file_and_says_so(seeded, cli_run, tmp_path):
    target = tmp_path / "roster.csv"
    result = ok(cli_run("roster", "卫健委", "--as-of", AS_OF, "--format", "csv", "--bom", "--output", str(target)))
    assert (result.stdout, result.stderr) == ("", f"written to {target}\n")
    piped = ok(cli_run("roster", "卫健委", "--as-of", AS_OF, "--format", "csv", "--bom")).stdout
    assert target.read_text(encoding="utf-8") == piped


# -- the printable document, as text (test_print_browser.py prints it) -----------------------

def test_html_is_self_contained_and_laid_out_for_a4(seeded, cli_run):
    page = ok(cli_run("roster", "--all", "--as-of", AS_OF, "--format", "html")).stdout
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"zh-CN\">")
    for fetch in ("http:", "https:", "src=", "@import", "url(", "<link", "<script"):
        assert fetch not in page
    assert "size: A4 portrait" in page and "counter(page)" in page
    assert [line[4:-5] for line in page.splitlines() if line.startswith("<h1>")] == (
        [("林芝" + o if o.startswith("市") else o) + "领导班子成员名单" for o in ORDER_ON_AS_OF] + ["无任职记录的单位"])
    assert page.count('<p class="date">（截至2023年2月7日）</p>') == len(ORDER_ON_AS_OF) + 1
    assert page.count("<span>制表人：</span><span>审核人：</span>") == len(ORDER_ON_AS_OF)
    assert "<li>林芝市人民政府</li>" in page
    assert "人员ID" not in page


def test_html_rows_and_ids(seeded, cli_run):
    data = json.loads(ok(cli_run("roster", "卫健委", "--as-of", AS_OF, "--format", "json")).stdout)
    page = ok(cli_run("roster", "卫健委", "--as-of", AS_OF, "--format", "html", "--ids")).stdout
    rows = [line for line in page.splitlines() if line.startswith("<tr><td")]
    assert rows[0] == ('<tr><td class="center keep">1</td><td class="center keep">尼玛</td><td class="center keep">副主任</td>'
                       '<td class="center keep"></td><td>任职起始未记载；据排序推定</td>'
                       f'<td class="center keep">{data["members"][0]["person_id"]}</td></tr>')
    assert rows[1].startswith('<tr><td class="center keep">2</td><td class="center keep">胡秀兰</td><td class="center keep">副主任</td>'
                              '<td class="center keep">2023年2月6日</td><td></td>')
    assert len(rows) == 3


@pytest.mark.parametrize("args, heading, date_line", [
    (("who-held", "市商务局", "副局长", "--on", "2023-02-06"), "林芝市商务局副局长任职人员", "（2023年2月6日）"),
    (("history", "李艳君"), "李艳君同志任职经历", f"（截至{date.today().year}年{date.today().month}月"
                                                 f"{date.today().day}日的记录）"),
    (("changes", "--org", "卫健委", "--from", "2023-02-06", "--to", "2023-03-31"),
     "林芝市卫生健康委员会领导干部任免变动情况", "（2023年2月6日至2023年3月31日）"),
])
def test_who_held_history_and_changes_print_too(seeded, cli_run, args, heading, date_line):
    page = ok(cli_run(*args, "--format", "html")).stdout
    assert f"<h1>{heading}</h1>\n<p class=\"date\">{date_line}</p>" in page
    assert "试用期至2024年2月6日" in page or "changes" in args


def test_html_escapes_text(tmp_path):
    from registry.output.document import Document, Section
    from registry.output.html import to_html

    section = Section(heading="<b>&", date_line="（x）", label="x", columns=["姓名"], rows=[["<script>"]])
    page = to_html(Document(title="t<", sections=[section], made_on=date(2026, 1, 2)))
    assert "<h1>&lt;b&gt;&amp;</h1>" in page and "<td class=\"center keep\">&lt;script&gt;</td>" in page
    assert "<title>t&lt;</title>" in page


def test_a_nested_object_in_csv_is_json(seeded, cli_run):
    lines = ok(cli_run("notices", "--format", "csv")).stdout.splitlines()
    assert lines[1].endswith(',林芝市人民政府,"{""file"": ""linzhengfa-2023-02.txt"", ""document"": null, ""pages"": null}"')
