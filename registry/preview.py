"""What ``add-notice`` shows before it records: every action, who each name is, and why.

Nothing is silent: a new person, a new organization, a holder known only from
a 列X之后 reference and a name shared with people on record all show here.
"""

from __future__ import annotations

from .record import Outcome, PlannedAction

VERBS = {
    ("appoint", False, False): "任",
    ("appoint", True, False): "兼任",
    ("appoint", False, True): "代理",
    ("appoint", True, True): "兼任代理",
}
REMOVAL_VERBS = {
    "removed": "免去",
    "resigned": "辞去",
    "retired": "免去（退休）",
    "probation_terminated": "免去（终止试用期）",
    "reassigned": "免去（另有任用）",
}


def verb(step: PlannedAction) -> str:
    a = step.parsed
    if a.kind == "appoint":
        return VERBS[("appoint", a.concurrent, a.acting)]
    label = REMOVAL_VERBS.get(a.end_reason or "removed", "免去")
    return label + ("兼任" if a.concurrent else "")


def _years(months: int) -> str:
    years = months / 12
    return f"{int(years)}年" if years == int(years) else f"{months}个月"


def qualifiers(step: PlannedAction) -> list[str]:
    a = step.parsed
    items = []
    if a.ranked_after:
        who = "新人员，推定在任" if step.ranked_after_new else f"#{step.ranked_after_person_id}"
        items.append(f"列{a.ranked_after}之后（{who}）")
    if a.probation_months:
        items.append(f"试用期{_years(a.probation_months)}")
    if a.secondment:
        items.append(a.secondment)
    if a.gender:
        items.append(a.gender)
    return items


def person_text(step: PlannedAction) -> str:
    if step.person_new:
        return "新人员"
    held = "、".join(step.existing_posts)
    return f"#{step.person_id}" + (f" 现任{held}" if held else "")


def preview_rows(outcome: Outcome) -> tuple[list[str], list[list]]:
    headers = ["序", "动作", "姓名", "人员", "单位", "职务", "附注", "依据"]
    rows = []
    for index, step in enumerate(outcome.plan, start=1):
        org = step.org_name + ("（新单位）" if step.org_new else "")
        rows.append([index, verb(step), step.parsed.name, person_text(step), org, step.parsed.title,
                     "；".join(qualifiers(step)), step.how])
    return headers, rows


def preview_json(outcome: Outcome) -> dict:
    notice = outcome.notice
    return {
        "number": notice.number,
        "date": notice.date.isoformat(),
        "title": notice.title,
        "actions": [
            {
                "action": step.parsed.kind,
                "name": step.parsed.name,
                "person_id": None if step.person_new else step.person_id,
                "organization": step.org_name,
                "title": step.parsed.title,
                "concurrent": step.parsed.concurrent,
                "probation_years": step.parsed.probation_years,
                "ranked_after": step.parsed.ranked_after,
            }
            for step in outcome.plan
        ],
    }


def preview_warnings(outcome: Outcome) -> list[str]:
    warnings = []
    seen = set()
    for step in outcome.plan:
        name = step.parsed.name
        if step.person_new and step.namesakes and name not in seen:
            seen.add(name)
            ids = ", ".join(map(str, step.namesakes))
            warnings.append(
                f"{name} is recorded as a new person, but people called {name} are on record (ids {ids}); "
                f"if this is one of them, add --person {name}=ID"
            )
        if step.ranked_after_new:
            warnings.append(
                f"{step.parsed.ranked_after} is known only from 列{step.parsed.ranked_after}之后: recorded as holding "
                f"{step.parsed.title} of {step.org_name}, start not on record"
            )
        if step.org_new:
            warnings.append(f"{step.org_name} is a new organization")
    return list(dict.fromkeys(warnings))
