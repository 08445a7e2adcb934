"""AnyWord: the fast substring path gives exactly the regex's answer (it only saves time)."""

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
