"""Each roster adapter against its mirror over real HTTP: every true record comes back, normalised as the world
says, with each source's quirks handled."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from directory.boards.adapters import make_adapter
from directory.boards.registry import all_sources
from directory.boards.store import sync_roster
from directory.db import session_scope
from directory.models import LicenseRecord, SourceSync
from directory.names import name_key, parse_name
from directory.sample_world.mirrors.socrata import ROWS_UPDATED_AT

ROSTERS = [s.name for s in all_sources() if s.method == "roster"]


def true_records(world, source):
    for practice in world.practices:
        for clinician in practice.clinicians:
            for record in clinician.records:
                if record.source == source:
                    yield clinician, record


@pytest.mark.parametrize("source", ROSTERS)
def test_roster_sync_returns_every_true_record(boards, world, source):
    adapter = make_adapter(source, page_size=7)
    records = list(adapter.sync())
    assert len(records) >= 40, "the filler licensees are there too"
    assert len({r.record_key for r in records}) == len(records), "record keys are unique within a source"
    by_number = {}
    for record in records:
        by_number.setdefault(record.license_number, []).append(record)
        assert record.source == source and record.holder_name and record.source_url
        assert record.family_key == name_key(record.family_name)
    for clinician, truth in true_records(world, source):
        if source == "tx_bhec" and truth.status not in {"active", "probation", "expired", "suspended", "inactive"}:
            continue  # BHEC lists current licensees only
        if source == "md_bop" and truth.status not in {"active", "probation"}:
            continue  # Active and Probation rows only
        number = truth.number if source != "oig_leie" else None
        matches = by_number.get(number, []) if number else [
            r for r in records if r.family_key == parse_name(truth.holder_name or clinician.name).family_key]
        assert len(matches) == 1, (source, truth.number)
        got = matches[0]
        assert got.status == truth.status, (source, truth.number, got.status_raw)
        assert got.kind == truth.kind
        assert got.state == truth.state
        assert got.family_key == parse_name(truth.holder_name or clinician.name).family_key
        if truth.kind == "license":
            assert got.license_class == truth.license_class
        if truth.expires and source != "oig_leie":
            assert got.expiry_date == truth.expires
        if truth.discipline:
            assert got.discipline
        if truth.home_state:
            assert got.home_state == truth.home_state


@pytest.mark.parametrize("source", ["ct_socrata", "wa_socrata", "il_socrata", "co_socrata"])
def test_socrata_pages_with_soql_and_reads_rows_updated_at(boards, source, monkeypatch, tmp_path):
    from tests.boards.conftest import board_env

    board_env(monkeypatch, tmp_path, boards.urls, KAPDIR_SOCRATA_APP_TOKEN="tok-123")
    mirror = boards.mirror(source)
    mirror.app_tokens.clear()
    adapter = make_adapter(source, page_size=5)
    records = list(adapter.sync())
    assert adapter.as_of == datetime.fromtimestamp(ROWS_UPDATED_AT, UTC).replace(tzinfo=None)
    pages = [p for p in mirror.paths_requested() if p.startswith("/resource/")]
    assert len(pages) >= len(records) // 5, "paged with $limit/$offset"
    assert set(mirror.app_tokens) == {"tok-123"}, "X-App-Token header on every query"
    assert all(r.source_as_of == adapter.as_of for r in records)


def test_connecticut_keys_on_full_credential_code_and_skips_businesses(boards):
    records = list(make_adapter("ct_socrata").sync())
    assert all(r.record_key == r.license_number for r in records)
    assert not any("LIQUOR" in (r.title_raw or "") for r in records), "$where type='INDIVIDUAL' filters businesses"


def test_illinois_reads_text_dates(boards, world):
    records = {r.license_number: r for r in make_adapter("il_socrata").sync()}
    for _clinician, truth in true_records(world, "il_socrata"):
        assert records[truth.number].issue_date == truth.issued
        assert isinstance(records[truth.number].expiry_date, date)


def test_colorado_merges_one_row_per_discipline_case(boards, monkeypatch):
    from directory.sample_world.mirrors.data import Entry
    from directory.sample_world.mirrors.socrata import co_rows
    from directory.sample_world.schema import TrueRecord

    record = TrueRecord(source="co_socrata", state="CO", license_class="professional_counselor", title="LPC",
                        number="LPC.0000001", status_raw="Active", status="active",
                        discipline="Stipulation 2021; Letter of admonition 2024")
    rows = co_rows([Entry(record=record, given="Ann", middle="", family="Case", suffix="")])
    assert len(rows) == 2, "the mirror reproduces one row per case"
    adapter = make_adapter("co_socrata")
    merged = [adapter.to_record(row) for row in rows]
    from directory.boards.socrata import _merge_cases

    one = _merge_cases(merged[0], merged[1])
    assert one.discipline_text == "Stipulation 2021; Letter of admonition 2024"
    assert one.raw["cases"][0]["casenumber"]


def test_florida_file_quirks_and_telehealth_registrants(boards, world):
    adapter = make_adapter("fl_mqa")
    records = list(adapter.sync())
    assert adapter.skipped == 1, "the row with an extra '|' inside a value is skipped and counted"
    assert not any('"' in (r.suffix or "") or '"' in r.holder_name for r in records), "stray quotes removed"
    telehealth = [r for r in records if r.kind == "telehealth_registration"]
    expected = [t for _c, t in true_records(world, "fl_mqa") if t.kind == "telehealth_registration"]
    assert len(telehealth) == len(expected) >= 1
    assert all(r.state == "FL" and r.home_state and r.home_state != "FL" for r in telehealth)


def test_leie_skips_businesses_and_reads_sentinels(boards):
    records = list(make_adapter("oig_leie").sync())
    assert all(r.kind == "exclusion" and r.discipline for r in records)
    assert not any("MARKETING" in r.holder_name for r in records), "business rows are not clinicians"
    assert all(r.npi is None or set(r.npi) != {"0"} for r in records), "0000000000 means no NPI"


def test_sync_stores_records_and_a_sync_row(boards, engine):
    result = sync_roster(engine, make_adapter("tx_bhec"))
    assert result.status == "ok" and result.added == result.records > 0
    unchanged = sync_roster(engine, make_adapter("tx_bhec"))
    assert unchanged.status == "ok" and unchanged.unchanged and unchanged.records == result.records
    assert "unchanged since" in unchanged.line()
    again = sync_roster(engine, make_adapter("tx_bhec"), force=True)
    assert again.status == "ok" and again.added == 0 and again.removed == 0
    assert again.updated == 0 and again.kept == again.records, "unchanged rows are recognised by their hash"
    with session_scope(engine) as session:
        rows = session.execute(select(LicenseRecord).where(LicenseRecord.source == "tx_bhec")).scalars().all()
        syncs = session.execute(select(SourceSync).where(SourceSync.source == "tx_bhec")).scalars().all()
    assert len(rows) == result.records
    assert all(r.source_as_of is not None and r.removed_at is None for r in rows)
    assert [s.status for s in syncs] == ["ok", "ok", "ok"] and syncs[-1].finished_at is not None


@pytest.mark.parametrize("source", ["ct_socrata", "fl_mqa", "md_bop", "generic_nc"])
def test_unchanged_source_is_not_downloaded_again(boards, engine, source):
    first = sync_roster(engine, make_adapter(source))
    mirror = boards.mirror(source)
    mirror.requests.clear()
    second = sync_roster(engine, make_adapter(source))
    assert second.status == "ok" and second.unchanged and second.as_of == first.as_of
    if source == "ct_socrata":
        assert mirror.paths_requested() == ["/api/views/ngch-56tr"], "only the metadata was read"
    else:
        assert all(h.get("if-modified-since") for _m, _p, h in mirror.requests), "conditional GETs only"
