"""Issue 14: an unchanged re-sync writes no record row, yet every verdict resting on the roster says the new sync's
as-of date (verification dates a live roster record by its source's last good sync, ``health.record_as_of``).

Through the real path: a Socrata roster served over loopback HTTP, ``sync_roster``, ``verify_all`` (full and
``--due``), on SQLite and PostgreSQL. Also: a failed sync still caps the verdict and keeps the last good date; a
record the roster dropped keeps its own dates.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from directory.boards.adapters import make_adapter
from directory.boards.store import sync_roster
from directory.db import open_database, session_scope
from directory.models import LicenseRecord, RecordChange, Verification
from directory.sample_world.mirrors.core import MirrorServer, text
from directory.verification import verify_all
from directory.verification.health import record_as_of, source_health
from directory.vocab import Verdict
from tests.boards.conftest import board_env
from tests.boards.fixture_server import DATASETS
from tests.boards.test_incremental_sync import LiveRoster, ct_row
from tests.verification.builders import clinician, practice, sync

DAY = 86_400


class FlakyRoster(LiveRoster):
    """The live roster, or HTTP 503 for everything while ``down``."""

    down = False

    def handle(self, request):
        return text("busy", status=503) if self.down else super().handle(request)


def as_of(mirror: LiveRoster) -> datetime:
    return datetime.fromtimestamp(mirror.updated_at, UTC).replace(tzinfo=None)


def records(engine) -> list[tuple]:
    """Every record row, every column, in id order (what a sync wrote)."""
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            select(LicenseRecord.__table__).order_by(LicenseRecord.__table__.c.id))]


def verdicts(engine) -> dict[str, tuple]:
    with session_scope(engine) as s:
        return {r.claim_key: (r.verdict, r.basis, r.license_record_id, r.evidence, r.source_as_of)
                for r in s.execute(select(Verification)).scalars()}


def the_verdict(engine) -> Verification:
    with session_scope(engine) as s:
        (row,) = s.execute(select(Verification).where(Verification.state == "CT")).scalars().all()
        s.expunge(row)
        return row


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request, tmp_path):
    if request.param == "sqlite":
        return open_database(tmp_path / "resync.db")
    return request.getfixturevalue("pg_engine")


@pytest.fixture
def roster(monkeypatch, tmp_path):
    mirror = FlakyRoster(DATASETS["ct_socrata"])
    server = MirrorServer(mirror)
    board_env(monkeypatch, tmp_path, {"ct_socrata": server.url})
    try:
        yield mirror
    finally:
        server.stop()


def test_an_unchanged_resync_writes_no_record_yet_verdicts_show_its_date(engine, roster):
    roster.rows = [ct_row(1, ("IRIS", "", "LOWE"), "ACTIVE", "2027-03-31"),
                   ct_row(2, ("MARY", "", "O'BRIEN"), "ACTIVE", "2027-03-31")]
    for number in range(3, 8):  # more records, so that dropping one is not refused as a mass removal
        roster.rows.append(ct_row(number, ("ANN", "E", f"LEE{'X' * number}"), "ACTIVE", "2027-03-31"))
    first = sync_roster(engine, make_adapter("ct_socrata"))
    assert first.status == "ok" and first.added == 7
    first_as_of = as_of(roster)
    now = first_as_of + timedelta(days=1)
    with session_scope(engine) as s:
        p = practice(s, "resync.example", {"CT": (True, False)})
        clinician(s, p, "Iris Lowe", [("LPC", "state_license", "professional_counselor")])
        sync(s, "oig_leie", at=now - timedelta(hours=2))  # the exclusion list was checked: a pass needs it
        s.commit()
    verify_all(engine, now=now)
    verdict = the_verdict(engine)
    assert verdict.verdict == Verdict.VERIFIED.value and verdict.source_as_of == first_as_of
    assert verdict.evidence["source_as_of"] == f"{first_as_of:%Y-%m-%d}"

    # The source republishes the same rows three days later: no record row is written, none logged as changed.
    before = records(engine)
    roster.updated_at += 3 * DAY
    again = sync_roster(engine, make_adapter("ct_socrata"))
    assert (again.status, again.kept, again.added, again.updated, again.removed) == ("ok", 7, 0, 0, 0)
    assert records(engine) == before
    with session_scope(engine) as s:
        assert s.execute(select(RecordChange)).all() == []
    # ... yet the verdict, re-judged by --due (the source's health moved), is as of the new sync, and equals a
    # full run's.
    later = now + timedelta(days=3)
    due = verify_all(engine, now=later, due_only=True)
    assert due["rechecked"] == 1
    verdict = the_verdict(engine)
    assert verdict.verdict == Verdict.VERIFIED.value and verdict.source_as_of == as_of(roster)
    assert verdict.evidence["source_as_of"] == f"{as_of(roster):%Y-%m-%d}"
    assert verdict.evidence["source"] == "ct_socrata" and verdict.evidence["raw_status"] == "ACTIVE"
    assert verdict.checked_at == later
    after_due = verdicts(engine)
    verify_all(engine, now=later)
    assert verdicts(engine) == after_due
    # Nothing changed since: a --due run re-judges nothing; a re-sync that says "unchanged since" neither.
    assert verify_all(engine, now=later + timedelta(hours=1), due_only=True)["rechecked"] == 0
    assert sync_roster(engine, make_adapter("ct_socrata")).unchanged
    assert verify_all(engine, now=later + timedelta(hours=2), due_only=True)["rechecked"] == 0
    good_as_of = as_of(roster)

    # A failed sync caps the verdict; its evidence keeps the last good sync's date.
    roster.down = True
    roster.updated_at += DAY
    failed = sync_roster(engine, make_adapter("ct_socrata"), force=True)
    assert failed.status == "error"
    assert records(engine) == before
    verify_all(engine, now=later + timedelta(hours=3), due_only=True)
    verdict = the_verdict(engine)
    assert verdict.verdict == Verdict.SOURCE_UNAVAILABLE.value
    assert verdict.source_as_of == good_as_of and verdict.evidence["source_as_of"] == f"{good_as_of:%Y-%m-%d}"

    # The roster drops a record: it is marked removed and keeps its own (first) date; the others move on.
    roster.down = False
    roster.rows = [row for row in roster.rows if row["fullcredentialcode"] != "PRC.0000002"]
    dropped = sync_roster(engine, make_adapter("ct_socrata"))
    assert (dropped.status, dropped.removed, dropped.kept) == ("ok", 1, 6)
    with session_scope(engine) as s:
        health = source_health(s, now=later)
        dates = {row.record_key: (row.removed_at is not None, record_as_of(row, health))
                 for row in s.execute(select(LicenseRecord.__table__))}
    assert dates.pop("PRC.0000002") == (True, first_as_of)
    assert set(dates.values()) == {(False, as_of(roster))}
