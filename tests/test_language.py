"""The language of messages (issue 12): Chinese and English, complete catalogs, 是/否.

The catalog tests extract the messages as ``pybabel extract`` does (``babel.cfg``, with click's own
source as the second input) and compare them with ``registry/locale/zh_CN/LC_MESSAGES/registry.po``:
a message without a Chinese translation, or a translation whose message is gone, fails.  The
runtime tests walk every command's help and a set of refusals in each language and fail on a
line in the other language.
"""

from __future__ import annotations

import gettext
import json
import re
import shutil
import string
import subprocess
import sys
from pathlib import Path

import click
import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from click.testing import CliRunner

import cli as cli_module
from cli import cli
from registry import i18n
from registry.dates import FORMS
from registry.locale.build import compile_catalogs
from registry.record import bundled_notice_files

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "registry" / "locale" / "zh_CN" / "LC_MESSAGES" / "registry.po"


# -- the catalog ------------------------------------------------------------------

def extracted() -> dict:
    """Every msgid (a str, or (singular, plural)) -> where it is, as babel.cfg extracts them."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = dict(DEFAULT_KEYWORDS, N_=None)
    found: dict = {}
    for directory in (ROOT, Path(click.__file__).parent):
        for filename, lineno, message, _comments, _context in extract_from_dir(
                str(directory), method_map, options_map, keywords=keywords):
            found.setdefault(message, f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def catalog():
    with PO.open("rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def messages():
    return extracted()


def test_the_extraction_finds_our_messages_and_clicks(messages):
    # Not vacuous: the three kinds of message are all there.
    assert "nothing recorded" in messages                      # a _() call in cli.py
    assert "not a personnel notice" in messages                # an N_() in registry/
    assert ("{count} action", "{count} actions") in messages   # an ngettext()
    assert "Show this message and exit." in messages           # click's own
    assert "Output format." in messages                        # an option's help=
    assert any(m.startswith("Print an organization's ranked leadership") for m in messages if isinstance(m, str))
    assert len(messages) > 300


def test_every_message_has_a_chinese_translation(messages, catalog):
    untranslated = []
    for message, where in messages.items():
        entry = catalog.get(message)
        forms = [] if entry is None else [entry.string] if isinstance(entry.string, str) else list(entry.string)
        if entry is None or entry.fuzzy or not forms or not all(forms):
            untranslated.append(f"{where}: {message!r}")
    assert untranslated == []


def test_the_catalog_holds_no_stale_message(messages, catalog):
    stale = [entry.id for entry in catalog if entry.id and entry.id not in messages]
    assert stale == [] and not catalog.obsolete


def _fields(text: str) -> set:
    found = {(name, conversion, spec) for _literal, name, spec, conversion in string.Formatter().parse(text)
             if name is not None}
    return found | set(re.findall(r"%\(\w+\)[sd]", text))


def test_translations_keep_the_placeholders(catalog):
    wrong = []
    for entry in catalog:
        if not entry.id:
            continue
        ids = [entry.id] if isinstance(entry.id, str) else list(entry.id)
        strings = [entry.string] if isinstance(entry.string, str) else list(entry.string)
        wanted = set().union(*map(_fields, ids))
        for text in strings:
            # A plural's one Chinese form may name the plural's fields; a singular keeps them all.
            if (_fields(text) != wanted) if len(ids) == 1 else not (_fields(text) <= wanted):
                wrong.append((entry.id, text))
    assert wrong == []


def test_the_build_compiles_the_catalog(tmp_path):
    written = compile_catalogs(tmp_path)
    assert written == [tmp_path / "zh_CN" / "LC_MESSAGES" / "registry.mo"]
    chinese = gettext.translation("registry", str(tmp_path), languages=["zh_CN"])
    assert chinese.gettext("nothing recorded") == "未记录任何内容"
    assert chinese.ngettext("{count} action", "{count} actions", 3) == "{count} 项"


def test_the_wheel_build_step_puts_the_compiled_catalog_in_the_package(tmp_path):
    # setup.py's build_py is what `pip install .` runs to fill the wheel (README, Language).  It runs
    # in a copy of the source without any compiled catalog (setuptools writes egg-info beside it).
    source = tmp_path / "source"
    source.mkdir()
    for name in ("setup.py", "pyproject.toml", "README.md", "cli.py"):
        shutil.copy(ROOT / name, source / name)
    for name in ("registry", "data"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    done = subprocess.run([sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(tmp_path / "lib")],
                          cwd=source, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    built = tmp_path / "lib" / "registry" / "locale"
    assert (built / "zh_CN" / "LC_MESSAGES" / "registry.mo").is_file()
    chinese = gettext.translation("registry", str(built), languages=["zh_CN"])
    assert chinese.gettext("Show this message and exit.") == "显示此帮助并退出。"


# -- choosing the language ----------------------------------------------------------

@pytest.mark.parametrize("option, environ, lang", [
    (None, {}, "en"),
    (None, {"LANG": "zh_CN.UTF-8"}, "zh"),
    (None, {"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
    (None, {"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "en"),          # the first one set decides
    (None, {"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
    (None, {"REGISTRY_LANG": "zh", "LC_ALL": "en_US.UTF-8"}, "zh"),
    (None, {"REGISTRY_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),
    ("en", {"REGISTRY_LANG": "zh", "LANG": "zh_CN.UTF-8"}, "en"),  # --lang first
    ("zh", {}, "zh"),
])
def test_the_language_is_lang_then_registry_lang_then_the_locale(option, environ, lang):
    assert i18n.resolve(option, environ) == lang


@pytest.fixture(scope="module")
def registry_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("language") / "registry.db"
    result = CliRunner().invoke(cli, ["--lang", "en", "--db", str(path), "init"])
    assert result.exit_code == 0, result.output
    return str(path)


def run(db, *args, lang=None, env=None, input=None):
    """The CLI with messages in ``lang`` (--lang), or as the environment ``env`` says."""
    head = ["--db", db] + (["--lang", lang] if lang else [])
    return CliRunner().invoke(cli, [*head, *args], env=env, input=input, prog_name="registry")


def test_the_locale_chooses_chinese(registry_db):
    result = run(registry_db, "roster", "卫生局", env={"REGISTRY_LANG": None, "LC_ALL": None, "LC_MESSAGES": None,
                                                      "LANG": "zh_CN.UTF-8"})
    assert result.exit_code == 1
    assert result.stderr == "错误：没有名为 '卫生局' 的单位；最接近的：卫生健康委, 市生态环境局, 市卫生健康委\n"


def test_registry_lang_and_lang_override_the_locale(registry_db):
    english = "Error: no organization called '卫生局'; closest: 卫生健康委, 市生态环境局, 市卫生健康委\n"
    assert run(registry_db, "roster", "卫生局", env={"REGISTRY_LANG": "en", "LANG": "zh_CN.UTF-8"}).stderr == english
    assert run(registry_db, "roster", "卫生局", lang="en", env={"REGISTRY_LANG": "zh"}).stderr == english
    # --lang is read before click parses anything: its own usage errors are in that language.
    result = run(registry_db, "roster", "--bogus", lang="zh")
    assert result.exit_code == 2 and "错误：没有选项 '--bogus'。" in result.stderr


def test_registry_with_only_a_language_prints_the_help_in_it(registry_db):
    result = CliRunner().invoke(cli, ["--lang", "zh"], prog_name="registry")
    assert result.exit_code == 0
    assert result.stdout.startswith("用法： registry [OPTIONS] COMMAND [ARGS]...\n\n  根据林芝市任免通知建立的干部任职登记库。\n")


def test_an_unknown_language_is_a_usage_error(registry_db):
    result = run(registry_db, "orgs", lang="fr")
    assert result.exit_code == 2
    assert "'fr' is not a language here: give zh or en" in result.stderr


def test_without_a_compiled_catalog_chinese_says_so_and_speaks_english(registry_db, tmp_path, monkeypatch):
    monkeypatch.setattr(i18n, "LOCALEDIR", str(tmp_path))
    result = run(registry_db, "roster", "卫生局", lang="zh")
    assert result.stderr.splitlines() == [
        "registry: the Chinese messages are not compiled (pybabel compile -d registry/locale -D registry); "
        "messages are in English",
        "Error: no organization called '卫生局'; closest: 卫生健康委, 市生态环境局, 市卫生健康委",
    ]


def test_data_json_and_table_headers_do_not_change_with_the_language(registry_db):
    for args in (["roster", "卫健委", "--as-of", "2023-02-07"], ["roster", "卫健委", "--as-of", "2023-02-07", "--format", "json"],
                 ["history", "尼玛", "--format", "csv"], ["notices", "--format", "json"], ["orgs"]):
        chinese, english = run(registry_db, *args, lang="zh"), run(registry_db, *args, lang="en")
        assert chinese.exit_code == english.exit_code == 0
        assert chinese.stdout == english.stdout
    table = run(registry_db, "roster", "卫健委", "--as-of", "2023-02-07", lang="en").stdout.splitlines()
    assert table[1].split() == ["序号", "姓名", "职务", "任职起始", "列...之后", "依据", "备注", "人员ID"]
    assert json.loads(run(registry_db, "orgs", "--format", "json", lang="zh").stdout)["organizations"]


# -- every help text and a set of refusals, in each language --------------------------

def command_paths(group=cli, prefix=()):
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from command_paths(command, (*prefix, name))


COMMAND_WORDS = {name for path in command_paths() for name in path} | {"registry"}
# Names that stay as they are in a Chinese sentence: products, formats, commands, answers.
NAMES = {"SQLite", "PostgreSQL", "SQLAlchemy", "Excel", "Word", "Office", "Popolo", "FollowTheMoney", "Bash",
         "pip", "install", "pybabel", "compile", "pg_dump", "zh", "en", "y", "n", "table", "json", "csv", "html",
         "xlsx", "new",
         # the English column names a roster may have (import-roster's help lists them)
         "organization", "name", "title", "since", "document", "note"}


def english_words(line: str) -> list[str]:
    """The English words of a line meant to be Chinese: what is left after quoted text, URLs,
    options, file names and identifiers, metavars and acronyms, and the names above."""
    text = re.sub(r"'[^']*'|\"[^\"]*\"|`[^`]*`", " ", line)
    text = re.sub(r"\S*://\S*", " ", text)
    text = re.sub(r"(?<![\w])--?[A-Za-z][\w-]*(=\S*)?", " ", text)
    words = []
    for token in re.findall(r"[A-Za-z0-9_.+/\[\]=:|-]+", text):
        token = token.rstrip(".:,;|-")
        if not re.search("[A-Za-z]", token) or re.search(r"[\d._/\[\]=+:|]", token) or token.isupper() \
                or token in COMMAND_WORDS | NAMES:
            continue
        words.append(token)
    return words


def test_the_english_check_is_not_vacuous():
    assert english_words("错误：没有选项 '--bogus'。") == []
    assert english_words("  --db PATH_OR_URL  SQLite 文件路径，或 SQLAlchemy URL（postgresql+psycopg://…）") == []
    assert english_words("Error: No such option '--bogus'.") == ["Error", "No", "such", "option"]
    assert english_words("用法： registry roster [OPTIONS] [ORG]") == []
    assert english_words("  --help   Show this message and exit.") == ["Show", "this", "message", "and", "exit"]


CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")


@pytest.fixture(scope="module")
def allowed_chinese(catalog):
    """Chinese an English message may hold: what the English msgids themselves hold (林政发〔2023〕3号,
    任命…为), and data: the bundled notices, the notices and values these tests give, the date forms."""
    english = "\n".join(m for entry in catalog if entry.id
                        for m in ([entry.id] if isinstance(entry.id, str) else entry.id))
    notices = "\n".join(path.read_text(encoding="utf-8") for path in bundled_notice_files())
    return "\n".join([english, notices, REFUSED, NEW, " ".join(FORMS), "卫生局 无名氏 副局常 下周"])


def chinese_words(line: str, allowed: str) -> list[str]:
    return [run for run in CHINESE.findall(line) if run not in allowed]


REFUSED = """林芝市人民政府
关于扎西同志任职的通知

林政发〔2023〕21号

各县（区）人民政府，市各委、办、局：

经研究，决定：

扎西任市水利局副局长（正科级）。

林芝市人民政府
2023年3月1日
"""

NEW = REFUSED.replace("21号", "22号").replace("市水利局副局长（正科级）", "市新能源局局长；达瓦任市新能源局副局长")


def refusals(tmp_path: Path, db: str) -> list[tuple[list[str], int]]:
    """(arguments, exit code): usage errors, refusals, a refused notice, summaries and warnings."""
    refused, new = tmp_path / "refused.txt", tmp_path / "new.txt"
    refused.write_text(REFUSED, encoding="utf-8")
    new.write_text(NEW, encoding="utf-8")
    copy = tmp_path / "copy.db"
    shutil.copyfile(db, copy)
    return [
        (["roster", "卫健委", "--as-of", "2023-13-45"], 2),     # a bad date
        (["roster", "卫健委", "--as-of", "下周"], 2),           # not a date at all
        (["roster", "卫生局"], 1),                              # an unknown organization
        (["history", "无名氏"], 1),                              # an unknown person
        (["people", "999"], 1),
        (["who-held", "市商务局", "副局常"], 1),                 # an unknown title
        (["roster", "卫健委", "--bogus"], 2),                   # a bad option
        (["who-held"], 2),                                      # a missing argument
        (["roster"], 2),
        (["rostr"], 2),                                         # no such command
        (["roster", "卫健委", "--format", "yaml"], 2),
        (["roster", "卫健委", "--bom"], 2),
        (["add-notice", str(refused), "--yes"], 1),             # a refused notice
        (["add-notice", str(new), "--dry-run"], 0),              # a preview: warnings and its summary
        (["add-notice", str(new), str(refused), "--dry-run"], 1),  # a batch: "1 would be recorded, …"
        (["add-notice", str(new), "--person", "扎西"], 2),
        (["add-notice", str(tmp_path / "missing.txt")], 1),
        (["--db", str(copy), "add-notice", str(new), "--yes"], 0),
        (["--db", str(copy), "add-notice", str(new), "--yes"], 0),  # already recorded
        (["--db", str(copy), "retract", "林政发〔2023〕22号", "--reason", "x"], 0),
        (["merge", "11", "11", "--reason", "x"], 1),
        (["changes", "--from", "2023-03-01", "--to", "2023-01-01"], 2),
        (["vacancies", "市国防动员办公室", "--as-of", "2030-01-01"], 0),  # a note: a future date
        (["check"], 0),
        (["backup", str(tmp_path)], 2),                          # click's own refusal of a directory
        (["--version"], 0),
    ]


@pytest.mark.parametrize("path", list(command_paths()) + [()], ids=lambda p: " ".join(p) or "registry")
def test_help_in_chinese_has_no_english(registry_db, path):
    result = run(registry_db, *path, "--help", lang="zh")
    assert result.exit_code == 0, result.output
    assert "用法：" in result.stdout and "显示此帮助并退出。" in result.stdout
    assert [(line, english_words(line)) for line in result.stdout.splitlines() if english_words(line)] == []


@pytest.mark.parametrize("path", list(command_paths()) + [()], ids=lambda p: " ".join(p) or "registry")
def test_help_in_english_has_no_chinese(registry_db, path, allowed_chinese):
    result = run(registry_db, *path, "--help", lang="en")
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout and "Show this message and exit." in result.stdout
    assert [line for line in result.stdout.splitlines() if chinese_words(line, allowed_chinese)] == []


def refusal_lines(registry_db, tmp_path, lang: str) -> list[tuple[tuple, str]]:
    """Every line each refusal printed on stderr in ``lang``, with its arguments; each exit code checked."""
    lines = []
    for args, code in refusals(tmp_path, registry_db):
        result = run(registry_db, *args, lang=lang)
        assert result.exit_code == code, (args, result.output)
        lines += [(args, line) for line in result.stderr.splitlines()]
    return lines


def test_refusals_in_chinese_have_no_english(registry_db, tmp_path):
    lines = refusal_lines(registry_db, tmp_path, "zh")
    assert [(args, line) for args, line in lines if english_words(line)] == []
    seen = [line for _, line in lines]
    # Not vacuous: the refusals said what they should, in Chinese.
    assert "错误：'--as-of' / '--on' 的值无效：'2023-13-45' 不是存在的日期" in seen
    assert ("错误：'--as-of' / '--on' 的值无效：'下周' 不是日期；日期可写作 2023-02-06, 2023/2/6, 2023.2.6, 20230206, "
            "2023年2月6日, 2023年2月6号 或 二〇二三年二月六日") in seen
    assert "错误：缺少参数 'ORG'." in seen
    assert "错误：没有名为 无名氏 的人员记录" in seen
    assert "错误：无法读取条款 '扎西任市水利局副局长（正科级）' 中的附注（正科级）" in seen
    assert "将记录 1 件，此前已记录 0 件，拒绝 1 件" in seen
    assert "警告：市新能源局 是新单位" in seen
    assert any(line.startswith("错误：'FILE' 的值无效：文件 '") and line.endswith("' 是目录。") for line in seen)


def test_refusals_in_english_have_no_chinese(registry_db, tmp_path, allowed_chinese):
    lines = refusal_lines(registry_db, tmp_path, "en")
    assert [(args, line) for args, line in lines if chinese_words(line, allowed_chinese)] == []
    seen = [line for _, line in lines]
    assert "Error: cannot read the qualifier （正科级） in the clause '扎西任市水利局副局长（正科级）'" in seen
    assert "1 would be recorded, 0 already recorded, 1 refused" in seen


# -- 是/否 ------------------------------------------------------------------------------

@pytest.mark.parametrize("answer, meant", [
    ("是", True), ("是的", True), ("y", True), ("yes", True), ("Y", True), ("YES", True),
    ("否", False), ("不", False), ("n", False), ("no", False), ("", False),
])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_question_takes_shi_and_fou_and_y_and_n(answer, meant, lang):
    @click.command()
    def ask():
        click.echo(cli_module.ask_yes_no(i18n._("Record this notice?")))

    with i18n.speaking(lang):
        result = CliRunner().invoke(ask, input=answer + "\n")
    assert result.exit_code == 0
    assert result.stdout == f"{meant}\n"
    question = "记录此通知？ [是/否，默认否]: " if lang == "zh" else "Record this notice? [y/N]: "
    assert result.stderr == question + answer + "\n"


def test_an_unknown_answer_asks_again():
    @click.command()
    def ask():
        click.echo(cli_module.ask_yes_no(i18n._("Record this notice?")))

    with i18n.speaking("zh"):
        result = CliRunner().invoke(ask, input="也许\n是\n")
    assert result.stdout == "True\n"
    assert result.stderr == ("记录此通知？ [是/否，默认否]: 也许\n请回答 是 或 否（y 或 n）。\n"
                             "记录此通知？ [是/否，默认否]: 是\n")


@pytest.mark.parametrize("answer, recorded", [("是", True), ("否", False)])
def test_add_notice_takes_shi_and_fou(registry_db, tmp_path, monkeypatch, answer, recorded):
    monkeypatch.setattr(cli_module, "_on_terminal", lambda: True)
    db = tmp_path / "copy.db"
    shutil.copyfile(registry_db, db)
    path = tmp_path / "new.txt"
    path.write_text(NEW, encoding="utf-8")
    result = run(str(db), "add-notice", str(path), lang="zh", input=answer + "\n")
    if recorded:
        assert result.exit_code == 0, result.output
        assert result.stdout.endswith("林政发〔2023〕22号 已记录：2 项\n")
    else:
        assert result.exit_code == 1
        assert result.stderr.endswith("记录此通知？ [是/否，默认否]: 否\n未记录任何内容\n")
    members = json.loads(run(str(db), "roster", "市新能源局", "--as-of", "2023-03-01", "--format", "json").stdout
                         if recorded else "{}").get("members", [])
    assert [m["name"] for m in members] == (["扎西", "达瓦"] if recorded else [])
