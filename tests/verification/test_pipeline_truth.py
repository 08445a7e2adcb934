"""End to end: the demo's verdicts (crawl -> extract -> board sync -> verify) against the sample world's truth.

Opt-in, because it runs the whole pipeline (~2 minutes): set KAPDIR_TEST_DEMO_DB to a database made by
`kapdir demo --no-dashboard --db FILE`, or KAPDIR_TEST_PIPELINE=1 to run the demo here. Any mismatch is listed
with the verdict's basis (it may come from the crawl, the extraction or a board adapter, not verification).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from directory.db import open_database
from directory.models import Clinician, Practice, Verification
from directory.names import name_key
from directory.sample_world.world import expected_verdicts, load_world


def demo_database(tmp_path: Path) -> Path:
    if os.environ.get("KAPDIR_TEST_DEMO_DB"):
        return Path(os.environ["KAPDIR_TEST_DEMO_DB"])
    if os.environ.get("KAPDIR_TEST_PIPELINE") != "1":
        pytest.skip("set KAPDIR_TEST_DEMO_DB or KAPDIR_TEST_PIPELINE=1 to compare the whole pipeline")
    db = tmp_path / "demo.db"
    subprocess.run([sys.executable, "-c", "from directory.cli import main; main()", "demo", "--no-dashboard",
                    "--json", "--db", str(db)], check=True, capture_output=True, timeout=1500)
    return db


def mismatches(db: Path) -> list[str]:
    truth = expected_verdicts(load_world())
    with Session(open_database(db)) as session:
        practices = {p.id: p.key.split(".")[0] for p in session.exec(select(Practice))}
        names = {c.id: name_key(c.name.split(",")[0]) for c in session.exec(select(Clinician))}
        got = {
            (practices[v.practice_id], names[v.clinician_id], f"{v.state}/{v.mode}"): v
            for v in session.exec(select(Verification).where(Verification.claim_kind != "credential"))
        }
    out = []
    for (practice, name, key), expected in sorted(truth.items()):
        row = got.get((practice, name_key(name), key))
        if row is None or row.verdict != expected:
            found = f"{row.verdict}: {row.basis}" if row else "no verdict"
            out.append(f"{practice} / {name} / {key}: expected {expected}, got {found}")
    return out


def test_demo_verdicts_match_the_sample_world(tmp_path):
    problems = mismatches(demo_database(tmp_path))
    assert problems == [], "\n".join(problems)
