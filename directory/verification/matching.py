"""Is this board record the clinician the website names? Name scoring and indexed candidate look-ups.

A site writes "Bill Smith-Jones, LPC"; the board writes "SMITH-JONES, WILLIAM R". Names are compared part by
part (nicknames from nicknames.csv, initials, middle names, generational suffixes, hyphenated and changed
surnames, typos scored with rapidfuzz). Candidates are fetched by indexed columns only (state + family_key,
license_number, npi) so a look-up stays fast against a million roster rows.
"""

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from rapidfuzz import fuzz
from sqlalchemy import and_, bindparam, select
from sqlmodel import Session

from directory.models import Clinician, LicenseRecord
from directory.names import name_key, parse_name

NICKNAMES_FILE = Path(__file__).with_name("nicknames.csv")
PLAUSIBLE = 0.8  # a name score at or above this makes a record a candidate for the clinician
GENERATIONAL = frozenset({"jr", "sr", "ii", "iii", "iv", "v"})
_PARTS = re.compile(r"[\s\-]+")


@lru_cache
def nickname_groups() -> dict[str, frozenset[int]]:
    """name key -> ids of the nickname groups it belongs to (a nickname may belong to several)."""
    groups: dict[str, set[int]] = {}
    with NICKNAMES_FILE.open(encoding="utf-8") as handle:
        rows = [row for row in csv.reader(handle) if row and not row[0].startswith("#")]
    for group_id, row in enumerate(rows):
        for name in row:
            groups.setdefault(name_key(name), set()).add(group_id)
    return {name: frozenset(ids) for name, ids in groups.items()}


def same_given_name(a: str, b: str) -> bool:
    """Nickname-equivalent given-name keys (Bill ~ William, Beth ~ Elizabeth, Kate ~ Katherine)."""
    if a == b:
        return True
    groups = nickname_groups()
    return bool(groups.get(a, frozenset()) & groups.get(b, frozenset()))


@dataclass(frozen=True)
class PersonName:
    given: str
    middle: str
    family: str
    suffix: str  # generational only (Jr, III); post-nominals are not part of a name

    @cached_property
    def given_key(self) -> str:
        return name_key(self.given)

    @cached_property
    def middle_key(self) -> str:
        return name_key(self.middle)

    @cached_property
    def family_key(self) -> str:
        return name_key(self.family)

    @cached_property
    def suffix_key(self) -> str:
        return name_key(self.suffix)

    @cached_property
    def family_parts(self) -> frozenset[str]:
        """'Smith-Jones' -> {smithjones, smith, jones}: either half of a hyphenated surname may be used."""
        parts = {name_key(part) for part in _PARTS.split(self.family) if part}
        return frozenset({self.family_key} | parts) - {""}

    @cached_property
    def surnames_with_middle(self) -> frozenset[str]:
        """The surname joined to the whole middle name or to its last word: a first surname the parse read as a
        middle name ("Jose Luis Garcia Lopez" may be GARCIA LOPEZ, JOSE LUIS at the board)."""
        if not self.middle:
            return frozenset()
        return frozenset({name_key(self.middle + self.family), name_key(self.middle.split()[-1] + self.family)})

    def query_keys(self) -> frozenset[str]:
        """Family keys to look a record up by: the surname, its halves, a middle name used as a former surname
        ("Jane Smith Roe" may still be "Jane Smith" at the board) and the surname joined to middle words."""
        keys = set(self.family_parts)
        if len(self.middle_key) > 1:
            keys.add(self.middle_key)
            keys |= self.surnames_with_middle
        return frozenset(keys) - {""}


def _person(given: str | None, middle: str | None, family: str | None, suffix: str | None) -> PersonName:
    suffix_key = name_key(suffix)
    return PersonName(
        given=(given or "").strip(),
        middle=(middle or "").strip(),
        family=(family or "").strip(),
        suffix=suffix_key if suffix_key in GENERATIONAL else "",
    )


def person_from_text(text: str) -> PersonName:
    parsed = parse_name(text)
    if not parsed.family and parsed.suffix and name_key(parsed.suffix) not in GENERATIONAL:
        # nameparser reads a surname that looks like a numeral or title ("Mcm", "Esq") as a suffix.
        return _person(parsed.given, parsed.middle, parsed.suffix, "")
    return _person(parsed.given, parsed.middle, parsed.family, parsed.suffix)


def person_from_clinician(clinician: Clinician) -> PersonName:
    if clinician.family_name and clinician.given_name:
        return _person(clinician.given_name, clinician.middle_name, clinician.family_name, clinician.suffix)
    # Names on sites trail post-nominals ("Jane Roe, LPC, NCC"): the part before the first comma is the name.
    return person_from_text(clinician.name.split(",")[0])


def person_from_record(record: LicenseRecord) -> PersonName:
    if record.family_name:
        return _person(record.given_name, record.middle_name, record.family_name, record.suffix)
    return person_from_text(record.holder_name)


def _initial_of(short: str, long: str) -> bool:
    return len(short) == 1 and long.startswith(short)


def family_score(site: PersonName, record: PersonName) -> float:
    if not site.family_key or not record.family_key:
        return 0.0
    if site.family_key == record.family_key:
        return 1.0
    if site.family_parts & record.family_parts:
        return 0.95  # one half of a hyphenated name
    if site.middle_key and len(site.middle_key) > 1 and site.middle_key in record.family_parts:
        return 0.9  # the board still has the former surname the site shows as a middle name
    ratio = fuzz.ratio(site.family_key, record.family_key)
    return ratio / 100 * 0.9 if ratio >= 88 else 0.0


def _double_given_name(site: PersonName, record: PersonName) -> bool:
    """A double given name written in one word on one side: "Ann Marie" and "ANNMARIE"."""
    return (site.given_key + site.middle_key == record.given_key
            or record.given_key + record.middle_key == site.given_key)


def given_score(site: PersonName, record: PersonName) -> float:
    a, b = site.given_key, record.given_key
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if _double_given_name(site, record):
        return 0.95
    if same_given_name(a, b):
        return 0.95
    if _initial_of(a, b) or _initial_of(b, a):
        return 0.8
    if record.middle_key and (a == record.middle_key or same_given_name(a, record.middle_key)):
        return 0.85  # goes by the middle name: "J. Michael Roe" on the board, "Michael Roe" on the site
    # Typos only ("Kathrine"): short names that differ by a letter are usually different names (Jane, Janet).
    ratio = fuzz.ratio(a, b)
    return ratio / 100 * 0.85 if ratio >= 90 and min(len(a), len(b)) >= 5 else 0.0


def _middle_factor(site: PersonName, record: PersonName) -> float:
    a, b = site.middle_key, record.middle_key
    if not a or not b or a == b or _initial_of(a, b) or _initial_of(b, a) or same_given_name(a, b):
        return 1.0  # "J. Alex Rivera" on the site, "John Alexander Rivera" on the board
    if {name_key(word) for word in site.middle.split()} & {name_key(word) for word in record.middle.split()}:
        return 1.0  # "Jose Luis Garcia Lopez" read as middle "Luis Garcia": the same middle name "Luis"
    if a in record.family_parts or b == site.given_key:
        return 1.0  # a former surname, or a given name the board lists as middle
    return 0.6  # two different middle names: most likely two different people


def name_score(site: PersonName, record: PersonName) -> float:
    """0..1: how likely the two names denote the same person (>= PLAUSIBLE: a candidate)."""
    family = family_score(site, record)
    given = given_score(site, record)
    if family == 0.0 or given == 0.0:
        return 0.0
    score = (family + given) / 2 * _middle_factor(site, record)
    if site.suffix and record.suffix and site.suffix != record.suffix:
        score *= 0.5  # Jr. and Sr. are father and son
    return round(score, 3)


_TABLE = LicenseRecord.__table__
_LIVE = _TABLE.c.removed_at.is_(None)


def _rows(session: Session, *conditions) -> list[LicenseRecord]:
    """Records as light rows (column attributes, no ORM identity map): verification only reads them."""
    return list(session.execute(select(_TABLE).where(_LIVE, *conditions)))


# Built once, run with parameters: the statement is compiled once and cached (thousands of look-ups a run).
_BY_NAME = select(_TABLE).where(
    _LIVE,
    _TABLE.c.state.in_(bindparam("states", expanding=True)),
    _TABLE.c.family_key.in_(bindparam("keys", expanding=True)),
)


def records_by_name(session: Session, person: PersonName, states: Iterable[str]) -> list[LicenseRecord]:
    """Records in these states whose family key matches one of the person's keys (index: state, family_key).

    When no surname matches exactly, falls back to a same-prefix range (still indexed) of similar length so a
    typo in the roster ("Smtih") can be scored by the fuzzy comparison.
    """
    states = sorted(set(states))
    keys = sorted(person.query_keys())
    if not states or not keys:
        return []
    found = list(session.execute(_BY_NAME, {"states": states, "keys": keys}))
    if found or len(person.family_key) < 4:
        return found
    prefix = person.family_key[:4]
    near = _rows(
        session,
        _TABLE.c.state.in_(states),
        and_(_TABLE.c.family_key >= prefix, _TABLE.c.family_key < prefix + "{"),
    )
    return [r for r in near if abs(len(r.family_key or "") - len(person.family_key)) <= 2]


def watch_keys(person: PersonName, states: Iterable[str], by_name: list, npi: str | None,
               numbers: Iterable[str]) -> set[str]:
    """The look-up keys of one clinician's records (see ``record_keys``): a new or changed record under one of
    them could join the candidates. ``by_name`` is what ``records_by_name`` returned: the prefix range counts
    only when it was used (no exact surname found)."""
    states, keys = sorted(set(states)), person.query_keys()
    watch = {f"name:{state}:{key}" for state in states for key in keys}
    if len(person.family_key) >= 4 and not any(r.family_key in keys for r in by_name):
        watch |= {f"prefix:{state}:{person.family_key[:4]}" for state in states}
    if npi:
        watch.add(f"npi:{npi}")
    watch |= {f"number:{v}" for n in numbers if n for v in (n, n.upper(), normalise_number(n))}
    return watch


def record_keys(record, family_kinds: frozenset[str]) -> set[str]:
    """The keys under which the look-ups above find a record: (state, family_key), its surname prefix, its NPI and
    license number, and for national lists (exclusions, PSYPACT: ``family_kinds``) every part of its surname."""
    keys: set[str] = set()
    if record.state and record.family_key:
        keys.add(f"name:{record.state}:{record.family_key}")
        if len(record.family_key) >= 4:
            keys.add(f"prefix:{record.state}:{record.family_key[:4]}")
    if record.npi:
        keys.add(f"npi:{record.npi}")
    if record.license_number:
        keys.add(f"number:{record.license_number}")
    if record.kind in family_kinds:
        keys |= {f"family:{part}" for part in person_from_record(record).family_parts}
    return keys


def records_by_number(session: Session, numbers: Iterable[str]) -> list[LicenseRecord]:
    numbers = sorted({n for n in numbers if n})
    if not numbers:
        return []
    variants = sorted({v for n in numbers for v in (n, n.upper(), normalise_number(n))})
    return _rows(session, _TABLE.c.license_number.in_(variants))


def records_by_npi(session: Session, npi: str | None) -> list[LicenseRecord]:
    if not npi:
        return []
    return _rows(session, _TABLE.c.npi == npi)


def normalise_number(number: str | None) -> str:
    """'LPC.0012345' and 'lpc 12345' compare on their alphanumerics, leading zeros of the digits dropped."""
    if not number:
        return ""
    text = re.sub(r"[^A-Za-z0-9]", "", number).upper()
    return re.sub(r"(?<![0-9])0+(?=[0-9])", "", text)


def numbers_match(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    na, nb = normalise_number(a), normalise_number(b)
    if na == nb:
        return True
    digits_a, digits_b = re.sub(r"\D", "", na), re.sub(r"\D", "", nb)
    return bool(digits_a) and digits_a == digits_b and len(digits_a) >= 4


def full_name_match(site: PersonName, record: PersonName) -> bool:
    """The same person's name written in full on both sides: the same given name (not an initial, nickname or
    middle name), the same surname (or a half or former surname of it), no conflicting middle name or suffix.
    Anything looser is a name-only match that can never on its own give a pass."""
    if len(site.given_key) < 2 or not (site.given_key == record.given_key or _double_given_name(site, record)):
        return False
    if family_score(site, record) < 0.9:  # exact, a hyphenated half or a former surname; a typo is looser
        return False
    if _middle_factor(site, record) < 1.0:
        return False
    return not (site.suffix and record.suffix and site.suffix != record.suffix)
