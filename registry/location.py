"""Where the default registry lives; no database code, so that start-up and completion can ask."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def default_db_path() -> Path:
    """A SQLite file in the user's data directory (XDG on Unix, %APPDATA% on Windows)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA", Path.home()))
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "registry" / "registry.db"
