"""The libraries the registry imports, and the command that installs one that is missing.

An optional library (an extra in pyproject.toml) is named with its extra, ``pip install
'registry[postgres]'``; an ordinary dependency that is missing means an incomplete installation,
and the sentence names the library's own package.  The command line turns any missing module
into such a sentence, so no command ends in "No module named ...".
"""

from __future__ import annotations

import importlib
from types import ModuleType

from .errors import RegistryError
from .i18n import _

# Import name -> (package on PyPI, the extra that installs it, or None for an ordinary dependency).
LIBRARIES = {
    "psycopg": ("psycopg[binary]", "postgres"),
    "followthemoney": ("followthemoney", "ftm"),
    "sqlalchemy": ("SQLAlchemy", None),
    "alembic": ("alembic", None),
    "tabulate": ("tabulate[widechars]", None),
    "wcwidth": ("tabulate[widechars]", None),
    "dateutil": ("python-dateutil", None),
    "pypdf": ("pypdf", None),
    "docx": ("python-docx", None),
    "openpyxl": ("openpyxl", None),
}


class MissingLibrary(RegistryError):
    """A library the registry needs for this is not installed."""

    def __init__(self, module: str, purpose: str | None = None):
        self.module = module.split(".")[0]
        super().__init__(sentence(self.module, purpose))


def sentence(module: str, purpose: str | None = None) -> str:
    """'export ftm needs the followthemoney library: pip install 'registry[ftm]''; without a
    purpose, 'the library X is not installed; install it with: …'."""
    top = module.split(".")[0]
    package, extra = LIBRARIES.get(top, (top, None))
    name = package.split("[")[0]
    if extra is not None:
        command = f"pip install 'registry[{extra}]'"
    else:
        command = f"pip install '{package}'"
    if purpose is not None:
        return _("{purpose} needs the {name} library: {command}").format(purpose=purpose, name=name, command=command)
    if extra is None and top in LIBRARIES:
        return _("the {name} library, which registry needs, is not installed (an incomplete installation?); "
                  "install it with: {command}").format(name=name, command=command)
    return _("the {name} library is not installed; install it with: {command}").format(name=name, command=command)


def load(module: str, purpose: str) -> ModuleType:
    """Import ``module``, or refuse with the command that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingLibrary(module, purpose) from None
