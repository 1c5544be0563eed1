"""Excel workbooks (issue 11), opened with openpyxl: sheet names, cells and their types, print settings."""

from __future__ import annotations

import json
import re
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from registry.output.document import Document, Section
from registry.output.xlsx import sheet_names, to_xlsx
from test_print import AS_OF, ORDER_ON_AS_OF, ok

HEADINGS = ["序号", "姓名", "职务", "任职时间", "备注"]


def workbook(cli_run, tmp_path, *args):
    target = tmp_path / "out.xlsx"
    result = ok(cli_run(*args, "--format", "xlsx", "--output", str(target)))
    assert (result.stdout, result.stderr) == ("", f"written to {target}\n")
    # A well-formed package: every part is readable (what Excel checks before it offers a repair).
    with zipfile.ZipFile(target) as package:
        assert package.testzip() is None
    return load_workbook(target)


def rows_of(sheet, first=4):
    return [[c.value for c in row] for row in sheet.iter_rows(min_row=first, max_row=sheet.max_row)]


def test_roster_all_has_a_sheet_per_organization_in_order(seeded, cli_run, tmp_path):
    book = workbook(cli_run, tmp_path, "roster", "--all", "--as-of", AS_OF)
    assert book.sheetnames == ORDER_ON_AS_OF + ["无任职记录的单位"]
    data = json.loads(ok(cli_run("roster", "--all", "--as-of", AS_OF, "--format", "json")).stdout)
    for answer in data["rosters"]:
        sheet = book[answer["organization"]]
        assert [c.value for c in sheet[3]] == HEADINGS
        assert len(rows_of(sheet)) == len(answer["members"]) + 2  # the rows, a blank row, the signature row
    last = book["无任职记录的单位"]
    assert last["A1"].value == "无任职记录的单位"
    assert last["A2"].value == "（截至2023年2月7日）"
    assert [c.value for c in last["A"][2:]] == [
        "林芝市人民政府", "林芝市民族宗教事务局", "林芝市财政局", "林芝市政府国有资产监督管理委员会",
        "林芝市市场监督管理局", "林芝市乡村振兴局", "林芝市城市管理和综合执法局", "林芝市残疾人联合会第二届主席团执行理事会"]


def test_roster_sheet_cells_and_types(seeded, cli_run, tmp_path):
    sheet = workbook(cli_run, tmp_path, "roster", "卫健委", "--as-of", AS_OF).active
    assert sheet.title == "市卫生健康委员会"
    assert sheet["A1"].value == "林芝市卫生健康委员会领导班子成员名单"
    assert sheet["A2"].value == "（截至2023年2月7日）"
    assert {str(r) for r in sheet.merged_cells.ranges} == {"A1:E1", "A2:E2", "A8:E8"}
    assert rows_of(sheet) == [
        [1, "尼玛", "副主任", None, "任职起始未记载；据排序推定"],
        [2, "胡秀兰", "副主任", datetime(2023, 2, 6), None],
        [3, "罗布顿珠", "副主任", datetime(2023, 2, 6), None],
        [None] * 5,
        [f"制表人：            审核人：            制表日期：{date.today().year}年{date.today().month}月"
         f"{date.today().day}日", None, None, None, None],
    ]
    # A real date cell (a date serial number in the file, not text), shown the Chinese way.
    assert sheet["D5"].data_type == "d" and sheet["D5"].is_date
    with zipfile.ZipFile(tmp_path / "out.xlsx") as package:
        xml = package.read("xl/worksheets/sheet1.xml").decode()
        assert 't="inlineStr"></c>' not in xml  # no empty strings: an empty cell is left empty
        assert re.search(r'<c r="D5" s="\d+" t="n"><v>44963</v></c>', xml)  # 2023-02-06
    assert sheet["D5"].number_format == 'yyyy"年"m"月"d"日"'
    assert sheet["A5"].data_type == "n"


def test_roster_sheet_print_settings(seeded, cli_run, tmp_path):
    sheet = workbook(cli_run, tmp_path, "roster", "卫健委", "--as-of", AS_OF).active
    assert sheet.freeze_panes == "A4"
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.page_setup.orientation == "portrait"
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.oddFooter.center.text == "第 &P 页，共 &N 页"


def test_ids_add_a_person_id_column(seeded, cli_run, tmp_path):
    sheet = workbook(cli_run, tmp_path, "roster", "卫健委", "--as-of", AS_OF, "--ids").active
    data = json.loads(ok(cli_run("roster", "卫健委", "--as-of", AS_OF, "--format", "json")).stdout)
    assert [c.value for c in sheet[3]] == HEADINGS + ["人员ID"]
    assert [row[5] for row in rows_of(sheet)[:3]] == [m["person_id"] for m in data["members"]]


def test_who_held_history_and_changes_workbooks(seeded, cli_run, tmp_path):
    sheet = workbook(cli_run, tmp_path, "who-held", "市商务局", "副局长", "--on", "2023-02-01").active
    assert (sheet["A1"].value, sheet["A2"].value) == ("林芝市商务局副局长任职人员", "（2023年2月1日）")
    assert [c.value for c in sheet[3]] == ["序号", "姓名", "任职时间", "任职截止", "备注"]
    assert rows_of(sheet)[0] == [1, "张利", None, datetime(2023, 2, 6), "任职起始未记载"]

    book = workbook(cli_run, tmp_path, "history", "尼玛")
    assert len(book.sheetnames) == 2 and all(name.startswith("尼玛") for name in book.sheetnames)
    assert [book[name]["A1"].value for name in book.sheetnames] == ["尼玛同志任职经历"] * 2
    assert rows_of(book[book.sheetnames[1]])[0] == [
        1, "林芝市乡村振兴局", "副局长", None, datetime(2023, 2, 6), None, "林政发〔2023〕3号", "免职；任职起始未记载"]

    sheet = workbook(cli_run, tmp_path, "changes", "--from", "2023-02-06", "--to", "2023-02-06").active
    assert (sheet["A1"].value, sheet["A2"].value) == ("林芝市领导干部任免变动情况", "（2023年2月6日至2023年2月6日）")
    assert [c.value for c in sheet[3]] == ["序号", "日期", "文号", "变动", "姓名", "单位", "职务", "备注"]
    assert rows_of(sheet)[0] == [1, datetime(2023, 2, 6), "林政发〔2023〕2号", "推定在任", "王程", "林芝市水利局",
                                 "副局长", "仅见于列王程之后；任职起始未记载"]
    sheet = workbook(cli_run, tmp_path, "changes", "--org", "商务局", "--from", "2023-02-06", "--to", "2023-02-06").active
    assert [c.value for c in sheet[3]] == ["序号", "日期", "文号", "变动", "姓名", "职务", "备注"]
    assert (sheet["A1"].value, sheet["A2"].value) == ("林芝市商务局领导干部任免变动情况", "（2023年2月6日至2023年2月6日）")
    assert rows_of(sheet)[:2] == [
        [1, datetime(2023, 2, 6), "林政发〔2023〕3号", "免", "张利", "副局长", None],
        [2, datetime(2023, 2, 6), "林政发〔2023〕3号", "任", "李艳君", "副局长", "试用期至2024年2月6日"],
    ]


def test_sheet_names_fit_excel():
    long = "林芝市某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某委员会"
    names = sheet_names([long, long, "A/B:C", "a", "A", "'quoted'"])
    assert names == [long[:31], long[:28] + "(2)", "A_B_C", "a", "A(2)", "quoted"]
    assert all(len(name) <= 31 for name in names)


def test_formula_text_is_written_as_text(tmp_path):
    section = Section(heading="=HYPERLINK(\"x\")", date_line="（截至2023年2月7日）", label="=bad:name",
                      columns=["序号", "姓名"], rows=[[1, "=1+1"], [2, "@cmd"], [3, "-2"], [4, "扎西"]])
    path = tmp_path / "book.xlsx"
    path.write_bytes(to_xlsx(Document(title="t", sections=[section], made_on=date(2026, 1, 2))))
    sheet = load_workbook(path).active
    assert sheet.title == "=bad_name"
    assert sheet["A1"].value == "'=HYPERLINK(\"x\")"
    assert [(sheet.cell(row=r, column=2).value, sheet.cell(row=r, column=2).data_type) for r in range(4, 8)] == [
        ("'=1+1", "s"), ("'@cmd", "s"), ("'-2", "s"), ("扎西", "s")]


@pytest.mark.parametrize("fmt", ["xlsx", "html"])
def test_output_to_an_unwritable_place_is_refused(seeded, cli_run, tmp_path, fmt):
    target = tmp_path / "missing" / f"out.{fmt}"
    result = cli_run("roster", "卫健委", "--format", fmt, "--output", str(target))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Error: cannot write {target}: No such file or directory\n"
