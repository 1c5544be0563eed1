"""Tables, JSON and CSV.  The only module that imports tabulate.

Tables have Chinese headers and align with Chinese text because tabulate
measures width with wcwidth (installed by ``tabulate[widechars]``); given a
terminal's width, a table drops its id columns and then wraps its 备注 to fit.  JSON keeps
Chinese as it is (``ensure_ascii=False``); CSV is UTF-8 with a header row,
optionally with a BOM so that Excel opens it right.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Iterator, Sequence


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


# Characters of East Asian "ambiguous" width: a terminal set to draw them wide would
# misalign every column after them, so terminal tables write them as ASCII.
AMBIGUOUS = str.maketrans({"…": "...", "–": "~", "—": "--"})

# A column narrower than this is not worth wrapping into.
NARROWEST_NOTES = 8


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], width: int | None = None) -> str:
    """A plain-text table; with ``width`` (a terminal's), made to fit: first without the id
    columns (headings ending in ID), then with the 备注 column wrapped."""
    headers = [str(h).translate(AMBIGUOUS) for h in headers]
    cells = [["" if v is None else v.translate(AMBIGUOUS) if isinstance(v, str) else v for v in row]
             for row in rows]
    text = _tabulate(headers, cells)
    if width is None or _width(text) <= width:
        return text
    keep = [i for i, h in enumerate(headers) if not h.endswith("ID")]
    if len(keep) < len(headers):
        headers, cells = [headers[i] for i in keep], [[row[i] for i in keep] for row in cells]
        text = _tabulate(headers, cells)
    if _width(text) <= width or "备注" not in headers:
        return text
    notes = headers.index("备注")
    widest = max([_width(str(row[notes])) for row in cells] + [_width("备注")])
    fitted = max(widest - (_width(text) - width), NARROWEST_NOTES)
    limits = [fitted if i == notes else None for i in range(len(headers))]
    return _tabulate(headers, cells, maxcolwidths=limits)


def _tabulate(headers, cells, **options) -> str:
    # Imported here, not at the top, so that `registry --help` and every command that prints no
    # table start without tabulate (issue 10, start-up).
    from tabulate import tabulate

    return tabulate(cells, headers=headers, tablefmt="simple", disable_numparse=True, **options)


def _width(text: str) -> int:
    """The display width of the widest line (a character wcwidth cannot measure counts as one)."""
    from wcwidth import wcswidth

    widths = [(wcswidth(line), len(line)) for line in text.splitlines()]
    return max((measured if measured >= 0 else length for measured, length in widths), default=0)


# Text a spreadsheet reads as a formula when a cell starts with it (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: Any) -> Any:
    """Text starting like a formula, with a leading ' so that Excel and WPS show it as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]], bom: bool = False) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else defuse(_csv_value(v)) for v in row])
    return ("\ufeff" if bom else "") + out.getvalue()


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "、".join(map(str, value))
    if isinstance(value, dict):
        # A nested JSON object (a notice's source) stays JSON, which a script can read back.
        return json.dumps(value, ensure_ascii=False)
    return value


def yes(flag: bool) -> str:
    return "是" if flag else ""


def start_text(since: str | None) -> str:
    return since if since is not None else "(未记载)"


def member_notes(m: dict) -> str:
    notes = []
    if m.get("inferred"):
        notes.append("据排序推定")
    if not m.get("start_known", True):
        notes.append("任职起始未记载")
    if m.get("concurrent"):
        notes.append("兼任")
    if m.get("acting"):
        notes.append("代理")
    if m.get("on_probation"):
        notes.append(f"试用期至{m['probation_until']}")
    if m.get("secondment"):
        notes.append(m["secondment"])
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


ROSTER_KEYS = ["rank", "name", "person_id", "title", "since", "start_known", "concurrent", "acting", "inferred",
               "probation_until", "on_probation", "ranked_after", "basis"]


def roster_csv_view(data: dict) -> tuple[list[str], list[list]]:
    """One roster, or every roster (``rosters``): a row per member, led by organization and as_of."""
    rosters = data["rosters"] if "rosters" in data else [data]
    keys = _keys([m for r in rosters for m in r["members"]], ROSTER_KEYS)
    rows = [[r["organization"], r["as_of"]] + [m.get(k) for k in keys] for r in rosters for m in r["members"]]
    return ["organization", "as_of"] + keys, rows


def _keys(items: list[dict], default: list[str]) -> list[str]:
    """The JSON keys of the first item (so that a key added to the JSON shows in the CSV too)."""
    return list(items[0].keys()) if items else default


HOLDER_KEYS = ["name", "person_id", "since", "until", "start_known", "concurrent", "inferred", "basis"]


def who_held_csv_view(data: dict) -> tuple[list[str], list[list]]:
    keys = _keys(data["holders"], HOLDER_KEYS)
    return (["organization", "title", "on"] + keys,
            [[data["organization"], data["title"], data["on"]] + [h.get(k) for k in keys] for h in data["holders"]])


HISTORY_KEYS = ["organization", "title", "since", "until", "start_known", "concurrent", "acting", "inferred",
                "probation_until", "ranked_after", "appointed_by", "removed_by", "end_reason"]


def history_csv_view(data: dict) -> tuple[list[str], list[list]]:
    keys = _keys([h for p in data["people"] for h in p["holdings"]], HISTORY_KEYS)
    return (["person_id", "name"] + keys,
            [[p["person_id"], p["name"]] + [h.get(k) for k in keys] for p in data["people"] for h in p["holdings"]])


def notices_csv_view(data: dict) -> tuple[list[str], list[list]]:
    keys = _keys(data["notices"], ["number", "date", "title", "actions", "status"])
    return keys, [[n.get(k) for k in keys] for n in data["notices"]]


def orgs_csv_view(data: dict) -> tuple[list[str], list[list]]:
    keys = _keys(data["organizations"], ["name", "aliases", "holdings"])
    return keys, [[o.get(k) for k in keys] for o in data["organizations"]]


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
    "secondment_ended": "挂职期满",
    "confirmed": "代理转正",
    None: "",
}


def notices_view(data: dict) -> tuple[list[str], list[list]]:
    status = {"recorded": "", "retracted": "已撤销", "amended": "已更正"}
    headers = ["文号", "日期", "标题", "条目数", "状态", "来源"]
    rows = [[n["number"], n["date"], n["title"], n["actions"], status.get(n["status"], n["status"]),
             source_text(n.get("source"))]
            for n in data["notices"]]
    return headers, rows


def source_text(source: dict | None) -> str:
    """'公报.pdf 第4篇 第37–38页': the file, the document's place in it, its pages."""
    if source is None:
        return ""
    parts = [source["file"]]
    if source.get("document") is not None:
        parts.append(f"第{source['document']}篇")
    if source.get("pages"):
        first, last = source["pages"]
        parts.append(f"第{first}页" if first == last else f"第{first}–{last}页")
    return " ".join(parts)


def orgs_view(data: dict) -> tuple[list[str], list[list]]:
    headers = ["单位", "简称", "任职记录数"]
    rows = [[o["name"], "、".join(o["aliases"]), o["holdings"]] for o in data["organizations"]]
    return headers, rows


# -- reports: changes, probation, vacancies, check ---------------------------------

CHANGE_LABELS = {"appoint": "任", "remove": "免", "referenced": "推定在任", "confirmed": "代理转正"}


def change_notes(c: dict) -> str:
    notes = []
    if c["action"] == "referenced":
        notes.append(f"仅见于列{c['name']}之后，任职起始未记载")
    if c["concurrent"]:
        notes.append("兼任")
    if c["acting"]:
        notes.append("代理")
    if c["probation_until"]:
        notes.append(f"试用期至{c['probation_until']}")
    if c["secondment"]:
        notes.append(c["secondment"])
    if c["end_reason"] not in (None, "removed"):
        notes.append(END_REASON_LABELS.get(c["end_reason"], c["end_reason"]))
    return "；".join(notes)


def changes_view(data: dict) -> tuple[list[str], list[list]]:
    headers = ["日期", "文号", "变动", "姓名", "单位", "职务", "列…之后", "备注", "人员ID"]
    rows = [
        [c["date"], c["number"], CHANGE_LABELS.get(c["action"], c["action"]), c["name"], c["organization"],
         c["title"], c["ranked_after"], change_notes(c), c["person_id"]]
        for c in data["changes"]
    ]
    return headers, rows


CHANGE_KEYS = ["date", "number", "action", "name", "person_id", "organization", "title", "concurrent", "acting",
               "probation_until", "ranked_after", "end_reason", "secondment", "clause"]


def changes_csv_view(data: dict) -> tuple[list[str], list[list]]:
    return CHANGE_KEYS, [[c[k] for k in CHANGE_KEYS] for c in data["changes"]]


PROBATION_LABELS = {"in_force": "试用期内", "ending_soon": "即将期满", "ended_early": "提前离任",
                    "terminated": "终止试用期"}


def probation_view(data: dict) -> tuple[list[str], list[list]]:
    headers = ["姓名", "单位", "职务", "任职起始", "试用期至", "状态", "依据", "任职截止", "免职文号", "人员ID"]
    rows = [
        [p["name"], p["organization"], p["title"], start_text(p["since"]), p["probation_until"],
         PROBATION_LABELS.get(p["status"], p["status"]), p["basis"], p["until"], p["ended_by"], p["person_id"]]
        for p in data["probations"]
    ]
    return headers, rows


PROBATION_KEYS = ["name", "person_id", "organization", "title", "since", "probation_until", "status", "basis",
                  "until", "end_reason", "ended_by"]


def probation_csv_view(data: dict) -> tuple[list[str], list[list]]:
    return PROBATION_KEYS, [[p[k] for k in PROBATION_KEYS] for p in data["probations"]]


def vacancies_view(data: dict) -> tuple[list[str], list[list]]:
    headers = ["职务", "空缺起始", "前任", "免职文号", "前任人员ID"]
    rows = [
        [v["title"], v["vacant_since"] or "(此前无任职记录)", v["last_holder"], v["removed_by"], v["last_person_id"]]
        for v in data["vacancies"]
    ]
    return headers, rows


VACANCY_KEYS = ["title", "last_holder", "last_person_id", "vacant_since", "removed_by"]


def vacancies_csv_view(data: dict) -> tuple[list[str], list[list]]:
    return VACANCY_KEYS, [[v[k] for k in VACANCY_KEYS] for v in data["vacancies"]]


def _findings(data: dict) -> list[tuple[str, dict]]:
    return [("error", f) for f in data["errors"]] + [("warning", f) for f in data["warnings"]]


def check_json_chunks(findings) -> Iterator[str]:
    """``to_json`` of check's answer, written piece by piece as the findings come (``findings``:
    ``reports.check_findings``, every error before the first warning): the same text, never held
    whole."""
    yield '{\n  "errors": ['
    current, first = "error", True
    for level, finding in findings:
        if level != current:
            if level != "warning" or current != "error":
                raise ValueError("check's findings put an error after a warning")
            yield ("]" if first else "\n  ]") + ',\n  "warnings": ['
            current, first = level, True
        yield ("\n    " if first else ",\n    ") + to_json(finding).replace("\n", "\n    ")
        first = False
    if current == "error":
        yield ("]" if first else "\n  ]") + ',\n  "warnings": ['
        first = True
    yield ("]" if first else "\n  ]") + "\n}"


def notices_json_chunks(entries, missing: list[str]) -> Iterator[str]:
    """``to_json`` of the notices' answer, written piece by piece as the entries come (``entries``:
    ``queries.notice_entries``, which fills ``missing`` as it goes): the same text, never held whole."""
    yield '{\n  "notices": ['
    first = True
    for entry in entries:
        yield ("\n    " if first else ",\n    ") + to_json(entry).replace("\n", "\n    ")
        first = False
    yield ("]" if first else "\n  ]") + ',\n  "missing": ' + to_json(missing).replace("\n", "\n  ") + "\n}"


def check_view(data: dict) -> tuple[list[str], list[list]]:
    headers = ["级别", "代码", "说明", "涉及ID"]
    kinds = (("holdings", "任职"), ("people", "人员"), ("notices", "文件"))
    rows = []
    for level, f in _findings(data):
        ids = "；".join(f"{label} {'、'.join(map(str, f['ids'][key]))}" for key, label in kinds if f["ids"][key])
        rows.append(["错误" if level == "error" else "警告", f["code"], f["message"], ids])
    return headers, rows


def check_csv_view(data: dict) -> tuple[list[str], list[list]]:
    headers = ["level", "code", "message", "holdings", "people", "notices"]
    rows = [[level, f["code"], f["message"], f["ids"]["holdings"], f["ids"]["people"], f["ids"]["notices"]]
            for level, f in _findings(data)]
    return headers, rows


def roster_import_view(outcome) -> tuple[list[str], list[list]]:
    """A starting roster's preview: each row, the person it names and how the name was resolved."""
    headers = ["行", "单位", "姓名", "职务", "任职时间", "任职文号", "备注", "人员", "人员认定"]
    rows = []
    for step in outcome.plan:
        e = step.entry
        rows.append([e.row_number, step.organization, e.name, e.title, start_text(e.since and e.since.isoformat()),
                     e.document, e.note, "新人员" if step.person_new else f"#{step.person_id}", step.how])
    return headers, rows
