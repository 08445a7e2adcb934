"""The registry of license sources, read from ``directory/data/sources.toml`` (coverage lives only there).

``coverage(state, license_class)`` answers "which sources could confirm this?"; ``all_sources()`` lists them
all. The verification engine and ``kapdir boards list`` both read coverage through here.
"""

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from directory.boards import titles
from directory.errors import KapdirError
from directory.vocab import LicenseClass, LicenseStatus, RecordKind

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SOURCES_FILE = DATA_DIR / "sources.toml"
ROSTERS_DIR = DATA_DIR / "rosters"
METHODS = ("roster", "lookup", "manual")
ALL = "*"


@dataclass(frozen=True)
class SourceInfo:
    name: str
    adapter: str
    method: str  # roster | lookup | manual
    kind: str  # RecordKind of its records
    record_kinds: tuple[str, ...]
    states: tuple[str, ...]  # ("*",) = national
    license_classes: tuple[str, ...]  # ("*",) = any
    public_url: str
    citation: str
    notes: str = ""
    status_words: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    titles: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    options: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def manual(self) -> bool:
        return self.method == "manual"

    def covers(self, state: str, license_class: str | None = None) -> bool:
        state_ok = ALL in self.states or state.upper() in self.states
        class_ok = license_class is None or ALL in self.license_classes or license_class in self.license_classes
        return state_ok and class_ok

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "kind": self.kind, "record_kinds": list(self.record_kinds), "method": self.method,
            "manual": self.manual, "states": list(self.states), "license_classes": list(self.license_classes),
            "public_url": self.public_url, "citation": self.citation, "notes": self.notes,
        }


@dataclass(frozen=True)
class _Table:
    sources: dict[str, SourceInfo]
    default_status_words: dict[str, str]


def _expand_classes(values: list[str], health: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        out.extend(health if value == "*health" else [value])
    return tuple(out)


@lru_cache(maxsize=1)
def _table() -> _Table:
    try:
        data = tomllib.loads(SOURCES_FILE.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise KapdirError(f"cannot read {SOURCES_FILE}: {exc}") from exc
    health = data["health_classes"]
    known = {"adapter", "method", "kind", "record_kinds", "states", "license_classes", "public_url", "citation",
             "notes", "status_words", "titles"}
    sources = {}
    for name, entry in data["sources"].items():
        sources[name] = SourceInfo(
            name=name,
            adapter=entry["adapter"],
            method=entry["method"],
            kind=entry["kind"],
            record_kinds=tuple(entry.get("record_kinds", [entry["kind"]])),
            states=tuple(s.upper() if s != ALL else s for s in entry["states"]),
            license_classes=_expand_classes(entry["license_classes"], health),
            public_url=entry["public_url"],
            citation=entry["citation"],
            notes=entry.get("notes", ""),
            status_words={k.upper(): v for k, v in entry.get("status_words", {}).items()},
            titles={k.upper(): v for k, v in entry.get("titles", {}).items()},
            options={k: v for k, v in entry.items() if k not in known},
        )
    defaults = {k.upper(): v for k, v in data["default_status_words"].items()}
    return _Table(sources=sources, default_status_words=defaults)


def all_sources() -> list[SourceInfo]:
    """Every source in sources.toml, in file order."""
    return list(_table().sources.values())


def get_source(name: str) -> SourceInfo:
    """The source called ``name``; a one-line KapdirError naming the known ones otherwise."""
    try:
        return _table().sources[name]
    except KeyError:
        known = ", ".join(_table().sources)
        raise KapdirError(f"unknown source {name!r} (known: {known})") from None


def coverage(state: str, license_class: str | None = None) -> list[SourceInfo]:
    """Sources that could hold a record for this state and license class (national ones included).

    Manual sources are included (they say where to check by hand); the caller looks at ``method``.
    """
    return [info for info in all_sources() if info.covers(state, license_class)]


_SPACES = re.compile(r"\s+")


def _norm_word(raw: str) -> str:
    return _SPACES.sub(" ", raw.strip().strip('"').upper())


def normalise_status(info: SourceInfo, raw: str | None) -> LicenseStatus:
    """The source's raw status words as a LicenseStatus; unknown words are ``unknown``, never active."""
    if not raw:
        return LicenseStatus.UNKNOWN
    if info.name in _table().sources and _table().sources[info.name] is info:
        return _status(info.name, raw)
    return _status_from(info.status_words, raw)  # a SourceInfo built elsewhere (tests): not cached


@lru_cache(maxsize=4096)  # a roster repeats a handful of status words millions of times
def _status(source: str, raw: str) -> LicenseStatus:
    return _status_from(_table().sources[source].status_words, raw)


def _status_from(words: dict[str, str], raw: str) -> LicenseStatus:
    word = _norm_word(raw)
    value = words.get(word) or _table().default_status_words.get(word)
    return LicenseStatus(value) if value else LicenseStatus.UNKNOWN


def classify_title(info: SourceInfo | None, title: str | None, state: str | None = None) -> LicenseClass:
    return titles.classify_title(info, title, state)  # titles as data: directory/boards/titles.py


def record_kinds() -> set[str]:
    return {kind.value for kind in RecordKind}


def status_values() -> set[str]:
    return {status.value for status in LicenseStatus}
