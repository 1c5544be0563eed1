"""What ``add-notice`` shows before it records: every action, who each name is, and why.

Nothing is silent: a new person, a new organization, a holder known only from
a 列X之后 reference and a name shared with people on record all show here.

A preview runs in a transaction that is rolled back, so the ids of the people
it creates are provisional.  Such a person is shown as new ("新人员"), and a
later item that names the same person says which item created them ("同第2项"),
never a provisional id.  In a batch, ``earlier`` maps the provisional ids the
batch's earlier notices created to where they were created.
"""

from __future__ import annotations

from .record import Outcome, PlannedAction
from .i18n import _

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
    "secondment_ended": "免去（挂职期满）",
}
HEADERS = ["序", "动作", "姓名", "人员", "单位", "职务", "附注", "人员认定"]


def verb(step: PlannedAction) -> str:
    a = step.parsed
    if a.kind == "appoint":
        return VERBS[("appoint", a.concurrent, a.acting)]
    label = REMOVAL_VERBS.get(a.end_reason or "removed", "免去")
    return label + ("兼任" if a.concurrent else "")


def _years(months: int) -> str:
    years = months / 12
    if years == int(years):
        return f"{int(years)}年"
    if months == 6:
        return "半年"
    if months % 12 == 6:
        return f"{months // 12}年半"
    return f"{months}个月"


def created_people(outcome: Outcome) -> dict[int, int]:
    """The people this notice creates (provisional ids in a preview), with the item that first names them."""
    created: dict[int, int] = {}
    for index, step in enumerate(outcome.plan, start=1):
        if step.person_new:
            created.setdefault(step.person_id, index)
        if step.ranked_after_new:
            created.setdefault(step.ranked_after_person_id, index)
    return created


def created_elsewhere(outcome: Outcome) -> dict[int, str]:
    """For a batch: the people this notice creates, described for the notices after it."""
    return {pid: f"{outcome.notice.number}第{index}项" for pid, index in created_people(outcome).items()}


def _who(person_id: int, index: int, created: dict[int, int], earlier: dict[int, str]) -> str | None:
    """How to name a person this notice (or an earlier one of the batch) creates; None for one on record."""
    if person_id in created and created[person_id] < index:
        return f"新人员，同第{created[person_id]}项"
    if person_id in earlier:
        return f"新人员，同{earlier[person_id]}"
    return None


def qualifiers(step: PlannedAction, index: int = 0, created: dict[int, int] | None = None,
               earlier: dict[int, str] | None = None) -> list[str]:
    a = step.parsed
    items = []
    if a.ranked_after:
        if step.ranked_after_new:
            who = "新人员，推定在任"
        else:
            who = _who(step.ranked_after_person_id, index, created or {}, earlier or {}) \
                or f"#{step.ranked_after_person_id}"
        items.append(f"列{a.ranked_after}之后（{who}）")
    if a.probation_months:
        items.append(f"试用期{_years(a.probation_months)}")
    if a.secondment:
        items.append(a.secondment)
    if a.gender:
        items.append(a.gender)
    return items


def person_text(step: PlannedAction, index: int = 0, created: dict[int, int] | None = None,
                earlier: dict[int, str] | None = None) -> str:
    if step.person_new:
        return "新人员"
    who = _who(step.person_id, index, created or {}, earlier or {})
    if who is not None:
        return who
    held = "、".join(step.existing_posts)
    former = "、".join(step.former_posts)  # held on the notice's date, left since: not 现任
    return f"#{step.person_id}" + (f" 现任{held}" if held else "") + (f" 时任{former}" if former else "")


def preview_rows(outcome: Outcome, earlier: dict[int, str] | None = None) -> tuple[list[str], list[list]]:
    created = created_people(outcome)
    rows = []
    for index, step in enumerate(outcome.plan, start=1):
        org = step.org_name + ("（新单位）" if step.org_new else "")
        rows.append([index, verb(step), step.parsed.name, person_text(step, index, created, earlier), org,
                     step.parsed.title, "；".join(qualifiers(step, index, created, earlier)), step.how])
    return list(HEADERS), rows


def preview_json(outcome: Outcome, earlier: dict[int, str] | None = None) -> dict:
    """The add-notice --dry-run JSON contract; person_id is null for anyone the preview creates."""
    notice = outcome.notice
    provisional = set(created_people(outcome)) | set(earlier or {})
    return {
        "number": notice.number,
        "date": notice.date.isoformat(),
        "title": notice.title,
        "actions": [
            {
                "action": step.parsed.kind,
                "name": step.parsed.name,
                "person_id": None if step.person_new or step.person_id in provisional else step.person_id,
                "organization": step.org_name,
                "title": step.parsed.title,
                "concurrent": step.parsed.concurrent,
                "probation_years": step.parsed.probation_years,
                "ranked_after": step.parsed.ranked_after,
                "acting": step.parsed.acting if step.parsed.kind == "appoint" else None,
                "secondment": step.parsed.secondment,
                "end_reason": step.parsed.end_reason if step.parsed.kind == "remove" else None,
            }
            for step in outcome.plan
        ],
    }


def preview_warnings(outcome: Outcome, earlier: dict[int, str] | None = None) -> list[str]:
    created = created_people(outcome)
    provisional = set(created) | set(earlier or {})
    warnings = []
    for index, step in enumerate(outcome.plan, start=1):
        name = step.parsed.name
        if step.person_new and step.namesakes:
            on_record = [pid for pid in step.namesakes if pid not in provisional]
            new_too = [created[pid] for pid in step.namesakes if pid in created]
            if on_record:
                ids = ", ".join(map(str, on_record))
                warnings.append(
                    _("{name} is recorded as a new person, but people called {name} are on record (ids {ids}); "
                       "if this is one of them, add --person {name}=ID").format(name=name, ids=ids)
                )
            if new_too:
                items = ", ".join(map(str, sorted(new_too)))
                warnings.append(_("{name} in item {index} is recorded as another person than the {name} of item {items}").format(name=name, index=index, items=items))
        if step.ranked_after_new:
            warnings.append(
                _("{ranked_after} is known only from 列{ranked_after}之后: recorded as holding {title} of "
                   "{org_name}, start not on record").format(ranked_after=step.parsed.ranked_after, title=step.parsed.title, org_name=step.org_name)
            )
        if step.org_new:
            warnings.append(_("{org_name} is a new organization").format(org_name=step.org_name))
    return list(dict.fromkeys(warnings))
