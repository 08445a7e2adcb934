"""Cheap yes/no tests that stand in front of slow patterns and give exactly the patterns' answers.

Python's re tries every alternative of a long pattern at every position of a sentence (10-60 us a sentence for
the longer rules), although most sentences hold none of the words the pattern needs. Two tools here:

- `AnyWord`: "does this text hold any of these words?", the regex's own answer, by substring tests.
- `gated(pattern)`: the same pattern, which first asks whether the text holds one of the literal strings that
  every match must contain (read from the pattern itself, so a rule changed later is still gated correctly);
  where none is there, no match is possible and the regex is never run.

Both compare case-insensitive literals with the lower-cased text (case-sensitive ones with the text itself). On
text with none of the three characters that re.IGNORECASE matches to an ASCII letter but str.lower does not lower
to it (İ, ı, ſ), any match of an ASCII literal leaves that literal, lower-cased, in the lower-cased text; other text
goes straight to the regex. tests/extraction/test_speed_equivalences.py proves both (Hypothesis, every gated
pattern, every sentence of the labelled and real pages).
"""

import re
from collections.abc import Iterable, Iterator
from re import _constants as sre  # the parser's node codes (stable since Python 3.11)
from re import _parser

# Characters that re.IGNORECASE matches to an ASCII letter and str.lower() does not lower to that one letter
# (found by scanning every code point: test_speed_equivalences.test_unsafe_characters_are_all_of_them).
UNSAFE_FOR_LOWER = "\u0130\u0131\u017f"
_UNSAFE = re.compile(f"[{UNSAFE_FOR_LOWER}]")

_last_text: str | None = None
_last_lower: str | None = None


def lowered(text: str) -> str | None:
    """text.lower(), or None where that is not safe to compare with (then only the regex can answer). The
    last answer is kept: readers ask many gates about the same sentence one after another."""
    global _last_text, _last_lower
    if text is _last_text:
        return _last_lower
    lower = text.lower() if text.isascii() or not _UNSAFE.search(text) else None
    _last_text, _last_lower = text, lower
    return lower


class AnyWord:
    """`bool(pattern.search(text))`, where `pattern` is `bounded` (the alternatives that need a regex: word
    boundaries, case-sensitive codes) or any of `substrings` (lower-case, matched case-insensitively)."""

    def __init__(self, substrings: tuple[str, ...], bounded: str = "") -> None:
        assert all(word.isascii() and word == word.lower() for word in substrings)
        self.substrings = substrings
        self.bounded = re.compile(bounded) if bounded else None
        alternatives = "|".join(re.escape(word) for word in substrings)
        self.pattern = re.compile("|".join(part for part in (bounded, f"(?i:{alternatives})") if part))

    def search(self, text: str) -> bool:
        if not text.isascii():
            return bool(self.pattern.search(text))
        lower = text.lower()
        for word in self.substrings:  # a plain loop: faster than any() over a generator
            if word in lower:
                return True
        return bool(self.bounded and self.bounded.search(text))


# --- literals every match of a pattern must contain -------------------------------------------------------------
# A literal is (string, exact): exact strings are matched case-sensitively in the text itself (a case-sensitive part
# of the pattern: "IM", "Dr"), the others lower-cased in the lower-cased text.

Literal = tuple[str, bool]
_MAX_STRINGS = 200  # a finite set of strings larger than this is not followed further
_ZERO_WIDTH = {sre.AT, sre.ASSERT, sre.ASSERT_NOT}
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT}
_EMPTY: Literal = ("", True)


def _implies(present: Literal, other: Literal) -> bool:
    """Where `present` is in a (safe) text, so is `other`."""
    if other[1]:
        return present[1] and other[0] in present[0]
    return other[0] in present[0].lower()


def _minimal(literals: Iterable[Literal]) -> frozenset[Literal]:
    """Drop every literal that implies another: "any of them is in the text" stays the same test."""
    kept: list[Literal] = []
    for literal in sorted(set(literals), key=lambda item: (len(item[0]), not item[1])):
        if not any(_implies(literal, shorter) for shorter in kept):
            kept.append(literal)
    return frozenset(kept)


# Words on almost every sentence of a practice's page: a requirement of one of these lets nearly everything through,
# so another literal of the same pattern is a better test ("ketamine shots": "shot"). Speed only, never the answer.
_EVERYWHERE = ("ketamine", "psychotherapy", "therapist", "sessions", "treatment")


def _selectivity(items: frozenset[Literal]) -> tuple[bool, int, int, int]:
    common = any(text.lower() in word for text, _ in items for word in _EVERYWHERE)
    return not common, min(len(text) for text, _ in items), -len(items), sum(exact for _, exact in items)


def _better(a: frozenset[Literal] | None, b: frozenset[Literal] | None) -> frozenset[Literal] | None:
    """The more selective of two requirements: no everyday word, longer shortest string, fewer strings, more exact."""
    if not a:
        return b or None
    if not b:
        return a
    return max(a, b, key=_selectivity)


def _joined(a: Literal, b: Literal) -> Literal:
    if a[1] and b[1]:
        return a[0] + b[0], True
    return a[0].lower() + b[0].lower(), False


def _product(left: set[Literal], right: frozenset[Literal] | set[Literal]) -> set[Literal] | None:
    if len(left) * len(right) > _MAX_STRINGS:
        return None
    return {_joined(a, b) for a in left for b in right}


def _sequence(items: list, ignore_case: bool) -> tuple[frozenset[Literal] | None, frozenset[Literal] | None]:
    """(exact, required) of nodes in a row. `exact`: every string the sequence can match (None: not a small finite
    set); `required`: literals of which every match contains at least one (None: nothing known)."""
    required: frozenset[Literal] | None = None
    run: set[Literal] = {_EMPTY}  # the strings the current run of finite nodes can match, contiguous in the text
    whole: set[Literal] | None = {_EMPTY}
    for op, av in items:
        exact, needed = _node(op, av, ignore_case)
        if exact is not None:
            longer = _product(run, exact)
            if longer is None:  # too many strings: keep what the run required so far, start a new one here
                required = _better(required, _required_of(frozenset(run)))
                longer = set(exact)
            run = longer
            whole = _product(whole, exact) if whole is not None else None
            continue
        required = _better(required, _required_of(frozenset(run)))
        run, whole = {_EMPTY}, None
        required = _better(required, needed)
    required = _better(required, _required_of(frozenset(run)))
    return (frozenset(whole) if whole is not None else None), required


def _required_of(exact: frozenset[Literal] | None) -> frozenset[Literal] | None:
    """A finite set of strings, as a requirement: none where the empty string is among them."""
    if not exact or any(not text for text, _ in exact):
        return None
    return _minimal(exact)


def _node(op, av, ignore_case: bool) -> tuple[frozenset[Literal] | None, frozenset[Literal] | None]:
    if op is sre.LITERAL:
        char = chr(av)
        if not char.isascii():
            return None, None  # how re folds its case is not str.lower's: claim nothing
        return frozenset({(char.lower(), False) if ignore_case else (char, True)}), None
    if op in _ZERO_WIDTH:
        return frozenset({_EMPTY}), None  # consumes nothing: the literals on both sides touch in the text
    if op is sre.IN:
        chars: set[str] = set()
        for kind, value in av:
            if kind is sre.LITERAL:
                chars.add(chr(value))
            elif kind is sre.RANGE and value[1] - value[0] < 8:
                chars.update(chr(code) for code in range(value[0], value[1] + 1))
            else:  # NEGATE, CATEGORY, a wide range
                return None, None
        if not chars or not all(char.isascii() for char in chars):
            return None, None
        return frozenset((char.lower(), False) if ignore_case else (char, True) for char in chars), None
    if op is sre.BRANCH:
        exacts: set[Literal] | None = set()
        requireds: set[Literal] | None = set()
        for alternative in av[1]:
            exact, needed = _sequence(alternative, ignore_case)
            exacts = exacts | exact if exacts is not None and exact is not None and len(exacts) + len(exact) \
                <= _MAX_STRINGS else None
            needed = _better(needed, _required_of(exact))
            requireds = requireds | needed if requireds is not None and needed else None
        return (frozenset(exacts) if exacts is not None else None), (_minimal(requireds) if requireds else None)
    if op is sre.SUBPATTERN:
        _group, add_flags, del_flags, items = av
        if add_flags & re.IGNORECASE:
            ignore_case = True
        if del_flags & re.IGNORECASE:
            ignore_case = False
        return _sequence(items, ignore_case)
    if op is sre.ATOMIC_GROUP:
        return _sequence(av, ignore_case)
    if op in _REPEATS:
        low, high, items = av
        exact, needed = _sequence(items, ignore_case)
        if low == 0:
            if high == 1 and exact is not None:
                return exact | {_EMPTY}, None
            return None, None
        if low == high == 1:
            return exact, needed
        return None, _better(needed, _required_of(exact))
    return None, None  # ANY, NOT_LITERAL, CATEGORY, group references: anything may be there


def required_literals(pattern: re.Pattern[str]) -> frozenset[Literal] | None:
    """Literals of which every match of `pattern` holds at least one (None: none known)."""
    parsed = _parser.parse(pattern.pattern, pattern.flags)
    exact, needed = _sequence(list(parsed), bool(pattern.flags & re.IGNORECASE))
    return _better(needed, _required_of(exact))


class Gated:
    """A compiled pattern that answers "no match" without running where the text lacks every literal its
    matches need. Same methods and answers as the pattern (test_speed_equivalences)."""

    __slots__ = ("regex", "exact", "lower", "pattern", "flags", "groups", "groupindex")

    def __init__(self, regex: re.Pattern[str], needs: frozenset[Literal], source: str | None = None) -> None:
        self.regex = regex
        self.exact = tuple(sorted((text for text, exact in needs if exact), key=len))
        self.lower = tuple(sorted((text for text, exact in needs if not exact), key=len))
        self.pattern, self.flags = source or regex.pattern, regex.flags  # the pattern as its module writes it
        self.groups, self.groupindex = regex.groups, regex.groupindex

    @property
    def needs(self) -> tuple[str, ...]:
        return self.exact + self.lower

    def possible(self, text: str) -> bool:
        for string in self.exact:
            if string in text:
                return True
        if not self.lower:
            return False
        lower = lowered(text)
        if lower is None:
            return True
        for string in self.lower:
            if string in lower:
                return True
        return False

    def search(self, text: str, *args: int) -> re.Match[str] | None:
        return self.regex.search(text, *args) if self.possible(text) else None

    def match(self, text: str, *args: int) -> re.Match[str] | None:
        return self.regex.match(text, *args) if self.possible(text) else None

    def fullmatch(self, text: str, *args: int) -> re.Match[str] | None:
        return self.regex.fullmatch(text, *args) if self.possible(text) else None

    def finditer(self, text: str, *args: int) -> Iterator[re.Match[str]]:
        return self.regex.finditer(text, *args) if self.possible(text) else iter(())

    def findall(self, text: str, *args: int) -> list:
        return self.regex.findall(text, *args) if self.possible(text) else []

    def sub(self, repl, text: str, count: int = 0) -> str:
        return self.regex.sub(repl, text, count) if self.possible(text) else text

    def split(self, text: str, maxsplit: int = 0) -> list[str]:
        return self.regex.split(text, maxsplit) if self.possible(text) else [text]


_MAX_GATE = 250  # more literals than this cost more to test than most regexes (people._ANY_CODE: 900)


def gated(pattern: re.Pattern[str]) -> "re.Pattern[str] | Gated":
    """`pattern` behind the cheap test of the literals its matches need (where it needs some, and not too many),
    and with the characters its matches start with said up front (first_char_guarded)."""
    regex = first_char_guarded(pattern)
    needs = required_literals(pattern)
    return Gated(regex, needs, pattern.pattern) if needs and len(needs) <= _MAX_GATE else regex


def guard_patterns(namespace: dict, *names: str) -> None:
    """Only the first-character guard (first_char_guarded) for the named patterns: for those whose literals are too
    many or too common to be worth testing."""
    for name in names:
        namespace[name] = first_char_guarded(namespace[name])


def gate_patterns(namespace: dict, *names: str) -> None:
    """Put each named module-level pattern (or tuple or dict of patterns) of `namespace` behind its gate. Called
    at the end of a reader module, so that each rule stays written as a plain regex where it is defined."""
    for name in names:
        value = namespace[name]
        if isinstance(value, dict):
            value.update((key, gated(pattern)) for key, pattern in value.items())
        elif isinstance(value, tuple):
            namespace[name] = tuple(map(gated, value))
        else:
            namespace[name] = gated(value)


# --- the characters a match can start with ----------------------------------------------------------------------
# re finds no start-of-match shortcut for a pattern that opens with a look-around or \b ("(?<![A-Za-z])(?:LPC|...)"):
# it tries every alternative at every position. `(?=[first characters])` in front lets it skip the others fast.

_NULLABLE = object()


def _first_chars(items, ignore_case: bool, outer_ignore_case: bool) -> set[str] | object | None:
    """Characters a match of the sequence can start with; _NULLABLE where it can match the empty string; None where
    not known (or not expressible as one class under the pattern's own flags)."""
    chars: set[str] = set()
    for op, av in items:
        found = _first_of(op, av, ignore_case, outer_ignore_case)
        if found is None:
            return None
        if found is _NULLABLE:
            continue
        first, nullable = found
        chars |= first
        if not nullable:
            return chars
    return (chars, True) if chars else _NULLABLE


def _first_of(op, av, ignore_case: bool, outer_ignore_case: bool):
    if op in _ZERO_WIDTH:
        return _NULLABLE
    if ignore_case and not outer_ignore_case:
        return None  # a case-insensitive part in a case-sensitive pattern: one class cannot say it
    if op is sre.LITERAL:
        return {chr(av)}, False
    if op is sre.IN:
        chars: set[str] = set()
        for kind, value in av:
            if kind is sre.LITERAL:
                chars.add(chr(value))
            elif kind is sre.RANGE:
                chars.update(chr(code) for code in range(value[0], value[1] + 1))
            else:
                return None
        return chars, False
    if op is sre.BRANCH:
        union: set[str] = set()
        nullable = False
        for alternative in av[1]:
            found = _first_chars(alternative, ignore_case, outer_ignore_case)
            if found is None:
                return None
            if found is _NULLABLE:
                nullable = True
                continue
            union |= found[0] if isinstance(found, tuple) else found
            nullable = nullable or isinstance(found, tuple)
        return (union, nullable) if union else _NULLABLE
    if op is sre.SUBPATTERN:
        _group, add_flags, del_flags, items = av
        inner = (ignore_case or bool(add_flags & re.IGNORECASE)) and not del_flags & re.IGNORECASE
        found = _first_chars(items, inner, outer_ignore_case)
    elif op is sre.ATOMIC_GROUP:
        found = _first_chars(av, ignore_case, outer_ignore_case)
    elif op in _REPEATS:
        low, _high, items = av
        found = _first_chars(items, ignore_case, outer_ignore_case)
        if found is not None and found is not _NULLABLE and low == 0:
            return (found[0] if isinstance(found, tuple) else found), True
    else:
        return None
    if found is None or found is _NULLABLE:
        return found
    return (found[0], True) if isinstance(found, tuple) else (found, False)


def _opens_plainly(items) -> bool:
    """The pattern starts with a literal or a class in every alternative (re's own start-of-match shortcut)."""
    op, av = items[0]
    if op in (sre.LITERAL, sre.IN):
        return True
    if op is sre.BRANCH:
        return all(alternative and _opens_plainly(list(alternative)) for alternative in av[1])
    if op is sre.SUBPATTERN and not av[1] and not av[2]:
        return bool(av[3]) and _opens_plainly(list(av[3]))
    return False


def first_char_guarded(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The same pattern with `(?=[c...])` in front, where it does not open with a literal or class (a look-around,
    \\b, an optional part) and every match starts with one of a known set of characters; the pattern itself
    otherwise. Same matches, spans and groups."""
    parsed = list(_parser.parse(pattern.pattern, pattern.flags))
    if not parsed or _opens_plainly(parsed):
        return pattern  # re already skips ahead to a literal or class the pattern starts with
    ignore_case = bool(pattern.flags & re.IGNORECASE)
    found = _first_chars(parsed, ignore_case, ignore_case)
    if found is None or found is _NULLABLE or isinstance(found, tuple) or len(found) > 200:
        return pattern
    chars = "".join(sorted(re.escape(char) if char not in "-]\\^" else "\\" + char for char in found))
    try:
        return re.compile(f"(?=[{chars}])(?:{pattern.pattern})", pattern.flags)
    except re.error:  # inline global flags ("(?i)...") must open the pattern: leave it as it is
        return pattern
