"""Tables, JSON and CSV.  The only module that imports tabulate.

Tables have Chinese headers and align with Chinese text because tabulate
measures width with wcwidth (installed by ``tabulate[widechars]``).  JSON keeps
Chinese as it is (``ensure_ascii=False``); CSV is UTF-8 with a header row,
optionally with a BOM so that Excel opens it right.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Sequence

from tabulate import tabulate


FORMATS = ("table", "json", "csv")


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [["" if v is None else v for v in row] for row in rows]
    return tabulate(cells, headers=list(headers), tablefmt="simple", disable_numparse=True)


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]], bom: bool = False) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else _csv_value(v) for v in row])
    return ("\ufeff" if bom else "") + out.getvalue()


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "、".join(map(str, value))
    return value


def yes(flag: bool) -> str:
    return "是" if flag else ""


def start_text(since: str | None) -> str:
    return since if since is not None else "(未记载)"


def member_notes(m: dict) -> str:
    notes = []
    if m.get("inferred"):
        notes.append("据列X之后推定")
    if not m.get("start_known", True):
        notes.append("任职起始未记载")
    if m.get("concurrent"):
        notes.append("兼任")
    if m.get("acting"):
        notes.append("代理")
    if m.get("on_probation"):
        notes.append(f"试用期至{m['probation_until']}")
    return "；".join(notes)


# -- one (headers, rows) view per result; the CLI picks table or CSV ----------

def roster_view(data: dict) -> tuple[list[str], list[list]]:
    headers = ["序号", "姓名", "职务", "任职起始", "列…之后", "依据", "备注", "人员ID"]
    rows = [
        [m["rank"], m["name"], m["title"], start_text(m["since"]), m["ranked_after"], m["basis"],
         member_notes(m), m["person_id"]]
        for m in data["members"]
    ]
    return headers, rows


def roster_csv_view(data: dict) -> tuple[list[str], list[list]]:
    keys = list(data["members"][0].keys()) if data["members"] else [
        "rank", "name", "person_id", "title", "since", "start_known", "concurrent", "acting", "inferred",
        "probation_until", "on_probation", "ranked_after", "basis",
    ]
    return keys, [[m[k] for k in keys] for m in data["members"]]


def who_held_view(data: dict) -> tuple[list[str], list[list]]:
    headers = ["姓名", "任职起始", "任职截止", "依据", "备注", "人员ID"]
    rows = [
        [h["name"], start_text(h["since"]), h["until"], h["basis"], member_notes(h), h["person_id"]]
        for h in data["holders"]
    ]
    return headers, rows


def history_view(data: dict) -> tuple[list[str], list[list]]:
    headers = ["人员ID", "姓名", "单位", "职务", "任职起始", "任职截止", "任命文号", "免职文号", "免职原因", "备注"]
    rows = []
    for person in data["people"]:
        for h in person["holdings"]:
            rows.append([
                person["person_id"], person["name"], h["organization"], h["title"], start_text(h["since"]),
                h["until"], h["appointed_by"], h["removed_by"], END_REASON_LABELS.get(h["end_reason"], ""),
                member_notes(h),
            ])
    return headers, rows


END_REASON_LABELS = {
    "removed": "免职",
    "resigned": "辞职",
    "retired": "退休",
    "probation_terminated": "终止试用期",
    "reassigned": "另有任用",
    None: "",
}


def notices_view(data: dict) -> tuple[list[str], list[list]]:
    status = {"recorded": "", "retracted": "已撤销", "amended": "已更正"}
    headers = ["文号", "日期", "标题", "条目数", "状态"]
    rows = [[n["number"], n["date"], n["title"], n["actions"], status.get(n["status"], n["status"])]
            for n in data["notices"]]
    return headers, rows


def orgs_view(data: dict) -> tuple[list[str], list[list]]:
    headers = ["单位", "简称", "任职记录数"]
    rows = [[o["name"], "、".join(o["aliases"]), o["holdings"]] for o in data["organizations"]]
    return headers, rows


def flat_view(items: list[dict], headers: dict[str, str]) -> tuple[list[str], list[list]]:
    """A list of flat dicts as a table: ``headers`` maps each key to its column heading."""
    return list(headers.values()), [[_cell(item.get(k)) for k in headers] for item in items]


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return yes(value)
    if isinstance(value, list):
        return "、".join(map(str, value))
    return value
