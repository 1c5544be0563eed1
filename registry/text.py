"""Bytes to clean notice text: encoding detection, punctuation width, page noise.

Government files arrive as UTF-8 (with or without a BOM) or GB18030/GBK, and web
copies swap full-width punctuation for ASCII.  Everything downstream works on
one canonical form, and a notice's identity is the hash of that form, so two
copies that differ only in encoding, punctuation width, whitespace or page
noise are the same notice.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from .errors import NoticeError
from .i18n import _

# After NFKC, full-width ，；：（）！？ have become ASCII; map them back so that the
# grammar only has to know one form.
_TO_FULL_WIDTH = str.maketrans({",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "!": "！", "?": "？"})

# Lines that are page furniture, not text: "2023 年·第一期 市政府文件", "— 29 —", "- 3 -",
# "第 3 页 共 5 页", "3/5", a bare page number, a gazette or letterhead line.
_NOISE_LINES = [
    re.compile(r"^\s*\d{4}\s*年\s*[·•．.]?\s*第\s*[一二三四五六七八九十\d]+\s*期.*$"),
    re.compile(r"^\s*[—–\-－~·•]*\s*\d{1,3}\s*[—–\-－~·•]*\s*$"),
    re.compile(r"^\s*(共\s*\d+\s*页\s*[，,/]?\s*)?第\s*\d+\s*页(\s*[，,/]?\s*共\s*\d+\s*页)?\s*$"),
    re.compile(r"^\s*\d{1,3}\s*/\s*\d{1,3}\s*$"),
    re.compile(r"^\s*\S{0,20}(政府公报|政府文件)\s*$"),
    # The gazette's other running head puts the title first: "市政府文件 2023 年·第一期"
    # (a PDF reader may drop the ·).
    re.compile(r"^\s*\S{0,20}(政府公报|政府文件|公报)\s*\d{4}\s*年\s*[·•．.]?\s*第\s*[一二三四五六七八九十\d]+\s*期\s*$"),
]

# Invisible characters that web pages and editors leave behind.
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"), None)

# The brackets around the year of a document number vary (〔2023〕 [2023] （2023）
# 【2023】); they do not change which notice it is.
_NUMBER_BRACKETS = re.compile(r"[〔\[（【]\s*(\d{4})\s*[〕\]）】](?=\s*\d{1,4}\s*号)")


# No notice comes near this: the longest in the gazettes is a few KB, a whole gazette issue under
# 100 KB.  A larger text is refused before it is decoded, so that it costs nothing to refuse.
MAX_NOTICE_BYTES = 2_000_000


def check_size(data: bytes | str) -> None:
    """Refuse at once a text larger than any notice could be, saying how large it is."""
    if isinstance(data, str):
        if len(data) * 4 <= MAX_NOTICE_BYTES:  # UTF-8 takes at most 4 bytes a character
            return
        size = len(data.encode("utf-8", errors="replace"))
    else:
        size = len(data)
    if size > MAX_NOTICE_BYTES:
        raise NoticeError(
            _("the text is {size:,} bytes, more than any notice could be (at most {MAX_NOTICE_BYTES:,} "
               "bytes); it was not read").format(size=size, MAX_NOTICE_BYTES=MAX_NOTICE_BYTES)
        )


def decode(data: bytes) -> str:
    """Decode a notice file, detecting UTF-8 (BOM or not) and GB18030/GBK.

    Refuses an empty file, binary data and bytes that are neither, each with a
    sentence that says so.
    """
    if not data.strip():
        raise NoticeError(_("the file is empty"))
    if b"\x00" in data:
        raise NoticeError(_("the file is binary data, not a text notice"))
    try:
        return _checked(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        utf8_error = error
    if _mostly_utf8(data):
        raise NoticeError(
            _("the file is UTF-8 text with invalid bytes (the first at byte {start}); it could not be "
               "decoded").format(start=utf8_error.start)
        )
    try:
        return _checked(data.decode("gb18030"))
    except UnicodeDecodeError:
        pass
    raise NoticeError(_("the file could not be decoded as UTF-8 or GB18030"))


def _checked(text: str) -> str:
    if not text.translate(_INVISIBLE).strip():
        raise NoticeError(_("the file is empty"))
    if _looks_binary(text):
        raise NoticeError(_("the file is binary data, not a text notice"))
    return text


def _mostly_utf8(data: bytes) -> bool:
    """A UTF-8 file with a few damaged bytes, rather than a GB18030 file."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
    return good >= 20 and bad * 20 <= good


# The control characters (category Cc) other than \t \n \v \f \r.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _looks_binary(text: str) -> bool:
    controls = sum(1 for _ in _CONTROLS.finditer(text))
    return controls > max(2, len(text) // 100)


# Page furniture is short; a longer line is text.  The bound also keeps the patterns' runs of
# optional white space from backtracking through a huge line (a megabyte of spaces).
_NOISE_LENGTH = 60


# The patterns as one alternation, each anchored as it is: it matches where any of them does, in
# one call (check re-hashes every stored text, a line at a time).
_NOISE = re.compile("|".join(f"(?:{pattern.pattern})" for pattern in _NOISE_LINES))
_WHITESPACE = re.compile(r"\s+")


def _noise(line: str) -> bool:
    line = line.strip()
    return len(line) <= _NOISE_LENGTH and _NOISE.match(line) is not None


def is_page_noise(line: str) -> bool:
    """Whether a line is page furniture (a running head, a page number), not text."""
    return _noise(unicodedata.normalize("NFKC", line.translate(_INVISIBLE)).replace("\u3000", " "))


def normalize(text: str) -> str:
    """Canonical form: NFKC, full-width Chinese punctuation, no page noise, Unix newlines."""
    text = unicodedata.normalize("NFKC", text.translate(_INVISIBLE)).translate(_TO_FULL_WIDTH)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ")
    lines = [line for line in text.split("\n") if not _noise(line)]
    return "\n".join(line.rstrip() for line in lines)


def squeeze(text: str) -> str:
    """Join broken lines: drop every whitespace character (notices never need one)."""
    return _WHITESPACE.sub("", text)


def _bracketed(match: re.Match) -> str:
    return "〔" + match.group(1) + "〕"  # (a function: a template would be parsed at every call)


def content_hash(text: str) -> str:
    """The identity of a notice's content, insensitive to encoding, width, spacing and noise."""
    canonical = _NUMBER_BRACKETS.sub(_bracketed, squeeze(normalize(text)))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
