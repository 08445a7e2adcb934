"""The basis sentence of a verdict, written from a Decision (reason code and evidence): words only, no judgement."""

import us

from directory.boards.registry import source_label
from directory.verification.decision import PRESCRIBING, ClaimFacts, Decision
from directory.verification.evidence import Candidate, Evidence
from directory.vocab import LicenseClass, RecordKind, Verdict

CLASS_WORDS = {
    LicenseClass.PROFESSIONAL_COUNSELOR.value: "professional counselor (LPC/LCPC/LMHC)",
    LicenseClass.ASSOCIATE_COUNSELOR.value: "associate counselor (a supervised tier: LPCA, LAPC, LGPC, Illinois LPC)",
    LicenseClass.CLINICAL_SOCIAL_WORKER.value: "clinical social worker",
    LicenseClass.SOCIAL_WORKER.value: "social worker (non-clinical)",
    LicenseClass.MARRIAGE_FAMILY_THERAPIST.value: "marriage and family therapist",
    LicenseClass.ASSOCIATE_MARRIAGE_FAMILY_THERAPIST.value: "associate marriage and family therapist (supervised)",
    LicenseClass.PSYCHOLOGIST.value: "psychologist",
    LicenseClass.PHYSICIAN.value: "physician",
    LicenseClass.NURSE_PRACTITIONER.value: "nurse practitioner",
    LicenseClass.PHYSICIAN_ASSISTANT.value: "physician assistant",
    LicenseClass.REGISTERED_NURSE.value: "registered nurse",
    LicenseClass.OTHER.value: "other (intern, another profession or non-clinical)",
}
_KIND_WORDS = {
    RecordKind.LICENSE.value: "license",
    RecordKind.COMPACT_PRIVILEGE.value: "Counseling Compact privilege",
    RecordKind.PSYPACT_AUTHORITY.value: "PSYPACT authority (APIT)",
    RecordKind.TELEHEALTH_REGISTRATION.value: "telehealth registration",
    RecordKind.EXCLUSION.value: "exclusion",
}


def state_name(code: str | None) -> str:
    found = us.states.lookup(code) if code else None
    return found.name if found is not None else (code or "?")


def class_words(classes) -> str:
    names = sorted(CLASS_WORDS.get(c, c.replace("_", " ")) for c in classes)
    return " or ".join(names) if names else "any"


def describe(record: Evidence) -> str:
    what = _KIND_WORDS.get(record.kind, record.kind)
    title = record.title or CLASS_WORDS.get(record.license_class or "", "")
    number = f" {record.license_number}" if record.license_number else ""
    place = state_name(record.state) if record.state else "national"
    return f"{place} {what} ({title}{number}, {source_label(record.source)}: \"{record.status_raw or record.status}\")"


def _day(value) -> str:
    return value.strftime("%Y-%m-%d") if value else "an unknown date"


def _lead(candidate: Candidate, decision: Decision) -> str:
    authority = f" ({decision.authority.name})" if decision.authority else ""
    return f"The {describe(candidate.evidence)}{authority}"


def _status_sentence(decision: Decision) -> str:
    record = decision.candidate.evidence
    lead = _lead(decision.candidate, decision)
    verdict = decision.capped or decision.verdict
    if decision.reason == "expired_by_date" or (verdict == Verdict.EXPIRED and record.expires):
        return f"{lead} expired on {_day(record.expires)}."
    if verdict == Verdict.EXPIRED:
        return f"{lead} expired."
    if verdict == Verdict.VERIFIED_WITH_DISCIPLINE:
        text = "; ".join(text for _, text in decision.discipline) or "probation or discipline on record"
        return f"{lead} is active with discipline: {text}"
    if verdict.is_pass:
        return f"{lead} is active."
    if decision.reason == "status_not_recognised":
        return f"{lead} has a status that is not recognised as active."
    return f"{lead} is {record.status}."


def _discipline_note(decision: Decision) -> str:
    """Discipline from any source of the license is always shown."""
    verdict = decision.capped or decision.verdict
    if not decision.discipline or verdict == Verdict.VERIFIED_WITH_DISCIPLINE:
        return ""
    return " Discipline on record: " + "; ".join(f"{text} ({source})" for source, text in decision.discipline)


def basis(decision: Decision, claim: ClaimFacts, name: str) -> str:
    place = state_name(claim.state)
    reason = decision.reason
    if reason == "excluded":
        entry = decision.other.evidence
        return (f"{name} matches an OIG exclusion list entry ({entry.holder_name}"
                f"{', NPI ' + entry.npi if entry.npi else ''}; {source_label(entry.source)}): excluded whatever the "
                "state license says.")
    if reason == "class_unknown":
        return (f"The site names no license or role for {name}, so which license a claim in {place} needs is "
                "unknown and nothing can be verified.")
    if reason == "ambiguous":
        numbers = sorted({f"{c.evidence.license_number or c.evidence.record_key} ({c.evidence.holder_name})"
                          for c in decision.related})
        return (f"Two or more {place} records plausibly match {name}: {', '.join(numbers)}. "
                "They may be different people, so nothing is verified.")
    if reason == "class_mismatch":
        other = decision.candidate.evidence
        return (f"The site lists {name} as {class_words(claim.wanted)}, but the {place} record found is "
                f"{describe(other)} ({class_words([other.license_class or 'other'])}): a different license "
                "class.")
    if reason == "conflict":
        first, second = decision.candidate.evidence, decision.other.evidence
        return (f"Sources disagree about one {place} license of {name}, both as of {_day(first.as_of)}: "
                f"{describe(first)} against {describe(second)}. Nothing is verified until they agree."
                + _discipline_note(decision))
    if reason in ("no_source", "source_down", "not_found", "authority_by_hand"):
        what = f"{class_words(claim.wanted)} license" if claim.wanted else "license"
        # Sources nobody may fetch (Nursys, PSYPACT, WA Provider Credential Search): the verdict names where to check.
        by_hand = "".join(f" {text}." for text in claim.by_hand)
        if reason == "no_source":
            return (f"No source for {place} {what}s is configured (no roster, look-up or registry for that "
                    f"board), so {place} cannot be checked.{by_hand}")
        if reason == "source_down":
            return f"No {place} {what} record could be checked: {'; '.join(h.reason for h in decision.down)}."
        # the sources searched, undated: when they were last checked is shown beside the verdict (health.py)
        as_of = "searched: " + "; ".join(source_label(h.source) for h in decision.down)
        if reason == "authority_by_hand":
            return (f"No {place} {what} record matching {name} was found ({as_of}), but "
                    f"{' or '.join(claim.authorities_by_hand)} could cover this without one, and only a manual "
                    f"source shows that, so it cannot be checked here.{by_hand}")
        return f"No {place} {what} record matching {name} was found ({as_of}).{by_hand}"
    text = _status_sentence(decision) + _discipline_note(decision)
    if decision.authority is not None and claim.mode in decision.authority.modes and reason != "virtual_only_authority":
        text += f" It covers {claim.mode.value.replace('_', ' ')} care for a client in {place}."
    if reason == "virtual_only_authority":
        record = decision.candidate.evidence
        text = (f"In person in {place} is claimed, but the only basis found is the {describe(record)} "
                f"({decision.authority.name}), which covers virtual care only.")
    elif reason == "possible_exclusion":
        entry = decision.other.evidence
        where = state_name(entry.address_state or entry.state) if (entry.address_state or entry.state) else "?"
        text += (f" But the OIG exclusion list has an entry of the same name ({entry.holder_name}, {where}"
                 f"{', NPI ' + entry.npi if entry.npi else ''}; {source_label(entry.source)}) and no NPI or date of "
                 "birth tells them apart, so this is not a pass until someone checks.")
    elif reason == "exclusions_unchecked":
        text += (f" But the federal exclusion list could not be checked ({decision.down[0].reason}), "
                 "and no pass is given without it.")
    elif reason == "identity_name_only":
        record = decision.candidate.evidence
        text += (f" But the record ({record.holder_name}) matches {name} by name only (an initial, nickname or "
                 "variant), and no license number or NPI ties them, so it is not confirmed to be this person.")
    elif reason == "stale_evidence":
        health = decision.down[0] if decision.down else None
        why = health.reason if health is not None and not health.available else \
            "the record is older than the freshness window"
        text += f" But {why}, so this cannot be confirmed now."
    if decision.verdict.is_pass and claim.kind == PRESCRIBING:
        # Prescribing ketamine (Schedule III) also needs DEA registration, which has no public look-up.
        text += f" A DEA registration for {place} is also needed and is not publicly verifiable."
    return text
