"""Hostile-review attacks on verification with board data as the real adapters would store it: the record's class
comes from classify_title on the board's own title (as at sync), its status from the source's status table."""

import pytest

from directory.boards.registry import classify_title, get_source
from directory.vocab import Verdict
from tests.verification.builders import clinician, practice, record, sync
from tests.verification.test_verdicts import LPC, NP, PSY, run

MD = ("MD", "degree", "physician")


def _synced(session, source: str, state: str, holder: str, title: str, **kwargs):
    """A board record as the adapter stores it: the class read from the board's title in that state."""
    held = classify_title(get_source(source), title, state).value
    rec = record(session, source, holder, state, held, title=title, **kwargs)
    sync(session, source)
    sync(session, "oig_leie")
    session.commit()
    return rec


@pytest.mark.parametrize(("state", "source", "claim", "title"), [
    # Colorado's LPCC is the Licensed Professional Counselor Candidate (the keyword read it as an LPC).
    ("CO", "co_socrata", LPC, "LPCC"),
    # Virginia's Resident in Counseling is supervised (the COUNSELING keyword read it as an LPC).
    ("VA", "va_dhp", LPC, "Resident in Counseling"),
    ("CT", "ct_socrata", LPC, "PROVISIONAL LICENSED PROFESSIONAL COUNSELOR"),
    ("CT", "ct_socrata", PSY, "LIMITED LICENSED PSYCHOLOGIST"),
    ("CT", "ct_socrata", PSY, "PSYCHOLOGICAL ASSISTANT"),
    ("WA", "wa_socrata", PSY, "PSYCHOLOGIST TEMPORARY PERMIT"),
])
def test_a_supervised_or_provisional_board_title_never_backs_the_independent_claim(
        engine, session, state, source, claim, title):
    p = practice(session, "tier.example", {state: (True, None)})
    clinician(session, p, "Nora Vance", [claim])
    _synced(session, source, state, "Vance, Nora", title)
    row = run(engine)[f"service/{state}/in_person"]
    assert not Verdict(row.verdict).is_pass, (title, row.verdict, row.basis)


@pytest.mark.parametrize(("state", "source", "claim", "title"), [
    ("CT", "ct_socrata", MD, "HOMEOPATHIC PHYSICIAN"),
    ("WA", "wa_socrata", MD, "NUCLEAR MEDICINE TECHNOLOGIST"),
    ("CT", "ct_socrata", MD, "RESIDENT PHYSICIAN"),
    ("CT", "ct_socrata", MD, "PHYSICIAN/SURGEON TEMPORARY PERMIT"),
    ("WA", "wa_socrata", MD, "EAST ASIAN MEDICINE PRACTITIONER"),
    ("CT", "ct_socrata", NP, "CERTIFIED NURSE MIDWIFE APRN"),
    ("WA", "wa_socrata", MD, "PHYSICIAN AND SURGEON CLINICAL EXPERIENCE LICENSE"),
    ("WA", "wa_socrata", MD, "PHYSICIAN AND SURGEON TEACHING RESEARCH LICENSE"),
    ("CT", "ct_socrata", MD, "PHYSICIAN/SURGEON RESIDENCY PERMIT"),
    ("CT", "ct_socrata", MD, "RETIRED VOLUNTEER PHYSICIAN"),
])
def test_a_title_that_only_borrows_a_prescriber_word_does_not_prescribe(engine, session, state, source, claim, title):
    p = practice(session, "rx.example", {state: (None, True)})
    clinician(session, p, "Victor Kane", [claim], role="prescriber")
    _synced(session, source, state, "Kane, Victor", title)
    row = run(engine)[f"prescribing/{state}"]
    assert not Verdict(row.verdict).is_pass, (title, row.verdict, row.basis)


def test_colorado_apn_subcategory_cnm_is_not_a_nurse_practitioner(engine, session):
    """The CO adapter classes by licensetype (APN -> nurse practitioner) and stores "APN CNM" as the title: the
    subcategory (a nurse midwife) must still keep a PMHNP prescribing claim from passing."""
    p = practice(session, "co.example", {"CO": (None, True)})
    clinician(session, p, "Lena Fox", [NP], role="prescriber")
    record(session, "co_socrata", "Fox, Lena", "CO", "nurse_practitioner", title="APN CNM")
    sync(session, "co_socrata")
    sync(session, "oig_leie")
    session.commit()
    assert not Verdict(run(engine)["prescribing/CO"].verdict).is_pass


def test_the_independent_counselor_title_still_verifies(engine, session):
    """The guard rows are narrow: the independent licenses the attacks imitate still pass."""
    p = practice(session, "ok.example", {"CO": (True, None)})
    clinician(session, p, "Nora Vance", [LPC])
    _synced(session, "co_socrata", "CO", "Vance, Nora", "LPC")
    assert run(engine)["service/CO/in_person"].verdict == Verdict.VERIFIED


def test_the_physician_title_still_verifies(engine, session):
    p = practice(session, "ok2.example", {"WA": (None, True)})
    clinician(session, p, "Victor Kane", [MD], role="prescriber")
    _synced(session, "wa_socrata", "WA", "Kane, Victor", "OSTEOPATHIC PHYSICIAN & SURGEON LICENSE")
    assert run(engine)["prescribing/WA"].verdict == Verdict.VERIFIED


@pytest.mark.parametrize(("title", "state", "expected"), [
    ("LCSW-A", "NC", "social_worker"), ("LCSWA", "NC", "social_worker"), ("LCMHC-A", "NC", "associate_counselor"),
    ("LMHC", "NM", "associate_counselor"), ("LPCC", "NM", "professional_counselor"),
    ("LPCC", "CA", "professional_counselor"), ("LPCC", "CO", "associate_counselor"),
])
def test_state_tiers_of_look_alike_codes(title, state, expected):
    assert classify_title(None, title, state).value == expected


def test_every_status_word_that_reads_in_force_says_so():
    """No source's table may read a word naming a lapse, an application or a suspension as in force."""
    from directory.boards.registry import _table

    bad = ("EXPIR", "LAPSE", "PENDING", "DENIED", "APPLICATION", "REVOK", "SURRENDER", "RELINQUISH", "DECEASED",
           "DELINQUENT", "NULL AND VOID", "INACTIVE", "CLOSED", "RETIRED", "CANCEL", "TERMINAT", "VOID")
    import tomllib
    from pathlib import Path

    tables = {name: info.status_words for name, info in _table().sources.items()}
    tables["default"] = _table().default_status_words
    for mapping in (Path(__file__).resolve().parents[2] / "directory" / "data" / "rosters").glob("*.toml"):
        tables[mapping.name] = tomllib.loads(mapping.read_text(encoding="utf-8")).get("status_words", {})
    assert len(tables) > 10
    for name, words in tables.items():
        for word, status in words.items():
            if status in ("active", "probation"):
                assert not any(b in word.upper() for b in bad), (name, word, status)


@pytest.mark.parametrize(("site_name", "board_name"), [
    ("Ana Smith-Jones", "JONES, ANA"),  # one half of a hyphenated surname
    ("Ana Jones", "SMITH-JONES, ANA"),
    ("Ana Smith Roe", "SMITH, ANA"),  # a middle name read as a former surname
])
def test_a_surname_half_or_former_surname_alone_never_passes(engine, session, site_name, board_name):
    """Attack: these scored as a full-name tie, so a namesake's active license verified the clinician."""
    p = practice(session, "nm.example", {"CT": (True, None)})
    clinician(session, p, site_name, [LPC])
    _synced(session, "ct_socrata", "CT", board_name, "LICENSED PROFESSIONAL COUNSELOR")
    row = run(engine)["service/CT/in_person"]
    assert not Verdict(row.verdict).is_pass, (row.verdict, row.basis)


@pytest.mark.parametrize("board_name", ["SMITH-JONES, ANA", "ANA SMITH JONES"])
def test_a_hyphenated_surname_written_alike_still_verifies(engine, session, board_name):
    p = practice(session, "nm2.example", {"CT": (True, None)})
    clinician(session, p, "Ana Smith-Jones", [LPC])
    _synced(session, "ct_socrata", "CT", board_name, "LICENSED PROFESSIONAL COUNSELOR")
    assert run(engine)["service/CT/in_person"].verdict == Verdict.VERIFIED


@pytest.mark.parametrize("status", ["error", "refused", "interrupted"])
def test_a_source_whose_latest_sync_did_not_succeed_never_passes_on_its_old_record(engine, session, status):
    """Any latest sync status other than ok (one this code does not know included) makes the source unavailable."""
    from datetime import timedelta

    from tests.verification.builders import NOW

    p = practice(session, "f.example", {"CT": (True, None)})
    clinician(session, p, "Ana Ruiz", [LPC])
    record(session, "ct_socrata", "Ana Ruiz", "CT", "professional_counselor", as_of=NOW - timedelta(days=3))
    sync(session, "ct_socrata", at=NOW - timedelta(days=5))
    sync(session, "ct_socrata", status=status, at=NOW - timedelta(days=1), error="boom")
    sync(session, "oig_leie")
    session.commit()
    assert run(engine)["service/CT/in_person"].verdict == Verdict.SOURCE_UNAVAILABLE
