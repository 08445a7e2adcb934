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
    adapter: str  # the ``adapter`` key of the Source class that reads it ("manual": none)
    method: str  # roster | lookup | manual
    kind: str  # RecordKind of its records
    record_kinds: tuple[str, ...]
    states: tuple[str, ...]  # ("*",) = national
    license_classes: tuple[str, ...]  # ("*",) = any
    public_url: str  # "" = no default: the user configures it (settings.source_urls)
    citation: str
    notes: str = ""
    label: str = ""  # what a person calls it ("Nursys QuickConfirm"); the name when empty
    check_url: str = ""  # manual sources: the page where a person checks by hand
    check_what: str = ""  # manual sources: what that page can confirm ("a multistate (NLC) nursing license")
    max_bytes: int | None = None  # overrides settings.board_max_bytes
    deadline_s: float | None = None  # overrides settings.board_deadline_s
    refresh_days: int | None = None  # the source's own cadence, when a pass needs it fresher than the window
    publishes_every_days: int | None = None  # the publisher's cadence: `kapdir refresh` expects no new edition sooner
    status_words: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    titles: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    options: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def manual(self) -> bool:
        return self.method == "manual"

    @property
    def configured(self) -> bool:
        """False for a source with no default URL that the user has not pointed anywhere yet."""
        from directory.settings import get_settings

        return bool(self.public_url or get_settings().source_urls.get(self.name))

    def covers(self, state: str, license_class: str | None = None) -> bool:
        state_ok = ALL in self.states or state.upper() in self.states
        class_ok = license_class is None or ALL in self.license_classes or license_class in self.license_classes
        return state_ok and class_ok

    def check_here(self) -> str:
        """One sentence naming where a person checks this (manual) source by hand."""
        what = f" for {self.check_what}" if self.check_what else ""
        return f"Check by hand at {self.label or self.name}{what}: {self.check_url or self.public_url}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "label": self.label or self.name, "kind": self.kind,
            "record_kinds": list(self.record_kinds), "method": self.method, "manual": self.manual,
            "states": list(self.states), "license_classes": list(self.license_classes),
            "public_url": self.public_url, "check_url": self.check_url, "configured": self.configured,
            "citation": self.citation, "notes": self.notes,
        }


@dataclass(frozen=True)
class RefreshPolicy:
    """How often ``kapdir refresh`` asks the roster sources for a new edition (sources.toml ``[refresh]``)."""

    check_every_hours: float = 24.0  # a source with no publishing cadence of its own is asked this often
    retry_after_hours: float = 1.0  # after a failed sync; doubles with each failure in a row, up to check_every_hours


@dataclass(frozen=True)
class _Table:
    sources: dict[str, SourceInfo]
    default_status_words: dict[str, str]
    refresh: RefreshPolicy = RefreshPolicy()


def _expand_classes(values: list[str], health: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        out.extend(health if value == "*health" else [value])
    return tuple(out)


# The source spec: every key a [sources.X] entry may have, with its type. Keys an adapter reads for itself
# (a dataset id, a mapping file) are declared by that adapter class (Source.options); anything else is an error,
# so a typo or a dead key fails loudly instead of being ignored.
_REQUIRED: dict[str, type | tuple[type, ...]] = {
    "adapter": str, "method": str, "kind": str, "states": list, "license_classes": list, "public_url": str,
    "citation": str,
}
_OPTIONAL: dict[str, type | tuple[type, ...]] = {
    "record_kinds": list, "notes": str, "label": str, "check_url": str, "check_what": str, "max_bytes": int,
    "deadline_s": (int, float), "status_words": dict, "titles": dict, "refresh_days": int,
    "publishes_every_days": int,
}


def _spec_error(name: str, message: str) -> KapdirError:
    return KapdirError(f"{SOURCES_FILE.name} [sources.{name}]: {message}")


def _source_info(name: str, entry: dict[str, Any], health: list[str]) -> SourceInfo:
    from directory.boards.adapters import adapter_options

    for key in _REQUIRED:
        if key not in entry:
            raise _spec_error(name, f"missing {key!r}")
    for key, value in entry.items():
        kind = _REQUIRED.get(key) or _OPTIONAL.get(key)
        if kind is not None and not isinstance(value, kind):
            raise _spec_error(name, f"{key!r} must be a {getattr(kind, '__name__', kind)}")
    if entry["method"] not in METHODS:
        raise _spec_error(name, f"method {entry['method']!r} is not one of {', '.join(METHODS)}")
    allowed = {} if entry["method"] == "manual" else adapter_options(name, entry["adapter"])
    unknown = sorted(set(entry) - set(_REQUIRED) - set(_OPTIONAL) - set(allowed))
    if unknown:
        raise _spec_error(name, f"unknown key(s) {', '.join(unknown)} (adapter {entry['adapter']!r} reads "
                                f"{', '.join(sorted(allowed)) or 'no options'})")
    options = {k: v for k, v in entry.items() if k in allowed}
    for key, kind in allowed.items():
        if key in options and not isinstance(options[key], kind):
            raise _spec_error(name, f"{key!r} must be a {getattr(kind, '__name__', kind)}")
    return SourceInfo(
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
        label=entry.get("label", ""),
        check_url=entry.get("check_url", ""),
        check_what=entry.get("check_what", ""),
        max_bytes=entry.get("max_bytes"),
        deadline_s=entry.get("deadline_s"),
        refresh_days=entry.get("refresh_days"),
        publishes_every_days=entry.get("publishes_every_days"),
        status_words={k.upper(): v for k, v in entry.get("status_words", {}).items()},
        titles={k.upper(): v for k, v in entry.get("titles", {}).items()},
        options=options,
    )


@lru_cache(maxsize=1)
def _table() -> _Table:
    try:
        data = tomllib.loads(SOURCES_FILE.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise KapdirError(f"cannot read {SOURCES_FILE}: {exc}") from exc
    health = data["health_classes"]
    sources = {name: _source_info(name, entry, health) for name, entry in data["sources"].items()}
    defaults = {k.upper(): v for k, v in data["default_status_words"].items()}
    return _Table(sources=sources, default_status_words=defaults, refresh=_refresh_policy(data.get("refresh", {})))


def _refresh_policy(entry: dict[str, Any]) -> RefreshPolicy:
    known = set(RefreshPolicy.__dataclass_fields__)
    unknown = sorted(set(entry) - known)
    if unknown:
        raise KapdirError(f"{SOURCES_FILE.name} [refresh]: unknown key(s) {', '.join(unknown)} "
                          f"(known: {', '.join(sorted(known))})")
    for key, value in entry.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise KapdirError(f"{SOURCES_FILE.name} [refresh]: {key!r} must be a positive number")
    return RefreshPolicy(**{key: float(value) for key, value in entry.items()})


def refresh_policy() -> RefreshPolicy:
    """The ``[refresh]`` table of sources.toml: when ``kapdir refresh`` asks the roster sources again."""
    return _table().refresh


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


def source_label(name: str | None) -> str | None:
    """What a person calls a source ("NPPES NPI Registry"); the id itself for a source since removed."""
    if not name:
        return None
    info = _table().sources.get(name)
    return (info.label or name) if info else name


def coverage(state: str, license_class: str | None = None) -> list[SourceInfo]:
    """Sources that could hold a record for this state and license class (national ones included).

    Manual sources are included (they say where to check by hand); the caller looks at ``method``.
    """
    return [info for info in all_sources() if info.covers(state, license_class)]


def manual_checks(state: str, license_class: str | None = None) -> list[SourceInfo]:
    """Manual sources (never fetched) covering this state and class: where a person can check by hand."""
    return [info for info in coverage(state, license_class) if info.manual]


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
