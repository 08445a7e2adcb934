"""Invariants over the whole credential table, and the lookup's normalisation."""

import csv

import pytest

from directory.extraction.geography import STATE_CODES
from directory.extraction.taxonomy import TABLE_PATH, load_table, lookup, normalise_code, role_for
from directory.vocab import CredentialKind, LicenseClass, Role


def test_table_has_the_codes_the_issue_names():
    required = (
        "LPC LCPC LPCC LMHC LCMHC LPC-S LPCA LCSW LICSW LISW LISW-S LCSW-C LMSW LSW LMFT LCMFT LMFTA LP MD DO NP APRN "
        "ARNP CNP FNP PMHNP PMHNP-BC PA PA-C RN BSN MSN NCC BC-TMH DCEP BCN CCTP CADC LCADC EMDR MA MS MEd MSW PhD "
        "PsyD EdD Fluence Polaris CIIS PRATI KRIYA IPI MAPS"
    ).split() + ["Licensed Psychologist"]
    codes = {info.code for info in load_table()}
    assert [code for code in required if code not in codes] == []


def test_every_row_is_valid():
    with TABLE_PATH.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and list(rows[0]) == ["code", "kind", "license_class", "issuer", "states", "aliases", "notes"]
    for row in rows:
        CredentialKind(row["kind"])  # raises on an unknown kind
        if row["license_class"]:
            LicenseClass(row["license_class"])
        states = [state for state in row["states"].split("|") if state]
        assert set(states) <= STATE_CODES, row["code"]
        assert len(states) == len(set(states)), row["code"]


def test_every_license_title_has_a_class():
    licenses = [info for info in load_table() if info.kind is CredentialKind.STATE_LICENSE]
    missing = [info.code for info in licenses if not info.license_class]
    assert missing == []


def test_no_code_or_alias_is_written_twice():
    seen: dict[str, str] = {}
    for info in load_table():
        for written in (info.code, *info.aliases):
            key = normalise_code(written)
            assert key not in seen or seen[key] == info.code, f"{written!r} is both {seen.get(key)} and {info.code}"
            seen[key] = info.code


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("L.P.C.", "LPC"),
        ("Ph.D.", "PhD"),
        ("psy.d.", "PsyD"),
        ("PMHNP–BC", "PMHNP-BC"),  # en dash
        ("Licensed Clinical Social Worker", "LCSW"),
        ("Licensed Marriage & Family Therapist", "LMFT"),
        ("LPC Associate", "LPCA"),
        ("lcsw-c", "LCSW-C"),
        ("PAC", "PA-C"),
    ],
)
def test_lookup_normalises_how_sites_write_codes(written, code):
    info = lookup(written)
    assert info is not None and info.code == code


def test_lookup_unknown_is_none():
    assert lookup("XYZQ") is None
    assert lookup("") is None


def test_state_specific_titles_and_classes():
    assert lookup("LCPC").license_class is LicenseClass.PROFESSIONAL_COUNSELOR
    assert {"MD", "IL"} <= set(lookup("LCPC").states)
    assert {"CA", "OH", "NM"} <= set(lookup("LPCC").states)
    assert {"NY", "FL", "MA", "WA"} <= set(lookup("LMHC").states)
    assert {"MA", "MN", "DC", "WA", "RI", "VT"} <= set(lookup("LICSW").states)
    assert lookup("PhD").kind is CredentialKind.DEGREE
    assert lookup("NCC").kind is CredentialKind.NATIONAL_CERTIFICATION
    assert lookup("Fluence").kind is CredentialKind.TRAINING
    assert lookup("LMSW").license_class is LicenseClass.SOCIAL_WORKER


def test_role_from_credentials():
    assert role_for(["MD"]) is Role.PRESCRIBER
    assert role_for(["APRN", "PMHNP-BC"]) is Role.PRESCRIBER
    assert role_for(["PA-C"]) is Role.PRESCRIBER
    assert role_for(["LPC", "NCC"]) is Role.THERAPIST
    assert role_for(["RN"]) is Role.NURSE


@pytest.mark.parametrize(("written", "code", "kind"), [
    ("LMHP", "LMHP", CredentialKind.STATE_LICENSE),  # associate and graduate titles real team pages print
    ("LGSW", "LGSW", CredentialKind.STATE_LICENSE),
    ("AMFT", "AMFT", CredentialKind.STATE_LICENSE),
    ("Associate Professional Clinical Counselor", "APCC", CredentialKind.STATE_LICENSE),
    ("RPT-S", "RPT", CredentialKind.NATIONAL_CERTIFICATION),
    ("Certified Sex Therapist", "CST", CredentialKind.NATIONAL_CERTIFICATION),
    ("E-RYT", "RYT", CredentialKind.TRAINING),
])
def test_titles_team_pages_print(written, code, kind):
    info = lookup(written)
    assert info is not None and info.code == code and info.kind is kind
