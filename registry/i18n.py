"""The language of messages: Chinese (zh_CN) or English, through the stdlib's gettext.

English is the msgid: every message is written in English in the code and translated by
``registry/locale/zh_CN/LC_MESSAGES/registry.mo``, which the build compiles from ``registry.po``
(see README, "Language").  The language is ``--lang``, else ``REGISTRY_LANG``, else the locale
(``LC_ALL``, ``LC_MESSAGES``, ``LANG``: zh… is Chinese), else English.

click translates its own messages ("Missing argument", "Show this message and exit.") with the
stdlib's global ``gettext.gettext``, which reads the global text domain and ``LANGUAGE``; while a
command runs, ``speaking`` points both at our catalog, which holds click's msgids too.

Only the stdlib is imported here: ``registry --help`` must start fast.
"""

from __future__ import annotations

import gettext as _gettext
import os
from contextlib import contextmanager

DOMAIN = "registry"
LOCALEDIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locale")
LANGUAGES = ("zh", "en")
_LOCALE_NAMES = {"zh": "zh_CN", "en": "en"}

_current: _gettext.NullTranslations | None = None


def normalize(value: str | None) -> str | None:
    """'zh', 'zh_CN.UTF-8', 'zh-Hans' → 'zh'; 'en', 'en_US' → 'en'; anything else None."""
    if not value:
        return None
    value = value.strip().lower()
    for lang in LANGUAGES:
        if value == lang or value.startswith((lang + "_", lang + "-", lang + ".")):
            return lang
    return None


def resolve(option: str | None = None, environ=None) -> str:
    """The language: ``option`` (--lang), else REGISTRY_LANG, else the first locale variable set."""
    environ = os.environ if environ is None else environ
    chosen = normalize(option) or normalize(environ.get("REGISTRY_LANG"))
    if chosen:
        return chosen
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            # The first one set decides, as in POSIX: LC_ALL=C means English even with LANG=zh_CN.
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def catalog_path(lang: str) -> str:
    return os.path.join(LOCALEDIR, _LOCALE_NAMES[lang], "LC_MESSAGES", DOMAIN + ".mo")


def catalog_missing(lang: str) -> bool:
    """Whether ``lang`` needs a compiled catalog that is not there (a checkout never built)."""
    return lang != "en" and not os.path.exists(catalog_path(lang))


def translations(lang: str) -> _gettext.NullTranslations:
    return _gettext.translation(DOMAIN, LOCALEDIR, languages=[_LOCALE_NAMES[lang]], fallback=True)


def current() -> _gettext.NullTranslations:
    """The catalog in use; before any command chose one, the one the environment names."""
    global _current
    if _current is None:
        _current = translations(resolve())
    return _current


def gettext(message: str) -> str:
    return current().gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return current().ngettext(singular, plural, count)


_ = gettext


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined; ``_`` translates it where it is shown."""
    return message


@contextmanager
def speaking(lang: str):
    """Messages in ``lang`` for the duration, click's included; the previous state after."""
    global _current
    saved = (_current, os.environ.get("LANGUAGE"), _gettext.textdomain())
    _current = translations(lang)
    os.environ["LANGUAGE"] = _LOCALE_NAMES[lang]
    _gettext.bindtextdomain(DOMAIN, LOCALEDIR)
    _gettext.textdomain(DOMAIN)
    try:
        yield
    finally:
        _current, language_variable, domain = saved
        if language_variable is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = language_variable
        _gettext.textdomain(domain)
