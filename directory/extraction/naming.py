"""The practice's name: what the page calls itself, never a section heading.

From the most to the least explicit: schema.org Organization name, og:site_name, a segment of the HTML <title>
the site's domain spells, a legal or copyright line, then the name the text uses for itself: a title-case phrase
the domain spells ("Cedar Hollow Wellness" on cedarhollowwellness.com; the domain alone never counts, the
phrase must be in the text) or that the text uses as its own subject ("At Cedar Hollow Wellness, we...",
"Cedar Hollow Wellness provides..."). A phrase of service words only ("Ketamine-Assisted Psychotherapy",
"Our Approach") is a heading, not a name: null rather than a heading.
"""

import re
from collections import Counter
from functools import lru_cache

from directory.extraction.contact import crisis_referral
from directory.extraction.document import Block, Document
from directory.extraction.domains import compact, describes_rest, domain_labels
from directory.extraction.geography import is_big_town, normalise_state
from directory.extraction.keywords import gate_patterns
from directory.extraction.offerings import KNOWN_PARTNERS
from directory.extraction.people import is_listing
from directory.extraction.structured import StructuredData, text_of

_ORG_WORDS = re.compile(
    r"\b(?:Therapy|Therapies|Counseling|Counselling|Wellness|Health|Psychotherapy|Psychiatry|Psychiatric|Clinics?|"
    r"Center|Centre|Centers|Institute|Group|Associates|Practice|Ketamine|Healing|Care|Collective|Partners|Medicine|"
    r"Medical|Mental|Behavioral|LLC|PLLC|Inc|PC|Studio|Space|Solutions|Psychology|Psychological|Services|"
    r"Integrative|Sanctuary|Journeys?|Life|Mind|Minds|Path|Roots|Grove|Haven|Light|House|Psychedelic|"
    r"Integration|KAP|Retreats?|Telehealth|Counselors|Specialists|Psych|Wellbeing|Well-Being|Recovery|Infusions?|"
    r"Treatment|Neuroscience|Spa|Lounge|Room|Network)\b"
)
# Words a section heading is made of: a phrase of these alone names a service or a topic, not a practice.
_GENERIC = frozenset(
    """ketamine ketamine-assisted assisted therapy therapies psychotherapy psychedelic psychedelics treatment treatments
    infusion infusions iv im center centre centers clinic clinics services service health mental wellness care
    medicine medical psychiatry psychiatric psych counseling counselling integrative holistic functional integration
    esketamine spravato kap our the your my of and for & a an to in at on with about what how why who when where faq
    faqs frequently asked questions question side effects individual group virtual telehealth online in-person process
    program programs new patient patients professional professionals specialists practice practices therapist
    therapists provider providers team approach home contact us welcome meet blog news resources fees rates pricing
    insurance book schedule consultation session sessions depression anxiety ptsd trauma healing mind body
    psychology psychological behavioral emotional support guide guides understanding exploring benefits risks
    cost costs is are does do can should definitive complete intravenous intramuscular nasal spray oral sublingual
    lozenge lozenges medication medications care coordination expect preparation single-day day first next step
    steps right you me it this that help safe effective work works journey journeys experience experiences
    telepsychology teletherapy remote intensive intensives retreat retreats
    injection injections shot shots cognitive dialectical emdr cbt dbt somatic mindfulness assessment assessments
    evaluation evaluations neurofeedback tms transcranial magnetic stimulation management couples family families
    child children adolescent adolescents teen teens adult adults addiction substance use disorder disorders ocd
    bipolar grief ifs mdma psilocybin psycholytic low-dose high-dose low dose at-home hospice palliative
    without""".split()
)
# Words that say what kind of service a phrase is ("Traditional Ketamine Therapy"): with service words, no name.
_DESCRIBING = frozenset(
    """True Real Genuine Authentic Traditional Conventional Standard Classic Modern Typical Effective Successful Proper
    Comprehensive Personalized Personalised Individualized Guided Supported Structured Evidence-Based Medical-Grade
    Low-Dose High-Dose Safe Legal""".split()
)
_CONNECTORS = frozenset({"of", "and", "&", "the", "for"})
# "While Receiving Ketamine Infusions?": a clause, never the start of a name
_CLAUSE_OPENERS = ("While", "Although", "Though", "Because", "Unless", "Whether")
_LEADING_WORDS = frozenset(
    """At The Welcome To About Contact Choose Why How Does Do Is Are Call Visit Join Here Our We With And In For By
    From Meet Who What When Where Today Now Since Also Together Book Schedule Discover Explore Learn Find Try
    Updated Featured Posted Home Choosing Selecting If Unlike Once Whereas Consider Considering Pursue
    Pursuing Seeking Combine Combining Adding Using""".split() + list(_CLAUSE_OPENERS)
)
_NOT_PRACTICE = re.compile(
    r"\b(?:University|College|School|Hospital|Hospitals|Department|Journal|Association|Society|Administration|"
    r"Foundation|Academy|Agency|Council|Board|FDA|Food|Drug|Program|Series|Protocol|Model|Scale|Inventory|Spray|"
    r"Research|Studies|Science|Sciences|Trials?|National\s+Institutes?)\b"
)
_RUN_CONNECTORS = _CONNECTORS | {"to"}  # "Bridge to Calm": inside a run, and the domain must spell it whole
_RUN = re.compile(
    r"(?<![\w'’.\-])(?:[A-Z][a-z]{0,2}\.|[A-Z0-9][\w'’\-]{0,40})"
    r"(?:[ \t]+(?:(?:of|and|&|the|for|to)[ \t]+){0,3}(?:[A-Z][a-z]{0,2}\.|[A-Z0-9][\w'’\-]{0,40})){0,11}"
)  # bounded (a name has at most 12 words): linear on a hostile page
_POSSESSIVE = re.compile(r"['’]s$")
# What the page says around its own name: "At X,", "choose X", "X is a...", "X provides...".
_CUE_BEFORE = re.compile(
    r"(?:\b(?:[Aa]t|[Cc]hoose|[Ww]elcome\s+to|[Jj]oin|[Cc]all|[Cc]ontact|[Vv]isit|[Dd]oes|[Hh]ow|[Ww]hy|"
    r"(?:team|staff|clinicians|providers|everyone|us|here)\s+at|[Ff]ounded|[Oo]pened|[Ff]ounder\s+of|"
    r"[Oo]wner\s+of|[Dd]irector\s+of|"
    # "a nurse anesthetist with the X", "a therapist at X": the practice a named clinician works for
    r"(?:therapist|psychiatrist|psychologist|counsel+or|nurse|anesthetist|practitioner|physician|clinician)\s+"
    r"(?:with|at))\s+(?:the\s+)?)$"
)
_CUE_AFTER = re.compile(
    r"^(?:,?\s+(?:[a-z]{3,12}ly\s+)?(?:is|are|was|were|has|have|had|began|begins|started|provides?|offers?|opened|serves?|treats?|"
    r"uses?|specializ\w+|specialis\w+|can|will|welcomes?|accepts?|follows?|became|believes?|combines?|brings?|"
    r"helps?|strives?|aims?|seeks?|focuses|prides|delivers?|works?|recogni[sz]es?|understands?|integrates?|"
    r"administers?|now|also|was|remains|continues|takes|invites?|sees)\b|,\s+(?:located|based|we|our)\b|"
    r"\s+(?:team|staff|offers?)\b|\s*[?!])"
)
_CAREER = re.compile(
    r"\b(?:residency|fellowship|graduat\w+|professor|studied|trained|training|degree|research\w*|stud(?:y|ies)|"
    r"published|worked|former|previously|journal|according|described|developed)\b",
    re.I,
)
# "At Cedar Hollow, we ...", "Welcome to Cedar Hollow!", "Here at Cedar Hollow our ...": the page speaking as itself
_SELF_CUE = re.compile(r"(?:\b[Aa]t|[Ww]elcome\s+to|^(?:[Tt]his|[Ww]e)\s+(?:is|are))\s+(?:the\s+)?$")
_ACRONYM = re.compile(r"[A-Z]{3,6}")
_TEAM_AT = re.compile(r"\b(?:team|staff|clinicians|providers|therapists|everyone|us|here)\s+at\s+(?:the\s+)?$", re.I)
# "Working with the medical team at X", "in collaboration with the professionals at X": X is someone else's practice
_OTHERS_AT = re.compile(
    r"\b(?:with|partner\w*|collaborat\w*)\s+(?:the\s+|our\s+)?(?:[\w-]+\s+){0,2}(?:team|staff|providers|"
    r"professionals|doctors|physicians|clinicians|prescribers|nurses)\s+(?:at|of|from)\s+(?:the\s+)?$|"
    # "our good friend Oriel at X provides couples KAP": a friend's or a colleague's practice
    r"\b(?:friends?|colleagues?)\s+(?:[A-Z][a-z]+\s+){0,2}(?:at|of|from)\s+(?:the\s+)?$|"
    r"\b(?:aligned|affiliated)\s+with\s+(?:the\s+)?$", re.I
)
_SELF_CUE_AFTER = re.compile(
    r"^(?:,?\s+(?:we|our|you['’]ll|you\s+will)\b|\s*[!.]|,\s+(?:a|an)\s+(?:[\w-]+\s+){1,3}(?:practice|clinic)\b)"
)
_TITLE_SPLIT = re.compile(r"\s+[|–—·:]\s+|\s+-\s+")
_COPYRIGHT = re.compile(
    r"(?:©|\(c\)|Copyright)\s*(?:©\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?)?,?\s*(?P<name>[A-Z][^|•·©]{2,70}?)"
    r"(?:[.,]?\s*(?:All rights reserved|All Rights Reserved)|\s*[|•·]|$)"
)
_LEGAL_LINE = re.compile(r"^[A-Z][\w&'’ .\-]{2,60}?,?\s+(?:PLLC|LLC|Inc\.?|P\.C\.|PC|LLP)\.?$")
_LEGAL_NAME = re.compile(r"^(?P<name>(?:[A-Z][\w&'’\-]*\s+){1,6}(?:PLLC|LLC))\b")  # "Cedar Hollow Wellness LLC"
_LEGAL_SUFFIX = re.compile(r",?\s+(?:PLLC|LLC|Inc\.?|P\.?C\.?|LLP|P\.?A\.?)$", re.I)
_SENTENCE_OPENER = re.compile(r"^(?:Today|Now|Currently|Here|Since|Also|Together|Founded in \d{4},?)\s+")
_NOT_A_NAME = re.compile(
    r"\b(?:Our|Your|My|We|What|How|Why|When|Updates?|Welcome|About|Contact|Meet|Fees|Rates|Home|Near|Guide|FAQ|"
    r"Exploring|Understanding|Discover\w*|Benefits|Risks|Tips|Myths|Things|Ways|Is|Are|Does|Can|Should|Vs|Versus|"
    r"Introduction|Everything|Know|Work|" + "|".join(_CLAUSE_OPENERS) + r")\b"
)
_PERSON_PRACTICE = re.compile(  # "Jane Q. Roe, MD, is a practice providing..." (a solo practice named for its owner)
    r"(?P<name>[A-Z][a-z]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][a-z'’\-]+){1,2}(?:,\s*[A-Z][A-Za-z.\-]{1,8}){1,3}),?\s+"
    r"(?:is|are)\s+an?\s+(?:\w+\s+){0,3}(?:practice|clinic)\b"
)
# The word a practice's name ends on ("Cedar Hollow Wellness", "Center for ..."): "Ketamine" alone describes.
_HEAD = re.compile(
    r"(?:Therapy|Therapies|Counseling|Counselling|Wellness|Health|Psychotherapy|Psychiatry|Clinics?|Centers?|Centre|"
    r"Institute|Group|Associates|Practice|Care|Collective|Partners|Medicine|Medical|Solutions|Psychology|Services|"
    r"Sanctuary|Studio|Space|Specialists|Healing|Journeys|House|Haven|Grove|Retreats?|Network|Recovery|Lounge|Spa|"
    r"Wellbeing|Well-Being|Psychiatrists|Physicians|Counselors|Therapists|Consultants|Neuroscience|PLLC|LLC|Inc\.?|"
    r"P\.?C\.?|LLP|KAP|Infusions?)$"
)
_PARTNER_KEYS = frozenset(re.sub(r"[^a-z0-9]", "", name.lower()) for name in KNOWN_PARTNERS)


def clean_org(name: str | None) -> str | None:
    if not name:
        return None
    name = _SENTENCE_OPENER.sub("", " ".join(name.split()).strip(" .,-|"))
    if not 2 <= len(name) <= 80 or len(name.split()) > 9:
        return None
    return name


def legal_suffix_free(name: str) -> str:
    return _LEGAL_SUFFIX.sub("", name).strip()


@lru_cache(maxsize=8192)  # pure; asked about the same phrases again and again
def is_generic(name: str) -> bool:
    """Only service and topic words ("Ketamine-Assisted Psychotherapy", "Our Approach"): a heading, not a name."""
    words = [word.strip(".,:;!?()'’\"").lower() for word in legal_suffix_free(name).split()]
    return all(not word or word in _GENERIC or word.isdigit() for word in words)


def _name_like(text: str) -> bool:
    """A short title-case phrase with a practice word and a word of its own: 'Granite State Ketamine Therapy'."""
    words = text.split()
    return (
        1 <= len(words) <= 6
        and bool(_ORG_WORDS.search(text))
        and not _NOT_A_NAME.search(text)
        and not re.search(r"[?!:]", text)
        and all(word[0].isupper() or word in _CONNECTORS for word in words)
        and not is_generic(text)
    )


def _runs(text: str) -> list[tuple[str, int, int]]:
    """Title-case phrases ("Cedar Hollow Wellness", "Center for the Healing Arts") with their span, leading
    function words dropped ("At Cedar Hollow" -> "Cedar Hollow") and cut before a possessive."""
    found = []
    for match in _RUN.finditer(text):
        words = match.group(0).split()
        if "I" in words:  # "Ketamine-Assisted Psychotherapy I offer": the pronoun ends the phrase
            words = words[: words.index("I")]
        start = match.start()
        while words and (words[0] in _LEADING_WORDS or words[0].lower() in _RUN_CONNECTORS or words[0].isdigit()):
            # "since 2019 and UM Health began": a year or a number opens no name
            start = text.index(words[0], start) + len(words[0])
            words = words[1:]
        for index, word in enumerate(words):
            if _POSSESSIVE.search(word):
                words = words[:index] + [_POSSESSIVE.sub("", word)]
                break
        while words and words[-1].lower() in _RUN_CONNECTORS:
            words = words[:-1]
        if words:
            start = text.index(words[0], start)
            phrase = " ".join(words)
            end = start + len(" ".join(words)) if text[start: start + len(phrase)] == phrase else match.end()
            found.append((phrase, start, end))
    return found


_DOMAIN_WORDS = 8  # a domain spells at most this many words of a phrase ("Center for the Healing Arts of Marin")


def _domain_part(phrase: str, labels: list[str], speaks: bool = False) -> str | None:
    """The part of a title-case phrase that the site's domain spells, extended by a connector or a practice word
    ("Harbor Ketamine" on harborketamine.com -> "Harbor Ketamine Care"); None when it spells none. The domain may
    drop an "&" ("Care & Healing" on carehealing...). A single word that only begins the domain counts where it is an
    acronym ("LTG" on ltg-mn.com) or the page speaks as it (`speaks`: "At Corvalis, we", "Corvalis offers")."""
    words = phrase.split()
    if not any(compact(word)[:3] in label for word in words for label in labels if len(compact(word)) >= 2):
        return None  # no word of the phrase begins anything in the domain (the cheap test first)
    for start in range(len(words)):
        for stop in range(min(len(words), start + _DOMAIN_WORDS), start, -1):  # bounded: linear
            span = " ".join(words[start:stop])
            single = stop - start == 1
            # "LTG" on ltg-mn.com; not "KAP" on kapwellness.com, a service's name
            acronym = single and span.isupper() and span.isalpha() and 3 <= len(span) <= 6 and not is_generic(span)
            if len(compact(span)) < (3 if acronym else 4):
                continue
            compacts = {compact(span), compact(re.sub(r"\s+(?:&|and)\s+", " ", span))}
            if any(label in compacts or any(label.startswith(compact) and (
                    (not single and (len(compact) >= 0.6 * len(label) or describes_rest(label[len(compact):])))
                    or acronym
                    or (single and speaks and len(compact) >= 5 and describes_rest(label[len(compact):])))
                    for compact in compacts) for label in labels):
                rest = words[stop:]
                if single and not acronym and rest and rest[0].lower() not in _CONNECTORS \
                        and not _ORG_WORDS.fullmatch(rest[0]) and not _NOT_PRACTICE.fullmatch(rest[0]):
                    continue  # "Arbolito" of "Arbolito Verde" on arbolitocounseling.com: a part of another name
                if rest and (rest[0].lower() in _CONNECTORS or _ORG_WORDS.fullmatch(rest[0])):
                    stop = len(words)  # "... of Cobalt Bay", "... & Wellness Center", "... Care"
                    while stop > start + 1 and words[stop - 1].lower() in _CONNECTORS:
                        stop -= 1
                return " ".join(words[start:stop])
    return None


# Two words run together where the text lost a line break ("HealthStill Waters Counseling"): split for the domain test
_GLUED = re.compile(r"(?<=[a-z]{3})(?=[A-Z][a-z]{2})")
_AT_PLACE = re.compile(r"\b(?:[Aa]t|[Nn]ew\s+to)\s+(?:[Tt]he\s+)?$")  # "patients at X": X is a place


def _person_like(name: str) -> bool:
    """"Dr. Jane Roe" or "Jane Roe" on janeroe.com is the clinician the site is named for, not a practice name."""
    words = name.split()
    if words[0].rstrip(".") == "Dr":
        return True
    # "Mend PDX", "Studio 9": an acronym or a number is in no one's name (a name in capitals is title-cased before)
    if any(word.isalpha() and word.isupper() and len(word) >= 2 or any(c.isdigit() for c in word) for word in words):
        return False
    return 2 <= len(words) <= 3 and not _ORG_WORDS.search(name)


def _own_words(phrase: str, lower_words: frozenset[str]) -> bool:
    """Every word capitalised only as a name is ("Cedar Hollow"), none an everyday word the page also writes in
    lower case ("At First, we ...")."""
    return all(word.lower() not in lower_words and word.lower() not in _GENERIC for word in phrase.split()
               if word.lower() not in _CONNECTORS)


def _own_brand(phrase: str, lower_words: frozenset[str]) -> bool:
    """A brand the page speaks as ("At Intero, we", "Welcome to Lotus Ketamine."): its first word is its own (never
    written in lower case, no service word, no state), the rest may describe ("Ketamine"), the whole is no heading;
    a single word is no big town (the place the page speaks from)."""
    words = phrase.split()
    return (len(words[0]) >= 4 and words[0][:1].isalpha()  # "at 866-555-0100." is a number, not a brand
            and words[0].lower() not in lower_words and words[0].lower() not in _GENERIC
            and normalise_state(words[0]) is None and not is_generic(phrase) and not _NOT_A_NAME.search(phrase)
            and (len(words) > 1 or not is_big_town(phrase)))


@lru_cache(maxsize=8192)  # pure; asked about the same phrases again and again
def _acceptable(name: str) -> bool:
    key = compact(legal_suffix_free(name))
    return (bool(key) and key not in _PARTNER_KEYS and not _NOT_PRACTICE.search(name) and not is_generic(name)
            and not _NOT_A_NAME.search(name))


def _acceptable_words(name: str) -> bool:
    key = compact(legal_suffix_free(name))
    return bool(key) and key not in _PARTNER_KEYS and not _NOT_PRACTICE.search(name) and not _NOT_A_NAME.search(name)


def _brand_my(name: str, labels: list[str]) -> str:
    """"My Mind Matters Psychiatry" on mymindmatters.com: a leading "My" the domain spells too is part of the brand
    (and no sign of a heading, "My Approach"); the rest is what must read as a name."""
    words = name.split()
    if len(words) >= 3 and words[0] == "My" and any(label.startswith(compact("my" + words[1])) for label in labels):
        return " ".join(words[1:])
    return name


def _is_name_line(text: str) -> bool:
    """A line that is nothing but a practice's name: title case, ending on a practice word, with a word of its own
    before any "of" ("Shoreline Ketamine Collective"; not "Holistic Health Center of <town>", a description)."""
    words = text.split()
    if not 2 <= len(words) <= 6 or not all(word[0].isupper() or word in _CONNECTORS for word in words):
        return False
    own = re.split(r"\s+(?:of|for|in)\s+", text)[0]
    return bool(_HEAD.match(own.split()[-1])) and not is_generic(own) and _acceptable(text) and "?" not in text


def _initials_spell(phrase: str, labels: list[str]) -> bool:
    """A domain made of the name's initials: three to six words ending on a practice word."""
    words = [word for word in phrase.split() if word.lower() not in _CONNECTORS]
    return 3 <= len(words) <= 6 and bool(_HEAD.match(words[-1])) \
        and "".join(word[0] for word in words).lower() in labels


def _same_practice(name: str, phrase: str) -> bool:
    """One name in the other, or the short form of it ("CHW" for "Cedar Hollow Wellness")."""
    if compact(name) in compact(phrase) or compact(phrase) in compact(name):
        return True
    initials = "".join(word[0] for word in name.split() if word.lower() not in _CONNECTORS)
    return phrase.isupper() and phrase.isalpha() and phrase == initials.upper()


# "At Set & Setting, we": two words joined by "&", spoken as by the page, are its brand even when both are
# everyday words ("Salt & Light")
_PAIR_BRAND = re.compile(r"[A-Z][a-z]+\s+&\s+[A-Z][a-z]+")
_SHORT_FORM = re.compile(r"\s*\(([A-Z]{2,6})\)")
# the head word of an organisation, not of a method ("Cognitive Behavioral Therapy (CBT)" names no practice)
_ORG_HEAD = re.compile(
    r"(?:Services|Centers?|Centre|Clinics?|Institute|Group|Associates|Practice|Partners|Collective|Network|"
    r"Specialists|Consultants|Physicians|Psychiatrists|Therapists|Counselors|Wellness|Journeys|Retreats?|Sanctuary|"
    r"PLLC|LLC|Inc\.?)$"
)


def _someone_elses(name: str, exclude: set[str]) -> bool:
    """A name that is the medical partner's, or a part of it ("Avesta" beside the partner "Avesta Ketamine")."""
    if not exclude:
        return False
    key = compact(name)
    return bool(key) and any(key in other or other in key for other in exclude)


def _from_text(document: Document, exclude: set[str]) -> tuple[str | None, str]:
    """The name the text uses for itself: spelled by the domain (most said first), else said as its own subject."""
    for block in document.blocks:
        match = _PERSON_PRACTICE.search(block.text)
        if match:
            return match.group("name"), block.text[:300]
    labels = domain_labels(document.url)
    lower_words = document.lower_words
    spelled: Counter[str] = Counter()
    cued: Counter[str] = Counter()
    own: Counter[str] = Counter()  # "At X, we ...": the page speaking as X
    snippets: dict[str, str] = {}
    for block in document.blocks:
        previous = ""
        for sentence in block.sentences if len(block.text) > 200 else [block.text]:
            before, previous = previous, sentence
            if crisis_referral(before, sentence):
                continue  # "... contact your local crisis center. In <town>, contact <center>": someone else's name
            for phrase, start, end in _runs(sentence):
                speaks = bool(_SELF_CUE.search(sentence[:start]) and _SELF_CUE_AFTER.match(sentence[end:])
                              or _CUE_AFTER.match(sentence[end:]) and _own_words(phrase, lower_words))
                part = _domain_part(phrase, labels, speaks) if labels else None
                if part is None and labels and _GLUED.search(phrase):  # "Fernway Behavioral HealthStill Waters ..."
                    part = _domain_part(_GLUED.sub(" ", phrase), labels, speaks)
                if part is None and labels and sentence[max(0, start - 4):start] == "The ":  # "At The Glade, we"
                    part = _domain_part("The " + phrase, labels, speaks)
                if part is None and labels and _initials_spell(phrase, labels):
                    part = phrase  # "Greater Lakeside Psychiatric Associates" on glpa.net
                at_place = bool(part and _AT_PLACE.search(sentence[: sentence.find(part)]))
                if part and part.isupper() and len(part.split()) >= 2:  # "CEDAR HOLLOW MIND HEALTH": a logo line
                    part = part.title()
                # "Jane Roe" on janeroe.com is its clinician; "at Bright Waters" is a place, not a person; and
                # "patients at Care & Healing Wellness Center" a place, though each of its words is a service word
                # "Ketamine Care Clinic" on ketaminecareclinic.com: service words, but the domain is exactly this name
                # ("Integrative Mental Health Clinic LLC" on integrativementalhealth.net: its first words, exactly)
                exact = bool(part) and any(compact(" ".join(part.split()[:size])) in labels
                                           for size in range(3, len(part.split()) + 1))
                if part and (_acceptable(_brand_my(part, labels)) or (at_place or exact) and len(part.split()) >= 3
                             and _acceptable_words(part)) and (not _person_like(part) or at_place):
                    if not _someone_elses(part, exclude):
                        spelled[part] += 1
                        snippets.setdefault(part, sentence[:300])
                legal = _LEGAL_NAME.match(phrase) if "LLC" in phrase else None
                if legal and _acceptable(legal["name"]) and not _someone_elses(legal["name"], exclude) \
                        and not _person_like(legal_suffix_free(legal["name"])):
                    cued[legal["name"]] += 1  # a legal name is the practice's own, wherever the page prints it
                    snippets.setdefault(legal["name"], sentence[:300])
                    continue
                if " to " in phrase and _SELF_CUE.search(sentence[:start]) and _SELF_CUE_AFTER.match(sentence[end:]) \
                        and _own_words(phrase.rsplit(" to ", 1)[1], lower_words) and _acceptable(phrase):
                    # "At Path to Stillness we ...": the page speaks as a name that reads across "to"
                    own[phrase] += 1
                    cued[phrase] += 1
                    snippets.setdefault(phrase, sentence[:300])
                    continue
                if " to " in phrase:  # "Come to Cedar Hollow Wellness": only the domain path reads across "to"
                    phrase = phrase.rsplit(" to ", 1)[1]
                    start = end - len(phrase)
                words = phrase.split()
                short = _SHORT_FORM.match(sentence, end)
                if short and len(words) >= 2 and _ORG_HEAD.match(words[-1]) and _same_practice(phrase, short.group(1)) \
                        and _acceptable_words(phrase) and not _someone_elses(phrase, exclude) \
                        and not _CAREER.search(sentence) and not _OTHERS_AT.search(sentence[max(0, start - 80):start]):
                    # "Family Psychological Services (FPS) is offering": a name the page gives a short form of
                    cued[phrase] += 2
                    snippets.setdefault(phrase, sentence[:300])
                    continue
                if len(words) > 8 or _someone_elses(phrase, exclude) or not _acceptable(phrase):
                    continue
                cut = next((index for index in range(len(words) - 1, 0, -1) if _HEAD.match(words[index])), None)
                if cut and cut < len(words) - 1 and all(word.lower() in _GENERIC for word in words[cut + 1:]):
                    # "Our team at Harbor Specialty Care Spravato specializes": the service word after the name
                    words = words[: cut + 1]
                    phrase = " ".join(words)
                    end = start + len(phrase)
                head = re.split(r"\s+(?:of|for)\s+", phrase)[0].split()[-1]
                named = len(words) >= 2 and _HEAD.match(head)  # "... Wellness", "... Center for ..."
                self_cued = bool(_SELF_CUE.search(sentence[:start]) and _SELF_CUE_AFTER.match(sentence[end:])) or (
                    # a heading "Ketamine Assisted Psychotherapy (KAP) at QBHC": the service at the page's own name
                    block.is_heading and _ACRONYM.fullmatch(phrase) is not None and not sentence[end:].strip()
                    and _SELF_CUE.search(sentence[:start]) is not None and normalise_state(phrase) is None)
                if not (named or len(words) >= 2 and _own_words(phrase, lower_words) and (
                        self_cued or _TEAM_AT.search(sentence[:start]))
                        or self_cued and (_own_brand(phrase, lower_words) or _PAIR_BRAND.fullmatch(phrase))):
                    continue  # a bare brand ("Cedar Hollow", "Intero") only where the page plainly speaks as it
                if _CAREER.search(sentence) and not self_cued:  # "At X, we focus on research": still the page's voice
                    continue
                if len(words) >= 2 and words[0] in _DESCRIBING and is_generic(" ".join(words[1:])):
                    continue  # "True Ketamine Assisted Psychotherapy takes...": a kind of service, not a name
                if _OTHERS_AT.search(sentence[max(0, start - 80):start]):
                    continue
                if self_cued or _CUE_BEFORE.search(sentence[:start]) or _CUE_AFTER.match(sentence[end:]):
                    cued[phrase] += 1
                    snippets.setdefault(phrase, sentence[:300])
                if self_cued:
                    own[phrase] += 1
    if spelled and own and not any(_same_practice(name, phrase) for name in spelled for phrase in own):
        # the domain spells another name the page never speaks as ("part of the Regional Health family"),
        # while the page says "At the Center for X, we": the page's own voice names the practice
        spelled = Counter()
    for found in (spelled, cued):
        if found:  # ties: the phrase the page says most often ("at X ... Ray found X" over a one-off "Y began")
            name = max(found, key=lambda phrase: (found[phrase], document.text.count(phrase), -len(phrase)))
            # "At Mend Mind, we": the form the page speaks as, over a logo's "MendMind" of the same practice
            spoken = [phrase for phrase in own if phrase in snippets and compact(phrase) == compact(name)]
            if spoken and name not in spoken:
                name = max(spoken, key=lambda phrase: own[phrase])
            return name, snippets[name]
    for block in reversed(document.blocks):  # the footer's "© 2024 Cedar Hollow Wellness. All rights reserved."
        if "©" in block.text or "Copyright" in block.text:
            match = _COPYRIGHT.search(block.text)
            name = clean_org(match.group("name")) if match else None
            if name and _acceptable(name) and not _someone_elses(name, exclude) and not _person_like(name) \
                    and not name.lower().startswith(("all rights", "copyright")):
                return name, block.text[:300]
    for block in document.blocks[:3]:  # a first line that is only a name ("Cedar Hollow Wellness")
        for segment in reversed(_TITLE_SPLIT.split(block.text)) if len(block.text) <= 100 else []:  # "Page | Site"
            if _is_name_line(segment.strip()) and not _someone_elses(segment, exclude):
                return segment.strip(), block.text
    return None, ""


def _from_html(document: Document, structured: StructuredData) -> tuple[str | None, str]:
    """What HTML says outright: schema.org, og:site_name, the <title>, a legal or copyright line."""
    for item in structured.organizations:
        name = clean_org(text_of(item.get("name")))
        if name:
            return name, f"schema.org name: {name}"
    site_name = clean_org(document.meta.get("og:site_name"))
    if site_name and not is_generic(site_name):
        return site_name, f"og:site_name: {site_name}"
    title = document.title
    segments = [segment for part in _TITLE_SPLIT.split(title) if (segment := clean_org(part))] if title else []
    labels = domain_labels(document.url)
    for segment in segments:
        part = _domain_part(segment, labels) if labels else None
        if part and _acceptable(part):
            return (segment if compact(segment).startswith(compact(part)) else part), f"title: {title}"
    for alt in _logo_texts(document):  # the header's logo: <img alt="Cedar Hollow Wellness">
        if _name_like(alt) and _acceptable(alt):
            return clean_org(alt), f"logo: {alt}"
    for block in document.blocks:
        if _LEGAL_LINE.match(block.text):
            return clean_org(block.text), block.text
    for block in reversed(document.blocks):
        if "©" in block.text or "Copyright" in block.text or "(c)" in block.text:
            match = _COPYRIGHT.search(block.text)
            name = clean_org(match.group("name")) if match else None
            if name and not name.lower().startswith(("all rights", "copyright")) and not is_generic(name):
                return name, block.text[:300]
    body = "\n".join(block.text for block in document.blocks[1:] if block.text != title)
    if len(segments) > 1:
        org = [segment for segment in segments if _name_like(segment)]
        # "Page | Site" is the usual order; a multi-word title-case segment the page repeats is the name either way
        repeated = [segment for segment in segments if len(segment.split()) >= 2 and segment in body
                    and not _NOT_A_NAME.search(segment) and not re.search(r",\s*[A-Z]{2}\b|\b(?:Near|In)\b", segment)
                    and all(word[:1].isupper() for word in segment.split()) and not is_generic(segment)]
        best = [segment for segment in repeated if segment in org] or repeated or org
        if best:
            return best[-1], f"title: {title}"
    return None, ""


def _logo_texts(document: Document) -> list[str]:
    """Alt texts of the images in the header or in an element whose class or id says logo."""
    if document.tree is None:
        return []
    found = document.tree.xpath(
        "(//header//img/@alt | //*[contains(translate(@class, 'LOGO', 'logo'), 'logo') or "
        "contains(translate(@id, 'LOGO', 'logo'), 'logo')]//img/@alt | "
        "//img[contains(translate(@class, 'LOGO', 'logo'), 'logo')]/@alt)[position() <= 5]"
    )
    return [" ".join(str(alt).split()).removesuffix(" logo").removesuffix(" Logo") for alt in found if str(alt).strip()]


def _from_headings(document: Document) -> tuple[str | None, str]:
    """Last resort on HTML: the title or a top heading that reads as a name (a practice word and one of its own)."""
    title = document.title
    title_blocks = [Block(text=title, tag="title")] if title else []
    for block in [*title_blocks, *document.blocks[:4]]:
        if block.tag in {"title", "h1", "h2", "h3"} and _name_like(block.text) and _acceptable(block.text):
            return clean_org(block.text), block.text
    for block in document.blocks[:5]:  # "Jane Roe, LMFT — Cedar Hollow Therapy"
        if len(block.text) <= 100:
            for segment in re.split(r"\s+[—–|·]\s+", block.text)[1:]:
                if _name_like(segment.strip()) and _acceptable(segment.strip()):
                    return clean_org(segment), block.text
    return None, ""


def practice_name(document: Document, structured: StructuredData,
                  exclude: tuple[str, ...] = ()) -> tuple[str | None, str]:
    """The practice's name and the evidence for it; None when the page never names itself. `exclude`: names
    that are someone else's on this page (the medical partner)."""
    labels = domain_labels(document.url)
    for partner in KNOWN_PARTNERS:  # a prescribing service's own site ("<service>.zendesk.com"): it is the practice
        if compact(partner) in labels and partner in document.text:
            return partner, f"the site of {partner}"
    if is_listing(document):
        return None, ""  # a directory's results: each entry's practice is someone else's, the page has none
    excluded = {compact(name) for name in exclude if name}
    if document.tree is not None:
        name, snippet = _from_html(document, structured)
        if name and not _someone_elses(name, excluded):
            return name, snippet
    name, snippet = _from_text(document, excluded)
    if name:
        return clean_org(name) or name, snippet
    if document.tree is not None:  # plain text has no title: its first line is a heading, never a name
        return _from_headings(document)
    return None, ""


# Speed (issue 10 item 6): each of these patterns first asks whether the text holds a literal that every match of
# it needs (keywords.gated: the same answers, test_speed_equivalences), skipping the regex on most sentences.
gate_patterns(
    globals(),
    "_PERSON_PRACTICE", "_CUE_BEFORE",
    "_LEGAL_LINE",
    "_NOT_A_NAME", "_SELF_CUE",
    "_RUN",
)
