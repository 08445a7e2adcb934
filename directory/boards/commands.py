"""``kapdir boards list | sync | lookup``: thin commands over the registry, the store and the look-ups."""

import json
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.engine import Engine

from directory.boards.adapters import make_adapter
from directory.boards.base import LookupQuery
from directory.boards.lookup import database_queries, lookup_clinicians, parse_class
from directory.boards.registry import all_sources, get_source, normalise_status
from directory.boards.store import SyncResult, live_counts, records_by_name, sync_roster
from directory.db import open_database, session_scope
from directory.errors import KapdirError
from directory.models import LicenseRecord, SourceSync
from directory.names import parse_name
from directory.safetext import plain_console, printable


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def source_status(engine: Engine) -> list[dict[str, Any]]:
    """Every source with its coverage, method, last sync (any outcome), as-of date (last good sync) and count."""
    counts, unmapped = live_counts(engine, _status_of)
    with session_scope(engine) as session:
        syncs = session.execute(select(SourceSync).order_by(SourceSync.started_at, SourceSync.id)).scalars().all()
    last: dict[str, SourceSync] = {}
    last_ok: dict[str, SourceSync] = {}
    for sync in syncs:
        last[sync.source] = sync
        if sync.status == "ok":
            last_ok[sync.source] = sync
    out = []
    for info in all_sources():
        latest, good = last.get(info.name), last_ok.get(info.name)
        out.append({
            **info.as_dict(),
            "last_sync": _iso(latest.finished_at or latest.started_at) if latest else None,
            "last_status": latest.status if latest else None,
            "last_error": latest.error if latest else None,
            "as_of": _iso(good.source_as_of or good.finished_at) if good else None,
            "records": counts.get(info.name, 0),
            "unmapped_status_words": unmapped.get(info.name, {}),
        })
    return out


def _status_of(source: str, word: str):
    """The source's own normalisation of a raw status word (a generic roster's comes from its mapping file)."""
    try:
        return _adapter_for_status(source).status(word)
    except KapdirError:  # a source whose adapter cannot be built (e.g. a broken mapping): its plain table
        return normalise_status(get_source(source), word)


@lru_cache(maxsize=64)
def _adapter_for_status(source: str):
    return make_adapter(source, base_url="http://127.0.0.1:9")  # never fetches: only its status table is used


def list_command(db: Path | None, as_json: bool) -> None:
    rows = source_status(open_database(db))
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="License sources")
    for column in ("name", "method", "kind", "states", "classes", "last sync", "as of", "records", "warnings"):
        table.add_column(column, overflow="fold", no_wrap=column == "name")
    for row in rows:
        states = ",".join(row["states"]) if len(row["states"]) <= 6 else f"{len(row['states'])} states"
        classes = "any" if row["license_classes"] == ["*"] else f"{len(row['license_classes'])} classes"
        last = f"{row['last_sync'] or '-'} {row['last_status'] or ''}".strip()
        if not row["configured"]:
            last = "not configured"
        words = row["unmapped_status_words"]
        warnings = f"unmapped status words: {len(words)} ({', '.join(sorted(words))})" if words else ""
        table.add_row(row["name"], row["method"], row["kind"], states, classes, last, row["as_of"] or "-",
                      str(row["records"]), printable(warnings))
    _console().print(table)


def _console() -> Console:
    """Wide enough for the tables when stdout is a pipe (rich would assume 80 columns)."""
    console = plain_console()  # its tables carry board text: markup off
    return console if console.is_terminal else plain_console(width=160)


def _progress(enabled: bool) -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=Console(stderr=True), transient=True, disable=not enabled)


def run_sync(engine: Engine, names: list[str], *, force: bool = False, show_progress: bool = False) -> list[dict]:
    """Sync the named sources (default: every roster source, then look-ups for every clinician in the database).

    A source that fails does not stop the others. Returns one result dict per source (or look-up batch).
    """
    infos = [get_source(name) for name in names] if names else all_sources()
    results: list[dict] = []
    with _progress(show_progress) as progress:
        for info in infos:
            if info.manual:
                if names:
                    results.append({"source": info.name, "status": "manual",
                                    "error": f"never fetched. {info.check_here()}"})
                continue
            if not info.configured:
                if names:
                    results.append({"source": info.name, "status": "error",
                                    "error": "not configured: no URL (set it in KAPDIR_SOURCE_URLS)"})
                continue
            if info.method != "roster":
                continue
            task = progress.add_task(f"{info.name}", total=None)
            result: SyncResult = sync_roster(engine, make_adapter(info.name), force=force,
                                             on_progress=lambda n, t=task: progress.update(t, completed=n))
            progress.update(task, total=result.records or 1, completed=result.records or 1)
            results.append({"kind": "roster", **result.as_dict(), "line": result.line()})
        lookup_names = [i.name for i in infos if i.method == "lookup"]
        if lookup_names:
            queries = database_queries(engine)
            task = progress.add_task(f"look-ups ({len(queries)} clinician-states)", total=None)
            for outcome in lookup_clinicians(engine, queries, sources=lookup_names):
                results.append({"kind": "lookup", **outcome.as_dict(), "line": outcome.line()})
            progress.update(task, total=1, completed=1)
    return results


def check_source_names(sources: list[str]) -> None:
    """An unknown name is a bad argument (exit 2), before any database is opened or anything fetched."""
    for name in sources:
        try:
            get_source(name)
        except KapdirError as exc:
            raise typer.BadParameter(str(exc)) from None


def sync_command(sources: list[str], force: bool, db: Path | None, as_json: bool) -> None:
    check_source_names(sources)
    engine = open_database(db)
    results = run_sync(engine, sources, force=force, show_progress=not as_json)
    if as_json:
        typer.echo(json.dumps(results, indent=2, default=str))
    else:
        for result in results:
            line = result.get("line") or f"{result['source']}: {result['status']}: {result.get('error')}"
            typer.echo(printable(line))
    failed = [r["source"] for r in results if r["status"] in {"error", "refused"}]
    if failed:
        raise KapdirError(f"{len(failed)} source(s) failed: {', '.join(failed)} (their previous records are kept)")


def matching_records(engine: Engine, name: str, state: str) -> list[LicenseRecord]:
    """Stored records for this name in this state, plus national ones (NPI, exclusions) for the name."""
    parsed = parse_name(name)
    if not parsed.family_key:
        raise KapdirError(f"cannot find a family name in {name!r}")
    with session_scope(engine) as session:
        found = records_by_name(session, state=state, family_key=parsed.family_key)
        national = [info.name for info in all_sources() if info.states == ("*",)]
        found += session.execute(select(LicenseRecord).where(
            LicenseRecord.source.in_(national), LicenseRecord.family_key == parsed.family_key,
            LicenseRecord.removed_at.is_(None), LicenseRecord.state != state)).scalars().all()
    if parsed.given_key:  # same first name, or the same initial (J. Roe)
        found = [r for r in found if not r.given_key or r.given_key[:1] == parsed.given_key[:1]]
    return sorted(found, key=lambda r: (r.source, r.id))


def lookup_command(name: str, state: str, license_class: str | None, db: Path | None, as_json: bool) -> None:
    state = state.strip().upper()
    if len(state) != 2 or not state.isalpha():
        raise KapdirError(f"--state must be a two-letter code, got {state!r}")
    parsed_class = parse_class(license_class)
    engine = open_database(db)
    outcomes = lookup_clinicians(engine, [LookupQuery(name, state, parsed_class.value if parsed_class else None)])
    records = [r for r in matching_records(engine, name, state)
               if parsed_class is None or r.license_class in (parsed_class.value, None) or r.kind != "license"]
    if as_json:
        typer.echo(json.dumps({
            "query": {"name": name, "state": state, "license_class": parsed_class.value if parsed_class else None},
            "lookups": [o.as_dict() for o in outcomes],
            "records": [r.model_dump(mode="json") for r in records],
        }, indent=2, default=str))
        return
    for outcome in outcomes:
        typer.echo(outcome.line(), err=True)
    table = Table(title=f"{name} in {state}")
    for column in ("source", "kind", "state", "title", "number", "holder", "status", "expires", "discipline"):
        table.add_column(column, overflow="fold")
    for r in records:
        # Board text is outside text: shown as it is, never as rich markup or a terminal escape sequence.
        table.add_row(*map(printable, (r.source, r.kind, r.state or "-", r.title_raw or "-", r.license_number or "-",
                                       r.holder_name, f"{r.status} ({r.status_raw})", str(r.expiry_date or "-"),
                                       "yes" if r.discipline else "")))
    _console().print(table)
    if not records:
        typer.echo("no record found in the stored or looked-up sources")
    errors = [o for o in outcomes if o.status == "error"]
    if errors:
        raise KapdirError("; ".join(o.error or o.source for o in errors))


def check_command(sources: list[str], as_json: bool) -> None:
    """One tiny real query per source: reachable, format as expected, or what changed. Exit 1 if any is not ok."""
    from directory.boards.check import check_sources

    for name in sources:
        try:
            get_source(name)
        except KapdirError as exc:
            raise typer.BadParameter(str(exc)) from None
    results = check_sources(sources)
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in results], indent=2))
    else:
        for result in results:
            typer.echo(printable(result.line()))
    bad = [r.source for r in results if r.status in {"unreachable", "changed"}]
    if bad:
        raise KapdirError(f"{len(bad)} source(s) unreachable or changed: {', '.join(bad)}")
