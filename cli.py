"""The registry command line: parse options, call ``registry``, render, map errors.

The logic lives in the ``registry`` package; nothing here touches a table.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import sys
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import click

from registry import __version__
from registry.errors import RegistryError
from registry import i18n
from registry.i18n import N_, _, ngettext
from registry.output import FORMATS, PRINTED


class _OnFirstUse:
    """A module imported when one of its names is first used.  `registry --help` (and completion)
    then start in little more than click's own time: SQLAlchemy, Alembic and the parser load only
    in the commands that need them (issue 10, start-up)."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str):
        return getattr(importlib.import_module(self._name), attr)


dbmod = _OnFirstUse("registry.db")
render = _OnFirstUse("registry.render")
admin = _OnFirstUse("registry.admin")
complete = _OnFirstUse("registry.complete")
dependencies = _OnFirstUse("registry.dependencies")
location = _OnFirstUse("registry.location")
inputs = _OnFirstUse("registry.inputs")
intake = _OnFirstUse("registry.intake")
ordering = _OnFirstUse("registry.ordering")
queries = _OnFirstUse("registry.queries")
record = _OnFirstUse("registry.record")
reports = _OnFirstUse("registry.reports")
schema = _OnFirstUse("registry.schema")
ftm = _OnFirstUse("registry.exchange.ftm")
popolo = _OnFirstUse("registry.exchange.popolo")
records = _OnFirstUse("registry.exchange.records")
roster_import = _OnFirstUse("registry.exchange.roster_import")
peoplemod = _OnFirstUse("registry.people")
document = _OnFirstUse("registry.output.document")
preview = _OnFirstUse("registry.preview")


# -- option types ---------------------------------------------------------------

class DateType(click.ParamType):
    name = "DATE"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        try:
            return inputs.parse_date(value)
        except ValueError as error:
            self.fail(str(error), param, ctx)


class KnownAtType(click.ParamType):
    name = "DATETIME"

    def convert(self, value, param, ctx):
        if isinstance(value, datetime):
            return value
        try:
            return inputs.parse_known_at(value)
        except RegistryError as error:
            self.fail(str(error), param, ctx)


class PathType(click.Path):
    """click.Path, whose messages name the kind of path ("file", "directory") in the language
    in force when they are shown, not in the one in force when the option was declared."""

    @property
    def name(self):
        return _(self._kind)

    @name.setter
    def name(self, value):
        self._kind = {"文件": "file", "目录": "directory", "路径": "path"}.get(value, value)

    def get_metavar(self, param, ctx=None):
        # An option's metavar stays FILE or PATH in either language (an argument's is its name).
        return None if isinstance(param, click.Argument) else self._kind.upper()


DATE = DateType()
KNOWN_AT = KnownAtType()


def _completion(kind: str):
    """A shell_complete callback: candidates of ``kind`` from the registry --db names (or the default
    one), and for a title, of the organization already typed."""
    def callback(ctx, _param, incomplete):
        return complete.candidates(kind, ctx.find_root().params.get("db"), incomplete, org=ctx.params.get("org"))
    return callback


ORG_COMPLETION = _completion("organization")


def format_option(choices=FORMATS):
    return click.option("--format", "fmt", type=click.Choice(choices), default="table", show_default=True,
                        help="Output format.")


def known_at_option(f):
    return click.option("--known-at", type=KNOWN_AT, default=None,
                        help="Answer as the registry stood at this moment (ISO 8601; local time if no zone).")(f)


def as_of_option(f):
    """--as-of DATE, the one name for the date a question is about; --on, its name in who-held and
    probation before 0.3, still works."""
    return click.option("--as-of", "--on", "as_of", type=DATE, default=None,
                        help="The date asked about (default: today); --on is the same option.")(f)


def bom_option(f):
    return click.option("--bom", is_flag=True, help="With --format csv: start with a BOM, for Excel.")(f)


def query_options(f, formats=FORMATS):
    """--format, --known-at and --bom: what every query command takes.  --bom is refused
    unless the format is CSV, before anything is asked."""
    @functools.wraps(f)
    def checked(*args, **kwargs):
        if kwargs.get("bom") and kwargs.get("fmt") != "csv":
            raise click.UsageError(_("--bom is for --format csv only (the format here is {format})").format(
                format=kwargs.get("fmt")))
        return f(*args, **kwargs)
    return format_option(formats)(known_at_option(bom_option(checked)))


DOCUMENT_FORMATS = FORMATS + PRINTED


def document_options(f):
    """The query options plus the printable formats: --format html|xlsx, --output, --ids."""
    f = click.option("--ids", is_flag=True, help="With --format html or xlsx: show the person ids.")(f)
    f = click.option("--output", "-o", type=PathType(dir_okay=False, path_type=Path), default=None,
                     help="Write to this file instead of standard output (xlsx needs it on a terminal).")(f)
    return query_options(f, DOCUMENT_FORMATS)


# -- the group --------------------------------------------------------------------

class Context:
    def __init__(self, db: str | None, debug: bool, user: str):
        self.explicit = db is not None
        self._db = db
        self.debug = debug
        self.user = user
        self._engine = None

    @property
    def db(self) -> str:
        # Worked out on first use, so that a subcommand's --help loads no database code.
        if not self._db:  # none given, or an empty REGISTRY_DB
            self._db = str(location.default_db_path())
        return self._db

    @property
    def name(self) -> str:
        """What is printed: never a password."""
        return dbmod.display(self.db)

    @property
    def engine(self):
        if self._engine is None:
            self._engine = dbmod.make_engine(self.db)
        return self._engine

    def ready_engine(self):
        """The engine of a registry at this program's revision; the default one is created on first use."""
        if not self.explicit and dbmod.file_missing(self.engine):
            count = admin.create_default(Path(self.db), user=self.user)
            click.echo(_("registry: created {name} with the {count} bundled notices").format(name=self.name, count=count), err=True)
        return admin.ready(self.engine, self.db)

    def close(self):
        if self._engine is not None:
            self._engine.dispose()


# -- language: help written in English (the msgid), shown in the chosen language ---------

# click's own text for --help, as its msgid: click builds the option once and caches it, in
# whatever language was in force then, so the text shown is translated again from the msgid.
HELP_OPTION_HELP = "Show this message and exit."


@contextmanager
def _help_translated(command, ctx):
    """The command's help and its parameters' help in the current language, for the duration."""
    params = command.get_params(ctx) if ctx is not None else []
    helper = command.get_help_option(ctx) if ctx is not None else None
    saved = [(command, command.help)] + [(param, param.help) for param in params if getattr(param, "help", None)]
    try:
        if command.help:
            command.help = _(inspect.cleandoc(command.help))
        for param, text in saved[1:]:
            param.help = _(HELP_OPTION_HELP if param is helper else text)
        yield
    finally:
        for thing, text in saved:
            thing.help = text


class TranslatedHelp:
    """A click command whose help texts are translated when shown."""

    def format_help(self, ctx, formatter):
        with _help_translated(self, ctx):
            super().format_help(ctx, formatter)

    def get_short_help_str(self, limit=45):
        with _help_translated(self, None):
            return super().get_short_help_str(limit)


def _summary(command) -> str:
    """A command's whole summary paragraph, in the current language."""
    if command.short_help:
        return _(command.short_help)
    text = _(inspect.cleandoc(command.help or ""))
    return " ".join(text.strip().split("\n\n")[0].split())


class RegistryCommand(TranslatedHelp, click.Command):
    pass


class LanguageType(click.ParamType):
    name = "zh|en"

    def convert(self, value, param, ctx):
        lang = i18n.normalize(value)
        if lang is None:
            self.fail(_("{value!r} is not a language here: give zh or en").format(value=value), param, ctx)
        return lang


def _lang_argument(args) -> str | None:
    """--lang's value, read before click parses anything, so that usage errors are in that language too."""
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return None


def _without_lang(args) -> list:
    """The arguments without --lang and its value: `registry --lang zh` alone prints the help too."""
    rest, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--lang":
            skip = True
        elif not arg.startswith("--lang="):
            rest.append(arg)
    return rest


# An answer to a yes/no question, in either language.
YES = ("y", "yes", "是", "是的", "对", "好")
NO = ("n", "no", "否", "不", "不是")


def ask_yes_no(question: str) -> bool:
    """Ask on stderr; no unless the answer is yes (y, yes, 是, 是的); an unknown answer asks again."""
    while True:
        answer = click.prompt(question + _(" [y/N]"), default="", show_default=False, err=True).strip().lower()
        if answer in YES:
            return True
        if not answer or answer in NO:
            return False
        click.echo(_("Please answer y or n (是 or 否)."), err=True)


class RegistryGroup(TranslatedHelp, click.Group):
    """Turns registry errors and faults into one sentence and exit 1; no traceback without --debug.
    Plain `registry` prints the help (exit 0), and the help lists each command with its whole
    summary line, never cut short with "...".  Messages are in the language of --lang,
    REGISTRY_LANG or the locale."""

    command_class = RegistryCommand
    group_class = type

    def main(self, args=None, prog_name=None, **extra):
        args = list(sys.argv[1:] if args is None else args)
        lang = i18n.resolve(i18n.normalize(_lang_argument(args)))
        if i18n.catalog_missing(lang):
            click.echo("registry: the Chinese messages are not compiled (pybabel compile -d registry/locale "
                       "-D registry); messages are in English", err=True)
        with i18n.speaking(lang):
            return super().main(args, prog_name, **extra)

    def parse_args(self, ctx, args):
        if not _without_lang(args) and not ctx.resilient_parsing:
            click.echo(ctx.get_help())
            ctx.exit(0)
        return super().parse_args(ctx, args)

    def format_commands(self, ctx, formatter):
        # The whole summary paragraph (click would keep its first sentence, cut to the width).
        rows = [(name, _summary(command))
                for name, command in ((name, self.get_command(ctx, name)) for name in self.list_commands(ctx))
                if command is not None and not command.hidden]
        if rows:
            with formatter.section(_("Commands")):
                formatter.write_dl(rows)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except RegistryError as error:
            raise click.ClickException(str(error)) from error
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt):
            raise
        except Exception as error:
            if ctx.obj is not None and getattr(ctx.obj, "debug", False):
                raise
            if isinstance(error, ImportError) and error.name:
                # A library that is not installed: the sentence names the command that installs it.
                raise click.ClickException(dependencies.sentence(error.name)) from error
            fault = dbmod.fault_sentence(error, ctx.obj.db) if ctx.obj is not None else None
            if fault is not None:
                raise click.ClickException(fault) from error
            raise click.ClickException(
                _("unexpected failure: {kind} (run with --debug for details)").format(kind=type(error).__name__)
            ) from error


def _version(ctx, _param, value):
    if not value or ctx.resilient_parsing:
        return
    click.echo(_("registry {version} (schema revision {revision})").format(version=__version__, revision=schema.REVISION))
    ctx.exit()


# -h is --help everywhere; a help text may use the width of a wide terminal.
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 120}


@click.group(cls=RegistryGroup, context_settings=CONTEXT_SETTINGS)
@click.option("--db", envvar="REGISTRY_DB", show_envvar=True, metavar="PATH_OR_URL",
              help="SQLite file path, or a SQLAlchemy URL (postgresql+psycopg://…). "
                   "Default: a SQLite file in your data directory, created with the bundled notices on first use.")
@click.option("--user", envvar="REGISTRY_USER", show_envvar=True, default=None,
              help="Who records changes (default: your login name).")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.option("--lang", type=LanguageType(), envvar="REGISTRY_LANG", show_envvar=True, expose_value=False,
              help="Language of messages: zh (中文) or en (default: from LC_ALL, LC_MESSAGES or LANG).")
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_version,
              help="Show the program version and the schema revision it reads, and exit.")
@click.pass_context
def cli(ctx, db, user, debug):
    """Personnel appointment registry built from Linzhi City's appointment notices."""
    ctx.obj = Context(db, debug, user or _login())
    ctx.call_on_close(ctx.obj.close)


def _login() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:
        return ""


def main():
    cli(prog_name="registry")


def emit(fmt: str, data: dict, view, bom: bool = False, csv_view=None, *, title: str | None = None,
         empty: str | None = None, output: Path | None = None, printed=None, ids: bool = False):
    """Write an answer in its format: to ``output``, or to stdout (through a pager when a
    table is longer than the terminal).  ``title`` and ``empty`` are table-only lines;
    ``printed(data, made_on, ids)`` gives the Document for html and xlsx."""
    if fmt in ("html", "xlsx"):
        from registry.output import html, xlsx

        made = printed(data, date.today(), ids)
        deliver(html.to_html(made) if fmt == "html" else xlsx.to_xlsx(made), output)
    elif fmt == "json":
        deliver(render.to_json(data) + "\n", output)
    elif fmt == "csv":
        deliver(render.to_csv(*(csv_view or view)(data), bom=bom), output)
    else:
        deliver(tables_text([(title, *view(data), empty)], output), output, paged=True)


def tables_text(parts, output: Path | None = None) -> str:
    """(title, headers, rows, empty) parts as text, a blank line apart; each table fits the
    terminal's width when it goes to one."""
    screen = None if output is not None else _stdout_terminal()
    lines: list[str] = []
    for number, (title, headers, rows, empty) in enumerate(parts):
        if number:
            lines.append("")
        if title:
            lines.append(title)
        if rows:
            lines.append(render.table(headers, rows, width=screen.columns if screen else None))
        elif empty:
            lines.append(empty)
    return "".join(line + "\n" for line in lines)


def deliver(payload: str | bytes, output: Path | None, paged: bool = False) -> None:
    """To a file, or to stdout; bytes never to a terminal, and a long table through the pager."""
    if output is not None:
        try:
            output.write_bytes(payload.encode("utf-8") if isinstance(payload, str) else payload)
        except OSError as error:
            raise RegistryError(_("cannot write {output}: {value}").format(output=output, value=error.strerror or error)) from None
        click.echo(_("written to {output}").format(output=output), err=True)
        return
    screen = _stdout_terminal()
    if isinstance(payload, bytes):
        if screen is not None:
            raise RegistryError(_("a workbook is not for the terminal; give --output FILE or redirect to a file"))
        click.echo(payload, nl=False)
    elif paged and screen is not None and payload.count("\n") > screen.lines - 1:
        click.echo_via_pager(payload)
    else:
        click.echo(payload, nl=False)


def _stdout_terminal():
    """The size of the terminal stdout writes to, or None when it is a file or a pipe (tests replace this)."""
    if not sys.stdout.isatty():
        return None
    import shutil

    return shutil.get_terminal_size()


def _day(value: date | None) -> date:
    """The date asked about (today by default); a future date gets a note, not a refusal."""
    today = date.today()
    if value is None:
        return today
    if value > today:
        click.echo(_("note: {value} is after today ({today}); the answer is what the notices on record say for "
                      "that date").format(value=value.isoformat(), today=today.isoformat()), err=True)
    return value


# -- commands ---------------------------------------------------------------------

@cli.command()
@click.option("--empty", is_flag=True, help="Create the schema only, without the bundled notices.")
@click.pass_obj
def init(obj: Context, empty):
    """Create the registry and load the bundled notices.  Safe to run again.

    A database that holds other tables, or a registry of another schema
    revision, is refused and left as it was.

    \b
    Example:
      registry --db linzhi.db init
    """
    loaded = admin.init(obj.engine, obj.db, empty=empty, user=obj.user)
    if loaded is None:
        click.echo(_("registry ready at {name} (empty)").format(name=obj.name))
        return
    for name, why in loaded.refused:
        click.echo(_("refused {name}: {why}").format(name=name, why=why), err=True)
    click.echo(_("registry ready at {name}: {recorded} notices recorded, {already} already recorded").format(name=obj.name, recorded=loaded.recorded, already=loaded.already))
    if loaded.refused:
        sys.exit(1)


@cli.command()
@click.pass_obj
def upgrade(obj: Context):
    """Bring a registry written by an earlier version to this version's schema.

    A SQLite registry is first copied beside itself (FILE.before-upgrade-REVISION-TIME).
    Run again, it changes nothing.

    \b
    Example:
      registry --db linzhi.db upgrade
    """
    if not obj.explicit and dbmod.file_missing(obj.engine):
        raise RegistryError(_("{name} holds no registry yet; any other command creates it").format(name=obj.name))
    done = admin.upgrade(obj.engine, obj.db)
    if done is None:
        click.echo(_("registry {name} is already at schema {revision}; nothing to do").format(name=obj.name, revision=schema.REVISION))
        return
    copy = _("; backup at {backup}").format(backup=done.backup) if done.backup else ""
    click.echo(_("registry {name} upgraded from schema {before} to {after}{copy}").format(name=obj.name, before=done.before, after=done.after, copy=copy))


@cli.command()
@click.argument("file", type=PathType(dir_okay=False, path_type=Path))
@click.pass_obj
def backup(obj: Context, file):
    """Write a consistent copy of a SQLite registry, even while others use it.

    A PostgreSQL registry is backed up with pg_dump (see the README).

    \b
    Example:
      registry backup linzhi-2026-11-29.db
    """
    admin.backup(obj.ready_engine(), obj.db, file)
    click.echo(_("registry {name} backed up to {file}").format(name=obj.name, file=file))


@cli.command("add-notice")
@click.argument("files", nargs=-1, required=True)
@click.option("--dry-run", is_flag=True, help="Show what would be recorded; record nothing.")
@click.option("--yes", "-y", is_flag=True, help="Record without asking for confirmation.")
@click.option("--person", "persons", multiple=True, metavar="NAME=ID",
              help="Link a name in the notices to the existing person with this id, who must have "
                   "that name, or make it a new person with NAME=new (repeatable).")
@format_option(("table", "json"))
@click.pass_obj
def add_notice(obj: Context, files, dry_run, yes, persons, fmt):
    """Show a notice's actions and resolved people, then record it atomically.

    FILES are notice files (text, PDF or Word .docx; a gazette issue holds
    several documents, and each personnel notice in it is recorded), folders
    of them (read recursively), or - for standard input.  Several notices are
    recorded one by one in date and number order; a refused one does not stop
    the others, and the exit code is then 1.

    \b
    Example:
      registry add-notice 林政发〔2023〕9号.txt --person 扎西=12
    """
    links = _links(persons)
    engine = obj.ready_engine()
    sources = intake.read_sources(files, stdin=lambda: sys.stdin.buffer.read())
    # Ask only when someone can answer: not with --yes, not when the notice itself comes on stdin.
    confirm = not dry_run and not yes and _on_terminal() and all(not s.label.startswith("<stdin>") for s in sources)
    if len(sources) == 1:
        _add_one(obj, engine, sources[0], dry_run=dry_run, confirm=confirm, links=links, fmt=fmt)
    else:
        _add_many(obj, engine, sources, dry_run=dry_run, confirm=confirm, links=links, fmt=fmt)


def _on_terminal() -> bool:
    """Whether a person at a terminal can answer the confirmation (tests replace this)."""
    return sys.stdin.isatty()


def _links(persons) -> dict[str, int | str]:
    """NAME=ID links a name to a person on record; NAME=new makes it a new person."""
    links: dict[str, int | str] = {}
    for item in persons:
        name, sep, ident = item.partition("=")
        name, ident = name.strip(), ident.strip()
        if ident.lower() == record.NEW:
            value: int | str = record.NEW
        elif sep and name and ident.isascii() and ident.isdigit():
            value = int(ident)
        else:
            raise click.BadParameter(_("{item!r} is not NAME=ID (such as 尼玛=12)").format(item=item), param_hint="--person")
        if not name:
            raise click.BadParameter(_("{item!r} is not NAME=ID (such as 尼玛=12)").format(item=item), param_hint="--person")
        if links.get(name, value) != value:
            raise click.BadParameter(_("{name} is linked to two ids ({value} and {ident})").format(name=name, value=links[name], ident=ident),
                                     param_hint="--person")
        links[name] = value
    return links


def _actions(count: int) -> str:
    return ngettext("{count} action", "{count} actions", count).format(count=count)


def _add_one(obj, engine, source, *, dry_run, confirm, links, fmt):
    if dry_run or confirm:
        outcome = intake.record(engine, source, dry_run=True, links=links, recorded_by=obj.user)
        if outcome.status == "already recorded":
            click.echo(_("{number} already recorded").format(number=outcome.notice.number), err=fmt == "json")
            return
        _show_preview(outcome, fmt)
        if dry_run:
            click.echo(_("{number} would be recorded: {actions}; nothing recorded (--dry-run)").format(number=outcome.notice.number, actions=_actions(len(outcome.plan))), err=True)
            return
        if not ask_yes_no(_("Record this notice?")):
            click.echo(_("nothing recorded"), err=True)
            sys.exit(1)
        outcome = intake.record_confirmed(engine, source, intake.plan_signature(outcome), links=links,
                                          recorded_by=obj.user)
    else:
        outcome = intake.record(engine, source, links=links, recorded_by=obj.user)
        if outcome.status == "recorded":
            _show_preview(outcome, fmt)
    if outcome.status == "already recorded":
        click.echo(_("{number} already recorded").format(number=outcome.notice.number), err=fmt == "json")
    else:
        click.echo(_("{number} recorded: {actions}").format(number=outcome.notice.number, actions=_actions(len(outcome.plan))),
                   err=fmt == "json")


def _show_preview(outcome, fmt, earlier=None, data=True):
    """One notice's preview: the table (or JSON) on stdout unless not ``data``, its warnings on stderr."""
    if data and fmt == "json":
        click.echo(render.to_json(preview.preview_json(outcome, earlier)))
    elif data:
        notice = outcome.notice
        click.echo(f"{notice.number}  {notice.date.isoformat()}  {notice.title}")
        click.echo(render.table(*preview.preview_rows(outcome, earlier)))
    prefix = f"{outcome.notice.number}: " if earlier is not None else ""
    for warning in preview.preview_warnings(outcome, earlier):
        click.echo(_("warning: {prefix}{warning}").format(prefix=prefix, warning=warning), err=True)


def _add_many(obj, engine, sources, *, dry_run, confirm, links, fmt):
    @contextmanager
    def progress(label):
        # A bar only for more than a few notices, and only ever on stderr: stdout is for data.
        if len(sources) <= 3:
            yield None
            return
        if all(s.skipped is None and s.unread is None for s in sources):
            text = ngettext("{doing} {count} notice", "{doing} {count} notices", len(sources))
        else:
            text = ngettext("{doing} {count} document", "{doing} {count} documents", len(sources))
        with click.progressbar(length=len(sources), label=text.format(doing=_(label), count=len(sources)),
                               file=sys.stderr) as bar:
            yield lambda source: bar.update(1)

    def show(summary, *, tables, verb):
        # After the bar is done: the previews as tables (or one JSON list of every document), warnings on stderr.
        earlier: dict[int, str] = {}
        documents = {}
        for source in summary.recorded:
            _show_preview(source.outcome, fmt, earlier, data=tables and fmt == "table")
            if tables and fmt == "table":
                click.echo("")
            documents[id(source)] = preview.preview_json(source.outcome, earlier)
            if dry_run or confirm:
                earlier.update(preview.created_elsewhere(source.outcome))
        if fmt == "json":
            click.echo(render.to_json([_document_json(source, summary, documents.get(id(source)), verb)
                                       for source in summary.ordered]))

    def report(summary, verb):
        for source in summary.ordered:
            if source in summary.recorded:
                click.echo(_("{number} {verb}: {actions}").format(number=source.outcome.notice.number, verb=_(verb), actions=_actions(len(source.outcome.plan))),
                           err=fmt == "json")
            elif source in summary.already:
                click.echo(_("{number} already recorded").format(number=source.outcome.notice.number), err=fmt == "json")
            elif source in summary.skipped:
                click.echo(_("skipped {label}: {name} is {reason}").format(label=source.label, name=source.name,
                                                                        reason=source.skipped), err=fmt == "json")
        for source in summary.unread:
            click.echo(_("not read {label}: {unread}").format(label=source.label, unread=source.unread), err=True)
        for source in summary.refused:
            click.echo(_("refused {label}: {error}").format(label=source.label, error=source.error), err=True)
        counts = (_("{done} {verb}, {already} already recorded, {refused} refused").format(
            done=len(summary.recorded), verb=_(verb), already=len(summary.already), refused=len(summary.refused)))
        if summary.skipped:
            counts += _(", {count} skipped").format(count=len(summary.skipped))
        if summary.unread:
            counts += ngettext("; {count} file not read", "; {count} files not read",
                               len(summary.unread)).format(count=len(summary.unread))
        click.echo(counts, err=True)

    if dry_run or confirm:
        with progress(N_("previewing")) as tick:
            summary = intake.record_batch(engine, sources, dry_run=True, links=links, recorded_by=obj.user,
                                          progress=tick)
        show(summary, tables=True, verb=N_("would be recorded"))
        report(summary, N_("would be recorded"))
        if dry_run or not summary.recorded:
            sys.exit(1 if summary.refused else 0)
        count = len(summary.recorded)
        if not ask_yes_no(ngettext("Record {count} notice?", "Record {count} notices?", count).format(count=count)):
            click.echo(_("nothing recorded"), err=True)
            sys.exit(1)
        with progress(N_("recording")) as tick:
            summary = intake.record_previewed(engine, summary, links=links, recorded_by=obj.user, progress=tick)
    else:
        with progress(N_("recording")) as tick:
            summary = intake.record_batch(engine, sources, links=links, recorded_by=obj.user, progress=tick)
        show(summary, tables=False, verb=N_("recorded"))
    report(summary, N_("recorded"))
    if summary.refused:
        sys.exit(1)


def _document_json(source, summary, preview, verb) -> dict:
    """One item of a batch in JSON: a notice's preview with its outcome, or what became of it."""
    if preview is not None:
        entry = dict(preview)
        outcome = verb
    else:
        notice = source.outcome.notice if source.outcome is not None else None
        heading = source.heading
        entry = {
            "number": notice.number if notice else heading.number if heading else source.number,
            "date": (notice.date if notice else heading.date).isoformat() if notice or heading else None,
            "title": notice.title if notice else source.title or None,
            "actions": [],
        }
        outcome = ("already recorded" if source in summary.already else "skipped" if source in summary.skipped
                   else "not read" if source in summary.unread else "refused")
    entry["outcome"] = outcome
    entry["reason"] = source.skipped or source.unread or source.error
    entry["source"] = intake.origin_json(source.origin)
    if entry["source"] is None:
        entry["source"] = {"file": source.label, "document": None, "pages": None}
    return entry


@cli.command()
@query_options
@click.pass_obj
def notices(obj: Context, fmt, known_at, bom):
    """List the notices on record and the numbers missing from each series.

    \b
    Example:
      registry notices --format json
    """
    with dbmod.reading(obj.ready_engine()) as session:
        if fmt == "json":
            # Written as the notices are read: a province's listing is never held whole.
            missing: list[str] = []
            for chunk in render.notices_json_chunks(queries.notice_entries(session, known_at, missing), missing):
                click.echo(chunk, nl=False)
            click.echo("")
            return
        data = queries.notices(session, known_at=known_at)
    emit(fmt, data, render.notices_view, bom, csv_view=render.notices_csv_view)
    if fmt == "table" and data["missing"]:
        click.echo(_("\nmissing: {items}").format(items='、'.join(data['missing'])))


@cli.command()
@query_options
@click.pass_obj
def orgs(obj: Context, fmt, known_at, bom):
    """List the organizations with their short forms and holding counts.

    \b
    Example:
      registry orgs
    """
    with dbmod.reading(obj.ready_engine()) as session:
        data = queries.organizations(session, known_at=known_at)
    emit(fmt, data, render.orgs_view, bom, csv_view=render.orgs_csv_view)


@cli.command()
@click.argument("org", required=False, shell_complete=ORG_COMPLETION)
@click.option("--all", "every", is_flag=True, help="Every organization, in the office's order (see --order).")
@click.option("--order", type=PathType(exists=True, dir_okay=False, path_type=Path), default=None,
              help="With --all: a file naming organizations one a line, in the order to print them.")
@as_of_option
@document_options
@click.pass_obj
def roster(obj: Context, org, every, order, as_of, fmt, known_at, bom, output, ids):
    """Print an organization's ranked leadership on a date.

    \b
    Examples:
      registry roster 卫健委 --as-of 2023-02-07
      registry roster --all --format html -o roster.html    # every bureau, printable
    """
    if every == (org is not None):
        raise click.UsageError(_("Missing argument 'ORG'. Give an organization, or --all for every one.")
                               if not every else _("give ORG or --all, not both"))
    if order is not None and not every:
        raise click.UsageError(_("--order goes with --all"))
    as_of = _day(as_of)
    # The 备注 column of a table or a printed roster shows a secondment (挂职); the JSON contract
    # does not carry it.
    detail = fmt in ("table", "html", "xlsx")
    with dbmod.reading(obj.ready_engine()) as session:
        if every:
            first = ordering.read_order(session, order) if order is not None else None
            data = queries.roster_all(session, as_of, known_at=known_at, first=first, detail=detail)
            rosters = data["rosters"]
        else:
            data = queries.roster(session, org, as_of, known_at=known_at, detail=detail)
    if fmt == "table" and every:
        parts = [(f"{r['organization']}  {r['as_of']}", *render.roster_view(r), None) for r in rosters]
        if data["without_holders"]:
            parts.append((None, [], [], _("nobody on record on {as_of}: {items}").format(as_of=data['as_of'], items='、'.join(data['without_holders']))))
        deliver(tables_text(parts, output), output, paged=True)
        return
    emit(fmt, data, render.roster_view, bom, csv_view=render.roster_csv_view, output=output, ids=ids,
         title=f"{data.get('organization')}  {data['as_of']}", empty=_("(nobody on record)"),
         printed=document.roster_document)


@cli.command("who-held")
@click.argument("org", shell_complete=ORG_COMPLETION)
@click.argument("title", shell_complete=_completion("title"))
@as_of_option
@document_options
@click.pass_obj
def who_held(obj: Context, org, title, as_of, fmt, known_at, bom, output, ids):
    """Who held a post on a date.

    A title never recorded for the organization is refused with the closest ones.

    \b
    Example:
      registry who-held 市商务局 副局长 --as-of 2023-02-01
    """
    on = _day(as_of)
    with dbmod.reading(obj.ready_engine()) as session:
        queries.require_title(session, org, title, known_at=known_at)
        data = queries.who_held(session, org, title, on, known_at=known_at, detail=fmt not in ("json", "csv"))
    emit(fmt, data, render.who_held_view, bom, csv_view=render.who_held_csv_view, output=output, ids=ids,
         title=f"{data['organization']}{data['title']}  {data['on']}", empty=_("(nobody on record)"),
         printed=document.who_held_document)


@cli.command()
@click.argument("name_or_id", shell_complete=_completion("name"))
@document_options
@click.pass_obj
def history(obj: Context, name_or_id, fmt, known_at, bom, output, ids):
    """Every post a person held, for everyone of that name (or one person id).

    Part of a name answers for the one name on record that contains it; when it fits several people
    they are listed, and on a terminal you choose one (otherwise the list is printed and the exit
    code is 3).

    \b
    Examples:
      registry history 尼玛
      registry history 卓玛    # part of a name
    """
    engine = obj.ready_engine()
    name_or_id = _one_person(engine, name_or_id, fmt, known_at)
    with dbmod.reading(engine) as session:
        data = queries.history(session, name_or_id, known_at=known_at, detail=fmt == "table")
        notes = peoplemod.history_notes(session, name_or_id, known_at=known_at) if fmt == "table" else []
    emit(fmt, data, render.history_view, bom, csv_view=render.history_csv_view, output=output, ids=ids,
         printed=document.history_document)
    for note in notes:
        click.echo(note, err=True)


class Ambiguous(click.ClickException):
    """Part of a name that fits several people, and nobody at a terminal to choose: exit 3."""

    exit_code = 3


def _one_person(engine, query: str, fmt: str, known_at) -> str:
    """The name or person id to answer for.  Part of a name that fits one name is taken as it (with a
    note); one that fits several people lists them, and on a terminal asks which (the table formats),
    otherwise prints the list in the format asked for and exits 3.  Nothing is held open while the
    clerk chooses."""
    try:
        with dbmod.reading(engine) as session:
            found = peoplemod.find_person(session, query, known_at=known_at)
    except peoplemod.AmbiguousName as choice:
        headers, rows = peoplemod.matches_view(choice)
        if fmt not in ("json", "csv") and _on_terminal():
            click.echo(render.table(headers, rows), err=True)
            ids = [str(match["person_id"]) for match in choice.matches]
            return click.prompt(_("{query} is part of {count} people's names; which person (人员ID)?").format(query=query, count=choice.count),
                                type=click.Choice(ids), show_choices=False, err=True)
        if fmt == "json":
            click.echo(render.to_json(choice.answer()))
        elif fmt == "csv":
            click.echo(render.to_csv(*peoplemod.matches_csv_view(choice)), nl=False)
        else:
            click.echo(render.table(headers, rows))
        raise Ambiguous(str(choice)) from None
    if found != query.strip():
        click.echo(_("note: {value} is taken as {found}, the one name on record that contains it").format(value=query.strip(), found=found), err=True)
    return found


# -- corrections: retract, amend, people, merge, split (issue 4) -------------------

def _reason_option(f):
    return click.option("--reason", required=True, help="Why; kept with the record of the change.")(f)


@cli.command()
@click.argument("number", shell_complete=_completion("number"))
@_reason_option
@click.pass_obj
def retract(obj: Context, number, reason):
    """Withdraw a notice recorded by mistake; it stays on record, marked retracted.

    Rosters then answer as if it had never been recorded; --known-at still shows
    what they said before.  A retracted number is not recorded again.

    \b
    Example:
      registry retract 林政发〔2023〕7号 --reason "recorded from a draft"
    """
    with dbmod.writing(obj.ready_engine()) as session:
        retraction = record.retract(session, number, reason, by=obj.user)
        count, label = retraction.actions, retraction.number
    click.echo(_("{label} retracted: {actions} no longer count").format(label=label, actions=_actions(count)))


@cli.command()
@click.argument("number", shell_complete=_completion("number"))
@click.argument("file", type=PathType())
@_reason_option
@click.option("--person", "persons", multiple=True, metavar="NAME=ID",
              help="Link a name in the corrected text to the existing person with this id (repeatable).")
@format_option(("table", "json"))
@click.pass_obj
def amend(obj: Context, number, file, reason, persons, fmt):
    """Replace a notice's text with a corrected one from now on; the old text stays on record.

    FILE is the corrected notice, or - for standard input.  People keep their
    ids wherever the corrected text names them as before.

    \b
    Example:
      registry amend 林政发〔2023〕3号 corrected.txt --reason "typo in a name"
    """
    links = _links(persons)
    items = intake.read_sources([file], stdin=lambda: sys.stdin.buffer.read())
    if len(items) > 1:
        raise RegistryError(_("{file} holds {count} documents; amend takes a file that holds one notice").format(file=file, count=len(items)))
    source = items[0]
    if source.refusal is not None:
        raise RegistryError(source.refusal)
    with dbmod.writing(obj.ready_engine()) as session:
        outcome = record.amend(session, number, source.data, reason, by=obj.user, links=links, origin=source.origin)
        _show_preview(outcome, fmt)
    click.echo(_("{number} amended: {actions}").format(number=outcome.notice.number, actions=_actions(len(outcome.plan))),
               err=fmt == "json")


@cli.command()
@click.argument("name_or_id", shell_complete=_completion("name"))
@query_options
@click.pass_obj
def people(obj: Context, name_or_id, fmt, known_at, bom):
    """Everyone of a name, with ids, holdings (with holding ids), notices and merge/split events.

    Part of a name is found as in `registry history`.

    \b
    Example:
      registry people 尼玛
    """
    engine = obj.ready_engine()
    name_or_id = _one_person(engine, name_or_id, fmt, known_at)
    with dbmod.reading(engine) as session:
        data = peoplemod.people(session, name_or_id, known_at=known_at)
    emit(fmt, data, peoplemod.people_view, bom, csv_view=peoplemod.people_csv_view)
    if fmt == "table":
        headers, rows = peoplemod.events_view(data)
        if rows:
            click.echo("")
            click.echo(render.table(headers, rows))


@cli.command()
@click.argument("kept_id", type=int)
@click.argument("other_id", type=int)
@_reason_option
@click.pass_obj
def merge(obj: Context, kept_id, other_id, reason):
    """Record that two person records are one person; the first id is kept.

    Undo with `registry undo EVENT_ID`.

    \b
    Example:
      registry merge 12 31 --reason "same person, per the 2019 file"
    """
    with dbmod.writing(obj.ready_engine()) as session:
        event = peoplemod.merge(session, kept_id, other_id, reason, by=obj.user)
        event_id = event.id
    click.echo(_("person {other_id} merged into person {kept_id} (event {event_id})").format(other_id=other_id, kept_id=kept_id, event_id=event_id))


@cli.command()
@click.argument("person_id", type=int)
@click.option("--holding", "holdings", type=int, multiple=True, required=True, metavar="HOLDING_ID",
              help="A holding that was another person's (repeatable); ids as shown by `registry people`.")
@_reason_option
@click.pass_obj
def split(obj: Context, person_id, holdings, reason):
    """Record that one person record is two people; the given holdings move to a new person.

    Undo with `registry undo EVENT_ID`.

    \b
    Example:
      registry split 12 --holding 40 --holding 41 --reason "two men called 扎西"
    """
    with dbmod.writing(obj.ready_engine()) as session:
        event = peoplemod.split(session, person_id, list(holdings), reason, by=obj.user)
        event_id, new_id = event.id, event.other_person_id
    moved = list(dict.fromkeys(holdings))
    text = ngettext("holding {ids} of person {person_id} moved to new person {new_id} (event {event_id})",
                    "holdings {ids} of person {person_id} moved to new person {new_id} (event {event_id})", len(moved))
    click.echo(text.format(ids=", ".join(map(str, moved)), person_id=person_id, new_id=new_id, event_id=event_id))


@cli.command()
@click.argument("event_id", type=int)
@_reason_option
@click.pass_obj
def undo(obj: Context, event_id, reason):
    """Undo a merge or split from now on; the event stays on record, marked undone.

    EVENT_ID is shown by `registry people` and by the notes under `registry history`.

    \b
    Example:
      registry undo 3 --reason "merged by mistake"
    """
    with dbmod.writing(obj.ready_engine()) as session:
        event = peoplemod.undo(session, event_id, reason, by=obj.user)
        kind = event.kind
    click.echo(_("event {event_id} ({kind}) undone").format(event_id=event_id, kind=kind))



# -- reports: changes, probation, vacancies, check (issue 4) -----------------------

@cli.command()
@click.option("--org", default=None, shell_complete=ORG_COMPLETION, help="Only this organization (name or short form).")
@click.option("--from", "start", type=DATE, default=None, help="First notice date, inclusive.")
@click.option("--to", "end", type=DATE, default=None, help="Last notice date, inclusive.")
@document_options
@click.pass_obj
def changes(obj: Context, org, start, end, fmt, known_at, bom, output, ids):
    """Every appointment, removal and re-ranking in a period, in notice order.

    \b
    Example:
      registry changes --org 卫健委 --from 2023-01-01 --to 2023-12-31
    """
    if start is not None and end is not None and start > end:
        raise click.BadParameter(_("--from {start} is after --to {end}").format(start=start, end=end), param_hint="--from")
    with dbmod.reading(obj.ready_engine()) as session:
        data = reports.changes(session, org, start, end, known_at=known_at)
    emit(fmt, data, render.changes_view, bom, csv_view=render.changes_csv_view, output=output, ids=ids,
         empty=_("(no changes on record)"), printed=document.changes_document)


@cli.command()
@as_of_option
@click.option("--ending-within", type=click.IntRange(min=0), default=None, metavar="DAYS",
              help="Mark probations that end within DAYS days of the date as ending soon.")
@query_options
@click.pass_obj
def probation(obj: Context, as_of, ending_within, fmt, known_at, bom):
    """Probations in force on a date, those ending soon, and those cut short.

    \b
    Example:
      registry probation --as-of 2024-01-15 --ending-within 30
    """
    on = _day(as_of)
    with dbmod.reading(obj.ready_engine()) as session:
        data = reports.probation(session, on, ending_within, known_at=known_at)
    if fmt == "table" and not data["probations"]:
        click.echo(_("(no probations on record)"))
    emit(fmt, data, render.probation_view, bom, csv_view=render.probation_csv_view)


@cli.command()
@click.argument("org", shell_complete=ORG_COMPLETION)
@as_of_option
@query_options
@click.pass_obj
def vacancies(obj: Context, org, as_of, fmt, known_at, bom):
    """Head posts of an organization that nobody on record holds on a date.

    \b
    Example:
      registry vacancies 市国防动员办公室 --as-of 2023-02-07
    """
    as_of = _day(as_of)
    with dbmod.reading(obj.ready_engine()) as session:
        data = reports.vacancies(session, org, as_of, known_at=known_at)
        heads = queries.head_titles_on_record(session, org, known_at=known_at)
    # An organization that never had a head on record has no vacant head post, and says why.
    empty = _("(no vacant head post)") if heads else _("(no head post on record)")
    if fmt != "table" and not heads:
        click.echo(_("note: no head post of {organization} is on record").format(organization=data['organization']), err=True)
    emit(fmt, data, render.vacancies_view, bom, csv_view=render.vacancies_csv_view,
         title=f"{data['organization']}  {data['as_of']}", empty=empty)


@cli.command()
@query_options
@click.pass_obj
def check(obj: Context, fmt, known_at, bom):
    """Report integrity errors (exit 1) and warnings (exit 0) in the registry.

    \b
    Example:
      registry check --format json
    """
    counts = {"error": 0, "warning": 0}
    with dbmod.reading(obj.ready_engine()) as session:
        if fmt == "json":
            # Written as the findings are found: the answer is never held whole (a province's
            # archive may give hundreds of thousands).
            def counted():
                for level, finding in reports.check_findings(session, known_at=known_at):
                    counts[level] += 1
                    yield level, finding

            for chunk in render.check_json_chunks(counted()):
                click.echo(chunk, nl=False)
            click.echo("")
        else:
            data = reports.check(session, known_at=known_at)
            counts = {"error": len(data["errors"]), "warning": len(data["warnings"])}
    if fmt != "json":
        if fmt == "table" and not (data["errors"] or data["warnings"]):
            click.echo(_("(no problems found)"))
        emit(fmt, data, render.check_view, bom, csv_view=render.check_csv_view)
    click.echo(_("{errors} errors, {warnings} warnings").format(errors=counts["error"], warnings=counts["warning"]), err=True)
    if counts["error"]:
        sys.exit(1)


# -- exchange: open-data exports (issue 13) ---------------------------------------

@cli.group(cls=RegistryGroup)
def export():
    """Export the registry as open data: Popolo JSON or FollowTheMoney entities.

    \b
    Example:
      registry export popolo --as-of 2023-02-07 --output popolo.json
    """


def export_options(f):
    f = click.option("--output", "-o", type=PathType(dir_okay=False, writable=True), default=None,
                     help="Write to this file instead of standard output.")(f)
    f = known_at_option(f)
    return click.option("--as-of", "--on", "as_of", type=DATE, default=None,
                        help="Only the holdings in force on this date (default: the whole history).")(f)


def _write(text: str, output: str | None) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        Path(output).write_text(text, encoding="utf-8")


def _export_summary(snapshot, output) -> None:
    where = _(" to {output}").format(output=output) if output else ""
    click.echo(_("exported {people} people, {organizations} organizations, {posts} posts and {holdings} holdings{where}").format(
        people=len(snapshot.people), organizations=len(snapshot.organizations), posts=len(snapshot.posts),
        holdings=len(snapshot.memberships), where=where), err=True)


@export.command("popolo")
@export_options
@click.pass_obj
def export_popolo(obj: Context, as_of, known_at, output):
    """One Popolo JSON document: persons, organizations, posts, memberships.

    \b
    Example:
      registry export popolo --as-of 2023-02-07 --output popolo.json
    """
    with dbmod.reading(obj.ready_engine()) as session:
        snapshot = records.snapshot(session, as_of, known_at=known_at)
    _write(render.to_json(popolo.document(snapshot)) + "\n", output)
    _export_summary(snapshot, output)


@export.command("ftm")
@export_options
@click.pass_obj
def export_ftm(obj: Context, as_of, known_at, output):
    """FollowTheMoney entities, one JSON object per line (needs registry[ftm]).

    \b
    Example:
      registry export ftm --output linzhi.ftm.json
    """
    with dbmod.reading(obj.ready_engine()) as session:
        snapshot = records.snapshot(session, as_of, known_at=known_at)
    _write("".join(line + "\n" for line in ftm.lines(snapshot)), output)
    _export_summary(snapshot, output)


@cli.command("import-roster")
@click.argument("file", type=PathType(exists=True, dir_okay=False))
@click.option("--as-of", "--on", "as_of", type=DATE, required=True,
              help="The date on which the roster says these posts were held.")
@click.option("--reason", required=True, help="Why the roster is imported (recorded with it).")
@click.option("--dry-run", is_flag=True, help="Show what would be recorded; record nothing.")
@click.option("--yes", "-y", is_flag=True, help="Record without asking for confirmation.")
@click.option("--person", "persons", multiple=True, metavar="NAME=ID",
              help="Link a name in the roster to the existing person with this id (repeatable).")
@click.pass_obj
def import_roster_command(obj: Context, file, as_of, reason, dry_run, yes, persons):
    """Record an office's roster (.xlsx or .csv) as a source: who held which post on a date.

    Columns: 单位, 姓名, 职务 and optionally 任职时间, 任职文号, 备注 (兼任, 代理,
    试用期至DATE); or organization, name, title, since, document, note.

    \b
    Example:
      registry import-roster 林芝市领导班子.xlsx --as-of 2023-01-01 --reason "启用登记系统时的在任名册"
    """
    links = _links(persons)
    engine = obj.ready_engine()
    data = Path(file).read_bytes()
    confirm = not dry_run and not yes and _on_terminal()
    options = dict(links=links, recorded_by=obj.user)
    if dry_run or confirm:
        outcome = roster_import.record(engine, file, data, as_of, reason, dry_run=True, **options)
        if outcome.status == "already recorded":
            click.echo(_("{file_name} ({as_of}) already recorded").format(file_name=outcome.file_name, as_of=as_of))
            return
        _show_roster_preview(outcome)
        if dry_run:
            click.echo(_("{file_name} ({as_of}) would be recorded: {rows}; nothing recorded (--dry-run)").format(file_name=outcome.file_name, as_of=as_of, rows=_rows(len(outcome.plan))), err=True)
            return
        if not ask_yes_no(_("Record this roster?")):
            click.echo(_("nothing recorded"), err=True)
            sys.exit(1)
        outcome = roster_import.record(engine, file, data, as_of, reason, confirmed=roster_import.signature(outcome),
                                       **options)
    else:
        outcome = roster_import.record(engine, file, data, as_of, reason, **options)
        if outcome.status == "recorded":
            _show_roster_preview(outcome)
    if outcome.status == "already recorded":
        click.echo(_("{file_name} ({as_of}) already recorded").format(file_name=outcome.file_name, as_of=as_of))
    else:
        click.echo(_("{file_name} ({as_of}) recorded: {rows}").format(file_name=outcome.file_name, as_of=as_of, rows=_rows(len(outcome.plan))))


def _rows(count: int) -> str:
    return ngettext("{count} row", "{count} rows", count).format(count=count)


def _show_roster_preview(outcome) -> None:
    click.echo(f"名册 {outcome.file_name}  {outcome.as_of.isoformat()}")
    click.echo(render.table(*render.roster_import_view(outcome)))
    for step in outcome.plan:
        if step.org_new:
            click.echo(_("warning: row {row_number}: {organization} is a new organization").format(row_number=step.entry.row_number, organization=step.organization), err=True)
        if step.person_new and step.namesakes:
            click.echo(_("warning: row {row_number}: new person {name} shares the name with people {items} on record").format(row_number=step.entry.row_number, name=step.entry.name, items=', '.join(map(str, step.namesakes))), err=True)
    for message in outcome.conflicts:
        click.echo(_("conflict: {message}").format(message=message), err=True)


if __name__ == "__main__":
    main()
