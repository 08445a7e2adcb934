"""A yes/no "does this text hold any of these words?" that is fast on ordinary text and exactly the regex's answer.

Python's re tries every case-insensitive alternative at every position of a sentence (~20 us for a long word
list); on ASCII text, where re.IGNORECASE is plain ASCII lower-casing, substring tests of the lower-cased text give
the same answer in a tenth of the time. Other text (Unicode case folding differs from str.lower) uses the regex.
"""

import re


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
