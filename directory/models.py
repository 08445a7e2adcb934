"""Storage schema: one table model per entity.

Tables are created by Alembic migrations (``directory/migrations``), never by ``create_all``.
Build rows with ``Model.model_validate(...)`` from validated input, never from raw scraped dicts.
All timestamps are naive UTC (``directory.timeutil.utcnow``), stored as TIMESTAMP WITHOUT TIME ZONE.
"""

from datetime import date
from typing import Any

from pydantic import NaiveDatetime
from sqlalchemy import JSON, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from directory.timeutil import utcnow


def _json(default: Any = None) -> Any:
    factory = (lambda: list(default)) if isinstance(default, list) else (lambda: default)
    return Field(default_factory=factory, sa_column=Column(JSON, nullable=True))


# --- crawling -----------------------------------------------------------------------------------


class Seed(SQLModel, table=True):
    """A practice website to crawl; the admin edits this list."""

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(unique=True)
    origin: str = "cli"  # cli | file | listing | admin | demo
    listing_url: str | None = None  # provenance when discovered from a directory listing
    active: bool = True
    added_at: NaiveDatetime = Field(default_factory=utcnow)


class CrawlRun(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    spider: str = "practice"
    started_at: NaiveDatetime = Field(default_factory=utcnow)
    finished_at: NaiveDatetime | None = None
    status: str = "running"  # running | finished | failed
    seeds: list[str] = _json([])
    pages: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    gone: int = 0
    errors: dict[str, int] = _json({})  # FetchOutcome -> count
    duration_s: float | None = None
    message: str | None = None


class FetchLog(SQLModel, table=True):
    """One request's outcome within a crawl run (errors per URL for the admin area)."""

    id: int | None = Field(default=None, primary_key=True)
    crawl_run_id: int = Field(foreign_key="crawlrun.id", index=True)
    url: str
    status: int | None = None
    outcome: str  # FetchOutcome
    error: str | None = None
    at: NaiveDatetime = Field(default_factory=utcnow)


class SourcePage(SQLModel, table=True):
    """A fetched page of a practice site, with its provenance."""

    __table_args__ = (UniqueConstraint("url"),)

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int | None = Field(default=None, foreign_key="practice.id", index=True)
    crawl_run_id: int | None = Field(default=None, foreign_key="crawlrun.id")
    url: str
    final_url: str | None = None
    status: int | None = None
    content_type: str | None = None
    fetched_at: NaiveDatetime = Field(default_factory=utcnow)
    content_hash: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    first_seen: NaiveDatetime = Field(default_factory=utcnow)
    last_seen: NaiveDatetime = Field(default_factory=utcnow)
    gone_at: NaiveDatetime | None = None
    stale: bool = False
    # The page's extracted facts, so a re-crawl that gets 304 or the same hash can re-merge the site
    # without refetching or re-extracting it.
    facts: dict[str, Any] | None = _json(None)


# --- the directory ------------------------------------------------------------------------------


class Practice(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)  # stable: the site's registrable host, e.g. "calmharbor.example"
    name: str | None = None
    website: str | None = None
    therapy_included: bool | None = None
    group_or_retreat: bool | None = None
    medical_partner: str | None = None
    insurance: str | None = None
    phones: list[str] = _json([])
    emails: list[str] = _json([])
    booking_urls: list[str] = _json([])
    discrepancies: list[str] = _json([])  # plain-English contradictions found while merging pages
    first_seen: NaiveDatetime = Field(default_factory=utcnow)
    last_seen: NaiveDatetime = Field(default_factory=utcnow)
    last_crawled: NaiveDatetime | None = None
    stale: bool = False  # last crawl failed; facts shown are the last good ones
    gone_at: NaiveDatetime | None = None


class Clinician(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("practice_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    key: str  # normalised name within the practice
    name: str
    given_name: str | None = None
    middle_name: str | None = None
    family_name: str | None = None
    suffix: str | None = None
    role: str = "therapist"  # Role
    npi: str | None = None
    bio: str | None = Field(default=None, sa_column=Column(Text))
    first_seen: NaiveDatetime = Field(default_factory=utcnow)
    last_seen: NaiveDatetime = Field(default_factory=utcnow)
    gone_at: NaiveDatetime | None = None


class CredentialClaim(SQLModel, table=True):
    """A post-nominal or credential as the site states it, with what it means."""

    __table_args__ = (UniqueConstraint("clinician_id", "code", "state"),)

    id: int | None = Field(default=None, primary_key=True)
    clinician_id: int = Field(foreign_key="clinician.id", index=True)
    code: str  # as written, e.g. "LCPC"
    kind: str  # CredentialKind
    license_class: str | None = None  # LicenseClass, for state license titles
    state: str | None = None  # when the title or the text ties it to one state
    license_number: str | None = None  # when the site gives one
    source_url: str | None = None
    snippet: str | None = Field(default=None, sa_column=Column(Text))
    fetched_at: NaiveDatetime | None = None


class ServiceArea(SQLModel, table=True):
    """A state the practice says it serves; None = the site does not say for that mode."""

    __table_args__ = (UniqueConstraint("practice_id", "state"),)

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    state: str = Field(index=True)  # USPS code
    in_person: bool | None = None
    virtual: bool | None = None
    source_url: str | None = None
    snippet: str | None = Field(default=None, sa_column=Column(Text))
    fetched_at: NaiveDatetime | None = None


class Location(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    address: str | None = None
    city: str | None = None
    state: str | None = Field(default=None, index=True)
    zip: str | None = None
    lat: float | None = None
    lon: float | None = None
    source_url: str | None = None
    fetched_at: NaiveDatetime | None = None


class Offering(SQLModel, table=True):
    """One offer fact: kind is route | setting | price | partner (value is the enum or text)."""

    __table_args__ = (UniqueConstraint("practice_id", "kind", "value"),)

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    kind: str
    value: str
    amount_usd: float | None = None  # for prices
    unit: str | None = None  # for prices: session | package | ...
    source_url: str | None = None
    snippet: str | None = Field(default=None, sa_column=Column(Text))
    fetched_at: NaiveDatetime | None = None


class Fact(SQLModel, table=True):
    """Every extracted fact with the page and snippet it came from (the evidence trail).

    Kept per crawl run: a fact the site stops stating gets ``superseded_at`` instead of being deleted, so the
    evidence behind an old verdict stays readable. Current facts are those with ``superseded_at`` NULL."""

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    clinician_id: int | None = Field(default=None, foreign_key="clinician.id")
    source_page_id: int | None = Field(default=None, foreign_key="sourcepage.id")
    field: str
    value: Any = _json(None)
    snippet: str | None = Field(default=None, sa_column=Column(Text))
    source_url: str | None = None
    fetched_at: NaiveDatetime | None = None
    crawl_run_id: int | None = Field(default=None, foreign_key="crawlrun.id")  # the run that first recorded it
    superseded_at: NaiveDatetime | None = None  # when a later crawl no longer found it


class RetiredClaim(SQLModel, table=True):
    """A credential claim or service area the site no longer states (or a former version of one), kept as it
    was: the current tables hold only what the site says now, this table what it said before."""

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    clinician_id: int | None = Field(default=None, foreign_key="clinician.id")
    table_name: str  # credentialclaim | servicearea
    data: dict[str, Any] = _json({})  # the row's columns as they were
    retired_at: NaiveDatetime = Field(default_factory=utcnow)
    crawl_run_id: int | None = Field(default=None, foreign_key="crawlrun.id")  # the run that found the change
    reason: str = "gone"  # gone | changed


class Change(SQLModel, table=True):
    """What changed on a practice between crawls (shown on the provider page)."""

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    crawl_run_id: int | None = Field(default=None, foreign_key="crawlrun.id")
    at: NaiveDatetime = Field(default_factory=utcnow)
    description: str


# --- board data ---------------------------------------------------------------------------------


class LicenseRecord(SQLModel, table=True):
    """A normalised record read from a licensing, registry, exclusion or compact source."""

    __table_args__ = (
        UniqueConstraint("source", "record_key"),
        Index("ix_licenserecord_lookup", "state", "family_key", "given_key"),
        # Issue 14 (migration 0007): which staged row hashes the source's live records hold, from the index alone.
        Index("ix_licenserecord_roster", "row_hash", "source", "removed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(index=True)  # adapter name, e.g. "ct_socrata"
    record_key: str  # stable id within the source
    kind: str = "license"  # RecordKind
    state: str | None = None  # state the record authorises (privilege state for compacts)
    home_state: str | None = None  # compacts: the home-state license it rests on
    license_class: str | None = None  # LicenseClass
    title_raw: str | None = None  # the title as the board writes it
    license_number: str | None = Field(default=None, index=True)
    holder_name: str  # as the source writes it
    given_name: str | None = None
    middle_name: str | None = None
    family_name: str | None = None
    suffix: str | None = None
    family_key: str | None = None  # normalised (lower, ascii, no punctuation) for look-ups
    given_key: str | None = None
    status: str = "unknown"  # LicenseStatus
    status_raw: str | None = None
    issue_date: date | None = None
    expiry_date: date | None = None
    discipline: bool = False
    discipline_text: str | None = Field(default=None, sa_column=Column(Text))
    multistate: bool | None = None  # NLC multistate license
    npi: str | None = Field(default=None, index=True)
    city: str | None = None
    address_state: str | None = None
    source_url: str | None = None
    fetched_at: NaiveDatetime = Field(default_factory=utcnow)
    source_as_of: NaiveDatetime | None = None
    removed_at: NaiveDatetime | None = None  # no longer in the roster; kept, never deleted
    raw: dict[str, Any] = _json({})
    # Issue 14: a hash of the source's raw row(s) behind the record (directory.boards.store): a row whose hash is
    # already stored is unchanged, recognised before normalisation. Look-up answers have none.
    row_hash: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class SourceSync(SQLModel, table=True):
    """One sync or look-up batch against a source, successful or not."""

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(index=True)
    started_at: NaiveDatetime = Field(default_factory=utcnow)
    finished_at: NaiveDatetime | None = None
    status: str = "running"  # running | ok | error | refused
    records: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    source_as_of: NaiveDatetime | None = None
    error: str | None = Field(default=None, sa_column=Column(Text))


class LookupCache(SQLModel, table=True):
    """Cached responses of search-form and API sources, with a time to live."""

    __table_args__ = (UniqueConstraint("source", "query_key"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str
    query_key: str
    fetched_at: NaiveDatetime = Field(default_factory=utcnow)
    record_keys: list[str] = _json([])


# --- verification -------------------------------------------------------------------------------


class Verification(SQLModel, table=True):
    """The current verdict on one live claim, with its basis and evidence (what the dashboard and search read).

    Every change of it, and its retirement when the claim vanishes, is also in ``VerdictHistory``."""

    __table_args__ = (
        UniqueConstraint("claim_key"),
        # Covering index for the dashboard's state search (badge counts per practice for a state and mode).
        Index("ix_verification_search", "state", "mode", "practice_id", "verdict", "checked_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    claim_key: str  # stable: clinician key + claim
    clinician_id: int = Field(foreign_key="clinician.id", index=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    claim_kind: str  # service | credential | prescribing
    state: str | None = Field(default=None, index=True)
    mode: str | None = None  # ServiceMode
    credential_code: str | None = None
    verdict: str = Field(index=True)  # a directory.vocab.Verdict code
    basis: str = Field(sa_column=Column(Text))  # plain English
    confidence: float | None = None
    license_record_id: int | None = Field(default=None, foreign_key="licenserecord.id")
    evidence: dict[str, Any] | None = _json(None)
    checked_at: NaiveDatetime = Field(default_factory=utcnow)
    expires_at: NaiveDatetime | None = None
    source_as_of: NaiveDatetime | None = None


class VerifyRun(SQLModel, table=True):
    """One ``kapdir verify`` run: what it was judged against (the latest crawl run, each source's last sync)."""

    id: int | None = Field(default=None, primary_key=True)
    started_at: NaiveDatetime = Field(default_factory=utcnow)
    finished_at: NaiveDatetime | None = None
    status: str = "running"  # running | finished | failed
    due_only: bool = False
    claims: int = 0
    rechecked: int = 0
    retired: int = 0
    crawl_run_id: int | None = Field(default=None, foreign_key="crawlrun.id")  # latest crawl run at the start
    syncs: dict[str, int] = _json({})  # source -> id of its latest finished SourceSync at the start
    message: str | None = Field(default=None, sa_column=Column(Text))


class VerdictHistory(SQLModel, table=True):
    """Append-only history of verdicts: one row each time a claim's verdict (or its basis or evidence) changes,
    and one when a claim vanishes (``event`` = retired). Never updated or deleted.

    ``Verification`` is the current verdict of each live claim (what the dashboard and search read); this table
    answers "what did kapdir show on date X, and why" (``kapdir export --as-of``). The verdict columns have the
    same names as ``Verification``'s, so the export reads either."""

    __table_args__ = (Index("ix_verdicthistory_claim", "claim_key", "recorded_at"),)

    id: int | None = Field(default=None, primary_key=True)
    event: str = "checked"  # checked | retired
    recorded_at: NaiveDatetime = Field(default_factory=utcnow, index=True)  # from when the row holds
    claim_key: str
    clinician_id: int = Field(foreign_key="clinician.id")
    practice_id: int = Field(foreign_key="practice.id", index=True)
    claim_kind: str
    state: str | None = None
    mode: str | None = None
    credential_code: str | None = None
    verdict: str
    basis: str = Field(sa_column=Column(Text))
    confidence: float | None = None
    license_record_id: int | None = Field(default=None, foreign_key="licenserecord.id")
    evidence: dict[str, Any] | None = _json(None)
    checked_at: NaiveDatetime
    expires_at: NaiveDatetime | None = None
    source_as_of: NaiveDatetime | None = None
    verify_run_id: int | None = Field(default=None, foreign_key="verifyrun.id")
    crawl_run_id: int | None = Field(default=None, foreign_key="crawlrun.id")  # the crawl behind the claim
    sync_ids: dict[str, int] = _json({})  # source -> SourceSync id behind the evidence and the exclusion check


class Discrepancy(SQLModel, table=True):
    """A plain-English mismatch between what a practice's site claims and what the verdicts show.

    Rewritten by each verification run (derived data: the verdicts are the evidence)."""

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    state: str | None = None  # USPS code when the discrepancy is about one state
    mode: str | None = None  # ServiceMode
    clinician_id: int | None = Field(default=None, foreign_key="clinician.id")
    text: str = Field(sa_column=Column(Text))
    found_at: NaiveDatetime = Field(default_factory=utcnow)


# --- issue 14: verdict inputs ---------------------------------------------------------------------
# What each clinician's verdicts were judged from, so ``verify --due`` re-judges only the clinicians whose
# inputs changed (directory/verification/inputs.py). All of a clinician's claims are judged from one gathering
# of board records, so the inputs are kept per clinician; the verdicts themselves stay in Verification.


class VerdictInputs(SQLModel, table=True):
    """The inputs behind one clinician's current verdicts, as they were when last judged."""

    clinician_id: int = Field(primary_key=True, foreign_key="clinician.id")
    practice_id: int = Field(foreign_key="practice.id")
    listing_hash: str  # the claims' own inputs: practice, clinician, credentials, service areas
    claims: int = 0  # how many verdict rows the judging left (a row deleted behind our back makes it due)
    # The earliest moment a dated input flips: a license expiry passes, a record's data leaves the freshness
    # window. None: nothing dated was read.
    recheck_at: NaiveDatetime | None = None
    judged_at: NaiveDatetime
    verify_run_id: int | None = Field(default=None, foreign_key="verifyrun.id")


class VerdictInputRecord(SQLModel, table=True):
    """A board record a clinician's verdicts read, with the fingerprint of its judged fields at that time."""

    __table_args__ = (Index("ix_verdictinputrecord_record", "record_id"),)

    clinician_id: int = Field(primary_key=True, foreign_key="clinician.id")
    record_id: int = Field(primary_key=True)  # no foreign key: a deleted record must still make its readers due
    fingerprint: str


class VerdictInputKey(SQLModel, table=True):
    """A look-up key through which a new or changed record would reach a clinician's verdicts (``name:CT:roe``,
    ``number:LPC123``, ``npi:…``, ``family:roe``, ``prefix:CT:smit``), or a source whose health they read
    (``source:ct_socrata``)."""

    __table_args__ = (Index("ix_verdictinputkey_key", "key"),)

    clinician_id: int = Field(primary_key=True, foreign_key="clinician.id")
    key: str = Field(primary_key=True)


class VerdictInputState(SQLModel, table=True):
    """One row: what the last verify run saw as a whole (so the next ``--due`` run knows what changed since)."""

    id: int = Field(default=1, primary_key=True)
    rules_version: str  # code, data tables, settings and the interstate rules in force on the day
    health: dict[str, str] = _json({})  # source -> fingerprint of its health (available, reason, as of)
    records_upto: int = 0  # highest LicenseRecord id then: higher ids are new records
    changes_upto: int = 0  # highest RecordChange id then: higher ids are record changes since
    verify_run_id: int | None = Field(default=None, foreign_key="verifyrun.id")


class RecordChange(SQLModel, table=True):
    """A board record whose judged fields were updated, or that was deleted: written by database triggers
    (migration 0004), whoever the writer is. New records need no entry: their ids are above ``records_upto``."""

    __table_args__ = {"sqlite_autoincrement": True}  # ids never reused after the log is pruned

    id: int | None = Field(default=None, primary_key=True)
    record_id: int


# --- issue 15: refresh --------------------------------------------------------------------------


class SiteSchedule(SQLModel, table=True):
    """When ``kapdir refresh`` crawls a practice site next, and why: re-crawled sooner when it changed, less often
    while it stays the same, backing off while it fails. One row per site (``Practice.key``), written by refresh."""

    id: int | None = Field(default=None, primary_key=True)
    site: str = Field(unique=True)  # the site key (crawler.links.site_key), as Practice.key
    url: str  # the seed URL crawled
    last_attempt_at: NaiveDatetime | None = None
    last_outcome: str | None = None  # changed | unchanged | failed
    unchanged_streak: int = 0  # crawls in a row that found nothing new
    failures: int = 0  # failed crawls in a row
    next_due_at: NaiveDatetime | None = Field(default=None, index=True)
    crawl_run_id: int | None = Field(default=None, foreign_key="crawlrun.id")  # the last run that tried it
    reason: str | None = None  # plain English: why it is due when it is


class RefreshRun(SQLModel, table=True):
    """One ``kapdir refresh``: what was due, what it did (crawl, syncs, verification) and when the next is due."""

    id: int | None = Field(default=None, primary_key=True)
    started_at: NaiveDatetime = Field(default_factory=utcnow)
    finished_at: NaiveDatetime | None = None
    status: str = "running"  # running | finished | failed
    sites_due: int = 0
    sites_crawled: int = 0
    sources_checked: int = 0
    sources_synced: int = 0  # sources that downloaded new data (an unchanged answer is checked, not synced)
    claims_rechecked: int = 0
    crawl_run_id: int | None = Field(default=None, foreign_key="crawlrun.id")
    verify_run_id: int | None = Field(default=None, foreign_key="verifyrun.id")
    parts: dict[str, Any] = _json({})  # the summary of each part (crawl, sync, verify, deliver)
    next_due_at: NaiveDatetime | None = None
    message: str | None = Field(default=None, sa_column=Column(Text))


# --- issue 15: watching -------------------------------------------------------------------------
# Change events themselves are never stored: directory.changes derives them from the records above. These tables
# hold only who watches what, and which events a webhook has already been given.


class WatchList(SQLModel, table=True):
    """Practices someone watches, keyed by the name or e-mail they typed (no accounts)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str  # as typed (trimmed)
    key: str = Field(unique=True)  # the name folded to lower case: how it is looked up
    feed_token: str = Field(unique=True)  # random: the Atom feed URL names this, never the name or e-mail
    created_at: NaiveDatetime = Field(default_factory=utcnow)


class WatchedPractice(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("watch_list_id", "practice_id"),)

    id: int | None = Field(default=None, primary_key=True)
    watch_list_id: int = Field(foreign_key="watchlist.id", index=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    added_at: NaiveDatetime = Field(default_factory=utcnow)


class WebhookBatch(SQLModel, table=True):
    """One JSON POST to the webhook: its events, kept until a 2xx answer (retried with backoff until then).

    ``status`` baseline marks the events that existed when a webhook was first configured (never sent)."""

    id: int | None = Field(default=None, primary_key=True)
    target: str = Field(index=True)  # sha256 of the webhook URL (the URL may carry a secret: not stored)
    target_label: str  # scheme://host[:port] only, for the admin to read
    status: str = "pending"  # pending | delivered | baseline
    events: int = 0
    payload: dict[str, Any] | None = _json(None)
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    attempts: int = 0
    next_attempt_at: NaiveDatetime | None = None
    last_error: str | None = None
    delivered_at: NaiveDatetime | None = None
    claimed_until: NaiveDatetime | None = None  # a sender holds the batch until then (no two send it at once)


class WebhookEvent(SQLModel, table=True):
    """Which event went into which batch: unique per target, so no event is ever put in two batches."""

    __table_args__ = (UniqueConstraint("target", "event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    target: str
    event_id: str
    batch_id: int = Field(foreign_key="webhookbatch.id", index=True)
