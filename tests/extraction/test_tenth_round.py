"""Tenth round of extraction (issue 10), from a new first-sight set of real pages labelled by someone who had not
seen the extractor. Every sentence here is written for the test (no real page's text, practice, person or town)."""

from directory.extraction.output import facts_to_json
from directory.extraction.page import extract_page


def extract(text: str, url: str = "https://example.org/kap") -> dict:
    return facts_to_json(extract_page(text.encode(), url=url, content_type="text/plain"))


def people(text: str) -> dict[str, list[str]]:
    return {person["name"]: person["credentials"] for person in extract(text)["clinicians"]}


def test_a_bare_name_listed_among_credentialed_clinicians_is_one_of_them():
    text = "Lozenge sessions are offered by Wren Halloway MD, Ossian Vere, Tamsin Orrell LPC, and Idris Kael."
    assert people(text) == {"Wren Halloway": ["MD"], "Tamsin Orrell": ["LPC"], "Ossian Vere": [], "Idris Kael": []}


def test_a_list_with_one_credentialed_name_or_towns_in_it_adds_nobody():
    # one clinician with titles is not a list of clinicians
    assert people("Wren Halloway, LPC, sees clients from Ossian Vere, Tamsin Orrell and others.") == {
        "Wren Halloway": ["LPC"]}
    # a town of two words in the list is a place, not a person
    assert "Fort Collins" not in people("Wren Halloway MD, Tamsin Orrell LPC, Fort Collins, and Idris Kael.")


def test_im_spelled_out_after_the_bare_abbreviation_is_the_route():
    text = ("We are proud to offer KAP in three routes of administration: sublingual (oral lozenges), "
            "IM (intramuscular injection), or IV (intravenous line).")
    assert set(extract(text)["routes"]) == {"oral_sublingual", "im", "iv"}
    # "IM" alone, with nothing to say it is a route, is still not one
    assert "im" not in extract("We offer KAP. Send us an IM through the portal to book a session.")["routes"]


def cities(text: str, url: str = "https://example.org/kap") -> set[tuple[str, str | None]]:
    return {(city["city"], city["state"]) for city in extract(text, url)["cities"]}


def test_a_town_whose_name_has_a_capital_inside_keeps_the_served_list_going():
    found = cities("Our Richmond, Virginia clinic serves Henrico, McLean, Ballston, Midlothian and Mechanicsville.")
    assert {("McLean", "VA"), ("Midlothian", "VA"), ("Mechanicsville", "VA")} <= found


def test_the_areas_of_a_list_and_what_comes_after_as_well_as_are_served_towns():
    text = ("Our clinic serves the central Virginia area, including the Tri-Cities areas of Colonial Heights, "
            "Petersburg, and Hopewell, as well as Mechanicsville and Midlothian areas.")
    found = cities(text)
    assert {("Colonial Heights", "VA"), ("Petersburg", "VA"), ("Hopewell", "VA"), ("Mechanicsville", "VA"),
            ("Midlothian", "VA"), ("Central Virginia", "VA")} <= found


def test_a_clinic_serving_a_region_of_a_state_is_in_that_state():
    # the town exists in many states; the region said beside it tells which
    text = ("The Arlington clinic serves Northern Virginia, including Alexandria and Fairfax, and the District's "
            "suburbs in Maryland.")
    assert ("Arlington", "VA") in cities(text)


def test_a_town_of_a_list_that_is_not_in_the_page_state_takes_no_common_state_of_the_others():
    found = cities("Our Richmond, Virginia clinic serves Midlothian, Mechanicsville and Salisbury.")
    assert ("Midlothian", "VA") in found and not any(state == "MD" for _, state in found)


def test_a_state_at_the_edge_of_the_area_served_is_served():
    text = ("Our Norfolk, Virginia location serves the coast, including Newport News and Suffolk, and even as far "
            "as eastern North Carolina.")
    assert {"VA", "NC"} <= {state["state"] for state in extract(text)["states"]}


def test_a_credential_after_a_doctors_name_with_a_suffix_does_not_hide_the_town_served():
    text = ("We partner with Dr. Idris E. Kael Jr., MD, PC, to bring ketamine assisted psychotherapy to patients in "
            "the greater Charlotte area.")
    facts = extract(text)
    assert ("Charlotte", "NC") in cities(text) and "MD" not in {state["state"] for state in facts["states"]}


def test_a_practice_is_named_in_full_when_the_page_also_uses_its_initials():
    text = ("Alder Point Wellness is thrilled to offer KAP in our offices. Ketamine lozenges are how we administer "
            "it at APW.")
    assert extract(text, "https://alderpointwellness.com/kap")["practice_name"] == "Alder Point Wellness"


def test_a_name_made_of_service_words_is_the_practice_where_the_domain_is_exactly_that_name():
    text = ("Ketamine Care Clinic\n\nWe offer infusions at two Ketamine Care Clinic locations. Call Ketamine Care "
            "Clinic today.")
    assert extract(text, "https://ketaminecareclinic.example/depression")["practice_name"] == "Ketamine Care Clinic"
    # on another domain the same words are a heading, not a name
    assert extract(text, "https://alderpoint.example/depression")["practice_name"] is None


def test_a_drug_as_sold_commercially_is_not_a_route_the_practice_offers():
    text = ("Generic ketamine is available commercially only for intravenous infusion or intramuscular injection. "
            "We use intravenous infusion at our clinic.")
    assert extract(text)["routes"] == ["iv"]


def test_a_lead_in_line_that_places_a_route_s_service_offers_it():
    text = "How to start Oral, home-based ketamine therapy in Virginia:\n\nFill in the form below."
    assert "oral_sublingual" in extract(text)["routes"]


def test_an_expert_cited_with_according_to_is_not_the_team():
    text = "According to Idris Kael, MD, chair of a university department, depression rates tripled."
    assert people(text) == {}


def test_a_byline_run_into_its_repeat_is_one_name():
    assert people("Writer: Dr. Wren HallowayDr. Wren Halloway\n\nWhy KAP works.") == {"Wren Halloway": []}


def test_a_penalty_fee_or_a_booking_deposit_is_not_a_service_price():
    text = ("Should a check be returned, a fee of $50 will be assessed. A $100 booking fee is required at scheduling "
            "and deducted from the cost. A $75 no-show fee applies. Ketamine infusion, single session $450.")
    assert extract(text)["prices_usd"] == [450.0]


def test_a_town_run_into_the_heading_before_it_is_still_read():
    text = "Ketamine Infusion TherapyColumbia, SC\n\nWe give ketamine infusions at our facility."
    assert ("Columbia", "SC") in cities(text)


def test_a_route_that_will_be_an_option_soon_is_not_offered_yet():
    text = ("We give IV ketamine infusions. Esketamine nasal spray was approved recently and this will be an option "
            "of our facility coming soon.")
    assert extract(text)["routes"] == ["iv"]
    assert extract("We offer IV infusions and we will be offering Spravato soon.")["routes"] == ["iv"]


def test_a_medical_team_the_therapist_works_with_is_the_partner_not_the_practice():
    text = ("Working with the medical team at Alder Point Ketamine and Wellness in Fairview, I provide support "
            "through all phases of your KAP treatment.")
    facts = extract(text, "https://wrenhalloway.example/kap")
    assert facts["medical_partner"].startswith("Alder Point Ketamine") and facts["practice_name"] is None


def test_ketamine_held_in_the_mouth_is_the_oral_route():
    text = "During your KAP session you'll self-administer the ketamine and hold it in your mouth for ten minutes."
    assert extract(text)["routes"] == ["oral_sublingual"]


def test_a_well_known_area_that_is_no_town_is_an_area_served():
    assert ("Twin Cities", "MN") in cities("Ketamine infusions for depression and PTSD in the Twin Cities")
    # an area shared by states takes the one the page names
    assert ("Quad Cities", "IA") in cities("Our Davenport, Iowa office serves clients across the Quad Cities.")
    # the same words that are no area served name nothing
    assert cities("The Main Line of our argument is the research.") == set()


def test_a_lone_la_beside_a_city_is_no_state_but_la_among_codes_or_licensed_there_is():
    states = lambda text: {state["state"] for state in extract(text)["states"]}  # noqa: E731
    assert states("You are welcome to fly to Boston or LA for our program.") == set()
    assert states("We see clients in LA and MS.") == {"LA", "MS"}
    assert states("Dana Roe is licensed in LA.") == {"LA"}


def test_a_town_before_a_clause_about_a_guide_is_no_person():
    text = ("If you are researching ketamine infusion in the metro area including Powder Springs and Stone Mountain, "
            "this guide will help you.")
    assert people(text) == {}


def test_the_practice_doctors_own_work_says_which_route_it_uses():
    text = ("What is ketamine?\n\nKetamine can be given in many ways. In Dr. Wren’s work with her prescriber only the "
            "sublingual lozenge form is used.")
    assert extract(text)["routes"] == ["oral_sublingual"]


def test_a_service_offered_virtually_to_the_residents_of_states_is_virtual_there():
    text = ("KAP is offered virtually by Dr. Wren.\n\nKAP is only available through our practice to adults residing "
            "in New Jersey, New York, and Florida.")
    modes = {state["state"]: (state["in_person"], state["virtual"]) for state in extract(text)["states"]}
    assert modes == {"NJ": (None, True), "NY": (None, True), "FL": (None, True)}
    # a page that also sees clients in person says nothing of the kind for every state
    both = text + "\n\nWe also see clients in person at our Newark office."
    assert {state["state"]: state["virtual"] for state in extract(both)["states"]}["FL"] is None


def test_a_booked_consultation_with_a_clinician_is_not_a_consultants_advice():
    text = ("Ask for a Ketamine Therapy Initial Consultation with Wren Halloway, MD or with Ossian Vere, MA, LPC.")
    assert people(text) == {"Wren Halloway": ["MD"], "Ossian Vere": ["MA", "LPC"]}
    # supervision or consultation received from someone is still not the team
    assert people("Wren Halloway, LPC, receives consultation from Ossian Vere, MD.") == {"Wren Halloway": ["LPC"]}


def test_a_role_then_its_holder_a_co_owner_and_a_questions_byline_name_clinicians():
    assert people("Book a call with our clinic director, Idris Kael. He will explain the protocol.") == {
        "Idris Kael": []}
    assert people("Next you meet our licensed ketamine psychotherapist, Tamsin Orrell.") == {"Tamsin Orrell": []}
    assert set(people("Wren Halloway, Co-owner and Operator, is the CRNA here.")) == {"Wren Halloway"}
    assert people("Questions answered by Ossian Vere\n\nQ: How does it feel?") == {"Ossian Vere": []}
    assert people("Idris Kael. MD\n\nHow to choose a ketamine practice?") == {"Idris Kael": ["MD"]}


def test_a_rule_for_the_client_during_an_infusion_does_not_refuse_the_route():
    text = ("We will schedule your 6 infusions in advance. Please note: you cannot eat or drink 3 hours before or "
            "during your infusion.")
    assert extract(text)["routes"] == ["iv"]
    assert extract("We give ketamine lozenges. We do not offer IV infusions.")["routes"] == ["oral_sublingual"]


def test_a_crisis_line_after_a_crisis_notice_is_neither_the_practices_phone_nor_its_name():
    text = ("If you are having suicidal thoughts please contact your local crisis center. In Fairview, contact Alder "
            "Point Center, at 218.555.0142, available 24/7.")
    facts = extract(text)
    assert facts["phones"] == [] and facts["practice_name"] is None
    assert extract("To book an infusion, call us at 218.555.0142.")["phones"] == ["+12185550142"]
    # the practice's own line after an emergency notice stays the practice's
    assert extract("If this is an emergency, call 911. To schedule, call us at (303) 555-0100.")["phones"] == [
        "+13035550100"]


def test_a_name_the_page_gives_a_short_form_of_is_the_practice():
    text = "Family Psychological Services (FPS) is offering Spravato for treatment resistant depression."
    assert extract(text)["practice_name"] == "Family Psychological Services"
    # a method or a condition with its abbreviation names no practice
    assert extract("Cognitive Behavioral Therapy (CBT) helps. Treatment Resistant Depression (TRD) is common.")[
        "practice_name"] is None


def test_a_hospital_is_no_person_and_a_consultation_patients_complete_is_with_the_team():
    text = ("Before starting ketamine, all patients must have completed a psychiatric consultation with Wren "
            "Halloway, MD, and a medical evaluation conducted by an Alder Point Hospital APRN.")
    assert people(text) == {"Wren Halloway": ["MD"]}


def test_a_town_and_its_state_without_a_comma_before_metro_area():
    assert ("Jackson", "MS") in cities("We offer ketamine therapy for clients in the Jackson Mississippi metro area.")


def test_a_number_faxed_to_is_no_phone_but_a_phone_after_a_fax_number_is():
    text = "Print, complete and fax the questionnaire to us at 844-555-0189."
    assert extract(text)["phones"] == []
    assert extract("Fax: 303-555-0111 Phone: 303-555-0122")["phones"] == ["+13035550122"]


def test_a_student_projects_academic_roles_are_not_the_team():
    text = ("Wren Halloway, MSN, APRN. Project Chair: Ossian Vere, DNP, APRN. Content Expert: "
            "Idris C. Kael, MD, MBA")
    assert people(text) == {"Wren Halloway": ["MSN", "APRN"]}


def test_what_an_illness_costs_a_year_is_no_price():
    text = "Treatment-resistant depression adds an annual cost burden of $5,906 to $11,873. Each infusion is $450."
    assert extract(text)["prices_usd"] == [450.0]


def test_a_state_inside_a_rehab_or_recovery_practices_name_is_its_state():
    text = "Alder Point Hawaii Rehab uses ketamine therapy to help clients engage more fully in treatment."
    assert {state["state"] for state in extract(text)["states"]} == {"HI"}


def test_the_nasal_spray_of_a_page_titled_spravato_is_spravato():
    text = ("Spravato (esketamine)\n\nThis service is offered out of our Fairview office!\n\nHow long are sessions?\n\n"
            "Each session is about 2 hours long, with the administration of the nasal spray taking place initially.")
    assert extract(text)["routes"] == ["esketamine_spravato"]
    # compounded nasal ketamine stays intranasal
    assert extract("Nasal Ketamine\n\nWe prescribe compounded nasal ketamine as a nasal spray.")["routes"] == [
        "intranasal"]


def test_a_region_named_by_a_clinic_heading_and_the_place_of_a_practice_named_at_its_town():
    assert ("Northern Virginia", "VA") in cities("What to expect? Ketamine Treatment Center in Northern Virginia")
    text = "At Alder Point Center for Advanced Care in Camarillo, California, Dr. Wren Roe and her team treat PTSD."
    assert {state["state"]: state["in_person"] for state in extract(text)["states"]} == {"CA": True}


def test_a_practice_named_washington_on_a_page_about_the_district_is_not_in_washington_state():
    text = ("At Washington Behavioral Medicine Associates, we offer ketamine therapy in Washington, DC, in our "
            "clinical setting.")
    assert {state["state"] for state in extract(text)["states"]} == {"DC"}


def test_a_researcher_quoted_with_says_is_not_the_team_but_a_quoted_nurse_of_the_clinic_is():
    text = ('"This is a game-changer," says Ezra Lund, MD, chief psychiatrist at a university and one of the first '
            "pioneers of ketamine research.")
    assert people(text) == {}
    assert set(people('"It works fast," said Odell Finch, a nurse anesthetist with the clinic.')) == {"Odell Finch"}


def test_a_mental_health_resource_in_a_town_names_the_town():
    assert ("Memphis", "TN") in cities("Dr. Wren Roe brings 20 years as a mental health resource in Memphis!")


def test_routes_offered_aside_from_a_refusal_and_a_title_of_route_names():
    text = "We do not provide any medication or psychiatric management aside from Spravato or ketamine treatments."
    assert extract(text)["routes"] == ["esketamine_spravato"]
    assert set(extract("IV Ketamine & Spravato®\n\nThe clinic is open weekdays.")["routes"]) == {
        "iv", "esketamine_spravato"}


def test_a_byline_that_names_its_author_a_therapist_is_a_clinician():
    assert people("Article written by Fairview therapist, Wren Halloway\n\nKAP is a journey.") == {
        "Wren Halloway": []}
    assert people("Written by Wren Halloway\n\nKAP is a journey.") == {}


def test_a_pair_of_everyday_words_joined_by_and_sign_is_the_brand_the_page_speaks_as():
    text = ("Salt & Light offers ketamine-assisted therapy based on a careful model.\n\nAt Salt & Light, we take into "
            "consideration the light of every salt.")
    assert extract(text, "https://saltlightpdx.example/kap")["practice_name"] == "Salt & Light"


def test_a_number_the_page_is_reached_at_is_no_practice_name():
    text = "Please obtain a referral. A referral form can be downloaded and faxed to us at 866-555-0147."
    assert extract(text)["practice_name"] is None


def test_a_county_named_by_a_treatment_center_is_an_area_served():
    assert ("Wake County", "NC") in cities("We are proud to be the first Spravato Treatment center in Wake County.")


def test_a_route_the_client_may_be_prescribed_and_one_the_client_is_hesitant_about():
    text = ("You'll meet with the prescriber, and if you both determine that ketamine is appropriate, you may be "
            "prescribed ketamine in the form of an oral lozenge.")
    assert extract(text)["routes"] == ["oral_sublingual"]
    text = ("In my practice, ketamine is given by sublingual tablets, an easier experience for those who are hesitant "
            "about injections.")
    assert extract(text)["routes"] == ["oral_sublingual"]


def test_my_name_is_with_a_practice_and_a_pair_of_words_that_are_the_key():
    assert people("Hi, my name is Wren Halloway with Alder Point Life. You may have questions.") == {
        "Wren Halloway": []}
    assert people("Set and Setting are the key to a productive psychedelic experience.") == {}
    assert set(people("Omar and Ilse are the founders of our practice.")) == {"Omar", "Ilse"}


def test_a_town_of_three_words_in_a_practice_name():
    assert ("Salt Lake City", "UT") in cities("The Ketamine Clinic of Salt Lake City\n\nWe offer infusions.")


def test_a_served_list_the_sentence_began_goes_on_to_a_later_state_code():
    text = ("Our retreats are hosted in locations like Alder Farms (Abita Springs, LA), several cabins in MO, "
            "and many others.")
    assert {state["state"] for state in extract(text)["states"]} == {"LA", "MO"}
    # a state code said without any cue in a sentence that served nothing stays unsaid
    assert extract("The weather was cold in MO last year.")["states"] == []
