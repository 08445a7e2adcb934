"""Clinicians and their post-nominals: bylines, headings, bios, team grids, JSON-LD Person/Physician, "Dr." prefixes.

"Lucrezia Mangione, LCPC, LPC, NCC, BC-TMH, DCEP" is one person and five credentials. A name followed by
codes the taxonomy knows is a clinician; a team-grid heading with a bare name followed by a line of titles is
one too; "Jane is a Licensed Clinical Social Worker" adds a title to a person already found on the page.
"""

import re
from dataclasses import dataclass, field

from directory.extraction.document import Block, Document, sentences
from directory.extraction.geography import STATE_BY_NAME, STATE_CODES, is_city_in
from directory.extraction.structured import StructuredData, text_of, texts_of
from directory.extraction.taxonomy import load_table, lookup, role_for
from directory.extraction.types import ClinicianFact, CredentialFact, Evidence
from directory.names import person_parts
from directory.vocab import CredentialKind

_PARTICLE = r"(?:de|del|de la|van|von|da|di|le|la|st\.?|bin|al)"
_UPPER = "A-ZÀ-ÖØ-Þ"
_LETTER = "A-Za-zÀ-ÖØ-öø-ÿ"
_WORD = rf"[{_UPPER}][{_LETTER}'’\-]*[a-zß-öø-ÿ][{_LETTER}'’\-]*"
NAME = rf"{_WORD}(?:\s+[A-Z]\.)?(?:\s+(?:{_PARTICLE}\s+)?{_WORD}){{1,2}}"
_SPELLED_CODES = sorted(
    {written for info in load_table() for written in (info.code, *info.aliases) if " " in written},
    key=len,
    reverse=True,
)
_CODE = (
    r"(?:" + "|".join(re.escape(written) for written in _SPELLED_CODES)
    + r"|[A-Z][A-Za-z.\-]{0,11}(?:\s?[A-Z][A-Za-z.\-]{0,6})?)"
)
_WITH_CODES = re.compile(
    rf"(?<![A-Za-z])(?P<dr>Dr\.?\s+)?(?P<name>{NAME})(?P<sep>\s*,\s*|\s+)(?P<codes>(?:Ph\.D\.|Psy\.D\.|M\.D\.|D\.O\.|"
    rf"Ed\.D\.|{_CODE})(?:\s*[,/|]\s*(?:Ph\.D\.|Psy\.D\.|M\.D\.|D\.O\.|Ed\.D\.|{_CODE}))*)"
)
_ANY_CODE = re.compile(
    r"(?<![A-Za-z])(?:"
    + "|".join(
        sorted({r"\.?".join(map(re.escape, written.replace(".", ""))) for info in load_table()
                for written in (info.code, *info.aliases) if " " not in written}, key=len, reverse=True)
    )
    + r")\.?(?![a-z])"
)
_DOCTOR = re.compile(rf"\bDr\.?\s+(?P<name>{NAME})")
_BARE_NAME = re.compile(rf"^(?:Dr\.?\s+)?(?P<name>{NAME})$")
_LEADING = re.compile(
    r"^(?:Meet|About|By|Written by|Article by|Posted by|Reviewed by|Author|Contact|With|Founder|Owner|Hi,? I['’]m|"
    r"I['’]m|Dr)\s+"
)
_NOT_NAME_WORDS = {
    "Ketamine", "Therapy", "Therapies", "Therapist", "Our", "Team", "Meet", "The", "Clinical", "Director", "Licensed",
    "Psychotherapy", "Counseling", "Counselor", "Wellness", "Health", "Center", "Clinic", "Services", "Service",
    "Assisted", "Mental", "Practice", "Group", "Home", "About", "Contact", "Book", "Schedule", "Consultation",
    "Integration", "Preparation", "Session", "Sessions", "Medical", "Provider", "Providers", "Nurse",
    "Practitioner", "Psychiatric", "Social", "Worker", "Marriage", "Family", "Professional", "Certified",
    "Board", "National", "Associate", "Associates", "Insurance", "Fees", "Pricing", "Frequently", "Asked",
    "Questions", "Welcome", "Mind", "Body", "Well", "Healing", "Care", "Journey", "Clinical's", "Privacy",
    "Policy", "Terms", "All", "Rights", "Reserved", "Copyright", "Menu", "Blog", "Resources", "News", "Read",
    "More", "Learn", "Call", "Email", "Phone", "Fax", "Address", "Suite", "Street", "Avenue", "Road", "Office",
    "In", "Person", "Virtual", "Telehealth", "Online", "Only", "And", "Or", "With", "For", "At", "Of", "To",
    "Institute", "University", "College", "Psychedelic", "Spravato", "Esketamine", "Infusion", "Infusions",
    "Support", "Program", "Programs", "Retreat", "Retreats", "Step", "What", "How", "Why", "Who", "When",
    "Where", "Is", "Are", "Do", "Does", "We", "You", "Your", "I", "My", "New", "Patient", "Patients", "Client",
    "Clients", "Lozenge", "Lozenges", "Trauma", "Depression", "Anxiety", "Evidence", "Research", "Study",
    "Intake", "Coordinator", "Manager", "Founder", "Owner", "Partner", "Partners", "Supervisor", "Psychiatry",
    "Psychologist", "Physician", "Doctor", "Assistant", "Dept", "Department", "State", "Holistic", "Integrative",
    "Sliding", "Scale", "Package", "Packages", "Individual", "Couples", "Adults", "Adolescents", "Children",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Hours", "Open", "Closed",
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
_MARKUP = re.compile(r"\s*<[^<>]{0,200}>(?:[^<>]{0,100}</[a-z]+>)?")  # literal tags in hostile text: not a name
_INTRO = re.compile(r"^(?:(?:Hi,?\s+)?(?:I['’]m|I am|My name is)\s+)?(?:Dr\.?\s+)?")
_SUBJECT_VERB = re.compile(
    r"^(?:\s+[A-Z][a-z]+)?(?:,\s*[A-Z][A-Za-z.\-]{1,10})*(?:\s*[–—|:-]\s*[A-Z][a-z]+)?(?:,\s+an?\b|,?\s+(?:is|holds|has|became|was|also|earned|completed|prescribes|\w+s)\b)"
)
_NAME_PREFIXES = {"dr", "mr", "mrs", "ms", "mx", "prof", "rev"}
_NAME_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
_SELF = re.compile(r"^(?:I|I['’]ve|I['’]m|I am|She|He|They)\s+(?:\w+\s+){0,2}(?:completed|holds?|is|am|are|have|has|"
                   r"trained|earned|received|became)\b")
_RESEARCH = re.compile(r"\b(?:stud(?:y|ies)|research|journal|published|et al|according to|trial)\b", re.I)


def _spelled_titles() -> re.Pattern[str]:
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
    )


_SPELLED = _spelled_titles()


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
    name = re.sub(r"^Dr\.?\s+", "", name)
    words = name.split()
    if not 2 <= len(words) <= 4:
        return None
    if any(word.strip(".,'’") in _NOT_NAME_WORDS for word in words):
        return None
    if name in STATE_BY_NAME or any(word in STATE_CODES for word in words):
        return None
    return name


def _codes(raw: str) -> list[str]:
    """The leading credential codes of 'LPC, NCC | Clinical Director': stop at the first non-code."""
    found: list[str] = []
    for piece in re.split(r"\s*[,/|]\s*", raw):
        piece = piece.strip()
        info = lookup(piece)
        if info is None:
            # "MA LPC" (no commas): every word a code; "LPC and Director": the codes before the first other word
            for word in piece.split():
                info = lookup(word)
                if info is None:
                    break
                found.append(info.code)
            break
        found.append(info.code)
    return found


@dataclass
class _Person:
    name: str
    codes: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # code -> how it was said (the first way)
    snippets: list[str] = field(default_factory=list)


class _PeopleReader:
    def __init__(self, document: Document, structured: StructuredData) -> None:
        self.document = document
        self.structured = structured
        self.people: dict[tuple[str, str], _Person] = {}
        self.evidence: list[Evidence] = []

    def add(self, name: str, codes: list[str], snippet: str, source: str = "post_nominal") -> None:
        key = person_key(name)
        person = self.people.get(key)
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
            self.read_block(block, blocks[index + 1: index + 3])
        self.read_bios()
        return [
            ClinicianFact(
                name=person.name,
                credentials=[_credential(code, person.sources.get(code)) for code in person.codes],
                role=role_for(person.codes).value,
                url=self.document.url,
            )
            for person in self.people.values()
        ]

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
        pieces = [text] if len(text) <= 120 else (block.sentences if text is block.text else sentences(text))
        if not _ANY_CODE.search(text) and "Dr" not in text:
            pieces = []  # no post-nominal and no "Dr.": no name-with-credentials here (the grid check still runs)
        for sentence in pieces:
            for match in _WITH_CODES.finditer(sentence):
                codes = _codes(match.group("codes"))
                if not codes or (match.group("sep").strip() != "," and not match.group("codes")[:2].isupper()):
                    continue
                name = clean_name(match.group("name"))
                if not name:
                    continue
                if len(codes) == 1 and codes[0] in STATE_CODES and is_city_in(name, codes[0]):
                    continue  # "Silver Spring, MD" is a place
                if all(code in STATE_CODES for code in codes) and match.group("sep").strip() != ",":
                    continue  # "Jane Roe MA" could be a place; "Jane Roe MA LPC" is not
                self.add(name, codes, sentence[:300])
            for match in _DOCTOR.finditer(sentence):
                name = clean_name(match.group("name"))
                at_start = match.start() == 0 or sentence[: match.start()].strip().lower() in _INTRODUCTIONS
                if name and (block.is_heading or len(sentence) < 60 or at_start) and not _RESEARCH.search(sentence):
                    self.add(name, [], sentence[:300])
        bare = _BARE_NAME.match(text)
        if bare and len(text) <= 40 and following:
            self.read_grid_entry(bare.group("name"), text, following)

    def read_grid_entry(self, raw_name: str, text: str, following: list[Block]) -> None:
        """A team grid: a bare name, then a line of titles ("LCSW, Clinical Director")."""
        name = clean_name(raw_name)
        if not name:
            return
        line = _PRONOUNS.sub("", following[0].text).strip(" ·|,")
        if len(line) > 120 or not line:
            return
        pieces = [piece for piece in _ROLE_LINE_SPLIT.split(line) if piece]
        codes: list[str] = []
        role_words = False
        for piece in pieces:
            info = lookup(piece)
            if info is not None:
                codes.append(info.code)
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
        for block in self.document.blocks:
            if not _SPELLED.search(block.text):
                continue  # no title or training named: nothing to add (and the cheap test first)
            for sentence in block.sentences:
                opening = _INTRO.sub("", sentence)
                subject = next((first for first in by_length if opening.startswith(first)
                                and _SUBJECT_VERB.match(opening[len(first):])), None)
                if subject:
                    person = firsts[subject]
                elif only is not None and _SELF.match(sentence):
                    person = only  # a one-clinician page: "I completed...", "She holds..." is that clinician
                else:
                    continue
                codes = []
                for title in _SPELLED.finditer(sentence):
                    info = lookup(title.group(1) or title.group(2) or title.group(3))
                    if info is not None and info.code not in codes:
                        codes.append(info.code)
                if codes:
                    self.add(person.name, codes, sentence[:300], source="prose")


def _type_names(item: dict) -> set[str]:
    raw = item.get("@type") or []
    return {str(value) for value in (raw if isinstance(raw, list) else [raw])} or {"Person"}


def _credential(code: str, source: str | None = None) -> CredentialFact:
    info = lookup(code)
    if info is None:
        return CredentialFact(code=code, kind="training", source=source)
    return CredentialFact(
        code=info.code,
        kind=info.kind.value,
        license_class=info.license_class.value if info.license_class else None,
        source=source,
    )


def extract_people(document: Document, structured: StructuredData) -> tuple[list[ClinicianFact], list[Evidence]]:
    reader = _PeopleReader(document, structured)
    clinicians = reader.read()
    return clinicians, reader.evidence
