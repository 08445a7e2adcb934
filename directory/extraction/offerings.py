"""What the practice offers: ketamine routes, settings, therapy included or not, prescribing partner, insurance.

Pages explain ketamine in general ("IV clinics typically...", "Spravato is an FDA-approved nasal spray") as
often as they describe their own offer. A route counts when the sentence speaks for the practice ("we",
"our", "you") or sits under a services heading, and not when it is negated ("we do not offer IV") or generic.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urlsplit

from directory.extraction.document import Block, Document
from directory.extraction.domains import domain_labels, spells_site
from directory.extraction.keywords import AnyWord, gate_patterns
from directory.extraction.market import market_page, market_sentence
from directory.extraction.types import Evidence
from directory.vocab import Route, Setting

ROUTE_PATTERNS: dict[Route, re.Pattern[str]] = {
    Route.IV: re.compile(r"\bIV\b|\bintravenous(?:ly)?\b|\binfusions?\b", re.I),
    Route.IM: re.compile(
        r"\bIM\b|\b(?i:intramuscular(?:ly)?|injections?|injected|ketamine\s+shots?|shots?\s+of\s+ketamine)\b"
    ),
    Route.ORAL_SUBLINGUAL: re.compile(
        r"\bsub-?lingual(?:ly)?\b|\blo[sz]enges?\b|\btroches?\b|\bRDTs?\b|\brapid[- ]dissolv\w*|"
        # "oral antidepressants" are another drug, not oral ketamine
        r"\boral(?:ly)?\b(?!\s+(?:anti\w+|medications?|medicines?|drugs?|SSRIs?|health|surgery|hygiene|contracept\w*)|"
        r"\s+(?-i:(?!Ketamine\b)[A-Z][a-z]+))|"  # "oral Zofran" is another drug
        r"\bdissolvable tablets?\b|\bbuccal\b|\bby mouth\b|\bswish\w*|"
        r"\b(?:hold|holds|held|holding|keep|kept)\s+(?:\w+\s+){0,2}in\s+(?:your|the)\s+mouth\b|"  # a lozenge, unnamed
        # "prescribing the ketamine in a nasal spray or tablet"
        r"\bketamine\s+(?:\w+\s+){0,4}?(?:in\s+)?(?:a\s+)?(?:nasal\s+spray\s+or\s+)?tablets?\b",
        re.I,
    ),
    Route.INTRANASAL: re.compile(
        r"\bintranasal(?:ly)?\b|\bnasal spray\b|\bnasal ketamine\b|\bnasal atomi[sz]ers?\b", re.I
    ),
    Route.ESKETAMINE_SPRAVATO: re.compile(r"\bSpravato\b|\besketamine\b", re.I),
}
_IM_CONTEXT = re.compile(  # "IM sessions", "(IM)", "Ketamine IM Injections": the route, not an instant message
    r"\bIM\b\s*(?i:ketamine|injection|,|or|/|and|sessions?|treatments?|dos(?:e|es|ing)|administration|route|shots?)|"
    r"(?:IV|and|or|/|&|(?i:ketamine))\s*\bIM\b|\(\s*IM\s*\)|\bIM\s*\((?i:intramuscular)"
)
_MEDICAL_WORD = re.compile(r"(?i:prescri|medical|psychiatr|physician|clinician)|\b(?:MD|DO|NP|PMHNP|Dr)\b")
_RACEMIC = re.compile(r"\bracemic\b|\bcompounded\b|\batomi[sz]\w*", re.I)  # a nasal atomizer: not Spravato's device
_ESKETAMINE = ROUTE_PATTERNS[Route.ESKETAMINE_SPRAVATO]

SETTING_PATTERNS: dict[Setting, re.Pattern[str]] = {
    Setting.AT_HOME: re.compile(r"\bat[- ]home\b|\bin (?:the comfort of )?your (?:own )?home\b|\bfrom home\b", re.I),
    Setting.CLINIC: re.compile(
        r"\bin[- ]office\b|\bin[- ]clinic\b|"
        r"\b(?:in|at) our (?:office|clinic|studio|center|centre|suite|treatment room)s?\b",
        re.I,
    ),
    Setting.GROUP: re.compile(
        r"\bgroup[- ]?KAP\b|\bcommunity\s+KAP\b|"
        r"\bgroup (?:ketamine|psychedelic|sessions?|dosing|journeys?|experiences?|programs?|ceremon\w+|cohorts?|"
        r"medicine sessions?|settings?|containers?|formats?|offerings?)\b|\bgroup[- ](?:based|format)\b|"
        r"\bsmall[- ]groups?\b(?!\s+practice)|\bgroups? of \d|\bin\s+a\s+group\b(?!\s+practice)|"
        # a cohort of the practice's program, not "a cohort of patients" in a study
        r"\b(?:KAP|ketamine|group|our|next|new)\s+cohorts?\b|\bcohort[- ]based\b|"
        r"\b(?:KAP|ketamine|medicine|psychedelic)\s+(?:\w+\s+)?(?:groups?|circles?)\b|"
        r"\b(?:ketamine|psychedelic)[- ]assisted\s+group\b|"
        # a group described as it will happen, or priced: "the group will gather", "$125 per group"
        r"\bthe\s+group\s+will\b|"
        r"\bup\s+to\s+(?:\d+|two|three|four|five|six|seven|eight|nine|ten|twelve)\s+participants\b",  # a group, sized
        re.I,
    ),
    # not "our office is a peaceful retreat from the city": a place to rest, said of the office
    Setting.RETREAT: re.compile(
        r"(?<!peaceful\s)(?<!tranquil\s)(?<!serene\s)(?<!quiet\s)(?<!calm\s)(?<!relaxing\s)(?<!cozy\s)(?<!urban\s)"
        r"(?<!welcome\s)(?<!perfect\s)\bretreats?\b(?!\s+from\b)|\bmulti[- ]day\s+(?:\w+\s+)?immersions?\b",
        re.I,
    ),
}
# Every match of the long group pattern holds one of these words (a cheap necessary test first).
_SETTING_GATES = {Setting.GROUP: AnyWord(("group", "cohort", "circle", "community", "participants"))}

# "other clinics", "most doctors": what other practices do, never this one's offer or refusal
_OTHER_PRACTICES = (r"(?:other|many|most|some)\s+(?:\w+\s+)?(?:providers|clinics|practices|programs|doctors|"
                    r"physicians|psychiatrists)")
_NEGATION = re.compile(
    r"\b(?:do(?:es)?\s+not|don['’]t|doesn['’]t|no\s+longer|not|never|cannot|can['’]t|without|instead\s+of|"
    r"rather\s+than|more\s+than\s+(?:just\s+)?|unlike|nor|neither|no|differ(?:s|ent)?\s+from|as\s+opposed\s+to|"
    # "we prefer IM to limit the unnecessary need for an IV line": a route avoided, not offered
    r"avoid(?:s|ing)?|(?:limit|eliminat|reduc)\w*\s+(?:the\s+)?(?:\w+\s+)?need\s+for|"
    r"hesitant\s+(?:about|to)|afraid\s+of|fear\s+of|uncomfortable\s+with|"  # "for those hesitant about injections"
    + _OTHER_PRACTICES + r")\b",
    re.I,
)
_EXCEPT = re.compile(r"\b(?:aside\s+from|apart\s+from|except(?:\s+for)?|other\s+than|besides|but\s+only)\b", re.I)
_CLAUSE_BREAK = re.compile(  # "The answer is no, mainly just lozenges": the "no" is not about the lozenges
    r"[;:,]\s+(?:but|while|and we|we|mainly|mostly|only|just)\b|[;:]|\bbut\b|\bwhile\b|\bwhereas\b|\bhowever\b", re.I
)
# "At Lakeside Psychiatry, ketamine is given..." is the practice speaking of itself too; "I/V" is intravenous, no "I"
_FIRST_PERSON = re.compile(
    r"\b(?:we|we['’]re|we['’]ll|our|ours|(?-i:us)|I(?!/)|I['’]m|my)\b|^\s*(?-i:At\s+(?:(?:[A-Z][\w&'’.\-]*|and|at|of|the|&)\s+){0,6}[A-Z][\w&'’.\-]*,)",
    re.I,
)
# The practice's own process told to the reader: "prescribed to you by", "If deemed a good fit, ketamine may be given";
# "The answer is no, mainly just lozenges": the practice answering what it is asked
_PROCESS = re.compile(
    r"^\W*The\s+(?:short\s+)?answer\s+is\b|"
    r"\b(?:each|every)\s+(?:patient|client)\s+(?:receives|gets|is\s+given)\b|"  # "each patient receives IV"
    r"\b(?:prescribed|given|administered|dispensed)\s+to\s+you\b|"
    r"\byou\s+(?:may|will|would)\s+(?:then\s+)?be\s+(?:prescribed|given|offered)\b|"  # "you may be prescribed ..."
    # "ketamine may be given as a lozenge, IV or IM, depending on your treatment plan": the practice's options for you
    r"\bdepending\s+on\s+your\s+(?:individual\s+|personal\s+)?(?:treatment|care)\s+plan\b|"
    # "In Dr. Roe's work only the lozenge form is used": the practice's doctor, named, at work
    r"\b(?-i:Dr\.?\s+[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+)?)['’]s\s+(?:work|practice|clinic|office|approach|"
    r"sessions?|protocol)\b|"
    r"^\W*(?:If|Once)\s+(?:you\s+are\s+|you['’]re\s+)?(?:deemed|found|determined|approved|eligible|cleared)\b|"
    r"^\W*(?-i:Schedule|Book|Request)\s+(?:your\s+|an?\s+|the\s+)?(?:first\s+|next\s+)?\w*\s*"  # "Schedule infusions"
    r"(?:infusions?|injections?|sessions?|treatments?|appointments?)\b",
    re.I,
)
_NAME_OFFERS = re.compile(
    r"^\W*(?![^.]{0,40}\b(?:[Kk]etamine|Spravato|Esketamine|KAP|Research|Studies|Therapy|Medicine)\b[^.]{0,40}?\s+"
    r"(?:now\s+|also\s+)?(?:offers|provides|administers))"
    r"(?:[A-Z][\w&'’.\-]*\s+){1,4}(?:now\s+|also\s+)?(?:offers|provides|administers)\b"
)
# "Alder Point Psychiatry is the valley's only ketamine clinic that offers IM and oral ketamine": the practice, named,
# saying what it offers (even in words that are otherwise general, "routes of administration")
_NAME_IS_CLINIC = re.compile(
    r"^\W*(?-i:(?:[A-Z][\w&'’.\-]*\s+){1,5})(?:is|are)\s+(?:[\w'’\-]+\s+){0,6}?(?:clinic|practice|cent(?:er|re)|"
    r"provider|office)\s+(?:that|which)\s+(?:now\s+|also\s+)?(?:offers|provides|administers)\b",
    re.I,
)
# "Dr. Lindqvist prefers the IM route", "Dr. Lindqvist typically starts with sublingual treatment": the practice's
# doctor choosing, in the third person
_DOCTOR_CHOOSES = re.compile(
    r"\bDr\.?\s+[A-Z][\w'’\-]+,?\s+(?:typically\s+|usually\s+|often\s+|generally\s+)?"
    r"(?:prefers|starts\s+(?:with|patients\s+on)|chooses|administers|offers|provides|prescribes)\b"
)
_ADDRESSED = re.compile(r"\b(?:you|your|you['’]ll)\b", re.I)
_OFFER_WORD = re.compile(
    # "esketamine represents a new opportunity to provide relief": what a drug gives is not what a practice offers
    r"\b(?:offer(?:s|ed|ing)?|provid(?:e|es|ed|ing)|available|administer\w*|includ\w+|prescrib\w+)\b"
    r"(?!\s+(?:\w+\s+)?(?:relief|hope|benefits?|promise|insights?|improvements?|results|opportunit\w+|alternatives?|"
    r"things|ways)\b)"
    # "a retreat offers many things", "it provides a sense of calm": what a treatment gives, not a practice's offer
    r"(?!\s+(?:many|much|several|numerous|something|a\s+(?:lot|range|sense|chance|variety|number))\b)|"
    r"\$\s?\d",
    re.I,
)
_GENERIC = re.compile(
    r"\b(?:typically|usually|generally|commonly|often|some\s+(?:clinics|clients|people|patients|providers|practices)|"
    r"other\s+(?:clinics|providers|practices)|many\s+(?:clinics|providers|people)|clinics|research\w*|stud(?:y|ies)|"
    r"trials?|can\s+(?:also\s+)?be|may\s+(?:also\s+)?be(?!\s+available\s+(?:up)?on\s+request)|forms\s+of|(?<!the\s)form\s+of|types?\s+of|ways?\s+(?:to|of)|routes?\s+of|such\s+as|"
    r"historically|originally|was\s+(?:first|approved)|approved\s+(?:the|in)|compared\s+(?:to|with)|whereas|"
    r"elsewhere|in\s+general|there\s+are|FDA|approved\s+by|whether|most\s+effective|works\s+best|could\s+be|"
    r"might\s+be|depending\s+on|"
    # "various forms", not "a variety of mental health conditions" (what the practice treats says nothing general)
    r"(?:variety\s+of|various)(?!\s+(?:\w+\s+){0,2}?(?:conditions|disorders|diagnoses|symptoms|issues|concerns|"
    r"challenges)\b)|bioavailab\w*|show(?:s|n|ed)?\s+that|difference\s+between|"
    r"versus|vs|studied|(?:many|most)\s+(?:patients|insurers|(?:insurance\s+)?plans)|"
    r"commercially|"  # "ketamine is available commercially only as ...": the drug as sold, not this practice's offer
    r"insurance\s+(?:companies|carriers)|insurers|"  # "insurers now cover part of generic ketamine infusions"
    # "infusion centers have become increasingly popular in <State>": the field's trend, not this practice
    r"(?:increasingly|more)\s+popular|growing\s+popularity|(?:have|has)\s+shown\s+(?:promising|positive|encouraging)|"
    # "an IV drip clinic differs from KAP", "infusions rely solely on the drug": another model, set against KAP
    r"differs?\s+from|different\s+than|relies\s+(?:solely|only|entirely)\s+on|"
    # "Ketamine and Spravato have had more attention in doctors' offices across the US": the field, not this practice
    r"across\s+the\s+(?:US|U\.S\.|United\s+States|country|nation)|nationwide|"
    r"(?:more|increasing|growing|significant|widespread|national|media)\s+attention|"
    # "Many individuals explore IV ketamine", "the majority of known providers have used infusions": others, in general
    r"(?:many|some|most|the\s+majority\s+of)\s+(?:\w+\s+){0,2}?(?:individuals|people|persons|adults|patients|clients|"
    r"providers|clinics|practices|physicians|doctors|psychiatrists|clinicians|programs)|"
    # "with the advent of ketamine lozenges": the history of a treatment, not this practice's offer
    r"(?:the\s+)?(?:advent|introduction|arrival|rise)\s+of|"
    # "Participating in a ketamine retreat offers...": an activity in general, as the subject
    r"^\W*(?:Participating|Attending|Joining|Doing|Taking\s+part|Going)\s+(?:(?:in|on|to)\s+)?an?|"
    # a promise of the treatment, not an offer: "infusions can help you feel better", "you may have heard of Spravato"
    r"(?:can|may|could|might)\s+(?:help|give|bring)\s+(?:\w+\s+)?(?:feel|relief|hope)|"
    r"(?:have|['’]ve)\s+(?:probably\s+)?heard\s+(?:of|about)|"
    # "ketamine should be taken sublingually in your therapist's office": advice about ketamine, not an offer
    r"(?:ketamine|it|esketamine|Spravato)\s+should\s+(?:\w+\s+)?be\s+(?:taken|given|used|administered))\b",
    re.I,
)
# A cited finding, "(Dore, 2019)", "(Lee et al. 2021)": research, even in the practice's voice (not "(Feb 2024)")
_CITATION = re.compile(
    r"\((?!(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Spring|Summer|Fall|Autumn|Winter)[a-z]*\.?,?\s)"
    r"[A-Z][\w'’\-]+(?:\s+et\s+al\.?|\s+(?:and|&)\s+[A-Z][\w'’\-]+)?,?\s+(?:19|20)\d\d[a-z]?\)"
)
_SERVICE_HEADING = re.compile(
    r"\b(?:services?|treatments?|we offer|our|offerings?|programs?|options|pricing|fees|rates|investment|cost|"
    r"what to expect|how it works|process)\b",
    re.I,
)
# "individual and group ketamine sessions": group offered beside individual work, when the sentence is about KAP
_GROUP_PAIR = re.compile(
    r"\b(?:individual|1:1|one[- ]on[- ]one)\s+(?:and|or|&|/)\s+group\b|\bgroup\s+(?:and|or|&|/)\s+"
    r"(?:individual|1:1|one[- ]on[- ]one)\b",
    re.I,
)
_KAP_HEADING = re.compile(r"\bketamine[- ]assisted\s+(?:psycho)?therapy\b|\bKAP\b", re.I)
_KAP_WORD = re.compile(r"\bKAP\b|\bketamine\b|\bpsychedelic\b", re.I)
# "Alternatively, esketamine - the intranasal form - can be used.": a route named alone as the subject of a whole
# sentence is an option the practice presents; "ketamine can be given IV, IM or nasally" names the drug instead
_ROUTE_OPTION = re.compile(
    r"^\s*(?:[A-Z]\w+ly,\s*|Also,?\s*|Alternatively,?\s*)?(?P<subject>[^,;.]{1,40}?)\s*(?:[–—\-(][^–—\-()]{0,80}[–—\-)]\s*)?"
    r"(?:can|may)\s+(?:also\s+)?be\s+(?:used|offered|provided|administered|prescribed|given)\s*[.!]?\s*$",
    re.I,
)
# "All KAP sessions are one-on-one", "individual sessions only", "individual, never group": no group offer
_INDIVIDUAL_ONLY = re.compile(
    r"\bindividual\s+sessions\s+only\b|\bone[- ]on[- ]one\s+only\b|"
    r"\ball\s+(?:of\s+)?(?:our\s+)?(?:\w+\s+){0,2}sessions\s+are\s+(?:individual|one[- ]on[- ]one|1:1|private)\b|"
    r"\b(?:individual|one[- ]on[- ]one),?\s+(?:never|not)\s+(?:in\s+)?(?:a\s+)?group\b",
    re.I,
)
_PRICED_GROUP = re.compile(r"\$\s?\d[\d,]*\s*(?:per|/|a|each)\s+(?:group|retreat)\b", re.I)  # "$125 per group"
# "A patient is administered ketamine either intravenously, intramuscularly, or orally": three or more routes in one
# sentence that neither speaks for the practice nor says "offer" is a survey of routes, not an offer
_OFFERED_WORD = re.compile(r"\b(?:offer\w*|provid(?:e|es|ed|ing)|available)\b|\$\s?\d", re.I)
# "we can refer you to a colleague for IV ketamine", "clients who received infusions elsewhere": not given here
_NOT_HERE = re.compile(
    r"\b(?:know|ask\w*|wonder\w*)\s+(?:me\s+|us\s+)?(?:if|whether)\b|"  # "clients ask if I offer IV infusions"
    r"\brefer(?:s|red|ral)?\s+(?:you|patients|clients|them|people)\b|\brefer(?:s|red)?\s+(?:\w+\s+){0,3}to\b|"
    r"\belsewhere\b|\bpreviously\b|\bin\s+the\s+past\b|\bat\s+(?:another|other)\s+(?:clinic|practice|provider)s?\b|"
    # "while I was doing my doctorate, I was working as a nurse at a practice that administered ...": a past job
    r"\bI\s+was\s+(?:working|employed)\b|\b(?:my\s+)?(?:former|previous|last)\s+(?:job|employer|position)\b",
    re.I,
)
# "IV ketamine is the gold standard", "infusions have been shown to help", "IM is stronger than lozenges": a claim
# about the treatment, unless it is said to the reader or by the practice
_RESEARCH_CLAIM = re.compile(
    r"\b(?:gold[- ]standard|(?:has|have)\s+been\s+(?:shown|studied|found|proven)|(?:is|are)\s+considered|"
    r"evidence(?![- ]based)|"  # "evidence-based care" is a practice's self-description, not a claim about a route
    r"(?:clinically|scientifically)\s+proven|"
    # "gentler than", "more ... than"
    r"(?:more|less|differently|(?!rather\b|other\b)[a-z]{3,}er)\s+(?:\w+\s+){0,3}?than|"
    r"(?:superior|inferior|preferable|comparable|equivalent)\s+(?:\w+\s+)?to|"  # "It is superior to IM shots"
    r"(?:dis)?advantages?|drawbacks?|downsides?|pros\s+and\s+cons|"  # "IV infusions have many disadvantages"
    # "the benefits and efficacy of ketamine infusion therapy": praise of a treatment, not an offer of it
    r"efficacy|effectiveness|benefits?\s+(?:and\s+\w+\s+)?of|"
    # "nausea (more common with IV or IM administration)": a remark about a route, not an offer of it
    r"(?:more|less)\s+(?:common|likely|frequent|intense|pronounced|noticeable)\s+(?:with|in|after|during|for))\b",
    re.I,
)
# "If you decide to do IM, it is given at ...": a choice the practice gives the reader, even beside a comparison
_CHOSEN = re.compile(
    r"\bif\s+you\s+(?:decide|choose|elect|opt|prefer|want)\s+(?:to\s+(?:do|have|receive|try|go\s+with)\s+|for\s+)?"
    r"(?:the\s+)?$",
    re.I,
)
# "I think the evidence favours IV", "there is a lot we do not know about Spravato": the writer's view of a route, not
# an offer of it (unless the sentence also offers: "we believe in offering IV")
_OPINION = re.compile(
    r"\b(?:I|we)\s+(?:\w+\s+){0,2}?(?:think|believe|feel|know|suspect|doubt|wonder)\b|\bin\s+(?:my|our)\s+opinion\b|"
    r"\bthe\s+jury\s+is\s+(?:still\s+)?out\b",
    re.I,
)
# "From my experience, the doses that can be given by injection or IV...": a general point, though said with "my"
_EXPERIENCE = re.compile(r"\b(?:in|from)\s+(?:my|our)\s+(?:\w+\s+)?experience\b", re.I)
# "IV Ketamine Infusion Therapy in Tennessee": a heading that places a route's service is the practice's offer; so
# does one cut at a line break, "Esketamine Therapy for" (the condition it treats on the next line)
_SERVICE_IN_PLACE = re.compile(
    r"\b(?:therapy|treatments?|infusions?|injections?|clinic|center|services?)\s+(?:in|near|for)(?:\s+[A-Z]|\s*$)", re.I
)
# The page's title naming a route's service ("Ketamine Injection Therapy", "IV Ketamine Infusions"): the page presents
# that service (not a question such as "What are ketamine lozenges?", nor a blog post's title)
_SERVICE_TITLE = re.compile(
    r"\b(?:therapy|treatments?|infusions?|injections?|services?|clinic|program)\W*$|"
    # a title of route names only: "IV Ketamine & Spravato®"
    r"^\W*(?:(?:IV|IM|Intravenous|Intramuscular|Sublingual|Intranasal|Ketamine|Esketamine|Spravato|Lozenges?|"
    r"Troches?)[®™]?(?:\s*(?:&|and|\+|/|,)\s*|\s+|$))+$",
    re.I,
)
_TITLE_WORD = re.compile(r"\bketamine\b|\bSpravato\b|\besketamine\b", re.I)
_FUTURE = re.compile(
    r"\b(?:soon|coming|plan(?:s|ning)?\s+to|in\s+the\s+future|will\s+(?:soon\s+)?be\s+(?:offering|adding|introducing))"
    r"\W*(?:\w+\W+){0,2}$",
    re.I,
)
# "Esketamine nasal spray was approved recently and this will be an option of our facility coming soon" (one clause)
_FUTURE_AFTER = re.compile(
    r"[^.;,]{0,80}?\b(?:coming\s+soon|will\s+soon\s+be|will\s+be\s+(?:an?\s+)?(?:\w+\s+)?(?:option|available|offered)"
    r"(?:\s+\w+){0,4}\s+(?:soon|shortly|in\s+the\s+future))",
    re.I,
)
_KAP_PATH = re.compile(r"ketamine-?assisted-?(?:psycho)?therap|(?:^|/)kap(?:[-/]|$)", re.I)
_BLOG_PATH = re.compile(r"/(?:blog|news|posts?|articles?)/", re.I)
_GENERIC_HEADING = re.compile(  # not "What is the cost of treatment?": the practice's own FAQ
    r"\b(?:types?|forms?|formats?|what\s+(?:is|are)(?![^?]{0,60}\b(?:like|process|involved|costs?|prices?|fees?)\b)|"
    r"history|research|"
    r"how\s+is\s+(?:ketamine|esketamine|it)\s+(?:given|administered|taken|delivered)|ways\s+(?:to|of)|"
    r"science|vs\.?|versus|comparison|(?:methods?|modes?|routes?)\s+of|delivery\s+(?:methods?|systems?|models?))\b",
    re.I,
)

# Therapy or counselling sessions, not "ketamine / infusion / IV therapy sessions" (those name the dosing itself)
_TALK_SESSIONS = (r"(?:therapy|counsel(?:l)?ing)(?<!ketamine\stherapy)(?<!infusion\stherapy)(?<!IV\stherapy)"
                  r"\s+sessions?\b")
_THERAPY_YES = re.compile(
    r"\bketamine[- ]assisted\s+(?:psycho)?therapy\b|\bKAP\b|\bketamine[- ]assisted\s+sessions?\b|"
    r"\bketamine[- ](?:facilitated|enhanced|supported)\s+(?:psycho)?therapy\b|"
    r"\bintegration\s+(?:sessions?|therapy|work|appointments?|circles?|groups?|support|meetings?)\b|"
    r"\bpreparation\s+(?:and|&)\s+integration\b|\bpsychotherapy\s+(?:sessions?\s+)?(?:before|after|around|with)\b|"
    r"\btherapists?\s+(?:\w+\s+){0,2}(?:present|stays?|joins?|remains?|guides?|supports?|with you)\b|"
    r"\b(?:therapist|counselor|psychotherapist|guide)s?\s+who\s+(?:\w+\s+){0,2}(?:stays?|remains?|is\s+present|guides?|"
    r"supports?)\b|\bketamine[- ]assisted\s+(?:counseling|counselling)\b|"
    # "ketamine sessions are paired with talk therapy", "psychotherapy combined with ketamine"
    r"\bketamine\b[^.]{0,60}\b(?:paired|combined|coupled|integrated)\s+with\s+(?:\w+\s+){0,2}"
    r"(?:(?:psycho|talk\s+)?therapy|counsel(?:l)?ing)\b|"
    # "intake and therapy sessions ... before receiving ketamine", "ketamine troches with counseling sessions" (not
    # "ketamine therapy sessions" nor "infusion therapy sessions": those name the dosing itself)
    rf"\b{_TALK_SESSIONS}[^.]{{0,120}}\bketamine\b|\bketamine\b[^.]{{0,120}}?\b{_TALK_SESSIONS}|"
    r"\b(?:pre|post)[- ]?(?:session|dosing|treatment)\s+(?:counsel(?:l)?ing|(?:psycho)?therapy)\b|"
    r"\bintegrat(?:e|es|ed|ing)\s+(?:psycho|talk\s+)?therapy\b|"
    r"\b(?:psycho|talk\s+)?therapy\s+(?:is\s+)?(?:paired|combined|coupled)\s+with\s+(?:\w+\s+){0,2}ketamine\b|"
    r"\bketamine\s+(?:\w+\s+){0,2}with\s+(?:psycho)?therapy\b|\b(?:psycho)?therapy\s+with\s+ketamine\b|"
    r"\bpreparation\b[^.]{0,80}\bintegration\b|\b(?:group|individual)\s+integration\b|"
    r"\bsessions?\s+with\s+(?:a|your|our)\s+(?:trained\s+)?therapist\b|"
    # "once ketamine is taken, we begin the EMDR work"; "our psychotherapy program readies you for your ketamine"
    r"\bketamine\b[^.]{0,120}\b(?:we|I)\s+(?:\w+\s+){0,2}(?:the\s+)?(?:EMDR|IFS|psychotherapy|talk\s+therapy)\b|"
    r"\b(?:our|my)\s+(?:\w+\s+)?(?:psycho)?therapy\s+(?:program|sessions|work)\b[^.]{0,80}\bketamine\b|"
    r"\bpsychedelic[- ]assisted\s+(?:psycho)?therapy\b(?=[^.]{0,120}\bketamine\b)",
    re.I,
)
# "Ketamine-assisted psychotherapy is becoming better known", "Logistically, KAP involves a prescription and therapy",
# "Collaboration is an important aspect of KAP": the therapy defined or praised in general, not the practice's offer
_THERAPY_DEFINED = re.compile(
    r"^\W*(?:[A-Z]\w+ly,\s*)?(?:ketamine[- ]assisted\s+(?:psycho)?therapy|KAP)(?:\s*\(KAP\))?\s+"
    r"(?:is|are|has|have|involves?|combines?|refers?|uses?|works?|consists?|requires?|can|may)\b"
    # not "KAP is offered with sublingual ketamine": an offer, though the therapy is the subject
    r"(?!\s+(?:\w+ly\s+)?(?:offered|provided|available|included|done|conducted|delivered|given))|"
    r"\b(?:is|are)\s+an?\s+(?:\w+\s+){0,4}?(?:aspect|part|component|element|feature)\s+of\s+"
    r"(?:ketamine[- ]assisted|KAP)\b",
    re.I,
)
_THERAPY_NO = re.compile(
    r"\bmedical[- ]only\b|\bwithout\s+(?:psycho)?therapy\b|\b(?:does|do)\s+not\s+(?:include|provide|offer)\s+"
    r"(?:any\s+)?(?:psycho)?therapy\b|\bno\s+(?:psycho)?therapy\b|\b(?:psycho)?therapy\s+is\s+not\s+(?:included|"
    r"provided|part)\b|\bnot\s+a\s+(?:psycho)?therapy\s+practice\b|\bwe\s+are\s+not\s+(?:therapists|a\s+therapy)\b|"
    r"\b(?:infusions?|treatment)\s+only\b|\bdo\s+not\s+(?:provide|offer)\s+(?:talk\s+)?therapy\b|"
    r"\b(?:do|does)\s+not\s+(?:offer|provide|practice|do|perform)\s+[^.,;]{0,40}?(?:ketamine[- ]assisted\s+"
    r"(?:psycho)?therapy|KAP)\b|"
    # "you will return to your referring provider to resume therapy": the therapy is someone else's
    r"\b(?:return|go\s+back)\s+to\s+your\s+(?:\w+\s+){0,4}(?:provider|therapist|psychiatrist|clinician|counselor)s?\b"
    r"[^.]{0,30}\b(?:psycho)?therapy\b|\bcontinue\s+(?:your\s+)?(?:psycho)?therapy\s+with\s+your\s+(?:own\s+|existing\s+|"
    r"current\s+|regular\s+)?(?:therapist|provider|counselor)\b",
    re.I,
)
KNOWN_PARTNERS = (
    "Journey Clinical", "Nue Life", "Mindbloom", "Better U", "Joyous", "Wondermed", "Klarity", "Field Trip Health",
    "Innerwell", "Ketamine Health Centers", "Rainfall Medicine", "Skylight Psychedelics", "Nushama", "Cedar Psychiatry",
)
_SPELLINGS = {"Journey Clinical": r"Journey\s+Clinic(?:al)?"}  # some pages drop the "al"
_KNOWN_PARTNER = re.compile(
    r"\b((?:" + "|".join(_SPELLINGS.get(name, re.escape(name)) for name in KNOWN_PARTNERS) + r")"
    r"(?:\s+(?:Medical|Health|Partners|Clinic|Clinical|Group|Psychiatry|Wellness|Medicine|Care|Institute|Center))*)\b"
    r"(?!['’]s\s+(?:\w+\s+)?(?:training|course|certification|program)\b)"  # "X's KAP training" trains therapists
)
_INDEPENDENT = re.compile(
    r"\b(?:an?\s+)?independent\s+(?:medical\s+(?:provider|partner|prescriber|team|clinician)|prescrib(?:er|ing\s+"
    r"(?:clinician|provider|partner|physician))|physician|psychiatrist|nurse practitioner)\b",
    re.I,
)
_UNNAMED_PARTNER = "independent medical provider"
_EXAMPLES_BEFORE = re.compile(r"\b(?:like|such\s+as|including|e\.g\.,?)\s*$", re.I)
_PARTNER_CUE = re.compile(
    r"\b(?:partner(?:s|ed|ing)?\s+with|in\s+partnership\s+with|partnership\s+with|collaborat\w+\s+with|"
    r"prescribed\s+(?:to\s+you\s+)?by|prescriptions?\s+(?:are|is)\s+(?:written|provided|handled)\s+by|"
    r"(?:[Mm]edical|[Pp]rescribing)\s+(?:\w+\s+)?(?:(?:and|&)\s+\w+\s+)?(?:is|are)\s+"
    r"(?:provided|handled|managed|overseen)\s+by|prescribing\s+"
    r"(?:partner|clinician|provider|physician)\s*(?:is|,|:)?|medical\s+partner\s*(?:is|,|:)?|prescriber\s+is|"
    r"[Ww]ork(?:s|ing)?\s+(?:closely\s+)?with|through\s+our\s+partners?\s+(?:at\s+)?|referred\s+to|"
    # "you would then book a medical evaluation at X": where the prescribing is done
    r"(?:book|schedule|complete|have)\s+(?:a|an|your)\s+medical\s+(?:evaluation|screening|assessment|intake)\s+(?:at|with)|"
    r"refers?\s+(?:you|clients|patients)\s+to\s+(?:an?\s+)?(?:collaborating|partner(?:ing)?|trusted)?)\s+"
    r"(?:the\s+)?(?:(?:my|our|a|an|the)\s+(?:\w+\s+){0,2}(?:colleague|partner|friend|physician|psychiatrist|prescriber|"
    r"doctor|nurse practitioner|professional|provider|clinician|team)s?,?\s+(?:at\s+|of\s+|from\s+)?)?(?P<dr>Dr\.?\s+)?"
    r"(?P<partner>[A-Z][A-Za-z&'’.\-]+(?:\s+(?:of\s+|for\s+|&\s+)?[A-Z][A-Za-z&'’.\-]+){0,4})"
)
# "offers KAP at Brightwell Medical, where an MD or a nurse practitioner will provide the medical evaluation": the
# place where the prescribing is done
_PARTNER_WHERE = re.compile(  # not "where our psychiatrist ...": that is the practice's own office
    r"\bat\s+(?P<partner>[A-Z][\w&'’.\-]+(?:\s+[A-Z][\w&'’.\-]+){0,4}),\s+where\s+(?!our\b)(?:\w+\s+){0,3}?"
    r"(?:MD|DO|physicians?|psychiatrists?|prescribers?|nurse\s+practitioners?|doctors?|medical\s+(?:team|providers?|staff))\b"
)
# "I trained through Lumen Path and work with their prescriber network": the organisation whose prescribers these are
_PARTNER_THEIRS = re.compile(
    r"\b(?:through|with|via|by)\s+(?P<partner>[A-Z][\w&'’.\-]+(?:\s+(?:&\s+)?[A-Z][\w&'’.\-]+){0,4})\s+and\s+"
    r"(?:\w+\s+){0,2}?(?:work|partner|collaborate|refer)\w*\s+(?:closely\s+)?(?:with|to)\s+(?:their|its)\s+"
    r"(?:[\w-]+\s+)?(?:prescrib\w*|medical|psychiatric)\s+(?:network|team|providers?|partners?|clinicians?)\b"
)
# "At Lakeside we use the following:", "These are what we use in our office:": the practice's own list follows
_OFFER_INTRO = re.compile(
    r"\b(?:we|I)\s+(?:currently\s+|also\s+)?(?:use|offer|provide|administer|give)\s+(?:the\s+following|these|"
    r"(?:the\s+)?(?:following\s+)?(?:routes|methods|forms|options))\b[^:.]{0,40}:\s*$|"
    r"\b(?:these|this|here)\s+(?:are|is)\s+(?:what|the\s+ones?)\s+(?:we|I)\s+(?:use|offer|provide)\b[^:.]{0,40}:\s*$",
    re.I,
)
# "we encourage therapy sessions with your health care provider": therapy elsewhere, not part of this offer
_OWN_THERAPIST = re.compile(
    r"\bwith\s+your\s+(?:own\s+|existing\s+|current\s+|outside\s+)?(?:health\s*care\s+|mental\s+health\s+)?"
    r"(?:providers?|therapists?|counsel(?:l)?ors?|clinicians?|psychotherapists?)\b",
    re.I,
)
# "Ketamine can be administered in several ways, including:": a list of routes in general follows
_WAYS_INTRO = re.compile(  # "... can be given in several ways:", "Ketamine comes in a variety of forms, including:"
    r"\b(?:(?:can|may|could)\s+be\s+(?:given|administered|taken|delivered|received|used)|comes?|is\s+available)\s+"
    r"(?:in\s+)?(?:several|many|"
    r"different|various|multiple|a\s+(?:few|number\s+of|variety\s+of))\s+(?:ways|forms|routes|methods)\b[^:]{0,40}:\s*$",
    re.I,
)
# a heading that names an outside prescriber below it: "Collaborator & Medical Prescriber", "Our Prescribing Partner"
_PARTNER_HEADING = re.compile(
    r"^\W*(?:our\s+)?(?:(?:collaborat\w*|partner(?:ing)?|outside|consulting)\s+(?:(?:&|and)\s+)?(?:medical\s+)?"
    r"(?:prescrib\w*|physician|psychiatrist|doctor)(?:\s+partner)?|(?:medical|prescribing)\s+partners?)\W*$", re.I)
_NAMED_LINE = re.compile(  # "Dr. Helen Marsh, MD", "Helen Marsh, PMHNP-BC of Riverbend Psychiatry"
    r"^\W*(?P<dr>Dr\.?\s+)?(?P<partner>[A-Z][a-z'’\-]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][A-Za-z'’\-]+){1,2}"
    r"(?:,?\s+(?:MD|DO|NP|PMHNP|APRN|PA)\b[\w\-]*)?(?:\s+of\s+[A-Z][\w&'’.\-]*(?:\s+[A-Z][\w&'’.\-]*){0,3})?)")
_INSURANCE_ACCEPTED = re.compile(
    r"\bwe\s+(?:accept|take|are\s+in[- ]network\s+with)\s+(?:most\s+)?(?:major\s+)?(?:insurance|Aetna|Cigna|Blue|"
    r"United|Medicare|Optum|BCBS)|\bin[- ]network\s+(?:with|provider)",
    re.I,
)
_INSURANCE_OON = re.compile(r"\bout[- ]of[- ]network\b|\bsuperbills?\b", re.I)
_INSURANCE_NONE = re.compile(
    r"\b(?:do(?:es)?\s+not|don['’]t)\s+(?:accept|take|bill)\s+(?:any\s+)?insurance|\bnot\s+covered\s+by\s+insurance|"
    r"\b(?:private|self|cash)[- ]pay\b|\bno\s+insurance\b",
    re.I,
)

# Every match of the three insurance patterns holds one of these (a necessary test, cheap on most text).
_INSURANCE_WORDS = AnyWord(("accept", "take", "network", "superbill", "insurance", "pay"))


@dataclass
class Offer:
    routes: list[str] = field(default_factory=list)
    settings: list[str] = field(default_factory=list)
    group_or_retreat: bool | None = None
    therapy_included: bool | None = None
    medical_partner: str | None = None
    insurance: str | None = None
    negated_routes: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


_ANY_OFFER_WORD = AnyWord(  # the words any rule of read_sentence looks for (one test instead of twenty)
    ("therap", "counsel", "ketamine", "infus", "intraven", "intramusc", "inject", "subling", "loseng", "lozeng",
     "mouth", "troche", "dissolv", "buccal", "nasal", "spravato", "office", "clinic", "studio", "suite",
     "treatment room", "group", "cohort", "retreat", "integrat", "preparat", "medical", "partner", "independent",
     "prescri", "insur", "network", "superbill", "collaborat", "medicine", "psychedelic", "individual", "one-on-one",
     "referred",
     *sorted({name.split()[0].lower() for name in KNOWN_PARTNERS})),
    r"\bI[VM]\b|\bRDTs?\b|\bKAP\b|(?i:\boral|\bhome\b|\bpay\b|\bwork)",
)
# "We do not provide ketamine; we offer integration": no ketamine in the offer. Not "I do not prescribe ketamine": a
# therapist who works with a prescriber says that of every KAP session she offers
_NO_KETAMINE = re.compile(
    r"\b(?:do|does)\s+not\s+(?:provide|offer|administer|dispense)\s+(?:any\s+)?(?:ketamine|medicine|"
    r"psychedelics?|medications?)\b",
    re.I,
)
_REFUSAL = re.compile(
    r"\b(?:(?:do(?:es)?\s+not|don['’]t|doesn['’]t|no\s+longer|never|cannot|can['’]t)\s+(?:\w+\s+){0,2}?"
    r"(?:offer|provide|use|administer|give|perform|prescribe|have(?!\s+to)|carry|do)|not\s+(?:offered|provided|available)|"
    r"(?:is|are)\s+not\s+something)\b",
    re.I,
)
# "Why don't other doctors perform the infusions?": what others do not do, not a refusal by the practice
_OTHERS_REFUSE = re.compile(rf"\b{_OTHER_PRACTICES}\b", re.I)
# "You cannot eat or drink 3 hours before or during your infusion": a rule for the client, not a route refused
_CLIENT_RULE = re.compile(
    r"\byou\s+(?:cannot|can['’]t|may\s+not|must\s+not|should\s+not|shouldn['’]t|will\s+not|won['’]t|do\s+not|"
    r"don['’]t)\b",
    re.I,
)
# "IM injections at Tallow Health", "a certified center like Tallow Health": a name said after "at" or "like"
_AT_NAME = re.compile(r"\b(?:at|like)\s+(?P<name>[A-Z][\w&'’.\-]{0,40}(?:\s+[A-Z][\w&'’.\-]{0,40}){0,4})")
# What else a clinic infuses: a route said of these, with no ketamine in the sentence, is not a ketamine route
_OTHER_INFUSION = re.compile(
    r"\b(?:NAD\+?|vitamins?|hydration|Myers|glutathione|iron|lidocaine|antibiotics?|saline|B12|nutrients?|"
    r"supplements?|peptides?|exosomes?|PRP|Botox|steroids?|cortisone)\b", re.I
)
# A mention in a study or set against another model says nothing of what the page gives (the one-route page test);
# "infusions are generally 40 minutes long" still does
_NOT_ITS_OWN = re.compile(
    r"\b(?:stud(?:y|ies)|research\w*|trials?|scientific\w*|show(?:s|n|ed)?\s+that|differs?\s+from|different\s+than|"
    r"relies\s+(?:solely|only|entirely)\s+on|compared\s+(?:to|with)|versus|unlike|whereas)\b", re.I
)
_KETAMINE_WORD = re.compile(r"ketamine|spravato|\bKAP\b", re.I)
# "the only way I see myself enjoying this would be yearly retreats": a wish, not an offer ("a one-day retreat" is one)
_DAYDREAM = re.compile(r"\b(?:see\s+myself|someday|dream\s+of|(?:I|we)\s+would\s+(?:love|like)\s+to)\b", re.I)
_OTHER_PSYCHEDELIC = re.compile(r"\b(?:psilocybin|mushrooms?|MDMA|ayahuasca|LSD|ibogaine|peyote|5-MeO-DMT)\b", re.I)
# "we do not use IV bags, we use infusion pumps": the equipment refused, not the route
_EQUIPMENT = re.compile(r"\s+(?:bags?|poles?|lines?|tubing|stands?|drips?)\b", re.I)
_NEGATED_AFTER = re.compile(
    r"^[^.;,]{0,60}?\b(?:(?:is|are)\s+not\s+(?:something|offered|provided|available|part)|not\s+(?:offered|provided|"
    r"available)\b|(?:is|are)\s+no\s+longer)",
    re.I,
)
_DEFINITION = re.compile(
    r"\b(?:is|are)\s+(?:an?\s+)?(?:emerging|novel|innovative|promising|growing|powerful|evidence-based)\b|"
    r"\b(?:is|are)\s+(?:an?\s+)?(?:\w+[- ])?(?:FDA|approved|prescription|medication|drug|anesthetic|dissociative|"
    r"nasal\s+spray|spray|derivative|version|molecule|compound|formulation|enantiomer|related|similar)|"
    r"\bbelong\w*\s+to\s+the\s+(?:same\s+)?class\b|"
    # "Esketamine is the "S-type" of ketamine", "Spravato is a form of ketamine": what the drug is, not an offer
    r"\b(?:is|are)\s+(?:the|an?)\s+[“\"'‘]?(?:\w+[- ])?(?:type|form|version|isomer|enantiomer|half|portion|cousin|"
    r"relative)[”\"'’]?\s+of\b|"
    r"\bhas\s+(?:gained|shown|been\s+shown|emerged)\b|\b(?:emerged|is\s+emerging)\s+as\b|\bwhat\s+is\b|"
    r"\brepresents?\s+(?:an?\s+)?(?:new|novel|promising|major|significant)\b|"
    # "Ketamine retreats are a great opportunity to...": a claim about a kind of treatment, not this practice's offer
    r"\b(?:is|are)\s+(?:an?\s+)?(?:\w+\s+){0,2}(?:opportunity|way|option|tool|alternative|approach)\s+(?:to|for)\b|"
    # "Group ketamine therapy is a structured approach where small groups...": what a kind of therapy is
    r"\b(?:is|are)\s+an?\s+(?:[\w-]+\s+){0,3}(?:approach|modality|method|format)\s+(?:where|in\s+which|whereby)\b",
    re.I,
)


# "Spravato will not be dispensed to take home", "a ketamine infusion would cost $30": a sentence that denies or
# supposes describes nothing the practice does (refusals are read separately, by _REFUSAL)
_NOT_A_FACT = re.compile(r"\b(?:not|never|won['’]t|isn['’]t|aren['’]t|would|could)\b", re.I)
# How the drug works, not what the practice does ("IV ketamine delivers the whole dose to the bloodstream",
# "intramuscular ketamine takes effect within minutes", "esketamine requires two hours of monitoring"), and a route in
# general as the subject with an indefinite article ("An IV infusion allows precise control"): a full sentence of
# this kind describes no offer (said to the reader, "the lozenge takes effect under your tongue", it still may)
_PHARMACOLOGY = re.compile(
    r"\b(?:bloodstream|absorb(?:s|ed|ption)?|takes?\s+effect|onset|metaboli[sz]\w*|plasma|receptors?|"
    r"requires?\s+(?:\w+\s+){0,3}(?:monitoring|observation)|(?:offers?|provides?|brings?|gives?)\s+(?:\w+\s+)?"
    r"(?:hope|relief))\b|"
    r"^\W*An?\s+(?:\w+\s+){0,2}(?:infusions?|injections?|lozenges?|troches?|spray|IV|IM)\s+(?:\w+\s+)?"
    r"(?:allows?|is|are|can|may|provides?|delivers?|produces?|requires?|takes?|works?|lets?|gives?)\b|"
    # the same with a bare plural: "IV infusions needlessly medicalize the procedure", "Lozenges tend to be gentler"
    r"^\W*(?:[A-Z]\w+(?:\s+\w+)?,\s*)?(?:(?:IV|IM|intravenous|intramuscular|sublingual|oral|nasal)\s+)?(?:ketamine\s+)?"
    r"(?:infusions|injections|lozenges|troches|shots|sprays)\s+(?:\w+ly\s+)?(?:are|can|may|might|have|allow|provide|"
    r"deliver|produce|require|take|work|give|tend|bring|carry|increase|decrease|cause|medicali[sz]e)\b",
    re.I,
)
# How ketamine acts on the brain ("ketamine and esketamine act on glutamate signaling", "an infusion strengthens
# synaptic connections"): pharmacology, not an offer
_MECHANISM = re.compile(
    r"\b(?:glutamate\w*|NMDA|AMPA|BDNF|synap\w+|neur(?:ons?|onal|al|otransmitters?|oplasticity|ogenesis)|receptors?)\b",
    re.I,
)
# "Other methods include IM injections and IV infusions, but our clinic specializes in troches": the routes named as
# the other ways, in their own clause, are the ones the practice does not give
_OTHER_METHODS = re.compile(
    r"\b(?:other|alternative)\s+(?:\w+\s+)?(?:methods?|routes?|forms?|options?|ways?|modalities|treatments?)\s+"
    r"(?:include|includes|are|such\s+as|like)\b",
    re.I,
)
# "Low doses are administered intravenously in the clinic": the clinic of the page, under any heading
_LOCAL = re.compile(r"\b(?:in|at)\s+the\s+(?:clinic|office)\b(?!\s+setting)", re.I)


class _Flags(NamedTuple):
    """What one sentence says about itself, computed once per distinct sentence (headers, footers and
    boilerplate repeat on every page of a site)."""

    first_person: bool
    addressed: bool
    offer_word: bool
    generic: bool
    definition: bool


# "In this post, we outline the average price of an infusion": the writer's voice, not the practice's
_WRITER = re.compile(
    r"^\W*In\s+(?:this|today['’]s)\s+(?:blog\s+)?(?:post|article|guide|blog|series|piece|episode),?\s", re.I
)


@lru_cache(maxsize=8192)
def _flags(sentence: str) -> _Flags:
    return _Flags(
        first_person=bool(_FIRST_PERSON.search(sentence) or _NAME_OFFERS.search(sentence) or _PROCESS.search(sentence)
                          or _NAME_IS_CLINIC.search(sentence)
                          or _DOCTOR_CHOOSES.search(sentence) and not _CITATION.search(sentence))
        and not _WRITER.search(sentence),
        addressed=bool(_ADDRESSED.search(sentence)),
        offer_word=bool(_OFFER_WORD.search(sentence)),
        generic=bool(_GENERIC.search(sentence) or _CITATION.search(sentence)),
        definition=bool(_DEFINITION.search(sentence)),
    )


@lru_cache(maxsize=1024)
def _heading_kind(heading: str) -> tuple[bool, bool]:
    """(generic heading such as "Types of ketamine therapy", services heading such as "Our services")."""
    return bool(_GENERIC_HEADING.search(heading)), bool(_SERVICE_HEADING.search(heading))


def _describes(sentence: str, block: Block) -> bool:
    """A full, non-generic sentence on the practice's own page describes what it does ("Each cohort doses
    together with oral ketamine"); headings and list items must speak for the practice instead."""
    if block.is_heading or len(sentence.split()) < 6 or not sentence.rstrip("\"”’)").endswith((".", "!")) \
            or sentence[:1].islower():  # the tail of a longer sentence split elsewhere
        return False
    flags = _flags(sentence)
    return not flags.generic and not flags.definition and not _NOT_A_FACT.search(sentence) \
        and not _PHARMACOLOGY.search(sentence)


def _generic_heading(block: Block) -> bool:
    return _heading_kind(block.heading)[0]


def _partner_name(raw: str, doctor: str | None = None) -> str | None:
    """'Dr. Imani Brooks, MD' -> 'Imani Brooks'; 'Dr. Hollis Wren of Dakota Psychiatric' -> 'Hollis Wren';
    None for 'Our', 'The' and other non-names."""
    partner = re.sub(r"(?:,?\s+(?:MD|DO|NP|PMHNP|APRN|PA)\b.*)$", "", raw).strip(" .,")
    # "Aspen Grove PsychiatryBirch Counseling": two names run together where the page's layout split them
    partner = re.split(r"(?<=[a-z]{4})(?=[A-Z][a-z])", partner)[0]
    if doctor:
        partner = re.split(r"\s+of\s+", partner)[0]
    if len(partner) <= 3 or partner.split()[0] in {"Our", "The", "We", "Your", "You", "Their", "An", "A"}:
        return None
    return partner


def _negated(sentence: str, position: int) -> bool:
    """Is the mention at `position` inside the scope of a negation in its own clause? Not after "aside from":
    "we do not provide any medication aside from Spravato" offers Spravato."""
    before = sentence[:position]
    clause = _CLAUSE_BREAK.split(before)[-1]
    negations = list(_NEGATION.finditer(clause))
    return bool(negations) and not _EXCEPT.search(clause, negations[-1].end())


def _speaks_for_practice(sentence: str, block: Block) -> bool:
    flags = _flags(sentence)
    generic_heading, service_heading = _heading_kind(block.heading)
    if (flags.generic or generic_heading or (flags.definition and not flags.addressed)) and not flags.first_person:
        return False
    if flags.first_person or flags.addressed or flags.offer_word:
        return True
    short = block.is_heading or block.tag == "li" or len(sentence) < 80
    return short and service_heading


class _OfferReader:
    def __init__(self, document: Document, market: bool | None = None) -> None:
        self.document = document
        self.offer = Offer()
        self.positive_routes: list[str] = []
        self.negative_routes: set[str] = set()
        self.settings_yes: list[str] = []
        self.settings_no: set[str] = set()
        self.therapy: list[bool] = []
        self.no_ketamine = False
        self.racemic_nasal = False
        self.kap_heading: str | None = None  # a heading naming ketamine-assisted psychotherapy
        self.kap_said: str | None = None  # the first sentence naming it
        self.first_person_anywhere = False  # "compounded nasal ketamine": intranasal that is not Spravato
        self.routes_seen: set[str] = set()  # every route the page names, in any voice
        self.general_list = self.routes_off = False  # the items under "ketamine can be given in several ways:"
        self.offer_list = False  # the items under "we use the following:"
        self.plain_mentions: dict[str, int] = {}  # mentions of a route neither offered nor refused nor attributed
        self.plain_snippet = ""  # the second such mention: the evidence if the page names that route only
        self.site_labels = domain_labels(document.url)
        self.market = market_page(document) if market is None else market  # a cost guide: its "$" lines are not offers
        self.kap_page = bool(_KAP_PATH.search(urlsplit(document.url or "").path)) and not _BLOG_PATH.search(
            urlsplit(document.url or "").path)
        self.title = None if _BLOG_PATH.search(urlsplit(document.url or "").path) else next(
            (block for block in document.blocks if block.is_heading and _TITLE_WORD.search(block.text)), None)

    def names_itself(self, sentence: str) -> bool:
        """'IM injections at Tallow Health' on tallow.health: the practice, by the name its domain spells, in the third
        person."""
        return bool(self.site_labels) and any(spells_site(match.group("name"), self.site_labels)
                                              for match in _AT_NAME.finditer(sentence))

    def offer_route(self, route: str, snippet: str) -> None:
        self.positive_routes.append(route)
        self.note("routes", route, snippet)

    def note(self, field_name: str, value: object, snippet: str) -> None:
        self.offer.evidence.append(Evidence(field_name, value, snippet[:300], self.document.url))

    def read(self) -> Offer:
        blocks = self.document.blocks
        for index, block in enumerate(blocks):
            if block.tag != "li":
                # "Ketamine can be administered in several ways, including:" heads a list of routes in general;
                # "... At Lakeside we use the following:" a list of the practice's own
                self.offer_list = bool(_OFFER_INTRO.search(block.text[-200:]))
                self.general_list = not self.offer_list and bool(_WAYS_INTRO.search(block.text[-200:]))
            elif self.offer_list:
                self.read_listed_routes(block.text.split(":")[0][:80])
            self.routes_off = self.general_list and block.tag == "li"
            for sentence in block.sentences:
                self.read_sentence(sentence, block)
            if len(block.text) <= 60 and index + 1 < len(blocks) and _PARTNER_HEADING.search(block.text):
                self.read_partner_under_heading(block.text, blocks[index + 1].text)
        offer = self.offer
        if not self.positive_routes and not self.negative_routes and len(self.routes_seen) == 1 \
                and self.plain_mentions.get(only := next(iter(self.routes_seen)), 0) >= 2 \
                and not self.market and not _BLOG_PATH.search(urlsplit(self.document.url or "").path):
            # a provider's page that speaks of one route only, again and again ("What is IV infusion therapy?
            # ... The treatment is administered via a small IV catheter"), describes the route it gives
            self.offer_route(only, self.plain_snippet)
        offer.routes = [route for route in self.positive_routes if route not in self.negative_routes]
        if Route.INTRANASAL.value in offer.routes and not self.racemic_nasal and self.title is not None \
                and _ESKETAMINE.search(self.title.text) and Route.ESKETAMINE_SPRAVATO.value not in offer.routes:
            # a page titled "Spravato (esketamine)" whose nasal spray is given in the office: that spray is Spravato
            offer.routes = [Route.ESKETAMINE_SPRAVATO.value if route == Route.INTRANASAL.value else route
                            for route in offer.routes]
        if Route.ESKETAMINE_SPRAVATO.value in offer.routes and not self.racemic_nasal:
            # on a page that offers Spravato, "after each intranasal spray" is the Spravato spray
            offer.routes = [route for route in offer.routes if route != Route.INTRANASAL.value]
        offer.negated_routes = sorted(self.negative_routes)
        offer.settings = [setting for setting in self.settings_yes if setting not in self.settings_no]
        grouped = {Setting.GROUP.value, Setting.RETREAT.value}
        if grouped & set(offer.settings):
            offer.group_or_retreat = True
        elif grouped & self.settings_no:
            offer.group_or_retreat = False
        if self.therapy:
            offer.therapy_included = False not in self.therapy  # "medical only" anywhere outweighs "KAP" mentions
        elif (self.kap_heading and (self.first_person_anywhere or self.kap_page)) \
                or (self.kap_page and self.first_person_anywhere and self.kap_said):
            # a practice's page with a section on ketamine-assisted psychotherapy, even one that only explains it,
            # is presenting that offer; so is its own page at /ketamine-assisted-psychotherapy (not a blog post),
            # headed or not, where it speaks as "we" or "I"
            offer.therapy_included = True
            self.note("therapy_included", True, self.kap_heading or self.kap_said)
        if self.no_ketamine and offer.therapy_included:
            offer.therapy_included = None  # integration-only practices: no ketamine, so no "KAP included"
        return offer

    def read_sentence(self, sentence: str, block: Block) -> None:
        if not self.first_person_anywhere and _flags(sentence).first_person:
            self.first_person_anywhere = True
        if not _ANY_OFFER_WORD.search(sentence):
            return  # no word any of the rules below looks for (one cheap test instead of twenty)
        if self.market and "$" in sentence and not _flags(sentence).first_person:
            return  # "IV Infusions: $400-$1,000 per session" in a survey of what clinics charge
        speaks = _speaks_for_practice(sentence, block)
        if _KAP_HEADING.search(sentence) and not _THERAPY_NO.search(sentence):
            self.kap_said = self.kap_said or sentence
            if block.is_heading:
                self.kap_heading = self.kap_heading or sentence
        self.read_routes(sentence, speaks, block)
        self.read_settings(sentence, speaks, block)
        therapy_no = _THERAPY_NO.search(sentence)
        # "While I do not practice KAP directly, ... it can be ...": a refusal in the practice's voice stands
        if therapy_no and (_flags(sentence).first_person or (speaks and not _flags(sentence).generic)):
            self.therapy.append(False)
            self.note("therapy_included", False, sentence)
        elif (match := _THERAPY_YES.search(sentence)) and not _negated(sentence, match.start()) \
                and not (sentence.rstrip().endswith("?") and not _flags(sentence).first_person) \
                and not _OWN_THERAPIST.search(sentence):
            # "what does ketamine-assisted psychotherapy look like?" asks; "Do we offer KAP?" still speaks for us
            flags = _flags(sentence)
            if (flags.first_person and flags.offer_word) or (  # "we have offered a KAP protocol built on research"
                not flags.generic and not flags.definition and (flags.first_person or not _generic_heading(block))
                and (flags.first_person or not _THERAPY_DEFINED.search(sentence))
            ):
                self.therapy.append(True)
                self.note("therapy_included", True, sentence)
        self.read_partner(sentence, speaks)
        if _NO_KETAMINE.search(sentence):
            self.no_ketamine = True
        self.read_insurance(sentence)

    def read_routes(self, sentence: str, speaks: bool, block: Block) -> None:
        seen = {route.value for route, pattern in ROUTE_PATTERNS.items() if pattern.search(sentence)}
        if Route.ESKETAMINE_SPRAVATO.value in seen and not _RACEMIC.search(sentence):
            seen.discard(Route.INTRANASAL.value)  # "Spravato is a nasal spray": one route, not two
        self.routes_seen.update(seen)
        if self.routes_off:
            return
        if _RACEMIC.search(sentence) or re.search(r"\bnasal ketamine\b", sentence, re.I):
            self.racemic_nasal = True
        flags = _flags(sentence)
        if not flags.first_person and self.names_itself(sentence):
            flags, speaks = flags._replace(first_person=True), True
        if self.market and not flags.first_person and block is not self.title:
            return  # a cost guide's "If you are considering a ketamine infusion...": the reader's, not an offer
        if "$" in sentence and market_sentence(sentence) and not flags.first_person:
            return  # "IV can raise the cost from about $400 per IM shot to $2,000": prices in general, no offer
        if _OPINION.search(sentence) and not flags.offer_word:
            return  # "I think the jury is still out on Spravato"
        if _OTHER_INFUSION.search(sentence) and not _KETAMINE_WORD.search(sentence):
            return  # "IV NAD+ drips for energy": another drug's route
        if _MECHANISM.search(sentence) and not (flags.first_person or flags.addressed):
            return  # "ketamine and esketamine act on glutamate signaling" (said to the reader, it may still offer)
        generic_heading = _generic_heading(block) and not (flags.first_person or _LOCAL.search(sentence))
        option = _ROUTE_OPTION.match(sentence)
        if not (flags.first_person or flags.addressed or _OFFERED_WORD.search(sentence)) \
                and len(sentence.split()) >= 8 and not _heading_kind(block.heading)[1] \
                and self.routes_named(sentence) >= 3:
            return  # a list of the ways ketamine can be given (not a services list: "IV, IM and oral ketamine")
        for route, pattern in ROUTE_PATTERNS.items():
            if option and pattern.search(option.group("subject")) and route.value not in self.positive_routes:
                self.offer_route(route.value, sentence)
                continue
            match = pattern.search(sentence)
            if not match:
                continue
            if route is Route.INTRANASAL and (_ESKETAMINE.search(sentence) or _ESKETAMINE.search(block.heading)
                                              or _ESKETAMINE.search(block.text)) \
                    and not _RACEMIC.search(sentence):
                continue  # "esketamine, the intranasal form": that is Spravato
            chosen = bool(_CHOSEN.search(sentence[max(0, match.start() - 40): match.start()]))
            if route is Route.IM and match.group(0) == "IM" and not _IM_CONTEXT.search(sentence) and not chosen:
                # "IM" alone is also an abbreviation of "instant message"; the route may still be spelled out later
                match = next((later for later in pattern.finditer(sentence) if later.group(0) != "IM"), None)
                if match is None:
                    continue
            if _negated(sentence, match.start()) or _NEGATED_AFTER.match(sentence[match.end():]):
                if (_REFUSAL.search(sentence) or _NEGATED_AFTER.match(sentence[match.end():])) \
                        and not _CLIENT_RULE.search(sentence[:match.start()]) and not _OTHERS_REFUSE.search(sentence) \
                        and not _EQUIPMENT.match(sentence, match.end()):
                    self.negative_routes.add(route.value)  # "we do not offer IV": not offered anywhere on the site
                    self.note("routes_not_offered", route.value, sentence)
                continue
            if _OTHER_METHODS.search(_CLAUSE_BREAK.split(sentence[:match.start()])[-1]):
                continue  # "Other methods include IV infusions, but we ...": named as what others give
            if _FUTURE.search(sentence[max(0, match.start() - 40): match.start()]) \
                    or _FUTURE_AFTER.match(sentence, match.end(), match.end() + 100):
                continue  # "we also offer sublingual and, soon, intravenous options"; "X ... will be an option soon"
            if chosen and route.value not in self.positive_routes:
                self.offer_route(route.value, sentence)
                continue
            if _NOT_HERE.search(sentence) or (flags.generic and _EXPERIENCE.search(sentence)) \
                    or (_RESEARCH_CLAIM.search(sentence) and not flags.first_person
                        and (not flags.addressed or self.routes_named(sentence) >= 2)):
                continue  # a claim about a route; "Sublingual is less intense than IV... allows you to": a comparison
            # a heading, or a line that leads into what follows as one does ("Home-based KAP in <State>:")
            placed = (block.is_heading or len(sentence) <= 120 and sentence.rstrip().endswith(":")) and bool(
                _SERVICE_IN_PLACE.search(sentence) or (block is self.title and _SERVICE_TITLE.search(sentence)
                                                       and not _heading_kind(sentence)[0]))
            if (speaks or placed or _describes(sentence, block)) and not generic_heading \
                    and route.value not in self.positive_routes:
                self.offer_route(route.value, sentence)
            elif route.value not in self.positive_routes and not _NOT_ITS_OWN.search(sentence):
                self.plain_mentions[route.value] = self.plain_mentions.get(route.value, 0) + 1
                if self.plain_mentions[route.value] == 2:
                    self.plain_snippet = sentence

    def read_listed_routes(self, item: str) -> None:
        """An item's title under the practice's own "we use the following:" is a route it gives."""
        for route, pattern in ROUTE_PATTERNS.items():
            if pattern.search(item) and route.value not in self.positive_routes:
                self.offer_route(route.value, item)

    @staticmethod
    def routes_named(sentence: str) -> int:
        return sum(1 for pattern in ROUTE_PATTERNS.values() if pattern.search(sentence))

    def read_settings(self, sentence: str, speaks: bool, block: Block) -> None:
        # A section of the practice's page headed "Group or Retreat-Style KAP" presents that offer
        offer_heading = block.is_heading and _KAP_WORD.search(sentence) and not _heading_kind(sentence)[0]
        not_kap = _OTHER_PSYCHEDELIC.search(sentence) and not _KETAMINE_WORD.search(sentence) \
            or _DAYDREAM.search(sentence)
        for setting, pattern in SETTING_PATTERNS.items():
            if not_kap and setting in (Setting.GROUP, Setting.RETREAT):
                continue  # "credentialed to provide psilocybin retreats", "the only way I see myself ... would be"
            gate = _SETTING_GATES.get(setting)
            match = (gate is None or gate.search(sentence)) and pattern.search(sentence)
            if not match:
                continue
            if (_negated(sentence, match.start()) and _flags(sentence).first_person) \
                    or _NEGATED_AFTER.match(sentence[match.end():]):  # "group sessions are not available"
                self.settings_no.add(setting.value)
                self.note("settings_not_offered", setting.value, sentence)
            elif (speaks or offer_heading or _describes(sentence, block)) and not _negated(sentence, match.start()) \
                    and setting.value not in self.settings_yes \
                    and not (_generic_heading(block) and not _flags(sentence).first_person):  # "We run groups"
                self.settings_yes.append(setting.value)
                self.note("settings", setting.value, sentence)
        kap_context = _KAP_WORD.search(sentence) or (_KAP_WORD.search(block.heading) and len(sentence.split()) <= 6)
        if _GROUP_PAIR.search(sentence) and kap_context and (speaks or block.is_heading or len(sentence.split()) <= 6) \
                and not _negated(sentence, _GROUP_PAIR.search(sentence).start()) \
                and Setting.GROUP.value not in self.settings_yes:
            self.settings_yes.append(Setting.GROUP.value)
            self.note("settings", Setting.GROUP.value, sentence)
        if _PRICED_GROUP.search(sentence) and Setting.GROUP.value not in self.settings_yes:
            self.settings_yes.append(Setting.GROUP.value)  # a price per group is an offer, under any heading
            self.note("settings", Setting.GROUP.value, sentence)
        if _INDIVIDUAL_ONLY.search(sentence):
            self.settings_no.add(Setting.GROUP.value)

    def read_partner(self, sentence: str, speaks: bool) -> None:
        if self.offer.medical_partner and self.offer.medical_partner != _UNNAMED_PARTNER:
            return  # an unnamed "independent prescriber" gives way to a partner the page names later
        known = _KNOWN_PARTNER.search(sentence)
        if known and self.own_site(known.group(1)):
            known = None  # the prescribing service's own pages: it is the practice here, not its partner
        if known and (len({m.group(1) for m in _KNOWN_PARTNER.finditer(sentence)}) >= 2
                      or _EXAMPLES_BEFORE.search(sentence[max(0, known.start() - 30): known.start()])):
            known = None  # "companies like A, B and C are leading the charge": a survey of services, not a partner
        cue = _PARTNER_CUE.search(sentence)
        if known and (speaks or cue or not _flags(sentence).generic) and not _negated(sentence, known.start()):
            self.offer.medical_partner = known.group(1)
        elif cue and _MEDICAL_WORD.search(sentence) and (name := _partner_name(cue.group("partner"), cue.group("dr"))):
            self.offer.medical_partner = name
        elif (where := _PARTNER_WHERE.search(sentence) or _PARTNER_THEIRS.search(sentence)) \
                and (name := _partner_name(where.group("partner"))):
            self.offer.medical_partner = name
        elif _INDEPENDENT.search(sentence) and not self.offer.medical_partner:
            self.offer.medical_partner = _UNNAMED_PARTNER
        else:
            return
        if self.offer.medical_partner:
            self.note("medical_partner", self.offer.medical_partner, sentence)

    def read_partner_under_heading(self, heading: str, line: str) -> None:
        """'Collaborating Medical Prescriber' over 'Dr. Helen Marsh, MD': the person the heading names."""
        if self.offer.medical_partner and self.offer.medical_partner != _UNNAMED_PARTNER:
            return
        named = _NAMED_LINE.match(line)
        if named and (name := _partner_name(named.group("partner"), named.group("dr"))):
            self.offer.medical_partner = name
            self.note("medical_partner", name, line)  # the line the people reader also cites: not in-house

    def own_site(self, name: str) -> bool:
        letters = re.sub(r"[^a-z]", "", name.lower())
        return len(letters) > 5 and letters in re.sub(r"[^a-z]", "", urlsplit(self.document.url or "").netloc.lower())

    def read_insurance(self, sentence: str) -> None:
        if not _INSURANCE_WORDS.search(sentence):
            return  # none of the three patterns can match
        for stance, pattern in (
            ("accepted", _INSURANCE_ACCEPTED),
            ("out_of_network_superbill", _INSURANCE_OON),
            ("not_accepted", _INSURANCE_NONE),
        ):
            if pattern.search(sentence):
                if self.offer.insurance is None or stance == "accepted":
                    self.offer.insurance = stance
                    self.note("insurance", stance, sentence)
                return


def extract_offer(document: Document, market: bool | None = None) -> Offer:
    """`market`: the page is a cost guide (market.market_page; computed here when not given)."""
    return _OfferReader(document, market).read()


# Speed (issue 10 item 6): each of these patterns first asks whether the text holds a literal that every match of
# it needs (keywords.gated: the same answers, test_speed_equivalences), skipping the regex on most sentences.
gate_patterns(
    globals(),
    "_OFFER_WORD", "_OFFERED_WORD", "_INDIVIDUAL_ONLY", "_DEFINITION", "_INDEPENDENT", "_RACEMIC",
    "_ROUTE_OPTION", "_FUTURE", "_CHOSEN", "_GROUP_PAIR", "_PARTNER_CUE", "_CLAUSE_BREAK", "_KAP_WORD", "_THERAPY_YES",
    "_THERAPY_NO", "_NAME_OFFERS", "_NAME_IS_CLINIC", "_NO_KETAMINE", "_RESEARCH_CLAIM", "_ADDRESSED", "ROUTE_PATTERNS",
    "SETTING_PATTERNS",
    "_INSURANCE_ACCEPTED", "_INSURANCE_OON", "_INSURANCE_NONE", "_KNOWN_PARTNER", "_OTHER_METHODS", "_MECHANISM",
    "_CITATION",
    "_GENERIC",
)
