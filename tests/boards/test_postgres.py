"""The same roster sync, removal refusal and look-up storage on a real PostgreSQL server."""

import pytest
from sqlalchemy import func, select

from directory.boards.adapters import make_adapter
from directory.boards.store import records_by_name, sync_roster
from directory.db import session_scope
from directory.models import LicenseRecord

pytestmark = pytest.mark.postgres


def test_roster_sync_on_postgres(boards, pg_engine, world):
    first = sync_roster(pg_engine, make_adapter("co_socrata", page_size=9))
    assert first.status == "ok" and first.added == first.records > 40
    again = sync_roster(pg_engine, make_adapter("co_socrata", page_size=9))
    assert again.status == "ok" and again.added == 0
    boards.set_fault("co_socrata", "shrunk")
    assert sync_roster(pg_engine, make_adapter("co_socrata")).status == "refused"
    forced = sync_roster(pg_engine, make_adapter("co_socrata"), force=True)
    assert forced.status == "ok" and forced.removed > 0
    with session_scope(pg_engine) as session:
        live = session.execute(select(func.count()).select_from(LicenseRecord).where(
            LicenseRecord.removed_at.is_(None))).scalar_one()
        truth = next(r for p in world.practices for c in p.clinicians for r in c.records if r.source == "co_socrata")
        holder = next(c for p in world.practices for c in p.clinicians if truth in c.records)
        from directory.names import parse_name

        found = records_by_name(session, state="CO", family_key=parse_name(holder.name).family_key)
    assert live == forced.records
    assert any(r.license_number == truth.number and r.raw for r in found)
