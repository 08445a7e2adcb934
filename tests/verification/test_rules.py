"""Invariants over the rules table (directory/data/compacts.toml) and what the rules mean."""

import tomllib
from datetime import date

import pytest

from directory.errors import KapdirError
from directory.verification.rules import COMPACTS_FILE, authorities, is_usps_code, load_authorities
from directory.vocab import ServiceMode, Verdict

RAW = tomllib.loads(COMPACTS_FILE.read_text())["authorities"]
TODAY = date(2026, 11, 23)


def by_key(key):
    return next(a for a in authorities() if a.key == key)


@pytest.mark.parametrize("key", sorted(RAW))
def test_every_authority_is_valid_data(key):
    raw = RAW[key]
    assert raw["citation"].startswith(("http://", "https://"))
    assert all(is_usps_code(s) for s in raw.get("members", []))
    assert len(set(raw.get("members", []))) == len(raw.get("members", []))  # no duplicates
    for table in ("member_from", "issuing"):
        for state, when in raw.get(table, {}).items():
            assert is_usps_code(state) and isinstance(when, date)
    assert set(raw.get("issuing", {})) <= set(raw.get("members", []))
    assert set(raw.get("member_from", {})) <= set(raw.get("members", []))
    authority = by_key(key)
    assert authority.verdict in Verdict and Verdict(authority.verdict).is_pass
    if not authority.operational or authority.evidence == "none":
        assert not any(authority.issues_in(s, TODAY) for s in authority.members)


def test_usps_codes_reject_names_and_lowercase():
    assert is_usps_code("DC") and is_usps_code("NM")
    assert not is_usps_code("Maryland") and not is_usps_code("md") and not is_usps_code("XX")


def test_counseling_compact_enacted_is_not_issuing():
    compact = by_key("counseling_compact")
    assert compact.covers(state="MN", mode=ServiceMode.IN_PERSON, license_class="professional_counselor", on=TODAY)
    assert compact.is_member("CT", TODAY) and not compact.issues_in("CT", TODAY)
    assert not compact.issues_in("AZ", date(2025, 9, 1))  # before privileges began
    assert not compact.is_member("NV", date(2025, 12, 31)) and compact.is_member("NV", date(2026, 1, 1))
    assert not compact.covers(state="MN", mode=ServiceMode.PRESCRIBING, license_class=None, on=TODAY)


def test_virtual_only_authorities_and_grants_nothing():
    assert by_key("psypact").modes == {ServiceMode.VIRTUAL}
    assert "CA" not in by_key("psypact").members and "NY" not in by_key("psypact").members
    florida = by_key("fl_telehealth_registration")
    assert florida.modes == {ServiceMode.VIRTUAL} and florida.members == {"FL"}
    assert not by_key("imlc").issues_in("CO", TODAY)
    assert not by_key("aprn_compact").issues_in("UT", TODAY)
    assert ServiceMode.PRESCRIBING not in by_key("nlc").modes


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ('color = "red"', "unknown keys"),
        ('members = ["AZ", "Mars"]', "not USPS codes"),
        ('issuing = { CT = 2025-09-30 }', "are not members"),
        ('verdict = "approved"', "approved"),
        ('evidence = "vibes"', "evidence"),
    ],
)
def test_bad_rules_give_one_line_errors(tmp_path, edit, message):
    key = edit.split(" = ")[0]
    lines = [
        "[authorities.x]", 'name = "X"', 'citation = "https://x.example"', "operational = true",
        'evidence = "privilege_in_state"', 'record_kind = "compact_privilege"', 'verdict = "verified"',
        'license_classes = ["psychologist"]', "virtual = true", 'members = ["AZ"]',
    ]
    lines = [line for line in lines if not line.startswith(f"{key} =")] + [edit]
    path = tmp_path / "compacts.toml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(KapdirError, match=message) as info:
        load_authorities(path)
    assert "\n" not in str(info.value)
