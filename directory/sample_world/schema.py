"""The sample world's shape: fictional practices, their clinicians and the true board facts behind them.

The data lives in ``world.toml`` beside this file (one declarative definition). Websites, board fixtures
and the ground truth for tests are all rendered from it.
"""

from dataclasses import dataclass, field
from datetime import date


@dataclass
class TrueRecord:
    """A record that exists at a source (what the board, registry or list really says)."""

    source: str  # adapter name that publishes it: ct_socrata, tx_bhec, fl_mqa, va_dhp, md_bpct, ...
    state: str  # state the record authorises (the privilege state for a compact privilege)
    license_class: str  # directory.vocab.LicenseClass
    title: str  # as the board writes it, e.g. "Licensed Professional Counselor"
    number: str
    status_raw: str  # the source's own status words, e.g. "ACTIVE", "Current", "Probation"
    status: str  # directory.vocab.LicenseStatus it normalises to
    issued: date | None = None
    expires: date | None = None
    discipline: str | None = None  # discipline text, if any
    kind: str = "license"  # directory.vocab.RecordKind
    home_state: str | None = None  # compacts: the home state
    multistate: bool | None = None  # NLC
    holder_name: str | None = None  # when the board spells the name differently from the site


@dataclass
class TrueClinician:
    name: str  # as the world knows the person: "Jane Q. Roe"
    site_name: str  # as the website writes it, with post-nominals: "Jane Roe, LPC, LCPC, NCC"
    role: str  # directory.vocab.Role
    credentials: list[str]  # codes the site shows
    npi: str | None = None
    city: str | None = None
    records: list[TrueRecord] = field(default_factory=list)
    excluded: bool = False  # on OIG LEIE
    bio: str = ""
    # Ground truth: "ST/mode" -> verdict code, e.g. {"FL/virtual": "verified_telehealth_registration"}
    expected: dict[str, str] = field(default_factory=dict)
    # The site prints "<ST> <title> #<number>" for each license record (lets a verifier tell namesakes apart).
    site_license_numbers: bool = False
    # Credentials as the clinician's own bio page writes them, when they contradict the team page.
    bio_credentials: list[str] | None = None
    bio_page: bool = False  # the site has a page of its own for this clinician


@dataclass
class TrueServiceArea:
    state: str
    in_person: bool | None
    virtual: bool | None


@dataclass
class TrueLocation:
    street: str
    city: str
    state: str
    zip: str


@dataclass
class TruePractice:
    key: str  # also the host: "<key>.example"
    name: str
    template: str  # one of the site templates (visibly different markup styles)
    states: list[TrueServiceArea]
    clinicians: list[TrueClinician]
    locations: list[TrueLocation] = field(default_factory=list)
    routes: list[str] = field(default_factory=list)  # directory.vocab.Route
    settings: list[str] = field(default_factory=list)  # directory.vocab.Setting
    therapy_included: bool | None = True
    group_or_retreat: bool | None = None
    medical_partner: str | None = None
    prices_usd: list[float] = field(default_factory=list)
    insurance: str | None = None
    phone: str | None = None  # E.164
    email: str | None = None
    sitemap: bool = False
    robots_disallow: list[str] = field(default_factory=list)
    pdf: bool = False  # links a PDF (e.g. an intake packet or fee sheet)
    booking_url: str | None = None  # external booking page
    contradiction: str | None = None  # e.g. "team page: LCSW; bio: LMFT"
    hostile: bool = False  # names and bios carry <script> and <img onerror> payloads
    hard_cases: list[str] = field(default_factory=list)  # which issue hard cases this practice covers
    about: str = ""  # the practice's own words for its home page
    cities_served: list[str] = field(default_factory=list)  # "Hartford, New Haven and Stamford"
    counties_served: list[str] = field(default_factory=list)  # "Fairfax and Arlington counties"
    prescriber_site: str | None = None  # the prescribing partner's website (another host, not crawled)
    # The menu label of the one page that holds the practice's places, states and modes, a name no crawl keyword
    # matches ("Find Us", at /find-us): they are then said nowhere else (not on the home, services, contact or FAQ
    # pages, nor in the footer). None: they are said on those pages, as on most sites.
    facts_page: str | None = None

    @property
    def host(self) -> str:
        return f"{self.key}.example"

    @property
    def url(self) -> str:
        return f"http://{self.host}/"


@dataclass
class World:
    practices: list[TruePractice]
    listing_host: str = "directory.kapmap.example"  # the paginated directory listing site
