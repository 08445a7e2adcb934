"""The common shape of every license source: declarative attributes, ``sync()`` and/or ``lookup()``.

An adapter reads one source exactly as it publishes (format, paging, status words, dates) and yields
``NormalRecord``s, which map one to one onto ``directory.models.LicenseRecord``. Storage, removal and the
sync log are not the adapter's business (see ``directory.boards.store``).
"""

import hashlib
import importlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any, ClassVar

from nameparser.config import CONSTANTS

from directory.boards.registry import SourceInfo, classify_title, get_source, normalise_status
from directory.errors import SourceError
from directory.names import name_key, parse_name
from directory.settings import Settings, get_settings
from directory.timeutil import utcnow
from directory.vocab import LicenseClass, LicenseStatus, RecordKind


@dataclass
class NormalRecord:
    """One record as a source states it, normalised; fields are LicenseRecord's."""

    source: str
    record_key: str
    holder_name: str
    kind: str = RecordKind.LICENSE
    state: str | None = None
    home_state: str | None = None
    license_class: str | None = None
    title_raw: str | None = None
    license_number: str | None = None
    given_name: str | None = None
    middle_name: str | None = None
    family_name: str | None = None
    suffix: str | None = None
    family_key: str | None = None
    given_key: str | None = None
    status: str = LicenseStatus.UNKNOWN
    status_raw: str | None = None
    issue_date: date | None = None
    expiry_date: date | None = None
    discipline: bool = False
    discipline_text: str | None = None
    multistate: bool | None = None
    npi: str | None = None
    city: str | None = None
    address_state: str | None = None
    source_url: str | None = None
    fetched_at: datetime = field(default_factory=utcnow)
    source_as_of: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    row_hash: bytes | None = None  # set by the store: the hash of the raw row(s) this record was built from

    def as_row(self) -> dict[str, Any]:
        """The LicenseRecord columns (a shallow copy: ``asdict`` would deep-copy ``raw`` for every row)."""
        return {name: getattr(self, name) for name in _FIELDS}


_FIELDS = tuple(f.name for f in fields(NormalRecord))


@dataclass(frozen=True)
class LookupQuery:
    """One clinician to look up: a name, the state of the claim, and (optionally) the license class."""

    name: str
    state: str
    license_class: str | None = None

    @property
    def key(self) -> str:
        """Stable cache key: normalised family and given name, state, class."""
        parsed = parse_name(self.name)
        return f"{parsed.family_key}|{parsed.given_key}|{self.state.upper()}|{self.license_class or '*'}"


_SIMPLE_NAME = re.compile(r"^[A-Za-z]+(?: [A-Za-z]\.?| [A-Za-z]{2,})? [A-Za-z]+$")
# Words nameparser treats specially (titles, suffixes, particles, conjunctions): a name holding one is parsed by
# nameparser itself, so both paths agree.
_NOT_SIMPLE = frozenset(
    word.lower().replace(".", "")
    for group in (CONSTANTS.titles, CONSTANTS.suffix_acronyms, CONSTANTS.suffix_not_acronyms, CONSTANTS.prefixes,
                  CONSTANTS.conjunctions)
    for word in group
)


_ROMAN = re.compile(r"^(?=[mdclxvi])m*(c[md]|d?c*)(x[cl]|l?x*)(i[xv]|v?i*)$")


def split_name(text: str) -> tuple[str, str, str, str]:
    """(given, middle, family, suffix). A fast path for plain 'FIRST [M] LAST' (millions of roster rows): single
    spaces, letters only, no word nameparser treats specially; everything else goes through nameparser via
    directory.names.parse_name."""
    if _SIMPLE_NAME.match(text):
        parts = text.split(" ")
        # A one-letter middle initial is always a middle name to nameparser, even 'E' (a conjunction) or 'V' (a
        # numeral): only longer middle names are checked.
        if _plain_word(parts[0]) and _plain_word(parts[-1]) and (
                len(parts) == 2 or len(parts[1].rstrip(".")) == 1 or _plain_word(parts[1])):
            if len(parts) == 2:
                return parts[0], "", parts[1], ""
            return parts[0], parts[1], parts[2], ""
    parsed = parse_name(text)
    return parsed.given, parsed.middle, parsed.family, parsed.suffix


@lru_cache(maxsize=65536)  # given and family names repeat across a roster's rows
def _plain_word(word: str) -> bool:
    """Not a word nameparser reads specially (a title, suffix, particle, conjunction or Roman numeral)."""
    word = word.lower()
    return word not in _NOT_SIMPLE and not _ROMAN.match(word)


_key = lru_cache(maxsize=65536)(name_key)  # the name keys of names that repeat across a roster's rows


def names_from_parts(given: str | None, middle: str | None, family: str | None, suffix: str | None = None) -> dict:
    """Name columns for a source that publishes first/middle/last separately."""
    given, middle, family, suffix = (clean(given), clean(middle), clean(family), clean(suffix))
    holder = " ".join(p for p in (given, middle, family) if p)
    if suffix:
        holder = f"{holder} {suffix}"
    return {
        "holder_name": holder, "given_name": given or None, "middle_name": middle or None,
        "family_name": family or None, "suffix": suffix or None,
        "given_key": _key(given) or None, "family_key": _key(family) or None,
    }


def names_from_text(text: str) -> dict:
    """Name columns for a source that publishes one name field ('FIRST M LAST' or 'LAST, FIRST M')."""
    text = clean(text)
    given, middle, family, suffix = split_name(text)
    return {
        "holder_name": text, "given_name": given or None, "middle_name": middle or None,
        "family_name": family or None, "suffix": suffix or None,
        "given_key": _key(given) or None, "family_key": _key(family) or None,
    }


def clean(value: Any) -> str:
    """A cell as text: stripped, stray quotes removed (the FL file is unquoted and carries '"DE' suffixes)."""
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    if '"' not in text:  # the common case, a third of the work (millions of cells per roster)
        return text.strip()
    return text.strip().strip('"').strip()


_DATE_FORMATS = ("%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%m/%d/%Y", "%Y%m%d", "%m/%d/%y")


_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:$|T)")
_US = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")


def parse_date(value: Any, formats: tuple[str, ...] = _DATE_FORMATS) -> date | None:
    """A source's date in one of its known formats; None for empty values and the LEIE '00000000' sentinel."""
    text = clean(value)
    if not text or set(text) <= {"0", "/", "-"}:
        return None
    # Fast paths for the two commonest shapes (strptime dominates a million-row sync otherwise).
    iso = _ISO.match(text)
    if iso and any(f.startswith("%Y-%m-%d") for f in formats):
        try:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            return None
    us_date = _US.match(text)
    if us_date and "%m/%d/%Y" in formats:
        try:
            return date(int(us_date[3]), int(us_date[1]), int(us_date[2]))
        except ValueError:
            return None
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def stable_key(*parts: Any) -> str:
    """A record key for sources without an id of their own (e.g. LEIE): a short hash of the identifying cells."""
    joined = "|".join(clean(p).upper() for p in parts)
    return hashlib.sha1(joined.encode()).hexdigest()[:20]


ADAPTERS: dict[str, type["Source"]] = {}  # adapter key -> class, filled as the classes are defined


class Source:
    """Base class of every adapter. Subclasses set ``adapter`` (the key sources.toml names) and implement ``sync``
    and/or ``lookup``; a class without ``adapter`` is a shared base, not registered.

    ``options``: the extra sources.toml keys the adapter reads, with their types (the typed spec rejects others).
    ``per_person``: a look-up asked once per person, whatever the state and class of the claim (NPI).
    ``base_url`` defaults to settings.source_urls[name], then the public URL in sources.toml; a source with
    neither is "not configured" and is never fetched.
    """

    name: ClassVar[str] = ""
    adapter: ClassVar[str] = ""
    options: ClassVar[dict[str, type | tuple[type, ...]]] = {}
    per_person: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        key = cls.__dict__.get("adapter")
        if key:
            if key in ADAPTERS and ADAPTERS[key] is not cls:
                raise TypeError(f"two adapters claim the key {key!r}: {ADAPTERS[key].__name__}, {cls.__name__}")
            ADAPTERS[key] = cls

    def __init__(self, *, base_url: str | None = None, settings: Settings | None = None, timeout: float | None = None,
                 page_size: int | None = None, info: SourceInfo | None = None):
        self.settings = settings or get_settings()
        self.info = info or get_source(self.name)
        self.base_url = (base_url or self.settings.source_urls.get(self.info.name) or self.info.public_url).rstrip("/")
        if not self.base_url:
            raise SourceError(f"{self.info.name}: not configured (no default URL: set its URL in "
                              f"KAPDIR_SOURCE_URLS, see docs/sources.md)")
        self.timeout = timeout if timeout is not None else self.settings.board_timeout_s
        self.page_size = page_size
        self.as_of: datetime | None = None  # the source's own as-of date, known once sync() has started

    # --- what adapters implement -----------------------------------------------------------------------

    def sync(self) -> Iterator[NormalRecord]:
        raise SourceError(f"{self.info.name} has no roster to sync (method {self.info.method})")

    # --- a roster before normalisation (the store skips unchanged rows by their hash) ------------------------
    # ``units()`` yields (content, unit): the raw row(s) of one record as bytes, and what ``normalise(unit)`` turns
    # into records. The default unit is a normalised record itself (no work is skipped, but the sync stays
    # incremental); roster adapters override both so that an unchanged row is never normalised.

    def units(self) -> Iterator[tuple[bytes, Any]]:
        for record in self.sync():
            row = record.as_row()
            for name in ("fetched_at", "source_as_of", "row_hash"):  # set per sync, not the source's content
                row.pop(name)
            yield json.dumps(row, sort_keys=True, default=str).encode(), record

    def normalise(self, unit: Any) -> Iterator[NormalRecord]:
        yield unit

    def content_key(self) -> bytes:
        """The key row hashes are taken with: the source's name and settings (status words, titles, options) and
        the normalising code itself, so a change to any of them makes every row look new once (re-normalised)."""
        mapping = getattr(self, "mapping", None)
        parts = (self.info.name, type(self).__module__, type(self).__qualname__, repr(self.info), repr(mapping),
                 _code_digest(type(self).__module__))
        return hashlib.blake2b("\x00".join(parts).encode(), digest_size=64).digest()

    def lookup(self, queries: list[LookupQuery]) -> Iterator[tuple[LookupQuery, NormalRecord]]:
        raise SourceError(f"{self.info.name} has no look-up (method {self.info.method})")

    def unchanged_since(self, as_of: datetime) -> bool:
        """True when the source says nothing changed since ``as_of`` (then a sync need not download it).
        Sources that cannot tell answer False."""
        return False

    # --- live checks (``kapdir boards check``) -------------------------------------------------------------

    # Raw fields (dotted for nested objects) the adapter reads: one missing from a live answer = format changed.
    fields_expected: ClassVar[frozenset[str]] = frozenset()
    # Every raw field the evidence shows: any other field in a live answer is reported as unknown (empty: unchecked).
    fields_known: ClassVar[frozenset[str]] = frozenset()
    probe_name: ClassVar[str] = "Mary Smith"  # the name a look-up source is asked in a live check

    def probe_query(self) -> LookupQuery:
        state = next((s for s in self.info.states if s != "*"), "VA")
        return LookupQuery(self.probe_name, state, None)

    def check_records(self, limit: int) -> Iterator[NormalRecord]:
        """A handful of real records: the first rows of a roster, or the answer to one probe look-up."""
        if self.info.method == "roster":
            self.page_size = limit
            source = self.sync()
        else:
            source = (record for _query, record in self.lookup([self.probe_query()]))
        for count, record in enumerate(source, start=1):
            yield record
            if count >= limit:
                return

    def raw_fields(self, record: NormalRecord) -> set[str]:
        return flat_keys(record.raw)


    # --- helpers for adapters --------------------------------------------------------------------------

    def status(self, raw: str | None) -> LicenseStatus:
        return normalise_status(self.info, raw)

    def license_class(self, title: str | None) -> LicenseClass:
        return self.memo(("class", title), lambda: classify_title(self.info, title))

    MEMO_SIZE: ClassVar[int] = 4096

    def memo(self, key: tuple, compute: Any) -> Any:
        """``compute()``, remembered under ``key`` for this adapter's settings (``info``, which a caller may
        replace): a roster repeats a few hundred titles and status words millions of times. Bounded: a roster of
        ever new words only recomputes."""
        if self.__dict__.get("_memo_info") is not self.info:
            self._memo_info, self._memo = self.info, {}
        try:
            return self._memo[key]
        except KeyError:
            if len(self._memo) >= self.MEMO_SIZE:
                self._memo.clear()
            value = self._memo[key] = compute()
            return value

    def record(self, *, record_key: str, names: dict, **fields: Any) -> NormalRecord:
        """Build a NormalRecord with this source's name and as-of date; status from status_raw."""
        status_raw = fields.get("status_raw")
        if "status" not in fields:
            fields["status"] = self.status(status_raw)
        if "license_class" not in fields and fields.get("title_raw"):
            fields["license_class"] = self.license_class(fields["title_raw"])
        fields.setdefault("source_as_of", self.as_of)
        return NormalRecord(source=self.info.name, record_key=record_key, **names, **fields)


# Modules and data whose change alters how raw rows are normalised (with the adapter's own module).
_NORMALISING = ("directory.boards.base", "directory.boards.dates", "directory.boards.registry",
                "directory.boards.titles", "directory.names", "directory.vocab")


@lru_cache(maxsize=32)
def _code_digest(module: str) -> str:
    import nameparser

    from directory.boards.registry import DATA_DIR

    digest = hashlib.blake2b(nameparser.__version__.encode())
    for name in (*_NORMALISING, module):
        digest.update(Path(importlib.import_module(name).__file__).read_bytes())
    for data in sorted(DATA_DIR.glob("*.toml")):
        digest.update(data.read_bytes())
    return digest.hexdigest()


def row_content(row: dict[str, Any]) -> bytes:
    """A raw row (a JSON object or a CSV row as a dict) as bytes for its hash: keys and values in the source's
    order (a source that reorders its columns makes every row look new once, which is only slower). Text-only
    rows are joined with a separator (5x cheaper than ``repr``) unless a cell holds the separator itself."""
    try:
        text = "\x1f".join(chain.from_iterable(row.items()))
    except TypeError:  # a nested object or a number: not text
        return b"r" + repr(row).encode("utf-8", "surrogatepass")
    if text.count("\x1f") != 2 * len(row) - 1:
        return b"r" + repr(row).encode("utf-8", "surrogatepass")
    return b"j" + text.encode("utf-8", "surrogatepass")


def flat_keys(value: Any, prefix: str = "", depth: int = 2) -> set[str]:
    """Keys of a raw record, nested objects as 'outer.inner' (lists of objects: their items' keys)."""
    keys: set[str] = set()
    if isinstance(value, list):
        for item in value:
            keys |= flat_keys(item, prefix, depth)
        return keys
    if not isinstance(value, dict):
        return keys
    for key, inner in value.items():
        name = f"{prefix}{key}"
        keys.add(name)
        if depth > 1 and isinstance(inner, dict | list):
            keys |= flat_keys(inner, f"{name}.", depth - 1)
    return keys
