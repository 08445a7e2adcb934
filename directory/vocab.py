"""Controlled vocabularies used everywhere (CLI, storage, export, dashboard).

Each is a ``str`` enum so values serialise as plain strings and compare equal to them.
"""

from enum import StrEnum

import phonenumbers


class LicenseClass(StrEnum):
    """The kind of state license a title belongs to; LPC, LCPC and LMHC are one class where each is a state's
    independent counselor title. Provisional or supervised tiers (LPCA, LAPC, LGPC, Illinois' LPC, LMFT-A) are
    their own classes: they do not back a claim of the independent title."""

    PROFESSIONAL_COUNSELOR = "professional_counselor"
    ASSOCIATE_COUNSELOR = "associate_counselor"  # supervised tier: LPCA, LAPC, LGPC, LPC in Illinois
    ASSOCIATE_MARRIAGE_FAMILY_THERAPIST = "associate_marriage_family_therapist"  # LMFT-A, AMFT
    CLINICAL_SOCIAL_WORKER = "clinical_social_worker"
    SOCIAL_WORKER = "social_worker"  # non-clinical (e.g. LMSW): may not practise psychotherapy independently
    MARRIAGE_FAMILY_THERAPIST = "marriage_family_therapist"
    PSYCHOLOGIST = "psychologist"
    PHYSICIAN = "physician"
    NURSE_PRACTITIONER = "nurse_practitioner"
    PHYSICIAN_ASSISTANT = "physician_assistant"
    REGISTERED_NURSE = "registered_nurse"
    OTHER = "other"


PRESCRIBING_CLASSES = frozenset(
    {LicenseClass.PHYSICIAN, LicenseClass.NURSE_PRACTITIONER, LicenseClass.PHYSICIAN_ASSISTANT}
)


class CredentialKind(StrEnum):
    STATE_LICENSE = "state_license"
    NATIONAL_CERTIFICATION = "national_certification"
    DEGREE = "degree"
    TRAINING = "training"
    REGISTRATION = "registration"  # e.g. DEA: real authority, but not publicly verifiable


class Role(StrEnum):
    THERAPIST = "therapist"
    PRESCRIBER = "prescriber"
    NURSE = "nurse"
    OTHER = "other"


class LicenseStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    EXPIRED = "expired"
    PROBATION = "probation"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    SURRENDERED = "surrendered"
    DECEASED = "deceased"
    UNKNOWN = "unknown"


class RecordKind(StrEnum):
    """What a stored board record is evidence of."""

    LICENSE = "license"
    COMPACT_PRIVILEGE = "compact_privilege"  # Counseling Compact privilege to practise in `state`
    PSYPACT_AUTHORITY = "psypact_authority"  # APIT: telepsychology into PSYPACT states
    TELEHEALTH_REGISTRATION = "telehealth_registration"  # e.g. Florida s. 456.47
    EXCLUSION = "exclusion"  # OIG LEIE and similar
    NPI = "npi"  # identity only, never proof of a license


class ServiceMode(StrEnum):
    IN_PERSON = "in_person"
    VIRTUAL = "virtual"
    PRESCRIBING = "prescribing"


class Route(StrEnum):
    IV = "iv"
    IM = "im"
    ORAL_SUBLINGUAL = "oral_sublingual"
    INTRANASAL = "intranasal"
    ESKETAMINE_SPRAVATO = "esketamine_spravato"


class Setting(StrEnum):
    CLINIC = "clinic"
    AT_HOME = "at_home"
    GROUP = "group"
    RETREAT = "retreat"


class Verdict(StrEnum):
    """Every verdict code kapdir gives, in order of meaning (best first): license verdicts first, then the
    verdicts of credentials that are not licenses (certifications, trainings, DEA registration)."""

    VERIFIED = "verified"
    VERIFIED_COMPACT_PRIVILEGE = "verified_compact_privilege"
    VERIFIED_PSYPACT = "verified_psypact"
    VERIFIED_NLC = "verified_nlc"
    VERIFIED_TELEHEALTH_REGISTRATION = "verified_telehealth_registration"
    VERIFIED_WITH_DISCIPLINE = "verified_with_discipline"
    # Not passes, with a warning badge: the record looks right but something stops a pass.
    IDENTITY_UNCONFIRMED = "identity_unconfirmed"  # matched by initial or nickname only, nothing ties it
    POSSIBLE_EXCLUSION = "possible_exclusion"  # same full name on the OIG list, nothing to tell them apart
    CONFLICTING_SOURCES = "conflicting_sources"  # equally fresh sources disagree on one license
    EXPIRED = "expired"
    INACTIVE = "inactive"
    SUSPENDED_OR_REVOKED = "suspended_or_revoked"
    EXCLUDED = "excluded"
    WRONG_LICENSE_CLASS = "wrong_license_class"
    IN_PERSON_NOT_COVERED = "in_person_not_covered"
    NOT_FOUND = "not_found"
    AMBIGUOUS = "ambiguous"
    SOURCE_UNAVAILABLE = "source_unavailable"
    NOT_CHECKABLE = "not_checkable"
    # Credentials that are not state licenses.
    CONFIRMED = "confirmed"  # a public list (issuer's directory) confirms the credential
    CLAIMED = "claimed"  # the website says so; no public list checked
    NOT_PUBLICLY_VERIFIABLE = "not_publicly_verifiable"  # real authority, no public look-up (DEA)

    @property
    def is_pass(self) -> bool:
        """A license pass: someone may serve a client this way. Credential verdicts are never passes."""
        return self in PASSING_VERDICTS

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self]

    @property
    def badge(self) -> "Badge":
        return VERDICT_BADGES[self]


PASSING_VERDICTS = frozenset(
    {
        Verdict.VERIFIED,
        Verdict.VERIFIED_COMPACT_PRIVILEGE,
        Verdict.VERIFIED_PSYPACT,
        Verdict.VERIFIED_NLC,
        Verdict.VERIFIED_TELEHEALTH_REGISTRATION,
        Verdict.VERIFIED_WITH_DISCIPLINE,
    }
)

CREDENTIAL_VERDICTS = frozenset({Verdict.CONFIRMED, Verdict.CLAIMED, Verdict.NOT_PUBLICLY_VERIFIABLE})


class Badge(StrEnum):
    """The four badges a dashboard card shows for a verdict."""

    VERIFIED = "verified"
    WARNING = "warning"
    PROBLEM = "problem"
    UNVERIFIED = "unverified"

    @property
    def label(self) -> str:
        return BADGE_LABELS[self]

    @property
    def meaning(self) -> str:
        return BADGE_MEANINGS[self]


# The one place verdicts get their words and badges: the dashboard, the exports and the CLI all read these.
VERDICT_LABELS: dict[Verdict, str] = {
    Verdict.VERIFIED: "Verified: active license in this state",
    Verdict.VERIFIED_COMPACT_PRIVILEGE: "Verified: Counseling Compact privilege for this state",
    Verdict.VERIFIED_PSYPACT: "Verified: PSYPACT telepsychology authority",
    Verdict.VERIFIED_NLC: "Verified: multistate nurse license (Nurse Licensure Compact)",
    Verdict.VERIFIED_TELEHEALTH_REGISTRATION: "Verified: out-of-state telehealth registration",
    Verdict.VERIFIED_WITH_DISCIPLINE: "Licensed, but the board records discipline",
    Verdict.IDENTITY_UNCONFIRMED: "A license matches the name only loosely: not confirmed to be this person",
    Verdict.POSSIBLE_EXCLUSION: "Same name on the federal exclusion list (OIG): not yet told apart",
    Verdict.CONFLICTING_SOURCES: "Public sources disagree about this license",
    Verdict.EXPIRED: "License expired",
    Verdict.INACTIVE: "License inactive",
    Verdict.SUSPENDED_OR_REVOKED: "License suspended or revoked",
    Verdict.EXCLUDED: "Excluded from federal health programs (OIG)",
    Verdict.WRONG_LICENSE_CLASS: "Licensed, but not for this kind of care",
    Verdict.IN_PERSON_NOT_COVERED: "Virtual only: this authority does not cover in-person care",
    Verdict.NOT_FOUND: "No matching license found at the board",
    Verdict.AMBIGUOUS: "Several board records match: could not tell which",
    Verdict.SOURCE_UNAVAILABLE: "Board data unavailable at the last check",
    Verdict.NOT_CHECKABLE: "No public source to check this state",
    Verdict.CONFIRMED: "Confirmed by a public directory",
    Verdict.CLAIMED: "Claimed on the website; not confirmed by a public directory",
    Verdict.NOT_PUBLICLY_VERIFIABLE: "Not publicly verifiable (e.g. DEA registration)",
}

VERDICT_BADGES: dict[Verdict, Badge] = {
    **{v: Badge.VERIFIED for v in PASSING_VERDICTS},
    Verdict.VERIFIED_WITH_DISCIPLINE: Badge.WARNING,
    Verdict.IDENTITY_UNCONFIRMED: Badge.WARNING,
    Verdict.POSSIBLE_EXCLUSION: Badge.WARNING,
    Verdict.CONFLICTING_SOURCES: Badge.PROBLEM,
    Verdict.EXPIRED: Badge.PROBLEM,
    Verdict.INACTIVE: Badge.PROBLEM,
    Verdict.SUSPENDED_OR_REVOKED: Badge.PROBLEM,
    Verdict.EXCLUDED: Badge.PROBLEM,
    Verdict.WRONG_LICENSE_CLASS: Badge.PROBLEM,
    Verdict.IN_PERSON_NOT_COVERED: Badge.PROBLEM,
    Verdict.NOT_FOUND: Badge.PROBLEM,
    Verdict.AMBIGUOUS: Badge.UNVERIFIED,
    Verdict.SOURCE_UNAVAILABLE: Badge.UNVERIFIED,
    Verdict.NOT_CHECKABLE: Badge.UNVERIFIED,
    Verdict.CONFIRMED: Badge.VERIFIED,
    Verdict.CLAIMED: Badge.UNVERIFIED,
    Verdict.NOT_PUBLICLY_VERIFIABLE: Badge.UNVERIFIED,
}

BADGE_LABELS: dict[Badge, str] = {
    Badge.VERIFIED: "Verified",
    Badge.WARNING: "Warning",
    Badge.PROBLEM: "Problem",
    Badge.UNVERIFIED: "Unverified",
}

BADGE_MEANINGS: dict[Badge, str] = {
    Badge.VERIFIED: "A licensing board, compact or registry confirms someone here may serve you this way.",
    Badge.WARNING: "Authority found, but with a caveat: board discipline, a loose name match, a namesake on the "
    "exclusion list, or another clinician has a problem.",
    Badge.PROBLEM: "The public record contradicts the claim: expired, revoked, excluded, wrong license, none found "
    "or sources in conflict.",
    Badge.UNVERIFIED: "Not checked yet, or no public source can confirm it. Absence of a check is not a pass.",
}


def badge_for(verdict: Verdict | str | None) -> Badge:
    """The badge of a verdict code; no verdict, or a code this version does not know, is unverified."""
    if verdict is None:
        return Badge.UNVERIFIED
    try:
        return VERDICT_BADGES[Verdict(verdict)]
    except ValueError:
        return Badge.UNVERIFIED


def verdict_label(verdict: Verdict | str | None) -> str:
    if verdict is None:
        return "Not checked yet"
    try:
        return VERDICT_LABELS[Verdict(verdict)]
    except ValueError:
        return str(verdict).replace("_", " ")


class InsuranceStance(StrEnum):
    """What a practice site says about paying with health insurance (the extraction's ``insurance`` field)."""

    ACCEPTED = "accepted"
    OUT_OF_NETWORK_SUPERBILL = "out_of_network_superbill"
    NOT_ACCEPTED = "not_accepted"


# Plain words for every other code a visitor can see. Pages never show a code itself: they go through these
# tables (or code_label below), so "out_of_network_superbill" reads "Out of network: superbill provided".
MODE_LABELS: dict[str, str] = {
    ServiceMode.IN_PERSON: "in person",
    ServiceMode.VIRTUAL: "virtual (telehealth)",
    ServiceMode.PRESCRIBING: "prescribing",
}

ROUTE_LABELS: dict[str, str] = {
    Route.IV: "IV infusion",
    Route.IM: "IM injection",
    Route.ORAL_SUBLINGUAL: "Sublingual / oral (lozenge, RDT)",
    Route.INTRANASAL: "Intranasal",
    Route.ESKETAMINE_SPRAVATO: "Spravato (esketamine)",
}

SETTING_LABELS: dict[str, str] = {
    Setting.CLINIC: "In a clinic or office",
    Setting.AT_HOME: "At home",
    Setting.GROUP: "Group",
    Setting.RETREAT: "Retreat",
}

INSURANCE_LABELS: dict[str, str] = {
    InsuranceStance.ACCEPTED: "Accepts insurance",
    InsuranceStance.OUT_OF_NETWORK_SUPERBILL: "Out of network: superbill provided for reimbursement",
    InsuranceStance.NOT_ACCEPTED: "Does not take insurance",
}

ROLE_LABELS: dict[str, str] = {
    Role.THERAPIST: "Therapist",
    Role.PRESCRIBER: "Prescriber",
    Role.NURSE: "Nurse",
    Role.OTHER: "Other",
}

LICENSE_CLASS_LABELS: dict[str, str] = {
    LicenseClass.PROFESSIONAL_COUNSELOR: "Professional counselor (LPC, LCPC, LMHC)",
    LicenseClass.ASSOCIATE_COUNSELOR: "Associate counselor (supervised)",
    LicenseClass.ASSOCIATE_MARRIAGE_FAMILY_THERAPIST: "Associate marriage and family therapist (supervised)",
    LicenseClass.CLINICAL_SOCIAL_WORKER: "Clinical social worker (LCSW)",
    LicenseClass.SOCIAL_WORKER: "Social worker (non-clinical)",
    LicenseClass.MARRIAGE_FAMILY_THERAPIST: "Marriage and family therapist (LMFT)",
    LicenseClass.PSYCHOLOGIST: "Psychologist",
    LicenseClass.PHYSICIAN: "Physician (MD, DO)",
    LicenseClass.NURSE_PRACTITIONER: "Nurse practitioner",
    LicenseClass.PHYSICIAN_ASSISTANT: "Physician assistant",
    LicenseClass.REGISTERED_NURSE: "Registered nurse",
    LicenseClass.OTHER: "Other license",
}

CREDENTIAL_KIND_LABELS: dict[str, str] = {
    CredentialKind.STATE_LICENSE: "State license",
    CredentialKind.NATIONAL_CERTIFICATION: "National certification",
    CredentialKind.DEGREE: "Degree",
    CredentialKind.TRAINING: "Training",
    CredentialKind.REGISTRATION: "Registration",
}

CLAIM_KIND_LABELS: dict[str, str] = {"service": "Service", "prescribing": "Prescribing", "credential": "Credential"}

# The evidence fields the extraction records (directory.extraction Evidence.field), as a visitor reads them.
FACT_FIELD_LABELS: dict[str, str] = {
    "name": "Name", "practice_name": "Practice name", "clinician": "Clinician", "clinicians": "Clinicians",
    "credentials": "Credentials", "licenses": "Licenses", "npi": "NPI", "states": "States served",
    "state": "State", "in_person": "In person", "virtual": "Virtual", "cities": "Cities", "city": "City",
    "addresses": "Addresses", "routes": "Routes", "routes_not_offered": "Routes not offered",
    "settings": "Settings", "settings_not_offered": "Settings not offered", "therapy_included": "Therapy included",
    "medical_partner": "Prescribing partner", "insurance": "Insurance", "prices_usd": "Prices (USD)",
    "phones": "Phone numbers", "emails": "E-mail addresses", "links": "Links",
}

_VALUE_LABELS: dict[str, dict[str, str]] = {
    "routes": ROUTE_LABELS, "routes_not_offered": ROUTE_LABELS, "settings": SETTING_LABELS,
    "settings_not_offered": SETTING_LABELS, "insurance": INSURANCE_LABELS,
}

# Every snake_case code of the enums above, for values that arrive without their field (code_label).
_ALL_CODE_LABELS: dict[str, str] = {
    **{v.value: v.label for v in Verdict}, **LICENSE_CLASS_LABELS, **CREDENTIAL_KIND_LABELS, **INSURANCE_LABELS,
    **ROUTE_LABELS, **SETTING_LABELS, **{ServiceMode.IN_PERSON.value: "in person"},
}


def phone_label(number: str) -> str:
    """A stored phone number (E.164, '+14105550184') as people write it: '(410) 555-0184'; foreign numbers in
    international form; anything unparseable as stored."""
    try:
        parsed = phonenumbers.parse(number, "US")
    except phonenumbers.NumberParseException:
        return number
    if not phonenumbers.is_possible_number(parsed):
        return number
    style = (phonenumbers.PhoneNumberFormat.NATIONAL if parsed.country_code == 1
             else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(parsed, style)


def code_label(value: object) -> str:
    """Plain words for a known code; any other value as it is (crawled text is shown as the site wrote it)."""
    text = "" if value is None else str(value)
    return _ALL_CODE_LABELS.get(text, text)


def fact_field_label(field: str) -> str:
    return FACT_FIELD_LABELS.get(field, field.replace("_", " ").capitalize())


def fact_value_label(field: str, value: object) -> str:
    """A stored fact value in words: codes through the field's label table, lists joined, booleans yes/no."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(fact_value_label(field, item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{fact_field_label(k)}: {fact_value_label(k, v)}" for k, v in value.items())
    if field in ("phones", "phone") and isinstance(value, str):
        return phone_label(value)
    table = _VALUE_LABELS.get(field)
    text = "" if value is None else str(value)
    return table.get(text, text) if table is not None else code_label(text)


class FetchOutcome(StrEnum):
    """Per-URL outcome of a crawl request, recorded in the crawl run."""

    OK = "ok"
    NOT_MODIFIED = "not_modified"
    HTTP_4XX = "http_4xx"
    HTTP_5XX = "http_5xx"
    TIMEOUT = "timeout"
    CONNECTION = "connection"
    REDIRECT_LOOP = "redirect_loop"
    BLOCKED_ADDRESS = "blocked_address"  # refused by the egress policy (directory.egress), never fetched
    TOO_LARGE = "too_large"
    ROBOTS_DISALLOWED = "robots_disallowed"
    ROBOTS_UNREACHABLE = "robots_unreachable"  # robots.txt answered 5xx/429: the site is not crawled (RFC 9309)
    NON_HTML = "non_html"
    DECODE = "decode"
    EXTRACT_TIMEOUT = "extract_timeout"  # fetched, but reading its facts ran past the per-page budget
    OTHER = "other"
