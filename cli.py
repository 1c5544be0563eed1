"""The registry command line: parse options, call ``registry``, render, map errors.

The logic lives in the ``registry`` package; nothing here touches a table.
"""

from __future__ import annotations

import getpass
import sys
from datetime import date, datetime
from pathlib import Path

import click

from registry import db as dbmod
from registry import intake, queries, render
from registry.errors import RegistryError


# -- option types ---------------------------------------------------------------

class DateType(click.ParamType):
    name = "DATE"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        try:
            return queries.parse_date(value)
        except ValueError as error:
            self.fail(str(error), param, ctx)


class KnownAtType(click.ParamType):
    name = "DATETIME"

    def convert(self, value, param, ctx):
        if isinstance(value, datetime):
            return value
        try:
            return queries.parse_known_at(value)
        except RegistryError as error:
            self.fail(str(error), param, ctx)


DATE = DateType()
KNOWN_AT = KnownAtType()


def format_option(choices=render.FORMATS):
    return click.option("--format", "fmt", type=click.Choice(choices), default="table", show_default=True,
                        help="Output format.")


def known_at_option(f):
    return click.option("--known-at", type=KNOWN_AT, default=None,
                        help="Answer as the registry stood at this moment (ISO 8601; local time if no zone).")(f)


def bom_option(f):
    return click.option("--bom", is_flag=True, help="With --format csv: start with a BOM, for Excel.")(f)


# -- the group --------------------------------------------------------------------

class Context:
    def __init__(self, db: str | None, debug: bool, user: str):
        self.explicit = db is not None
        self.db = db or str(dbmod.default_db_path())
        self.debug = debug
        self.user = user
        self._engine = None

    @property
    def engine(self):
        if self._engine is None:
            self._engine = dbmod.make_engine(self.db)
        return self._engine

    def ready_engine(self):
        """The engine of a registry that exists; the default one is created on first use."""
        engine = self.engine
        if not dbmod.schema_exists(engine):
            if self.explicit:
                raise RegistryError(f"{self.db} holds no registry; run `registry --db {self.db} init` first")
            dbmod.create_schema(engine)
            summary = intake.record_batch(engine, intake.read_sources(map(str, _bundled())), recorded_by=self.user)
            click.echo(f"registry: created {self.db} with the {len(summary.recorded)} bundled notices", err=True)
        return engine

    def close(self):
        if self._engine is not None:
            self._engine.dispose()


def _bundled():
    from registry.record import bundled_notice_files

    return bundled_notice_files()


class RegistryGroup(click.Group):
    """Turns registry errors into one sentence and exit 1; no traceback without --debug."""

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
            raise click.ClickException(f"unexpected failure: {error} (run with --debug for details)") from error


@click.group(cls=RegistryGroup)
@click.option("--db", envvar="REGISTRY_DB", show_envvar=True, metavar="PATH_OR_URL",
              help="SQLite file path, or a SQLAlchemy URL (postgresql+psycopg://…). "
                   "Default: a SQLite file in your data directory, created with the bundled notices on first use.")
@click.option("--user", envvar="REGISTRY_USER", show_envvar=True, default=None,
              help="Who records changes (default: your login name).")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.version_option(package_name="registry")
@click.pass_context
def cli(ctx, db, user, debug):
    """Personnel appointment registry built from Linzhi City's appointment notices."""
    ctx.obj = Context(db, debug, user or _login())
    ctx.call_on_close(ctx.obj.close)


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return ""


def main():
    cli(prog_name="registry")


def emit(fmt: str, data: dict, view, bom: bool = False, csv_view=None):
    if fmt == "json":
        click.echo(render.to_json(data))
        return
    headers, rows = (csv_view or view)(data) if fmt == "csv" else view(data)
    if fmt == "csv":
        click.echo(render.to_csv(headers, rows, bom=bom), nl=False)
    elif rows:
        click.echo(render.table(headers, rows))


# -- commands ---------------------------------------------------------------------

@cli.command()
@click.option("--empty", is_flag=True, help="Create the schema only, without the bundled notices.")
@click.pass_obj
def init(obj: Context, empty):
    """Create the registry and load the bundled notices.  Safe to run again.

    Example: registry --db linzhi.db init
    """
    dbmod.create_schema(obj.engine)
    if empty:
        click.echo(f"registry ready at {obj.db} (empty)")
        return
    summary = intake.record_batch(obj.engine, intake.read_sources(map(str, _bundled())), recorded_by=obj.user)
    for source in summary.refused:
        click.echo(f"refused {Path(source.label).name}: {source.error}", err=True)
    click.echo(f"registry ready at {obj.db}: {len(summary.recorded)} notices recorded, "
               f"{len(summary.already)} already recorded")
    if summary.refused:
        sys.exit(1)


@cli.command("add-notice")
@click.argument("files", nargs=-1, required=True)
@click.option("--dry-run", is_flag=True, help="Show what would be recorded; record nothing.")
@click.option("--yes", "-y", is_flag=True, help="Record without asking for confirmation.")
@click.option("--person", "persons", multiple=True, metavar="NAME=ID",
              help="Link a name in the notice to an existing person (repeatable).")
@format_option(("table", "json"))
@click.pass_obj
def add_notice(obj: Context, files, dry_run, yes, persons, fmt):
    """Show a notice's actions and resolved people, then record it atomically.

    Example: registry add-notice 林政发〔2023〕9号.txt --person 扎西=12
    FILES are notice files, directories of them, or - for standard input.
    """
    links = _links(persons)
    engine = obj.ready_engine()
    sources = intake.read_sources(files, stdin=lambda: click.get_binary_stream("stdin").read())
    if len(sources) == 1:
        _add_one(obj, engine, sources[0], dry_run=dry_run, yes=yes, links=links, fmt=fmt)
    else:
        _add_many(obj, engine, sources, dry_run=dry_run, links=links, fmt=fmt)


def _links(persons) -> dict[str, int]:
    links = {}
    for item in persons:
        name, sep, ident = item.partition("=")
        if not sep or not name.strip() or not ident.strip().isdigit():
            raise click.BadParameter(f"{item!r} is not NAME=ID", param_hint="--person")
        links[name.strip()] = int(ident)
    return links


def _add_one(obj, engine, source, *, dry_run, yes, links, fmt):
    interactive = not dry_run and not yes and sys.stdin.isatty() and source.label != "<stdin>"
    if dry_run or interactive:
        outcome = intake.record(engine, source, dry_run=True, links=links, recorded_by=obj.user)
        if outcome.status == "already recorded":
            click.echo(f"{outcome.notice.number} already recorded", err=fmt == "json")
            return
        _show_preview(outcome, fmt)
        if dry_run:
            return
        if not click.confirm("Record this notice?", default=False, err=True):
            click.echo("nothing recorded", err=True)
            sys.exit(1)
        outcome = intake.record_confirmed(engine, source, intake.plan_signature(outcome.plan), links=links,
                                          recorded_by=obj.user)
    else:
        outcome = intake.record(engine, source, links=links, recorded_by=obj.user)
        if outcome.status == "recorded":
            _show_preview(outcome, fmt)
    if outcome.status == "already recorded":
        click.echo(f"{outcome.notice.number} already recorded", err=fmt == "json")
    else:
        click.echo(f"{outcome.notice.number} recorded: {len(outcome.plan)} actions", err=fmt == "json")


def _show_preview(outcome, fmt):
    from registry.preview import preview_json, preview_rows, preview_warnings

    if fmt == "json":
        click.echo(render.to_json(preview_json(outcome)))
        for warning in preview_warnings(outcome):
            click.echo(f"warning: {warning}", err=True)
        return
    notice = outcome.notice
    click.echo(f"{notice.number}  {notice.date.isoformat()}  {notice.title}")
    headers, rows = preview_rows(outcome)
    click.echo(render.table(headers, rows))
    for warning in preview_warnings(outcome):
        click.echo(f"warning: {warning}", err=True)


def _add_many(obj, engine, sources, *, dry_run, links, fmt):
    show_bar = len(sources) > 3 and not dry_run
    bar = click.progressbar(length=len(sources), label="recording", file=sys.stderr) if show_bar else None

    def tick(source):
        if bar is not None:
            bar.update(1)

    if bar is not None:
        with bar:
            summary = intake.record_batch(engine, sources, dry_run=dry_run, links=links,
                                          recorded_by=obj.user, progress=tick)
    else:
        summary = intake.record_batch(engine, sources, dry_run=dry_run, links=links, recorded_by=obj.user)
    verb = "would be recorded" if dry_run else "recorded"
    if dry_run and fmt == "json":
        from registry.preview import preview_json

        click.echo(render.to_json([preview_json(s.outcome) for s in summary.recorded]))
    for source in summary.recorded:
        click.echo(f"{source.outcome.notice.number} {verb}: {len(source.outcome.plan)} actions", err=fmt == "json")
    for source in summary.already:
        click.echo(f"{source.outcome.notice.number} already recorded", err=fmt == "json")
    for source in summary.refused:
        click.echo(f"refused {source.label}: {source.error}", err=True)
    click.echo(f"{len(summary.recorded)} {verb}, {len(summary.already)} already recorded, "
               f"{len(summary.refused)} refused", err=True)
    if summary.refused:
        sys.exit(1)


@cli.command()
@format_option()
@known_at_option
@bom_option
@click.pass_obj
def notices(obj: Context, fmt, known_at, bom):
    """List the notices on record and the numbers missing from each series.

    Example: registry notices --format json
    """
    with dbmod.reading(obj.ready_engine()) as session:
        data = queries.notices(session, known_at=known_at)
    emit(fmt, data, render.notices_view, bom)
    if fmt == "table" and data["missing"]:
        click.echo(f"\nmissing: {'、'.join(data['missing'])}")


@cli.command()
@format_option()
@known_at_option
@bom_option
@click.pass_obj
def orgs(obj: Context, fmt, known_at, bom):
    """List the organizations with their short forms and holding counts.

    Example: registry orgs
    """
    with dbmod.reading(obj.ready_engine()) as session:
        data = queries.organizations(session, known_at=known_at)
    emit(fmt, data, render.orgs_view, bom)


@cli.command()
@click.argument("org")
@click.option("--as-of", type=DATE, default=None, help="The date (default: today).")
@format_option()
@known_at_option
@bom_option
@click.pass_obj
def roster(obj: Context, org, as_of, fmt, known_at, bom):
    """Print an organization's ranked leadership on a date.

    Example: registry roster 卫健委 --as-of 2023-02-07
    """
    as_of = as_of or date.today()
    with dbmod.reading(obj.ready_engine()) as session:
        data = queries.roster(session, org, as_of, known_at=known_at)
    if fmt == "table":
        click.echo(f"{data['organization']}  {data['as_of']}")
        if not data["members"]:
            click.echo("(nobody on record)")
    emit(fmt, data, render.roster_view, bom, csv_view=render.roster_csv_view)


@cli.command("who-held")
@click.argument("org")
@click.argument("title")
@click.option("--on", type=DATE, default=None, help="The date (default: today).")
@format_option()
@known_at_option
@bom_option
@click.pass_obj
def who_held(obj: Context, org, title, on, fmt, known_at, bom):
    """Who held a post on a date.

    Example: registry who-held 市商务局 副局长 --on 2023-02-01
    """
    on = on or date.today()
    with dbmod.reading(obj.ready_engine()) as session:
        data = queries.who_held(session, org, title, on, known_at=known_at)
    if fmt == "table":
        click.echo(f"{data['organization']}{data['title']}  {data['on']}")
        if not data["holders"]:
            click.echo("(nobody on record)")
    emit(fmt, data, render.who_held_view, bom)


@cli.command()
@click.argument("name_or_id")
@format_option()
@known_at_option
@bom_option
@click.pass_obj
def history(obj: Context, name_or_id, fmt, known_at, bom):
    """Every post a person held, for everyone of that name (or one person id).

    Example: registry history 尼玛
    """
    with dbmod.reading(obj.ready_engine()) as session:
        data = queries.history(session, name_or_id, known_at=known_at)
    emit(fmt, data, render.history_view, bom)


# -- corrections: retract, amend, people, merge, split (issue 4) -------------------


# -- reports: changes, probation, vacancies, check (issue 4) -----------------------


if __name__ == "__main__":
    main()
