"""Shell completion (issue 12, item 7), through click's own completion machinery.

What the shell scripts ask (`_REGISTRY_COMPLETE=bash_complete` with COMP_WORDS and COMP_CWORD, and
the zsh and fish forms) is answered from the registry --db names, REGISTRY_DB, or the default one:
organization names and short forms, the titles of the organization typed before, document numbers,
person names.  A registry that does not exist or cannot be read completes nothing, quietly, and
nothing is created or changed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.shell_completion import ShellComplete
from click.testing import CliRunner

from conftest import dump, file_bytes


def completions(args: list[str], incomplete: str) -> list[str]:
    from cli import cli

    return [item.value for item in ShellComplete(cli, {}, "registry", "_REGISTRY_COMPLETE")
            .get_completions(args, incomplete)]


def shell(words: str, shell_name: str = "bash", env: dict | None = None) -> tuple[int, str, str]:
    """What the shell script gets for the command line ``words`` (ending in a space: a new word)."""
    from cli import cli

    typed = words.split()
    if shell_name == "fish":  # fish gives the word being completed itself
        cword = "" if words.endswith(" ") else typed[-1]
    else:
        cword = str(len(typed) if words.endswith(" ") else len(typed) - 1)
    variables = {"_REGISTRY_COMPLETE": f"{shell_name}_complete", "COMP_WORDS": words, "COMP_CWORD": cword}
    result = CliRunner().invoke(cli, [], prog_name="registry", env={**variables, **(env or {})},
                                catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


ORGS_WITH_卫 = ["卫健委", "卫生健康委", "市卫健委", "市卫生健康委", "市卫生健康委员会"]
NUMBERS = ["林政发〔2023〕2号", "林政发〔2023〕3号", "林政发〔2023〕4号", "林政发〔2023〕5号", "林政发〔2023〕6号",
           "林政发〔2023〕8号"]


@pytest.mark.parametrize("args, incomplete, expected", [
    (["roster"], "卫", ORGS_WITH_卫),
    (["vacancies"], "卫健", ["卫健委", "市卫健委"]),
    (["changes", "--org"], "市商", ["市商务局"]),
    (["who-held"], "市商务", ["市商务局"]),
    (["who-held", "卫健委"], "", ["副主任"]),
    (["who-held", "市商务局"], "副", ["副局长"]),
    (["who-held", "市残联执行理事会"], "", ["副理事长", "理事长"]),
    (["who-held", "市残联执行理事会"], "理事", ["理事长", "副理事长"]),  # starting with it first, then containing it
    (["who-held", "林芝经济开发区管委会"], "副", ["副主任", "常务副主任"]),
    (["who-held", "无此单位"], "", []),
    (["retract"], "林政发〔2023〕", NUMBERS),
    (["amend"], "林政发〔2023〕3", ["林政发〔2023〕3号"]),
    (["history"], "尼", ["尼仓", "尼玛"]),  # one 尼玛 for two people of that name
    (["people"], "卓玛", ["益西卓玛"]),
    (["history"], "无", []),
])
def test_completion_from_the_registry_named_by_db(seeded, db_url, args, incomplete, expected):
    assert completions(["--db", db_url, *args], incomplete) == expected


def test_the_registry_named_by_the_environment_is_used(seeded, db_url):
    code, out, err = shell("registry history 尼", env={"REGISTRY_DB": db_url})
    assert (code, out, err) == (0, "plain,尼仓\nplain,尼玛\n", "")


@pytest.mark.parametrize("shell_name, expected", [
    ("bash", "plain,市商务局\n"),
    ("zsh", "plain\n市商务局\n_\n"),
    ("fish", "plain,市商务局\n"),
])
def test_every_shell_gets_the_candidates(seeded, db_url, shell_name, expected):
    assert shell(f"registry --db {db_url} roster 市商", shell_name) == (0, expected, "")


def test_commands_and_options_still_complete(seeded, db_url):
    assert completions([], "ro") == ["roster"]
    assert "--as-of" in completions(["--db", db_url, "who-held", "市商务局", "局长"], "--")


def test_completion_changes_nothing_and_leaves_no_file_behind(seeded, db_url):
    before = dump(seeded), file_bytes(db_url)
    seeded.dispose()
    neighbours = sorted(os.listdir(Path(db_url).parent)) if "://" not in db_url else None
    assert completions(["--db", db_url, "roster"], "卫") == ORGS_WITH_卫
    assert (dump(seeded), file_bytes(db_url)) == before
    seeded.dispose()
    if neighbours is not None:
        assert sorted(os.listdir(Path(db_url).parent)) == neighbours


def test_no_default_registry_completes_nothing_and_creates_none(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    env = {"XDG_DATA_HOME": str(data), "APPDATA": str(data), "REGISTRY_DB": None}
    assert shell("registry roster 卫", env=env) == (0, "\n", "")  # bash's empty answer
    assert shell("registry history ", env=env) == (0, "\n", "")
    assert list(data.iterdir()) == []


@pytest.mark.parametrize("db", ["missing.db", "not-a-registry.txt", "postgresql+psycopg://nobody@127.0.0.1:9/none",
                                "mysql://nobody@localhost/x", "::not-a-url::"])
def test_an_unreadable_registry_completes_nothing_quietly(tmp_path, db):
    (tmp_path / "not-a-registry.txt").write_text("just text\n", encoding="utf-8")
    target = str(tmp_path / db) if "://" not in db and not db.startswith("::") else db
    before = sorted(os.listdir(tmp_path))
    assert shell(f"registry --db {target} who-held 卫健委 ") == (0, "\n", "")
    assert completions(["--db", target, "roster"], "卫") == []
    assert sorted(os.listdir(tmp_path)) == before
    assert (tmp_path / "not-a-registry.txt").read_text(encoding="utf-8") == "just text\n"


@pytest.mark.parametrize("shell_name, marker", [
    ("bash", "complete -o nosort -F _registry_completion registry"),
    ("zsh", "compdef _registry_completion registry"),
    ("fish", "complete --no-files --command registry"),
])
def test_the_shell_scripts_the_readme_shows(shell_name, marker):
    from cli import cli

    result = CliRunner().invoke(cli, [], prog_name="registry", env={"_REGISTRY_COMPLETE": f"{shell_name}_source"})
    assert (result.exit_code, result.stderr) == (0, "")
    assert marker in result.stdout
    assert "_REGISTRY_COMPLETE" in result.stdout
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"_REGISTRY_COMPLETE={shell_name}_source registry" in readme
