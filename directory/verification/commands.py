"""``kapdir verify [--due] [--json]``: verify every claim, print the verdict counts."""

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from directory.db import open_database
from directory.verification.engine import verify_all
from directory.vocab import BADGE_LABELS, Verdict, badge_for, verdict_label

_ORDER = {verdict.value: rank for rank, verdict in enumerate(Verdict)}


def verify_command(due: bool = False, db: Path | None = None, as_json: bool = False) -> None:
    engine = open_database(db, create=False)
    result = verify_all(engine, due_only=due)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    table = Table(title="Verdicts" + (" (due only)" if due else ""))
    table.add_column("verdict")
    table.add_column("badge")
    table.add_column("meaning")
    table.add_column("count", justify="right")
    for code, number in sorted(result["verdicts"].items(), key=lambda item: (_ORDER.get(item[0], 99), item[0])):
        table.add_row(code, BADGE_LABELS[badge_for(code)], verdict_label(code), str(number))
    console = Console()
    console.print(table)
    console.print(f"{result['claims']} claims, {result['rechecked']} re-checked, {result['retired']} retired "
                  f"(verify run {result['run_id']})")
