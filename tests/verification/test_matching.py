"""Name matching: nicknames, initials, middle names, suffixes, hyphenated and changed surnames, typos."""

from hypothesis import given
from hypothesis import strategies as st

from directory.verification.matching import (
    PLAUSIBLE,
    name_score,
    normalise_number,
    numbers_match,
    person_from_text,
    same_given_name,
)


def score(site: str, board: str) -> float:
    return name_score(person_from_text(site), person_from_text(board))


def test_nicknames():
    assert same_given_name("bill", "william") and same_given_name("beth", "elizabeth")
    assert same_given_name("kate", "katherine") and not same_given_name("kate", "william")
    assert score("Bill Harlow", "HARLOW, WILLIAM T") >= PLAUSIBLE
    assert score("Beth Moreno", "Elizabeth Moreno") >= PLAUSIBLE
    for nickname, formal in (("sasha", "alexandra"), ("molly", "mary"), ("hank", "henry"), ("nikki", "nicole"),
                             ("steph", "stephanie"), ("wes", "wesley"), ("nate", "nathaniel")):
        assert same_given_name(nickname, formal)
    assert not same_given_name("natalie", "nathaniel")  # "nat" is short for both: the two are not one name


def test_initials_and_middle_names():
    assert score("J. Michael Roe", "Roe, John Michael") >= PLAUSIBLE
    assert score("Michael Roe", "Roe, J Michael") >= PLAUSIBLE  # goes by the middle name
    assert score("Jane Q. Roe", "Roe, Jane Quinn") == 1.0
    assert score("Michael A. Chen", "Chen, Michael B") < PLAUSIBLE  # two different middle names
    # the middle name the site shortens is the same middle name ("Alex" for "Alexander"), not a different one
    assert score("J. Alex Rivera", "Rivera, John Alexander") >= PLAUSIBLE
    assert score("J. Alex Rivera", "Rivera, John Michael") < PLAUSIBLE


def test_double_given_names_and_two_surnames():
    # written in one word on one side, two on the other
    assert score("Ann Marie Lopez", "LOPEZ, ANNMARIE") >= PLAUSIBLE
    assert score("Ann-Marie Lopez", "LOPEZ, ANN MARIE") >= PLAUSIBLE
    assert score("Ann Lopez", "LOPEZ, ANNMARIE") < PLAUSIBLE  # half a double name is not enough
    # "Jose Luis Garcia Lopez" reads as middle "Luis Garcia" and surname "Lopez": the board's "GARCIA LOPEZ, JOSE LUIS"
    assert score("Jose Luis Garcia Lopez", "GARCIA LOPEZ, JOSE LUIS") >= PLAUSIBLE


def test_suffixes_tell_father_and_son_apart():
    assert score("Robert Hale Jr.", "Hale, Robert Sr") < PLAUSIBLE
    assert score("Robert Hale Jr.", "Hale, Robert Jr") == 1.0


def test_hyphenated_and_changed_surnames():
    assert score("Ana Smith-Jones", "Jones, Ana") >= PLAUSIBLE
    assert score("Ana Jones", "Smith-Jones, Ana") >= PLAUSIBLE
    assert score("Ana Smith Jones", "Smith, Ana") >= PLAUSIBLE  # the former surname shown as a middle name


def test_typos_but_not_different_names():
    assert score("Katherine Lindqvist", "Kathrine Lindqvist") >= PLAUSIBLE
    assert score("Jane Roe", "Janet Roe") < PLAUSIBLE
    assert score("Jane Roe", "Jane Rowe") < PLAUSIBLE
    assert score("Jane Roe", "John Doe") == 0.0


def test_license_numbers_compare_on_alphanumerics():
    assert normalise_number("LPC.0012345") == "LPC12345"
    assert numbers_match("LPC.0012345", "lpc 12345") and numbers_match("0012345", "LPC-12345")
    assert not numbers_match("123", "LPC123") and not numbers_match("", None)


GIVEN = ["Jane", "Ana", "Mateo", "Priya", "Wei", "Oluwaseun", "Siobhan", "Zoë", "Jean-Luc", "Mary Kate"]
FAMILY = ["Roe", "McMahon", "O'Brien", "García-López", "Nguyen", "Van Buren", "Okafor", "Lindqvist", "Smith"]


@given(st.sampled_from(GIVEN), st.sampled_from(FAMILY), st.sampled_from(["", "Q.", "Quinn"]))
def test_a_name_matches_itself_in_board_order(given_name, family, middle):
    site = f"{given_name} {middle} {family}".replace("  ", " ")
    board = f"{family.upper()}, {given_name.upper()} {middle.upper()}".strip()
    assert score(site, board) == 1.0
