"""Compile the message catalogs: each ``*/LC_MESSAGES/registry.po`` here to a ``registry.mo``.

Used by the build (setup.py: into the wheel, or in place for an editable install) and by the
tests (in place, when a ``.mo`` is missing or older than its ``.po``).  Needs Babel, which is a
build-time dependency only: the program reads the ``.mo`` files with the stdlib's gettext.
"""

from __future__ import annotations

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent


def compile_catalogs(target: Path = HERE, source: Path = HERE, only_stale: bool = False) -> list[Path]:
    """Write ``target/LANG/LC_MESSAGES/registry.mo`` for every ``.po`` under ``source``; the ones written."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(source.glob("*/LC_MESSAGES/*.po")):
        mo = Path(target) / po.relative_to(source).with_suffix(".mo")
        if only_stale and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as handle:
            catalog = read_po(handle)
        mo.parent.mkdir(parents=True, exist_ok=True)
        # Written beside it and renamed: a process reading the catalog meanwhile (a parallel
        # test worker) sees the old file or the new one, never half of one.
        partial = mo.with_name(f"{mo.name}.{os.getpid()}.part")
        with partial.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        os.replace(partial, mo)
        written.append(mo)
    return written
