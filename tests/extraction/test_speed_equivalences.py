"""The shortcuts taken for speed give exactly the answers of the patterns they stand for (they only save time)."""

from hypothesis import given
from hypothesis import strategies as st

from directory.extraction.keywords import AnyWord
from directory.extraction.offerings import _ANY_OFFER_WORD
from directory.extraction.people import _PROSE_HINT

GATES = [_ANY_OFFER_WORD, _PROSE_HINT]
# Text around the gates' own words, in any case, with word boundaries and Unicode look-alikes nearby.
pieces = st.one_of(
    st.sampled_from([word for gate in GATES for word in gate.substrings]),
    st.sampled_from([word for gate in GATES for word in gate.substrings]).map(str.upper),
    st.sampled_from(["IV", "IM", "iv", "RDT", "RDTs", "KAP", "kap", "oral", "Home", "pay", "working", "a", "-",
                     " ", ".", "x", "\u212a", "\u0130", "\u017f", "é"]),
    st.text(max_size=6),
)


@given(st.lists(pieces, max_size=8).map("".join))
def test_fast_path_is_the_regex(text):
    for gate in GATES:
        assert gate.search(text) == bool(gate.pattern.search(text)), (gate.pattern.pattern, text)


def test_answers():
    gate = AnyWord(("therap",), r"\bKAP\b")
    assert gate.search("Ketamine THERAPY") and gate.search("our KAP program") and gate.search("ſome therapy")
    assert not gate.search("kap") and not gate.search("KAPS") and not gate.search("")


mode_pieces = st.one_of(
    st.sampled_from(["virtual", "telehealth", "tele-health", "online", "video", "Zoom", "remotely", "in-person",
                     "in person", "face-to-face", "offices", "clinic", "on-site", "onsite", "come to you", "only",
                     "no", "not offer", "exclusively via", "100%", "fully", "all of our sessions are held",
                     "without a physical office", "do not offer", "\u212a", "\u0130", "\u017f"]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ -%", max_size=4),
)


@given(st.lists(mode_pieces, max_size=8).map(" ".join))
def test_mode_gate_is_necessary(text):
    """_mode_of skips its four patterns when _MODE_WORDS finds nothing: none of them may match then."""
    from directory.extraction import places

    if not places._MODE_WORDS.search(text):
        for pattern in (places._VIRTUAL_ONLY, places._IN_PERSON_ONLY, places._VIRTUAL_WORD, places._IN_PERSON_WORD):
            assert not pattern.search(text), (pattern.pattern, text)


insurance_pieces = st.one_of(
    st.sampled_from(["we", "accept", "take", "most", "major", "insurance", "Aetna", "Medicare", "in-network",
                     "in network", "with", "provider", "out-of-network", "superbills", "do not", "don’t", "bill", "any",
                     "not covered by", "self-pay", "cash pay", "no", "\u212a", "\u0130", "\u017f"]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ -’", max_size=4),
)


@given(st.lists(insurance_pieces, max_size=8).map(" ".join))
def test_insurance_gate_is_necessary(text):
    from directory.extraction import offerings

    if not offerings._INSURANCE_WORDS.search(text):
        for pattern in (offerings._INSURANCE_ACCEPTED, offerings._INSURANCE_OON, offerings._INSURANCE_NONE):
            assert not pattern.search(text), (pattern.pattern, text)


@given(st.text(alphabet=st.sampled_from("ab \t\n\r\f\v\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2028\u3000\u200b\ufeff"),
               max_size=30))
def test_split_join_is_the_spaces_regex(text):
    """Block text collapses whitespace with str.split (faster); it must equal the regex it replaced."""
    import re

    assert " ".join(text.split()) == re.sub(r"\s+", " ", text).strip()


def _title_pieces():
    from directory.extraction.taxonomy import load_table

    written = sorted({word for info in load_table() for word in (info.code, *info.aliases)})
    return st.one_of(
        st.sampled_from(written), st.sampled_from(written).map(str.upper), st.sampled_from(written).map(str.lower),
        st.sampled_from(written).map(lambda word: f"({word})"),
        st.sampled_from(["a", "is", "-", "(", ")", "\u212a", "\u0130", "\u017f", "é"]),
        st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ -()", max_size=4),
    )


@given(st.lists(_title_pieces(), max_size=6).map(" ".join))
def test_spelled_gate_is_necessary(text):
    from directory.extraction import people

    if not people._SPELLED_GATE.search(text):
        assert not people._SPELLED.search(text), text


group_pieces = st.one_of(
    st.sampled_from(["group", "Group-KAP", "community", "KAP", "ketamine", "sessions", "small", "groups", "of", "4",
                     "in", "a", "cohort", "cohorts", "based", "medicine", "circle", "psychedelic-assisted", "the",
                     "will", "our", "next", "practice", "\u212a", "\u0130", "\u017f"]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ -0123456789", max_size=4),
)


@given(st.lists(group_pieces, max_size=8).map(" ".join))
def test_group_gate_is_necessary(text):
    from directory.extraction import offerings
    from directory.vocab import Setting

    if not offerings._SETTING_GATES[Setting.GROUP].search(text):
        assert not offerings.SETTING_PATTERNS[Setting.GROUP].search(text), text
