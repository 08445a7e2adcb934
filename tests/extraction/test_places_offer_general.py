"""General place, offer and price rules added when scoring a second set of real pages (issue 10): each test is one
behaviour, in sentences invented here (never real-page text)."""

from directory.extraction import extract_page
from directory.extraction.output import facts_to_json
from tests.extraction.prose import cities, facts_of, states


def out(*paragraphs: str) -> dict:
    return facts_to_json(facts_of(*paragraphs))


# --- states and modes ------------------------------------------------------------------------------------------

def test_a_state_s_residents_name_the_state():
    facts = facts_of("Gentle ketamine-assisted therapy for Coloradans.",
                     "We now offer in-person and virtual KAP appointments.")
    assert states(facts) == {"CO": (True, True)}


def test_oklahoma_city_names_oklahoma_but_kansas_city_names_no_state():
    assert set(states(facts_of("Ketamine-assisted psychotherapy in Oklahoma City."))) == {"OK"}
    assert states(facts_of("Ketamine-assisted psychotherapy in Kansas City.")) == {}


def test_a_state_opening_the_practice_name_is_its_state():
    facts = facts_of("Nebraska Riverbend Wellness", "Our clinic is calm and private.")
    assert set(states(facts)) == {"NE"}


def test_an_address_without_commas_gives_city_and_in_person():
    facts = facts_of("Where are you? 1200 Maple Rd Suite 300 Mankato MN 56001")
    assert states(facts) == {"MN": (True, None)} and cities(facts) == {("Mankato", "MN")}


def test_a_distance_from_a_capital_is_not_a_place_served():
    facts = facts_of("Our retreat house sits on quiet farmland in Luray, VA, about 80 minutes outside of "
                     "Washington, DC.")
    assert states(facts) == {"VA": (True, None)}


def test_on_site_support_is_in_person():
    facts = facts_of("I can provide on-site support during dosing (within 30 miles of Tulsa, OK), and I support "
                     "clients throughout OK and KS via Zoom.")
    assert states(facts)["OK"][0] is True


def test_a_line_opening_with_a_mode_speaks_for_the_one_state():
    facts = facts_of("In-person therapy at our north side location.", "Virtual therapy anywhere in Iowa.")
    assert states(facts) == {"IA": (True, True)}


def test_the_md_is_a_physician_not_maryland():
    assert states(facts_of("Before we start, the MD will see you for an intake and we meet in Ohio sessions.")) \
        .keys() <= {"OH"}


# --- cities ------------------------------------------------------------------------------------------------------

def test_two_towns_before_offices():
    facts = facts_of("We offer ketamine sessions in our Provo and Orem offices in Utah.")
    assert {("Provo", "UT"), ("Orem", "UT")} <= cities(facts)


def test_downtown_town_and_a_town_s_metro_area():
    assert ("Pueblo", "CO") in cities(facts_of("Our office is located in downtown Pueblo, Colorado."))
    assert ("Tulsa Metro", "OK") in cities(facts_of("KAP services offered in Broken Arrow and Tulsa Metro, OK"))


def test_the_region_called_like_a_small_town_is_not_that_town():
    assert cities(facts_of("Considering ketamine therapy in the Triangle area? We can help.")) == set()


# --- routes, groups, therapy, partner ---------------------------------------------------------------------------

def test_a_practice_named_as_subject_of_offers_speaks_for_itself():
    assert out("Birchway offers intramuscular injection (IM), which is the most intense type of ketamine "
               "treatment.")["routes"] == ["im"]


def test_can_also_be_is_general_and_sentence_tails_are_not_offers():
    assert out("Ketamine can also be infused, injected IM, or sprayed into the nose.")["routes"] == []


def test_a_route_coming_soon_is_not_offered_yet():
    assert out("We offer sublingual ketamine and, soon, intravenous options.")["routes"] == ["oral_sublingual"]


def test_a_route_available_on_request_is_offered():
    assert "im" in out("Higher dose intramuscular KAP may be available upon request.")["routes"]


def test_a_priced_group_or_a_group_that_will_gather_is_a_group_offer():
    assert out("Costs", "$140 per group")["group_or_retreat"] is True
    assert out("After the check-in, the group will gather and share intentions for the ketamine journey.")[
        "group_or_retreat"] is True


def test_individual_or_group_under_a_ketamine_heading():
    page = "<html><body><h2>Ketamine Therapy</h2><h3>Individual or Group</h3></body></html>"
    assert facts_to_json(extract_page(page, url="https://practice.example/"))["group_or_retreat"] is True


def test_psychedelic_assisted_therapy_with_ketamine_includes_therapy():
    assert out("Our practice launched a psychedelic-assisted therapy program using ketamine.")[
        "therapy_included"] is True


def test_prescribed_to_you_by_a_named_doctor_is_the_partner():
    assert out("Ketamine lozenges are prescribed to you by Dr. Corwin Vale, our physician partner.")[
        "medical_partner"] == "Corwin Vale"


def test_a_platform_s_training_is_not_a_partner():
    assert out("Therapists must have completed a platform's program, such as Journey Clinical's KAP training.")[
        "medical_partner"] is None


def test_you_do_not_have_to_leave_your_team_is_not_a_refusal():
    facts = out("We offer Spravato in our clinic.",
                "You do not have to leave your current therapist to receive Spravato with us.")
    assert facts["routes"] == ["esketamine_spravato"]


# --- prices ------------------------------------------------------------------------------------------------------

def test_a_range_without_a_second_dollar_sign_gives_both_ends():
    assert set(out("Dosing sessions: $350-500 each.")["prices_usd"]) == {350.0, 500.0}


def test_an_outside_prescriber_s_fee_is_not_the_practice_s_price():
    assert out("The prescriber will charge around $275 for the intake. Our sessions are $160.")["prices_usd"] == [
        160.0]


def test_a_route_prescribed_to_you_or_given_once_cleared_is_the_practice_s_process():
    assert out("Ketamine is typically taken as a losenge prescribed to you by our physician partner.")["routes"] == [
        "oral_sublingual"]
    assert set(out("If deemed a good fit, ketamine may be administered via the FDA-approved nasal spray, Spravato, "
                   "or by IV as an infusion.")["routes"]) == {"esketamine_spravato", "iv"}


def test_another_drug_taken_orally_is_not_oral_ketamine():
    assert out("You may be given oral Zofran to ease nausea before your session.")["routes"] == []


def test_more_than_just_an_infusion_is_not_an_offer_of_one():
    assert out("We explain why ketamine therapy is more than just receiving an infusion.")["routes"] == []


def test_a_question_about_kap_does_not_say_the_practice_includes_therapy():
    assert out("What does ketamine-assisted psychotherapy actually look like?")["therapy_included"] is None
    assert out("Do we offer ketamine-assisted psychotherapy?")["therapy_included"] is True


def test_a_state_s_own_insurance_plan_hints_at_the_practice_s_state():
    facts = facts_of("Insurance we accept:", "Aetna", "Blue Cross Blue Shield of Oregon PPO")
    assert set(states(facts)) == {"OR"}
    facts = facts_of("We see clients in Idaho.", "Blue Cross Blue Shield of Oregon PPO")
    assert set(states(facts)) == {"ID"}  # a hint only: a state the page serves wins


def test_the_practice_s_own_kap_page_presents_the_offer():
    page = ("<html><body><h2>What is Ketamine-Assisted Psychotherapy?</h2><p>Ketamine-assisted psychotherapy is an "
            "approach that pairs a low dose of ketamine with a trained therapist's care.</p></body></html>")
    own = extract_page(page, url="https://practice.example/ketamine-assisted-psychotherapy")
    post = extract_page(page, url="https://practice.example/blog/ketamine-assisted-psychotherapy")
    assert facts_to_json(own)["therapy_included"] is True
    assert facts_to_json(post)["therapy_included"] is None


def test_sessions_said_without_we_speak_for_the_page_s_one_state():
    assert states(facts_of("Currently seeing clients in Vermont.", "Sessions are in person.")) == {"VT": (True, None)}
    assert states(facts_of("We see clients face to face in Flagstaff, Arizona.", "Follow-up can be done online.")) == {
        "AZ": (True, True)}


def test_what_many_clinics_offer_is_not_this_practice_s_route():
    assert out("Many clinics offer IV ketamine; we focus on therapy with lozenges.")["routes"] == ["oral_sublingual"]


def test_town_lists_after_a_label_in_the_heart_of_and_now_open():
    assert cities(facts_of("We have two locations: Fort Collins and Loveland.")) == {("Fort Collins", "CO"),
                                                                                   ("Loveland", "CO")}
    assert ("Evanston", "IL") in cities(facts_of("Offices: Evanston | Skokie"))
    assert cities(facts_of("We are located in the heart of downtown Boise.")) == {("Boise", "ID")}
    assert cities(facts_of("Now open in Scottsdale and Tempe!")) == {("Scottsdale", "AZ"), ("Tempe", "AZ")}


def test_across_the_state_by_video_after_an_office():
    facts = facts_of("Our office is in Lansing, Michigan, and we see clients across the state by video.")
    assert states(facts) == {"MI": (True, True)}


def test_ketamine_circles_and_ketamine_assisted_group_therapy_are_groups():
    assert out("Join one of our ketamine circles this spring.")["group_or_retreat"] is True
    assert out("We offer ketamine-assisted group therapy for veterans.")["group_or_retreat"] is True
    assert out("We are a group practice of licensed therapists offering KAP.")["group_or_retreat"] is None


def test_group_sessions_said_to_be_unavailable_are_not_offered():
    assert out("KAP is offered individually; group sessions are not available.")["group_or_retreat"] is False


def test_medical_care_provided_by_an_outside_group_is_the_partner():
    assert out("Medical oversight is provided by Northstar Medical Group.")["medical_partner"] == \
        "Northstar Medical Group"
    assert out("Our nurse practitioner prescribes and monitors all ketamine treatment.")["medical_partner"] is None


def test_in_person_colon_town_and_in_person_nearest_the_town():
    assert states(facts_of("Telehealth: Texas, Oklahoma. In person: Waco.")) == {"TX": (True, True),
                                                                                  "OK": (None, True)}
    facts = facts_of("Serving Massachusetts and Rhode Island via telehealth, and in person in Providence.")
    assert states(facts) == {"MA": (None, True), "RI": (True, True)}


def test_a_discount_is_not_a_price():
    assert out("Package of three dosing sessions: $1,800 (save $150).")["prices_usd"] == [1800.0]
    assert out("Get $50 off your first session.")["prices_usd"] == []


def test_counties_named_as_served_are_areas_of_the_page():
    facts = facts_of("Serving clients in Fairfield and Litchfield counties, Connecticut.")
    assert {("Fairfield County", "CT"), ("Litchfield County", "CT")} <= cities(facts)
    assert ("Polk County", None) in cities(facts_of("We see clients from the greater Polk County area."))
    assert cities(facts_of("She grew up in Polk County.")) == set()


def test_a_sentence_naming_only_residents_still_says_virtual_only_for_the_page():
    facts = facts_of("Serving Alaskans across the state, entirely online.", "I also see Oregon clients.")
    assert states(facts) == {"AK": (False, True), "OR": (False, True)}
