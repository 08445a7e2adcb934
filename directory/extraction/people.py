"""Clinicians and their post-nominals: bylines, headings, bios, team grids, JSON-LD Person/Physician, "Dr." prefixes.

"Lucrezia Mangione, LCPC, LPC, NCC, BC-TMH, DCEP" is one person and five credentials. A name followed by
codes the taxonomy knows is a clinician; a team-grid heading with a bare name followed by a line of titles is
one too; "Jane is a Licensed Clinical Social Worker" adds a title to a person already found on the page.
"""

import re
from dataclasses import dataclass, field
from functools import cached_property

from directory.extraction.contact import EMAIL
from directory.extraction.document import LOWER_WORD, Block, Document, sentences
from directory.extraction.domains import describes_rest, domain_labels
from directory.extraction.geography import STATE_BY_NAME, STATE_CODES, is_city_in, is_town_name, normalise_state
from directory.extraction.keywords import AnyWord, gate_patterns, guard_patterns
from directory.extraction.offerings import KNOWN_PARTNERS
from directory.extraction.structured import StructuredData, text_of, texts_of
from directory.extraction.taxonomy import CredentialInfo, load_table, lookup, normalise_code, role_for
from directory.extraction.types import ClinicianFact, CredentialFact, Evidence
from directory.names import name_key, person_parts
from directory.vocab import CredentialKind

_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_PARTICLE = r"(?:van der|van den|von der|de la|de los|del|de|van|von|da|di|du|le|la|st\.?|bin|al)"
_UPPER = "A-ZÀ-ÖØ-Þ"
_LETTER = "A-Za-zÀ-ÖØ-öø-ÿ"
_WORD = rf"(?>[{_UPPER}][{_LETTER}'’\-]*[a-zß-öø-ÿ][{_LETTER}'’\-]*)"  # atomic: one way to read a word
NAME = (rf"(?:(?:{_WORD}(?:\s+[A-Z]\.?(?=\s))?(?:\s+(?:{_PARTICLE}\s+)?{_WORD}){{1,2}}"
        rf"|[A-Z]\.(?:\s?[A-Z]\.)?\s+{_WORD}(?:\s+{_WORD})?)(?:,?\s+(?:Jr|Sr)\.?|\s+(?:II|III|IV)\b)?)")
# "Jane A. Roe", "Jane A Roe", "Ana de Cruz", "J. Rivera", "J. Alex Rivera", "Jane Roe Jr."
# A role said before the name ("Board-certified psychiatrist Dr. Helen Marsh, MD"): not part of the name.
_ROLE_PREFIX = (
    r"(?:(?i:board[- ]certified|licensed|lead|senior|clinical|medical|staff|consulting|integrative|addiction|"
    r"child and adolescent|adult)\s+)*(?i:psychiatrist|psychologist|psychotherapist|therapist|counsel+or|clinician|"
    r"physician|anesthesiologist|co-founder|founder|owner|nurse practitioner|prescriber|"
    r"(?:clinical|medical|executive|program) director)\s+"
)
_SPELLED_CODES = sorted(
    {written for info in load_table() for written in (info.code, *info.aliases) if " " in written},
    key=len,
    reverse=True,
)
_CODE = (  # a spelled-out title in any case ("Jane Roe, licensed professional counselor"), or a code
    r"(?:(?i:" + "|".join(re.escape(written) for written in _SPELLED_CODES)
    + r")|[A-Z][A-Za-z.\-\u2010-\u2015]{0,11}(?:\s?[A-Z][A-Za-z.\-\u2010-\u2015]{0,6})?)"
)
_HELD_IN = r"(?:\s*\((?:[A-Z]{2}|[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)\))?"  # "LMHC (FL)", "LPC (Colorado)"
# between codes: a comma, slash or bar, or a space before another capitalised code ("MA LPC NCC")
_CODE_SEP = r"(?:\s*[,/|]\s*|\s+(?=[A-Z]{2,6}(?:-[A-Z]{1,3})?(?![A-Za-z])))"
_WITH_CODES = re.compile(
    rf"(?<![A-Za-z])(?:{_ROLE_PREFIX})?(?P<dr>Dr\.?\s+)?(?P<name>{NAME})(?P<sep>\s*,\s*|\s*\(\s*|\s+[|–—-]\s+|\s+)(?P<codes>(?:Ph\.D\.|Psy\.D\.|M\.D\.|D\.O\.|"
    rf"Ed\.D\.|{_CODE}){_HELD_IN}(?:{_CODE_SEP}(?:Ph\.D\.|Psy\.D\.|M\.D\.|D\.O\.|Ed\.D\.|{_CODE})"
    rf"{_HELD_IN})*)"
)
_ANY_CODE = re.compile(
    r"(?<![A-Za-z])(?:"
    + "|".join(
        sorted({r"\.?".join(map(re.escape, written.replace(".", ""))) for info in load_table()
                for written in (info.code, *info.aliases) if " " not in written}, key=len, reverse=True)
    )
    + r")\.?(?![a-z])"
)
_CAPS_WITH_CODES = re.compile(  # "MARISOL OKAFOR, LPC, NCC" (a heading set in capitals)
    r"^(?:DR\.?\s+)?(?P<name>[A-Z][A-Z'’\-]+(?:\s+[A-Z]\.?)?(?:\s+[A-Z][A-Z'’\-]+){1,2}),\s*"
    r"(?P<codes>[A-Z][\w.,/\s\-]{1,60}?)(?:\s+[|–—]\s+.*)?$"
)
_DOCTOR = re.compile(rf"(?:\bDr\.?|(?<=[a-z])Dr\.)\s+(?P<name>{NAME})")  # "UsDr. Ray Roe": a glued menu
_BARE_NAME = re.compile(rf"^(?:Dr\.?\s+)?(?P<name>{NAME})$")
_LEADING = re.compile(
    r"^(?:Meet|About|By|Written by|Article by|Posted by|Reviewed by|Author|Contact|With|Founder|Owner|Hi,? I['’]m|"
    r"I['’]m|Dr|As|And|Per|Thanks to)\s+"
)
_BYLINE_PAIR = re.compile(  # "Authors: Jane Roe & Sam Poe, LMHC": a post's two writers, both of the practice
    rf"^(?:Authors?:|Written\s+by|By)\s+(?:Dr\.?\s+)?(?P<a>{NAME})(?:,\s*[A-Z][\w.\-]{{1,12}}){{0,3}}\s+(?:&|and)\s+"
    rf"(?:Dr\.?\s+)?(?P<b>{NAME})(?:,\s*[A-Z][\w.\-]{{1,12}}){{0,3}}$"
)
# "Book with Jane", on one line ("Contact" ending a menu line before the practice's name is not "contact Jane")
_PERSON_BEFORE = re.compile(r"\b(?:with|[Mm]eet|[Ee]mail|[Cc]all|[Cc]ontact|[Tt]ext)[ \t]+$")
_CAPITALISED = re.compile(rf"(?<![\w'’.-])([{_UPPER}](?:[\w-]*\w)?)(['’]s\s|(?![\w'’-]))")
_NOT_NAME_WORDS = {
    "Ketamine", "Therapy", "Therapies", "Therapist", "Our", "Team", "Meet", "The", "Clinical", "Director", "Licensed",
    "Psychotherapy", "Counseling", "Counselor", "Wellness", "Health", "Center", "Clinic", "Services", "Service",
    "Assisted", "Mental", "Practice", "Group", "Home", "About", "Contact", "Book", "Schedule", "Consultation",
    "Integration", "Preparation", "Session", "Sessions", "Medical", "Provider", "Providers", "Nurse",
    "Practitioner", "Psychiatric", "Social", "Worker", "Marriage", "Family", "Professional", "Certified",
    "Board", "National", "Associate", "Associates", "Insurance", "Fees", "Pricing", "Frequently", "Asked",
    "Questions", "Welcome", "Life", "Mind", "Body", "Well", "Healing", "Care", "Journey", "Clinical's", "Privacy",
    "Policy", "Terms", "All", "Rights", "Reserved", "Copyright", "Menu", "Blog", "Resources", "News", "Read",
    "More", "Learn", "Call", "Email", "Phone", "Fax", "Address", "Suite", "Street", "Avenue", "Road", "Office",
    "In", "Person", "Virtual", "Telehealth", "Online", "Only", "And", "Or", "With", "For", "At", "Of", "To",
    "Institute", "University", "College", "Hospital", "Rehab", "Psychology", "Collective", "Psychedelic", "Spravato",
    "Esketamine", "Infusion", "Infusions",
    "Support", "Program", "Programs", "Retreat", "Retreats", "Step", "What", "How", "Why", "Who", "When",
    "Where", "Is", "Are", "Do", "Does", "We", "You", "Your", "I", "My", "New", "Patient", "Patients", "Client",
    "Clients", "Lozenge", "Lozenges", "Trauma", "Depression", "Anxiety", "Evidence", "Research", "Study",
    "Intake", "Coordinator", "Manager", "Founder", "Owner", "Partner", "Partners", "Supervisor", "Psychiatry",
    "Psychologist", "Physician", "Doctor", "Assistant", "Dept", "Department", "State", "Holistic", "Integrative",
    "Sliding", "Scale", "Package", "Packages", "Individual", "Couples", "Adults", "Adolescents", "Children",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Hours", "Open", "Closed",
    # professions in the plural name a kind of person, never one ("Psychologists, LPCs, LMFTs")
    "Psychologists", "Psychiatrists", "Therapists", "Psychotherapists", "Counselors", "Counsellors", "Clinicians",
    "Practitioners", "Physicians", "Nurses", "Doctors", "Facilitators", "Guides", "Prescribers", "Anesthesiologists",
    "Workers", "Specialists", "Professionals", "Staff",
    # a license line's words ("Oregon License LPC-1234", "NPI Number 1234567893"), never a person's
    "License", "Licence", "Number", "NPI", "Certificate", "Certification",
    # a menu's steps ("2. Getting Started"), never a person
    "Getting", "Started", "Finding", "Choosing", "Preparing", "Learning", "Understanding", "Exploring", "Starting",
}
_CLINICAL_ROLE = re.compile(
    r"\b(?:therapist|psychotherapist|counsel+or|psychiatrist|psychologist|clinician|practitioner|social worker|"
    r"nurse|physician|prescriber|medical director|clinical director|founder|owner|director|provider|"
    r"doctor|integration|guide|facilitator)\b",
    re.I,
)
_ROLE_LINE_SPLIT = re.compile(r"\s*(?:,|\||/|•|·|–|—|-\s|;)\s*")
_INTRODUCTIONS = {"meet", "about", "by", "i'm", "i’m", "i am", "hi, i'm", "hi, i’m", "my name is", "hello, i'm"}
_PRONOUNS = re.compile(r"\s*\(?\b(?:she|he|they|ze|xe)/(?:her|hers|him|his|them|theirs|they|she|he|zir|xem)\b\)?", re.I)
# a word run into the next where the page lost a line break: a lower-case run of 4+ letters, then a capitalised word
# ("AustinContact"), a capitalised word then a code ("RoeLCSW"), a code then a word ("LCSWTherapist"); "McCormick",
# "MacDonald", "LaToya", "DeShawn" stay whole
_GLUED = re.compile(
    r"(?<=[A-Za-z][a-z]{3})(?=[A-Z][a-z]{2})|(?<=[A-Z][a-z]{2})(?=[A-Z]{2,6}(?:-[A-Z]{1,3})?\b)|(?<=[A-Z]{2})(?=[A-Z][a-z]{2})"
)  # "TeamJane Roe", "Roe, LPCClinical Director" too
# Every _GLUED cut is before a capital that follows a lower-case letter or ends three capitals before a lower-case one;
# starting at a capital, this scan skips the rest of the text fast (test_speed_equivalences)
_GLUE_HINT = re.compile(r"[A-Z](?:(?<=[a-z].)|(?<=[A-Z]{3})(?=[a-z]))")
_NICKNAME = re.compile(r"(?<=[a-z])\s+[(“\"][A-Z][a-z]{1,12}[)”\"]\s+(?=[A-Z])")
_MARKUP = re.compile(r"\s*<[^<>]{0,200}>(?:[^<>]{0,100}</[a-z]+>)?")  # literal tags in hostile text: not a name
_INTRO = re.compile(r"^(?:(?:Hi,?\s+)?(?:I['’]m|I am|My name is)\s+)?(?:Dr\.?\s+)?")
_SUBJECT_VERB = re.compile(
    r"^(?:\s+[A-Z][a-z]+)?(?:,\s*[A-Z][A-Za-z.\-]{1,10})*(?:\s*[–—|:-]\s*[A-Z][a-z]+)?(?:,\s+an?\b|,?\s+(?:is|holds|has|became|was|also|earned|completed|prescribes|\w+s)\b)"
)
_NAME_PREFIXES = {"dr", "mr", "mrs", "ms", "mx", "prof", "rev"}
_NAME_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
_SELF = re.compile(r"^(?:I|I['’]ve|I['’]m|I am|She|He|They)\s+(?:\w+\s+){0,2}(?:completed|holds?|is|am|are|have|has|"
                   r"trained|earned|received|became)\b")
_RESEARCH = re.compile(  # a name tied to research, a book or a quotation: a cited author, not the team
    r"\b(?:(?:stud(?:y|ies)|research|trials?|paper|article|book|work)\s+(?:by|from|of|led by)|researchers?|"
    r"(?:neuro)?scientists?|"
    r"et al|according to|professor|author|pioneer\w*|published|wrote|discovered|interview\w*|podcast|lecture|to watch|"
    r"says|said|puts it|and (?:his |her |their )?colleagues|developed by|described (?:\w+ )?by|"
    r"(?:found|showed|shown|demonstrated|reported|suggests?) that|(?:showed|demonstrated|observed|reported)|"
    r"in an? (?:\d{4}\s+)?(?:trial|study|paper))\b|"
    r"['’]s\s+(?:study|studies|research|work|book|trial|paper)|"
    r"\b(?:trained|training|studied|mentored)\s+(?:\w+\s+){0,3}?(?:with|under)\s+(?:Dr\.?\s+)?[A-Z]",
    re.I,
)
# "“...” – Jane Roe, MD": a quotation's attribution names its author, not someone on the team (sites close a quote
# with either curly mark: "... no exception. “ -Jane Roe, MD").
_ATTRIBUTION = re.compile(r"[”“\"’]\s*[–—―-]+\s*$")
_FIRST = r"[A-Z][a-zß-öø-ÿ'’]{2,14}"
# "Hi, I'm Dana Whitfield", "My name is Dana": a person introducing themself (a first name alone where that is all).
_INTRODUCED = re.compile(
    # "my name is Jane Roe with Alder Point Counseling": a full name may go on to say where she works
    rf"(?:^|\b)(?:(?:I['’]m|I am|[Mm]y name is)\s+(?:Dr\.?\s+)?(?P<name>{NAME})"
    rf"(?=\s*(?:[,.!;:—–(]|\s-\s|and\b|$)|\s+(?:with|from|of|at|here)\b)|"
    rf"(?:I['’]m|[Mm]y name is)\s+(?P<first>{_FIRST})(?=\s*(?:[,.!;:—–(]|\s-\s|and\b|$)))"
)
# "Jane Roe is a licensed therapist", "Jane Roe, a board-certified psychiatrist,": a bio's subject.
_ROLE_NOUN = (
    r"(?:therapist|psychotherapist|counsel+or|psychiatrist|psychologist|social worker|nurse practitioner|physician|"
    r"clinician|prescriber|founder|co-founder|owner|co-owner|clinical director|medical director|anesthesiologist|"
    r"nurse|provider|practitioner|guide|facilitator|(?:marriage and )?family therapist)(?![\w-])"
)
# "with our clinic director, Steve Roe", "our licensed ketamine psychotherapist, Jill Poe": a role, then its holder
_OUR_ROLE = re.compile(
    rf"\b(?i:our|my)\s+(?:[\w-]+\s+){{0,3}}?(?i:{_ROLE_NOUN}|(?:clinic|program|practice)\s+director)\s*,\s+"
    rf"(?:Dr\.?\s+)?(?P<name>{NAME})(?![\w'’])"
)
# "Article written by <town> therapist, Jane Roe": a byline that says its author is a clinician (an author alone may
# be a writer, not one of the team)
_WRITTEN_BY_ROLE = re.compile(
    rf"\b(?i:written|authored|posted)\s+by\s+(?i:an?\s+|our\s+)?(?:[A-Z][\w-]*\s+)?(?i:{_ROLE_NOUN}),?\s+"
    rf"(?:Dr\.?\s+)?(?P<name>{NAME})(?![\w'’])"
)
_ROLE_THEN_NAME = re.compile(rf"\b(?i:{_ROLE_NOUN})\s+(?:Dr\.?\s+)?(?P<name>{NAME})(?![\w'’])")
# "Rakesh Roe. MD": a byline whose comma the page typed as a period
_NAME_DOT_CODES = re.compile(
    rf"^(?:Dr\.?\s+)?(?P<name>{NAME})\.\s+(?P<codes>[A-Z][A-Za-z\-]{{1,8}}(?:,\s*[A-Z][A-Za-z\-]{{1,8}})*)$"
)
_BIO_SUBJECT = re.compile(
    rf"^(?:Dr\.?\s+)?(?P<name>{NAME})(?:,\s*[A-Z][A-Za-z.\-]{{1,10}})*(?i:(?:,?\s+(?:is|has been|serves as|works as)\s+"
    rf"(?:a|an|the|our)|,\s*(?:a|an|our)|\s+(?:brings|has)\s+(?:[\w-]+\s+){{0,6}}?as\s+(?:a|an))\s+"
    rf"(?:[\w-]+\s+){{0,5}}?{_ROLE_NOUN})"
)
# "Jane Roe holds a Master of Social Work and is a Licensed ...": a bio's subject, with the titles it names.
_TITLED_SUBJECT = re.compile(
    rf"^(?:Dr\.?\s+)?(?P<name>{NAME})(?:,\s*[A-Z][A-Za-z.\-]{{1,10}})*,?\s+(?:also\s+)?"
    r"(?:holds|earned|received|completed|became|(?P<is>is\s+an?\s+))"
)
# "Sarah, our KAP therapist, will meet you": a first name in apposition to its role, where that is all the page gives
_FIRST_APPOSITIVE = re.compile(
    rf"^(?P<first>{_FIRST}),\s+(?i:our|my|the|your)\s+(?:[\w-]+\s+){{0,3}}?(?i:{_ROLE_NOUN})\s*[,(]"
)
_FIRST_SUBJECT = re.compile(  # "Sarah is a licensed therapist": a first name where that is all the page gives
    rf"^(?P<first>{_FIRST})\s+(?i:(?:(?:received|earned|holds|completed)\s+(?:[\w'’-]+\s+){{1,10}}?and\s+)?"
    rf"(?:is|has been|became|works as|serves as)\s+(?:a|an|our|the)\s+(?:[\w-]+\s+){{0,4}}?{_ROLE_NOUN})"
)  # "Sarah received her MSW from X and is a licensed clinical social worker"
# "Sarah offers a therapeutic approach called KAP", "Once Sarah determines if you are a good candidate for this
# therapy, she will refer you": a first name that does the therapy, where that is all the page gives
_FIRST_DOES_THERAPY = re.compile(
    rf"^(?:(?:Once|After|When|Then)\s+)?(?P<first>{_FIRST})\s+(?:also\s+)?(?:offers|provides|takes\s+on|conducts|"
    r"determines|facilitates)\s+(?:[\w'’-]+\s+){0,8}?(?:psychotherapy|therapy|therapeutic|candidate)\b"
)
# "*** Jane Roe also offers sliding scale pricing": a person who sets her own fees sees clients here
_OFFERS_SLIDING_SCALE = re.compile(
    rf"^[*•\W]{{0,4}}(?P<name>{NAME})\s+(?:also\s+)?offers\s+(?:a\s+)?(?:sliding[\s-]+scale|reduced[\s-]+fees?)"
)
# "Sarah Counseling", "Sarah's Wellness": the word begins a practice's name on the page, a brand rather than a person
_BRAND_AFTER = r"['’]?s?\s+(?:[A-Z][\w-]*\s+)?(?:Therapy|Counseling|Wellness|Health|Clinic|Center|Psychiatry|" \
    r"Psychotherapy|Group|Associates|Institute|Medical|Care|Collective|Healing)\b"
_FIRST_WITH_CODES = re.compile(  # "Kristin, LCSW": a first name with post-nominals, where that is all the page gives
    rf"(?<![\w.’'-])(?P<first>{_FIRST}),\s*(?P<codes>[A-Z][A-Za-z.\-]{{1,11}}(?:\s*,\s*[A-Z][A-Za-z.\-]{{1,11}})*)"
)
_INTRO_WORDS = frozenset({"I'm", "I’m", "Hi", "Hello", "Meet", "About"})
_LED_BY = re.compile(  # "founded in 2019 by Jane Roe and Sam Poe": both
    rf"\b(?i:(?:co-?)?founded|led|owned|run|directed|started|created|supervised|prescribed|reviewed|answered)"
    rf"(?:\s+in\s+\d{{4}})?\s+by\s+(?:{_ROLE_PREFIX})?(?:Dr\.?\s+)?(?P<name>{NAME})"
    rf"(?:\s+(?:and|&)\s+(?:{_ROLE_PREFIX})?(?:Dr\.?\s+)?(?P<second>{NAME})(?![\w'’-]))?"
)
# a medical reviewer's byline, its name on the next line: the practice's clinician (an author alone may not be one)
_REVIEWER_LINE = re.compile(r"^(?i:(?:medically\s+|medical\s+|clinically\s+)?review(?:ed)?\s+by)\s*:?$")
_MEET = re.compile(rf"^(?:Meet|About)\s+(?:Dr\.?\s+)?(?:(?P<name>{NAME})|(?P<first>{_FIRST}))$")
_DOCTOR_SURNAME = re.compile(  # "Dr. Okoye": a surname alone (a full name is _DOCTOR's); "UsDr. Okoye": a glued menu
    r"(?:\bDr\.?|(?<=[a-z])Dr\.)\s+(?P<name>[A-Z][a-zß-öø-ÿ]+(?:['’][a-zß-öø-ÿ]{2,}|-[A-Z][a-zß-öø-ÿ'’]+)?)"
    r"(?:['’]s(?![\w'’-])|(?![\w'’-]|\s+[A-Z]|\.[A-Z]|\s+(?:van|von|de|der|del|da|di|du|le|la)\s))"
    # "Dr. Roe's Forms": the possessive ends the name; "Dr. Bessel van der Kolk" is not "Dr. Bessel"
)
# "supervision from Ben Roe, MD", "trained under Ann Lee, PhD": an outside mentor; "Ezra Lund, MD, and colleagues"
# "trained at the X Center under Ann Lee, LMFT, and Ben Roe, PhD": every name of the list; "inspired by Ann Lee, MD"
_MENTOR_BEFORE = re.compile(
    r"\b(?i:supervision|supervised|trained|training|studied|mentored|mentorship|consultation|research|stud(?:y|ies)|"
    r"trials?|paper|book|inspired|influenced|teachings)\s+(?:[\w-]+\s+){0,6}?(?i:from|with|under|by|of)\s+"
    r"(?:(?:Dr\.?\s+)?[A-Z][\w.'’-]*,?\s+|(?:and|&)\s+){0,12}(?:Dr\.?\s+)?$"
    r"|\b(?i:according\s+to)\s+(?:Dr\.?\s+)?$"  # an expert cited ("said X, a nurse with the clinic" may be ours)
    # a student project's academic roles: "Project Chair: Ann Lee, DNP", "Content Expert: Bo Park, MD"
    r"|\b(?i:(?:project|committee|dissertation|thesis)\s+chair|content\s+expert|advis[eo]r|preceptor)\s*:\s*"
    r"(?:(?:Dr\.?\s+)?[A-Z][\w.'’-]*\s+){0,2}$"
)
# "ask for an Initial Consultation with Jane Roe, MD": a booking with the practice's clinician, not a consultant's
# advice
_BOOKED = re.compile(
    r"(?i:\b(?:book|schedule|request|ask\s+for|set\s+up|you|patients?|clients?)\b[^.;]{0,60}|"
    r"\b(?:initial|free|complimentary|first|psychiatric|medical)\s+)"
    r"(?i:consultation|appointment)\s+with\s+(?:Dr\.?\s+)?$"
)


_QUOTED_ROLE_ELSEWHERE = re.compile(
    r"[^.;]{0,120}?\b(?:at|of)\s+(?:the\s+)?(?:[A-Z][\w.-]*\s+){0,5}?"
    r"(?:Hospital|University|College|School\s+of\s+Medicine|Medical\s+(?:School|Center)|Health\s+System)\b"
)
_QUOTED_BEFORE = re.compile(r"[”\"’],?\s+(?:says|said|explains|notes|adds|writes)\s+(?:Dr\.?\s+)?$")
# "IFS was developed by Jane Roe, PhD", "as described eloquently by Dr. Jane Roe, MD": a cited author
_CITED_BEFORE = re.compile(r"\b(?:developed|described|created|pioneered)\s+(?:\w+\s+)?by\s+(?:Dr\.?\s+)?$")


def _mentor_before(text: str) -> bool:
    return bool(_MENTOR_BEFORE.search(text)) and not _BOOKED.search(text)


_COLLEAGUES_AFTER = re.compile(  # a study's authors, or a writer quoted ("Gabor Roe, MD, reminds us")
    r",?\s+(?:and\s+(?:his\s+|her\s+|their\s+)?colleagues|et\s+al|(?:\w+\s+)?(?:says|said|writes|wrote|"
    r"reminds|notes|explains|argues|observes|puts\s+it)\b|"
    # "Jane Roe, LMFT from Elm Springs, OR talks about her experience": a guest from her own town, not the team
    r"from\s+(?:[A-Z][\w'’.-]*\s+){0,2}[A-Z][\w'’.-]*,\s*[A-Z]{2}\s+(?:talks|speaks|shares|describes|discusses|"
    r"tells|reflects)\b)"
)
# "a psychiatric MD (Dr. Roe)": the code said before the doctor it belongs to
_CODE_BEFORE_DOCTOR = re.compile(
    r"\b(?P<code>[A-Z][A-Za-z]{1,5}(?:-[A-Z]{1,3})?)\s*\(\s*Dr\.?\s+(?P<name>[A-Z][a-zß-öø-ÿ'’\-]+"
    r"(?:\s+[A-Z][a-zß-öø-ÿ'’\-]+)?)\s*\)"
)
_PLACE_WORDS = frozenset({"City", "Spring", "Springs", "Beach", "Park", "Heights", "Falls", "Hills", "Valley",
                          "Village", "Harbor", "Lake", "Creek", "County", "Township", "Point", "Island", "Junction"})
# "Clinical Director Jane Roe manages", "our medical director, Ivo Roe MD": a job title said before the name.
_TITLE_BEFORE = re.compile(
    r"(?<![\w-])(?i:(?:clinical|medical|executive|program|associate)\s+director|co-?founder|founder|owner|"
    r"lead\s+(?:therapist|clinician|facilitator)|staff\s+(?:therapist|psychiatrist|psychologist|nurse))\s*,?\s+"
    rf"(?:Dr\.?\s+)?(?P<name>{NAME})(?![\w'’])"
)
# "Wren (our RN)", "Odile (staff IFS therapist)": a first name with its role or title in parentheses.
_FIRST_PAREN = re.compile(
    rf"(?<![\w.’'-])(?P<first>{_FIRST})\s*\((?i:our|staff|the|a|an)?\s*(?P<role>(?:[\w-]+\s+){{0,3}}?"
    rf"(?i:{_ROLE_NOUN})|[A-Z]{{2,6}}(?:-[A-Z]{{1,3}})?)\)"
)
# "Dana and Rue", "Omar and Ilse will monitor the group": two first names said together.
_FIRST_PAIR = re.compile(
    rf"(?<![\w.’'-])(?P<a>{_FIRST})\s+(?:and|&)\s+(?P<b>{_FIRST}|I)(?![\w'’-]|\s+[A-Z])(?P<after>.{{0,30}})"
)
_CARE_VERB = re.compile(
    r"^\s+(?:will|who|also|both|each)?\s*(?:monitor|guide|facilitate|lead|support|assist|co-facilitate|sit|meet|"
    r"welcome|work|care|hold|prepare|offer|run|co-?founded|founded|started|are\s+(?:our|both|licensed|trained|"
    # "are the founders", not "Set and Setting are the key to ..."
    r"certified)|are\s+the\s+(?:\w+\s+){0,2}?(?:co-?)?(?:founders|owners|therapists|facilitators|guides|"
    r"clinicians|providers|team|directors))", re.I
)
# "Once we are done, Dana will stay with you": a first name doing something, on dana<surname>.com (the site of the
# person): the page's clinician
_FIRST_ACTS = re.compile(
    rf"(?:^|,\s+)(?P<first>{_FIRST})\s+(?:will|is|has|offers|provides|works|specializes|helps|sees|guides|brings|"
    r"believes|holds|earned|received|completed|trained|leads|meets)\b"
)
# "Tomas's physician partner": a first name whose possessive is a person's relation, not a brand's.
_FIRST_POSSESSIVE = re.compile(
    rf"(?<![\w.’'-])(?P<first>{_FIRST})['’]s\s+(?:physician|prescriber|prescribing|medical partner|colleague|"
    r"supervisor|co-therapist|co-facilitator)\b"
)
# "Therapists: Jane Roe and Sam Poe", "Co-founders Jane Roe and Sam Poe": people listed under a plural role.
_ROLE_LIST = re.compile(
    r"(?<![\w-])(?i:therapists|psychotherapists|clinicians|providers|prescribers|psychiatrists|co-?founders|founders|"
    r"facilitators|guides|practitioners|counsel+ors)\s*:?\s+"
    rf"(?P<names>(?:Dr\.?\s+)?{NAME}(?:\s*(?:,|and|&|,\s*and)\s+(?:Dr\.?\s+)?{NAME})+)"
)
# "Jane Roe (Psychiatrist)", "Sam Poe (our lead therapist)": a full name with its role in parentheses
_NAME_PAREN_ROLE = re.compile(
    rf"(?:Dr\.?\s+)?(?P<name>{NAME})\s*\((?i:(?:our|the|a|an|staff)\s+)?(?:[\w-]+\s+){{0,3}}?(?i:{_ROLE_NOUN})\s*\)"
)
_NAME_IN_LIST = re.compile(rf"(?:Dr\.?\s+)?(?P<name>{NAME})")
# "I spoke with Jane Roe, board-certified nurse practitioner and owner of ...", "said Sam Poe, a nurse anesthetist
# with the clinic": a full name in apposition to its clinical role, anywhere in a sentence (news and interviews).
_APPOSITIVE = re.compile(
    # not "<town>, this guide will help": a pronoun or a demonstrative begins another clause, not an apposition
    rf"(?:Dr\.?\s+)?(?P<name>{NAME}),\s+(?!(?i:this|that|these|those|it|we|you|they|which)\b)"
    rf"(?i:(?:a|an|the|our)\s+)?(?:[\w-]+\s+){{0,5}}?(?i:{_ROLE_NOUN})"
)
# "..., a psychiatrist at Yale University": someone of an academic or other institution, not this practice's team
_ELSEWHERE_AFTER = re.compile(
    r"\s+(?:at|of|from|with)\s+(?:the\s+)?(?:[A-Z][\w&'’.-]*\s+){0,4}?(?:University|College|Hospital|School|"
    r"Institutes?|Foundation|Association|Society|Journal|Department|Administration)\b"
)
# "Roe opened her clinic in 2016": a news story's surname-only subject who runs the practice
_SURNAME_RUNS = re.compile(
    r"^(?P<surname>[A-Z][a-zß-öø-ÿ'’\-]{2,})\s+(?:(?:co-?)?founded|opened|started|launched|owns|runs)\s+"
    r"(?:her|his|their)\s+(?:[\w-]+\s+){0,3}?(?:clinic|practice|office|center|centre)\b"
)
# "on the Maple Shore, with an in-house nurse": a place after an article or a preposition, not a person's name
_PLACE_BEFORE = re.compile(r"(?i:\b(?:the|on|in|at|near|across|throughout|around|serving))\s+$")
_QUOTE_VERBS = frozenset({"said", "says"})  # "said Jane Roe, a nurse with X": a news quote names its speaker
# "–K.T. RN", "— Jane Roe, LPC": a sign-off line under a post, by initials or a name, with credential letters
_SIGN_OFF = re.compile(
    rf"^[–—―-]+\s*(?P<name>{NAME}|[A-Z]\.\s?[A-Z]\.(?:\s?[A-Z]\.)?)\s*,?\s+"
    r"(?P<codes>[A-Z][A-Za-z.\-]{1,11}(?:\s*,\s*[A-Z][A-Za-z.\-]{1,11})*)$"
)
# "Jane Roe | Therapist", "Jane Roe, Founder & Clinical Director": a short line of a name and its role.
_NAME_ROLE_LINE = re.compile(rf"^(?:Dr\.?\s+)?(?P<name>{NAME})\s*(?:,|\||–|—|\s-)\s*(?P<role>[A-Z][\w&,/ -]{{2,60}})$")
_ROLE_PIECE = re.compile(rf"(?i:(?:[\w-]+\s+){{0,3}}?(?:{_ROLE_NOUN}|director))")
_NUMBER_CUE = re.compile(
    r"\bNPI\b|#\s*[A-Z]{0,4}-?\d|\b(?i:license|licence|lic\.?|no\.|number)[\s:#]|\b[A-Z]{2,6}\s\d{5,}"
)
_NPI = re.compile(r"\bNPI(?:\s*(?:#|No\.?|Number|num\.?))?\s*[:#]?\s*(?P<npi>\d{10})\b", re.I)
_STATE_NAMES = "|".join(sorted((re.escape(name) for name in STATE_BY_NAME), key=len, reverse=True))
_STATE_WORD = re.compile(rf"\b(?:{_STATE_NAMES})\b")
_LICENSED_KINDS = frozenset({CredentialKind.STATE_LICENSE, CredentialKind.NATIONAL_CERTIFICATION})
_LICENSE = re.compile(
    rf"(?:(?P<state>\b[A-Z]{{2}}|{_STATE_NAMES})\s+)?"
    r"(?:(?!(?i:licen[sc]e|lic|registration|reg|no|number|state)\b)(?P<code>\b[A-Z][A-Za-z]{1,7}(?:-[A-Z]{1,4})?)\s*,?\s*)?"
    r"(?:(?P<lic>(?i:state\s+)?(?i:license|licence|lic\.?|registration|reg\.?))\s*)?"
    r"(?:#|(?i:no\.?|number|num\.?)\s*:?|:)\s*(?P<num>[A-Z]{0,4}[-.]?\d[\d-]{2,11}[A-Z]?)\b"
    r"(?:\s*\((?P<after>[A-Z]{2})\))?"
    r"|(?P<code2>\b[A-Z]{2,6}(?:-[A-Z]{1,4})?)\s+(?P<num2>\d{5,9})\b"
    # "WA License LH60123456", "NY License 123456": the word and the number, no "#" between
    rf"|(?:(?P<state3>\b[A-Z]{{2}}|{_STATE_NAMES})\s+)?(?i:license|licence)\s+"
    r"(?P<num3>(?=[A-Z0-9.\-]{0,12}\d{4})[A-Z0-9][A-Z0-9.\-]{3,15}[A-Z0-9])\b"
)
_PROSE_HINT = AnyWord((
    "therapist", "counsel", "psychiatr", "psycholog", "social work", "practitioner", "physician", "clinician",
    "prescrib", "founde", "owne", "director", "nurse", "provider", "guide", "facilitat", "anesthesi", "licensed",
    "certif", "doctor", "assistant", "specialist", "master", "bachelor", "fellow", "registered",
))
_INTRO_HINT = re.compile(r"I['’]m|I am|name is")
_TITLED_NAME = re.compile(rf"\s+(?:Dr\.?\s+)?(?P<name>{NAME})(?![\w'’])")


def _spelled_titles() -> tuple[re.Pattern[str], AnyWord]:
    """Titles as prose writes them ("a Licensed Clinical Social Worker", "(LCSW)", "training with Fluence")."""
    table = load_table()
    titles = sorted({written for info in table for written in (info.code, *info.aliases)
                     if " " in written and written[0].isupper()}, key=len, reverse=True)
    codes = sorted({info.code for info in table if " " not in info.code and len(info.code) >= 2}, key=len, reverse=True)
    trainings = sorted({written for info in table if info.kind is CredentialKind.TRAINING
                        for written in (info.code, *info.aliases)}, key=len, reverse=True)
    return re.compile(
        r"\b((?i:" + "|".join(re.escape(title) for title in titles) + r"))\b|\((" + "|".join(map(re.escape, codes))
        + r")\)|\b(" + "|".join(map(re.escape, trainings)) + r")\b"
    ), AnyWord(tuple(sorted({title.split()[0].lower() for title in titles} | {word.lower() for word in trainings}))
               + ("(",))


# _SPELLED_GATE: every match of _SPELLED holds a title's first word, a training or "(" (a cheap necessary test).
_SPELLED, _SPELLED_GATE = _spelled_titles()


def _name_words(name: str) -> list[str]:
    words = name.replace(",", " ").split()
    while words and words[0].lower().strip(".") in _NAME_PREFIXES:
        words = words[1:]
    while len(words) > 1 and words[-1].lower().strip(".") in _NAME_SUFFIXES:
        words = words[:-1]
    return words


def given_name(name: str) -> str:
    words = _name_words(name)
    return words[0] if words else ""


def person_key(name: str) -> tuple[str, str]:
    """'Dr. Jane Roe' = 'Jane Roe' = 'Jane A. Roe': (given, family) name keys. The one person key of
    ``directory.names`` (the store keys clinicians with it too), so extraction and storage agree on people."""
    return person_parts(name)


def clean_name(raw: str) -> str | None:
    """A display name from a candidate, or None when it is not a person's name."""
    name = raw.strip(" ,.;:|")
    while True:
        stripped = _LEADING.sub("", name)
        if stripped == name:
            break
        name = stripped
    name = re.sub(r"^Dr\.?\s+", "", _ROLE_AT_START.sub("", name))
    name = _GLUED_TITLE.sub("", name)  # "Zoe RoeDr. Zoe Roe": a layout that ran a byline into its repeat
    words = name.split()
    if not 2 <= len(words) <= 4:
        return None
    if any(word.strip(".,'’") in _NOT_NAME_WORDS for word in words):
        return None
    if any(_POSSESSIVE_WORD.search(word) for word in words[:-1]):
        return None  # "Jane's Approach", "Roe's Office": a possessive inside is a heading, not a name
    if name in STATE_BY_NAME or any(word in STATE_CODES for word in words) or name in KNOWN_PARTNERS:
        return None
    return name


_LIST_ITEMS = re.compile(r"\s*,\s*(?:and\s+|&\s+)?|\s+(?:and|&)\s+")
_BARE_LIST_NAME = re.compile(r"[A-Z][a-z'’\-]+(?:\s+[A-Z]\.)?\s+[A-Z][a-z'’\-]+(?:-[A-Z][a-z'’\-]+)?")
_WORD = re.compile(r"\w+")
_GLUED_TITLE = re.compile(r"(?<=[a-z])(?:Dr|Mr|Mrs|Ms)\.?$")
_ROLE_AT_START = re.compile("^" + _ROLE_PREFIX)
_POSSESSIVE_WORD = re.compile(r"['’]s$")


_PARTNER_WORDS = frozenset(word for name in KNOWN_PARTNERS for word in name.split())
_NOT_FIRST_NAMES = frozenset(
    """Here Sorry So Not Also Glad Happy Excited Honored Grateful Passionate Committed Proud Trained Certified Currently
    Often Always Available Able Curious Sure Thrilled Delighted Dedicated Deeply Really Very Just Still Now Back
    Offering Accepting Qualified Experienced Writing Going Looking Ready Hoping Sharing Trying Aware Located Based
    Originally Thankful Humbled Fascinated Interested She He They It This That These Those Each Every Both Everyone
    Someone However Moreover Furthermore Therefore Thus Hence Meanwhile Instead Otherwise Overall Together Today
    Nevertheless Nonetheless Indeed Besides Yes No Please Note Then First Second Third Next Last Lastly""".split()
)  # pronouns too: "She holds a Master of Arts and is a Licensed ..." names nobody new; sentence openers
# "Additionally, LCSW clinicians ...": a sentence adverb opening a clause, never a first name ("Kimberly" stays one)
_ADVERB = re.compile(r"[A-Z][a-z]{2,}(?:ally|ately|ently|antly|ously|fully|ively|ingly|arly)")


def _called_by_first_name(text: str) -> set[str]:
    """Words the text uses the way a first name alone is used: "Book with Jane", "Jane's approach". One pass over
    the text, however many name lines a page has (a page of thousands of names must not scan itself for each)."""
    called = set()
    for match in _CAPITALISED.finditer(text):
        if match.group(2) or _PERSON_BEFORE.search(text[max(0, match.start() - 12): match.start()]):
            called.add(match.group(1))
    return called


def _single_name(word: str, lower_words: frozenset[str]) -> bool:
    """A first name or surname given alone ("I'm Nadia.", "Dr. Okoye"): not a word the page also writes in lower
    case ("I'm Excited", "Dr. Approved"), a state, or a word that is never a name."""
    return (word.strip(".,'’") not in _NOT_NAME_WORDS and word not in _NOT_FIRST_NAMES and word not in _PARTNER_WORDS
            and not _ADVERB.fullmatch(word)
            and word.lower() not in lower_words and word not in STATE_BY_NAME and word.upper() not in STATE_CODES)


# "Wren: wren@example.org; 828-555-0100": a first name, then how to reach that person
_CONTACT_LINE = re.compile(
    r"(?P<name>[A-Z][a-z]{2,14}):\s*(?:[\w.+-]+@[\w-]+\.\w|\[email|\(?\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4})"
)
_CONTACT_LABELS = frozenset(
    """Phone Email Mail Fax Office Text Call Main Cell Mobile Tel Telephone Address Hours Contact Website Web
    Scheduling Billing Intake Questions Inquiries Appointments Support Admin Reception Front Desk Emergency Crisis
    General Media Press Referrals Sales Info Information Location Clinic Direct Toll Free Voicemail""".split()
)
_UNKNOWN_CODE = re.compile(r"[A-Z]{2,6}(?:-[A-Z0-9]{1,4})?|[A-Z]-[A-Z]{2,5}")  # "C-PAT", "C-BSP": a certificate
_LICENSE_LIKE = re.compile(r"L[A-Z]{2,6}(?:-[A-Z]{1,3})?")  # "Licensed ...": LMHCA, LPC-A, LISAC, LCADC
_NEVER_CODES = frozenset({"LLC", "PLLC", "INC", "USA", "US", "KAP", "PTSD", "OCD", "FAQ", "CEO", "COO", "DBA", "TMS",
                          "ECT", "ADHD", "IV", "IM", "MDD", "TRD", "NMDA", "FDA", "DEA", "NPI", "SPRAVATO", "AND"})


_CLAUSE_DASH = re.compile(r"[\u2013-\u2015](?=[a-z\s])")
_PLURAL_CODE = re.compile(r"[A-Z][A-Z\-]+s")
_HELD_IN_END = re.compile(r"\s*\((?:[A-Z]{2}|[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)\)$")


# "MSEd", "PsyS": a degree in mixed case, taken only when a known code follows it
_MIXED_CODE = re.compile(r"(?=(?:[a-z]*[A-Z]){2})[A-Z][A-Za-z]{1,5}")


def _known_next(pieces: list[str], index: int) -> bool:
    """A code the table knows follows, with only code-shaped pieces between ("EdS, LPC", "PsyS, NCSP, LPC"):
    the unknown ones before it are post-nominals too."""
    for piece in pieces[index + 1:index + 3]:
        piece = _HELD_IN_END.sub("", piece.strip())
        if lookup(piece) is not None:
            return True
        if not (_UNKNOWN_CODE.fullmatch(piece) or _MIXED_CODE.fullmatch(piece)):
            return False
    return False


def _codes(raw: str) -> list[str]:
    """The leading credential codes of 'LPC, NCC | Clinical Director': stop at the first non-code. A capitalised
    code the table does not know is kept after a known one ("LPC, NCC, CHT-X"), or first when it reads as a
    state license title ("LMHCA": L + letters) or a known code follows it ("MSEd, LPC"), as the page writes it."""
    found: list[str] = []
    pieces = re.split(r"\s*[,/|]\s*", raw)
    for index, piece in enumerate(pieces):
        piece = _CLAUSE_DASH.split(piece)[0]  # "PA-C—a clinician who ...": a dash that opens a clause ends the codes
        piece = _HELD_IN_END.sub("", piece.strip())  # "LMHC (FL)", "LPC (Colorado)"
        if _PLURAL_CODE.fullmatch(piece):
            break  # "LPCs, LMFTs": professions named in the plural, nobody's credentials
        piece = _DASHES.sub("-", piece)
        info = lookup(piece)
        if info is None and (found or _LICENSE_LIKE.fullmatch(piece) or _known_next(pieces, index)) \
                and (_UNKNOWN_CODE.fullmatch(piece) or (not found and _MIXED_CODE.fullmatch(piece))) \
                and piece not in _NEVER_CODES and piece not in STATE_CODES:
            found.append(piece)
            continue
        if info is None:
            # "MA LPC" (no commas): every word a code; "LPC and Director": the codes before the first other word
            for word in piece.split():
                info = lookup(word)
                if info is None:
                    if found and _UNKNOWN_CODE.fullmatch(word) and word not in _NEVER_CODES \
                            and word not in STATE_CODES:
                        found.append(word)  # "LCSW, LMT Part 3": a code the table does not know, then prose
                    break
                found.append(as_written(word, info))
            break
        found.append(as_written(piece, info))
    return found


def as_written(written: str, info: CredentialInfo) -> str:
    """The code as the page writes it where it is a variant of the table's ("LMFT-S", "FNP-C"); the table's own
    spelling where it is the same code ("Ph.D." -> "PhD") or a spelled-out title ("Licensed Professional
    Counselor" -> "LPC")."""
    written = _DASHES.sub("-", written.strip())
    if " " in written or normalise_code(written) == normalise_code(info.code) or not written.isascii():
        return info.code
    return written.replace(".", "")


@dataclass
class _Person:
    name: str
    codes: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # code -> how it was said (the first way)
    snippets: list[str] = field(default_factory=list)
    licenses: dict[str, tuple[str | None, str]] = field(default_factory=dict)  # code -> (state, number)
    npi: str | None = None


class _PeopleReader:
    def __init__(self, document: Document, structured: StructuredData) -> None:
        self.document = document
        self.structured = structured
        self.people: dict[tuple[str, str], _Person] = {}
        self.evidence: list[Evidence] = []
        self.narrator: str | None = None  # who "I" is on this page ("Hi, I'm Jane Roe")

    def add(self, name: str, codes: list[str], snippet: str, source: str = "post_nominal") -> None:
        key = person_key(name)
        person = self.people.get(key)
        if person is not None and not codes:
            return  # already known, nothing new said
        if person is None:
            person = self.people[key] = _Person(name=name)
        elif len(name) < len(person.name) or (len(name.split()) < len(person.name.split())):
            person.name = name if len(name.split()) >= 2 else person.name
        for code in codes:
            if code not in person.codes:
                person.codes.append(code)
            if person.sources.get(code) in (None, "prose"):  # a post-nominal outranks the same title said in prose
                person.sources[code] = source
        person.snippets.append(snippet)
        self.evidence.append(Evidence("clinicians", {"name": name, "credentials": codes}, snippet, self.document.url))

    def read(self) -> list[ClinicianFact]:
        self.read_structured()
        blocks = self.document.blocks
        for index, block in enumerate(blocks):
            if index and len(block.text) <= 100 and blocks[index - 1].text.endswith(("”", "“", '"')):
                continue  # the line under a quotation names its author ("– Jane Roe, MD"), not the team
            self.read_block(block, blocks[index + 1: index + 3])
        self.read_pairs()
        self.read_lists()
        self.read_name_lines()
        self.read_contact_lines()
        self.fold_surnames()
        self.read_bios()
        self.read_numbers()
        return [
            ClinicianFact(
                name=person.name,
                credentials=[_credential(code, person.sources.get(code), *person.licenses.get(code, (None, None)))
                             for code in person.codes],
                role=role_for(person.codes).value,
                npi=person.npi,
                url=self.document.url,
            )
            for person in self.people.values()
        ]

    def read_contact_lines(self) -> None:
        """'Wren: wren@example.org; 828-555-0100' on two or more lines: the staff who answer, by first name.
        Labels of such lines ('Phone:', 'Scheduling:') are words the page writes in lower case or never names."""
        found = [(match.group("name"), block.text) for block in self.document.blocks
                 if len(block.text) <= 120 and (match := _CONTACT_LINE.match(block.text))
                 and match.group("name") not in _CONTACT_LABELS]
        if len({name for name, _ in found}) < 2:
            return
        # the name written in lower case in its own e-mail address ("wren@...") is still a name
        lower_words = frozenset(LOWER_WORD.findall(EMAIL.sub(" ", self.document.text)))
        found = [(name, line) for name, line in found if _single_name(name, lower_words)]
        if len({name for name, _ in found}) >= 2:
            for name, line in found:
                self.add(name, [], line, source="prose")

    def read_numbers(self) -> None:
        """License numbers and NPIs the site prints ("CT LPC #006127", "NPI 1234567893"), each given to the
        clinician named nearest before it in the same block or the two before it, or to the page's only one."""
        if not self.people or not any(_NUMBER_CUE.search(block.text) for block in self.document.blocks):
            return
        last_seen: list[tuple[int, _Person]] = []  # (block index, person) in reading order
        for index, block in enumerate(self.document.blocks):
            text = block.text
            letters = name_key(text[:2000])
            for person in self.people.values():
                if _family(person.name) and _family(person.name) in letters:
                    last_seen.append((index, person))
            if not _NUMBER_CUE.search(text):
                continue
            near = [person for seen_at, person in last_seen if index - seen_at <= 2]
            owner = near[-1] if near else (next(iter(self.people.values())) if len(self.people) == 1 else None)
            if owner is None:
                continue
            for match in _NPI.finditer(text):
                if owner.npi is None and is_npi(match.group("npi")):
                    owner.npi = match.group("npi")
                    self.evidence.append(Evidence("npi", {"name": owner.name, "npi": owner.npi}, text[:300],
                                                  self.document.url))
            for number in _license_numbers(text):
                code, state, value = number
                if code is None:  # the line says no code: the owner's one license, if one
                    code = _only_license(owner.codes)
                    if code is None:
                        continue
                if code not in owner.codes:
                    owner.codes.append(code)
                    owner.sources[code] = "license_line"
                owner.licenses.setdefault(code, (state, value))
                self.evidence.append(Evidence("licenses", {"name": owner.name, "code": code, "state": state,
                                                           "number": value}, text[:300], self.document.url))

    @property
    def lower_words(self) -> frozenset[str]:
        return self.document.lower_words  # computed once per page, shared with the practice-name reader

    @property
    def host(self) -> str:
        return re.sub(r"[^a-z]", "", (self.document.url or "").lower().split("//")[-1].split("/")[0])

    @cached_property
    def site_first(self) -> str | None:
        """The first name a person's own domain begins with ("dana" on danaroe.com) where the page says it as a word:
        the rest of the domain is then a surname, not practice words ("danacounseling.com") or a place."""
        labels = domain_labels(self.document.url)
        label = labels[0] if labels else ""
        if len(label) < 6:
            return None
        words = set(_WORD.findall(self.document.text))  # one pass, not a pattern compiled for each length
        for size in range(min(15, len(label) - 3), 2, -1):  # the longest first name the page writes
            first = label[:size]
            if first.capitalize() in words and not describes_rest(label[size:]):
                # "Evergreen Spravato & Interventional Psychiatry" on the page: the word begins a brand, not a name
                brand = re.search(rf"\b{first.capitalize()}(?:\s+[A-Z&][\w&'’-]*){{0,3}}?{_BRAND_AFTER}",
                                  self.document.text)
                return None if brand else first
        return None

    def spells_host(self, name: str) -> bool:
        """The site's domain begins with this full name, practice words after it ("janeroe" + "therapy")."""
        label = next(iter(domain_labels(self.document.url)), "")
        key = re.sub(r"[^a-z]", "", name.lower().removeprefix("dr. "))
        return len(key) >= 6 and label.startswith(key) and describes_rest(label[len(key):])

    def lone_first(self, sentence: str, start: int, first: str) -> bool:
        """A first name said alone: not the end of a longer name ("Jane Roe"), not an everyday word."""
        previous = re.search(r"(\S+)\s+$", sentence[:start])
        previous_word = previous.group(1) if previous else ""
        return not ((previous_word.strip("\"“”()")[:1].isupper() and previous_word not in _INTRO_WORDS
                     and not previous_word.endswith((",", ";", ":", "!", "?"))
                     and not (previous_word.endswith(".") and len(previous_word) > 4))  # "J. Rivera", "Dr. Roe"
                    or re.fullmatch(_PARTICLE, previous_word.lower()) or not _single_name(first, self.lower_words))

    def read_pairs(self) -> None:
        """'Dana and Rue': a first name said with a known clinician's is a colleague; 'Omar and Ilse will
        monitor the group': two first names doing the care work."""
        for block in self.document.blocks:
            if " and " not in block.text and "&" not in block.text or not _FIRST_PAIR.search(block.text):
                continue  # the cheap tests first: most blocks pair no names
            for sentence in block.sentences:
                if not _FIRST_PAIR.search(sentence) or _RESEARCH.search(sentence):
                    continue
                for match in _FIRST_PAIR.finditer(sentence):
                    if match.group("b") == "I":  # "Sarah and I lead the groups": the narrator's colleague
                        if _CARE_VERB.match(match.group("after")) and self.lone_first(sentence, match.start(),
                                                                                       match.group("a")):
                            first = match.group("a")
                            self.add(self.known_first(first) or first, [], sentence[:300], source="prose")
                        continue
                    pair = (match.group("a"), match.group("b"))
                    if (pair[0] + pair[1]).lower() in self.host or (pair[0] + "and" + pair[1]).lower() in self.host \
                            or re.search(rf"\b{pair[0]}\s+(?:and|&)\s+{pair[1]}\s+[A-Z]", self.document.text):
                        continue  # "Willow & Oak will guide you" beside "Willow & Oak Counseling": the practice's name
                    known = [self.known_first(first) for first in pair]
                    if not (any(known) or _CARE_VERB.match(match.group("after"))):
                        continue
                    if not self.lone_first(sentence, match.start(), pair[0]) or \
                            not _single_name(pair[1], self.lower_words):
                        continue
                    for first, full in zip(pair, known, strict=True):
                        if not full:
                            self.add(first, [], sentence[:300], source="prose")

    def read_lists(self) -> None:
        """'Offered by Ann Lee MD, Bo Park, Cy Diaz LPC and Di Roe': a bare full name listed among clinicians who
        carry credentials is one of them (the page gives titles to some only)."""
        credentialed = [person.name for person in self.people.values() if person.codes]
        if len(credentialed) < 2:
            return
        for block in self.document.blocks:
            if block.text.count(",") < 2:
                continue
            for sentence in block.sentences:
                items = _LIST_ITEMS.split(sentence)
                if len(items) < 4 or sum(any(name in item for name in credentialed) for item in items) < 2:
                    continue
                for item in items:
                    bare = _BARE_LIST_NAME.fullmatch(item.strip(" .;:"))
                    words = bare.group(0).split() if bare else []
                    if bare and all(_single_name(word, self.lower_words) for word in words) \
                            and not is_town_name(bare.group(0)) and (name := clean_name(bare.group(0))):
                        self.add(name, [], sentence[:300], source="prose")

    def read_name_lines(self) -> None:
        """A line that is only a full name, whose first name the page then uses alone ("Jane Roe", then "Book with
        Jane:" or "Jane's approach"): the clinician the page is about, though no title stands beside the name."""
        called: set[str] | None = None  # the words the page uses as a first name alone, read once a page
        for block in self.document.blocks:
            bare = _BARE_NAME.match(block.text) if len(block.text) <= 40 and not block.text.startswith("Dr") else None
            name = clean_name(bare.group("name")) if bare else None
            if not name or len(name.split()) > 3:
                continue
            first, surname = name.split()[0], name.split()[-1]
            if not (_single_name(first, self.lower_words) and _single_name(surname, self.lower_words)):
                continue
            if called is None:
                called = _called_by_first_name(self.document.text[:20000])
            if first in called and person_key(name) not in self.people:  # the name parser last: it is the dear part
                self.add(name, [], block.text, source="prose")

    def known_first(self, first: str) -> str | None:
        """'Jane Roe' for 'Jane' when she is already on the page: the same person."""
        return next((person.name for person in self.people.values() if given_name(person.name) == first), None)

    def fold_surnames(self) -> None:
        """'Dr. Roe' (or 'Jane') is 'Jane Roe' when the page names her in full, and names no other Roe (or Jane)."""
        for key, person in list(self.people.items()):
            if all(key) or not any(key):
                continue
            position = 0 if key[0] else 1  # "Jane": a given name only; "Dr. Roe": a surname only
            same = [other for other_key, other in self.people.items() if all(other_key)
                    and other_key[position] == key[position]]
            full = same[0] if len(same) == 1 else None
            if full is not None:
                for code in person.codes:
                    if code not in full.codes:
                        full.codes.append(code)
                        full.sources[code] = person.sources.get(code, "prose")
                del self.people[key]

    def read_prose(self, sentence: str) -> None:
        """People named in running text without post-nominals: introductions, bios' subjects, "founded by",
        "Dr. Roe", and a title said before the name ("Licensed Professional Counselor Beth Arno")."""
        does = _FIRST_DOES_THERAPY.match(sentence)
        if does and _single_name(first := does.group("first"), self.lower_words) \
                and not re.search(rf"\b{re.escape(first)}{_BRAND_AFTER}", self.document.text):
            self.add(self.known_first(first) or first, [], sentence[:300], source="prose")
        fees = _OFFERS_SLIDING_SCALE.match(sentence)
        if fees and (name := clean_name(fees.group("name"))) \
                and not re.search(rf"\b{re.escape(fees.group('name'))}{_BRAND_AFTER}", self.document.text):
            self.add(name, [], sentence[:300], source="prose")
        site_first = self.site_first
        for match in _FIRST_ACTS.finditer(sentence) if site_first and site_first.capitalize() in sentence else ():
            if match.group("first").lower() == site_first and self.lone_first(sentence, match.start("first"),
                                                                              match.group("first")):
                self.add(self.known_first(match.group("first")) or match.group("first"), [], sentence[:300],
                         source="prose")
        hint = _PROSE_HINT.search(sentence)  # cheap tests first: most sentences name nobody
        intro = ("I" in sentence or "name is" in sentence) and _INTRO_HINT.search(sentence)
        coded = ("," in sentence or "(" in sentence) and _ANY_CODE.search(sentence)  # "Wren (LMFT)" too
        if not (hint or intro or coded or " by " in sentence or "Dr" in sentence):
            return
        cited = [match.group(0).lower() for match in _RESEARCH.finditer(sentence)]
        for match in _APPOSITIVE.finditer(sentence) if hint and "," in sentence else ():
            if all(cue in _QUOTE_VERBS for cue in cited) and not _ELSEWHERE_AFTER.match(sentence, match.end()) \
                    and not _mentor_before(sentence[:match.start("name")]) \
                    and not _PLACE_BEFORE.search(sentence[:match.start()]) \
                    and (name := clean_name(match.group("name"))):
                self.add(name, [], sentence[:300], source="prose")
        if cited:
            return
        runs = _SURNAME_RUNS.match(sentence) if hint else None
        if runs and _single_name(runs.group("surname"), self.lower_words):
            self.add(runs.group("surname"), [], sentence[:300], source="prose")
        for match in _INTRODUCED.finditer(sentence) if intro else ():
            if match.group("name"):
                name = clean_name(match.group("name"))
            else:
                name = match.group("first") if _single_name(match.group("first"), self.lower_words) else None
            if name:
                self.add(name, _titles_in(sentence), sentence[:300], source="prose")
                self.narrator = self.narrator or name
        bio = _BIO_SUBJECT.match(sentence) if hint else None
        if bio and (name := clean_name(bio.group("name"))):
            self.add(name, [], sentence[:300], source="prose")  # its titles: read_bios
        titled = _TITLED_SUBJECT.match(sentence) if hint and not bio else None
        if titled and titled.group("is") and not _SPELLED.match(sentence, titled.end()):
            titled = None  # "X is a licensed clinic with a Licensed ...": the title must be what X is
        if titled and (name := clean_name(titled.group("name"))) and any(
                (info := lookup(code)) is not None and info.kind is not CredentialKind.TRAINING
                for code in _titles_in(sentence)):
            self.add(name, [], sentence[:300], source="prose")  # its titles: read_bios
        first = _FIRST_APPOSITIVE.match(sentence) if hint else None
        if first and self.lone_first(sentence, 0, first["first"]) and not self.known_first(first["first"]):
            self.add(first["first"], [], sentence[:300], source="prose")
        first = _FIRST_SUBJECT.match(sentence) if hint and not bio else None
        if first and _single_name(first.group("first"), self.lower_words) and not self.known_first(first["first"]):
            self.add(first.group("first"), _titles_in(sentence), sentence[:300], source="prose")
        for match in _FIRST_WITH_CODES.finditer(sentence) if coded else ():
            first = match.group("first")
            if not self.lone_first(sentence, match.start(), first):
                continue  # the end of a longer name ("Jane Roe, LPC") or an everyday word
            codes = _codes(match.group("codes"))
            # a degree or license, not only a method's certificate: "Brainspotting, EMDR" names two methods
            if codes and not (len(codes) == 1 and codes[0] in STATE_CODES) and any(
                    (info := lookup(code)) is None or info.kind is not CredentialKind.NATIONAL_CERTIFICATION
                    and info.kind is not CredentialKind.TRAINING for code in codes):
                self.add(self.known_first(first) or first, codes, sentence[:300], source="post_nominal")
        for match in _FIRST_PAREN.finditer(sentence) if "(" in sentence else ():
            first = match.group("first")
            role = match.group("role")
            codes = _codes(role) if role.isupper() else _titles_in(f"({role.split()[-1]})") + [
                code for code in _codes(role.split()[0]) if role.split()[0].isupper()]
            if (codes or not role.isupper()) and self.lone_first(sentence, match.start(), first):
                self.add(self.known_first(first) or first, codes, sentence[:300], source="prose")
        for match in _FIRST_POSSESSIVE.finditer(sentence) if "s " in sentence else ():
            first = match.group("first")
            if self.lone_first(sentence, match.start(), first) and first.lower() not in self.host:
                self.add(self.known_first(first) or first, [], sentence[:300], source="prose")
        for match in _TITLE_BEFORE.finditer(sentence) if hint else ():
            if name := clean_name(match.group("name")):
                self.add(name, [], sentence[:300], source="prose")
        for match in _OUR_ROLE.finditer(sentence) if "," in sentence and ("our " in sentence or "my " in sentence) \
                else ():
            if name := clean_name(match.group("name")):
                self.add(name, [], sentence[:300], source="prose")
        for match in _WRITTEN_BY_ROLE.finditer(sentence) if " by " in sentence else ():
            if name := clean_name(match.group("name")):
                self.add(name, [], sentence[:300], source="prose")
        for match in _ROLE_THEN_NAME.finditer(sentence) if self.host else ():
            # "the office of <town> therapist Jane Roe" on janeroetherapy.com: the person the site is named for
            if (name := clean_name(match.group("name"))) and self.spells_host(name):
                self.add(name, [], sentence[:300], source="prose")
        for match in _LED_BY.finditer(sentence) if " by " in sentence else ():
            for found in (match.group("name"), match.group("second")):
                if found and (name := clean_name(found)):
                    self.add(name, [], sentence[:300], source="prose")
        if "Dr" in sentence:
            for match in _DOCTOR_SURNAME.finditer(sentence):
                surname = match.group("name")
                if _single_name(surname, self.lower_words) and not _ATTRIBUTION.search(sentence[: match.start()]):
                    self.add(f"Dr. {surname}", [], sentence[:300], source="prose")
            for match in _CODE_BEFORE_DOCTOR.finditer(sentence) if "(" in sentence else ():
                info = lookup(match.group("code"))
                name = match.group("name")
                if info is None or info.kind is CredentialKind.TRAINING or not _single_name(name.split()[-1],
                                                                                           self.lower_words):
                    continue
                person = f"Dr. {name}" if " " not in name else clean_name(name)
                if person:
                    self.add(person, [as_written(match.group("code"), info)], sentence[:300], source="post_nominal")
        for title in _SPELLED.finditer(sentence) if hint else ():
            if not title.group(1):
                continue
            after = _TITLED_NAME.match(sentence, title.end())
            info = lookup(title.group(1))
            if after and info is not None and (name := clean_name(after.group("name"))):
                self.add(name, [info.code], sentence[:300], source="prose")

    def read_structured(self) -> None:
        for item in self.structured.people:
            raw = text_of(item.get("name"))
            if not raw:
                continue
            match = _WITH_CODES.fullmatch(raw.strip())
            codes: list[str] = []
            if match:
                raw, codes = match.group("name"), _codes(match.group("codes"))
            for extra in texts_of(item.get("honorificSuffix")) + texts_of(item.get("hasCredential")):
                codes += [code for code in _codes(extra) if code not in codes]
            name = clean_name(raw)
            if name:
                snippet = f"schema.org {sorted(_type_names(item))[0]}: {text_of(item.get('name'))}"
                self.add(name, codes, snippet, source="schema_org")

    def read_block(self, block: Block, following: list[Block]) -> None:
        text = _MARKUP.sub(" ", block.text) if "<" in block.text else block.text
        if "/" in text:
            text = _PRONOUNS.sub("", text)  # "Jane Roe (she/her), LCSW"
        if "(" in text or "“" in text or '"' in text:
            text = _NICKNAME.sub(" ", text)  # 'Elizabeth "Liz" Roe, LPC'
        if _GLUE_HINT.search(text):  # the cheap scan first: most blocks have no glued words
            text = _GLUED.sub(" | ", text)  # "Ray AustinContact Us", "Jane RoeLCSW": a line break the text lost
        pieces = [text] if len(text) <= 120 else (block.sentences if text is block.text else sentences(text))
        prose = pieces
        if not _ANY_CODE.search(text) and "Dr" not in text \
                and not ("icensed" in text and _SPELLED_GATE.search(text) and _SPELLED.search(text)):
            pieces = []  # no post-nominal and no "Dr.": no name-with-credentials here (the grid check still runs)
        for sentence in pieces:
            position = 0
            while (match := _WITH_CODES.search(sentence, position)) is not None:
                if self.read_name_with_codes(match, sentence):
                    position = _next_name_at(match)
                else:  # "Our Team Jane Roe, MA, LPC": the name may begin at a later word of the failed candidate
                    position = _next_word_at(sentence, match.start("name"))
            for match in _DOCTOR.finditer(sentence):
                name = clean_name(_without_trailing_words(match.group("name")))
                if name and not _RESEARCH.search(sentence) and not _ATTRIBUTION.search(sentence[: match.start()]) \
                        and not _COLLEAGUES_AFTER.match(sentence, match.end()):
                    self.add(name, [], sentence[:300])
        caps = _CAPS_WITH_CODES.match(text) if len(text) <= 100 and text[:3].isupper() else None
        if caps and (codes := _codes(caps.group("codes"))):
            words = caps.group("name").split()
            if len(words) > 2 and lookup(words[-1]) is not None:  # "DANA ROE MA, LPC": the last word is a code
                codes = _codes(words.pop()) + codes
            name = clean_name(" ".join(word.capitalize() if len(word) > 2 or "." not in word else word
                                       for word in words))
            if name:
                self.add(name, codes, text, source="post_nominal")
        for sentence in prose:  # after the post-nominals: "founded by Jane Roe, LPC" is said once, with its codes
            self.read_prose(sentence)
        dotted = _NAME_DOT_CODES.match(text) if len(text) <= 60 and ". " in text else None
        if dotted and (codes := _codes(dotted.group("codes"))) and all(lookup(code) for code in codes) \
                and (name := clean_name(dotted.group("name"))):
            self.add(name, codes, text, source="post_nominal")
        sign_off = _SIGN_OFF.match(text) if len(text) <= 80 and text[:1] in "–—―-" else None
        if sign_off and (codes := _codes(sign_off.group("codes"))) and all(lookup(code) for code in codes):
            raw = sign_off.group("name")
            name = raw.replace(" ", "") if re.fullmatch(r"[A-Z.\s]+", raw) else clean_name(raw)
            if name:
                self.add(name, codes, text, source="post_nominal")
        byline = _BYLINE_PAIR.match(text) if len(text) <= 120 and text[:1] in "ABW" else None
        for group in ("a", "b") if byline else ():
            if name := clean_name(byline.group(group)):
                self.add(name, [], text, source="prose")
        meet = _MEET.match(text) if len(text) <= 40 else None
        if meet:
            name = clean_name(meet.group("name") or "") or (
                meet.group("first") if meet.group("first") and _single_name(meet.group("first"), self.lower_words)
                else None)
            if name:
                self.add(name, [], text, source="prose")
        if following and len(text) <= 40 and _REVIEWER_LINE.match(text):  # "Medical Review By:" / "Ann Lee"
            named = _BARE_NAME.match(following[0].text) if len(following[0].text) <= 40 else None
            if named and (name := clean_name(named.group("name"))):
                self.add(name, [], f"{text} {following[0].text}", source="prose")
        bare = _BARE_NAME.match(text) if len(text) <= 40 else None
        if bare is None and len(text) <= 40 and text.isupper() and following:  # "JANE ROE", then "LCSW"
            bare = _BARE_NAME.match(" ".join(word.capitalize() for word in text.split()))
        if bare and len(text) <= 40 and following:
            self.read_grid_entry(bare.group("name"), text, following)
        role_line = _NAME_ROLE_LINE.match(text) if len(text) <= 90 and text[:1].isupper() else None
        pieces = [piece.strip() for piece in _ROLE_LINE_SPLIT.split(role_line.group("role").replace("&", ","))
                  if piece.strip()] if role_line else []
        if role_line and all(_ROLE_PIECE.fullmatch(piece) or lookup(piece) for piece in pieces):
            if name := clean_name(role_line.group("name")):
                # "Jane Roe | Psychiatric Mental Health Nurse Practitioner": the line's titles, as a grid entry's
                codes = [as_written(piece, info) for piece in pieces if (info := lookup(piece)) is not None]
                self.add(name, codes, text, source="title_line")
        for match in _NAME_PAREN_ROLE.finditer(text) if "(" in text and len(text) <= 2000 else ():
            if name := clean_name(match.group("name")):
                self.add(name, [], text[:300], source="title_line")
        role_list = _ROLE_LIST.search(text) if len(text) <= 300 else None
        for match in _ROLE_LIST.finditer(text) if role_list and not _RESEARCH.search(text) else ():
            for listed in _NAME_IN_LIST.finditer(match.group("names")):
                if name := clean_name(listed.group("name")):
                    self.add(name, [], text[:300], source="prose")

    def read_name_with_codes(self, match: re.Match[str], sentence: str) -> bool:
        """A name-with-codes candidate ("Jane Roe, MA, LPC"): added when it is a person with credentials."""
        if _ATTRIBUTION.search(sentence[: match.start()]) or _mentor_before(sentence[:match.start("name")]) \
                or _COLLEAGUES_AFTER.match(sentence, match.end()) \
                or _CITED_BEFORE.search(sentence[max(0, match.start("name") - 60):match.start("name")]):
            return False
        if _QUOTED_BEFORE.search(sentence[:match.start("name")]) and (
                _RESEARCH.search(sentence, match.end()) or _QUOTED_ROLE_ELSEWHERE.match(sentence, match.end())):
            # '"A game-changer," says Ezra Lund, MD, ... a pioneer of ketamine research': cited; so is one quoted
            # with a post at a hospital or university ('says Ezra Lund, MD, chief of psychiatry at X Hospital')
            return False

        codes = _codes(match.group("codes"))
        written = match.group("codes")
        spelled = " " in written.split(",")[0].strip()  # "Jane Roe – Licensed Clinical ..."
        if not codes or (match.group("sep").strip() != "," and not written[:2].isupper() and not spelled
                         and not _MIXED_DEGREE.match(written)):
            return False
        name = clean_name(match.group("name"))
        if not name:
            return False
        if len(codes) == 1 and codes[0] in STATE_CODES and is_city_in(name, codes[0]):
            return False  # "Silver Spring, MD" is a place
        initials = "".join(word[0] for word in name.split()).upper()
        if match.group("sep").strip() == "(" and len(initials) >= 2 and initials in codes[0].upper():
            return False  # "Eye Movement Desensitization (EMDR)" spells out its abbreviation
        if all(code in STATE_CODES for code in codes) and match.group("sep").strip() != "," and (
                name.split()[-1] in _PLACE_WORDS or any(
                    is_city_in(" ".join(name.split()[cut:]), code) for code in codes for cut in (0, 1, 2))):
            return False  # "Ellicott City MD" is a place; "Ivo Roe MD" is a physician
        self.add(name, codes, sentence[:300])
        return True

    def read_grid_entry(self, raw_name: str, text: str, following: list[Block]) -> None:
        """A team grid: a bare name, then a line of titles ("LCSW, Clinical Director")."""
        name = clean_name(raw_name)
        if not name:
            return
        line = _PRONOUNS.sub("", following[0].text).strip(" ·|,")
        if not line and len(following) > 1:  # "Jane Roe", "she/her", "LCSW"
            line = _PRONOUNS.sub("", following[1].text).strip(" ·|,")
        if len(line) > 120 or not line:
            return
        pieces = [piece for piece in _ROLE_LINE_SPLIT.split(line) if piece]
        codes: list[str] = []
        role_words = False
        for piece in pieces:
            info = lookup(piece)
            if info is not None:
                codes.append(as_written(piece, info))
            elif _CLINICAL_ROLE.search(piece):
                role_words = True
            else:
                return
        if codes or role_words:
            self.add(name, codes, f"{text} — {line}"[:300], source="title_line")

    def read_bios(self) -> None:
        """'Jane is a Licensed Clinical Social Worker (LCSW)': titles for people already found on this page."""
        if not self.people:
            return
        firsts: dict[str, _Person] = {}
        for person in self.people.values():
            firsts[given_name(person.name)] = person
            firsts[person.name] = person
            family = person.name.split()[-1]
            if len(family) >= 3:
                firsts.setdefault(family, person)  # "Dr. Bellamy-Rhodes is a licensed psychologist"
        by_length = sorted(firsts, key=len, reverse=True)
        only = next(iter(self.people.values())) if len(self.people) == 1 else None
        narrator = self.people.get(person_key(self.narrator)) if self.narrator else None
        for block in self.document.blocks:
            if not (_SPELLED_GATE.search(block.text) and _SPELLED.search(block.text)):
                continue  # no title or training named: nothing to add (and the cheap test first)
            for sentence in block.sentences:
                opening = _INTRO.sub("", sentence)
                subject = next((first for first in by_length if opening.startswith(first)
                                and _SUBJECT_VERB.match(opening[len(first):])), None)
                if subject:
                    person = firsts[subject]
                elif only is not None and _SELF.match(sentence):
                    person = only  # a one-clinician page: "I completed...", "She holds..." is that clinician
                elif narrator is not None and _SELF.match(sentence) and sentence.startswith("I"):
                    person = narrator  # the page's "I" introduced themself
                else:
                    continue
                codes = [code for code in _titles_in(sentence) if not _restates(code, sentence)]
                if codes:
                    self.add(person.name, codes, sentence[:300], source="prose")


def _restates(code: str, sentence: str) -> bool:
    """A license title said in the sentence that writes the letters it restates ("Jane Roe, APRN, PMHNP-BC, is a
    nurse practitioner": CNP adds nothing). A title said in a sentence of its own is kept ("I am also a Licensed
    Mental Health Counselor" beside "Jane Roe, LPC": two licenses)."""
    info = lookup(code)
    written = _WITH_CODES.search(sentence)
    if info is None or info.kind is not CredentialKind.STATE_LICENSE or written is None:
        return False
    return any(other != info.code and (held := lookup(other)) is not None and held.license_class == info.license_class
               for other in _codes(written.group("codes")))


_LISTED_NAME = re.compile(rf"\s*[,/|]\s*(?:and\s+)?(?=(?:Dr\.?\s+)?{NAME}(?:\s*[,/|]|\s+[A-Z]{{2,6}}(?![a-z])|$))")


_MIXED_DEGREE = re.compile(r"(?:PsyD|PhD|EdD|DMin|MDiv|MEd|DNP|MSc)\b")  # "Dr. Jane Roe PsyD": no comma needed


def _without_trailing_words(name: str) -> str:
    """'Ray Roe Contact' -> 'Ray Roe': after "Dr." the name ends before a word that is never part of one, and at a
    possessive ("Dr. Ray Roe's Forms" -> 'Ray Roe')."""
    words = name.split()
    for index, word in enumerate(words):
        if word.endswith(("'s", "’s")):
            words = words[:index] + [word[:-2]]
            break
    while len(words) > 2 and words[-1].strip(".,'’") in _NOT_NAME_WORDS:
        words.pop()
    return " ".join(words)


def _next_word_at(text: str, start: int) -> int:
    """Where the word after the one at `start` begins (the end of the text when there is none)."""
    match = _WORD_AND_SPACE.match(text, start)
    return match.end() if match else len(text)


_WORD_AND_SPACE = re.compile(r"\S*\s+")


def _next_name_at(match: re.Match[str]) -> int:
    """Where to look for the next name after a name-with-codes match: its end, or the next person it swallowed as a
    code ("Jane Roe, LCSW, Sam Poe, LPC": 'Sam Poe' reads like a two-word code)."""
    codes = match.group("codes")
    for separator in _LISTED_NAME.finditer(codes):
        following = codes[separator.end():]
        first_piece = re.split(r"\s*[,/|]\s*", following, maxsplit=1)[0]
        if lookup(first_piece) is None:
            return match.start("codes") + separator.end()
    return match.end()


def _titles_in(sentence: str) -> list[str]:
    """Titles a bio sentence gives its subject: spelled ("a Licensed Clinical Social Worker"), in parentheses
    ("(LCSW)") or a training ("trained with Fluence")."""
    codes = []
    for title in _SPELLED.finditer(sentence):
        info = lookup(title.group(1) or title.group(2) or title.group(3))
        if info is not None and info.code not in codes:
            codes.append(info.code)
    return codes


def _type_names(item: dict) -> set[str]:
    raw = item.get("@type") or []
    return {str(value) for value in (raw if isinstance(raw, list) else [raw])} or {"Person"}


def _credential(code: str, source: str | None = None, state: str | None = None,
                number: str | None = None) -> CredentialFact:
    info = lookup(code)
    if info is None:
        return CredentialFact(code=code, kind="training", source=source)
    return CredentialFact(
        code=code,
        kind=info.kind.value,
        license_class=info.license_class.value if info.license_class else None,
        state=state,
        license_number=number,
        source=source,
    )


def is_npi(number: str) -> bool:
    """A National Provider Identifier: 10 digits whose last is the Luhn check digit of '80840' + the first nine
    (CMS, "Requirements for NPI check digit")."""
    if not re.fullmatch(r"\d{10}", number):
        return False
    digits = [int(d) for d in "80840" + number]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 1:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return total % 10 == 0


def _family(name: str) -> str:
    return person_key(name)[1] or person_key(name)[0]


def _state_near(text: str) -> str | None:
    match = _STATE_WORD.search(text)
    return normalise_state(match.group(0)) if match else None


def _license_numbers(text: str) -> list[tuple[str | None, str | None, str]]:
    """(code, state or None, number) for each license number in a block: "CT LPC #006127", "LMFT No. 98765 (CA)",
    "LMFT 98765", "Licensed Professional Counselor, Oregon License #C1234"; code None where the line says none
    ("CT License #006127" under "Jane Roe, LPC": the owner's own license decides)."""
    found = []
    for match in _LICENSE.finditer(text):
        unsaid = False
        if match.group("num2"):
            info, number, state = lookup(match.group("code2")), match.group("num2"), None
            number_at = match.start("num2")
        else:
            key = "num3" if match.group("num3") else "num"
            number, number_at = match.group(key), match.start(key)
            info = lookup(match.group("code") or "")
            if info is None and (match.group("lic") or match.group("num3")):
                # "Licensed Professional Counselor, License #1234"
                code = _last_code(text[:number_at])
                info = lookup(code) if code else None
                unsaid = info is None and not match.group("code")  # not "Business License #123": another word's
            state = normalise_state(match.group("state") or match.group("state3") or match.group("after") or "")
        if not unsaid and (info is None or info.kind not in _LICENSED_KINDS):
            continue
        around = text[max(0, number_at - 60): number_at] + " " + text[match.end(): match.end() + 40]
        state = state or _state_near(around)
        found.append((None if unsaid else info.code, state, number.replace(" ", "")))
    return found


_PHYSICIAN_DEGREES = frozenset({"MD", "DO"})  # a physician's license goes by the degree ("Jane Roe, MD ... License")


def _only_license(codes: list[str]) -> str | None:
    """The one license a person holds, for a number said without its code: a state license, else a national
    certification, else a physician's degree; None where there are several of the first kind found."""
    infos = [(code, info) for code in dict.fromkeys(codes) if (info := lookup(code)) is not None]
    for kinds in ({CredentialKind.STATE_LICENSE}, {CredentialKind.NATIONAL_CERTIFICATION}):
        found = [code for code, info in infos if info.kind in kinds]
        if found:
            return found[0] if len(found) == 1 else None
    degrees = [code for code, info in infos if info.code in _PHYSICIAN_DEGREES]
    return degrees[0] if len(degrees) == 1 else None


def _last_code(text: str) -> str | None:
    """The license said last before a number: a state license before a national certification ("Licensed
    Professional Counselor, NCC ... license number 76543" is the counselor's license)."""
    said = [(m.start(), m.group(0)) for m in _ANY_CODE.finditer(text[-120:])]
    said += [(m.start(1), m.group(1)) for m in _SPELLED.finditer(text[-120:]) if m.group(1)]
    licensed = [(at, code) for at, code in said if (info := lookup(code)) is not None and info.kind in _LICENSED_KINDS]
    state_licenses = [(at, code) for at, code in licensed if lookup(code).kind is CredentialKind.STATE_LICENSE]
    return max(state_licenses or licensed, default=(0, None))[1]


# A directory's results page ("Therapists in <Town>"): entries that each end or begin at a cue line of their own
# ("View profile", "Verified", "Photo of Jane Roe, LPC") and each carry their own phone or ZIP code. The people are
# the directory's listings, not one practice's team, and the page names no practice of its own.
_LISTING_CUE = re.compile(  # "(?<!\d)\d{1,6}": a run of a million digits must not be tried at each of its digits
    r"(?i:view(?: full)? profile|see profile|verified(?: verified)?|(?<!\d)\d{1,6} endorsed|photo of\b.*)"
)
_OWN_CONTACT = re.compile(r"\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b|\b(?:[A-Z]{2}|[A-Z][a-z]+)\s+\d{5}(?:-\d{4})?\b")


def is_listing(document: Document) -> bool:
    """A directory's list of providers: two or more entries, cut at cue lines, with different phones or ZIPs."""
    if not _LISTING_CUE.search(document.text):
        return False  # the cheap test first: nearly every page has no cue at all
    entries: list[set[str]] = [set()]
    cues = 0
    for block in document.blocks:
        if len(block.text) <= 80 and _LISTING_CUE.fullmatch(block.text.strip()):
            cues += 1
            if entries[-1]:
                entries.append(set())
            continue
        entries[-1].update(re.sub(r"\D", "", found) or found for found in _OWN_CONTACT.findall(block.text))
    own = [entry for entry in entries if entry]
    return cues >= 2 and len(own) >= 2 and len({frozenset(entry) for entry in own}) >= 2


# A podcast's or show's episode page: its hosts and guests are speakers, not a practice's team.
_SHOW = re.compile(r"\b(?i:podcast|episode)\b")
_SHOW_ROLE = re.compile(r"\b(?i:hosts?|hosted by|guests?|joined by|welcome to the show|sits? down with)\b")


def is_show_page(document: Document) -> bool:
    opening = document.text[:700]
    return bool(_SHOW.search(opening)) and bool(_SHOW_ROLE.search(document.text[:2000]))


def extract_people(document: Document, structured: StructuredData) -> tuple[list[ClinicianFact], list[Evidence]]:
    if is_listing(document) or is_show_page(document):
        return [], []
    reader = _PeopleReader(document, structured)
    clinicians = reader.read()
    return clinicians, reader.evidence


# Speed (issue 10 item 6): each of these patterns first asks whether the text holds a literal that every match of
# it needs (keywords.gated: the same answers, test_speed_equivalences), skipping the regex on most sentences.
gate_patterns(
    globals(),
    "_SPELLED", "_TITLE_BEFORE", "_LED_BY", "_HELD_IN_END", "_ROLE_LIST", "_DOCTOR", "_ROLE_AT_START",
    "_FIRST_POSSESSIVE", "_FIRST_DOES_THERAPY", "_OFFERS_SLIDING_SCALE",
    "_RESEARCH", "_NAME_PAREN_ROLE",
)
guard_patterns(globals(), "_ANY_CODE")  # too many literals to gate: the first-character guard only
