"""Notice text to actions.  Pure: no database, no clock.

A notice reads: number line, title, addressees, decision basis (经…研究，决定：),
clauses, signing body, date.  Clauses are split at ；and 。 (never inside
parentheses) across broken lines; a clause may hold several parts split at ，,
of which a later 免去其… refers to the person named first.  Anything not
understood is a NoticeError that quotes the clause: no clause is ever skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Iterable

from .errors import NoticeError
from .orgs import canonical_org_name, split_title
from .text import normalize, squeeze

_NUMBER = re.compile(
    r"(?P<series>[\u4e00-\u9fff]{1,10}?)\s*[〔［\[（【]\s*(?P<year>\d{4})\s*[〕］\]）】]\s*(?P<seq>\d{1,4})\s*号"
)
_DATE_ARABIC = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATE_CHINESE = re.compile(r"([〇○零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日")
_BASIS = re.compile(r"经[^。；]{0,80}?研究[^。；]{0,20}?决定[：]?")
_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]{1,3}|\d{1,2})[、．.]")
_ISSUER_ENDINGS = ("人民政府", "政府", "办公室", "办公厅", "委员会", "管委会", "局")

_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

END_REASONS = ("removed", "resigned", "retired", "probation_terminated", "reassigned")


@dataclass(frozen=True)
class ParsedAction:
    kind: str  # "appoint" | "remove"
    name: str
    org: str
    title: str
    clause: str
    concurrent: bool = False
    acting: bool = False
    probation_months: int | None = None
    secondment: str | None = None
    ranked_after: str | None = None
    end_reason: str | None = None
    gender: str | None = None
    # Index of the action in the same sentence that names this action's person
    # (免去其…): the two resolve to one person.
    same_person_as: int | None = None

    @property
    def probation_years(self) -> float | int | None:
        if self.probation_months is None:
            return None
        years = self.probation_months / 12
        return int(years) if years == int(years) else years


@dataclass
class ParsedNotice:
    number: str
    series: str
    year: int
    seq: int
    issuer: str
    title: str
    addressees: str
    basis: str
    signer: str
    date: date
    actions: list[ParsedAction] = field(default_factory=list)


def chinese_number(text: str) -> int:
    """'1', '一', '两', '十二', '二十' to int; ValueError on anything else."""
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _DIGITS and ch != "十" for ch in text):
        raise ValueError(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)
    if len(text) == 1:
        return _DIGITS[text]
    return int("".join(str(_DIGITS[ch]) for ch in text))  # 二〇二三


def parse_notice(raw: str, known_orgs: Iterable[str] = ()) -> ParsedNotice:
    """Parse a notice's text.  ``known_orgs`` (names and aliases on record) help split
    a name from an organization when a notice runs them together."""
    text = normalize(raw)
    number = _NUMBER.search(text)
    if number is None:
        raise NoticeError("the text has no document number (such as 林政发〔2023〕2号)")
    series, year, seq = number["series"], int(number["year"]), int(number["seq"])
    number_text = f"{series}〔{year}〕{seq}号"

    header = squeeze(text[: number.start()])
    issuer, title = _split_header(header)
    after_number = text[number.end():]

    basis_match = _BASIS.search(squeeze(after_number))
    squeezed_after = squeeze(after_number)
    dates = [m for m in _all_dates(after_number)]
    if not dates:
        raise NoticeError(f"{number_text} has no date (such as 2023年2月6日)")
    date_match, notice_date = dates[-1]

    body_lines = after_number[: date_match.start()].split("\n")
    signer = ""
    while body_lines and not body_lines[-1].strip():
        body_lines.pop()
    if body_lines and _is_issuer(squeeze(body_lines[-1])):
        signer = squeeze(body_lines.pop())
    body = squeeze("\n".join(body_lines))

    addressees = ""
    basis = ""
    if basis_match is not None:
        basis = basis_match.group(0).rstrip("：")
        head, _, body = body.partition(basis_match.group(0))
        addressees = head.rstrip("：")
    else:
        first, colon, rest = body.partition("：")
        if colon and not re.search(r"任|免去", first):
            addressees, body = first, rest

    if not signer:
        body, signer = _split_trailing_signer(body)
    if not issuer:
        issuer = signer

    clauses = _split_clauses(body)
    if not any(re.search(r"任|免去|辞去", clause) for clause in clauses):
        raise NoticeError(f"{number_text} has no appointment or removal clause; it is not a personnel notice")

    reader = _ClauseReader(tuple(known_orgs))
    actions: list[ParsedAction] = []
    for clause in clauses:
        actions.extend(reader.read(clause, offset=len(actions)))
    if not actions:
        raise NoticeError(f"{number_text} has no appointment or removal clause; it is not a personnel notice")
    return ParsedNotice(
        number=number_text, series=series, year=year, seq=seq, issuer=issuer, title=title,
        addressees=addressees, basis=basis, signer=signer, date=notice_date, actions=actions,
    )


def _all_dates(text: str):
    found = []
    for pattern, convert in ((_DATE_ARABIC, int), (_DATE_CHINESE, chinese_number)):
        for m in pattern.finditer(text):
            label = f"{m.group(1)}年{m.group(2)}月{m.group(3)}日".replace(" ", "")
            try:
                found.append((m, date(convert(m.group(1)), convert(m.group(2)), convert(m.group(3)))))
            except ValueError:
                raise NoticeError(f"the date {label} is not a real date") from None
    return sorted(found, key=lambda pair: pair[0].start())


def _split_header(header: str) -> tuple[str, str]:
    if "关于" in header:
        issuer, _, rest = header.partition("关于")
        return issuer, "关于" + rest
    return "", header


def _is_issuer(line: str) -> bool:
    return 2 <= len(line) <= 30 and line.endswith(_ISSUER_ENDINGS) and not re.search(r"任|免去|职务|[，；。（]", line)


def _split_trailing_signer(body: str) -> tuple[str, str]:
    """A one-line notice runs the signing body into the last clause: "…副局长。林芝市人民政府"."""
    cut = max(body.rfind("。"), body.rfind("；"))
    tail = body[cut + 1:]
    if tail and _is_issuer(tail):
        return body[: cut + 1], tail
    return body, ""


def _split_top_level(text: str, separators: str) -> list[str]:
    """Split at separators that are not inside （…）."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch == "（":
            depth += 1
        elif ch == "）":
            depth = max(0, depth - 1)
        if ch in separators and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p for p in parts if p]


def _split_clauses(body: str) -> list[str]:
    # Numbered items 一、二、 may run on inside one paragraph: break before each.
    body = re.sub(r"(?<=[。；：])(?=(?:[一二三四五六七八九十]{1,3})、)", "；", body)
    return [c for c in _split_top_level(body, "；。") if c.strip("，、 ")]


class _ClauseReader:
    """Reads one clause into actions; remembers a 任命：/免去： section header across clauses."""

    def __init__(self, known_orgs: tuple[str, ...]):
        self.known_orgs = sorted(set(known_orgs), key=len, reverse=True)
        self.section: str | None = None

    def read(self, clause: str, offset: int) -> list[ParsedAction]:
        text = _ORDINAL.sub("", clause)
        for header, mode in (("任命", "appoint"), ("免去", "remove")):
            if text.startswith(header + "："):
                self.section = mode
                text = text[len(header) + 1:]
        if not text:
            return []
        actions: list[ParsedAction] = []
        subject: tuple[str, int] | None = None  # the name a later 免去其 refers to
        mode = self.section
        for part in _split_top_level(text, "，"):
            part, qualifiers = _take_qualifiers(part, clause)
            new, mode = self._read_part(part, qualifiers, clause, subject, mode)
            if not new:
                raise NoticeError(f"cannot read the clause {clause!r}")
            for action in new:
                if subject is None:
                    subject = (action.name, offset + len(actions))
                actions.append(action)
        return actions

    def _read_part(self, part, qualifiers, clause, subject, mode):
        q = _Qualifiers.read(qualifiers, clause)
        m = re.fullmatch(r"接受(?P<name>.+?)(?:同志)?辞去(?P<posts>.+?)(?:职务)?的(?:请求|申请)", part)
        if m:
            return self._removals([m["name"]], m["posts"], clause, q, reason="resigned"), mode
        m = re.fullmatch(r"免去其(?P<concurrent>兼任的)?(?P<posts>.+?)职务", part)
        if m:
            if subject is None:
                raise NoticeError(f"免去其 has no one named before it in the clause {clause!r}")
            actions = self._removals([subject[0]], m["posts"], clause, q, concurrent=bool(m["concurrent"]))
            return [replace(a, same_person_as=subject[1]) for a in actions], mode
        m = re.fullmatch(r"(?:免去)(?P<body>.+?)职务", part) or (
            re.fullmatch(r"(?P<body>.+?的.+?)职务", part) if mode == "remove" else None
        )
        if m:
            return self._removal_body(m["body"], clause, q), "remove"
        m = re.fullmatch(r"任命(?P<name>.+?)为(?P<post>.+)", part) or (
            re.fullmatch(r"(?P<name>.+?)为(?P<post>.+)", part) if mode == "appoint" else None
        )
        if m:
            return [self._appointment(m["name"], m["post"], clause, q)], "appoint"
        m = re.fullmatch(r"(?P<name>.+?)(?:同志)?(?P<verb>兼任|担任|代理|任)(?P<post>.+?)(?:职务)?", part)
        if m and not m["name"].startswith(("免去", "任命")):
            return [self._appointment(m["name"], m["post"], clause, q, verb=m["verb"])], mode
        return [], mode

    # -- appointments -------------------------------------------------------

    def _appointment(self, name, post, clause, q, verb="任") -> ParsedAction:
        if q.end_reason:
            raise NoticeError(f"a removal reason stands on an appointment in the clause {clause!r}")
        name, gender = _clean_name(name, clause)
        org, title = self._split_post(post, clause, previous_org=None)
        return ParsedAction(
            kind="appoint", name=name, org=org, title=title, clause=clause,
            concurrent=verb == "兼任", acting=verb == "代理", probation_months=q.probation_months,
            secondment=q.secondment, ranked_after=q.ranked_after, gender=gender or q.gender,
        )

    # -- removals -----------------------------------------------------------

    def _removal_body(self, body: str, clause: str, q) -> list[ParsedAction]:
        if body.endswith("的"):  # 免去X A、B的职务: name and organization run together
            return self._run_together(body[:-1], clause, q)
        if "的" in body:
            names, _, posts = body.partition("的")
            return self._removals(_split_names(names), posts, clause, q)
        return self._run_together(body, clause, q)

    def _run_together(self, body: str, clause: str, q) -> list[ParsedAction]:
        cut = self._name_end(body)
        if cut is None:
            raise NoticeError(f"cannot tell the name from the organization in the clause {clause!r}")
        return self._removals([body[:cut]], body[cut:], clause, q)

    def _name_end(self, body: str) -> int | None:
        """Where the name ends in "扎西市水利局副局长": the known organizations decide."""
        for i in range(2, min(len(body), 12)):
            rest = body[i:]
            if any(rest.startswith(org) for org in self.known_orgs):
                return i
        for i in range(2, min(len(body), 12)):
            if body[i:].startswith(("林芝", "市", "县", "区")) and split_title(body[i:]):
                return i
        return None

    def _removals(self, names, posts, clause, q, reason=None, concurrent=False) -> list[ParsedAction]:
        if q.probation_months or q.ranked_after:
            raise NoticeError(f"a probation or ranking stands on a removal in the clause {clause!r}")
        split_posts, previous = [], None
        for post in posts.split("、"):
            org, title = self._split_post(post, clause, previous)
            split_posts.append((org, title))
            previous = org
        if len(names) > 1 and len(split_posts) > 1:
            raise NoticeError(f"several names and several posts in one removal are ambiguous: {clause!r}")
        actions = []
        for raw_name in names:
            name, gender = _clean_name(raw_name, clause)
            for org, title in split_posts:
                actions.append(ParsedAction(
                    kind="remove", name=name, org=org, title=title, clause=clause, concurrent=concurrent,
                    end_reason=reason or q.end_reason or "removed", gender=gender or q.gender,
                ))
        return actions

    def _split_post(self, post: str, clause: str, previous_org: str | None) -> tuple[str, str]:
        split = split_title(post)
        if split is None:
            raise NoticeError(f"cannot tell the title in {post!r} in the clause {clause!r}")
        org, title = split
        if not org:
            if previous_org is None:
                raise NoticeError(f"no organization for the title {title!r} in the clause {clause!r}")
            org = previous_org
        return canonical_org_name(org), title


@dataclass
class _Qualifiers:
    ranked_after: str | None = None
    probation_months: int | None = None
    secondment: str | None = None
    end_reason: str | None = None
    gender: str | None = None

    @classmethod
    def read(cls, items: list[str], clause: str) -> "_Qualifiers":
        q = cls()
        for item in items:
            if m := re.fullmatch(r"列(.+?)(?:同志)?之后", item):
                q.ranked_after = _clean_name(m[1], clause)[0]
            elif m := re.fullmatch(r"试用期(?:为)?([\d一二两三四五六七八九十]+)(个月|年半|年)", item):
                try:
                    n = chinese_number(m[1])
                except ValueError:
                    raise NoticeError(f"cannot read the probation {item!r} in the clause {clause!r}") from None
                q.probation_months = n if m[2] == "个月" else n * 12 + (6 if m[2] == "年半" else 0)
            elif item == "挂职":
                q.secondment = "挂职"
            elif m := re.fullmatch(r"(?:挂职)?时间(?:为)?(.+)", item):
                q.secondment = f"{q.secondment or '挂职'}，时间{m[1]}"
            elif item == "终止试用期":
                q.end_reason = "probation_terminated"
            elif item == "退休":
                q.end_reason = "retired"
            elif item == "另有任用":
                q.end_reason = "reassigned"
            elif item in ("女", "男"):
                q.gender = item
            else:
                raise NoticeError(f"cannot read the qualifier （{item}） in the clause {clause!r}")
        return q


def _take_qualifiers(part: str, clause: str) -> tuple[str, list[str]]:
    """Remove every （…） from a part; return the bare part and the qualifier items."""
    items: list[str] = []

    def take(m: re.Match) -> str:
        items.extend(i for i in re.split(r"[，；]", m[1]) if i)
        return ""

    bare = re.sub(r"（([^（）]*)）", take, part)
    if "（" in bare or "）" in bare:
        raise NoticeError(f"unbalanced parentheses in the clause {clause!r}")
    return bare, items


def _split_names(names: str) -> list[str]:
    return [n for n in names.split("、") if n]


def _clean_name(name: str, clause: str) -> tuple[str, str | None]:
    gender = None
    if name.endswith(("（女）", "（男）")):
        gender, name = name[-2], name[:-3]
    name = re.sub(r"同志$", "", name)
    if not re.fullmatch(r"[\u4e00-\u9fff·]{2,12}", name) or re.search(r"免去|任命|职务|之后", name):
        raise NoticeError(f"cannot read the name {name!r} in the clause {clause!r}")
    return name, gender
