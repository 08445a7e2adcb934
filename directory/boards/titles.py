"""License titles as data (``directory/data/titles.toml``): a board's title or a site's post-nominal -> LicenseClass.

One reading for both sides, so "LPC" means the same on an Illinois roster and on a site serving Illinois (the
provisional tier there), and "CHIROPRACTIC PHYSICIAN" is never a physician. The order of reading is documented
at the top of titles.toml.
"""

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from directory.errors import KapdirError
from directory.vocab import LicenseClass

if TYPE_CHECKING:
    from directory.boards.registry import SourceInfo

TITLES_FILE = Path(__file__).resolve().parent.parent / "data" / "titles.toml"
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class _Titles:
    states: dict[str, dict[str, LicenseClass]]
    tiers: dict[str, LicenseClass]
    exclusions: tuple[re.Pattern, ...]
    keywords: tuple[tuple[re.Pattern, LicenseClass], ...]


def norm_title(raw: str) -> str:
    return _SPACES.sub(" ", raw.strip().strip('"').upper())


@lru_cache(maxsize=1)
def _titles() -> _Titles:
    try:
        data = tomllib.loads(TITLES_FILE.read_text(encoding="utf-8"))
        return _Titles(
            states={state.upper(): {norm_title(k): LicenseClass(v) for k, v in table.items()}
                    for state, table in data.get("states", {}).items()},
            tiers={norm_title(k): LicenseClass(v) for k, v in data.get("tiers", {}).items()},
            exclusions=tuple(re.compile(p, re.IGNORECASE) for p in data["exclusions"]),
            keywords=tuple((re.compile(p, re.IGNORECASE), LicenseClass(c)) for p, c in data["keywords"]),
        )
    except (OSError, tomllib.TOMLDecodeError, KeyError, ValueError, re.error) as exc:
        raise KapdirError(f"cannot read {TITLES_FILE}: {exc}") from exc


def _single_state(info: "SourceInfo | None") -> str | None:
    if info is not None and len(info.states) == 1 and info.states[0] != "*":
        return info.states[0]
    return None


def classify_title(info: "SourceInfo | None", title: str | None, state: str | None = None) -> LicenseClass:
    """The board's title (or type code) as a LicenseClass. ``state`` defaults to the source's one state."""
    if not title:
        return LicenseClass.OTHER
    titles = tuple(sorted((info.titles if info is not None else {}).items()))
    return _classify(titles, title, (state or _single_state(info) or "").upper())


@lru_cache(maxsize=8192)  # rosters repeat a few hundred titles millions of times
def _classify(source_titles: tuple[tuple[str, str], ...], title: str, state: str) -> LicenseClass:
    word = norm_title(title)
    table = _titles()
    if word in table.states.get(state, {}):
        return table.states[state][word]
    if word in table.tiers:
        return table.tiers[word]
    own = dict(source_titles)
    if word in own:
        return LicenseClass(own[word])
    if any(pattern.search(word) for pattern in table.exclusions):
        return LicenseClass.OTHER
    for pattern, license_class in table.keywords:
        if pattern.search(word):
            return license_class
    return LicenseClass.OTHER


@lru_cache(maxsize=4096)
def tier_class(title: str | None, state: str | None) -> LicenseClass | None:
    """What a title means by the tier tables alone (the state's, then the common tiers); None if they are silent.

    Used on a site's post-nominal in the state of a claim ("LPC" for Illinois is the provisional tier)."""
    if not title:
        return None
    word = norm_title(title)
    table = _titles()
    return table.states.get((state or "").upper(), {}).get(word) or table.tiers.get(word)


@lru_cache(maxsize=4096)
def is_other_profession(title: str | None) -> bool:
    """A title of another profession that borrows a health word ("CHIROPRACTIC PHYSICIAN")."""
    return bool(title) and any(pattern.search(norm_title(title)) for pattern in _titles().exclusions)
