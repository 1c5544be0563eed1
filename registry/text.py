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

# After NFKC, full-width ，；：（）！？ have become ASCII; map them back so that the
# grammar only has to know one form.
_TO_FULL_WIDTH = str.maketrans({",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "!": "！", "?": "？"})

# Lines that are page furniture, not text: "2023 年·第一期 市政府文件", "— 29 —", "- 3 -".
_NOISE_LINES = [
    re.compile(r"^\s*\d{4}\s*年\s*[·•．.]\s*第\s*[一二三四五六七八九十\d]+\s*期.*$"),
    re.compile(r"^\s*[—–\-－]+\s*\d+\s*[—–\-－]+\s*$"),
    re.compile(r"^\s*第\s*\d+\s*页(\s*[，,/]?\s*共\s*\d+\s*页)?\s*$"),
]


def decode(data: bytes) -> str:
    """Decode a notice file, detecting UTF-8 (BOM or not) and GB18030.  Refuses binary data."""
    if not data.strip():
        raise NoticeError("the file is empty")
    if b"\x00" in data:
        raise NoticeError("the file is binary data, not a text notice")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            raise NoticeError("the file is binary data, not a text notice")
        return text
    raise NoticeError("the file could not be decoded as UTF-8 or GB18030")


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\r\n\t\f\v")
    return controls > max(2, len(text) // 100)


def normalize(text: str) -> str:
    """Canonical form: NFKC, full-width Chinese punctuation, no page noise, Unix newlines."""
    text = unicodedata.normalize("NFKC", text).translate(_TO_FULL_WIDTH)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ")
    lines = [line for line in text.split("\n") if not any(p.match(line) for p in _NOISE_LINES)]
    return "\n".join(line.rstrip() for line in lines)


def squeeze(text: str) -> str:
    """Join broken lines: drop every whitespace character (notices never need one)."""
    return re.sub(r"\s+", "", text)


def content_hash(text: str) -> str:
    """The identity of a notice's content, insensitive to encoding, width, spacing and noise."""
    return hashlib.sha256(squeeze(normalize(text)).encode("utf-8")).hexdigest()
