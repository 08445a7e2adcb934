"""What extraction returns: plain dataclasses, free of Scrapy, Streamlit and the database."""

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Evidence:
    field: str  # e.g. "states", "clinicians", "routes", "prices_usd"
    value: Any
    snippet: str
    url: str | None = None


@dataclass
class CredentialFact:
    code: str  # as written, e.g. "LCPC"
    kind: str  # directory.vocab.CredentialKind
    license_class: str | None = None  # directory.vocab.LicenseClass for state license titles
    state: str | None = None  # when the page ties the credential to a state
    license_number: str | None = None
    source: str | None = None  # how the page said it: "post_nominal", "title_line", "schema_org" or "prose"


@dataclass
class ClinicianFact:
    name: str  # display name without post-nominals, e.g. "Jane Roe" ("Dr." kept out)
    credentials: list[CredentialFact] = field(default_factory=list)
    role: str = "therapist"  # directory.vocab.Role
    bio: str | None = None
    npi: str | None = None
    url: str | None = None  # page where this person was seen


@dataclass
class StateFact:
    state: str  # USPS code
    in_person: bool | None = None  # None: the page does not say; False: it says not
    virtual: bool | None = None


@dataclass
class CityFact:
    city: str
    state: str | None = None


@dataclass
class AddressFact:
    street: str | None
    city: str | None
    state: str | None
    zip: str | None


@dataclass
class PriceFact:
    amount_usd: float
    unit: str | None = None  # session | package | ...
    snippet: str = ""


@dataclass
class PageFacts:
    """Facts read from one page."""

    url: str | None
    practice_name: str | None = None
    clinicians: list[ClinicianFact] = field(default_factory=list)
    states: list[StateFact] = field(default_factory=list)
    cities: list[CityFact] = field(default_factory=list)
    addresses: list[AddressFact] = field(default_factory=list)
    routes: list[str] = field(default_factory=list)  # directory.vocab.Route values
    settings: list[str] = field(default_factory=list)  # directory.vocab.Setting values
    group_or_retreat: bool | None = None
    therapy_included: bool | None = None
    medical_partner: str | None = None
    prices: list[PriceFact] = field(default_factory=list)
    insurance: str | None = None  # e.g. "out_of_network_superbill", "not_accepted", "accepted"
    phones: list[str] = field(default_factory=list)  # E.164
    emails: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # outbound links of interest (booking, partner)
    evidence: list[Evidence] = field(default_factory=list)
    text: str = ""  # the page's visible text (for hashing and search), never rendered as HTML


@dataclass
class SiteFacts(PageFacts):
    """All pages of one site merged: one practice with its clinicians."""

    discrepancies: list[str] = field(default_factory=list)  # "team page: LCSW; bio: LMFT"
