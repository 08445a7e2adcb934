"""Controlled vocabularies used everywhere (CLI, storage, export, dashboard).

Each is a ``str`` enum so values serialise as plain strings and compare equal to them.
"""

from enum import StrEnum


class LicenseClass(StrEnum):
    """The kind of state license a title belongs to; LPC, LCPC and LMHC are one class."""

    PROFESSIONAL_COUNSELOR = "professional_counselor"
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
    """Verdict codes, in order of meaning (best first)."""

    VERIFIED = "verified"
    VERIFIED_COMPACT_PRIVILEGE = "verified_compact_privilege"
    VERIFIED_PSYPACT = "verified_psypact"
    VERIFIED_NLC = "verified_nlc"
    VERIFIED_TELEHEALTH_REGISTRATION = "verified_telehealth_registration"
    VERIFIED_WITH_DISCIPLINE = "verified_with_discipline"
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

    @property
    def is_pass(self) -> bool:
        return self in PASSING_VERDICTS


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


class Badge(StrEnum):
    """The four badges a dashboard card shows for a verdict."""

    VERIFIED = "verified"
    WARNING = "warning"
    PROBLEM = "problem"
    UNVERIFIED = "unverified"


def badge_for(verdict: Verdict | str | None) -> Badge:
    if verdict is None:
        return Badge.UNVERIFIED
    verdict = Verdict(verdict)
    if verdict is Verdict.VERIFIED_WITH_DISCIPLINE:
        return Badge.WARNING
    if verdict.is_pass:
        return Badge.VERIFIED
    if verdict in {
        Verdict.EXPIRED,
        Verdict.INACTIVE,
        Verdict.SUSPENDED_OR_REVOKED,
        Verdict.EXCLUDED,
        Verdict.WRONG_LICENSE_CLASS,
        Verdict.IN_PERSON_NOT_COVERED,
        Verdict.NOT_FOUND,
    }:
        return Badge.PROBLEM
    return Badge.UNVERIFIED


class FetchOutcome(StrEnum):
    """Per-URL outcome of a crawl request, recorded in the crawl run."""

    OK = "ok"
    NOT_MODIFIED = "not_modified"
    HTTP_4XX = "http_4xx"
    HTTP_5XX = "http_5xx"
    TIMEOUT = "timeout"
    CONNECTION = "connection"
    REDIRECT_LOOP = "redirect_loop"
    TOO_LARGE = "too_large"
    ROBOTS_DISALLOWED = "robots_disallowed"
    NON_HTML = "non_html"
    DECODE = "decode"
    OTHER = "other"
