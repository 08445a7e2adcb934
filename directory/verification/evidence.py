"""What a verdict rests on, as typed values: a board record seen by verification, and how it was tied to the person.

``Evidence`` is a plain copy of a stored record (no database session behind it), so the decision is a pure
function of evidence. ``Evidence.stored()`` is the JSON kept on the verdict row (its keys are the export's
``EVIDENCE_KEYS`` and a few more).
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from directory.boards import titles
from directory.verification.health import in_live_roster, record_as_of
from directory.verification.matching import normalise_number
from directory.vocab import LicenseClass, LicenseStatus


class Identity(StrEnum):
    """How a record was tied to the clinician, strongest first."""

    LICENSE_NUMBER = "license_number"  # the number printed on the site, or listed under the person's NPI
    NPI = "npi"  # the record carries the person's NPI
    FULL_NAME = "full_name"  # the same given and family name, written in full on both sides
    NAME_ONLY = "name_only"  # an initial, a nickname, a middle name or a typo: nothing else ties them

    @property
    def strong(self) -> bool:
        return self is not Identity.NAME_ONLY


PASSING_STATUSES = frozenset({LicenseStatus.ACTIVE.value, LicenseStatus.PROBATION.value})


def _day(value: date | datetime | None) -> str | None:
    return value.strftime("%Y-%m-%d") if value else None


@dataclass(frozen=True)
class Evidence:
    id: int
    source: str
    record_key: str
    kind: str
    state: str | None
    license_class: str | None
    title: str | None
    license_number: str | None
    holder_name: str
    status: str
    status_raw: str | None
    expires: date | None = None
    discipline: bool = False
    discipline_text: str | None = None
    multistate: bool | None = None
    home_state: str | None = None
    npi: str | None = None
    address_state: str | None = None
    as_of: datetime | None = None  # the record's own date: the source's as-of when written, else when read
    source_url: str | None = None
    in_roster: bool = False  # in its source's last good roster sync: fresh while the source is (health.py)

    @classmethod
    def of(cls, record: Any) -> "Evidence":
        """From a LicenseRecord or a light row of its table."""
        return cls(
            id=record.id, source=record.source, record_key=record.record_key, kind=record.kind,
            state=record.state, license_class=effective_class(record.license_class, record.title_raw, record.state),
            title=record.title_raw, license_number=record.license_number, holder_name=record.holder_name,
            status=record.status, status_raw=record.status_raw, expires=record.expiry_date,
            discipline=bool(record.discipline), discipline_text=record.discipline_text, multistate=record.multistate,
            home_state=record.home_state, npi=record.npi, address_state=record.address_state,
            as_of=record_as_of(record), source_url=record.source_url, in_roster=in_live_roster(record),
        )

    def passing_status(self, today: date) -> bool:
        """Active (or on probation) and not past its expiry date."""
        return self.status in PASSING_STATUSES and not (self.expires is not None and self.expires < today)

    def stored(self, identity: Identity | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "source": self.source,
            "record_id": self.record_key,
            "license_number": self.license_number,
            "raw_status": self.status_raw,
            "expires": _day(self.expires),
            "source_as_of": _day(self.as_of),
            "source_url": self.source_url,
            "kind": self.kind,
            "state": self.state,
            "title": self.title,
            "holder_name": self.holder_name,
        }
        if identity is not None:
            out["identity_match"] = identity.value
        return out


def effective_class(stored: str | None, title: str | None, state: str | None) -> str | None:
    """The record's class, corrected by the title tables where they are stricter than what was stored (a record
    classified before the tiers existed: an Illinois "LICENSED PROFESSIONAL COUNSELOR", a chiropractic
    "physician"). They only ever narrow a class, never widen one."""
    if titles.is_other_profession(title):
        return LicenseClass.OTHER.value
    tier = titles.tier_class(title, state)
    return tier.value if tier is not None else stored


@dataclass(frozen=True)
class Candidate:
    """A record that may be the clinician's, and how strongly it is tied to them."""

    evidence: Evidence
    score: float  # name score
    identity: Identity

    @property
    def confidence(self) -> float:
        if self.identity in (Identity.LICENSE_NUMBER, Identity.NPI):
            return round(max(self.score, 0.98), 3)
        return round(self.score, 3)

    @property
    def license_key(self) -> str:
        """Records of one license share this key (two sources may publish one license)."""
        number = normalise_number(self.evidence.license_number)
        record = self.evidence
        return f"{record.kind}:{record.state}:{number}" if number else f"id:{record.id}"
