"""Issue 14: an unchanged re-sync writes no record row and changes no verdict: verdicts are dated by their record's
own data (``health.record_as_of``), and a live roster record is fresh while its source is (``health.py``), so a
daily refresh of unchanged sources costs a --due run nothing. Where verdicts are shown, the source's latest good
sync is read beside them (``health.last_good_sync``).

Through the real path: a Socrata roster served over loopback HTTP, ``sync_roster``, ``verify_all`` (full and
``--due``), on SQLite and PostgreSQL. Also: a failed sync still caps the verdict and keeps the record's date; a
source ageing past the freshness window and synced again flips its verdicts at --due time; a record the roster
dropped keeps its own dates.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from directory.boards.adapters import make_adapter
from directory.boards.store import sync_roster
from directory.db import open_database, session_scope
from directory.models import Clinician, LicenseRecord, RecordChange, Verification
from directory.sample_world.mirrors.core import MirrorServer, text
from directory.settings import get_settings
from directory.verification import verify_all
from directory.verification.health import last_good_sync, record_as_of
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


def the_verdict(engine, name: str) -> Verification:
    with session_scope(engine) as s:
        (row,) = s.execute(select(Verification).join(Clinician, Clinician.id == Verification.clinician_id).where(
            Verification.state == "CT", Clinician.name == name)).scalars().all()
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


def test_an_unchanged_resync_writes_no_record_and_changes_no_verdict(engine, roster):
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
        clinician(s, p, "Noor Castellane", [("LPC", "state_license", "professional_counselor")])  # not found
        sync(s, "oig_leie", at=now - timedelta(hours=2))  # the exclusion list was checked: a pass needs it
        s.commit()
    verify_all(engine, now=now)
    verdict = the_verdict(engine, "Iris Lowe")
    assert verdict.verdict == Verdict.VERIFIED.value and verdict.source_as_of == first_as_of
    assert verdict.evidence["source_as_of"] == f"{first_as_of:%Y-%m-%d}"
    assert the_verdict(engine, "Noor Castellane").verdict == Verdict.NOT_FOUND.value
    first_verdicts = verdicts(engine)

    # The source republishes the same rows three days later: no record row is written, none logged as changed,
    # and no verdict moves: --due re-judges nobody, and a full run writes the same rows. The source's new date is
    # what "source checked" shows beside them.
    before = records(engine)
    roster.updated_at += 3 * DAY
    again = sync_roster(engine, make_adapter("ct_socrata"))
    assert (again.status, again.kept, again.added, again.updated, again.removed) == ("ok", 7, 0, 0, 0)
    assert records(engine) == before
    with session_scope(engine) as s:
        assert s.execute(select(RecordChange)).all() == []
        assert last_good_sync(s)["ct_socrata"] == as_of(roster)
    later = now + timedelta(days=3)
    assert verify_all(engine, now=later, due_only=True)["rechecked"] == 0
    assert verdicts(engine) == first_verdicts
    verify_all(engine, now=later)
    assert verdicts(engine) == first_verdicts
    assert verify_all(engine, now=later + timedelta(hours=1), due_only=True)["rechecked"] == 0

    # A failed sync caps the verdict; its evidence keeps the record's own date.
    roster.down = True
    roster.updated_at += DAY
    failed = sync_roster(engine, make_adapter("ct_socrata"), force=True)
    assert failed.status == "error"
    assert records(engine) == before
    verify_all(engine, now=later + timedelta(hours=3), due_only=True)
    verdict = the_verdict(engine, "Iris Lowe")
    assert verdict.verdict == Verdict.SOURCE_UNAVAILABLE.value
    assert verdict.source_as_of == first_as_of and verdict.evidence["source_as_of"] == f"{first_as_of:%Y-%m-%d}"

    # Back up: the same verdicts as before the failure, from --due alone.
    roster.down = False
    assert sync_roster(engine, make_adapter("ct_socrata"), force=True).status == "ok"
    assert verify_all(engine, now=later + timedelta(hours=4), due_only=True)["rechecked"] == 2
    assert verdicts(engine) == first_verdicts

    # The roster drops a record: it is marked removed and keeps its own (first) date, as do the others.
    roster.rows = [row for row in roster.rows if row["fullcredentialcode"] != "PRC.0000002"]
    roster.updated_at += DAY
    dropped = sync_roster(engine, make_adapter("ct_socrata"))
    assert (dropped.status, dropped.removed, dropped.kept) == ("ok", 1, 6)
    with session_scope(engine) as s:
        dates = {row.record_key: (row.removed_at is not None, record_as_of(row))
                 for row in s.execute(select(LicenseRecord.__table__))}
    assert dates.pop("PRC.0000002") == (True, first_as_of)
    assert set(dates.values()) == {(False, first_as_of)}


def test_a_source_going_stale_and_fresh_again_is_seen_by_due(engine, roster):
    """A source's freshness is read at each run: its data ageing past the window flips its verdicts at --due time,
    and a new good sync flips them back, with no record written either way."""
    roster.rows = [ct_row(number, ("ANN", "E", f"LEE{'X' * number}"), "ACTIVE", "2027-03-31")
                   for number in range(1, 6)]
    assert sync_roster(engine, make_adapter("ct_socrata")).status == "ok"
    first_as_of = as_of(roster)
    now = first_as_of + timedelta(days=1)
    with session_scope(engine) as s:
        p = practice(s, "stale.example", {"CT": (True, False)})
        clinician(s, p, "Ann Leex", [("LPC", "state_license", "professional_counselor")])
        sync(s, "oig_leie", at=now - timedelta(hours=2))
        s.commit()
    verify_all(engine, now=now)
    fresh = verdicts(engine)
    assert the_verdict(engine, "Ann Leex").verdict == Verdict.VERIFIED.value

    window = get_settings().source_stale_days
    stale_at = first_as_of + timedelta(days=window + 1)
    with session_scope(engine) as s:  # the exclusion list stays fresh: only the roster ages
        sync(s, "oig_leie", at=stale_at - timedelta(hours=1))
        s.commit()
    assert verify_all(engine, now=stale_at, due_only=True)["rechecked"] == 1
    stale = the_verdict(engine, "Ann Leex")
    assert not Verdict(stale.verdict).is_pass and stale.source_as_of == first_as_of

    roster.updated_at += (window + 1) * DAY  # republished unchanged: fresh again
    assert sync_roster(engine, make_adapter("ct_socrata")).kept == 5
    assert verify_all(engine, now=stale_at + timedelta(hours=1), due_only=True)["rechecked"] == 1
    assert verdicts(engine) == fresh
