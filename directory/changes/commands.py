"""The CLI's work for `kapdir changes`, `kapdir watch ...` and `kapdir feeds ...` (directory/cli.py stays thin)."""

import json
from datetime import UTC, date, datetime, time
from pathlib import Path

import typer
from rich.table import Table

from directory.changes.atom import render_atom
from directory.changes.events import derive_events
from directory.changes.feeds import feed_url, make_server
from directory.changes.watch import add_to_watch, get_watch, list_watches, remove_from_watch, summarise
from directory.changes.watch import watched_practice_ids as watched
from directory.changes.webhook import deliver_after_refresh
from directory.db import get_engine, require_database, session_scope
from directory.errors import KapdirError
from directory.safetext import plain_console, printable


def parse_since(text: str) -> datetime:
    """'2026-11-23' is the start of that day (UTC); '2026-11-23T08:00:00' that instant (naive UTC, as stored)."""
    try:
        if len(text.strip()) == 10:
            return datetime.combine(date.fromisoformat(text.strip()), time.min)
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise KapdirError(f"--since {text!r} is not a date (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM:SS)") from None
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo is not None else when


def changes_command(*, since: str | None, practice: list[int], watch: str | None, fmt: str,
                    db: Path | None) -> None:
    engine = get_engine(require_database(db))
    since_at = parse_since(since) if since else None
    with session_scope(engine) as session:
        ids: set[int] | None = set(practice) if practice else None
        title, feed_id, token = "kapdir: what changed", "all", None
        if watch is not None:
            found = get_watch(session, watch)
            ids = set(watched(session, found)) & ids if ids is not None else set(watched(session, found))
            title, feed_id, token = (f"kapdir: what changed at the practices {found.name} watches",
                                     f"watch/{found.feed_token}", found.feed_token)
        events = derive_events(session, since=since_at, practice_ids=ids)
    if fmt == "json":
        typer.echo(json.dumps({"since": since_at.isoformat() if since_at else None, "count": len(events),
                               "events": [e.to_dict() for e in events]}, indent=2, default=str))
    elif fmt == "atom":
        typer.echo(render_atom(events, title=title, feed_id=feed_id, self_url=feed_url(token)).decode())
    else:
        table = Table("when (UTC)", "what", "id", "practice", "change", title=f"{len(events)} change events")
        for event in events:  # crawled names: never rich markup, never a terminal escape sequence
            table.add_row(f"{event.when:%Y-%m-%d %H:%M}", event.label, str(event.practice_id),
                          printable(event.practice), printable(event.summary))
        plain_console().print(table)


def watch_add_command(*, name: str, practices: list[int], db: Path | None) -> None:
    engine = get_engine(require_database(db))
    with session_scope(engine) as session:
        summary = summarise(session, add_to_watch(session, name, practices))
    typer.echo(f"{summary.name} watches {len(summary.practice_ids)} practices; feed: {feed_url(summary.feed_token)}")


def watch_remove_command(*, name: str, practices: list[int], db: Path | None) -> None:
    engine = get_engine(require_database(db))
    with session_scope(engine) as session:
        removed = remove_from_watch(session, name, practices)
    typer.echo(f"stopped watching {removed} practices")


def watch_list_command(*, name: str | None, as_json: bool, db: Path | None) -> None:
    engine = get_engine(require_database(db))
    with session_scope(engine) as session:
        rows = [summarise(session, get_watch(session, name))] if name else list_watches(session)
    payload = [{"name": r.name, "practice_ids": r.practice_ids, "practices": r.practices,
                "feed_url": feed_url(r.feed_token)} for r in rows]
    if as_json:
        typer.echo(json.dumps(payload, indent=2))
        return
    table = Table("watch list", "practices", "feed URL")
    for row in payload:
        table.add_row(printable(row["name"]), printable(", ".join(row["practices"]) or "(none)"), row["feed_url"])
    plain_console().print(table)


def serve_command(*, host: str, port: int, db: Path | None) -> None:
    engine = get_engine(require_database(db))
    try:
        server = make_server(engine, host, port)
    except OSError as exc:
        raise KapdirError(f"cannot serve feeds on {host}:{port}: {exc.strerror or exc}") from None
    bound = f"http://{host}:{server.server_address[1]}"
    typer.echo(f"serving Atom feeds at {bound}/feeds/all.atom and {bound}/feeds/watch/<token>.atom "
               "(Ctrl+C stops)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def deliver_command(*, db: Path | None, as_json: bool) -> None:
    engine = get_engine(require_database(db))
    summary = deliver_after_refresh(engine)
    if as_json:
        typer.echo(json.dumps(summary))
    elif not summary.get("configured"):
        typer.echo("no webhook configured (set KAPDIR_WEBHOOK_URL)")
    else:
        typer.echo(f"webhook {summary['target']}: {summary.get('baseline', 0)} events recorded as the starting "
                   f"point, {summary.get('queued', 0)} queued, {summary.get('sent', 0)} batches sent, "
                   f"{summary.get('pending', 0)} pending")
    if summary.get("error"):  # exit 1; what was queued stays queued for the next delivery
        raise KapdirError(f"webhook: {summary['error']}")
