"""The ``kapdir`` command line. Each command is thin: the work lives in ``directory`` and ``crawler``."""

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError
from typer.exceptions import TyperException

from directory.errors import KapdirError

app = typer.Typer(
    help="kapdir: a KAP provider directory that verifies what practice websites claim.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
boards_app = typer.Typer(help="Licensing, registry, exclusion and compact sources.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(boards_app, name="boards")
app.add_typer(db_app, name="db")

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="SQLite file to use (default: DATABASE_URL, else the data directory)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")]


def _echo_json(payload: object) -> None:
    typer.echo(json.dumps(payload, indent=2, default=str))


def _need_database(db: Path | None) -> None:
    """Read commands never create a database: a missing one is a one-line error naming it."""
    from directory.db import require_database

    require_database(db)


@contextmanager
def _exclusive(db: Path | None, *kinds: str, create: bool) -> Iterator[None]:
    """Run the command as the only job of these kinds on its database (``directory.db.exclusive_jobs``)."""
    from directory.db import exclusive_jobs, require_database, resolve_url

    with exclusive_jobs(resolve_url(db) if create else require_database(db), *kinds):
        yield


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"
    fhir = "fhir"


@app.command()
def demo(
    db: DbOption = None,
    no_dashboard: Annotated[bool, typer.Option("--no-dashboard", help="Stop after verifying.")] = False,
    as_json: JsonOption = False,
    port: Annotated[int, typer.Option(help="Dashboard port.", min=1, max=65535)] = 8501,
) -> None:
    """Serve the bundled sample world, crawl it, sync boards, verify, then open the dashboard."""
    from directory.demo import run_demo

    run_demo(db=db, dashboard=not no_dashboard, as_json=as_json, port=port)  # locks while it builds


@app.command()
def crawl(
    seeds: Annotated[
        list[str] | None,
        typer.Option("--seeds", help="Seed URL or a file of URLs (one a line); repeatable. "
                     "Default: the seeds table."),
    ] = None,
    listing: Annotated[
        list[str] | None, typer.Option("--listing", help="Directory listing URL to discover practices from.")
    ] = None,
    proxy: Annotated[str | None, typer.Option(help="HTTP proxy for every request (e.g. a local mirror).")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    redis: Annotated[
        str | None, typer.Option("--redis", help="Distributed mode: share the crawl through this Redis URL.")
    ] = None,
    workers: Annotated[int, typer.Option(help="Distributed mode: local worker processes.", min=1)] = 2,
    join: Annotated[bool, typer.Option("--join", help="Join the distributed crawl running on --redis.")] = False,
    trust_listing: Annotated[bool, typer.Option(
        "--trust-listing", help="Crawl the sites a --listing names now, as active seeds (default: they wait for "
        "an admin's approval).")] = False,
) -> None:
    """Crawl practice websites into the directory (polite, incremental)."""
    from crawler.run import crawl_command

    if join:  # one more worker of a crawl that holds the lock already
        crawl_command(seeds=seeds or [], listings=listing or [], proxy=proxy, db=db, as_json=as_json,
                      redis_url=redis, workers=workers, join=join)
        return
    with _exclusive(db, "crawl", create=True):
        crawl_command(seeds=seeds or [], listings=listing or [], proxy=proxy, db=db, as_json=as_json,
                      redis_url=redis, workers=workers, join=join, trust_listing=trust_listing)


@app.command()
def extract(
    path: Annotated[Path, typer.Argument(help="An .html/.htm page or a .txt file of page text.")],
    url: Annotated[str | None, typer.Option(help="The page's URL, for provenance and relative links.")] = None,
) -> None:
    """Extract facts from one page and print one JSON object."""
    from directory.extraction import extract_file

    _echo_json(extract_file(path, url=url))


@boards_app.command("list")
def boards_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Each source, its coverage, method, last sync, as-of date and record count."""
    from directory.boards.commands import list_command

    _need_database(db)
    list_command(db=db, as_json=as_json)


@boards_app.command("sync")
def boards_sync(
    sources: Annotated[
        list[str] | None,
        typer.Argument(help="Source names (default: every roster source, then look-ups for the clinicians stored)."),
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Download even if unchanged; apply even if it removes many records.")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Download rosters into the database (keeps the last good data when a source fails)."""
    from directory.boards.commands import check_source_names, sync_command

    check_source_names(sources or [])
    with _exclusive(db, "sync", create=True):
        sync_command(sources=sources or [], force=force, db=db, as_json=as_json)


@boards_app.command("lookup")
def boards_lookup(
    name: Annotated[str, typer.Option(help="Clinician name.")],
    state: Annotated[str, typer.Option(help="Two-letter state code.")],
    license_class: Annotated[str | None, typer.Option("--class", help="License class or title, e.g. LPC.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Look a clinician up in every source that covers the state."""
    from directory.boards.commands import lookup_command

    with _exclusive(db, "sync", create=False):  # look-ups write board records and syncs like a sync does
        lookup_command(name=name, state=state, license_class=license_class, db=db, as_json=as_json)


@boards_app.command("check")
def boards_check(
    sources: Annotated[list[str] | None, typer.Argument(help="Source names (default: every source).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Live check: one tiny real query per source; reports reachable / format as expected / what changed."""
    from directory.boards.commands import check_command

    check_command(sources=sources or [], as_json=as_json)


@app.command()
def verify(
    due: Annotated[bool, typer.Option("--due", help="Re-check only verdicts that are due.")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Verify every claim against the stored board data, with evidence."""
    from directory.verification.commands import verify_command

    with _exclusive(db, "verify", create=False):
        verify_command(due=due, db=db, as_json=as_json)


@app.command()
def refresh(
    db: DbOption = None,
    as_json: JsonOption = False,
    proxy: Annotated[str | None, typer.Option(
        help="HTTP proxy for the crawl (default: KAPDIR_CRAWL_PROXY, e.g. a local mirror).")] = None,
) -> None:
    """Crawl the sites that are due, sync the sources that are due, re-verify what is due (schedulable)."""
    import os

    from directory.refresh import refresh_command

    with _exclusive(db, "crawl", "sync", "verify", create=True):
        refresh_command(db=db, as_json=as_json, proxy=proxy or os.environ.get("KAPDIR_CRAWL_PROXY") or None)


@app.command()
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="json, csv or fhir (R4 Bundle).")] = ExportFormat.json,
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
    db: DbOption = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The verdicts as they stood on this date (YYYY-MM-DD: at the end of that "
                     "day, UTC) or at this time (YYYY-MM-DDTHH:MM:SS, UTC), from the verdict history."),
    ] = None,
) -> None:
    """Export practices, clinicians and verdicts (now, or as they stood on a past date)."""
    from directory.export import export_command

    export_command(fmt=fmt.value, out=out, db=db, as_of=as_of)


@app.command()
def dashboard(
    port: Annotated[int, typer.Option(help="Port to serve on.", min=1, max=65535)] = 8501,
    db: DbOption = None,
) -> None:
    """Open the Streamlit dashboard."""
    from dashboard.launch import serve

    _need_database(db)
    serve(db=db, port=port)


@app.command()
def eval(  # noqa: A001 - the command is called eval
    as_json: JsonOption = False,
    real: Annotated[
        Path | None,
        typer.Option("--real", help="Score a real-page folder (../shared/realpages layout): dev and test parts."),
    ] = None,
) -> None:
    """Precision, recall and F1 per field of extraction on the labelled set, or on real pages (--real DIR)."""
    from directory.extraction.evaluation import eval_command, real_eval_command

    if real is not None:
        real_eval_command(real, as_json=as_json)
        return
    eval_command(as_json=as_json)


class ChangesFormat(StrEnum):
    table = "table"
    json = "json"
    atom = "atom"


watch_app = typer.Typer(help="Watch lists: the practices someone follows, keyed by a name or e-mail.",
                        no_args_is_help=True)
feeds_app = typer.Typer(help="Change events out: the Atom feed server and the webhook.", no_args_is_help=True)
app.add_typer(watch_app, name="watch")
app.add_typer(feeds_app, name="feeds")
WatchName = Annotated[str, typer.Argument(help="The watch list's name or e-mail (matched ignoring case).")]
PracticeIds = Annotated[list[int], typer.Argument(help="Practice ids (as in `kapdir changes` or the dashboard).")]


@app.command()
def changes(
    since: Annotated[str | None, typer.Option(help="Only events from this date (YYYY-MM-DD, UTC) or time on.")] = None,
    practice: Annotated[list[int] | None, typer.Option("--practice", help="Only this practice id; repeatable.")] = None,
    watch: Annotated[str | None, typer.Option("--watch", help="Only the practices of this watch list.")] = None,
    fmt: Annotated[ChangesFormat, typer.Option("--format", help="table, json or atom.")] = ChangesFormat.table,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    db: DbOption = None,
) -> None:
    """What changed: verdicts, practices appearing or vanishing, prices and state lists, with before/after/why."""
    from directory.changes.commands import changes_command

    changes_command(since=since, practice=practice or [], watch=watch, db=db,
                    fmt="json" if as_json else fmt.value)


@watch_app.command("add")
def watch_add(name: WatchName, practices: PracticeIds, db: DbOption = None) -> None:
    """Watch these practices (creates the list on first use) and print its Atom feed URL."""
    from directory.changes.commands import watch_add_command

    watch_add_command(name=name, practices=practices, db=db)


@watch_app.command("remove")
def watch_remove(name: WatchName, practices: PracticeIds, db: DbOption = None) -> None:
    """Stop watching these practices."""
    from directory.changes.commands import watch_remove_command

    watch_remove_command(name=name, practices=practices, db=db)


@watch_app.command("list")
def watch_list(
    name: Annotated[str | None, typer.Argument(help="One watch list (default: all).")] = None,
    db: DbOption = None, as_json: JsonOption = False,
) -> None:
    """Watch lists, their practices and feed URLs."""
    from directory.changes.commands import watch_list_command

    watch_list_command(name=name, as_json=as_json, db=db)


@feeds_app.command("serve")
def feeds_serve(
    port: Annotated[int, typer.Option(help="Port to serve on.", min=1, max=65535)] = 8502,
    host: Annotated[str, typer.Option(help="Address to bind (default loopback only).")] = "127.0.0.1",
    db: DbOption = None,
) -> None:
    """Serve the Atom feeds: /feeds/all.atom and one per watch list (Streamlit cannot serve raw XML)."""
    from directory.changes.commands import serve_command

    serve_command(host=host, port=port, db=db)


@feeds_app.command("deliver")
def feeds_deliver(db: DbOption = None, as_json: JsonOption = False) -> None:
    """POST new change events to KAPDIR_WEBHOOK_URL now (`kapdir refresh` does this after verifying)."""
    from directory.changes.commands import deliver_command

    deliver_command(db=db, as_json=as_json)


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Create or upgrade the schema to the newest migration (never drops data)."""
    from directory.db import open_database

    engine = open_database(db)
    typer.echo(f"database at {engine.url.render_as_string(hide_password=True)} is up to date")


def main() -> None:
    """Entry point: one-line errors, exit 2 for bad arguments, exit 1 for failures; no tracebacks."""
    try:
        app(standalone_mode=False)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("kapdir: aborted", err=True)
        sys.exit(130)
    except TyperException as exc:  # usage errors and bad parameters: exit 2
        message = exc.format_message().splitlines()[0] if exc.format_message() else type(exc).__name__
        typer.echo(f"kapdir: error: {message}", err=True)
        sys.exit(getattr(exc, "exit_code", 2))
    except KapdirError as exc:
        from directory.safetext import printable

        # One line, and no terminal escapes: messages can quote a page, a board answer or a file name.
        typer.echo(f"kapdir: error: {printable(exc)}", err=True)
        sys.exit(1)
    except SQLAlchemyError as exc:  # a database failure not anticipated closer to it: still one line, no SQL
        reason = str(getattr(exc, "orig", None) or exc or type(exc).__name__).strip().splitlines()
        typer.echo(f"kapdir: error: database error: {reason[0] if reason else type(exc).__name__}", err=True)
        sys.exit(1)
