"""States served (with in-person / virtual per state), cities, counties and street addresses.

Sites say where they work in many ways: "licensed in CT, MD, VA and FL", "Florida, Maryland, and Virginia
(virtual only)", footers, "Hartford, CT 06103", "offices in Naperville and Oak Brook", "serving Fairfield and
New Haven counties", "licensed by the CT Dept. of Public Health". They also name states that are not service
areas: universities, newspapers, research sites, streets, people called Georgia. A state mention counts only
when the words that lead to it say "we serve / are licensed / have an office there" (or it sits in the footer
or under a "where we work" heading), and none of the words before it say "studied / researched / grew up".
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from directory.extraction.document import Block, Document
from directory.extraction.domains import compact
from directory.extraction.geography import (
    DEMONYMS,
    NAME_BY_CODE,
    STATE_BY_NAME,
    STATE_CODES,
    is_big_town,
    is_city_in,
    is_town_name,
    main_state_of_city,
    named_regions,
    states_of_city,
    states_of_county,
)
from directory.extraction.keywords import AnyWord, gate_patterns, guard_patterns
from directory.extraction.market import speaks_for_itself
from directory.extraction.people import is_listing
from directory.extraction.taxonomy import lookup
from directory.extraction.types import AddressFact, CityFact, Evidence, StateFact

# "Hawai’i" with the okina (or an apostrophe standing for it) is Hawaii
_STATE_OF = {**STATE_BY_NAME, **{f"Hawai{mark}i": "HI" for mark in "‘’'ʻ"}}
_NAMES = sorted(STATE_BY_NAME, key=len, reverse=True)
BARE_WASHINGTON = "WA?"
_TOKEN = re.compile(
    r"(?<![A-Za-z])(?:(?P<dc>Washington,?\s*D\.?\s?C\b\.?|D\.C\.)|(?P<people>"
    + "|".join(re.escape(word) for word in sorted(DEMONYMS, key=len, reverse=True))
    + r")(?![a-z])|(?P<nyc>NYC)\b|(?P<name>"
    + "|".join(re.escape(name) for name in sorted(_STATE_OF, key=len, reverse=True))
    + r")(?![a-z])|(?P<abbr>"
    + "|".join(sorted(STATE_CODES))
    + r")(?![A-Za-z0-9\-]))"
)
_ELIDED = re.compile(r"\b(North|South|West)\s+(?:and|&|or)\s+(North|South)\s+(Carolina|Dakota)\b")
_PAIRED = re.compile(r"\bthe\s+(Carolina|Dakota)s\b")  # "residents of the Carolinas": North and South
_SEPARATOR = re.compile(r"^\s*(?:,|;|/|\||&|·|•|and|or|,\s*(?:and|or|&))?\s*$")

# Words that, leading up to a state, say it is a service area.
_CUE = re.compile(
    r"\b(?:serv(?:e|es|ed|ing|ices?)|licen[sc](?:ed|e|es|ure)|located|locally|locations?|offices?|clients?|residents?|"
    r"patients?|adults?|telehealth|tele-?health|telemedicine|virtual(?:ly)?|online|in[- ]person|sessions?|"
    r"available|practi[cs]e|practicing|throughout|statewide|across|based|see|seeing|work|treat|treating|"
    r"people|individuals|anyone|families|appointments?|visits?|care|therapy|therapist|psychotherapy|welcome|"
    r"Dept\.?|Department|Board|Division|Commission|covers?|areas?|regions?|states?|where|"
    r"as\s+far\s+(?:(?:north|south|east|west)\s+)?as)\b",  # "serves <town>, and as far as <State>": the area's edge
    re.I,
)
# Words that say a following state is not where the practice works.
_NEGATIVE = re.compile(
    r"\b(?:research(?:ers|ed)?|stud(?:y|ies|ied)|trials?|journal|published|publications?|conferences?|"
    r"symposium|summit|present(?:ed|ing|s)? at|graduat(?:ed|e|ing)|degrees?|earned|attended|alumn\w*|"
    r"universit(?:y|ies)|college|school|grew up|born|raised|moved|relocat\w+|vacation\w*|holiday|hometown|"
    # "news", not the town of "<Name> News"
    r"awards?|(?-i:news)|(?<![A-Za-z] )(?-i:News)|reported|article|featured|"
    r"according to|podcast|residency|fellowship|internship|trained|"
    r"training|hospital|formerly|previously|former|used to|originally|native|family in|lived|moved from|"
    r"retreat center in|survey|data|law|legislat\w+|"
    # "legal in X" speaks of the law; "Legal Psychedelic Therapy in X" names the service offered there
    r"legal(?:ized)?(?![\s-]+(?:psychedelic|ketamine|medicine|treatment|therap|psychotherap))|approved|ban(?:s|ned)?|regulat\w+|spent|worked|"
    r"(?:minutes|miles|hours)\s+(?:outside|away|from|north|south|east|west)|"
    r"plan(?:s|ning)?\s+to\s+open|"  # "plans to open another office in X": not an office yet
    r"prior\s+to\s+(?:joining|founding|opening|starting|moving|private\s+practice|her|his|their)|"
    r"before\s+(?:joining|founding|opening|starting)|"
    # "was discovered in 1962 at a university in X" is history; "Discover ketamine therapy in X" is an invitation
    r"career|chain|after\s+(?:\w+\s+){0,3}(?:years?|time)|discover(?:ed|ies|y|ing)|synthesi[sz]ed|invented|battlefields?|"
    # "most clinics in New York City": other practices' places
    r"(?:most|many|some|other|majority\s+of)\s+(?:\w+\s+)?(?:clinics|providers|practices|therapists))\b",
    re.I,
)
# Words that say the practice does not work in a following state, or that clients come from there.
_REFUSED = re.compile(
    r"\b(?:(?:not|n['’]t)\s+(?:currently\s+)?(?:able\s+to|licensed|permitted\s+to|allowed\s+to|see|serve|treat|work)|"
    r"unable\s+to|cannot|can['’]t|(?:travel(?:s|ed|ing)?|fly|flew|drive|drove|come|came|visit(?:s|ing)?)\s+(?:\w+\s+){0,3}?from)\b",
    re.I,
)
# A state the practice will serve, not one it serves now: "coming soon to X", "licensure pending in X", "X (coming
# soon)". Read on the clause just before a list of states, and right after its last state.
_FUTURE_LEAD = re.compile(
    r"\b(?:coming\s+soon|soon\s+(?:to\s+be\s+)?(?:serving|offering|available|licensed|opening|expanding)|"
    # not "sessions will be available in Ohio": said of the service, not of a state to come
    r"will\s+soon\s+(?:be\s+)?\w+|will\s+(?:be\s+)?(?:joining|expanding|opening|launching|licensed)|"
    r"expand(?:ing|s)?\s+(?:our\s+\w+\s+)?(?:in)?to|licensure\s+(?:is\s+)?pending|pending\s+licensure|"
    r"appl(?:ying|ied)\s+for\s+(?:a\s+)?licen[sc]\w*|in\s+the\s+process\s+of\s+(?:becoming\s+|getting\s+)?licens\w+|"
    r"(?:opening|launching)\s+(?:soon|later|next))\b[^.;!?]*$",
    re.I,
)
_FUTURE_TAIL = re.compile(
    r"^\s*[(\[\-–—:]?\s*(?:coming\s+soon|soon|(?:licensure\s+)?pending|opening\s+soon|launching\s+soon)\b"
    r"(?!\s+(?:to|in)\b)",  # "WA - coming soon to NV": the soon is Nevada's
    re.I,
)
_OUTSIDE = re.compile(r"\boutside\s+(?:of\s+)?(?:the\s+state\s+of\s+)?$", re.I)
# Of the words above, the ones that speak of a state's law or of treatment there, not of another place: a page
# naming only that one state is about its own state
_WEAK_NEGATIVE = re.compile(r"law|legal(?:ized)?|approved|regulat\w+|legislat\w+|ban(?:s|ned)?", re.I)
_RESEARCH_OR_NEWS = re.compile(
    r"\b(?:research\w*|stud(?:y|ies)|trials?|journal|published|conferences?|news|reported|according to|survey)\b", re.I
)
_TAIL_CUE = re.compile(
    r"(?:^\s*#\s*[A-Z]{0,4}-?\d{3,})|"  # "(CA #12345)": a licence number there
    r"\b(?:licen[cs]e[sd]?|serv(?:e|es|ed|ing)|clients?|residents?|patients?|adults?|telehealth|tele-?health|telemedicine|virtual(?:ly)?|"
    r"online|in[- ]person|sessions?|offices?|locations?|statewide|only)\b",
    re.I,
)
_HEADING_CUE = re.compile(
    r"\b(?:serv(?:e|ing|ice)|states?|licens\w*|locations?|offices?|where|areas?|find us|visit|contact|"
    r"telehealth|virtual|in[- ]person)\b",
    re.I,
)
_BAD_FOLLOWER = re.compile(
    r"^(?:'s\s+)?\s*(?:State\s+University|University|College|Tech\b|Post\b|Times\b|Avenue|Ave\b|Street|St\b|"
    r"Road|Rd\b|Boulevard|Blvd|Drive|Lane|Ln\b|Way\b|Place|Court|Hall\b|Medical|Hospital|Journal|Institute|"
    r"Herald|Tribune|Review|Law\b|Beach|City|Public\s+Radio|Gazette|Magazine|Monthly|Wesleyan|Woolf|Highway|"
    r"Turnpike|Pike\b|Square|Circle|Terrace|Parkway|Pkwy)"
)
_OK_FOLLOWER = {
    "Dept", "Dept.", "Department", "Board", "Division", "Commission", "Residents", "Clients", "Patients", "Office",
    "Offices", "Location", "Locations", "Licensed", "License", "Licensure", "In", "Virtual", "Telehealth", "Online",
    "Only", "And", "Or", "Adults", "State", "Areas", "Area", "Counseling", "Therapy", "KAP", "Ketamine", "Clinic",
    "Practice", "Psychotherapy", "Services", "Service", "Sessions", "Wellness", "Mental", "Health", "Psychiatry",
    "Statewide", "Telemedicine", "Video", "Providers", "Provider", "Only)", "Virtually", "Also",
}
# "Ohio Valley Ketamine Clinic", "Iowa Riverside Health": a state opening a practice's name is its state
_PRACTICE_NAME_AFTER = re.compile(
    r"^(?:\s+[A-Z][a-z]+){0,2}\s+(?:Health|Wellness|Psychiatr\w*|Counseling|Therapy|Therapies|Institute|Clinics?|"
    r"Center|Centre|Medicine|Psychotherapy|Psycholog\w+|Behavioral|Ketamine|Associates|Collective|Healing|Rehab|"
    r"Recovery)\b"
)
# "Blue Cross Blue Shield of Illinois PPO" in a list of plans taken: a state's own plan hints at the practice's state
_INSURER_OF = re.compile(
    r"\b(?:Blue\s+Cross|Blue\s+Shield|BCBS|Anthem|Medicaid|Highmark|Regence|Premera)\b[\w\s&]{0,25}\bof\s+$"
)
_PERSON_PRECEDED = re.compile(r"\b[A-Z][a-z]+\.?\s+$")
_INSTITUTION_OF = re.compile(
    r"\b(?:University|College|Univ\.?|Institute|School|Bank|Port|Republic)\s+of\s+(?:the\s+)?$"
)
_CREDENTIAL_WORD = re.compile(r"([A-Za-z][A-Za-z.\-]*)\s*,\s*$")
_CREDENTIAL_NEXT = re.compile(r"^\s*,\s*([A-Za-z][A-Za-z.\-]*)")
_ABBR_LEAD = re.compile(r"\b(?:in|throughout|across|serving|serve|serves|to|within|of|the)\s*$", re.I)
_THE = re.compile(r"\b(?:the|an?\s+[a-z]+)\s*$", re.I)  # "the MD", "a psychiatric MD": the clinician
# "IV (in a vein), IM (in a muscle), IN (nasal spray)": a code listed among other capital abbreviations is one of them
_ABBR_BEFORE = re.compile(r"\b([A-Z]{2,4})\s*(?:\([^()]{0,60}\))?\s*(?:,|/|or|and)\s*(?:or\s+|and\s+)?$")
_ABBR_AFTER = re.compile(r"^\s*(?:\([^()]{0,60}\))?\s*(?:,|/|or|and)\s*(?:or\s+|and\s+)?([A-Z]{2,4})\b")
# "Jo Rivera, MFT from Fairview, CA talks about...": a person's home town, not an office of the practice
_PERSON_FROM = re.compile(r"(?:\b[A-Z]{2,6}|\b[A-Z][a-z]+\s+[A-Z][a-z'’\-]+),?\s+(?:is\s+)?from\s+$")
_ABBR_FOLLOW = re.compile(
    r"^\s+(?:Dept|Department|Board|(?i:residents|clients|patients)|licens\w*|only|\(|#\s*[A-Z]{0,4}-?\d{3,})"
)
_ZIP_AFTER = re.compile(r"^\.?,?\s+(\d{5})(?:-\d{4})?\b")

_VIRTUAL = (
    r"(?:virtual(?:ly)?|tele-?health|telemedicine|telepsychiatry|telepsychology|tele-?mental[- ]health|teletherapy|"
    r"online|video|remote(?:ly)?|zoom|"
    # "at-home ketamine therapy", "home-based treatment": the client doses at home and the care reaches them remotely
    r"at[- ]home\s+(?:ketamine\s+)?(?:therapy|treatments?|sessions?|programs?|care|dosing)|"
    r"home[- ]based\s+(?:ketamine\s+)?(?:therapy|treatments?|sessions?|programs?|care))"
)
_IN_PERSON = (  # "travel to your home", "home visits": the clinician comes to the client, in person
    r"(?:in[- ]person|in[- ]office|face[- ]to[- ]face|offices?|clinics?|on[- ]?site|come\s+to\s+you|"
    r"travel\s+to\s+your\s+home|home\s+visits?)"
)
_VIRTUAL_ONLY = re.compile(
    rf"\b(?:{_VIRTUAL}[- ]only|only\s+(?:via\s+|by\s+|through\s+)?{_VIRTUAL}|exclusively\s+(?:via\s+|through\s+)?"
    rf"{_VIRTUAL}|{_VIRTUAL}\s+(?:sessions\s+)?only|no\s+in[- ]person|not\s+(?:offer\s+)?in[- ]person|"
    rf"100%\s+{_VIRTUAL}|fully[- ]{_VIRTUAL}|entirely[- ]{_VIRTUAL}|all\s+(?:of\s+)?(?:our\s+|my\s+)?(?:\w+\s+)?"
    rf"(?:sessions|appointments|services|visits)\s+(?:are\s+|take\s+place\s+|happen\s+)?(?:(?:held|conducted|offered|"
    rf"provided|delivered|done)\s+)?(?:(?:via|by|through|over|on|using)\s+(?:secure\s+)?)?(?:{_VIRTUAL}|video)|"
    rf"(?:no|not\s+have\s+a|without\s+a)\s+physical\s+office|"
    # "X is a virtual mental health clinic", "we are an online practice": the practice itself exists online
    rf"(?:is|are)\s+an?\s+(?:[\w-]+\s+){{0,2}}?(?:virtual|online|tele-?health|telemedicine)\s+(?:[\w-]+\s+){{0,3}}?"
    rf"(?:clinic|practice|provider|company|platform))",
    re.I,
)
_IN_PERSON_ONLY = re.compile(
    rf"\b(?:in[- ]person\s+only|only\s+in[- ]person|no\s+{_VIRTUAL}|(?:do|does)\s+not\s+offer\s+{_VIRTUAL}|"
    # "only available during our scheduled, in-person sessions"; "at-home use is not permitted": no session at home
    rf"only\s+(?:[\w-]+,?\s+){{1,6}}?in[- ]person\s+(?:[\w-]+\s+){{0,2}}?(?:sessions|appointments|visits)|"
    rf"at[- ]home\s+(?:use|dosing|sessions?)\s+(?:is|are)\s+not\s+(?:permitted|allowed|offered|available))",
    re.I,
)
_VIRTUAL_WORD = re.compile(rf"\b{_VIRTUAL}\b", re.I)
_IN_PERSON_WORD = re.compile(rf"\b{_IN_PERSON}\b", re.I)
# Every match of the four patterns above holds one of these (a necessary test, cheap on most text).
_MODE_WORDS = AnyWord(("virtual", "tele", "online", "video", "remote", "zoom", "person", "physical", "office", "face",
                       "clinic", "site", "come", "home"))

_CITY_WORDS = r"[A-Z][A-Za-z'’.\-]{1,30}(?:\s+[A-Z][A-Za-z'’.\-]{1,30}){0,3}"  # bounded: linear on hostile pages
_STREET = re.compile(
    r"(\d{1,6}\s+(?:[NSEW]\.?\s+)?[A-Z0-9][\w'’.\- ]{0,40}?\s(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|"
    r"Lane|Ln|Way|Place|Pl|Court|Ct|Parkway|Pkwy|Highway|Hwy|Turnpike|Pike|Square|Sq|Circle|Cir|Terrace|Plaza)"
    r"\b\.?(?:\s+(?:NW|NE|SW|SE|N|S|E|W)\b\.?)?(?:,?\s*(?:Suite|Ste\.?|Unit|Floor|Fl\.?|#)\s*[\w\-]+)?)"
)
# A word of a town's name, "McLean" and "DeKalb" too (a capital inside, after the first)
_TOWN_WORD = r"[A-Z][a-z'’.\-]+(?:[A-Z][a-z'’.\-]+)?"
_CITY_LIST = re.compile(
    r"\b(?:(?i:in|near|throughout|serving|serve|serves|across|including|from|within\s+\d+\s+(?:miles|minutes)\s+of|"
    r"for(?=\s+(?:the\s+)?greater\s)|"  # "KAP for the greater Fairview area"
    r"(?:residents|clients|patients|families|communities|areas?)\s+of|"  # "residents of Fairview and Lakeview"
    r"as\s+well\s+as)\s+"  # "serves Fairview and Lakeview, as well as Glen Park": the served list goes on
    r"|(?i:locations?|offices?|in[- ]person)\s*:\s*"  # "two locations: Fairview and Lakeview", "In person: X"
    r"|;\s*and\s+)"  # "Serving A and B in X County; and C and D in Y County": the served list goes on
    r"(?P<the>(?i:the\s+))?(?P<greater>(?i:greater\s+|heart\s+of\s+(?:the\s+)?))?(?i:(?:downtown|uptown|midtown)\s+)?"
    rf"(?P<list>(?:{_TOWN_WORD}(?:\s+{_TOWN_WORD}){{0,2}})(?:\s*(?:,\s*(?:and\s+|&\s+|or\s+)?|\s+(?:and|&|or)\s+)"
    rf"{_TOWN_WORD}(?:\s+{_TOWN_WORD}){{0,2}})*)"
)
_SOMEONE_IN = re.compile(
    r"\b(?:a|an)\s+(?:[\w-]+\s+){0,2}(?:psychiatrist|therapist|physician|doctor|nurse|counsel+or|psychologist|"
    r"practitioner|clinician|provider|prescriber|colleague|anesthesiologist)\s*$",
    re.I,
)
_POSSESSIVE = re.compile(r"['’]s(?:\s.*)?$")  # "Fairview's Old Town" -> "Fairview"
_STATE_AFTER = re.compile(r"^,\s*(?:[A-Z]{2}\b|" + "|".join(re.escape(name) for name in _NAMES) + r")")
_SERVING_BEFORE = re.compile(r"\bServ(?:e|es|ing)\b[^.]*$", re.I)  # "Serving A and B in X County; and C in Y County"
_METRO = re.compile(r"\s+Metro$")  # "Broken Arrow and Tulsa Metro": the town's metro area, named as the page does
_COUNTY_LIST = re.compile(
    r"((?:[A-Z][a-z'’.\-]+(?:\s+[A-Z][a-z'’.\-]+)?)(?:\s*(?:,\s*(?:and\s+|&\s+)?|\s+(?:and|&)\s+)"
    r"[A-Z][a-z'’.\-]+(?:\s+[A-Z][a-z'’.\-]+)?)*)\s+([Cc]ount(?:y|ies)|[Pp]arish(?:es)?|[Bb]orough(?:s)?)\b"
)
_IN_COUNTY = re.compile(r"^\s+in\s+([A-Z][a-z'’.\-]+(?:\s+[A-Z][a-z'’.\-]+)?)\s+(?:County|Parish)\b")
_COUNTY_KIND = {"count": "County", "paris": "Parish", "borou": "Borough"}
_LETTERS = re.compile(r"[A-Za-z]")
_MENU_TOWNS = 12
_PLACE_NAME = re.compile(r"[A-Z][A-Za-z.'’\- ]+")  # letters only: "Call 303-555-0156" is not the town of Call
_TAGLINE_SPLIT = re.compile(r"\s+[·•|]\s+")
_FIVE_DIGITS = re.compile(r"\b\d{5}\b")
_COUNTY_HINT = re.compile(r"ount(?:y|ies)|arish|orough", re.I)
_COUNTY_WORD = re.compile(r"^\s+(?:count(?:y|ies)|parish(?:es)?|boroughs?)\b", re.I)
_TAIL_MODE = re.compile(
    rf"^\s*,?\s*(?:(?:via|by|through|over|on|using)\s+(?:secure\s+)?{_VIRTUAL}\w*|(?:in[- ]person|{_VIRTUAL})"
    # "in person in Fairview or online": the town where it is in person does not end the modes said
    rf"(?:\s+(?:in|at)\s+(?:our\s+)?[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){{0,2}}(?:\s+office)?)?"
    rf"(?:\s+(?:only|and|or|&)\s+(?:in[- ]person|{_VIRTUAL}))?(?:\s+only)?)",
    re.I,
)
_NEAR_SPLIT = re.compile(r",|;|\band\b|\bplus\b|\bas well as\b", re.I)
_CLAUSE_END = re.compile(r"[;,]|\bplus\b|\bwhile\b|\bbut\b|\bas well as\b", re.I)
_ASIDE = re.compile(r",\s*(?:which|who|where)\b|;|\bbut\b|\bwhile\b|\bwhereas\b|\bthrough\b", re.I)
_ALL_STATES = re.compile(r"\b(?:both|all|these|those|each|every|any of (?:these|our))\s+(?:\w+\s+)?states\b", re.I)
_CITY_STATE_ZIP = re.compile(
    r"^,?\s*(" + _CITY_WORDS + r"),\s*([A-Z]{2}|[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)\.?,?\s+(\d{5})"
    r"|^,?\s+(" + _CITY_WORDS + r")\s+([A-Z]{2})\s+(\d{5})\b"  # without commas: "... Suite 200 Springfield MN 55343"
)
_LIST_SPLIT = re.compile(r"\s*,\s*(?:and\s+|&\s+|or\s+)?|\s+(?:and|&|or)\s+")
_CITY_OFFICE = re.compile(  # "our Fairview office", "the Lakeview clinics", "our new Fairview location"
    r"\b(?:[Oo]ur|[Mm]y|[Tt]he|[Hh]er|[Hh]is|[A-Za-z]+['’]s)\s+(?:(?:new|newest|main|second|other|original|"
    r"flagship|beautiful|cozy|convenient)\s+)?((?:[A-Z][a-z'’.\-]+)(?:\s+[A-Z][a-z'’.\-]+){0,2}"
    r"(?:(?:\s*,\s*|\s+and\s+|\s*&\s*)[A-Z][a-z'’.\-]+(?:\s+[A-Z][a-z'’.\-]+){0,2}){0,4})"
    # "our Fairview ketamine clinic": a service word may stand between the town and the office
    r"\s+(?:(?:ketamine|infusion|KAP|therapy|psychiatry|wellness)\s+)?(?:office|studio|location|clinic|suite|campus)"
    r"(?:es|s)?\b"
)
_PERSON_COMMA = re.compile(r"\b[A-Z][a-z'’\-]+(?:\s+[A-Z]\.)?\s+[A-Z][a-z'’\-]+(?:\s+(?:Jr|Sr|II|III|IV)\.?)?,\s*$")
_OFFICE_CUE = re.compile(
    r"\b(?:offices?|located|locations?|visit|suite|clinics?|in[- ]person|address|studio|(?:is|are|based)\s+in|"
    r"retreats?|sanctuary|nestled|on[- ]?site|our\s+(?:\w+\s+){0,2}(?:space|center|centre|house|property|land))\b|"
    # "At Alder Point Center for Advanced Care in <town>, <State>, Dr. Roe and her team ...": where the practice is
    r"^\W*(?-i:At)\s+(?-i:(?:[A-Z][\w&'’.\-]*|for|of|and|&|the)\s+){1,8}in\s+(?-i:[A-Z])",
    re.I,
)
_FIRST_PERSON_SERVICE = re.compile(
    rf"^\W*(?:{_IN_PERSON}|{_VIRTUAL})\s+(?:\w+\s+)?(?:therapy|sessions?|appointments?|visits?|care|services?)\b|"
    r"\b(?:our|my)\s+(?:\w+\s+)?(?:services|sessions|appointments)\s+(?:are|is)\b|"
    # "Sessions are in person.", "Follow-up can be done online.": the page's own sessions, said without "we"
    r"^\W*(?:all\s+)?(?:\w+\s+)?(?:sessions|appointments|visits|follow-ups?)\s+(?:are|take\s+place|happen|"
    r"can\s+(?:also\s+)?be\s+(?:done|held|conducted))\b|"
    r"\b(?:in|at)\s+(?:our|my|her|his|their)\s+(?:office|clinic|studio|suite|center)s?\b|\b(?:we|I)\s+(?:also\s+)?(?:offer|provide|see)\b"
    r"[^.]*\b(?:sessions|visits|appointments|therapy|care)\b",
    re.I,
)
# "practicing in Southern Indiana": a named region of a state, served as a whole
_REGION = re.compile(
    r"\b((?i:(?:North|South)(?:east|west)?|East|West|Central|Middle|Northern|Southern|Eastern|Western|Upstate|Downstate))\s+("
    + "|".join(re.escape(name) for name in _NAMES) + r")\b"
)
# "in the Oregon Coast Area": a named area of a state, kept as the page names it (a region, like "Southern Indiana")
_STATE_AREA = re.compile(
    r"\bthe\s+(" + "|".join(re.escape(name) for name in _NAMES) + r")\s+((?:[A-Z][a-z]+\s+){1,2}Area)\b"
)
# "on Maryland's Eastern Shore", "across Ohio's Lakes Region": a named area of a state, like a region
_STATE_POSSESSIVE_AREA = re.compile(
    r"\b(" + "|".join(re.escape(name) for name in _NAMES) + r")['’]s\s+((?:[A-Z][a-z]+\s+){0,2}(?:Peninsula|Coast|"
    r"Shore|Valley|Panhandle|Range|Country|Lowcountry|Region|Highlands|Mountains|Delta|Basin|Plains|Piedmont|"
    r"Seacoast|Lakes|Islands?|Keys|Metro|Metroplex|Triangle|Triad))\b"
)
# "KAP is offered virtually by Dr. Roe", "Sessions are available via telehealth": the service given by video
_OFFERED_VIRTUALLY = re.compile(
    rf"\b(?:offered|available|provided|conducted|held|delivered|done)\s+(?:\w+\s+)?(?:virtually|online|"
    rf"(?:via|by|through|over)\s+(?:secure\s+)?{_VIRTUAL})\b",
    re.I,
)
# "serving the Twin Cities", "Ketamine Treatment in the Bay Area": a well-known area that is no town
_NAMED_REGION = re.compile(
    r"(?<![\w-])("
    # "the Bay area": the generic last word is often written in lower case
    + "|".join(re.escape(name).replace("Area", "[Aa]rea") for name in sorted(named_regions(), key=len, reverse=True))
    + r")(?![\w-])"
)
_REGION_KEY = {name.lower(): name for name in named_regions()}
_NAMED_REGION_GATE = AnyWord(tuple(sorted({name.split()[-1].lower() for name in named_regions()})))
# A town in the practice's own name ("Lakeside Integrative Psychiatry", "Ketamine Clinic of Lakeside") is where it is
_ORG_WORD = (
    r"(?:Integrative|Ketamine|Psychiatr\w*|Counseling|Psychotherapy|Therapy|Wellness|Behavioral|Psycholog\w+|"
    r"Clinic|Institute|Infusions?)"
)
_CITY_IN_NAME = (
    re.compile(
        rf"\b(?:At|at)\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)??)\s+{_ORG_WORD}\b|"
        rf"^([A-Z][a-z]+(?:\s+[A-Z][a-z]+)??)\s+{_ORG_WORD}\s+(?:&\s+)?[A-Z]"
    ),
    re.compile(rf"\b{_ORG_WORD}(?:\s+[A-Z][a-z]+){{0,2}}\s+of\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+){{0,2}})\b"),
)
# What a page offers "in <town>" ("Ketamine Infusions in Fairview"); said of a state these words are weaker
_CITY_CUE = re.compile(
    r"\b(?:treatments?|infusions?|clinics?|ketamine|KAP|counseling|psychiatr\w*|psychotherap\w*|spravato|now\s+open|"
    r"mental\s+health(?:\s+(?:care|services?|resource|provider))?)\b",
    re.I,
)
# "Fairview Office" / "Fairview Location" as a heading or line of its own; a menu's "Fairview Area Clients" (an area
# served, not an office) or "Fairview Area & OH Clients"
_TOWN_OFFICE_LINE = re.compile(
    r"^\s*([A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2})\s+(?:(?:Office|Location|Clinic)s?\s*:?|Area\s+(?:&\s+[A-Z]{2}\s+)?"
    r"(?:Clients|Residents|Patients))\s*$"
)
# "a Fairview-based practice"; not "a nurse at Fairview-based Valley Health Group": where someone else works
_AT_EMPLOYER = re.compile(r"\b(?:at|for|with)\s+(?:[A-Z][a-z]+\s+)?$")
_CITY_BASED = re.compile(r"\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)??)[- ]based\b")
# "ketamine therapy cottonwood falls kansas" in a keyword line: a lower-case town and state that belong together
_LOWER_STATE = re.compile(r"\b(" + "|".join(re.escape(name.lower()) for name in _NAMES) + r")\b")
_THE_STATE = r"(?:statewide|throughout\s+the\s+state|across\s+the\s+state|anywhere\s+in\s+the\s+state)"
_STATEWIDE = re.compile(rf"{_VIRTUAL}\w*\s+(?:\w+\s+)?{_THE_STATE}", re.I)
_STATEWIDE_AFTER = re.compile(rf"{_THE_STATE}\s+(?:\w+\s+){{0,3}}?(?:by|via|over|through)\s+{_VIRTUAL}", re.I)


_OFFICE_HEADING = re.compile(
    r"\b(?:locations?|offices?|address(?:es)?|find\s+us|visit\s+us|directions|where\s+we\s+are)\b", re.I
)
# A sentence that says what the law allows ("ketamine use is legal when prescribed by a physician licensed in X")
_LAW_SENTENCE = re.compile(r"\b(?:is|are|be)\s+(?:\w+\s+)?legal\b|\blegally\b|\bunder\s+(?:\w+\s+)?law\b", re.I)
_FIRST_PERSON = re.compile(r"\b(?:we|our|us|I|my)\b", re.I)


def _office_virtual(office: bool, sentence: str) -> bool | None:
    """What an office sentence says of video there: "in my office in Oakland, CA or via telehealth" is both ways,
    "only in person at our office in Fairview, CO" is not virtual."""
    mode = _mode_of(sentence)
    if mode == (True, False):
        return False
    return True if office and mode[1] else None


@dataclass
class _Vote:
    in_person: bool | None
    virtual: bool | None
    strength: int


@dataclass
class PlaceFacts:
    states: list[StateFact] = field(default_factory=list)
    cities: list[CityFact] = field(default_factory=list)
    addresses: list[AddressFact] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    code: str
    kind: str  # name | abbr | dc


@lru_cache(maxsize=8192)
def _has_cue(sentence: str) -> bool:
    """A word of service or of a town list anywhere in the sentence (cached: read_sentence and read_city_list ask)."""
    return bool(_CUE.search(sentence) or _CITY_CUE.search(sentence))


@lru_cache(maxsize=8192)
def _mode_of(text: str) -> tuple[bool | None, bool | None]:
    """(in_person, virtual) a phrase states; None where it says nothing."""
    if not _MODE_WORDS.search(text):
        return None, None  # none of the four patterns below can match: one cheap test instead of four
    if _VIRTUAL_ONLY.search(text):
        return False, True
    if _IN_PERSON_ONLY.search(text):
        return True, False
    virtual = True if _VIRTUAL_WORD.search(text) else None
    in_person = True if _IN_PERSON_WORD.search(text) else None
    return in_person, virtual


def _is_all_caps(text: str) -> bool:
    return text.upper() == text and len(_LETTERS.findall(text)) > 12


def _in_credential_chain(sentence: str, start: int, end: int) -> bool:
    """'Jane Roe, MA, LPC': an abbreviation among post-nominals is a degree, not Massachusetts."""
    left = sentence[:start]
    for _ in range(6):
        match = _CREDENTIAL_WORD.search(left)
        if not match:
            break
        word = match.group(1)
        if word not in STATE_CODES and lookup(word) is not None:
            return True
        left = left[: match.start()]
    right = sentence[end:]
    for _ in range(6):
        match = _CREDENTIAL_NEXT.match(right)
        if not match:
            break
        word = match.group(1)
        if word not in STATE_CODES and lookup(word) is not None:
            return True
        right = right[match.end():]
    return False


_LOOKBACK = 120  # characters before a state that the "City, ST" and "Name Surname, MD" patterns read


# A sentence that announces a list after it: "in the states listed below", "in the following states", "...:"
_POINTS_TO_LIST = re.compile(
    r"\b(?:listed|shown|named)\s+below\b|\bthe\s+following\s+(?:states|jurisdictions)\b|\bthese\s+states\s*:|:\s*$",
    re.IGNORECASE,
)


@lru_cache(maxsize=1024)
def _list_only(sentence: str) -> bool:
    """A sentence that is little more than a list of states (cached: read once per sentence, not per run)."""
    return len(re.findall(r"[A-Za-z]{3,}", _TOKEN.sub("", sentence))) <= 3


@lru_cache(maxsize=1024)
def _sentence_cues(sentence: str) -> tuple[list[tuple[int, int]], bool, bool]:
    """Asides, an office cue, a statewide cue: read once per sentence, not once per state in it (a hostile
    sentence of a hundred states stays linear)."""
    asides = [(m.start(), m.end()) for m in _ASIDE.finditer(sentence)]
    return asides, bool(_OFFICE_CUE.search(sentence)), bool(_STATEWIDE.search(sentence))


def _city_before(sentence: str, start: int, state: str) -> tuple[str, int] | None:
    """'... Suite 200, Hartford, CT': the longest run of capitalised words before ', ST' that is a city there.
    In a list of places the comma may be missing ("in NYC, Greenwich CT and Fairview Ohio")."""
    offset = max(0, start - _LOOKBACK)  # a city is a few words: read only the text just before the state
    match = re.search(r"(" + _CITY_WORDS + r"),\s*$", sentence[offset:start])
    if not match:
        match = _LISTED_TOWN.search(sentence[offset:start])
        if not match or not _LIST_AFTER.match(sentence[start: start + 40]):
            return None
    words = _GLUED_WORDS.sub(" ", match.group(1)).split()  # "Infusion TherapyColumbia, SC": a lost line break
    for first in range(len(words)):
        candidate = " ".join(words[first:]).strip(".")
        if is_city_in(_METRO.sub("", candidate), state):
            return candidate, offset + match.start(1) + max(0, match.group(1).rfind(words[first]))
    return None


_GLUED_WORDS = re.compile(r"(?<=[a-z]{3})(?=[A-Z][a-z])")


_LIST_LINK = re.compile(r"(" + _CITY_WORDS + r")\s*(?:,\s*(?:and\s+|&\s+|or\s+)?|\s+(?:and|&|or)\s+)$")


def _towns_listed_before(sentence: str, start: int, state: str) -> list[str]:
    """'in Fairview, Lakeview, and Glen Park, ST': the towns listed before the one that carries the state, when
    they are towns of that state too (a town of another state keeps its own state)."""
    towns: list[str] = []
    for _ in range(8):  # a list of a few towns; bounded on hostile text
        offset = max(0, start - _LOOKBACK)
        match = _LIST_LINK.search(sentence[offset:start])
        if not match:
            break
        words = match.group(1).split()
        found = next((first for first in range(len(words)) if is_city_in(" ".join(words[first:]), state)), None)
        if found is None or " ".join(words[found:]) in STATE_BY_NAME:
            break  # "in Fairview, Oregon, and Lakeview, ST": "Oregon" is Fairview's state, not a town of ST
        towns.append(" ".join(words[found:]))
        start = offset + match.start(1) + len(" ".join(words[:found])) + (1 if found else 0)
    return towns


def _as_written(town: str) -> str:
    """A town written in capitals in a heading ("GLEN PARK") is named as a reader would write it."""
    return town.title() if town.isupper() else town


# The news style's state abbreviations ("Fairview, La.", "a Lakeview, N.C.-based clinic"), read only after a
# town of that state
_AP_CODES = {
    "Ala": "AL", "Ariz": "AZ", "Ark": "AR", "Calif": "CA", "Colo": "CO", "Conn": "CT", "Del": "DE", "Fla": "FL",
    "Ga": "GA", "Ill": "IL", "Ind": "IN", "Kan": "KS", "Kans": "KS", "Ky": "KY", "La": "LA", "Md": "MD", "Mass": "MA",
    "Mich": "MI", "Minn": "MN", "Miss": "MS", "Mo": "MO", "Mont": "MT", "Neb": "NE", "Nev": "NV", "NH": "NH",
    "NJ": "NJ", "NM": "NM", "NY": "NY", "NC": "NC", "ND": "ND", "Okla": "OK", "Ore": "OR", "Pa": "PA", "RI": "RI",
    "SC": "SC", "SD": "SD", "Tenn": "TN", "Tex": "TX", "Vt": "VT", "Va": "VA", "Wash": "WA", "WVa": "WV", "Wis": "WI",
    "Wyo": "WY",
}
_AP_STATE = re.compile(
    r"(?<![A-Za-z.])(" + "|".join(sorted((re.escape(key) if len(key) > 2 or key[1].islower() else
                                          re.escape(key[0]) + r"\." + re.escape(key[1:]))
                                         for key in _AP_CODES)).replace("WVa", r"W\.\s?Va") + r")\."
)


@lru_cache(maxsize=8192)
def _state_tokens(sentence: str, given_names: frozenset[str] = frozenset()) -> tuple[_Token, ...]:
    """State mentions in a sentence that could be places (cached per sentence)."""
    tokens: list[_Token] = []
    elided = list(_ELIDED.finditer(sentence))  # "North and South Carolina": two states
    for match in elided:
        first, second, region = match.groups()
        middle = match.start(2)
        tokens.append(_Token(match.start(), middle, STATE_BY_NAME[f"{first} {region}"], "name"))
        tokens.append(_Token(middle, match.end(), STATE_BY_NAME[f"{second} {region}"], "name"))
    for match in _PAIRED.finditer(sentence) if "the Carolinas" in sentence or "the Dakotas" in sentence else ():
        middle = (match.start() + match.end()) // 2  # two states in one word: each takes half of its span
        tokens.append(_Token(match.start(), middle, STATE_BY_NAME[f"North {match.group(1)}"], "name"))
        tokens.append(_Token(middle, match.end(), STATE_BY_NAME[f"South {match.group(1)}"], "name"))
    for match in _AP_STATE.finditer(sentence):  # only after a town of that state: "La." alone is no state
        code = _AP_CODES[match.group(1).replace(".", "")]
        if _city_before(sentence, match.start(), code):
            tokens.append(_Token(match.start(), match.end(), code, "abbr"))
    for match in _TOKEN.finditer(sentence):
        start, end = match.span()
        if any(item.start() <= start < item.end() for item in elided):
            continue
        after = sentence[end:]
        before = sentence[:start]
        if match.group("dc"):
            tokens.append(_Token(start, end, "DC", "dc"))
            continue
        if match.group("people") or match.group("nyc"):  # "KAP for New Yorkers", "offices in NYC"
            kind = "people" if match.group("people") else "name"
            tokens.append(_Token(start, end, DEMONYMS.get(match.group(0), "NY"), kind))
            continue
        if match.group("name") and _INSURER_OF.search(before[-60:]):
            tokens.append(_Token(start, end, _STATE_OF[match.group("name")], "insurer"))
            continue
        if match.group("name"):
            name = match.group("name")
            if re.match(r"^\s+City\b", after) and states_of_city(f"{name} City") == {_STATE_OF[name]}:
                tokens.append(_Token(start, end, _STATE_OF[name], "name"))  # "<State> City" there only
                continue
            if _PRACTICE_NAME_AFTER.match(after):
                # "Ohio Integrative Psychiatry"; "Washington Behavioral Medicine" may be the capital's (decided later)
                tokens.append(_Token(start, end, BARE_WASHINGTON if name == "Washington" else _STATE_OF[name], "name"))
                continue
            if name == "Washington" and re.match(r"^\s+[Ss]tate\b(?!\s+University)", after):
                tokens.append(_Token(start, end, "WA", "name"))
                continue
            if name == "Washington" and not _BAD_FOLLOWER.match(after.lstrip()):
                tokens.append(_Token(start, end, BARE_WASHINGTON, "name"))  # the state or the capital: decided later
                continue
            if _BAD_FOLLOWER.match(after.lstrip()) or _INSTITUTION_OF.search(before):
                continue
            follower = re.match(r"^\s([A-Z][A-Za-z.)]*)", after)
            if follower and follower.group(1).rstrip(".)") not in _OK_FOLLOWER and not _TOKEN.match(after.lstrip()):
                continue  # "Georgia Mendes", "Virginia Woolf": a name, not a place
            if name in given_names and not _ABBR_LEAD.search(before):
                continue  # "Georgia works with...": the clinician called Georgia, not the state
            if name in {"Washington", "Georgia", "Virginia", "Carolina", "Indiana"} and _PERSON_PRECEDED.search(before):
                word = _PERSON_PRECEDED.search(before).group(0).strip()
                if before.strip() != word and word.lower() not in {"in", "and", "or", "serving", "throughout"}:
                    continue
            tokens.append(_Token(start, end, _STATE_OF[name], "name"))
            continue
        code = match.group("abbr")
        if _in_credential_chain(sentence, start, end):
            continue
        if _PERSON_COMMA.search(sentence[max(0, start - _LOOKBACK): start]) and lookup(code) is not None \
                and not _city_before(sentence, start, code):
            continue  # "Rafael Quintero, MD": a post-nominal, not Maryland
        tokens.append(_Token(start, end, code, "abbr"))
    return tuple(sorted(tokens, key=lambda token: token.start))


def _among_abbreviations(sentence: str, token: _Token) -> bool:
    before = _ABBR_BEFORE.search(sentence[max(0, token.start - 90): token.start])
    after = _ABBR_AFTER.match(sentence[token.end: token.end + 90])
    return any(match and match.group(1) not in STATE_CODES for match in (before, after))


_LISTED_TOWN = re.compile(r"(?:^|,|\b(?:in|and|or|the)|&)\s+(" + _CITY_WORDS + r")\s+$")  # "the <town> <State> area"
_LIST_AFTER = re.compile(r"^[A-Za-z ]{0,32}?(?:\s*(?:,|&|\band\b|\bor\b|[.;:!?]|$))")


def _runs(sentence: str, tokens: tuple[_Token, ...]) -> list[list[_Token]]:
    runs: list[list[_Token]] = []
    for token in tokens:
        if runs and _SEPARATOR.match(sentence[runs[-1][-1].end: token.start]):
            runs[-1].append(token)
        else:
            runs.append([token])
    return runs


class _PlaceReader:
    def __init__(self, document: Document, given_names: frozenset[str], partner: str | None = None) -> None:
        self.document = document
        self.given_names = given_names
        self.partner_key = compact(partner) if partner else ""
        self.votes: dict[str, list[_Vote]] = {}
        self.facts = PlaceFacts()
        self.city_keys: set[tuple[str, str | None]] = set()
        self.said: set[tuple[str, bool | None, bool | None, str]] = set()
        self.pending_cities: list[tuple[list[str], str, str, bool]] = []  # names, sentence, snippet, office
        self.global_modes: list[tuple[bool | None, bool | None]] = []
        self.lead_in: tuple[bool | None, bool | None] | None = None  # the mode announced for the list below
        self.all_state_modes: list[tuple[bool | None, bool | None]] = []
        self.sentence_modes: dict[str, list[tuple[bool | None, bool | None]]] = {}
        self.one_state_modes: list[tuple[bool | None, bool | None]] = []  # "in our clinic": said of the one state
        # state -> snippet: named, but in words that do not say "we serve there"
        self.unconfirmed_states: dict[str, str] = {}
        self.name_towns: set[str] = set()  # towns read from a practice's name: kept only when the page backs them
        self.pending_counties: list[tuple[str, str]] = []  # "Fairview County", snippet: an area served, a "city"
        self.pending_regions: list[tuple[str, str]] = []  # "the Twin Cities", snippet: a named area served
        self.offered_virtually = False  # a sentence says the service is given by video
        self.city_hints: dict[tuple[tuple[str, ...], str], str] = {}  # (towns, snippet) -> the state of their county

    def vote(self, state: str, in_person: bool | None, virtual: bool | None, strength: int, snippet: str) -> None:
        self.votes.setdefault(state, []).append(_Vote(in_person, virtual, strength))
        said = (state, in_person, virtual, snippet)
        if said not in self.said:  # the same words read twice (an address is also "City, ST") are one piece of evidence
            self.said.add(said)
            value = {"state": state, "in_person": in_person, "virtual": virtual}
            self.facts.evidence.append(Evidence("states", value, snippet, self.document.url))

    def add_city(self, city: str, state: str | None, snippet: str) -> None:
        key = (city.lower(), state)
        if key in self.city_keys:
            return
        self.city_keys.add(key)
        self.facts.cities.append(CityFact(city=city, state=state))
        self.facts.evidence.append(Evidence("cities", {"city": city, "state": state}, snippet, self.document.url))

    def read(self) -> PlaceFacts:
        for block in self.document.blocks:
            self.read_block(block)
        self.read_town_menus()
        self.resolve_cities()
        self.resolve_counties()
        self.resolve_regions()
        self.finish()
        return self.facts

    def read_town_menus(self) -> None:
        """'Fairview / Lakeview / Glen Park' as lines of their own, one after another: the practice's locations."""
        run: list[str] = []
        for block in [*self.document.blocks, None]:
            text = block.text.strip() if block is not None else ""
            if block is not None and len(text) <= 30 and _PLACE_NAME.fullmatch(text) and text not in STATE_BY_NAME \
                    and is_town_name(text) and not _not_a_city(text):
                run.append(text)
                continue
            if 2 <= len(run) <= _MENU_TOWNS and len(set(run)) == len(run):  # a longer run is no menu of offices
                self.pending_cities.append((run, " / ".join(run), " / ".join(run)[:300], False))
            run = []

    def read_block(self, block: Block) -> None:
        if _is_all_caps(block.text):
            return
        for sentence in block.sentences:
            self.read_sentence(sentence, block)
        self.lead_in = self.lead_in_after(block)

    def lead_in_after(self, block: Block) -> tuple[bool | None, bool | None] | None:
        """The mode a sentence announces for the list that follows it ("by telehealth in the states listed
        below:"), kept while the next blocks are items of that list, forgotten at the first other block."""
        sentences = block.sentences
        if sentences and all(_list_only(sentence) for sentence in sentences):
            return self.lead_in  # an item of the list (or a blank line): the announcement still holds
        announcing = next((sentence for sentence in reversed(sentences) if _POINTS_TO_LIST.search(sentence)), None)
        mode = _mode_of(announcing) if announcing else (None, None)
        return mode if mode != (None, None) else None

    def read_sentence(self, sentence: str, block: Block) -> None:
        if self.partner_key and _about_partner(sentence, self.partner_key):
            return
        if _LIFE_MOVE.search(sentence):
            return  # "he moved from A to outside of B, Texas": a client's or a writer's life, not an office
        snippet = sentence[:300]
        self.read_address(sentence, snippet)
        self.read_named_places(sentence, snippet)
        if _LOWER_STATE.search(sentence):
            self.read_lower_town_state(sentence, snippet)
        tokens = _state_tokens(sentence, self.given_names)
        if not tokens and not block.footer and not _has_cue(sentence) \
                and not _TAGLINE_SPLIT.search(sentence):
            self.read_counties(sentence, snippet)
            if _mode_of(sentence) == (True, False):  # "At-home use is not permitted.": every session in person
                self.global_modes.append((True, False))
            return  # no state and no word of service: only a county list or an "only" could still say something
        runs = _runs(sentence, tokens)
        context_ok = block.footer or bool(_HEADING_CUE.search(block.heading))
        previous_end = 0
        accepted_any = False
        for index, run in enumerate(runs):
            next_start = runs[index + 1][0].start if index + 1 < len(runs) else len(sentence)
            lead = sentence[previous_end: run[0].start]
            tail = sentence[run[-1].end: next_start]
            previous_end = run[-1].end
            # "locations like X (Town, LA), ... cabins in MO": a list the sentence has begun as served goes on
            if self.read_run(run, sentence=sentence, block=block, lead=lead, tail=tail,
                             context_ok=context_ok or accepted_any, snippet=snippet):
                accepted_any = True
        if not tokens or accepted_any or not _NEGATIVE.search(sentence):  # "in <town> and all of <State>"
            self.read_city_list(sentence, block, snippet)
        # "Serving Ohioans, entirely online": a sentence naming a state only by its residents still speaks for the page
        if all(token.kind == "people" for token in tokens) and not _RESEARCH_OR_NEWS.search(sentence):
            mode = _mode_of(sentence)
            if _ALL_STATES.search(sentence):
                self.read_all_states(sentence)
            elif False in mode or (mode[0] and mode[1]):  # "only" one way (_VIRTUAL_ONLY, _IN_PERSON_ONLY), or both
                self.global_modes.append(mode)
            elif mode != (None, None) and _FIRST_PERSON_SERVICE.search(sentence):
                self.one_state_modes.append(mode)
        if not tokens and _OFFERED_VIRTUALLY.search(sentence):
            self.offered_virtually = True  # "KAP is offered virtually by Dr. Roe": the page's way of working
        if _STATEWIDE_AFTER.search(sentence):  # "we see clients across the state by video": the page's one state
            self.one_state_modes.append((None, True))
        self.read_counties(sentence, snippet)

    def read_run(
        self, run: list[_Token], *, sentence: str, block: Block, lead: str, tail: str, context_ok: bool, snippet: str
    ) -> bool:
        """One list of states ("CT, MD, VA and FL"): is it a service area, and in which modes? `lead` is the text
        from the previous list (or the sentence start) to this one, `tail` the text up to the next list."""
        paren = re.match(r"^\s*[(\[]([^)\]]{0,80})[)\]]", tail)
        dash = re.match(r"^\s*[:\-–—]\s*([^.;]{0,60})", tail)
        negative = _NEGATIVE.search(lead)
        # "trained at an institute to bring this therapy to her community in X": the words after the negative say
        # where the practice works
        if negative and not re.search(r"\b(?:licensed|serving|serve|located|offices?|communit(?:y|ies))\b[^.]*$",
                                      lead[negative.end():]):
            if _WEAK_NEGATIVE.fullmatch(negative.group(0)):
                self.unconfirmed_states.update((token.code, snippet) for token in run if token.kind == "name")
            return False
        if _FUTURE_LEAD.search(lead[-100:]):
            return False  # "coming soon to Texas": not served yet
        if _FUTURE_TAIL.match(tail):
            run = run[:-1]  # "Ohio and Kentucky (coming soon)": the last one is not served yet
            if not run:
                return False
        refused = _REFUSED.search(lead)
        if refused and not _OUTSIDE.search(lead) and not re.search(r"\b(?:but|however|only)\b", lead[refused.end():]):
            return False  # "we are not able to see clients in Washington"; "cannot treat clients outside of X" serves X
        list_only = _list_only(sentence)
        cue = bool(_CUE.search(lead)) or bool(paren) or bool(_TAIL_CUE.search(tail[:80])) or context_ok or list_only
        accepted = False
        asides, office_cue, statewide = _sentence_cues(sentence)
        # "Locations" / "Our office" above a line "Fairview, ST": that line is an office
        office_cue = office_cue or bool(_OFFICE_HEADING.search(block.heading))
        law = _LAW_SENTENCE.search(sentence)
        if law and not _FIRST_PERSON.search(sentence) \
                and not re.search(r"\b(?:where|which)\b", sentence[run[-1].end: max(law.start(), run[-1].end)]):
            # "When prescribed by a physician licensed in X, ketamine is legal": the law there, not the practice's
            # service (kept as a hint for a page that names no other state); not "licensed in X, where Y is legal"
            self.unconfirmed_states.update((token.code, snippet) for token in run if token.kind == "name")
            return False
        for token in run:
            if token.kind == "insurer":  # a hint, used when the page names no other state
                self.unconfirmed_states.setdefault(token.code, snippet)
                continue
            if token.kind == "abbr":
                city = _city_before(sentence, token.start, token.code)
                if city and _PERSON_FROM.search(sentence[max(0, city[1] - 60): city[1]]):
                    continue
                zip_match = _ZIP_AFTER.match(sentence[token.end:])
                if city:
                    office = bool(zip_match) or office_cue or block.tag == "address"
                    self.read_town_of(city, token.code, office, sentence, snippet)
                    accepted = True
                    continue
                if _among_abbreviations(sentence, token):
                    continue
                if len(run) == 1 and not (_ABBR_LEAD.search(lead) or _ABBR_FOLLOW.match(tail)):
                    continue
                if token.code == "LA" and len(run) == 1 and "Louisiana" not in self.document.text \
                        and not re.search(r"licens", lead, re.I):
                    continue  # "fly to Boston or LA": the city more often than the state, when no town of it is near
                if len(run) == 1 and _THE.search(lead) and lookup(token.code) is not None:
                    continue  # "the MD will charge", "the PA": the clinician, not Maryland or Pennsylvania
            elif token.kind == "name":
                if sentence[token.start:token.end] == "NYC" and cue and not negative:
                    self.add_city("New York City", "NY", snippet)  # "offices in NYC": the city, and New York
                state = token.code
                if state == BARE_WASHINGTON:  # "Vancouver, Washington": a town of the state says it is the state
                    state = "WA" if _city_before(sentence, token.start, "WA") else state
                city = _city_before(sentence, token.start, state)
                if city and not negative:
                    self.read_town_of(city, state, office_cue, sentence, snippet)
                    accepted = True
                    continue
            if token.kind == "dc" and cue and sentence.startswith("Washington", token.start):
                self.add_city("Washington", "DC", snippet)  # "offices in Washington, DC": the city is the district
            if not cue:
                if token.kind == "name":
                    self.unconfirmed_states.setdefault(token.code, snippet)
                continue
            clause_start = max((end for start, end in asides if end <= token.start), default=0)
            clause_end = next((start for start, _ in asides if start >= token.end), len(sentence))
            self.sentence_modes.setdefault(token.code, []).append(_mode_of(sentence[clause_start:clause_end]))
            in_person, virtual = self.run_mode(lead, tail, paren, dash)
            if (in_person, virtual) == (None, None) and list_only and block.heading:
                in_person, virtual = _mode_of(block.heading)  # "Telehealth available in:" above a list of states
            if (in_person, virtual) == (None, None) and list_only and self.lead_in:
                in_person, virtual = self.lead_in  # "... by telehealth in the states listed below:" then the list
            if token.kind == "people":  # "for Ohioans, entirely online": the whole sentence says how
                in_person, virtual = _mode_of(sentence)
            if virtual is None and statewide:
                virtual = True
            strength = 3 if (paren or dash) and (in_person is not None or virtual is not None) else (
                2 if len(run) == 1 else 1
            )
            self.vote(token.code, in_person, virtual, strength, snippet)
            accepted = True
        return accepted

    def read_town_of(self, city: tuple[str, int], state: str, office: bool, sentence: str, snippet: str) -> None:
        """A town written before its state ("Fairview, ST"), and the towns listed before it: cities of that state,
        and a vote for the state (in person where the sentence or block says it is an office)."""
        self.add_city(_as_written(city[0]), state, snippet)
        for town in _towns_listed_before(sentence, city[1], state):
            self.add_city(_as_written(town), state, snippet)
        self.vote(state, True if office else None, _office_virtual(office, sentence), 2, snippet)

    @staticmethod
    def run_mode(
        lead: str, tail: str, paren: re.Match | None, dash: re.Match | None
    ) -> tuple[bool | None, bool | None]:
        for local in (paren, dash):
            if local:
                mode = _mode_of(local.group(1))
                if mode != (None, None):
                    return mode
        # Words right after the run ("Minnesota and Wisconsin by telehealth") and the nearest words before it
        # ("telehealth across CT and NY"); then the rest of the clause before, then the first clause after.
        after = _TAIL_MODE.match(tail)
        near = _mode_of(_NEAR_SPLIT.split(lead)[-1])
        if after:
            tail_mode = _mode_of(after.group(0))
            return (near[0] if near[0] is not None else tail_mode[0], near[1] if near[1] is not None else tail_mode[1])
        if near != (None, None):
            return near
        mode = _mode_of(re.split(r"[;:]|\bwhile\b|\bwhereas\b|\bbut\b", lead)[-1])
        if mode == (None, None):
            mode = _mode_of(_CLAUSE_END.split(tail)[0])
        return mode

    def read_named_places(self, sentence: str, snippet: str) -> None:
        """A region ("practicing in Southern Indiana") and a town in the practice's own name."""
        for start, region, state in _regions(sentence):
            lead = sentence[max(0, start - 60): start]
            if (_CUE.search(lead) or _CITY_CUE.search(lead)) and not _NEGATIVE.search(lead):  # "Ketamine Center in"
                self.add_city(region, state, snippet)
                self.vote(state, *_mode_of(sentence), 1, snippet)  # a region served is its state served
        for match in _STATE_POSSESSIVE_AREA.finditer(sentence):
            lead = sentence[max(0, match.start() - 60): match.start()]
            if _CUE.search(lead) and not _NEGATIVE.search(lead):
                state = STATE_BY_NAME[match.group(1)]
                self.add_city(match.group(2), state, snippet)
                self.vote(state, *_mode_of(sentence), 1, snippet)
        for match in _STATE_AREA.finditer(sentence):
            if not _NEGATIVE.search(sentence[max(0, match.start() - 60): match.start()]):
                state = STATE_BY_NAME[match.group(1)]
                self.add_city(match.group(2), state, snippet)
                self.vote(state, *_mode_of(sentence), 1, snippet)
        for match in _NAMED_REGION.finditer(sentence) if _NAMED_REGION_GATE.search(sentence) else ():
            lead = sentence[max(0, match.start() - 60): match.start()]
            if (_CUE.search(lead) or _CITY_CUE.search(lead)) and not _NEGATIVE.search(lead):
                self.pending_regions.append((_REGION_KEY[match.group(1).lower()], snippet))  # "KAP in the Bay Area"
        line = _TOWN_OFFICE_LINE.match(sentence)
        if line and is_town_name(line.group(1)) and not _not_a_city(line.group(1)):
            office = not re.search(r"\sArea\s", line.group(0))
            self.pending_cities.append(([line.group(1)], sentence, snippet, office))
        for match in _CITY_BASED.finditer(sentence):
            if _AT_EMPLOYER.search(sentence[max(0, match.start() - 30): match.start()]):
                continue
            if is_town_name(match.group(1)) and not _not_a_city(match.group(1)):
                self.pending_cities.append(([match.group(1)], sentence, snippet, True))
        for pattern in _CITY_IN_NAME:
            for match in pattern.finditer(sentence):
                name = next(group for group in match.groups() if group)
                if is_town_name(name) and not _not_a_city(name):
                    self.name_towns.add(name)
                    self.pending_cities.append(([name], sentence, snippet, False))

    def read_lower_town_state(self, sentence: str, snippet: str) -> None:
        for match in _LOWER_STATE.finditer(sentence):
            state = STATE_BY_NAME[match.group(1).title().replace(" Of ", " of ")]
            words = sentence[max(0, match.start() - 80): match.start()].split()[-3:]
            for first in range(len(words)):
                town = " ".join(words[first:])
                if town.replace(" ", "").isalpha() and town.islower() and is_city_in(town, state) \
                        and is_town_name(town):
                    self.add_city(town.title(), state, snippet)
                    self.vote(state, None, None, 1, snippet)
                    break

    def read_address(self, sentence: str, snippet: str) -> None:
        if not _FIVE_DIGITS.search(sentence):
            return  # no ZIP code, no street address
        for match in _STREET.finditer(sentence):
            rest = sentence[match.end():]
            place = _CITY_STATE_ZIP.match(rest)
            if not place:
                continue
            city, state_text, zip_code = place.groups()[:3] if place.group(1) else place.groups()[3:]
            state = state_text if state_text in STATE_CODES else STATE_BY_NAME.get(state_text)
            if not state:
                continue
            if not place.group(1):  # no comma: the city is the longest tail of the words that is a town there
                words = city.split()
                city = next((" ".join(words[i:]) for i in range(len(words)) if is_city_in(" ".join(words[i:]), state)),
                            None)
                if city is None:
                    continue
            street = match.group(1).strip()
            self.facts.addresses.append(AddressFact(street=street, city=city, state=state, zip=zip_code))
            if is_city_in(city, state):
                self.add_city(city, state, snippet)
            self.vote(state, True, None, 2, snippet)  # a street address is an office: in person there
            self.facts.evidence.append(
                Evidence("addresses", f"{match.group(1)}, {city}, {state} {zip_code}", snippet, self.document.url)
            )

    def read_all_states(self, sentence: str) -> None:
        """'in-person KAP in Lakeview and virtual sessions in both states': the clauses without a city speak for
        every state the page serves."""
        for clause in _NEAR_SPLIT.split(sentence):
            if _CITY_LIST.search(clause) or _CITY_OFFICE.search(clause):
                continue
            mode = _mode_of(clause)
            if mode != (None, None):
                self.all_state_modes.append(mode)

    def read_tagline_cities(self, sentence: str, snippet: str) -> None:
        """'Ketamine-Assisted Psychotherapy · Fairview · Glen Park · Telehealth': cities as tagline segments."""
        # "Offices: Fairview | Lakeview": a label before the first segment is not part of the town
        segments = [segment.split(":")[-1].strip() for segment in _TAGLINE_SPLIT.split(sentence)]
        known = [segment for segment in segments if 0 < len(segment.split()) <= 3 and _PLACE_NAME.fullmatch(segment)
                 and states_of_city(segment) and not _not_a_city(segment)]
        if known:
            self.pending_cities.append((known, sentence, snippet, True))

    def read_city_list(self, sentence: str, block: Block, snippet: str) -> None:
        if _TAGLINE_SPLIT.search(sentence):
            self.read_tagline_cities(sentence, snippet)
        for match in _CITY_OFFICE.finditer(sentence):
            if _NEGATIVE.search(sentence[max(0, match.start() - 30): match.start()]):
                continue
            names = [name.strip() for name in _LIST_SPLIT.split(match.group(1)) if name.strip()]
            if all(states_of_city(name) and not _not_a_city(name) for name in names):
                self.pending_cities.append((names, sentence, snippet, True))
        if not (block.footer or _has_cue(sentence)):
            return
        virtual_only = _mode_of(sentence) == (False, True)  # _VIRTUAL_ONLY: once per sentence, not per town list
        for match in _CITY_LIST.finditer(sentence):
            lead = sentence[max(0, match.start() - 40): match.start() + 12]
            served = _SERVING_BEFORE.search(sentence[max(0, match.start() - 200): match.start()])
            if not (_CUE.search(lead) or _CITY_CUE.search(lead) or block.footer or served) or _NEGATIVE.search(lead):
                continue
            if _SOMEONE_IN.search(sentence[max(0, match.start() - 60): match.start()]):
                continue  # "my colleague, a psychiatrist in Rhinebeck": where someone else is
            if re.match(r"['’]s\s+[a-z]", sentence[match.end() - 2: match.end() + 3]):
                continue  # "factors in Roe's death": a person's possessive, not a town's part ("Fairview's Old Town")
            # "in Fairview's Old Town": the town, not its possessive
            names = [_POSSESSIVE.sub("", name.strip(" .")) for name in _LIST_SPLIT.split(match.group("list"))
                     if name.strip(" .")]
            if any(name in STATE_BY_NAME for name in names):
                names = [name for name in names if name not in STATE_BY_NAME]
            known = [name for name in names if states_of_city(_METRO.sub("", name)) and not _not_a_city(name)]
            if match.group("the") and not match.group("greater"):
                known = [name for name in known if is_big_town(name)]  # "the Triangle area" is a region
            # most names of the list are towns; or, in a longer list, some are (with neighbourhoods the index lacks)
            if not known or (len(known) < len(names) / 2 and not (len(known) >= 3 and len(known) >= len(names) / 3)):
                continue
            following = sentence[match.end(): match.end() + 40]  # bounded: never copy the rest of a long sentence
            if _COUNTY_WORD.match(following) or re.match(r"^\s+to\s+", following):
                continue  # "Orleans and St. Tammany parishes" are not cities; "from Anchorage to..." is a range
            county = _IN_COUNTY.match(following)  # "Fairview and Lakeview in Maple County": the county's state
            county_states = states_of_county(county.group(1)) if county else frozenset()
            if len(county_states) == 1:
                self.city_hints[(tuple(known), snippet)] = next(iter(county_states))
            # "sees clients in Fairview" is in person; "telehealth in Lakeview" or "Lakeview ... via video" is not
            lead = sentence[max(0, match.start() - 40): match.start()]
            after = sentence[match.end(): match.end() + 30]
            virtual = (
                _VIRTUAL_WORD.search(lead)
                or re.match(rf"^\s*(?:via|by|through|over)\s+{_VIRTUAL}", after, re.I)
                or virtual_only
            )
            if _IN_PERSON_WORD.search(_NEAR_SPLIT.split(lead)[-1]) and not virtual_only:
                virtual = None  # "... via telehealth, and in person in Eastbrook": the nearest words decide
            self.pending_cities.append((known, sentence, snippet, not virtual))

    def read_counties(self, sentence: str, snippet: str) -> None:
        if not _COUNTY_HINT.search(sentence):
            return
        for match in _COUNTY_LIST.finditer(sentence):
            names = [name.strip() for name in _LIST_SPLIT.split(match.group(1)) if name.strip()]
            names = [re.sub(r"^(?:[Ss]erving|[Ii]n|[Tt]hroughout|[Aa]cross)\s+", "", name) for name in names]
            # "Maple County, Cedar County": the list's own "County" words are not part of the names
            names = [re.sub(r"\s+(?:County|Parish|Borough)$", "", name) for name in names]
            common: set[str] | None = None
            for name in names:
                states = set(states_of_county(name))
                common = states if common is None else common & states
            if _NEGATIVE.search(sentence[: match.start()]):
                continue
            # "Maple County, NY ketamine therapy": a county the page ties to its state is an area it names
            tied = bool(_STATE_AFTER.match(sentence[match.end(): match.end() + 30])) and _has_cue(sentence)
            lead = sentence[max(0, match.start() - 160): match.start()]
            if (_CUE.search(lead) or _CITY_CUE.search(lead) or tied) and all(map(states_of_county, names)):
                kind = _COUNTY_KIND[match.group(2).lower()[:5]]
                self.pending_counties += [(f"{name} {kind}", snippet) for name in names]  # the areas it serves
            if common and len(common) == 1:
                in_person, virtual = _mode_of(sentence)
                self.vote(common.pop(), in_person, virtual, 1, snippet)

    def resolve_cities(self) -> None:
        page_states = _washington_state(set(self.votes))
        # "Oak Hollow Ketamine Clinic serves Fairview and Lakeview": a page that names the towns it serves says where
        # it is; a town read from the practice's name then is a brand word
        other_towns = {city.city.lower() for city in self.facts.cities} | {
            name.lower() for names, *_ in self.pending_cities for name in names if name not in self.name_towns
        }
        virtual_only = any(mode == (False, True) for mode in self.global_modes)
        resolved: set[tuple[tuple[str, ...], str, bool]] = set()
        for names, sentence, snippet, office in self.pending_cities:
            if (tuple(names), snippet, office) in resolved:
                continue  # the same towns said again in the same words: one reading is enough
            resolved.add((tuple(names), snippet, office))
            in_sentence = _washington_state({token.code for token in _state_tokens(sentence, self.given_names)})
            in_sentence |= _region_states(sentence)  # "our <town> clinic serves Northern <State>"
            common: set[str] | None = None
            for name in names:
                states = set(states_of_city(_METRO.sub("", name)))
                common = states if common is None else common & states
            for name in names:
                options = set(states_of_city(_METRO.sub("", name)))
                if name in self.name_towns and (
                    not (options & (page_states | in_sentence | set(self.unconfirmed_states)) or is_big_town(name))
                    or (other_towns and name.lower() not in other_towns)
                    or virtual_only  # "Red Rock Ketamine Therapy" with every session by video: no office town
                ):
                    continue  # "Alpine Psychiatry" on a page that never names a state with an Alpine
                hint = self.city_hints.get((tuple(names), snippet))
                if hint and hint not in options:
                    continue  # the county says a state this town is not in (a spelling the index does not know)
                # "A, B and C" where the others are in the page's state: this one's state is not the list's common one
                listed_here = not options & (in_sentence | page_states) and any(
                    states_of_city(_METRO.sub("", other)) & (in_sentence | page_states) for other in names)
                state = (
                    ({hint} & options and hint)
                    or _only(options & in_sentence)
                    or _only(options & page_states)
                    or main_state_of_city(name, options & page_states)
                    or (not listed_here and _only(common or set()))
                    or _only(options)
                    or main_state_of_city(name, options)
                )
                if state is None:
                    if office and not page_states and (is_town_name(name) or len(options) >= 3):
                        self.add_city(name, None, snippet)  # "our Fairview campus": the town, in a state not said
                    continue
                self.add_city(name, state, snippet)
                # The page names the state, or several towns share only it ("Fairview, Lakeview and Glen Park");
                # one town alone ("our Fairview office") gives its city, not a state the page never says
                # "our Virginia Beach office", "Iowa City": the town's name says its state
                if state in in_sentence or state in page_states or (len(names) > 1 and common == {state}) \
                        or _STATE_OF.get(name.rsplit(" ", 1)[0]) == state:
                    self.vote(state, True if office else None, None, 1, snippet)

    def resolve_regions(self) -> None:
        """A named area served is one of the page's "cities", in its one state (or the one the page names)."""
        for region, snippet in self.pending_regions:
            options = named_regions()[region]
            self.add_city(region, _only(set(options)) or _only(options & set(self.votes)), snippet)

    def resolve_counties(self) -> None:
        """A county named as served is an area of the page's "cities" (LABELING.md: the areas it names as served),
        in the one page state that has a county of that name, else with no state."""
        for county, snippet in self.pending_counties:
            options = set(states_of_county(county.rsplit(" ", 1)[0]))
            self.add_city(county, _only(options & set(self.votes)) or _only(options), snippet)

    def finish(self) -> None:
        if BARE_WASHINGTON in self.votes:  # "in Washington" on a page about D.C. is the capital
            target = "DC" if "DC" in self.votes and "WA" not in self.votes else "WA"
            self.votes.setdefault(target, []).extend(self.votes.pop(BARE_WASHINGTON))
            for item in self.facts.evidence:
                if isinstance(item.value, dict) and item.value.get("state") == BARE_WASHINGTON:
                    item.value["state"] = target
        if not self.votes and len(self.unconfirmed_states) == 1 and BARE_WASHINGTON not in self.unconfirmed_states:
            # "Ketamine therapy is legal in Ohio" on a page that names no other state: the practice's own state
            state, snippet = next(iter(self.unconfirmed_states.items()))
            self.vote(state, None, None, 0, snippet)
        if len(self.votes) == 1:  # one state on the page: what any sentence naming it says, it says of it
            state = next(iter(self.votes))
            self.votes[state] += [_Vote(mode[0], mode[1], 0) for mode in self.sentence_modes.get(state, [])]
            self.votes[state] += [_Vote(mode[0], mode[1], 0) for mode in self.one_state_modes]
        if self.offered_virtually and not self.facts.addresses and not _IN_PERSON_WORD.search(self.document.text) \
                and not any(vote.in_person for votes in self.votes.values() for vote in votes):
            # "KAP is offered virtually", then "to residents of A, B and C", and nothing on the page in person:
            # virtual in each state it serves (in person stays unsaid)
            self.all_state_modes.append((None, True))
        globally_virtual_only = any(mode == (False, True) for mode in self.global_modes)
        globally_both = any(mode == (True, True) for mode in self.global_modes)
        for state, votes in self.votes.items():
            votes = votes + [_Vote(mode[0], mode[1], 0) for mode in self.all_state_modes]
            in_person = _decide([(v.in_person, v.strength) for v in votes])
            virtual = _decide([(v.virtual, v.strength) for v in votes])
            if globally_virtual_only:
                in_person = False if in_person is None else in_person
                virtual = True if virtual is None else virtual
            elif any(mode == (True, False) for mode in self.global_modes):
                in_person = True if in_person is None else in_person
                virtual = False if virtual is None else virtual
            elif globally_both and len(self.votes) == 1:
                in_person = True if in_person is None else in_person
                virtual = True if virtual is None else virtual
            self.facts.states.append(StateFact(state=state, in_person=in_person, virtual=virtual))


def _regions(sentence: str) -> list[tuple[int, str, str]]:
    """(start, region, state) of each region of a state a sentence names: "central <State>" as "Central <State>";
    "West Virginia" is a state, not the west of Virginia."""
    found = []
    for match in _REGION.finditer(sentence):
        region = f"{match.group(1).capitalize()} {match.group(2)}"
        if region not in STATE_BY_NAME:
            found.append((match.start(), region, STATE_BY_NAME[match.group(2)]))
    return found


def _region_states(sentence: str) -> set[str]:
    """The states whose regions or named areas a sentence names ("Northern <State>", "<State>'s Eastern Shore")."""
    areas = {match.group(1) for pattern in (_STATE_POSSESSIVE_AREA, _STATE_AREA)
             for match in pattern.finditer(sentence)}
    return {state for _, _, state in _regions(sentence)} | {STATE_BY_NAME[name] for name in areas}


def _washington_state(states: set[str]) -> set[str]:
    """A bare "Washington" is the state where no "DC" is said beside it: "in person in <town>, or virtually for
    Washington residents" is in person in WA (finish() decides the same for the votes themselves)."""
    return states | {"WA"} if BARE_WASHINGTON in states and "DC" not in states else states


_NOT_CITIES = {"Ketamine", "Journey", "Hope", "Wellness", "Center", "Health", "Home", "Mind", "Body", "Spirit",
               "Harmony", "Unity", "Clinic", "Telehealth", "Zoom", "Person", "Office", "English", "Spanish",
               "Friday", "Monday", "Sunday", "Saturday", "Tuesday", "Wednesday", "Thursday", "May", "June", "July",
               "August", "March", "April", "January", "February", "October", "November", "December", "September",
               "All", "Most", "Many", "Our", "The", "We", "Both", "Adults", "Clients", "Virtual", "Online", "North",
               "South", "East", "West", "Central", "Northern", "Southern", "Eastern", "Western", "Upstate", "Greater",
               "Call", "Email", "Phone", "Text", "Fax", "Book", "Contact", "Hours"}


def _not_a_city(name: str) -> bool:
    return name in _NOT_CITIES or name in NAME_BY_CODE.values()


def _only(values: set[str]) -> str | None:
    return next(iter(values)) if len(values) == 1 else None


def _decide(votes: list[tuple[bool | None, int]]) -> bool | None:
    """The strongest statement wins; among equally strong ones an explicit 'not' wins over a general 'yes'."""
    said = [(strength, value) for value, strength in votes if value is not None]
    if not said:
        return None
    top = max(strength for strength, _ in said)
    values = {value for strength, value in said if strength == top}
    return False not in values


def extract_places(document: Document, given_names: frozenset[str] = frozenset(),
                   partner: str | None = None) -> PlaceFacts:
    """States, cities and addresses; `given_names` of the page's clinicians are never read as states, and a sentence
    about the medical `partner` gives the partner's places, not the practice's. A directory's list of providers
    (``people.is_listing``) gives none: its entries' towns are theirs, not one practice's."""
    if is_listing(document):
        return PlaceFacts()
    return _PlaceReader(document, given_names, partner).read()


# "he moved from A to outside of B": someone's life, every place in the sentence (not only the one after "moved")
_LIFE_MOVE = re.compile(r"\b(?:he|she|they|native)\s+(?:\w+\s+){0,2}?(?:moved|relocated)\b", re.I)
_NAME_RUN = re.compile(r"(?!The\s)[A-Z][\w'’&-]*(?:\s+(?:(?:of|for|and|&|the)\s+)?[A-Z][\w'’&-]*)+")


def _about_partner(sentence: str, partner_key: str) -> bool:
    """'The Center for Renewal (CFR) is a practice based in Tamsworth County': a sentence whose subject is the medical
    partner (its name or the end of it, first in the sentence) and not the page's own voice describes the partner."""
    subject = _NAME_RUN.search(sentence[:80])
    return subject is not None and subject.start() <= 4 and len(key := compact(subject.group(0))) >= 8 \
        and key in partner_key and not speaks_for_itself(sentence)


IN_CLINIC_ROUTES = {"iv", "im", "esketamine_spravato"}


def apply_in_clinic_routes(places: PlaceFacts, route_evidence: list[Evidence]) -> None:
    """IV, IM and Spravato are given in a clinic (Spravato only in a certified setting): a practice offering one
    sees patients in person in its state, when the page has one state or a town in it. `route_evidence` is the
    offer's evidence of routes offered; its sentence is the evidence of in person too."""
    said = next((item for item in route_evidence if item.field == "routes" and item.value in IN_CLINIC_ROUTES), None)
    if said is None:
        return
    city_states = {city.state for city in places.cities}
    for state in places.states:
        if state.in_person is None and (len(places.states) == 1 or state.state in city_states):
            state.in_person = True
            value = {"state": state.state, "in_person": True, "virtual": None}
            places.evidence.append(Evidence("states", value, said.snippet, said.url))


# Speed (issue 10 item 6): each of these patterns first asks whether the text holds a literal that every match of
# it needs (keywords.gated: the same answers, test_speed_equivalences), skipping the regex on most sentences.
gate_patterns(
    globals(),
    "_CITY_OFFICE", "_STATEWIDE_AFTER", "_STATE_AREA", "_AT_EMPLOYER", "_LOWER_STATE", "_CUE", "_NEGATIVE",
    "_COUNTY_HINT", "_CITY_BASED",
    "_ALL_STATES", "_VIRTUAL_ONLY", "_ELIDED", "_STATEWIDE", "_CITY_IN_NAME",
    "_RESEARCH_OR_NEWS", "_REGION", "_TOWN_OFFICE_LINE", "_STATE_POSSESSIVE_AREA", "_LAW_SENTENCE",
    "_ASIDE", "_LIFE_MOVE",
)
guard_patterns(globals(), "_TOKEN")  # too many literals to gate: the first-character guard only
