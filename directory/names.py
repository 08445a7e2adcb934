"""Personal names: parse once (nameparser), compare by normalised keys."""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from nameparser import HumanName

_NON_LETTERS = re.compile(r"[^a-z]+")


def name_key(text: str | None) -> str:
    """Lower-case ASCII letters only: 'O’Brien-Smith' -> 'obriensmith'. Idempotent."""
    if not text:
        return ""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NON_LETTERS.sub("", ascii_text.lower())


@dataclass(frozen=True)
class ParsedName:
    given: str
    middle: str
    family: str
    suffix: str

    @property
    def given_key(self) -> str:
        return name_key(self.given)

    @property
    def family_key(self) -> str:
        return name_key(self.family)


def parse_name(text: str) -> ParsedName:
    """Parse 'Roe, Jane Q. Jr.' or 'Dr. Jane Q. Roe' into parts (titles dropped)."""
    human = HumanName(text.strip())
    return ParsedName(
        given=human.first.strip(),
        middle=human.middle.strip(),
        family=human.last.strip(),
        suffix=human.suffix.strip(),
    )


# --- the one person key ---------------------------------------------------------------------------


@lru_cache(maxsize=65536)  # extraction asks for every name on every page; names repeat across pages
def person_parts(name: str) -> tuple[str, str]:
    """(given, family) name keys of a person's name: 'Dr. Jane A. Roe' = 'Jane Roe' = 'Roe, Jane' ->
    ('jane', 'roe'); titles and middle names dropped. Extraction groups people with it, the store keys
    clinicians with it (``person_key``): one parser, so the two never disagree about who is the same person."""
    parsed = parse_name(name)
    return parsed.given_key, parsed.family_key


def person_key(name: str) -> str:
    """The stable key of a person within a practice ('jane-roe'); a name that does not parse keys as a whole."""
    given, family = person_parts(name)
    if given and family:
        return f"{given}-{family}"
    return name_key(name)
