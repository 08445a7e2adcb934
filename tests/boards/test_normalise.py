"""Property tests for the normalisers every adapter shares."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from directory.boards.base import names_from_parts, names_from_text, parse_date, split_name
from directory.names import name_key, parse_name

word = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll"), max_codepoint=0x7F), min_size=2,
               max_size=10)


@given(word, st.one_of(st.just(""), st.sampled_from([*"ACDEIJLMQVXY", "J.", "E.", "V.", "Marie"]), word), word)
def test_fast_name_split_agrees_with_nameparser(given_name, middle, family):
    text = " ".join(p for p in (given_name, middle, family) if p)
    slow = parse_name(text)
    assert split_name(text) == (slow.given, slow.middle, slow.family, slow.suffix)


@given(word, word)
def test_name_keys_are_normalised_and_idempotent(given_name, family):
    parts = names_from_parts(given_name, None, family)
    assert parts["family_key"] == name_key(family) == name_key(parts["family_key"])
    text = names_from_text(f"{given_name} {family}")
    assert (text["family_key"] or "") == name_key(text["family_name"])


def test_names_from_text_handles_last_comma_first_and_suffixes():
    assert names_from_text("ROE, JANE Q")["family_key"] == "roe"
    suffixed = names_from_text("John A Smith Jr")
    assert suffixed["family_key"] == "smith" and suffixed["suffix"]
    assert names_from_parts('"DE', None, "Silva", '"DE')["suffix"] == "DE", "stray quotes removed"


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_dates_round_trip_in_every_source_format(day):
    assert parse_date(f"{day.isoformat()}T00:00:00.000") == day  # Socrata floating timestamp
    assert parse_date(day.strftime("%m/%d/%Y"), ("%m/%d/%Y",)) == day  # Illinois, Texas, Florida
    assert parse_date(day.strftime("%Y%m%d"), ("%Y%m%d",)) == day  # OIG LEIE


def test_date_sentinels_and_junk_are_none():
    assert parse_date("00000000") is None and parse_date("") is None and parse_date(None) is None
    assert parse_date("not a date") is None
    assert parse_date("02/30/2024", ("%m/%d/%Y",)) is None


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_declared_formats_round_trip(day):
    from directory.boards.dates import read_date

    assert read_date(day.strftime("%m/%d/%Y"), ("%m/%d/%Y", "%Y%m%d")) == day  # WA, IL
    assert read_date(day.strftime("%Y%m%d"), ("%m/%d/%Y", "%Y%m%d")) == day  # WA exports, LEIE
    assert read_date(f"{day.isoformat()}T00:00:00.000", ("%Y-%m-%dT%H:%M:%S.%f",)) == day  # CT, CO


@given(st.text(max_size=12))
def test_a_declared_format_never_turns_junk_into_none(text):
    """Empty cells and all-zero sentinels are 'no date'; anything else parses or is a DateError."""
    from directory.boards.dates import DateError, read_date

    try:
        result = read_date(text, ("%m/%d/%Y",))
    except DateError:
        return
    assert result is not None or set(text.strip().strip('"').strip()) <= {"0", "/", "-"}


def test_read_dates_names_the_bad_field():
    from directory.boards.dates import read_dates

    parsed, errors = read_dates(("%m/%d/%Y",), issue_date="01/02/2020", expiry_date="2027-09-14T00:00:00.000")
    assert parsed == {"issue_date": date(2020, 1, 2), "expiry_date": None}
    assert errors == ["expiry_date='2027-09-14T00:00:00.000'"]
    assert read_dates(("%Y%m%d",), issue_date="00000000", expiry_date="")[1] == []


@given(st.text(alphabet="0123456789/-T:. ", max_size=26),
       st.sampled_from(["%m/%d/%Y", "%Y%m%d", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f"]))
def test_fast_date_paths_agree_with_strptime(text, fmt):
    """A date read through a fast path is the date strptime reads (the fast paths may only be stricter: exact
    digit counts, no lenient short years)."""
    from datetime import datetime

    from directory.boards.dates import DateError, read_date

    try:
        expected = datetime.strptime(text.strip(), fmt).date()
    except ValueError:
        expected = None
    try:
        got = read_date(text, (fmt,))
    except DateError:
        got = None
    if got is not None:
        assert got == expected
