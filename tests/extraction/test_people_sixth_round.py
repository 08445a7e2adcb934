"""Sixth round of the people and practice-name readers (issue 10): general rules found on a new real set (pages
that are not one practice's own: directories, podcast pages; quotations; credentials cut by a dash). Every
sentence here is written for the test (no real page's text, practice, person or town)."""

from directory.extraction.page import extract_page
from tests.extraction.prose import text_facts


def facts(text: str, url: str = "https://example.org/page"):
    return text_facts(text, url)


def people(text: str, url: str = "https://example.org/page") -> dict[str, list[str]]:
    return {c.name: [cred.code for cred in c.credentials] for c in facts(text, url).clinicians}


DIRECTORY = """Counselors near Larkfield

Photo of Odile Brennan, LPC, Licensed Professional Counselor
Odile Brennan
Licensed Professional Counselor, LPC
Verified
Larkfield, OR 97001
I help adults who feel stuck after years of talk therapy.
(541) 555-0142
Photo of Tomasz Quill, LCSW, Clinical Social Worker
Tomasz Quill
Clinical Social Worker, LCSW
Verified
Larkfield, OR 97001
Couples and families are welcome here.
(541) 555-0198
View profile
Harbor Lane Counseling, Marriage and Family Therapist
Salem Road 12, Dunmore, OR 97002
View profile"""


def test_a_directory_of_providers_each_with_their_own_phone_names_no_team_and_no_practice():
    page = facts(DIRECTORY, "https://findacounselor.example.com/or/larkfield")
    assert page.clinicians == []
    assert page.practice_name is None


def test_a_team_grid_with_profile_links_and_one_practice_phone_keeps_its_team():
    text = ("Our Team\n\nOdile Brennan, LPC\nClinical Director\nView profile\n"
            "Tomasz Quill, LCSW\nTherapist\nView profile\n\n"
            "Harbor Lane Counseling | 12 Salem Road, Dunmore, OR 97002 | (541) 555-0142")
    assert people(text) == {"Odile Brennan": ["LPC"], "Tomasz Quill": ["LCSW"]}


def test_a_podcast_episode_names_its_hosts_and_guest_not_a_team():
    text = ("The Stillwater Sessions podcast\n\nEpisode 41: Ketamine in the clinic\n\n"
            "In this episode, hosts Ines Varga, PA-C, and Rory Dunstan, PA-C, sit down with Mavis Okoro, MD, "
            "who opened a ketamine practice after a decade in emergency medicine.")
    assert people(text) == {}


def test_a_practice_page_that_mentions_a_podcast_in_passing_keeps_its_clinicians():
    text = ("Ketamine-Assisted Psychotherapy\n\nOdile Brennan, LPC, guides every KAP session in our office.\n\n"
            "She has spoken about this work on several podcasts.")
    assert people(text) == {"Odile Brennan": ["LPC"]}


def test_a_quotation_closed_with_an_opening_mark_still_names_its_author():
    text = ("Ketamine-Assisted Psychotherapy\n\n"
            "“Every journey inward deserves a good map. “ -Halvard Stenersen, MD PhD\n\n"
            "I am a trained ketamine-assisted psychotherapist and I meet clients in my office.")
    assert people(text) == {}


def test_a_name_in_a_video_link_is_not_the_team():
    text = ("Learn more\n\nClick The Science of Ketamine - Dr. Wendeline Aho to watch a short video on the subject. "
            "Our therapists prepare you before each session.")
    assert people(text) == {}


def test_a_dash_that_opens_a_clause_ends_the_credentials():
    text = "We sat down with Mavis Okoro, PA-C—a clinician who runs our ketamine program—about her approach."
    assert people(text) == {"Mavis Okoro": ["PA-C"]}
    assert people("Our prescriber is Ines Varga, PMHNP–BC, who sees adults.") == {"Ines Varga": ["PMHNP-BC"]}


def test_a_prescriber_who_sees_you_by_video_is_still_named():
    text = "Your prescriber is Dr. Wendeline Aho, who evaluates you by video before each series."
    assert "Wendeline Aho" in people(text)


def test_a_license_line_is_not_a_person():
    page = people("Odile Brennan, LPC\nNPI: 1234567893\nOregon License LPC-1234")
    assert page == {"Odile Brennan": ["LPC"]}


def test_a_title_line_after_a_bar_gives_its_title():
    assert people("Odile Brennan | Psychiatric Mental Health Nurse Practitioner\nOdile prescribes lozenges.") == {
        "Odile Brennan": ["PMHNP"]}


def test_a_title_in_prose_that_restates_the_letters_of_the_same_sentence_adds_nothing():
    text = "Halvard Stenersen, APRN, PMHNP-BC, is a board-certified nurse practitioner who prescribes ketamine."
    assert people(text) == {"Halvard Stenersen": ["APRN", "PMHNP-BC"]}


def test_a_second_license_said_in_a_sentence_of_its_own_is_kept():
    text = ("I'm Rory Dunstan, LPC. I see clients by video.\n\n"
            "I am also a Licensed Mental Health Counselor in a second state.")
    assert people(text) == {"Rory Dunstan": ["LPC", "LMHC"]}


def test_a_heading_of_service_or_modality_words_is_no_practice_name():
    for heading in ("Ketamine Injection Therapy", "Cognitive Behavioral Therapy", "Couples and Family Therapy"):
        page = extract_page(f"<html><head><title>{heading}</title></head><body><h1>{heading}</h1>"
                            "<p>Sessions are ninety minutes long.</p></body></html>",
                            url="https://example.org/services", content_type="text/html")
        assert page.practice_name is None, heading
    named = extract_page("<html><head><title>Marlow Family Therapy</title></head><body><h1>Marlow Family Therapy"
                         "</h1></body></html>", url="https://marlowfamilytherapy.example/", content_type="text/html")
    assert named.practice_name == "Marlow Family Therapy"


def test_a_name_with_an_acronym_spelled_by_the_domain_is_the_practice_not_a_person():
    text = ("Ketamine-assisted psychotherapy\n\nAs a holistic practice, Mend PDX pairs ketamine with talk therapy. "
            "Mend PDX provides the psychotherapy; a partner prescribes.")
    assert facts(text, "https://mendpdx.example/ketamine").practice_name == "Mend PDX"
    person = "Ketamine-assisted psychotherapy\n\nI am Dana Ilves, and Dana Ilves Counseling is my solo practice."
    assert facts(person, "https://danailves.example/").practice_name != "Dana Ilves"
