"""Query answers as documents an HR office files: headed sections of plain cells.

A section is one table on paper: a heading such as
林芝市卫生健康委员会领导班子成员名单, a date line such as （截至2023年2月7日）, column
headings and rows.  Cells are Python values (text, numbers, dates) so that the
workbook gets real date cells and the HTML writes dates the Chinese way.
Internal ids appear only when asked for (``ids``): a filed roster names people,
not database rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..render import END_REASON_LABELS

# The prefix the city's documents put before an organization's name.
CITY = "林芝市"


@dataclass
class Section:
    heading: str
    date_line: str
    label: str  # a short name for the section: the sheet name in a workbook
    columns: list[str]
    rows: list[list[Any]]
    empty: str = "（无）"  # shown instead of the table when there are no rows
    widths: dict[str, int] = field(default_factory=dict)  # column heading -> workbook column width


@dataclass
class Document:
    title: str
    sections: list[Section]
    made_on: date
    # Organizations left out because nobody held a post there that day, named at the end.
    without_holders: list[str] = field(default_factory=list)
    as_of: date | None = None


def chinese_date(value: date | str | None) -> str:
    """2023-02-07 → 2023年2月7日; None → ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return f"{value.year}年{value.month}月{value.day}日"


def full_name(organization: str) -> str:
    """The name a filed document uses: 市卫生健康委员会 → 林芝市卫生健康委员会, 市政府 → 林芝市人民政府."""
    if organization == "市政府":
        return CITY + "人民政府"
    if organization.startswith("市"):
        return "林芝" + organization
    return organization


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def holding_notes(item: dict, on: date | None = None) -> str:
    """The 备注 of a printed row: 试用期至…, 兼任, 代理, 挂职, 任职起始未记载, 据排序推定."""
    notes = []
    until = item.get("probation_until")
    if until and (on is None or on < date.fromisoformat(until)):
        notes.append(f"试用期至{chinese_date(until)}")
    if item.get("concurrent"):
        notes.append("兼任")
    if item.get("acting"):
        notes.append("代理")
    if item.get("secondment"):
        notes.append(item["secondment"])
    if not item.get("start_known", item.get("since") is not None):
        notes.append("任职起始未记载")
    if item.get("inferred"):
        notes.append("据排序推定")
    return "；".join(notes)


def _with_ids(columns: list[str], rows: list[list], ids: list, show: bool) -> tuple[list[str], list[list]]:
    if not show:
        return columns, rows
    return columns + ["人员ID"], [row + [ident] for row, ident in zip(rows, ids)]


def roster_section(data: dict, ids: bool = False) -> Section:
    as_of = date.fromisoformat(data["as_of"])
    members = data["members"]
    rows = [[m["rank"], m["name"], m["title"], _day(m["since"]), holding_notes(m, as_of)] for m in members]
    columns, rows = _with_ids(["序号", "姓名", "职务", "任职时间", "备注"], rows, [m["person_id"] for m in members], ids)
    return Section(
        heading=f"{full_name(data['organization'])}领导班子成员名单",
        date_line=f"（截至{chinese_date(as_of)}）",
        label=data["organization"],
        columns=columns,
        rows=rows,
        empty="（当日无任职记录）",
        widths={"序号": 5, "姓名": 10, "职务": 12, "任职时间": 15, "备注": 30, "人员ID": 8},
    )


def roster_document(data: dict, made_on: date, ids: bool = False) -> Document:
    """One roster (``queries.roster``) or every roster (``queries.roster_all``)."""
    if "rosters" in data:
        return Document(
            title=f"{CITY}各单位领导班子成员名单（截至{chinese_date(data['as_of'])}）",
            sections=[roster_section(r, ids) for r in data["rosters"]],
            made_on=made_on,
            without_holders=data["without_holders"],
            as_of=date.fromisoformat(data["as_of"]),
        )
    section = roster_section(data, ids)
    return Document(title=section.heading + section.date_line, sections=[section], made_on=made_on,
                    as_of=date.fromisoformat(data["as_of"]))


def who_held_document(data: dict, made_on: date, ids: bool = False) -> Document:
    on = date.fromisoformat(data["on"])
    holders = data["holders"]
    rows = [[number, h["name"], _day(h["since"]), _day(h["until"]), holding_notes(h, on)]
            for number, h in enumerate(holders, start=1)]
    columns, rows = _with_ids(["序号", "姓名", "任职时间", "任职截止", "备注"], rows,
                              [h["person_id"] for h in holders], ids)
    section = Section(
        heading=f"{full_name(data['organization'])}{data['title']}任职人员",
        date_line=f"（{chinese_date(on)}）",
        label=f"{data['organization']}{data['title']}",
        columns=columns,
        rows=rows,
        empty="（当日无人在任）",
        widths={"序号": 5, "姓名": 10, "任职时间": 15, "任职截止": 15, "备注": 30, "人员ID": 8},
    )
    return Document(title=section.heading + section.date_line, sections=[section], made_on=made_on, as_of=on)


def history_document(data: dict, made_on: date, ids: bool = False) -> Document:
    sections = []
    for person in data["people"]:
        rows = []
        for number, h in enumerate(person["holdings"], start=1):
            notes = [n for n in (END_REASON_LABELS.get(h["end_reason"], ""), holding_notes(h)) if n]
            rows.append([number, full_name(h["organization"]), h["title"], _day(h["since"]), _day(h["until"]),
                         h["appointed_by"], h["removed_by"], "；".join(notes)])
        who = f"{person['name']}同志" + (f"（人员ID {person['person_id']}）" if ids else "")
        sections.append(Section(
            heading=f"{who}任职经历",
            date_line=f"（截至{chinese_date(made_on)}的记录）",
            label=f"{person['name']}{person['person_id']}" if ids or len(data["people"]) > 1 else person["name"],
            columns=["序号", "单位", "职务", "任职时间", "任职截止", "任命文号", "免职文号", "备注"],
            rows=rows,
            empty="（无任职记录）",
            widths={"序号": 5, "单位": 24, "职务": 10, "任职时间": 15, "任职截止": 15, "任命文号": 18,
                    "免职文号": 18, "备注": 24},
        ))
    return Document(title=f"{data['query']}任职经历", sections=sections, made_on=made_on)


CHANGE_LABELS = {"appoint": "任", "remove": "免", "referenced": "推定在任"}


def changes_document(data: dict, made_on: date, ids: bool = False) -> Document:
    changes = data["changes"]
    rows = []
    for number, c in enumerate(changes, start=1):
        notes = []
        if c["action"] == "referenced":
            notes.append(f"仅见于列{c['name']}之后")
        if c["ranked_after"]:
            notes.append(f"列{c['ranked_after']}之后")
        notes.append(holding_notes({**c, "start_known": c["action"] != "referenced"}))
        if c["end_reason"] not in (None, "removed"):
            notes.append(END_REASON_LABELS.get(c["end_reason"], c["end_reason"]))
        unit = [] if data["organization"] else [full_name(c["organization"])]
        rows.append([number, _day(c["date"]), c["number"], CHANGE_LABELS.get(c["action"], c["action"]), c["name"],
                     *unit, c["title"], "；".join(n for n in notes if n)])
    # One organization's changes name it in the heading, not on every row.
    unit = [] if data["organization"] else ["单位"]
    columns, rows = _with_ids(["序号", "日期", "文号", "变动", "姓名", *unit, "职务", "备注"], rows,
                              [c["person_id"] for c in changes], ids)
    where = full_name(data["organization"]) if data["organization"] else CITY
    if data["from"] or data["to"]:
        period = f"（{chinese_date(data['from']) or '最早记录'}至{chinese_date(data['to']) or '最新记录'}）"
    else:
        period = "（全部记录）"
    section = Section(
        heading=f"{where}领导干部任免变动情况",
        date_line=period,
        label=data["organization"] or "任免变动",
        columns=columns,
        rows=rows,
        empty="（期间无任免记录）",
        widths={"序号": 5, "日期": 15, "文号": 18, "变动": 8, "姓名": 10, "单位": 24, "职务": 10, "备注": 24,
                "人员ID": 8},
    )
    return Document(title=section.heading + section.date_line, sections=[section], made_on=made_on)
