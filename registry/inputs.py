"""What a clerk types: dates, document numbers and moments, read into values.

Every form a clerk may type is accepted here and nowhere else, so that the
commands and the library read input the same way.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

from .errors import NotFound, RegistryError
from .text import normalize
from .i18n import _

_NUMBER = re.compile(r"(?P<series>[\u4e00-\u9fff]{1,10}?)\s*[〔［\[（【]?\s*(?P<year>\d{4})\s*[〕］\]）】\-/]?\s*(?P<seq>\d{1,4})\s*号?$")


def normalize_number(number: str) -> str:
    """林政发[2023]3号, 林政发(2023)3号, 林政发〔2023〕3 号 → 林政发〔2023〕3号."""
    m = _NUMBER.search(normalize(number).strip())
    if m is None:
        raise NotFound(_("{number!r} is not a document number such as 林政发〔2023〕3号").format(number=number))
    return f"{m['series']}〔{int(m['year'])}〕{int(m['seq'])}号"


_DATE_FORMS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
)


def parse_date(text: str) -> date:
    """2023-02-06, 2023/2/6 or 2023年2月6日."""
    value = normalize(text).strip()
    for form in _DATE_FORMS:
        m = form.fullmatch(value)
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                break
    raise ValueError(_("{text!r} is not a date such as 2023-02-06, 2023/2/6 or 2023年2月6日").format(text=text))


def parse_known_at(text: str) -> datetime:
    """ISO 8601; without a zone it is the machine's local time.  Returned as naive UTC."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise RegistryError(_("{text!r} is not an ISO 8601 date and time such as 2026-11-29T10:00").format(text=text)) from None
    if value.tzinfo is None:
        value = value.astimezone()  # the machine's zone
    return value.astimezone(timezone.utc).replace(tzinfo=None)
