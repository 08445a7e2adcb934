"""What the mirrors serve: the sample world's TrueRecords (who really holds what), plus filler licensees.

Real rosters are mostly people no practice site mentions; the filler (deterministic, fictional) gives every
roster that shape, and lets the "shrunk roster" fault remove a large share.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from directory.names import parse_name
from directory.sample_world.schema import TrueClinician, TrueRecord, World
from directory.vocab import LicenseClass, RecordKind


@dataclass(frozen=True)
class Entry:
    """One record at one source, with the holder's name as the source spells it."""

    record: TrueRecord
    given: str
    middle: str
    family: str
    suffix: str
    npi: str | None = None
    city: str | None = None
    clinician: TrueClinician | None = None
    filler: bool = False

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given, self.middle, self.family, self.suffix) if p)


def _entry(record: TrueRecord, clinician: TrueClinician | None, name: str, **extra) -> Entry:
    parsed = parse_name(name)
    return Entry(record=record, given=parsed.given, middle=parsed.middle, family=parsed.family, suffix=parsed.suffix,
                 clinician=clinician, **extra)


def world_entries(world: World) -> list[Entry]:
    """Every TrueRecord of every clinician (a person in two practices appears once per record)."""
    seen: set[tuple[str, str, str]] = set()
    entries = []
    for practice in world.practices:
        for clinician in practice.clinicians:
            for record in clinician.records:
                key = (record.source, record.state, record.number)
                if key in seen:
                    continue
                seen.add(key)
                entries.append(_entry(record, clinician, record.holder_name or clinician.name,
                                      npi=clinician.npi, city=clinician.city))
    return entries


def excluded_clinicians(world: World) -> list[tuple[TrueClinician, str]]:
    """(clinician, a state it practises in) for everyone on the OIG LEIE."""
    out, seen = [], set()
    for practice in world.practices:
        for clinician in practice.clinicians:
            if clinician.excluded and clinician.name not in seen:
                seen.add(clinician.name)
                state = clinician.records[0].state if clinician.records else (practice.states[0].state
                                                                             if practice.states else "")
                out.append((clinician, state))
    return out


def npi_holders(world: World) -> list[TrueClinician]:
    out, seen = [], set()
    for practice in world.practices:
        for clinician in practice.clinicians:
            if clinician.npi and clinician.npi not in seen:
                seen.add(clinician.npi)
                out.append(clinician)
    return out


GIVEN = ["ADRIAN", "BEATRIZ", "CALVIN", "DELPHINE", "EMERY", "FARIDA", "GIDEON", "HOLLIS", "IMOGEN", "JASPER",
         "KALINDA", "LEOPOLD", "MARISOL", "NEVILLE", "OTTILIE", "PERCIVAL", "QUINLAN", "ROSALIND", "SILAS", "TAMSIN"]
FAMILY = ["ABERNATHY", "BRICKELL", "CASTELLANO", "DUNMORE", "ELLINGTON", "FAIRWEATHER", "GALLOWAY", "HARTIGAN",
          "IVERSEN", "JESSUP", "KILBRIDE", "LOCKHART", "MERRIWEATHER", "NORCROSS", "OSGOOD", "PEMBERTON",
          "QUARLES", "RADCLIFFE", "STANHOPE", "THORNBURY"]
MIDDLE = ["", "", "A", "J", "M", "R", ""]

# A filler licensee's board title per source and class (the real wording of that board, where known).
FILLER_TITLES = {
    "ct_socrata": [("PROFESSIONAL COUNSELOR", LicenseClass.PROFESSIONAL_COUNSELOR),
                   ("CLINICAL SOCIAL WORKER", LicenseClass.CLINICAL_SOCIAL_WORKER),
                   ("PSYCHOLOGIST", LicenseClass.PSYCHOLOGIST),
                   ("PHYSICIAN/SURGEON", LicenseClass.PHYSICIAN)],
    "wa_socrata": [("Mental Health Counselor License", LicenseClass.PROFESSIONAL_COUNSELOR),
                   ("Counselor Registration", LicenseClass.OTHER),
                   ("Physician And Surgeon License", LicenseClass.PHYSICIAN),
                   ("Advanced Registered Nurse Practitioner License", LicenseClass.NURSE_PRACTITIONER)],
    "il_socrata": [("LICENSED CLINICAL PSYCHOLOGIST", LicenseClass.PSYCHOLOGIST),
                   ("LICENSED SOCIAL WORKER", LicenseClass.SOCIAL_WORKER),
                   ("LICENSED MARRIAGE AND FAMILY THERAPIST", LicenseClass.MARRIAGE_FAMILY_THERAPIST),
                   ("ADVANCED PRACTICE REGISTERED NURSE", LicenseClass.NURSE_PRACTITIONER),
                   ("REGISTERED NURSE", LicenseClass.REGISTERED_NURSE),
                   ("LICENSED PRACTICAL NURSE", LicenseClass.OTHER),
                   ("LICENSED PROFESSIONAL COUNSELOR", LicenseClass.ASSOCIATE_COUNSELOR)],
    "co_socrata": [("LPC", LicenseClass.PROFESSIONAL_COUNSELOR), ("PSY", LicenseClass.PSYCHOLOGIST),
                   ("APN", LicenseClass.NURSE_PRACTITIONER), ("DR", LicenseClass.PHYSICIAN)],
    "tx_bhec": [("LPC", LicenseClass.PROFESSIONAL_COUNSELOR), ("LMFT", LicenseClass.MARRIAGE_FAMILY_THERAPIST),
                ("LP", LicenseClass.PSYCHOLOGIST), ("LCSW", LicenseClass.CLINICAL_SOCIAL_WORKER)],
    "fl_mqa": [("Mental Health Counselor", LicenseClass.PROFESSIONAL_COUNSELOR),
               ("Clinical Social Worker", LicenseClass.CLINICAL_SOCIAL_WORKER),
               ("Medical Doctor", LicenseClass.PHYSICIAN),
               ("Advanced Practice Registered Nurse", LicenseClass.NURSE_PRACTITIONER)],
    "md_bop": [("Physician", LicenseClass.PHYSICIAN), ("Physician Assistant", LicenseClass.PHYSICIAN_ASSISTANT)],
    "va_dhp": [("Licensed Professional Counselor", LicenseClass.PROFESSIONAL_COUNSELOR),
               ("Licensed Clinical Social Worker", LicenseClass.CLINICAL_SOCIAL_WORKER)],
    "md_bpct": [("LCPC", LicenseClass.PROFESSIONAL_COUNSELOR), ("LCMFT", LicenseClass.MARRIAGE_FAMILY_THERAPIST)],
}
# Status words each source really uses for a plain active record.
ACTIVE_WORD = {"ct_socrata": "ACTIVE", "wa_socrata": "Active", "il_socrata": "ACTIVE", "co_socrata": "Active",
               "tx_bhec": "Active", "fl_mqa": "CLEAR/ACTIVE", "md_bop": "Active", "va_dhp": "Current Active",
               "md_bpct": "Active"}
STATE = {"ct_socrata": "CT", "wa_socrata": "WA", "il_socrata": "IL", "co_socrata": "CO", "tx_bhec": "TX",
         "fl_mqa": "FL", "md_bop": "MD", "va_dhp": "VA", "md_bpct": "MD"}


def filler_entries(source: str, count: int, state: str | None = None, seed: int = 7) -> list[Entry]:
    """``count`` fictional active licensees of ``source`` (deterministic)."""
    rng = random.Random(f"{source}:{seed}")
    titles = FILLER_TITLES.get(source, [("Licensed Professional Counselor", LicenseClass.PROFESSIONAL_COUNSELOR)])
    state = state or STATE.get(source, "NY")
    out = []
    for index in range(count):
        title, license_class = titles[index % len(titles)]
        issued = date(2004, 1, 1) + timedelta(days=rng.randrange(0, 7000))
        record = TrueRecord(
            source=source, state=state, license_class=license_class.value, title=title,
            number=f"F{index + 1:06d}",
            status_raw=ACTIVE_WORD.get(source, "Active"), status="active", issued=issued,
            expires=date(2027, 6, 30) + timedelta(days=rng.randrange(0, 700)),
            kind=RecordKind.LICENSE.value,
        )
        out.append(Entry(record=record, given=rng.choice(GIVEN).title(), middle=rng.choice(MIDDLE),
                         family=rng.choice(FAMILY).title(), suffix="", city="Springfield", filler=True))
    return out
