"""Load the sample world from ``world.toml`` (strictly validated) and generate large synthetic worlds.

``world.toml`` is the one declarative definition of the sample world: websites, board mirrors and the
ground truth for tests are all rendered from what this module returns.
"""

import dataclasses
import random
import tomllib
import types
import typing
from datetime import date, datetime
from pathlib import Path
from typing import Any

import us

from directory.errors import KapdirError
from directory.sample_world.schema import (
    TrueClinician,
    TrueLocation,
    TruePractice,
    TrueRecord,
    TrueServiceArea,
    World,
)
from directory.vocab import LicenseClass, LicenseStatus, RecordKind, Role, Route, Setting, Verdict

WORLD_TOML = Path(__file__).with_name("world.toml")

STATE_CODES = frozenset(s.abbr for s in us.states.STATES_AND_TERRITORIES) | {"DC"}

# Site templates (visibly different markup styles), rendered by directory.sample_world.sites.
TEMPLATES = ("squarespace", "wix", "wordpress", "jsonld", "microdata", "handmade")

INSURANCE_STANCES = ("out_of_network_superbill", "not_accepted", "accepted")

# The hard cases of issue 2; each practice names the ones it covers in `hard_cases`.
HARD_CASES = (
    "multi_state_titles",  # licensed in several states under different titles (LPC here, LCPC there)
    "virtual_only_states",
    "florida_telehealth_registrant",
    "counseling_compact_privilege",
    "psypact_authority",
    "state_without_license",  # a state claimed with no license behind it
    "expired_license",
    "probation",
    "revoked_license",
    "excluded_clinician",  # on the OIG LEIE
    "contradicting_pages",
    "prescriber_therapist_pair",
    "medical_only_infusion",
    "spravato_center",
    "group_or_retreat",
    "same_name_same_state",  # two different clinicians with the same name in one state
    "nlc_multistate_nurse",
    "no_source_state",  # a state with no license source at all
    "hostile_markup",
    "wrong_license_class",  # the site's title is of another class than the license held
    "inactive_license",
    "initial_only_board_name",  # the board gives an initial for the given name and nothing else ties them
    "namesake_on_exclusion_list",  # the same full name on the OIG LEIE, no NPI or birth date to tell them apart
)

# Each source's own status words and the LicenseStatus they normalise to. A record's `status_raw` must be
# one of its source's words and its `status` must be what that word means.
STATUS_WORDS: dict[str, dict[str, LicenseStatus]] = {
    "ct_socrata": {"ACTIVE": LicenseStatus.ACTIVE, "INACTIVE": LicenseStatus.INACTIVE,
                   "REVOKED": LicenseStatus.REVOKED, "SUSPENDED": LicenseStatus.SUSPENDED},
    "wa_socrata": {"Active": LicenseStatus.ACTIVE, "Expired": LicenseStatus.EXPIRED,
                   "Inactive": LicenseStatus.INACTIVE, "Suspended": LicenseStatus.SUSPENDED,
                   "Revoked": LicenseStatus.REVOKED},
    "il_socrata": {"ACTIVE": LicenseStatus.ACTIVE, "INACTIVE": LicenseStatus.INACTIVE,
                   "EXPIRED": LicenseStatus.EXPIRED, "REVOKED": LicenseStatus.REVOKED,
                   "PROBATION": LicenseStatus.PROBATION, "SUSPENDED": LicenseStatus.SUSPENDED},
    "co_socrata": {"Active": LicenseStatus.ACTIVE, "Expired": LicenseStatus.EXPIRED,
                   "Revoked": LicenseStatus.REVOKED, "Inactive": LicenseStatus.INACTIVE},
    # BHEC files hold current licensees only: revoked and expired people are absent from them.
    "tx_bhec": {"Active": LicenseStatus.ACTIVE, "Probated/Suspended": LicenseStatus.PROBATION,
                "Delinquent": LicenseStatus.EXPIRED, "Suspended": LicenseStatus.SUSPENDED,
                "Inactive": LicenseStatus.INACTIVE},
    # MQA: "<license_status_description>/<license_active_status_description>".
    "fl_mqa": {"CLEAR/ACTIVE": LicenseStatus.ACTIVE, "PROBATION/ACTIVE": LicenseStatus.PROBATION,
               "DELINQUENT/INACTIVE": LicenseStatus.EXPIRED, "NULL AND VOID/INACTIVE": LicenseStatus.EXPIRED,
               "REVOKED/INACTIVE": LicenseStatus.REVOKED},
    # The physician and allied-health CSVs carry Active and Probation rows only.
    "md_bop": {"Active": LicenseStatus.ACTIVE, "Probation": LicenseStatus.PROBATION},
    "va_dhp": {"Current Active": LicenseStatus.ACTIVE, "Current Inactive": LicenseStatus.INACTIVE,
               "Expired": LicenseStatus.EXPIRED, "Revoked": LicenseStatus.REVOKED,
               "Suspended": LicenseStatus.SUSPENDED, "Probation - Current Active": LicenseStatus.PROBATION},
    "md_bpct": {"Active": LicenseStatus.ACTIVE, "Expired": LicenseStatus.EXPIRED,
                "Non-Renewed": LicenseStatus.EXPIRED, "Probation": LicenseStatus.PROBATION,
                "Revoked": LicenseStatus.REVOKED},
    # NPPES basic.status: "A" = active NPI (identity only, never a license).
    "npi": {"A": LicenseStatus.ACTIVE},
    # LEIE rows are active exclusions; status_raw holds the EXCLTYPE statute section.
    "oig_leie": {"1128a1": LicenseStatus.ACTIVE, "1128a2": LicenseStatus.ACTIVE, "1128a3": LicenseStatus.ACTIVE,
                 "1128b4": LicenseStatus.ACTIVE, "1128b5": LicenseStatus.ACTIVE, "1128b7": LicenseStatus.ACTIVE},
    "counseling_compact": {"active": LicenseStatus.ACTIVE, "inactive": LicenseStatus.INACTIVE},
}
GENERIC_STATUS_WORDS: dict[str, LicenseStatus] = {
    "Active": LicenseStatus.ACTIVE, "Current": LicenseStatus.ACTIVE, "REGISTERED": LicenseStatus.ACTIVE,
    "NOT REGISTERED": LicenseStatus.INACTIVE, "Lapsed": LicenseStatus.EXPIRED, "Expired": LicenseStatus.EXPIRED,
    "Inactive": LicenseStatus.INACTIVE, "Probation": LicenseStatus.PROBATION, "Revoked": LicenseStatus.REVOKED,
    "Suspended": LicenseStatus.SUSPENDED,
}

# Which record kinds each source publishes.
SOURCE_KINDS: dict[str, frozenset[RecordKind]] = {
    "npi": frozenset({RecordKind.NPI}),
    "oig_leie": frozenset({RecordKind.EXCLUSION}),
    "counseling_compact": frozenset({RecordKind.COMPACT_PRIVILEGE}),
    "fl_mqa": frozenset({RecordKind.LICENSE, RecordKind.TELEHEALTH_REGISTRATION}),
}

# State rosters and search forms: the state each one covers, and for partial sources the classes.
SOURCE_STATE: dict[str, str] = {
    "ct_socrata": "CT", "wa_socrata": "WA", "il_socrata": "IL", "co_socrata": "CO", "tx_bhec": "TX",
    "fl_mqa": "FL", "md_bop": "MD", "va_dhp": "VA", "md_bpct": "MD",
}
SOURCE_CLASSES: dict[str, frozenset[LicenseClass]] = {
    "tx_bhec": frozenset({LicenseClass.PROFESSIONAL_COUNSELOR, LicenseClass.MARRIAGE_FAMILY_THERAPIST,
                          LicenseClass.PSYCHOLOGIST, LicenseClass.CLINICAL_SOCIAL_WORKER,
                          LicenseClass.SOCIAL_WORKER, LicenseClass.ASSOCIATE_COUNSELOR,
                          LicenseClass.ASSOCIATE_MARRIAGE_FAMILY_THERAPIST}),
    "md_bop": frozenset({LicenseClass.PHYSICIAN, LicenseClass.PHYSICIAN_ASSISTANT}),
    "md_bpct": frozenset({LicenseClass.PROFESSIONAL_COUNSELOR, LicenseClass.MARRIAGE_FAMILY_THERAPIST,
                          LicenseClass.ASSOCIATE_COUNSELOR, LicenseClass.ASSOCIATE_MARRIAGE_FAMILY_THERAPIST}),
    # An OP export: NY publishes no bulk roster, and the export covers these professions only.
    "generic_ny": frozenset({LicenseClass.PROFESSIONAL_COUNSELOR, LicenseClass.CLINICAL_SOCIAL_WORKER,
                             LicenseClass.MARRIAGE_FAMILY_THERAPIST, LicenseClass.PSYCHOLOGIST}),
    # OBLPCT lists: counselors and marriage and family therapists.
    "generic_or": frozenset({LicenseClass.PROFESSIONAL_COUNSELOR, LicenseClass.MARRIAGE_FAMILY_THERAPIST}),
}
GENERIC_STATES = ("NY", "GA", "NC", "OR", "MA")
def known_source(name: str) -> bool:
    return name in STATUS_WORDS or (name.startswith("generic_") and name.removeprefix("generic_").upper()
                                    in GENERIC_STATES)


def source_state(name: str) -> str | None:
    """The state a state-roster source covers (None for national sources)."""
    if name.startswith("generic_"):
        return name.removeprefix("generic_").upper()
    return SOURCE_STATE.get(name)


def status_words(source: str) -> dict[str, LicenseStatus]:
    return GENERIC_STATUS_WORDS if source.startswith("generic_") else STATUS_WORDS[source]


def license_sources_for(state: str, license_class: str) -> list[str]:
    """License sources (rosters, forms, generic importers) in the world's universe covering this state and class."""
    found = []
    for name in [*SOURCE_STATE, *(f"generic_{st.lower()}" for st in GENERIC_STATES)]:
        if source_state(name) != state:
            continue
        classes = SOURCE_CLASSES.get(name)
        if classes is None or license_class in classes:
            found.append(name)
    return found


# --- loading and strict validation -------------------------------------------------------------------


class InvalidWorldError(KapdirError):
    """world.toml breaks a rule; the message names the practice (and clinician or record) at fault."""


def _type_ok(value: Any, expected: Any) -> bool:
    if isinstance(expected, types.UnionType):
        return any(_type_ok(value, option) for option in typing.get_args(expected))
    if expected is type(None):
        return value is None
    origin = typing.get_origin(expected)
    if origin is list:
        (item,) = typing.get_args(expected)
        return isinstance(value, list) and all(_type_ok(v, item) for v in value)
    if origin is dict:
        key_type, value_type = typing.get_args(expected)
        return isinstance(value, dict) and all(
            _type_ok(k, key_type) and _type_ok(v, value_type) for k, v in value.items())
    if expected is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if expected is date:
        return isinstance(value, date) and not isinstance(value, datetime)
    if isinstance(expected, type) and dataclasses.is_dataclass(expected):
        return True  # nested tables are checked on their own
    return isinstance(value, expected) and not (expected is int and isinstance(value, bool))


def _check_types(obj: Any, where: str) -> None:
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if not _type_ok(value, f.type):
            raise InvalidWorldError(f"{where}: {f.name} has the wrong type ({type(value).__name__}: {value!r})")


def _check_keys(data: dict, cls: type, where: str) -> None:
    allowed = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise InvalidWorldError(f"{where}: unknown key(s) {', '.join(unknown)}")
    missing = sorted(
        f.name for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING and f.name not in data
    )
    if missing:
        raise InvalidWorldError(f"{where}: missing key(s) {', '.join(missing)}")


def _enum(value: Any, enum: type, where: str, what: str) -> str:
    try:
        return enum(value).value
    except ValueError:
        raise InvalidWorldError(f"{where}: unknown {what} {value!r}") from None


def _state(value: Any, where: str) -> str:
    if not isinstance(value, str) or value not in STATE_CODES:
        raise InvalidWorldError(f"{where}: unknown state {value!r}")
    return value


def _date(value: Any, where: str, what: str) -> date | None:
    if value is None or (isinstance(value, date) and not hasattr(value, "hour")):
        return value
    raise InvalidWorldError(f"{where}: {what} must be a TOML date (YYYY-MM-DD), not {value!r}")


def _record(data: dict, where: str) -> TrueRecord:
    _check_keys(data, TrueRecord, where)
    rec = TrueRecord(**data)
    _check_types(rec, where)
    if not known_source(rec.source):
        raise InvalidWorldError(f"{where}: unknown source {rec.source!r}")
    where = f"{where} ({rec.source} {rec.number})"
    rec.state = _state(rec.state, where)
    rec.license_class = _enum(rec.license_class, LicenseClass, where, "license_class")
    rec.status = _enum(rec.status, LicenseStatus, where, "status")
    rec.kind = _enum(rec.kind, RecordKind, where, "kind")
    allowed_kinds = SOURCE_KINDS.get(rec.source, frozenset({RecordKind.LICENSE}))
    if rec.kind not in allowed_kinds:
        raise InvalidWorldError(f"{where}: {rec.source} does not publish {rec.kind} records")
    words = status_words(rec.source)
    if rec.status_raw not in words:
        raise InvalidWorldError(f"{where}: {rec.source} never writes status {rec.status_raw!r}")
    if words[rec.status_raw] != rec.status:
        meaning = words[rec.status_raw]
        raise InvalidWorldError(f"{where}: {rec.source} status {rec.status_raw!r} means {meaning}, not {rec.status}")
    covered = source_state(rec.source)
    if rec.kind == RecordKind.LICENSE and covered and covered != rec.state:
        raise InvalidWorldError(f"{where}: {rec.source} only publishes {covered} licenses")
    if rec.multistate is not None:
        raise InvalidWorldError(f"{where}: no fetched source publishes the multistate (NLC) flag (only Nursys, a "
                                f"manual source)")
    if rec.kind == RecordKind.LICENSE and rec.source in SOURCE_CLASSES and rec.license_class not in SOURCE_CLASSES[
            rec.source]:
        raise InvalidWorldError(f"{where}: {rec.source} does not cover {rec.license_class}")
    if rec.home_state is not None:
        rec.home_state = _state(rec.home_state, where)
    rec.issued = _date(rec.issued, where, "issued")
    rec.expires = _date(rec.expires, where, "expires")
    if rec.issued and rec.expires and rec.expires <= rec.issued:
        raise InvalidWorldError(f"{where}: expires {rec.expires} is not after issued {rec.issued}")
    return rec


def _verdict_key(key: str, where: str) -> str:
    state, _, mode = key.partition("/")
    _state(state, where)
    if mode not in ("in_person", "virtual", "prescribing"):
        raise InvalidWorldError(
            f"{where}: expected key {key!r} must be 'ST/in_person', 'ST/virtual' or 'ST/prescribing'")
    return key


def _clinician(data: dict, where: str) -> TrueClinician:
    _check_keys(data, TrueClinician, where)
    data = dict(data)
    records = data.pop("records", [])
    clin = TrueClinician(**data)
    where = f"{where} {clin.name!r}"
    _check_types(clin, where)
    clin.role = _enum(clin.role, Role, where, "role")
    clin.records = [_record(r, f"{where} record {i + 1}") for i, r in enumerate(records)]
    clin.expected = {
        _verdict_key(k, where): _enum(v, Verdict, where, "verdict") for k, v in clin.expected.items()
    }
    return clin


def _practice(data: dict) -> TruePractice:
    where = f"practice {data.get('key', '?')!r}"
    data = dict(data)
    clinicians = data.pop("clinician", [])  # [[practice.clinician]] tables
    if "clinicians" in data:
        raise InvalidWorldError(f"{where}: write clinicians as [[practice.clinician]] tables")
    _check_keys({**data, "clinicians": []}, TruePractice, where)
    states = data.pop("states")
    locations = data.pop("locations", [])
    practice = TruePractice(states=[], clinicians=[], **data)
    _check_types(practice, where)
    for area in states:
        _check_keys(area, TrueServiceArea, f"{where} state")
        served = TrueServiceArea(_state(area["state"], where), area["in_person"], area["virtual"])
        _check_types(served, f"{where} state {served.state}")
        practice.states.append(served)
    for loc in locations:
        _check_keys(loc, TrueLocation, f"{where} location")
        location = TrueLocation(**{**loc, "state": _state(loc["state"], where)})
        _check_types(location, f"{where} location")
        practice.locations.append(location)
    practice.clinicians = [_clinician(c, f"{where} clinician") for c in clinicians]
    if practice.template not in TEMPLATES:
        raise InvalidWorldError(f"{where}: unknown template {practice.template!r} (one of {', '.join(TEMPLATES)})")
    practice.routes = [_enum(r, Route, where, "route") for r in practice.routes]
    practice.settings = [_enum(s, Setting, where, "setting") for s in practice.settings]
    for case in practice.hard_cases:
        if case not in HARD_CASES:
            raise InvalidWorldError(f"{where}: unknown hard case {case!r}")
    if practice.insurance is not None and practice.insurance not in INSURANCE_STANCES:
        raise InvalidWorldError(f"{where}: unknown insurance stance {practice.insurance!r}")
    if not practice.states:
        raise InvalidWorldError(f"{where}: serves no state")
    return practice


def load_world(path: str | Path | None = None) -> World:
    """Read and strictly validate the world definition (default: the bundled ``world.toml``)."""
    path = Path(path) if path is not None else WORLD_TOML
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except OSError as exc:
        raise KapdirError(f"cannot read sample world {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise KapdirError(f"sample world {path} is not valid TOML: {exc}") from exc
    unknown = sorted(set(raw) - {"practice", "listing_host"})
    if unknown:
        raise KapdirError(f"sample world {path}: unknown top-level key(s) {', '.join(unknown)}")
    practices = [_practice(p) for p in raw.get("practice", [])]
    keys = [p.key for p in practices]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise KapdirError(f"sample world {path}: duplicate practice key(s) {', '.join(duplicates)}")
    world = World(practices=practices)
    if "listing_host" in raw:
        world.listing_host = raw["listing_host"]
    return world


# --- ground-truth helpers ------------------------------------------------------------------------------


def claim_keys(practice: TruePractice, clinician: TrueClinician) -> set[str]:
    """The "ST/mode" claims a practice's site makes for one clinician (what verification must judge)."""
    keys = set()
    for area in practice.states:
        if area.in_person:
            keys.add(f"{area.state}/in_person")
        if area.virtual:
            keys.add(f"{area.state}/virtual")
        if clinician.role == Role.PRESCRIBER and (area.in_person or area.virtual):
            keys.add(f"{area.state}/prescribing")
    return keys


def expected_verdicts(world: World) -> dict[tuple[str, str, str], str]:
    """Ground truth: (practice key, clinician name, "ST/mode") -> verdict code."""
    return {
        (p.key, c.name, key): verdict
        for p in world.practices for c in p.clinicians for key, verdict in c.expected.items()
    }


def all_records(world: World) -> list[tuple[TruePractice, TrueClinician, TrueRecord]]:
    """Every true record with its clinician and practice (what the board mirrors publish)."""
    return [(p, c, r) for p in world.practices for c in p.clinicians for r in c.records]


def site_truth(practice: TruePractice) -> dict[str, Any]:
    """What a perfect extractor reads off this practice's whole site, in the `kapdir extract` JSON shape."""
    clinicians = []
    for clinician in practice.clinicians:
        credentials = list(dict.fromkeys([*clinician.credentials, *(clinician.bio_credentials or [])]))
        clinicians.append({"name": clinician.name, "credentials": credentials, "role": clinician.role})
    cities = [{"city": loc.city, "state": loc.state} for loc in practice.locations]
    home_state = practice.locations[0].state if practice.locations else None
    cities += [{"city": city, "state": home_state} for city in practice.cities_served
               if city not in {c["city"] for c in cities}]
    return {
        "url": practice.url,
        "practice_name": practice.name,
        "clinicians": clinicians,
        "states": [{"state": a.state, "in_person": a.in_person, "virtual": a.virtual} for a in practice.states],
        "cities": cities,
        "routes": list(practice.routes),
        "settings": list(practice.settings),
        "group_or_retreat": practice.group_or_retreat,
        "therapy_included": practice.therapy_included,
        "medical_partner": practice.medical_partner,
        "prices_usd": list(practice.prices_usd),
        "insurance": practice.insurance,
        "phones": [practice.phone] if practice.phone else [],
        "emails": [practice.email] if practice.email else [],
        "discrepancies": [practice.contradiction] if practice.contradiction else [],
    }


def served_states(world: World) -> set[str]:
    """States where at least one practice offers care (in person or virtually)."""
    return {a.state for p in world.practices for a in p.states if a.in_person or a.virtual}


# --- synthetic worlds for benchmarks ------------------------------------------------------------------


def synthetic_world(n_sites: int, seed: int = 0) -> World:
    """A deterministic world of ``n_sites`` practices cloned from the bundled world's templates.

    Every practice is a renamed copy of a real sample-world practice (same template, states, offers and
    record shapes) with fresh clinician names, keys and license numbers, so the pages look like the sample
    web's and the same seed always gives the same world.
    """
    if n_sites < 1:
        raise KapdirError("synthetic_world needs at least one site")
    base = load_world()
    rng = random.Random(seed)
    practices = []
    for i in range(n_sites):
        proto = base.practices[i % len(base.practices)]
        practices.append(_clone_practice(proto, i, rng))
    return World(practices=practices, listing_host=base.listing_host)


_GIVEN = ("Alex", "Blair", "Casey", "Dana", "Elliot", "Frances", "Gabriel", "Harper", "Iris", "Jordan", "Kai",
          "Leah", "Miles", "Nora", "Owen", "Priya", "Quinn", "Rosa", "Silas", "Tessa", "Uma", "Victor", "Wren",
          "Yusuf", "Zoe")
_FAMILY = ("Abernathy", "Bellweather", "Castellano", "Delacroix", "Ekwueme", "Fairbanks", "Galloway", "Hollis",
           "Ibarra", "Jablonski", "Kowalczyk", "Lindqvist", "Marchetti", "Nakamura", "Okafor", "Pemberton",
           "Quintero", "Rasmussen", "Sorensen", "Thibodeaux", "Underhill", "Valdivia", "Whitcombe", "Yamada")
_PLACE = ("Cedar", "Harbor", "Juniper", "Meadow", "Northwind", "Oak", "Pine", "Quarry", "River", "Stone",
          "Tidal", "Willow", "Aspen", "Birch", "Canyon", "Drift", "Ember", "Fern", "Glen", "Haven")
_KIND = ("Ketamine Therapy", "Wellness Collective", "Psychotherapy Group", "Integrative Psychiatry",
         "Healing Arts", "Counseling Center", "Mind Clinic", "Therapy Studio")


def npi_with_check_digit(first_nine: str) -> str:
    """A valid NPI from its first nine digits (Luhn over the "80840" prefix, as CMS specifies)."""
    total = 0
    for i, ch in enumerate(reversed("80840" + first_nine)):
        digit = int(ch) * (2 if i % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return first_nine + str((10 - total % 10) % 10)


def _clone_practice(proto: TruePractice, index: int, rng: random.Random) -> TruePractice:
    place, kind = rng.choice(_PLACE), rng.choice(_KIND)
    key = f"{place.lower()}{kind.split()[0].lower()}{index:05d}"
    clinicians = []
    for j, clin in enumerate(proto.clinicians):
        given, family = rng.choice(_GIVEN), rng.choice(_FAMILY)
        name = f"{given} {family}"
        credentials_text = ", ".join(clin.credentials)
        npi = None if clin.npi is None else npi_with_check_digit(f"1{index:06d}{j:02d}")
        records = [
            dataclasses.replace(r, number=npi if r.kind == RecordKind.NPI else f"{r.number}-{index:05d}{j}",
                                holder_name=None)
            for r in clin.records
        ]
        clinicians.append(dataclasses.replace(
            clin, name=name, site_name=f"{name}, {credentials_text}" if credentials_text else name,
            records=records, npi=npi,
            bio=f"{given} works with adults navigating depression, anxiety and trauma.",
            expected=dict(clin.expected),
        ))
    return dataclasses.replace(
        proto, key=key, name=f"{place} {kind} {index}", clinicians=clinicians,
        email=f"hello@{key}.example", booking_url=None, prescriber_site=None, hostile=False,
        about=f"{place} {kind} offers ketamine-assisted care with a small, steady team.",
        states=[dataclasses.replace(a) for a in proto.states],
        locations=[dataclasses.replace(loc) for loc in proto.locations],
    )
