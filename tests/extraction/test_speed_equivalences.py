"""The shortcuts taken for speed give exactly the answers of the patterns they stand for (they only save time)."""

from hypothesis import example, given, settings
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


# --- keywords.gated: a pattern behind the literals its matches need ----------------------------------------------

def test_unsafe_characters_are_all_of_them():
    """Every character that re.IGNORECASE matches to an ASCII letter lowers (str.lower) to that one letter, except
    the ones keywords.lowered refuses (the fast path would miss their matches)."""
    import re
    import string

    from directory.extraction.keywords import UNSAFE_FOR_LOWER

    letter = re.compile("[a-z]", re.I)
    unsafe = {char for char in map(chr, range(128, 0x110000)) if letter.fullmatch(char)
              and not all(char.lower() == ascii_letter for ascii_letter in string.ascii_lowercase
                          if re.fullmatch(ascii_letter, char, re.I))}
    assert unsafe == set(UNSAFE_FOR_LOWER)


def test_required_literals():
    import re

    from directory.extraction.keywords import required_literals

    def lower(*strings):
        return {(string, False) for string in strings}

    assert required_literals(re.compile(r"\bketamine[- ]assisted\s+(?:psycho)?therapy\b", re.I)) == lower(
        "ketamine-assisted", "ketamine assisted")
    assert required_literals(re.compile(r"\bIV\b|\bintravenous(?:ly)?\b|\binfusions?\b", re.I)) == lower(
        "iv", "intravenous", "infusion")
    assert required_literals(re.compile(r"(?i:a)\s+(?-i:Dr)\.?\s+[A-Z]")) == {("Dr", True)}
    assert required_literals(re.compile(r"\bIM\b|\b(?i:injections?)\b")) == {("IM", True), ("injection", False)}
    assert required_literals(re.compile(r"(?i:a)(?-i:B)")) == lower("ab")  # mixed: compared lower-cased
    assert required_literals(re.compile(r"\bthe\s+group\s+will\b|\bup\s+to\s+\d+\s+participants\b")) == {
        ("group", True), ("participants", True)}
    assert required_literals(re.compile(r"(?:abc)?x*")) is None  # may match the empty string
    assert required_literals(re.compile(r"caf\u00e9|[A-Z]\w+")) is None  # a non-ASCII literal: nothing claimed
    assert required_literals(re.compile(r"[^a]bc")) == {("bc", True)}


# Small random patterns over a few letters, with case flags, classes, alternation, repeats and look-arounds
_atoms = st.sampled_from(["a", "b", "k", "s", "i", "A", "K", "S", "I", "-", " ", "[ab]", "[a-c]", "[^a]", ".", r"\w",
                          r"\s", r"\b", "(?=a)", "(?<!b)", "(?!k)", "\u00e9", "\u017f", "\u212a"])


def _regexes():
    return st.recursive(
        _atoms,
        lambda inner: st.one_of(
            st.lists(inner, min_size=2, max_size=4).map("".join),
            st.lists(inner, min_size=2, max_size=3).map(lambda parts: "(?:" + "|".join(parts) + ")"),
            inner.map(lambda part: f"(?:{part})?"), inner.map(lambda part: f"(?:{part})+"),
            inner.map(lambda part: f"(?:{part}){{2,3}}"), inner.map(lambda part: f"(?i:{part})"),
            inner.map(lambda part: f"(?-i:{part})"), inner.map(lambda part: f"(?>{part})"),
        ),
        max_leaves=8,
    )


_texts = st.text(alphabet=st.sampled_from("abksiABKSI- .\u0130\u0131\u017f\u212a\u00e9\u00c9"), max_size=8).map(
    lambda text: text * 2)  # repeated: the pattern's few letters come round again


@settings(max_examples=400)
@given(_regexes(), st.booleans(), st.lists(_texts, min_size=1, max_size=6))
@example("sa", True, ["\u017fa"]).via("long s")
@example("ki", True, ["\u212a\u0130", "k\u0131"]).via("Kelvin sign, dotted and dotless i")
def test_gate_never_refuses_a_match(source, ignore_case, texts):
    """For any pattern: wherever it matches, the text holds one of its required literals (the gate lets it run)."""
    import re

    from directory.extraction.keywords import gated

    pattern = re.compile(source, re.I if ignore_case else 0)
    gate = gated(pattern)
    for text in texts:
        assert bool(gate.search(text)) == bool(pattern.search(text)), (source, ignore_case, text)
        assert [m.span() for m in gate.finditer(text)] == [m.span() for m in pattern.finditer(text)]


def _gated_patterns():
    """Every gated pattern of the readers, by name."""
    from directory.extraction import naming, offerings, people, places
    from directory.extraction.keywords import Gated

    found = {}
    for module in (offerings, people, places, naming):
        for name, value in vars(module).items():
            values = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, tuple) \
                else [("", value)]
            for key, item in values:
                if isinstance(item, Gated):
                    found[f"{module.__name__}.{name}{f'[{key}]' if key != '' else ''}"] = item
    return found


def test_the_readers_gate_their_slow_patterns():
    names = set(_gated_patterns())
    assert {"directory.extraction.offerings._THERAPY_YES", "directory.extraction.people._SPELLED",
            "directory.extraction.places._CUE"} <= names


@given(st.data())
def test_gated_reader_patterns_answer_as_their_regex(data):
    gates = _gated_patterns()
    name = data.draw(st.sampled_from(sorted(gates)))
    gate = gates[name]
    words = st.sampled_from(sorted(gate.needs))
    piece = st.one_of(words, words.map(str.upper), words.map(str.title), st.sampled_from(
        [" ", ", ", ". ", "we ", "our ", "Dr. Jane Roe ", "(", ")", "in Ohio", "\u212a", "\u0130", "\u017f", "’"]),
        st.text(max_size=4))
    text = data.draw(st.lists(piece, max_size=10).map("".join))
    found = gate.regex.search(text)
    assert (gate.search(text) and gate.search(text).span()) == (found and found.span()), (name, text)
    assert gate.sub("#", text) == gate.regex.sub("#", text)
    assert gate.split(text) == gate.regex.split(text)


def test_gated_reader_patterns_on_every_sentence():
    """On every sentence of the labelled pages (and of ../shared/realpages where present) each gate lets through
    every sentence its regex matches."""
    from pathlib import Path

    from directory.extraction.page import parse

    real = Path(__file__).resolve().parents[3] / "shared" / "realpages" / "pages"
    folders = [Path(__file__).parent / "labelled", real]
    gates = _gated_patterns()
    sentences = set()
    for path in (path for folder in folders if folder.is_dir() for path in sorted(folder.iterdir())):
        if path.suffix in {".html", ".txt"}:
            document = parse(path.read_bytes(), content_type="text/plain" if path.suffix == ".txt" else None)
            sentences.update(sentence for block in document.blocks for sentence in [block.text, *block.sentences])
    assert len(sentences) > 500
    for name, gate in gates.items():
        for sentence in sentences:
            if gate.regex.search(sentence):
                assert gate.possible(sentence), (name, sentence)


@given(st.text(alphabet=st.sampled_from("aZbYcXLCSW xé\u212a\u0130|-"), max_size=20))
@example("Jane RoeLCSW").via("code glued to a name")
@example("LCSWTherapist").via("code glued to a word")
def test_glue_hint_is_necessary(text):
    """people._GLUED (a zero-width cut at every position) runs only where _GLUE_HINT finds a place it could cut."""
    from directory.extraction import people

    if people._GLUED.search(text):
        assert people._GLUE_HINT.search(text), text


@settings(max_examples=300)
@given(_regexes(), st.booleans(), st.lists(_texts, min_size=1, max_size=6))
@example(r"\b(?:ki|s)", True, ["\u212a\u0130", "\u017f"]).via("case folds of the first character")
@example(r"(?:a)?b", False, ["b"]).via("an optional first part")
def test_first_char_guard_gives_the_same_matches(source, ignore_case, texts):
    import re

    from directory.extraction.keywords import first_char_guarded

    pattern = re.compile(r"(?<!x)" + source, re.I if ignore_case else 0)  # a look-around first: the guard applies
    guarded = first_char_guarded(pattern)
    for text in texts:
        assert [(m.span(), m.groups()) for m in guarded.finditer(text)] == [
            (m.span(), m.groups()) for m in pattern.finditer(text)], (source, ignore_case, text, guarded.pattern)


def test_first_char_guard_applies():
    import re

    from directory.extraction import people
    from directory.extraction.keywords import first_char_guarded

    guarded = first_char_guarded(re.compile(r"(?<![A-Za-z])(?:LPC|MD)\b"))
    assert guarded.pattern == r"(?=[LM])(?:(?<![A-Za-z])(?:LPC|MD)\b)"
    assert people._ANY_CODE.pattern.startswith("(?=[")
    assert first_char_guarded(re.compile(r"\b(?:a|b?)")).pattern == r"\b(?:a|b?)"  # may match empty: left alone
    assert first_char_guarded(re.compile(r"\b(?i:a)b")).pattern == r"\b(?i:a)b"  # local case folding: left alone
