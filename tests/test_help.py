"""The habits of the command line (issue 12, item 3): one vocabulary, -h, help that is whole.

`registry` alone prints the help and exits 0; -h is --help everywhere; the group's help lists
every command on a line of its own with its whole summary; --as-of names the date everywhere,
and --on, its older name, gives the same answer.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from test_cli import every_command


def invoke(*args, **options):
    from cli import cli

    return CliRunner().invoke(cli, list(args), catch_exceptions=False, **options)


def test_plain_registry_prints_the_help_and_exits_0():
    result = invoke()
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == invoke("--help").stdout
    assert result.stdout.startswith("Usage: cli [OPTIONS] COMMAND [ARGS]...")


def test_plain_export_prints_its_help_and_exits_0():
    result = invoke("export")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == invoke("export", "--help").stdout


@pytest.mark.parametrize("name", ["", *(name for name, _ in every_command())])
def test_h_is_help_everywhere(name):
    words = name.split()
    short, long = invoke(*words, "-h"), invoke(*words, "--help")
    assert (short.exit_code, short.stderr) == (0, "")
    assert short.stdout == long.stdout
    assert "-h, --help" in short.stdout


@pytest.mark.parametrize("width", [60, 80, 120])
def test_the_group_help_lists_every_command_with_its_whole_summary(width, monkeypatch):
    from cli import cli

    monkeypatch.setenv("COLUMNS", str(width))
    result = invoke("--help", terminal_width=width)
    assert result.exit_code == 0
    listing = result.stdout.split("Commands:\n")[1]
    assert "..." not in listing and "…" not in listing
    entries: dict[str, str] = {}
    for line in listing.splitlines():
        if line.startswith("  ") and not line.startswith("   "):
            name, _, text = line.strip().partition(" ")
            entries[name] = text.strip()
        else:
            entries[name] += " " + line.strip()
    assert list(entries) == sorted(cli.commands)
    for name, command in cli.commands.items():
        assert entries[name] == " ".join(command.help.strip().splitlines()[0].split())


@pytest.mark.parametrize("command", [("who-held", "市商务局", "副局长"), ("probation",), ("roster", "卫健委"),
                                     ("vacancies", "市国防动员办公室")])
def test_on_is_as_of(seeded, cli_run, command):
    by_as_of = cli_run(*command, "--as-of", "2023-02-07", "--format", "json")
    by_on = cli_run(*command, "--on", "2023-02-07", "--format", "json")
    assert (by_as_of.exit_code, by_on.exit_code) == (0, 0)
    assert by_as_of.stdout == by_on.stdout
    data = json.loads(by_as_of.stdout)
    assert data.get("as_of", data.get("on")) == "2023-02-07"


@pytest.mark.parametrize("typed", ["2023-02-07", "2023/2/7", "2023.2.7", "20230207", "2023年2月7日", "2023年2月7号",
                                   "二〇二三年二月七日", "２０２３年２月７日"])
def test_every_date_form_gives_the_same_roster(seeded, cli_run, typed):
    expected = cli_run("roster", "卫健委", "--as-of", "2023-02-07", "--format", "json").stdout
    result = cli_run("roster", "卫健委", "--as-of", typed, "--format", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == expected


def test_a_date_option_says_both_names_in_its_help():
    for name, command in every_command():
        for param in command.params:
            if "--as-of" in getattr(param, "opts", []):
                assert param.opts == ["--as-of", "--on"], f"{name}: {param.opts}"
