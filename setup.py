"""The build step pyproject.toml cannot declare: compile the message catalogs (README, "Language").

``registry/locale/*/LC_MESSAGES/registry.po`` is committed; the ``registry.mo`` that gettext reads
is made here, by Babel (a build requirement, not a runtime one): into the wheel for
``pip install .``, and beside the ``.po`` for ``pip install -e .``, whose package is the tree itself.
"""

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
LOCALE = Path("registry", "locale")


def _catalog_builder():
    # Loaded by path: importing the registry package would need its runtime dependencies,
    # which an isolated build environment does not have.
    spec = importlib.util.spec_from_file_location("_registry_locale_build", ROOT / LOCALE / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class build_py_with_catalogs(build_py):
    def run(self):
        super().run()
        in_place = getattr(self, "editable_mode", False)
        target = ROOT / LOCALE if in_place else Path(self.build_lib) / LOCALE
        for mo in _catalog_builder().compile_catalogs(target, ROOT / LOCALE):
            print(f"compiled {mo}")


setup(cmdclass={"build_py": build_py_with_catalogs})
