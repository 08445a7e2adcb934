"""Place and offer rules found on a fifth real set (issue 10, the dev 3/4 of ../shared/realpages-people3): each test is
one behaviour, in sentences invented here (never real-page text)."""

from directory.extraction import extract_page
from directory.extraction.output import facts_to_json
from tests.extraction.prose import facts_of


def out(*paragraphs: str) -> dict:
    return facts_to_json(facts_of(*paragraphs))


# --- prescribing partner --------------------------------------------------------------------------------------------

def test_a_named_partner_later_on_the_page_replaces_an_unnamed_independent_prescriber():
    got = out(
        "A medical evaluation with an independent prescribing provider is required before you begin.",
        "Dana partners with Brightwell for medical clearance and prescriptions.",
    )
    assert got["medical_partner"] == "Brightwell"


def test_booking_a_medical_evaluation_at_a_named_service_names_the_partner():
    got = out("If KAP fits, you would then book a medical evaluation at Brightwell Clinical, who will prescribe it.")
    assert got["medical_partner"] == "Brightwell Clinical"


# --- routes -----------------------------------------------------------------------------------------------------------

def test_a_route_offered_as_the_readers_choice_counts_even_beside_a_comparison():
    got = out("If you decide to do IM it is given in a physician's clinic and will be more costly than lozenges.")
    assert got["routes"] == ["im"]


def test_a_hyphenated_sub_lingual_is_the_oral_route():
    assert out("In our office it is the sub-lingual method.")["routes"] == ["oral_sublingual"]


def test_a_route_service_heading_cut_at_a_line_break_is_the_practices_offer():
    text = ("Esketamine Nasal Therapy for\nLong-Lasting Depression\n\nWhat is esketamine?\n\n"
            "Because esketamine is a controlled drug, it must be given by trained staff in a certified setting.\n")
    got = facts_to_json(extract_page(text.encode(), url="https://practice.example/esketamine",
                                     content_type="text/plain"))
    assert got["routes"] == ["esketamine_spravato"]


# --- cities -----------------------------------------------------------------------------------------------------------

def test_her_town_clinic_is_an_office_there():
    got = out("We are licensed in Michigan.", "Morgan opened her Millbrook clinic in 2016 to offer ketamine care.")
    assert got["cities"] == [{"city": "Millbrook", "state": "MI"}]
    assert got["states"] == [{"state": "MI", "in_person": True, "virtual": None}]


def test_a_town_based_employer_someone_worked_at_is_no_office_of_the_practice():
    got = out("The first ketamine program at Harbor Progressive Health in Massachusetts is 90 minutes.",
              "Dr. Hale opened her Fairhaven clinic in 2016 after years as an ER doctor at New Bedford-based Harbor "
              "Emergency Group, which employs physicians at several hospitals.")
    assert got["cities"] == [{"city": "Fairhaven", "state": "MA"}]


def test_a_named_area_of_a_state_is_a_place_served_with_the_modes_said_there():
    got = out("If you live in the Oregon Coast Area, I can offer either virtual or in-home sessions, for a fee that "
              "covers my travel to your home.")
    assert got["cities"] == [{"city": "Coast Area", "state": "OR"}]
    assert got["states"] == [{"state": "OR", "in_person": True, "virtual": True}]


# --- therapy included -------------------------------------------------------------------------------------------------

def test_the_practice_doing_a_therapy_once_ketamine_is_given_includes_therapy():
    got = out("Once the ketamine is taken, we begin the EMDR work with gentle guidance.")
    assert got["therapy_included"] is True


def test_the_practices_psychotherapy_program_around_ketamine_sessions_includes_therapy():
    got = out("Our psychotherapy program readies you for your ketamine sessions and helps you make sense of them.")
    assert got["therapy_included"] is True
