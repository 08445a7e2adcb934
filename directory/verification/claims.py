"""What a practice's site claims, turned into checkable claims with stable keys.

- service: "clinician C may serve a client located in S in person / virtually" for each state the practice
  serves and each mode it says it offers there;
- prescribing: "prescriber C may prescribe to a client in S" for each state the practice serves;
- credential: each credential as the site writes it (certifications and trainings are "claimed", DEA is
  "not publicly verifiable", a state license tied to one state is checked like a license; degrees are not
  claims of authority).
"""

from dataclasses import dataclass

from directory.boards import titles
from directory.extraction import taxonomy
from directory.models import Clinician, CredentialClaim, Practice, ServiceArea
from directory.vocab import PRESCRIBING_CLASSES, CredentialKind, LicenseClass, Role, ServiceMode, Verdict

SERVICE = "service"
PRESCRIBING = "prescribing"
CREDENTIAL = "credential"

# Outcomes of credential claims that are not license verdicts (stored in Verification.verdict).
CLAIMED = Verdict.CLAIMED.value
CONFIRMED = Verdict.CONFIRMED.value
NOT_PUBLICLY_VERIFIABLE = Verdict.NOT_PUBLICLY_VERIFIABLE.value

_NO_LICENSE_CLASS = {LicenseClass.OTHER.value, ""}


@dataclass(frozen=True)
class Claim:
    key: str  # stable across runs: practice key / clinician key / kind / state / mode-or-code
    kind: str  # service | prescribing | credential
    practice_id: int
    clinician_id: int
    state: str | None = None
    mode: ServiceMode | None = None
    credential_code: str | None = None
    credential_kind: str | None = None
    license_class: str | None = None  # for a state-license credential claim
    license_number: str | None = None


def credential_kind(claim: CredentialClaim) -> str:
    """The taxonomy's reading of a code first; the kind stored by extraction otherwise."""
    info = taxonomy.lookup(claim.code)
    return info.kind.value if info is not None else claim.kind


def credential_class(claim: CredentialClaim) -> str | None:
    """The license class a credential claims (LPC, LCPC, LMHC -> professional_counselor), if any."""
    info = taxonomy.lookup(claim.code)
    value = info.license_class.value if info is not None and info.license_class is not None else claim.license_class
    return None if value in _NO_LICENSE_CLASS or value is None else value


def credential_class_in(claim: CredentialClaim, state: str | None) -> str | None:
    """The class a credential claims in one state: a state's tier first (a site's "LPC" serving Illinois claims
    Illinois' provisional tier), then the taxonomy."""
    tier = titles.tier_class(claim.code, state) if state else None
    return tier.value if tier is not None else credential_class(claim)


def claimed_classes(credentials: list[CredentialClaim], state: str | None = None) -> frozenset[str]:
    """License classes the credentials claim or imply (an MD degree implies a physician license, PA-C a PA
    license), read in ``state`` when given; certifications and degrees that imply no class add nothing."""
    return frozenset(cls for claim in credentials if (cls := credential_class_in(claim, state)) is not None)


# Classes that permit a service when the site names no credential: taken from the clinician's role. Supervised
# tiers, non-clinical social workers and registered nurses do not practise psychotherapy independently.
THERAPY_CLASSES = frozenset({
    LicenseClass.PROFESSIONAL_COUNSELOR.value, LicenseClass.CLINICAL_SOCIAL_WORKER.value,
    LicenseClass.MARRIAGE_FAMILY_THERAPIST.value, LicenseClass.PSYCHOLOGIST.value, LicenseClass.PHYSICIAN.value,
    LicenseClass.NURSE_PRACTITIONER.value,
})
ROLE_CLASSES = {
    Role.THERAPIST.value: THERAPY_CLASSES,
    Role.PRESCRIBER.value: frozenset(c.value for c in PRESCRIBING_CLASSES),
    Role.NURSE.value: frozenset({LicenseClass.REGISTERED_NURSE.value, LicenseClass.NURSE_PRACTITIONER.value}),
}
# An independent license also backs a claim of its own supervised tier (an LCPC holder who writes "LPC").
BACKS_TIER = {
    LicenseClass.ASSOCIATE_COUNSELOR.value: LicenseClass.PROFESSIONAL_COUNSELOR.value,
    LicenseClass.ASSOCIATE_MARRIAGE_FAMILY_THERAPIST.value: LicenseClass.MARRIAGE_FAMILY_THERAPIST.value,
}


def permitted_classes(claim: "Claim", credentials: list[CredentialClaim], role: str | None) -> frozenset[str]:
    """License classes that permit this claim: from the site's credentials read in the claim's state, else from
    the clinician's role; empty when neither says (then nothing can pass)."""
    if claim.kind == CREDENTIAL:
        tier = titles.tier_class(claim.credential_code, claim.state) if claim.state else None
        wanted = frozenset({tier.value}) if tier is not None else (
            frozenset({claim.license_class}) if claim.license_class else frozenset())
    else:
        site = claimed_classes(credentials, claim.state)
        if claim.kind == PRESCRIBING:
            prescribing = frozenset(c.value for c in PRESCRIBING_CLASSES)
            wanted = (site & prescribing) or prescribing
        else:
            wanted = site or ROLE_CLASSES.get(role or "", frozenset())
    return wanted | {BACKS_TIER[c] for c in wanted if c in BACKS_TIER}


def is_prescriber(clinician: Clinician, classes: frozenset[str]) -> bool:
    return clinician.role == Role.PRESCRIBER.value or bool(classes & PRESCRIBING_CLASSES)


def _is_dea(code: str) -> bool:
    return code.strip().upper().replace(".", "").startswith("DEA")


def claims_for(
    practice: Practice,
    clinician: Clinician,
    areas: list[ServiceArea],
    credentials: list[CredentialClaim],
) -> list[Claim]:
    """Every claim one clinician's listing makes, in a stable order."""
    base = f"{practice.key}/{clinician.key}"
    common = {"practice_id": practice.id, "clinician_id": clinician.id}
    claims: list[Claim] = []
    classes = claimed_classes(credentials)
    served = sorted({area.state for area in areas if area.in_person or area.virtual})
    for area in sorted(areas, key=lambda a: a.state):
        for mode, offered in ((ServiceMode.IN_PERSON, area.in_person), (ServiceMode.VIRTUAL, area.virtual)):
            if offered:
                key = f"{base}/{SERVICE}/{area.state}/{mode.value}"
                claims.append(Claim(key=key, kind=SERVICE, state=area.state, mode=mode, **common))
    if is_prescriber(clinician, classes):
        for state in served:
            key = f"{base}/{PRESCRIBING}/{state}"
            claims.append(
                Claim(key=key, kind=PRESCRIBING, state=state, mode=ServiceMode.PRESCRIBING, **common)
            )
    for credential in sorted(credentials, key=lambda c: (c.code, c.state or "")):
        kind = credential_kind(credential)
        if kind == CredentialKind.DEGREE.value:
            continue  # a degree is not a claim of authority to practise
        if kind == CredentialKind.STATE_LICENSE.value and not credential.state:
            continue  # judged through the service claims, in each state served
        key = f"{base}/{CREDENTIAL}/{credential.code}/{credential.state or '-'}"
        claims.append(
            Claim(
                key=key,
                kind=CREDENTIAL,
                state=credential.state,
                credential_code=credential.code,
                credential_kind=kind,
                license_class=credential_class(credential),
                license_number=credential.license_number,
                **common,
            )
        )
    return claims


def non_license_outcome(claim: Claim) -> tuple[str, str] | None:
    """(outcome, basis) for credentials that no board source can check; None for license claims."""
    if claim.kind != CREDENTIAL or claim.credential_kind == CredentialKind.STATE_LICENSE.value:
        return None
    code = claim.credential_code or ""
    if claim.credential_kind == CredentialKind.REGISTRATION.value or _is_dea(code):
        return (
            NOT_PUBLICLY_VERIFIABLE,
            f"{code}: DEA registrations have no public look-up, so this cannot be verified.",
        )
    what = "training" if claim.credential_kind == CredentialKind.TRAINING.value else "certification"
    return (
        CLAIMED,
        f"{code}: a {what} the site claims. It is not authority to practise, and no public list "
        "confirming it is checked.",
    )
