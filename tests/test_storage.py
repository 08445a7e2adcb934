"""The schema through Alembic on SQLite and on a real PostgreSQL server: same models, same behaviour."""

import json
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from directory.db import get_engine, open_database, resolve_url, upgrade
from directory.models import Clinician, LicenseRecord, Practice, ServiceArea, Verification
from directory.vocab import LicenseClass, LicenseStatus, Verdict


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return resolve_url(tmp_path / "kapdir.db")
    url = request.getfixturevalue("postgres_url")
    engine = get_engine(url)
    with engine.begin() as conn:  # each test starts from an empty schema
        conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    return url


def _fill(session: Session) -> None:
    practice = Practice.model_validate({"key": "calm.example", "name": "Calm", "phones": ["+12025550101"]})
    session.add(practice)
    session.flush()
    clinician = Clinician.model_validate({"practice_id": practice.id, "key": "janeroe", "name": "Jane Roe"})
    session.add(clinician)
    session.add(ServiceArea.model_validate({"practice_id": practice.id, "state": "FL", "virtual": True,
                                            "in_person": False}))
    session.flush()
    record = LicenseRecord.model_validate({
        "source": "fl_mqa", "record_key": "MH123", "state": "FL", "license_class": LicenseClass.PROFESSIONAL_COUNSELOR,
        "holder_name": "ROE, JANE", "family_key": "roe", "given_key": "jane", "status": LicenseStatus.ACTIVE,
        "status_raw": "CLEAR/ACTIVE", "expiry_date": date(2027, 3, 31), "raw": {"LicenseNumber": "MH123"},
    })
    session.add(record)
    session.flush()
    session.add(Verification.model_validate({
        "claim_key": "calm.example/janeroe/FL/virtual", "clinician_id": clinician.id, "practice_id": practice.id,
        "claim_kind": "service", "state": "FL", "mode": "virtual", "verdict": Verdict.VERIFIED,
        "basis": "Active Florida license", "license_record_id": record.id,
        "evidence": {"source": "fl_mqa", "license_number": "MH123", "raw_status": "CLEAR/ACTIVE"},
    }))
    session.commit()


def test_round_trip_and_upgrade_keeps_data(database_url):
    upgrade(database_url)
    engine = get_engine(database_url)
    with Session(engine) as session:
        _fill(session)
    upgrade(database_url)  # a second upgrade is a no-op that loses nothing
    with Session(engine) as session:
        practice = session.exec(select(Practice)).one()
        assert practice.phones == ["+12025550101"]
        record = session.exec(select(LicenseRecord)).one()
        assert record.expiry_date == date(2027, 3, 31) and record.raw == {"LicenseNumber": "MH123"}
        verdict = session.exec(select(Verification)).one()
        assert verdict.evidence["raw_status"] == "CLEAR/ACTIVE"
        assert verdict.verdict == "verified"


def test_stable_keys_refuse_duplicates(database_url):
    upgrade(database_url)
    engine = get_engine(database_url)
    with Session(engine) as session:
        _fill(session)
        session.add(Practice.model_validate({"key": "calm.example"}))
        with pytest.raises(IntegrityError):
            session.commit()


def test_crawled_text_is_stored_verbatim_through_parameters(database_url):
    upgrade(database_url)
    hostile = "Robert'); DROP TABLE practice;-- <script>alert(1)</script>"
    with Session(get_engine(database_url)) as session:
        session.add(Practice.model_validate({"key": "x.example", "name": hostile}))
        session.commit()
        assert session.exec(select(Practice.name).where(Practice.name == hostile)).one() == hostile


def test_open_database_defaults_to_data_dir(tmp_path, monkeypatch):
    from directory.settings import get_settings

    monkeypatch.setenv("KAPDIR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        engine = open_database()
        assert str(engine.url) == f"sqlite:///{tmp_path / 'data' / 'kapdir.db'}"
        assert (tmp_path / "data" / "kapdir.db").exists()
    finally:
        get_settings.cache_clear()


def test_upgrade_from_0001_with_data_loses_nothing(database_url):
    """A database built and filled by the first schema keeps every row through every later migration, and its
    verdicts become the start of the verdict history."""
    from alembic import command
    from sqlalchemy import text

    from directory.db import alembic_config

    engine = get_engine(database_url)
    config = alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    statements = [
        "INSERT INTO crawlrun (id, spider, started_at, status, pages, new, changed, unchanged, gone) "
        "VALUES (1, 'practice', '2026-11-01 10:00:00', 'finished', 3, 3, 0, 0, 0)",
        "INSERT INTO practice (id, key, name, stale, first_seen, last_seen) "
        "VALUES (1, 'calm.example', 'Calm', false, '2026-11-01 10:00:00', '2026-11-01 10:00:00')",
        "INSERT INTO clinician (id, practice_id, key, name, role, first_seen, last_seen) "
        "VALUES (1, 1, 'janeroe', 'Jane Roe', 'therapist', '2026-11-01 10:00:00', '2026-11-01 10:00:00')",
        "INSERT INTO credentialclaim (id, clinician_id, code, kind, state) VALUES (1, 1, 'LPC', 'state_license', 'FL')",
        "INSERT INTO fact (id, practice_id, clinician_id, field, value, snippet, source_url) "
        "VALUES (1, 1, 1, 'clinicians', '\"Jane Roe\"', 'Jane Roe, LPC', 'https://calm.example/team')",
        "INSERT INTO verification (id, claim_key, clinician_id, practice_id, claim_kind, state, mode, verdict, "
        "basis, confidence, evidence, checked_at) VALUES (1, 'calm.example/janeroe/service/FL/virtual', 1, 1, "
        "'service', 'FL', 'virtual', 'verified', 'Active Florida license', 0.97, '{\"source\": \"fl_mqa\"}', "
        "'2026-11-02 08:00:00')",
    ]
    tables = ("crawlrun", "practice", "clinician", "credentialclaim", "fact", "verification")
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
        before = {t: [tuple(r) for r in connection.execute(text(f"SELECT * FROM {t} ORDER BY id"))] for t in tables}
    upgrade(database_url)
    with engine.begin() as connection:
        after = {t: [tuple(r) for r in connection.execute(text(f"SELECT * FROM {t} ORDER BY id"))] for t in tables}
        history = connection.execute(text(
            "SELECT event, recorded_at, claim_key, verdict, basis, evidence FROM verdicthistory")).all()
    for table in tables:  # every old column of every old row is still there, unchanged
        assert [row[:len(before[table][0])] for row in after[table]] == before[table], table
    assert len(history) == 1
    event, recorded_at, claim_key, verdict, basis, evidence = history[0]
    assert (event, str(recorded_at), claim_key, verdict, basis) == (
        "checked", "2026-11-02 08:00:00", "calm.example/janeroe/service/FL/virtual", "verified",
        "Active Florida license")
    assert (json.loads(evidence) if isinstance(evidence, str) else evidence) == {"source": "fl_mqa"}


def test_one_person_key_for_extraction_and_storage():
    """Extraction groups people and the store keys clinicians with one function, so they agree on who is who."""
    from directory.extraction.people import person_key as extraction_key
    from directory.names import person_key, person_parts
    from directory.store import clinician_key

    for name in ("Dr. Jane A. Roe", "Jane Roe, LCSW", "Roe, Jane", "Jean Van Der Berg", "Dr. Ana de la Cruz"):
        assert extraction_key(name) == person_parts(name)
        assert clinician_key(name) == person_key(name) == "-".join(person_parts(name))
    assert person_key("Dr. Jane A. Roe") == person_key("Jane Roe, LCSW") == person_key("Roe, Jane") == "jane-roe"
    assert person_key("Jean Van Der Berg") == "jean-vanderberg"  # a particle surname stays whole


def test_verdict_history_and_as_of_on_each_database(database_url):
    """The verdict history and the as-of export, on SQLite and on PostgreSQL."""
    from datetime import timedelta

    from directory.export import export_json, parse_as_of
    from directory.models import VerdictHistory
    from directory.verification import verify_all
    from tests.verification.builders import NOW, clinician, practice, record, sync

    upgrade(database_url)
    engine = get_engine(database_url)
    with Session(engine) as session:
        p = practice(session, "calm.example", {"CT": (True, None)})
        clinician(session, p, "Iris Lowe", [("LPC", "state_license", "professional_counselor")])
        rec = record(session, "ct_socrata", "Lowe, Iris", "CT", "professional_counselor")
        sync(session, "ct_socrata")
        sync(session, "oig_leie")  # the exclusion list was checked: a pass needs it
        session.commit()
        rec_id = rec.id
    verify_all(engine, now=NOW)
    with Session(engine) as session:
        stored = session.get(LicenseRecord, rec_id)
        stored.status, stored.status_raw = LicenseStatus.REVOKED, "REVOKED"
        session.add(stored)
        session.commit()
    verify_all(engine, now=NOW + timedelta(days=2))

    def verdicts(when):
        doc = export_json(engine, parse_as_of(when))
        return [v["verdict"] for p in doc["practices"] for c in p["clinicians"] for v in c["verdicts"]]

    assert verdicts(NOW.date().isoformat()) == [Verdict.VERIFIED]
    assert verdicts((NOW + timedelta(days=2)).date().isoformat()) == [Verdict.SUSPENDED_OR_REVOKED]
    with Session(engine) as session:
        assert len(session.exec(select(VerdictHistory)).all()) == 2
