"""Personal names: parse once (nameparser), compare by normalised keys."""

import re
import unicodedata
from dataclasses import dataclass

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
