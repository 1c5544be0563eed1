"""Notice text to actions.  Pure: no database, no clock.

A notice reads: number line, title, addressees, decision basis (经…研究，决定：),
clauses, signing body, date.  Clauses are split at ；and 。 and at a full stop .
outside numbers (never inside parentheses) across broken lines, at a line end
after 职务 or a closing qualifier, and before numbered items (一、 二、 1. …) that
run on inside one paragraph.  A clause may hold several parts split at ，, of
which a later 免去其… refers to the person named first; a leading 因…， gives the
reason of the removals after it.  A 任命 or 免去 governs the bare items that
follow it ("X为Y", "X的Y职务"), as do the section headers 任命：and 免去：.  A
post "A兼B" is two posts, the second concurrent.

Text arrives normalized (registry.text), so the grammar only knows full-width
，；：（）.  Anything not understood is a NoticeError that quotes the clause and
says what was expected.  No clause is ever skipped, by construction: every
character of the decision body belongs to a clause that became actions (or to
a section header), which ``_check_coverage`` verifies; and a new organization
name that holds a verb, clause punctuation or a title followed by more text (a
clause misread as a name) is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Iterable

from .dates import ImpossibleDate, chinese_number, find_dates
from .errors import NoticeError
from .orgs import TITLES, canonical_org_name, split_title
from .text import check_size, normalize, squeeze
from .i18n import _

_NUMBER = re.compile(
    r"(?P<series>[\u4e00-\u9fff]{1,10}?)\s*[〔［\[（【]\s*(?P<year>\d{4})\s*[〕］\]）】]\s*(?P<seq>\d{1,4})\s*号"
)
# A one-line notice runs the title into the number: "…任免职的通知林政发〔2023〕20号".
_TITLE_ENDINGS = ("通知", "决定", "通报", "批复", "命令")
_BASIS = re.compile(r"经[^。；]{0,80}?研究[^。；]{0,20}?决定[：]?")
_CN_NUMERAL = "一二三四五六七八九十"
# Item numbers: 一、  1、  1．  （一）  （1）
_ITEM = re.compile(
    rf"(?:(?P<cn>[{_CN_NUMERAL}]{{1,3}})、|(?P<ar>\d{{1,2}})[、.．](?!\d)|（(?P<paren>[{_CN_NUMERAL}]{{1,3}}|\d{{1,2}})）)"
)
_ISSUER_ENDINGS = ("人民政府", "政府", "办公室", "办公厅", "委员会", "管委会", "局")
_SECTIONS = {"任命": "appoint", "任职": "appoint", "免去": "remove", "免职": "remove"}
# A reason written as a part of its own after the removal: 免去X的Y职务，另有任用。
_REASON_PARTS = {"另有任用": "reassigned", "退休": "retired", "终止试用期": "probation_terminated",
                 "挂职期满": "secondment_ended"}
# A reason written before the verb: 因到龄退休，免去X的Y职务.  None: a reason that changes nothing.
_LEADING_REASONS = {"到龄退休": "retired", "退休": "retired", "挂职期满": "secondment_ended",
                    "工作需要": None, "工作调动": None}
_NOT_IN_NAMES = ("的", "免去", "任命", "职务", "之后", "辞去", "同志", "不再")

# "confirmed": an acting holding ended by the same person's substantive appointment (代理转正).
END_REASONS = ("removed", "resigned", "retired", "probation_terminated", "reassigned", "secondment_ended",
               "confirmed")

# Limits that no real notice reaches (see also text.MAX_NOTICE_BYTES); beyond them a text is
# refused before the clauses are read, which keeps intake linear in its input.
MAX_CLAUSES = 1_000
MAX_CLAUSE_CHARACTERS = 2_000
MAX_NAME_CHARACTERS = 12


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
    # (免去其…, or a second post of the same name: 免去X的A、B职务): the two resolve
    # to one person.
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
    body: str = ""  # the decision body, squeezed, as split into clauses
    clauses: list["Clause"] = field(default_factory=list)  # every clause of the body, in order


@dataclass(frozen=True)
class Clause:
    """A clause of the decision body and how many actions it gave (0 only for a section header)."""

    text: str
    actions: int


@dataclass(frozen=True)
class Heading:
    """A notice's number and date: enough to order a batch before anything else is read."""

    number: str
    series: str
    year: int
    seq: int
    date: date

    @property
    def order(self) -> tuple:
        return (self.date, self.series, self.year, self.seq)


def _read_heading(text: str):
    """Find the number and the date in normalized text; NoticeError if either is missing or impossible."""
    number = _NUMBER.search(text)
    if number is None:
        raise NoticeError(_("the text has no document number (such as 林政发〔2023〕2号)"))
    series, year, seq = number["series"], int(number["year"]), int(number["seq"])
    series_start = number.start("series")
    cut = max(series.rfind(ending) + len(ending) if ending in series else 0 for ending in _TITLE_ENDINGS)
    if 0 < cut < len(series):
        series, series_start = series[cut:], series_start + cut
    number_text = f"{series}〔{year}〕{seq}号"
    after_number = text[number.end():]
    dates = _all_dates(after_number)
    if not dates:
        raise NoticeError(_("{number_text} has no date (such as 2023年2月6日)").format(number_text=number_text))
    date_match, notice_date = dates[-1]
    return Heading(number_text, series, year, seq, notice_date), series_start, after_number, date_match


def read_heading(raw: str) -> Heading:
    check_size(raw)
    return _read_heading(normalize(raw))[0]


def parse_notice(raw: str, known_orgs: Iterable[str] = ()) -> ParsedNotice:
    """Parse a notice's text.  ``known_orgs`` (names and aliases on record) help split
    a name from an organization when a notice runs them together."""
    check_size(raw)
    text = normalize(raw)
    heading, series_start, after_number, date_match = _read_heading(text)
    series, year, seq, number_text, notice_date = heading.series, heading.year, heading.seq, heading.number, heading.date

    header = squeeze(text[:series_start])
    issuer, title = _split_header(header)

    body_lines = after_number[: date_match.start()].split("\n")
    signer = ""
    while body_lines and not body_lines[-1].strip():
        body_lines.pop()
    if body_lines and _is_issuer(squeeze(body_lines[-1])):
        signer = squeeze(body_lines.pop())
    body_text = "\n".join(body_lines)
    squeezed = squeeze(body_text)

    addressees = ""
    basis = ""
    start = 0  # where the clauses begin, in the squeezed body
    basis_match = _BASIS.search(squeezed)
    if basis_match is not None:
        basis = basis_match.group(0).rstrip("：")
        addressees = squeezed[: basis_match.start()].rstrip("：")
        start = basis_match.end()
    else:
        first, colon, _unused = squeezed.partition("：")
        if colon and not re.search(r"任|免|辞去|代理", first):
            addressees, start = first, len(first) + 1
    decision = _mark_line_ends(body_text[_unsqueezed_index(body_text, start):])
    body = _full_stops(squeeze(_mark_items(decision)))

    if not signer:
        body, signer = _split_trailing_signer(body)
    if not issuer:
        issuer = signer

    clauses = _split_clauses(body)
    if len(clauses) > MAX_CLAUSES:
        raise NoticeError(
            _("{number_text} has {count:,} clauses, more than any notice (at most {MAX_CLAUSES:,}); it "
               "is not read").format(number_text=number_text, count=len(clauses), MAX_CLAUSES=MAX_CLAUSES)
        )
    for clause in clauses:
        if len(clause) > MAX_CLAUSE_CHARACTERS:
            raise NoticeError(
                _("the clause starting {value!r} is {count:,} characters long, more than any clause (at most "
                   "{MAX_CLAUSE_CHARACTERS:,}); a clause boundary (。；) may be missing").format(value=clause[:60], count=len(clause), MAX_CLAUSE_CHARACTERS=MAX_CLAUSE_CHARACTERS)
            )
    if not any(_looks_personnel(clause) for clause in clauses):
        raise NoticeError(_("{number_text} has no appointment or removal clause; it is not a personnel notice").format(number_text=number_text))

    reader = _ClauseReader(tuple(known_orgs))
    actions: list[ParsedAction] = []
    read: list[Clause] = []
    for clause in clauses:
        new = reader.read(clause, offset=len(actions))
        if not new and not reader.header_only(clause):
            raise NoticeError(_("nothing was read from the clause {clause}").format(clause=_q(clause)))
        read.append(Clause(clause, len(new)))
        actions.extend(new)
    if not actions:
        raise NoticeError(_("{number_text} has no appointment or removal clause; it is not a personnel notice").format(number_text=number_text))
    _check_coverage(body, read)
    return ParsedNotice(
        number=number_text, series=series, year=year, seq=seq, issuer=issuer, title=title,
        addressees=addressees, basis=basis, signer=signer, date=notice_date, actions=actions,
        body=body, clauses=read,
    )


def _where(part: str) -> str:
    """Where reading stopped, as an expectation's message ends: " in '…'"."""
    return _(" in {part!r}").format(part=part)


def _q(text: str) -> str:
    """A clause or a part quoted in a message: whole, unless it is too long to print."""
    if len(text) <= 200:
        return repr(text)
    return repr(text[:60] + "…") + _(" ({count:,} characters)").format(count=len(text))


_SEPARATORS = re.compile(r"[；。，、\s]")


def _check_coverage(body: str, clauses: list[Clause]) -> None:
    """Every character of the decision body belongs to a clause that was read.

    The clauses come from splitting the body, so this holds unless the
    splitting itself is wrong; checking it here makes a lost clause a refusal
    instead of a silent loss, whatever the grammar grows into.
    """
    read = _SEPARATORS.sub("", "".join(c.text for c in clauses))
    whole = _SEPARATORS.sub("", body)
    if read != whole:
        at = next((i for i, (a, b) in enumerate(zip(read, whole)) if a != b), min(len(read), len(whole)))
        raise NoticeError(_("the part {value} of the decision was not read").format(value=_q(whole[at:at + 40])))


def _mark_line_ends(text: str) -> str:
    """A line that ends in 职务 or in a closing qualifier （…） ends its clause: put a ；there.

    Not when the next line goes on with punctuation, a qualifier, 的 (…职务的请求) or
    is inside parentheses, and not after a （女） that belongs to a name.
    """
    lines = text.split("\n")
    # The first character of the next line that is not blank, for each line (one pass from the end).
    following = [""] * len(lines)
    for index in range(len(lines) - 2, -1, -1):
        later = lines[index + 1].lstrip()
        following[index] = later[:1] or following[index + 1]
    depth = 0
    for index, line in enumerate(lines):
        depth = max(0, depth + line.count("（") - line.count("）"))
        stripped = line.rstrip()
        if depth or not stripped.endswith(("职务", "）")) or stripped.endswith(("（女）", "（男）")):
            continue
        if following[index] and following[index] not in "，、；。：（）的":
            lines[index] = stripped + "；"
    return "\n".join(lines)


def _full_stops(body: str) -> str:
    """An ASCII (or NFKC-folded full-width) full stop ends a clause like 。, except inside a
    number (2023.3) and after an item number (1.)."""
    if "." not in body:
        return body

    def stop(m: re.Match) -> str:
        at = m.start()
        if at and body[at - 1].isdigit():
            if m.end() < len(body) and body[m.end()].isdigit():
                return "."
            digits = at
            while digits and body[digits - 1].isdigit():
                digits -= 1
            if digits == 0 or body[digits - 1] in "；。：，.":
                return "."
        return "。"

    return re.sub(r"\.", stop, body)


def _all_dates(text: str):
    try:
        return find_dates(text)
    except ImpossibleDate as error:
        raise NoticeError(f"the date {error.label} is not a real date") from None


def _split_header(header: str) -> tuple[str, str]:
    if "关于" in header:
        issuer, _unused, rest = header.partition("关于")
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


def _looks_personnel(clause: str) -> bool:
    """Whether a clause means to appoint or remove, readable or not.

    A notice none of whose clauses does is another kind of notice (责任, 任务 and
    主任 hold a 任 too); one that does is read clause by clause, and a clause
    that cannot be read is refused.
    """
    if re.search(r"任命|免去|免职|辞去|代理|兼任|担任|任职", clause):
        return True
    for part in _split_top_level(clause, "，"):
        bare = _strip_post(re.sub(r"（[^（）]*(?:）|$)", "", part))
        if re.search(r"..[任为].", bare) and split_title(bare) is not None:
            return True
    return False


def _unsqueezed_index(text: str, count: int) -> int:
    """The index in ``text`` of its ``count``-th non-whitespace character (0-based)."""
    seen = 0
    for run in re.finditer(r"\S+", text):
        if seen + len(run[0]) > count:
            return run.start() + count - seen
        seen += len(run[0])
    return len(text)


def _mark_items(text: str) -> str:
    """Put a ；before each numbered item (一、 1． （一）) that runs on inside a paragraph.

    An item number counts only where an item can start (after a line break, a
    space or ，。；：, outside parentheses) and only in sequence (the next number,
    or 1 again for a new list), so that 第一、 or a name list never splits.
    One pass, whatever the length of the text.
    """
    expected = {"cn": 1, "ar": 1, "paren": 1}
    pieces: list[str] = []
    depth, scanned, copied = 0, 0, 0
    for m in _ITEM.finditer(text):
        start = m.start()
        between = text[scanned:start]
        depth = max(0, depth + between.count("（") - between.count("）"))
        scanned = start
        if start and not (text[start - 1].isspace() or text[start - 1] in "，。；：."):
            continue
        if depth:
            continue
        style = m.lastgroup
        value = chinese_number(m[style])
        if value not in (expected[style], 1):
            continue
        expected[style] = value + 1
        cut = start - 1 if start and text[start - 1] == "，" else start  # 一、…，二、…: the comma ends the item
        pieces.append(text[copied:cut])
        pieces.append("；")
        copied = start
    pieces.append(text[copied:])
    return "".join(pieces)


def _same_person_within(actions: list[ParsedAction], base: int) -> list[ParsedAction]:
    """免去扎西的A、B职务, 任命扎西为A、B: one person, so each later action names the first."""
    first: dict[str, int] = {}
    linked = []
    for index, action in enumerate(actions):
        if action.same_person_as is None and action.name in first:
            action = replace(action, same_person_as=first[action.name])
        first.setdefault(action.name, base + index)
        linked.append(action)
    return linked


def _split_top_level(text: str, separators: str) -> list[str]:
    """Split at separators that are not inside （…）."""
    parts, depth, begin = [], 0, 0
    for m in re.finditer(f"[（）{separators}]", text):
        ch = m[0]
        if ch == "（":
            depth += 1
        elif ch == "）":
            depth = max(0, depth - 1)
        elif depth == 0:
            parts.append(text[begin:m.start()])
            begin = m.end()
    parts.append(text[begin:])
    return [p for p in parts if p]


def _split_clauses(body: str) -> list[str]:
    return [c for c in _split_top_level(body, "；。") if c.strip("，、 ")]


def _strip_item_number(text: str) -> str:
    while (m := _ITEM.match(text)) is not None:
        text = text[m.end():]
    return text


class _ClauseReader:
    """Reads one clause into actions; remembers which verb governs bare items across clauses."""

    def __init__(self, known_orgs: tuple[str, ...]):
        self.known = {org for org in known_orgs if org}
        self.known_bare = {_bare_org(org) for org in self.known}
        self.section: str | None = None

    def header_only(self, clause: str) -> bool:
        """Whether the clause is a section header alone (任命：), which governs the clauses after it."""
        text = _strip_item_number(clause)
        return any(text == header + "：" for header in _SECTIONS)

    def read(self, clause: str, offset: int) -> list[ParsedAction]:
        text = _strip_item_number(clause)
        for header, mode in _SECTIONS.items():
            if text.startswith(header + "："):
                self.section = mode
                text = _strip_item_number(text[len(header) + 1:])
                break
        if not text:
            return []
        actions: list[ParsedAction] = []
        # The name a later 免去其 refers to, with the index of its first action (None: named
        # without an action, as in "X挂职期满，免去其…").
        subject: tuple[str, int | None] | None = None
        leading: list[str | None] = []  # a reason given before the verb: 因到龄退休，…
        mode = self.section
        previous: list[int] = []  # indexes (in ``actions``) of the previous part's actions
        for part in _split_top_level(text, "，"):
            part, qualifiers = _take_qualifiers(part, clause)
            if part in _REASON_PARTS and not qualifiers:
                actions = self._apply_reason(actions, previous, _REASON_PARTS[part], clause)
                continue
            if (m := re.fullmatch(r"因(?P<reason>.+)", part)) and not actions and not leading and not qualifiers:
                if m["reason"] not in _LEADING_REASONS:
                    raise NoticeError(_("cannot read the reason {part!r} in the clause {clause}: expected one of {items}").format(part=part, clause=_q(clause), items='、'.join('因' + r for r in _LEADING_REASONS)))
                leading.append(_LEADING_REASONS[m["reason"]])
                continue
            m = re.fullmatch(r"(?P<name>.+?)(?:同志)?挂职期满", part)
            if m and subject is None and not actions and not qualifiers and _names_ok(m["name"]):
                subject = (_clean_name(m["name"], clause)[0], None)
                leading.append("secondment_ended")
                continue
            new, mode = self._read_part(part, qualifiers, clause, subject, mode)
            if not new:
                expected = self._expected(part, mode, clause)
                if part == text:  # the whole clause: no need to quote it twice
                    expected = expected.replace(_where(part), "")
                raise NoticeError(_("cannot read the clause {clause}: {expected}").format(clause=_q(clause), expected=expected))
            previous = list(range(len(actions), len(actions) + len(new)))
            new = _same_person_within(new, offset + len(actions))
            for action in new:
                if subject is None:
                    subject = (action.name, offset + len(actions))
                actions.append(action)
        for reason in leading:
            if reason is None:
                continue
            removals = [i for i, a in enumerate(actions) if a.kind == "remove"]
            if not removals:
                raise NoticeError(_("a removal reason stands without a removal in the clause {clause}").format(clause=_q(clause)))
            actions = self._apply_reason(actions, removals, reason, clause)
        self.section = mode
        return actions

    def _expected(self, part: str, mode: str | None, clause: str) -> str:
        """What the grammar expected where it stopped reading ``part``: a name, a verb, a title,
        an organization."""
        if m := re.fullmatch(r"任命(?P<rest>.*)", part):
            names, verb, posts = m["rest"].partition("为")
            if not verb:
                names, verb, posts = m["rest"].partition("代理")
            if not verb:
                return _("expected 为 or 代理 after the names{where}").format(where=_where(part))
            return self._names_expected(names, clause) or self._posts_expected(posts)
        if m := re.fullmatch(r"免去(?P<rest>.*)", part):
            names, of, posts = m["rest"].partition("的")
            if not of:
                return _("expected 的, or an organization on record, after the name{where}").format(where=_where(part))
            return self._names_expected(names, clause) or self._posts_expected(posts)
        for verb in re.finditer(r"兼任|担任|代理|任", part):
            if verb.start():
                names, posts = part[: verb.start()], part[verb.end():]
                return self._names_expected(names, clause) or self._posts_expected(posts)
        if mode == "appoint" and "为" in part:
            names, _unused, posts = part.partition("为")
            return self._names_expected(names, clause) or self._posts_expected(posts)
        if mode == "remove":
            return _("expected a post and 职务 after the name{where}").format(where=_where(part))
        return _("expected a name and a verb (任, 任命…为, 免去, 兼任, 代理){where}").format(where=_where(part))

    def _names_expected(self, names: str, clause: str) -> str:
        for name in names.split("、"):
            if _name_or_none(name) is None:
                _refuse_long_name(name, clause)
                return _("expected a name where {name!r} stands").format(name=name)
        return ""

    def _posts_expected(self, posts: str) -> str:
        if not posts:
            return _("expected a post after the verb")
        previous = None
        for post in posts.split("、"):
            for piece, _unused in _concurrent_pieces(_strip_post(post)):
                split = split_title(piece)
                if split is None:
                    return _("expected a title (局长, 副主任 …) at the end of {piece!r}").format(piece=piece)
                if not split[0] and previous is None:
                    return _("expected an organization before the title {split1!r}").format(split1=split[1])
                previous = split[0] or previous
        return _("expected a name, a verb and a post in {posts!r}").format(posts=posts)

    def _apply_reason(self, actions, previous, reason, clause):
        if not previous or any(actions[i].kind != "remove" for i in previous):
            raise NoticeError(_("a removal reason stands without a removal in the clause {clause}").format(clause=_q(clause)))
        for i in previous:
            if actions[i].end_reason not in ("removed", reason):
                raise NoticeError(_("two removal reasons in the clause {clause}").format(clause=_q(clause)))
            actions[i] = replace(actions[i], end_reason=reason)
        return actions

    def _read_part(self, part, qualifiers, clause, subject, mode):
        q = _Qualifiers.read(qualifiers, clause)
        m = re.fullmatch(r"(?:接受|同意)(?P<names>.+?)(?:同志)?辞去(?P<posts>.+?)(?:职务)?(?:的(?:请求|申请))?", part)
        if m:
            return self._removals(self._names(m["names"], clause), m["posts"], clause, q, reason="resigned"), mode
        m = re.fullmatch(r"免去其(?P<concurrent>兼任的)?(?P<posts>.+?)(?:的)?(?:职务)?", part)
        if m:
            if subject is None:
                raise NoticeError(_("免去其 has no one named before it in the clause {clause}").format(clause=_q(clause)))
            actions = self._removals([(subject[0], None)], m["posts"], clause, q, concurrent=bool(m["concurrent"]))
            return [replace(a, same_person_as=subject[1]) for a in actions], mode
        m = re.fullmatch(r"免去(?P<body>.+?)(?:职务)?", part)
        if m:
            return self._removal_body(m["body"], clause, q), "remove"
        m = re.fullmatch(r"(?P<names>.+?)不再担任(?P<posts>.+?)(?:职务)?", part)
        if m and _names_ok(m["names"]):
            return self._removals(self._names(m["names"], clause), m["posts"], clause, q), mode
        m = re.fullmatch(r"任命(?P<names>.+?)(?P<verb>为|代理)(?P<posts>.+)", part)
        if m:
            acting = m["verb"] == "代理"
            return self._appointments(m["names"], m["posts"], clause, q, acting=acting), "appoint"
        found = self._verb_form(part)
        if found is not None:
            names, verb, posts = found
            return self._appointments(names, posts, clause, q, concurrent=verb == "兼任", acting=verb == "代理"), mode
        if mode == "remove":
            m = re.fullmatch(r"(?P<body>.+?)职务", part) or re.fullmatch(r"(?P<body>.+?的.+)", part)
            if m:
                return self._removal_body(m["body"], clause, q), mode
        if mode == "appoint":
            m = re.fullmatch(r"(?P<names>.+?)为(?P<posts>.+)", part)
            if m:
                return self._appointments(m["names"], m["posts"], clause, q), mode
        return [], mode

    def _verb_form(self, part: str) -> tuple[str, str, str] | None:
        """"X任Y", "X同志兼任Y", "X代理Y职务": the first verb with a name before it and a post after it."""
        for m in re.finditer(r"兼任|担任|代理|任", part):
            names, posts = part[: m.start()], part[m.end():]
            if _names_ok(names) and self._posts_ok(posts):
                return names, m[0], posts
        return None

    def _posts_ok(self, posts: str) -> bool:
        split = [split_title(piece) for post in posts.split("、") for piece, _unused in _concurrent_pieces(_strip_post(post))]
        return bool(split) and all(split) and bool(split[0][0])

    def _names(self, names: str, clause: str) -> list[tuple[str, str | None]]:
        return [_clean_name(name, clause) for name in names.split("、")]

    # -- appointments -------------------------------------------------------

    def _appointments(self, names, posts, clause, q, concurrent=False, acting=False) -> list[ParsedAction]:
        if q.end_reason:
            raise NoticeError(_("a removal reason stands on an appointment in the clause {clause}").format(clause=_q(clause)))
        people = self._names(names, clause)
        split_posts = self._split_posts(posts, clause)
        if len(people) > 1 and len(split_posts) > 1:
            raise NoticeError(_("several names and several posts in one appointment are ambiguous: {clause}").format(clause=_q(clause)))
        actions = []
        for index, (name, gender) in enumerate(people):
            # 任命甲、乙为A（列丙之后）: 甲 after 丙, then 乙 after 甲.
            after = q.ranked_after if index == 0 or q.ranked_after is None else people[index - 1][0]
            if after == name:
                raise NoticeError(_("the clause {clause} ranks {name} after themselves").format(clause=_q(clause), name=name))
            for org, title, second in split_posts:
                actions.append(ParsedAction(
                    kind="appoint", name=name, org=org, title=title, clause=clause,
                    concurrent=concurrent or second, acting=acting, probation_months=q.probation_months,
                    secondment=q.secondment, ranked_after=after,
                    gender=gender or (q.gender if len(people) == 1 else None),
                ))
        return actions

    # -- removals -----------------------------------------------------------

    def _removal_body(self, body: str, clause: str, q) -> list[ParsedAction]:
        body = body.removesuffix("的")  # 免去X A、B的职务
        if "的" in body:
            names, _unused, posts = body.partition("的")
            return self._removals(self._names(names, clause), posts, clause, q)
        cut = self._name_end(body)
        if cut is None:
            raise NoticeError(_("cannot tell the name from the organization in the clause {clause}").format(clause=_q(clause)))
        return self._removals(self._names(body[:cut], clause), body[cut:], clause, q)

    def _name_end(self, body: str) -> int | None:
        """Where the names end in "扎西市水利局副局长": the known organizations decide, then the
        prefix of a city organization."""
        candidates = []
        for i in range(2, min(len(body), 40)):
            if not _names_ok(body[:i]):
                continue
            split = split_title(_strip_post(body[i:].split("、")[0]))
            if split and split[0]:
                candidates.append((i, split[0]))
        for i, org in candidates:
            if org in self.known or canonical_org_name(org) in self.known or _bare_org(org) in self.known_bare:
                return i
        # Not on record: a city organization written with its 市 or 林芝 prefix.  Counties and
        # districts (巴宜区…) have no such mark, so for them the record must decide.
        for i, org in candidates:
            if org.startswith(("林芝", "市")):
                return i
        return None

    def _removals(self, people, posts, clause, q, reason=None, concurrent=False) -> list[ParsedAction]:
        if q.probation_months or q.ranked_after:
            raise NoticeError(_("a probation or ranking stands on a removal in the clause {clause}").format(clause=_q(clause)))
        if reason and q.end_reason and reason != q.end_reason:
            raise NoticeError(_("two removal reasons in the clause {clause}").format(clause=_q(clause)))
        split_posts = self._split_posts(posts, clause)
        if len(people) > 1 and len(split_posts) > 1:
            raise NoticeError(_("several names and several posts in one removal are ambiguous: {clause}").format(clause=_q(clause)))
        actions = []
        for name, gender in people:
            for org, title, second in split_posts:
                actions.append(ParsedAction(
                    kind="remove", name=name, org=org, title=title, clause=clause, concurrent=concurrent or second,
                    secondment=q.secondment, end_reason=reason or q.end_reason or "removed",
                    gender=gender or (q.gender if len(people) == 1 else None),
                ))
        return actions

    def _split_posts(self, posts: str, clause: str) -> list[tuple[str, str, bool]]:
        """"市水利局局长、党组书记": a post without an organization keeps the one before it.
        "市政府副秘书长兼市政府办公室主任": two posts, the second concurrent (兼)."""
        split, previous = [], None
        for post in posts.split("、"):
            for piece, concurrent in _concurrent_pieces(_strip_post(post)):
                org, title = self._split_post(piece, clause, previous)
                split.append((org, title, concurrent))
                previous = org
        return split

    def _split_post(self, post: str, clause: str, previous_org: str | None) -> tuple[str, str]:
        split = split_title(post)
        if split is None:
            raise NoticeError(_("cannot tell the title in {post!r} in the clause {clause}").format(post=post, clause=_q(clause)))
        org, title = split
        if not org:
            if previous_org is None:
                raise NoticeError(_("no organization for the title {title!r} in the clause {clause}").format(title=title, clause=_q(clause)))
            return previous_org, title
        org = canonical_org_name(org)
        if not self._known(org):
            _check_new_org(org, clause)
        return org, title

    def _known(self, org: str) -> bool:
        return org in self.known or _bare_org(org) in self.known_bare


# Words of organization names that hold a title (委员会 holds 委员): not a title followed by more text.
_ORG_WORDS = ("委员会", "主席团", "书记处", "秘书处", "理事会", "会长会", "校长办公会")
_ORG_VERBS = ("任命", "免去", "任", "兼", "为")


def _check_new_org(org: str, clause: str) -> None:
    """A new organization's name holds no verb of the grammar, no clause punctuation and no title
    followed by more text: such a name is a misread clause, never an organization."""
    verb = next((v for v in _ORG_VERBS if v in org), None)
    mark = next((ch for ch in "。；，：.、" if ch in org), None)
    bare = org
    for word in _ORG_WORDS:
        bare = bare.replace(word, "〇" * len(word))
    title = next((t for t in TITLES if 0 <= bare.find(t) < len(bare) - len(t)), None)
    if verb or mark or title:
        why = (_("the verb {verb}").format(verb=verb) if verb else _("the punctuation {mark}").format(mark=mark) if mark
               else _("the title {title} followed by more").format(title=title))
        raise NoticeError(
            _("{org!r} cannot be an organization ({why}) in the clause {clause}; a clause boundary or a "
               "verb was not read").format(org=org, why=why, clause=_q(clause))
        )


def _concurrent_pieces(post: str) -> list[tuple[str, bool]]:
    """"A局局长兼B局局长" → [("A局局长", False), ("B局局长", True)]: split at a 兼 that has a title
    before it and a title at the end of what follows; any other 兼 stays in the text."""
    if "兼" not in post:
        return [(post, False)]
    segments = post.split("兼")
    pieces, current = [], segments[0]
    for segment in segments[1:]:
        if split_title(current) is not None and split_title(segment) is not None:
            pieces.append(current)
            current = segment
        else:
            current += "兼" + segment
    pieces.append(current)
    return [(piece, index > 0) for index, piece in enumerate(pieces)]


_DURATION = r"([\d一二两三四五六七八九十]+)(个月|年半|年)|半年"


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

        def once(name: str, value, item: str):
            if getattr(q, name) is not None and getattr(q, name) != value:
                raise NoticeError(_("the qualifier （{item}） contradicts another in the clause {clause}").format(item=item, clause=_q(clause)))
            setattr(q, name, value)

        for item in items:
            if m := re.fullmatch(r"列(.+?)(?:同志)?之后", item):
                once("ranked_after", _clean_name(m[1], clause)[0], item)
            elif m := re.fullmatch(rf"试用期(?:为)?(?P<span>{_DURATION})", item):
                once("probation_months", _months(m["span"], item, clause), item)
            elif item in ("挂职", "挂职锻炼"):
                q.secondment = item if q.secondment is None else q.secondment
            elif m := re.fullmatch(rf"(?:挂职(?:时间|期限)?|时间|期限)(?:为)?(?P<span>{_DURATION})", item):
                _months(m["span"], item, clause)
                if q.secondment is not None and "，" in q.secondment:
                    raise NoticeError(_("the qualifier （{item}） contradicts another in the clause {clause}").format(item=item, clause=_q(clause)))
                q.secondment = f"{q.secondment or '挂职'}，时间{m['span']}"
            elif item in _REASON_PARTS:
                once("end_reason", _REASON_PARTS[item], item)
            elif item in ("女", "男"):
                once("gender", item, item)
            else:
                raise NoticeError(_("cannot read the qualifier （{item}） in the clause {clause}").format(item=item, clause=_q(clause)))
        return q


def _months(span: str, item: str, clause: str) -> int:
    """一年 → 12, 一年半 → 18, 6个月 → 6, 半年 → 6."""
    m = re.fullmatch(_DURATION, span)
    if m is None or m[1] is None:
        return 6  # 半年
    try:
        n = chinese_number(m[1])
    except ValueError:
        raise NoticeError(_("cannot read the time （{item}） in the clause {clause}").format(item=item, clause=_q(clause))) from None
    months = n if m[2] == "个月" else n * 12 + (6 if m[2] == "年半" else 0)
    if months <= 0:
        raise NoticeError(_("cannot read the time （{item}） in the clause {clause}").format(item=item, clause=_q(clause)))
    return months


def _take_qualifiers(part: str, clause: str) -> tuple[str, list[str]]:
    """Remove every （…） from a part; return the bare part and the qualifier items.

    A （女） right after a name (followed by more of the part) stays where it
    is: it belongs to that name, not to the whole part.
    """
    items: list[str] = []

    def take(m: re.Match) -> str:
        rest = m.string[m.end():]
        if m[1] in ("女", "男") and rest and not rest.startswith("（"):
            return m[0]
        items.extend(i for i in re.split(r"[，；]", m[1]) if i)
        return ""

    bare = re.sub(r"（([^（）]*)）", take, part)
    leftover = re.sub(r"（[女男]）", "", bare)
    if "（" in leftover or "）" in leftover:
        raise NoticeError(_("unbalanced parentheses in the clause {clause}").format(clause=_q(clause)))
    return bare, items


def _strip_post(post: str) -> str:
    return post.removesuffix("职务")


def _bare_org(name: str) -> str:
    for prefix in ("林芝市", "林芝", "市"):
        if name.startswith(prefix) and len(name) > len(prefix) + 1:
            return name[len(prefix):]
    return name


_NAME = re.compile(rf"(?P<name>[\u4e00-\u9fff·]{{2,{MAX_NAME_CHARACTERS}}}?)(?:同志)?(?:（(?P<gender>[女男])）)?(?:同志)?")


def _name_or_none(name: str) -> tuple[str, str | None] | None:
    m = _NAME.fullmatch(name)
    if m is None or any(word in m["name"] for word in _NOT_IN_NAMES):
        return None
    return m["name"], m["gender"]


def _names_ok(names: str) -> bool:
    return all(_name_or_none(name) is not None for name in names.split("、"))


def _refuse_long_name(name: str, clause: str) -> None:
    bare = re.sub(r"同志|（[女男]）", "", name)
    if len(bare) > MAX_NAME_CHARACTERS and re.fullmatch(r"[\u4e00-\u9fff·]+", bare):
        raise NoticeError(
            _("the name {bare} in the clause {clause} is {count} characters long; a name has at most "
               "{MAX_NAME_CHARACTERS}").format(bare=_q(bare), clause=_q(clause), count=len(bare), MAX_NAME_CHARACTERS=MAX_NAME_CHARACTERS)
        )


def _clean_name(name: str, clause: str) -> tuple[str, str | None]:
    found = _name_or_none(name)
    if found is None:
        _refuse_long_name(name, clause)
        raise NoticeError(_("cannot read the name {name!r} in the clause {clause}").format(name=name, clause=_q(clause)))
    return found
