"""The people fields the way real pages write them: the practice's name as the page uses it for itself (never a
heading), clinicians in prose, license numbers and NPIs with their clinician and state; then the same facts in
the database after a real crawl over loopback HTTP, and the scores on the development part of the real pages."""

import importlib.util
import json
from pathlib import Path

import pytest
from sqlmodel import Session, select

from crawler.run import run_crawl
from directory.db import open_database, resolve_url
from directory.extraction.page import extract_page
from directory.extraction.people import is_npi
from directory.extraction.realsplit import DEV, real_split
from directory.models import Clinician, CredentialClaim, Practice
from tests.crawler.conftest import FAST
from tests.crawler.faults import FaultWeb, Page

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "realpages"


def text_page(text: str, url: str = "https://example.org/kap"):
    return extract_page(text, url=url, content_type="text/plain")


def people(facts) -> dict[str, set[str]]:
    return {clinician.name: {cred.code for cred in clinician.credentials} for clinician in facts.clinicians}


@pytest.mark.parametrize(("url", "text", "expected"), [
    # the domain spells a phrase of the text: that phrase, extended by a connector or a practice word
    ("https://www.cedarhollowwellness.com/faq", "Why choose us?\n\nCedar Hollow Wellness offers KAP.",
     "Cedar Hollow Wellness"),
    ("https://harborketamine.com/x", "Questions about how Harbor Ketamine Care can help? Call us.",
     "Harbor Ketamine Care"),
    ("https://quarrypsychcb.com/x", "Quarry Psychiatry of Cobalt Bay is a REMS certified center.",
     "Quarry Psychiatry of Cobalt Bay"),
    # no domain help: the name the text uses as its own subject
    ("https://example.org/x", "Who provides ketamine therapy at Millbrook Integrative Psychiatry?",
     "Millbrook Integrative Psychiatry"),
    ("https://example.org/x", "At Juniper Counseling, we pair ketamine with therapy.", "Juniper Counseling"),
    ("https://example.org/x", "At Cedar Hollow we pair ketamine with therapy.", "Cedar Hollow"),  # a bare brand
    ("https://example.org/x", "Welcome to Cedar Hollow! We offer KAP.", "Cedar Hollow"),
    ("https://example.org/x", "At Last, we found relief. At last it lifted.", None),
    ("https://example.org/x", "Juniper Counseling began offering esketamine in 2019.", "Juniper Counseling"),
    ("https://example.org/x", "Ada Q. Lorne, MD, is a practice providing adult psychiatric care.", "Ada Q. Lorne, MD"),
    ("https://example.org/x", "Granite Ridge Ketamine Therapy\n\nWe offer KAP in our office.",
     "Granite Ridge Ketamine Therapy"),
    # headings of service words, a partner, a university: null rather than a heading
    ("https://example.org/x", "Ketamine-Assisted Psychotherapy\n\nOur Approach\n\nI offer KAP.", None),
    ("https://example.org/x", "Side Effects of Ketamine Therapy\n\nDrowsiness is common.", None),
    ("https://example.org/x", "I offer KAP with Journey Clinical. Journey Clinical handles prescribing.", None),
    ("https://example.org/x", "Holistic Health Center of Springfield\n\nWe offer infusions.", None),
    ("https://example.org/x", "Is Ketamine Therapy Right For You?\n\nMaybe.", None),
    ("https://example.org/x", "She trained at Lakeview University Medical Center before opening her office.", None),
    ("https://drjaneroe.com/", "Ketamine therapy with Dr. Jane Roe\n\nDr. Roe is a psychiatrist.", None),  # a person
    ("https://lumina.com/", "Lumina offers KAP in our office.", "Lumina"),
])
def test_practice_name_is_what_the_page_calls_itself(url, text, expected):
    assert text_page(text, url).practice_name == expected


def test_practice_name_from_html_title_spelled_by_the_domain():
    html = "<html><head><title>Ketamine Therapy | Birch Lane Counseling</title></head><body><p>Hi.</p></body></html>"
    assert extract_page(html, url="https://birchlanecounseling.com/kap").practice_name == "Birch Lane Counseling"
    heading = ("<html><head><title>Ketamine-Assisted Psychotherapy</title></head><body><h1>Our Approach</h1>"
               "</body></html>")
    assert extract_page(heading, url="https://example.org/kap").practice_name is None
    logo = ('<html><head><title>Ketamine Therapy</title></head><body><header><a class="site-logo" href="/">'
            '<img src="l.png" alt="Cedar Hollow Wellness logo"></a></header><p>We offer KAP.</p></body></html>')
    assert extract_page(logo, url="https://example.org/kap").practice_name == "Cedar Hollow Wellness"


@pytest.mark.parametrize(("text", "expected"), [
    ("Hi, I'm Dana Whitfield, a licensed professional counselor in Oregon.", {"Dana Whitfield": {"LPC"}}),
    ("My name is Tomas Ferreira and I am a Licensed Clinical Social Worker (LCSW).", {"Tomas Ferreira": {"LCSW"}}),
    ("I'm Nadia. I am a licensed psychologist offering KAP.", {"Nadia": {"Licensed Psychologist"}}),
    ("Dr. Priya Raman of Lakeside Psychiatry prescribes the ketamine.", {"Priya Raman": set()}),
    ("Sessions are led by J. Rivera, LPC.", {"J. Rivera": {"LPC"}}),
    ("Ketamine is given by a nurse with oversight from Dr. Okoye.", {"Dr. Okoye": set()}),
    ("Psychiatrist Aaron Feld, MD, treats depression.", {"Aaron Feld": {"MD"}}),
    ("Greta Holm is a licensed marriage and family therapist.", {"Greta Holm": {"LMFT"}}),
    ("Our practice was founded by Dr. Marcus Lee, a psychiatrist.", {"Marcus Lee": set()}),
    ("Licensed Professional Counselor Beth Arno guides each session.", {"Beth Arno": {"LPC"}}),
    ("Beth Arno (LPC) guides each session.", {"Beth Arno": {"LPC"}}),
    ("MARISOL OKAFOR, LPC, NCC\n\nI am a counselor.", {"Marisol Okafor": {"LPC", "NCC"}}),
    ("JANE DOE, LPC | Founder", {"Jane Doe": {"LPC"}}),
    ('Elizabeth "Liz" Roe, LPC', {"Elizabeth Roe": {"LPC"}}),
    ("Meet Sarah\n\nSarah is a licensed marriage and family therapist.", {"Sarah": {"LMFT"}}),
    ("Jane Doe, MS, LMFT-S, RPT-S", {"Jane Doe": {"MS", "LMFT-S", "RPT-S"}}),  # variants as written
    ("Dr. Jane Doe, DNP, PMHNP–BC, FNP-C", {"Jane Doe": {"DNP", "PMHNP-BC", "FNP-C"}}),
    ("Jane Doe | LPC, NCC", {"Jane Doe": {"LPC", "NCC"}}),
    ("Jane Doe, LMHCA\n\nShe sees adults.", {"Jane Doe": {"LMHCA"}}),  # a license title the table lacks
    ("Hi, I'm Kristin, LCSW, and I offer KAP.", {"Kristin": {"LCSW"}}),
    ("Kristin, LCSW\n\nKristin Doe is our therapist.", {"Kristin Doe": {"LCSW"}}),  # one person
    ("Boston, MA 02110. Anxiety, PTSD. Therapy, LLC.", {}),
    ("Dr. Kay Wen, MD\n\nDr. Wen is a psychiatrist.", {"Kay Wen": {"MD"}}),  # one person, not two
    # cited authors and researchers are not the team
    ("“Ketamine opens a window.”\n\n– Rowan Pike, MD on ketamine", {}),
    ("A study by Dr. Lena Ortiz found that ketamine works.", {}),
    ("Research by Dr. John Krystal showed rapid effects.", {}),
    ("I'm Excited to offer KAP. We are excited.", {}),
    ("Ketamine is prescribed by Nue Life.", {}),
    ("Mindbloom is a provider of at-home ketamine.", {}),
    ("I trained in KAP with Dr. Phil Wolfe at a retreat.", {}),  # a teacher
    ("Carl Jung was a psychiatrist. As Dr. Gabor Maté says, trauma shapes us.", {}),
])
def test_clinicians_in_prose(text, expected):
    assert people(text_page(text)) == expected


@pytest.mark.parametrize(("url", "text", "expected"), [
    # a one-word brand or an acronym that begins the domain, where the page speaks as it
    ("https://corvalis-psychedelic.com/kap", "At Corvalis, we offer KAP. Corvalis offers IM.", "Corvalis"),
    ("https://www.ltg-mn.com/kap", "LTG offers oral ketamine and IM injections.", "LTG"),
    ("https://www.ltg-mn.com/kap", "With LTG, our clinical director leads the therapy.", "LTG"),
    # a two-word name that reads like a person's is a place when the page is "at" it
    ("https://brightwatersnc.com/kap", "At Bright Waters, safety comes first for all patients.", "Bright Waters"),
    ("https://janeroe.com/kap", "Jane Roe offers ketamine-assisted therapy.", None),
    # the domain drops "&"; every word a service word, but patients are "at" it
    ("https://carehealingwellnessxy.com/kap", "Our patients at Care & Healing Wellness Center have benefited.",
     "Care & Healing Wellness Center"),
    # "to" inside a name the domain spells whole
    ("https://www.bridgetocalm.org/kap", "KAP at Bridge to Calm offers a new approach.", "Bridge to Calm"),
    # the page's own voice over a parent organisation the domain spells
    ("https://www.regionhealth.com/kap", "Also part of the RegionHealth family:\n\nAt the Center for Novel "
     "Psychiatry, we are committed to quality.", "Center for Novel Psychiatry"),
    # a bare brand the team is "at", and a copyright line in page text
    ("https://example.org/kap", "Ketamine Therapy\n\nThe team at Cedar Hollow is here to help.", "Cedar Hollow"),
    ("https://example.org/kap", "We offer KAP.\n\n© 2024 Cedar Hollow Wellness. All rights reserved.",
     "Cedar Hollow Wellness"),
    # a kind of service at a sentence's start is not a name
    ("https://www.someplace.com/kap", "Traditional Ketamine Therapy involves an infusion. True Ketamine Assisted "
     "Psychotherapy takes this further.", None),
    # the team "at" another practice the page works with is not this practice; a government institute is not one
    ("https://drjaneroe.com/kap", "Working with the medical team at Orrin Ketamine and Wellness in Dover, I "
     "support you.", None),
    ("https://www.someplace.com/kap", "The National Institute for Mental Health has found promising results.", None),
    # "At The Glade, we": the article belongs to the name the domain spells
    ("https://www.thegladeco.com/x", "At The Glade, we honor the privacy of our facilitators.", "The Glade"),
    # a line break lost between two names ("...HealthStill Waters Counseling"): the domain's name still reads
    ("https://www.stillwaterscounseling.com/kap", "Working in collaboration with the medical professionals at Fernway "
     "Behavioral HealthStill Waters Counseling is grateful to offer KAP.", "Still Waters Counseling"),
])
def test_practice_name_as_real_pages_say_it(url, text, expected):
    assert text_page(text, url=url).practice_name == expected


@pytest.mark.parametrize(("text", "expected"), [
    # a physician's "MD" with no comma, and a town in Maryland with one
    ("Your physical is with our medical director, Ivo Marsh MD", {"Ivo Marsh": {"MD"}}),
    ("Our office is near Ellicott City MD and Silver Spring MD.", {}),
    # a job title said before the name
    ("With us, Clinical Director Odette Vane manages the psychotherapy.", {"Odette Vane": set()}),
    ("Our founder, Rhea Lund, opened the practice in 2019.", {"Rhea Lund": set()}),
    # first names only, as group pages give them
    ("On arrival, Wren (our RN) checks your blood pressure.", {"Wren": {"RN"}}),
    ("Odile (staff IFS therapist) sits in during the day.", {"Odile": set()}),
    ("Omar and Ilse will monitor the group during the session.", {"Omar": set(), "Ilse": set()}),
    ("My colleague, Dana Holt, LCSW, and I lead groups.\n\n“Dana and Rue took such care.”",
     {"Dana Holt": {"LCSW"}, "Rue": set()}),
    ("Prescribed by Dr. Ansel Varga, Tomas's physician partner.", {"Ansel Varga": set(), "Tomas": set()}),
    # "Dr. Roe’s patients" is Dr. Roe, once
    ("It was Dr. Quill’s patients who asked. Dr. Quill now offers KAP.", {"Dr. Quill": set()}),
    # names with a suffix or an initial before the first name; the state a license is held in
    ("Jane A. Roe Jr., MD", {"Jane A. Roe Jr": {"MD"}}),
    ("J. Alex Roe, LCSW", {"J. Alex Roe": {"LCSW"}}),
    ("Jane Roe, LMHC (FL), LPC (GA)", {"Jane Roe": {"LMHC", "LPC"}}),
    # team cards and lists: a name set in capitals over its titles, a pronoun line between, "Name | Role",
    # people under a plural role, a bio's years "as a psychotherapist"
    ("JANE ROE\n\nLCSW", {"Jane Roe": {"LCSW"}}),
    ("Jane Roe\n\nShe/Her\n\nLCSW", {"Jane Roe": {"LCSW"}}),
    ("Jane Roe | Lead Therapist", {"Jane Roe": set()}),
    ("Jane Roe, Founder & Clinical Director", {"Jane Roe": set()}),
    ("Cedar Hollow, Integration Services", {}),
    ("Therapists: Jane Roe and Sam Poe", {"Jane Roe": set(), "Sam Poe": set()}),
    ("Co-founders Jane Roe and Sam Poe opened the practice.", {"Jane Roe": set(), "Sam Poe": set()}),
    ("Providers: Journey Clinical and Nue Life", {}),
    ("Jane Roe brings 15 years of experience as a psychotherapist.", {"Jane Roe": set()}),
    # a list of names with codes in one sentence: the next name is not read as a code of the first
    ("Our team includes Jane Roe, LCSW, Sam Poe, LPC, and Dr. Al Dee.",
     {"Jane Roe": {"LCSW"}, "Sam Poe": {"LPC"}, "Al Dee": set()}),
    ("Jane Roe, LGPC, ACS, RPT-S", {"Jane Roe": {"LGPC", "ACS", "RPT-S"}}),
    ("Jane received her degree from a state school and is a licensed clinical social worker.", {"Jane": {"LCSW"}}),
    ("Sarah has been a therapist for 20 years.", {"Sarah": set()}),
    ("Spravato received approval in 2019 and is a nasal spray.", {}),
    # a spelled-out title after a dash, and a bio whose subject holds the titles it names
    ("Jane Roe – Licensed Clinical Social Worker", {"Jane Roe": {"LCSW"}}),
    ("Jane Roe holds a Master of Social Work and is a Licensed Independent Clinical Social Worker.",
     {"Jane Roe": {"MSW", "LICSW"}}),
    ("Cedar Hollow is a licensed clinic with a Licensed Professional Counselor on staff.", {}),
    ("Sarah and I lead the groups together.", {"Sarah": set()}),
    # cited researchers are not the team
    ("Dr. Ezra Lund and colleagues at a university first showed this.", {}),
    ("In a 2006 trial, Dr. Ezra Lund found rapid effects.", {}),
    # not people: methods named with a certificate, two weekdays, brands
    ("Dosing is often combined with Brainspotting, EMDR and IFS.", {}),
    ("Monday and Tuesday will be the group days.", {}),
    ("We use Internal Family Systems (IFS) and Eye Movement Desensitization (EMDR).", {}),  # spelled-out abbreviations
    ("Jane Roe (LCSW) leads our groups.", {"Jane Roe": {"LCSW"}}),
    ("Birch & Fern Counseling offers KAP. Birch & Fern will guide you.", {}),
    # a heading or menu word run into the name on one line: the name begins at a later word
    ("Our Team   Jane Roe, MA, LPC   Founder   Sam Poe, MSW, LCSW   Therapist",
     {"Jane Roe": {"MA", "LPC"}, "Sam Poe": {"MSW", "LCSW"}}),
    ("Clinical Director Jane Roe, LPC, leads our KAP program.", {"Jane Roe": {"LPC"}}),
    # a degree in mixed case needs no comma; a code the table does not know after a known one, then prose
    ("Dr. Jane Roe PsyD", {"Jane Roe": {"PsyD"}}),
    ("An Interview with Jane Roe, LCSW, LMT Part 3", {"Jane Roe": {"LCSW", "LMT"}}),
    # a pronoun is nobody new; a possessive ends a surname; a menu glued to "Dr."
    ("Jane Roe, MA, LPC, is our founder. She holds a Master of Arts and is a Licensed Professional Counselor.",
     {"Jane Roe": {"MA", "LPC"}}),
    ("HomeAbout UsInsuranceDr. Quill's Forms & Fees", {"Dr. Quill": set()}),
    # codes without commas, a license's state spelled out, a title in lower case, a capitals heading with its degree
    ("Dana Whitfield MA LPC NCC", {"Dana Whitfield": {"MA", "LPC", "NCC"}}),
    ("Ann Lee MD, Jane Roe NP and Sam Poe LCSW make up our team.",
     {"Ann Lee": {"MD"}, "Jane Roe": {"NP"}, "Sam Poe": {"LCSW"}}),
    ("Dana Whitfield, MA, LPC (Colorado), LMHC (Washington)", {"Dana Whitfield": {"MA", "LPC", "LMHC"}}),
    ("Dana Whitfield, licensed professional counselor", {"Dana Whitfield": {"LPC"}}),
    ("DANA WHITFIELD MA, LPC", {"Dana Whitfield": {"MA", "LPC"}}),
    # professions in the plural are nobody; a medical reviewer's byline with the name on the next line is a clinician
    ("Licensed mental health professionals (Psychologists, LPCs, LMFTs, LCSWs)", {}),
    ("Author:\n\nTess Vale\n\nMedical Review By:\n\nNico Brandt\n\nPublished: May 2, 2025", {"Nico Brandt": set()}),
    ("This article was medically reviewed by Ann Lee.", {"Ann Lee": set()}),
    # a code said before the doctor it belongs to; an outside mentor or a study's authors are not the team
    ("A psychiatric MD (Dr. Quill) is present on site.", {"Dr. Quill": {"MD"}}),
    ("I am in individual supervision from Ben Roe, MD, a psychiatrist at another clinic.", {}),
    ("Ezra Lund, MD, and colleagues showed rapid effects. Our prescriber is Ann Lee, MD.", {"Ann Lee": {"MD"}}),
    ("Research led by Ezra Lund, MD, at a university showed rapid effects.", {}),
    ("As Gabor Lund, MD, reminds us, trauma is not what happens to you.", {}),
    ("Dr. Bessel van der Lund writes that trauma lives in the body.", {}),
    # words run together where the archived text lost its line breaks; "McCormick", "MacDonald", "LaToya" stay whole
    ("HomeAbout UsDr. Ray QuillContact UsInsuranceDr. Quill's Forms & FeesDirections", {"Ray Quill": set()}),
    ("Our TeamJane Roe, MA, LPCClinical DirectorSam Poe, LCSWTherapist",
     {"Jane Roe": {"MA", "LPC"}, "Sam Poe": {"LCSW"}}),
    ("Jane Roe, LPCSam Poe, LCSW", {"Jane Roe": {"LPC"}, "Sam Poe": {"LCSW"}}),
    # a middle initial without its period; a full name with its role in parentheses
    ("Jane M Roe, MD", {"Jane M Roe": {"MD"}}),
    ("Jane Roe (Psychiatrist) and Sam Poe (our lead therapist) see every client.",
     {"Jane Roe": set(), "Sam Poe": set()}),
    ("Mary McCormick, LPC and LaToya DeShawn, LCSW and Ian MacDonald, MD",
     {"Mary McCormick": {"LPC"}, "LaToya DeShawn": {"LCSW"}, "Ian MacDonald": {"MD"}}),
])
def test_clinicians_in_the_ways_real_pages_name_them(text, expected):
    assert people(text_page(text)) == expected


def test_license_numbers_and_npi_go_with_their_clinician_and_state():
    facts = text_page("Jane Roe, MA, LPC\n\nCT LPC #006127 · NPI 1234567893\n\nSam Poe, LCSW (NY LCSW License #012345)")
    by_name = {c.name: c for c in facts.clinicians}
    lpc = next(cred for cred in by_name["Jane Roe"].credentials if cred.code == "LPC")
    assert (lpc.state, lpc.license_number) == ("CT", "006127")
    assert by_name["Jane Roe"].npi == "1234567893" and by_name["Sam Poe"].npi is None
    lcsw = by_name["Sam Poe"].credentials[0]
    assert (lcsw.code, lcsw.state, lcsw.license_number) == ("LCSW", "NY", "012345")
    spelled = text_page("I'm Ada Quill, a Licensed Professional Counselor in Oregon, License #C1234.").clinicians[0]
    assert [(c.code, c.state, c.license_number) for c in spelled.credentials] == [("LPC", "OR", "C1234")]
    bare = text_page("Ben Ray, LMFT 123456, offers KAP.").clinicians[0]
    assert [(c.code, c.license_number) for c in bare.credentials] == [("LMFT", "123456")]
    assert text_page("Jane Roe, LPC. NPI 1234567890").clinicians[0].npi is None  # check digit wrong: not an NPI
    assert not text_page("Call 555-123-4567, Suite #300.").clinicians
    suite = text_page("Jane Roe, LPC, 12 Main St, Suite #300, Denver").clinicians[0].credentials[0]
    assert suite.license_number is None  # a suite number is not a license number


def test_npi_check_digit():
    assert is_npi("1234567893") and not is_npi("1234567890") and not is_npi("123456789") and not is_npi("12345678a3")


LICENSED_SITE = {
    "/": Page("<html><head><title>Home | Fernbrook Counseling</title></head><body><h1>Fernbrook Counseling</h1>"
              "<p>KAP in Hartford, Connecticut.</p><a href='/team'>Our team</a></body></html>"),
    "/team": Page("<html><head><title>Team | Fernbrook Counseling</title></head><body><h1>Our team</h1>"
                  "<h3>Jane Roe, MA, LPC</h3><p>CT LPC #006127. NPI 1234567893.</p>"
                  "<h3>Sam Poe, LCSW</h3><p>Licensed in New York: NY LCSW License #012345.</p></body></html>"),
    "/robots.txt": Page("User-agent: *\nAllow: /\n", content_type="text/plain"),
}


def test_license_numbers_and_npi_reach_the_database_through_a_crawl(tmp_path):
    db = tmp_path / "x.db"
    with FaultWeb({"fernbrook.example": LICENSED_SITE}) as web:
        summary = run_crawl(resolve_url(db), ["http://fernbrook.example/"], proxy=web.proxy_url, overrides=FAST)
    assert summary["status"] == "finished"
    with Session(open_database(db)) as session:
        practice = session.exec(select(Practice)).one()
        assert practice.name == "Fernbrook Counseling"
        clinicians = {c.name: c for c in session.exec(select(Clinician))}
        assert clinicians["Jane Roe"].npi == "1234567893" and clinicians["Sam Poe"].npi is None
        claims = {(c.code, c.state, c.license_number) for c in session.exec(select(CredentialClaim))}
        assert ("LPC", "CT", "006127") in claims and ("LCSW", "NY", "012345") in claims


def _real_dev_scores():
    spec = importlib.util.spec_from_file_location("realscore", REAL / "score.py")
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    labels = [json.loads(line) for line in (REAL / "labels.jsonl").read_text().splitlines() if line.strip()]
    labels = [label for label in labels if real_split(label["url"]) == DEV]
    predictions = {}
    for label in labels:
        url, _, body = (REAL / "pages" / f"{label['id']}.txt").read_text(encoding="utf-8").partition("\n\n")
        facts = text_page(body, url.replace("URL:", "").strip())
        predictions[label["id"]] = {"practice_name": facts.practice_name,
                                    "clinicians": [{"name": c.name, "credentials": [x.code for x in c.credentials]}
                                                   for c in facts.clinicians]}
    return score.score(labels, predictions)


@pytest.mark.skipif(not (REAL / "labels.jsonl").exists(), reason="../shared/realpages is not here")
def test_real_development_pages_practice_name_and_clinicians():
    tallies = _real_dev_scores()
    assert tallies["practice_name"].prf()[2] >= 0.9
    assert tallies["clinicians"].prf()[2] >= 0.9
