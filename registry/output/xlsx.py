"""A document as an Excel workbook (openpyxl): one sheet per section, ready to print on A4.

Each sheet has a title row and a date row, then the Chinese column headings
(frozen, and repeated on every printed page), then the rows, with dates as real
date cells.  It prints A4 portrait, one page wide, with page numbers in the
footer.  Text that a spreadsheet would read as a formula (starting with =, +,
-, @, a tab or a carriage return) is written with a leading ' (the OWASP rule).
"""

from __future__ import annotations

import io
import re
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..render import defuse
from .document import Document, Section, chinese_date, full_name

DATE_FORMAT = 'yyyy"年"m"月"d"日"'
HEADER_ROW = 3
SHEET_NAME_LIMIT = 31  # Excel refuses longer sheet names
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRED = {"序号", "姓名", "职务", "任职时间", "任职截止", "日期", "变动", "人员ID"}


def sheet_names(labels: list[str]) -> list[str]:
    """Names Excel accepts: no []:*?/\\, at most 31 characters, unique regardless of case."""
    names: list[str] = []
    taken: set[str] = set()
    for label in labels:
        base = _NOT_IN_SHEET_NAMES.sub("_", label).strip("'") or "Sheet"
        name = base[:SHEET_NAME_LIMIT]
        number = 2
        while name.casefold() in taken:
            suffix = f"({number})"
            name = base[:SHEET_NAME_LIMIT - len(suffix)] + suffix
            number += 1
        taken.add(name.casefold())
        names.append(name)
    return names


def _print_setup(sheet: Worksheet) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages long as it takes
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.6
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def _heading_rows(sheet: Worksheet, heading: str, date_line: str, width: int) -> None:
    for row, text, size in ((1, heading, 16), (2, date_line, 11)):
        cell = sheet.cell(row=row, column=1, value=defuse(text))
        cell.font = Font(size=size, bold=row == 1)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        if width > 1:
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    sheet.row_dimensions[1].height = 28


def _section_sheet(sheet: Worksheet, section: Section, made_on: date) -> None:
    width = len(section.columns)
    _heading_rows(sheet, section.heading, section.date_line, width)
    for column, heading in enumerate(section.columns, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=heading)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F0F0F0")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BOX
        sheet.column_dimensions[get_column_letter(column)].width = section.widths.get(heading, 10) + 2
    row_number = HEADER_ROW
    for row_number, row in enumerate(section.rows, start=HEADER_ROW + 1):
        for column, (heading, value) in enumerate(zip(section.columns, row), start=1):
            # An empty cell is left empty: an empty string would be written as an empty inline string.
            cell = sheet.cell(row=row_number, column=column, value=None if value == "" else defuse(value))
            if isinstance(value, date):
                cell.number_format = DATE_FORMAT
            cell.border = BOX
            cell.alignment = Alignment(horizontal="center" if heading in CENTRED else "left",
                                       vertical="center", wrap_text=True)
    if not section.rows:
        row_number = HEADER_ROW + 1
        sheet.cell(row=row_number, column=1, value=section.empty)
        if width > 1:
            sheet.merge_cells(start_row=row_number, start_column=1, end_row=row_number, end_column=width)
    signatures = sheet.cell(row=row_number + 2, column=1,
                            value=f"制表人：            审核人：            制表日期：{chinese_date(made_on)}")
    if width > 1:
        sheet.merge_cells(start_row=row_number + 2, start_column=1, end_row=row_number + 2, end_column=width)
    signatures.alignment = Alignment(horizontal="left")
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    _print_setup(sheet)


def _without_holders_sheet(sheet: Worksheet, document: Document) -> None:
    day = f"（截至{chinese_date(document.as_of)}）" if document.as_of else ""
    _heading_rows(sheet, "无任职记录的单位", day, 1)
    sheet.column_dimensions["A"].width = 50
    for row, name in enumerate(document.without_holders, start=HEADER_ROW):
        sheet.cell(row=row, column=1, value=defuse(full_name(name)))
    _print_setup(sheet)


def to_xlsx(document: Document) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = document.title
    workbook.properties.creator = "registry"
    labels = [s.label for s in document.sections] + (["无任职记录的单位"] if document.without_holders else [])
    names = sheet_names(labels)
    for section, name in zip(document.sections, names):
        _section_sheet(workbook.create_sheet(name), section, document.made_on)
    if document.without_holders:
        _without_holders_sheet(workbook.create_sheet(names[-1]), document)
    if not workbook.worksheets:
        workbook.create_sheet("Sheet")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
