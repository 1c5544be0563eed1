"""What a clerk types: dates, document numbers and moments, read into values.

Every form a clerk may type is accepted here and nowhere else, so that the
commands and the library read input the same way.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

# Dates are read in one place, shared with the notice reader (registry/dates.py).
from .dates import parse_date
from .errors import NotFound, RegistryError
from .text import normalize
from .i18n import _

__all__ = ["normalize_number", "parse_date", "parse_known_at"]

_NUMBER = re.compile(r"(?P<series>[\u4e00-\u9fff]{1,10}?)\s*[〔［\[（【]?\s*(?P<year>\d{4})\s*[〕］\]）】\-/]?\s*(?P<seq>\d{1,4})\s*号?$")


def normalize_number(number: str) -> str:
    """林政发[2023]3号, 林政发(2023)3号, 林政发〔2023〕3 号 → 林政发〔2023〕3号."""
    m = _NUMBER.search(normalize(number).strip())
    if m is None:
        raise NotFound(_("{number!r} is not a document number such as 林政发〔2023〕3号").format(number=number))
    return f"{m['series']}〔{int(m['year'])}〕{int(m['seq'])}号"


def parse_known_at(text: str) -> datetime:
    """ISO 8601; without a zone it is the machine's local time.  Returned as naive UTC."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise RegistryError(_("{text!r} is not an ISO 8601 date and time such as 2026-11-29T10:00").format(text=text)) from None
    if value.tzinfo is None:
        value = value.astimezone()  # the machine's zone
    return value.astimezone(timezone.utc).replace(tzinfo=None)
