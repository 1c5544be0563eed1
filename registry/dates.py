"""Dates as the office writes them: one grammar for what a clerk types and what a notice says.

A notice is signed 2023年2月6日 or 二〇二三年二月六日; a clerk types 2023-02-06, 2023/2/6,
2023.2.6, 20230206, 2023年2月6号 or any of these in full-width digits.  ``find_dates`` finds the
written forms (年月日, Arabic or Chinese numerals) in a notice's text, ``parse_date`` reads one
typed date in any form; both turn the pieces into a date in ``_day`` alone, so a date the notice
reader reads is a date a clerk may type, and the other way round.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from .i18n import _

# The forms a refusal names, in the order a clerk is likely to type them.
FORMS = ("2023-02-06", "2023/2/6", "2023.2.6", "20230206", "2023年2月6日", "2023年2月6号", "二〇二三年二月六日")

_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
           "九": 9}
_CN_YEAR = "[〇○零一二三四五六七八九]{4}"
_CN_SMALL = "[一二三四五六七八九十]{1,3}"

# Written with 年 月 日 (or 号, as people say it): what notices use, and what a clerk may type.
WRITTEN = re.compile(
    rf"(?:(?P<year>\d{{4}})\s*年\s*(?P<month>\d{{1,2}})\s*月\s*(?P<day>\d{{1,2}})"
    rf"|(?P<cn_year>{_CN_YEAR})\s*年\s*(?P<cn_month>{_CN_SMALL})\s*月\s*(?P<cn_day>{_CN_SMALL}))\s*[日号]"
)
# Typed with a separator (one kind throughout) or as eight digits.
_TYPED = (
    re.compile(r"(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})"),
    re.compile(r"(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})"),
)


class ImpossibleDate(ValueError):
    """A date in a readable form that no calendar has (2023年2月30日)."""

    def __init__(self, label: str):
        super().__init__(label)
        self.label = label


def chinese_number(text: str) -> int:
    """'1', '一', '两', '十二', '二十' to int; '二〇二三' digit by digit; ValueError on anything else."""
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _DIGITS and ch != "十" for ch in text):
        raise ValueError(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        if len(tens) > 1 or len(ones) > 1 or "十" in ones:
            raise ValueError(text)
        return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)
    if len(text) == 1:
        return _DIGITS[text]
    return int("".join(str(_DIGITS[ch]) for ch in text))  # 二〇二三


def _day(m: re.Match) -> date:
    """The date a match of any form names; ImpossibleDate (naming it as written) if there is none."""
    if m.groupdict().get("cn_year"):
        pieces = (m["cn_year"], m["cn_month"], m["cn_day"])
        label = f"{pieces[0]}年{pieces[1]}月{pieces[2]}日"
    else:
        pieces = (m["year"], m["month"], m["day"])
        label = f"{pieces[0]}年{pieces[1]}月{pieces[2]}日" if m.re is WRITTEN else m[0]
    try:
        return date(*(chinese_number(piece) for piece in pieces))
    except ValueError:
        raise ImpossibleDate(label) from None


def find_dates(text: str) -> list[tuple[re.Match, date]]:
    """Every written date in a text (already normalized), in order; ImpossibleDate on 2023年2月30日."""
    return [(m, _day(m)) for m in WRITTEN.finditer(text)]


def refusal(text: str) -> str:
    """The sentence for a date that is not read: it names the forms that are."""
    return _("{text!r} is not a date; dates are written {items} or {value}").format(text=text, items=', '.join(FORMS[:-1]), value=FORMS[-1])


def parse_date(text: str) -> date:
    """One typed date in any of FORMS (full-width digits too); ValueError naming the forms otherwise."""
    value = unicodedata.normalize("NFKC", text).strip()
    for form in (*_TYPED, WRITTEN):
        m = form.fullmatch(value)
        if m:
            try:
                return _day(m)
            except ImpossibleDate:
                raise ValueError(_("{text!r} is not a real date").format(text=text)) from None
    raise ValueError(refusal(text))
