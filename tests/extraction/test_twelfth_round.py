"""Twelfth round of extraction (issue 10), from new first-sight sets of real pages labelled by someone who had not
seen the extractor. Every sentence here is written for the test (no real page's text, practice, person or town)."""

from directory.extraction.domains import domain_labels
from directory.extraction.output import facts_to_json
from directory.extraction.page import extract_page


def extract(text: str, url: str = "https://example.org/kap") -> dict:
    return facts_to_json(extract_page(text.encode(), url=url, content_type="text/plain"))


def test_a_pain_clinic_named_by_one_word_is_a_practice_not_a_person():
    text = ("Ketamine Infusions for Nerve Pain\n\n"
            "Zephra is proud to offer low-dose ketamine infusions to patients with nerve pain. "
            "At Zephra, each infusion is given over four hours in our outpatient suite.")
    got = extract(text, "https://www.zephrapainclinic.com/ketamine")
    assert got["practice_name"] == "Zephra"
    assert got["clinicians"] == []


def test_a_word_tld_ends_the_sites_name():
    assert "quillwellness" in domain_labels("https://www.quill.wellness/x")
    assert domain_labels("https://www.quillwellness.com/x") == ["quillwellness"]
    text = "Integration Circles\n\nAt Quill Wellness, we hold integration groups after each ketamine session."
    assert extract(text, "https://journal.quill.wellness/groups")["practice_name"] == "Quill Wellness"


def test_the_start_of_a_town_name_is_not_the_brand_its_domain_spells():
    text = ("Ketamine-assisted psychotherapy in Arbolito Verde can help you heal.\n\n"
            "I'm Tamsin Oyelaran, LMFT, and I see clients at my practice in Arbolito Verde, California.")
    got = extract(text, "https://www.arbolitocounseling.com/blog")
    assert got["practice_name"] is None


def test_a_modality_heading_is_not_a_practice_name():
    text = "IFS & Ketamine Assisted Psychotherapy\n\nParts work and ketamine sessions, held in my office."
    assert extract(text, "https://example.org/ifs-kap")["practice_name"] is None
    assert extract("Low-Dose Ketamine Therapy\n\nFor chronic pain.", "https://example.org/k")["practice_name"] is None


def test_a_model_developed_or_described_by_someone_is_cited_not_the_team():
    text = ("Parts-based therapy as we know it was developed by Corran Velsby, PhD, decades ago.\n\n"
            "The contrast between the two models is described well by Dr. Ilse Maranova, founder of Quenby Institute.")
    got = extract(text, "https://example.org/kap")
    assert got["clinicians"] == []
    assert got["practice_name"] is None


def test_an_institute_the_practice_is_aligned_with_is_not_its_name():
    text = ("My work is aligned with the Ostrava Psychedelic Institute (OPI), whose year-long fellowship I finished. "
            "We give the ketamine ourselves.")
    assert extract(text, "https://example.org/kap")["practice_name"] is None


def test_a_legal_name_whose_first_words_the_domain_spells_exactly():
    text = "Integrative Mental Health Clinic LLC now provides ketamine infusions for treatment-resistant depression."
    got = extract(text, "https://integrativementalhealth.net/ketamine")
    assert got["practice_name"] == "Integrative Mental Health Clinic LLC"
    assert got["routes"] == ["iv"]


def test_the_partners_own_places_are_not_the_practices():
    text = ("I partner with Quarry Hill Center for Renewal, whose medical team prescribes the ketamine.\n\n"
            "The Center for Renewal is a medical practice based in Tamsworth County that supports therapists "
            "all over California by telehealth.")
    got = extract(text, "https://example.org/kap")
    assert got["medical_partner"] == "Quarry Hill Center for Renewal"
    assert got["states"] == [] and got["cities"] == []
    # the practice's own sentence about its clients' region still counts, though it names the partner
    own = ("Larch & Fern Counseling partners with Quarry Hill Center for Renewal to offer clients in the "
           "Chicagoland region legal, medically monitored KAP.")
    assert extract(own, "https://example.org/kap")["cities"] != []


def test_a_route_set_against_kap_is_another_model():
    text = ("Ketamine-assisted psychotherapy is the heart of my work. An IV drip clinic differs from KAP in aim. "
            "Its infusion treatment relies solely on what the drug does in the body.")
    assert extract(text, "https://example.org/kap")["routes"] == []


def test_routes_depending_on_your_treatment_plan_are_the_practices_options():
    text = ("Your Medicine Session\n\n"
            "Your ketamine may be given as an IM injection, an IV, or a sublingual lozenge, depending on your care "
            "plan with the prescriber.")
    assert sorted(extract(text, "https://example.org/kap")["routes"]) == ["im", "iv", "oral_sublingual"]


def test_a_faq_on_the_cost_of_treatment_speaks_of_the_practices_infusions():
    text = ("What are the fees?\n\n"
            "An infusion for depression is $550 each. How many you need is decided with you.")
    got = extract(text, "https://example.org/ketamine-faq")
    assert got["routes"] == ["iv"]
    assert got["prices_usd"] == [550.0]


def test_a_route_of_another_infused_drug_is_not_a_ketamine_route():
    text = ("Our wellness menu: IV NAD+ drips for energy, and vitamin infusions for recovery. Glutathione may also "
            "be given as an IV push.")
    assert extract(text, "https://example.org/nad")["routes"] == []


def test_iv_written_with_a_slash_is_not_the_pronoun_i():
    text = ("Given by I/V drip, I/M shot, or as a lozenge, a ketamine session lasts between one and three hours, "
            "depending on the form.")
    assert extract(text, "https://example.org/kap-prep")["routes"] == []


def test_a_practice_named_in_the_third_person_offers_what_it_gives():
    text = ("Insurance and esketamine\n\n"
            "Spravato is FDA-approved and is only given in a REMS-certified center like Tallow Health.\n\n"
            "Given as intramuscular shots at Tallow Health, ketamine for depression is not FDA-approved.")
    assert sorted(extract(text, "https://www.tallow.health/blog/coverage")["routes"]) == ["esketamine_spravato", "im"]
    # the same sentences on another site's page offer nothing
    assert extract(text, "https://www.example.org/blog/coverage")["routes"] == []


def test_a_spravato_page_calling_it_a_nasal_spray_names_one_route():
    text = ("Esketamine Specialist\n\n"
            "What is Spravato?\n\n"
            "Spravato is a nasal spray that contains esketamine, a medicine for hard-to-treat depression.\n\n"
            "Most people who take Spravato notice relief within a day.\n\n"
            "Spravato is taken together with an oral antidepressant.\n\n"
            "Side effects of Spravato usually pass within two hours.")
    assert extract(text, "https://example.org/spravato")["routes"] == ["esketamine_spravato"]


def test_a_nasal_atomizer_gives_racemic_intranasal_ketamine():
    text = ("In our office you take Spravato as a nasal spray.\n\n"
            "Q: How do you give ketamine? A: We use a nasal atomizer, a small device at the nostril. "
            "The intranasal mist spares you a needle.")
    assert sorted(extract(text, "https://example.org/faq")["routes"]) == ["esketamine_spravato", "intranasal"]


def test_a_study_sentence_does_not_count_toward_the_one_route_page():
    text = ("Ketamine Treatment\n\n"
            "Trials have shown that one infusion of ketamine can ease symptoms within a day.\n\n"
            "Research shows that ketamine infusions act quickly for many people.")
    assert extract(text, "https://example.org/treatment")["routes"] == []


def test_someones_move_to_a_town_is_not_an_office():
    text = ("Patient stories\n\n"
            "After years of trying medications, he moved from Upstate New York to a suburb of Austin, Texas, and "
            "back again. Today, after a dozen ketamine infusions with us, he is steady.")
    got = extract(text, "https://example.org/blog/story")
    assert got["states"] == [] and got["cities"] == []


def test_a_brand_beginning_with_my_that_the_domain_spells():
    text = ("What is Spravato?\n\n"
            "Spravato at My Bright Path Psychiatric Services may help when antidepressants have not.")
    got = extract(text, "https://www.mybrightpathps.com/services/spravato")
    assert got["practice_name"] == "My Bright Path Psychiatric Services"
    # "My Approach" is still a heading on any domain
    assert extract("My Approach\n\nI offer KAP.", "https://www.myapproachkap.com/")["practice_name"] is None


def test_the_practices_own_kap_page_speaking_as_we_includes_therapy_without_a_kap_heading():
    text = ("Ketamine-assisted psychotherapy (KAP) is a short, intensive treatment for depression.\n\n"
            "Preparation session\n\n"
            "Before your first medicine session, we will meet to set your intentions.")
    assert extract(text, "https://example.org/therapy/ketamine-assisted-psychotherapy")["therapy_included"] is True
    # the same text in a blog post is no offer
    assert extract(text, "https://example.org/blog/what-is-kap")["therapy_included"] is None


def test_a_name_ending_in_works_is_a_name():
    text = "Spravato is a nasal spray that we now give at Lantern Works. Ask your prescriber about a referral."
    assert extract(text, "https://care.lanternworks.org/spravato")["practice_name"] == "Lantern Works"
    assert extract("How It Works\n\nWe give ketamine lozenges.", "https://example.org/")["practice_name"] is None


def test_a_short_name_after_at_the_is_a_place_not_a_person():
    text = "Ketamine Infusions at The Marigold Co. offer a new path for people with depression."
    assert extract(text, "https://themarigoldcoatlanta.com/ketamine")["practice_name"] == "Marigold Co"


def test_a_past_job_at_a_practice_is_not_the_practices_offer():
    text = ("While I finished my degree, I was working as a nurse at a clinic that administered IV ketamine. "
            "Now, as a nurse practitioner, I prescribe Spravato, which we give in our office.")
    assert extract(text, "https://example.org/spravato")["routes"] == ["esketamine_spravato"]


def test_a_journeys_name_with_its_short_form_is_the_practice():
    text = "Harrow Peak Journeys (HPJ) is glad to offer ketamine-assisted therapy in a therapeutic setting."
    assert extract(text, "https://example.org/kap")["practice_name"] == "Harrow Peak Journeys"


def test_headings_of_a_care_kind_or_a_question_name_no_practice():
    assert extract("Hospice Care\n\nKetamine can ease distress at the end of life.")["practice_name"] is None
    text = "Why Combine Ketamine With Therapy?\n\nBecause the insights need a place to land."
    assert extract(text)["practice_name"] is None


def test_a_question_about_other_doctors_refuses_nothing():
    text = ("Ketamine Infusion Therapy in the Elm Park neighborhood of Chicago, IL\n\n"
            "Why don't other doctors perform the infusions?\n\n"
            "Few are trained for it. How do you prepare for the infusion? Eat lightly before your infusion.")
    assert extract(text, "https://example.org/ketamine-faqs")["routes"] == ["iv"]


def test_what_insurers_cover_is_not_an_offer():
    text = ("Paying for ketamine therapy\n\n"
            "With the approval of esketamine (Spravato), insurance companies are more willing to cover part of the "
            "claims for generic ketamine infusions.")
    assert extract(text, "https://example.org/insurance-options")["routes"] == []


def test_a_drugs_sticker_price_page_quotes_no_practice_price():
    text = ("Spravato without insurance\n\n"
            "Spravato's sticker price puts it out of reach for many: each dose runs from $600 to $900.\n\n"
            "The retail pricing over the first month comes to $4,500 or more.")
    assert extract(text, "https://example.org/spravato-cost")["prices_usd"] == []


def test_a_prescribing_services_fees_are_not_the_therapists_prices():
    text = ("Our KAP sessions are $200 each. Journey Clinical charges $250 for the medical evaluation and $150 for two "
            "medicine doses.")
    assert extract(text, "https://example.org/fees")["prices_usd"] == [200.0]
    # on the service's own site they are its prices
    assert sorted(extract(text, "https://www.journeyclinical.com/fees")["prices_usd"]) == [150.0, 200.0, 250.0]


def test_another_medicines_retreat_or_a_daydream_is_no_group_kap():
    text = ("In my state, someone like me can be licensed to facilitate psilocybin retreats.\n\n"
            "I also offer ketamine-assisted therapy in my office.")
    assert extract(text, "https://example.org/about")["group_or_retreat"] is None
    dream = "The only way I see myself enjoying this work would be yearly ketamine retreats with many participants."
    assert extract(dream, "https://example.org/about")["group_or_retreat"] is None
    # a practice's own retreat still is one
    for offer in ("We host three-day ketamine retreats each spring.", "We hope to see you at our one day KAP retreat."):
        assert extract(offer, "https://example.org/retreats")["group_or_retreat"] is True


def test_a_practice_that_calls_itself_a_virtual_clinic_serves_its_states_virtually():
    text = ("Knowledge Base\n\n"
            "What is Lumen Ridge Health?\n\n"
            "Lumen Ridge Health is a virtual mental health clinic offering at-home ketamine therapy.\n\n"
            "Which states do you serve?\n\n"
            "We currently serve clients in Maryland, Vermont and Oregon.")
    got = extract(text, "https://www.lumenridgehealth.co/knowledge-base/")
    assert got["practice_name"] == "Lumen Ridge Health"
    assert {(s["state"], s["virtual"]) for s in got["states"]} == {("MD", True), ("VT", True), ("OR", True)}


def test_a_menus_steps_are_not_people_and_a_question_heading_is_no_name():
    text = "1. Home\n  2. Getting Started\n  3. What to Expect\n\nWe guide you through at-home ketamine sessions."
    assert extract(text, "https://example.org/guide")["clinicians"] == []
    text = "Ketamine Without Therapy? Incomplete and Risky\n\nThe medicine is only half of the work."
    assert extract(text, "https://example.org/blog/x")["practice_name"] is None


def test_the_practices_own_care_team_is_not_its_medical_partner():
    text = ("Joyful Path offers low-dose ketamine lozenges by telehealth.\n\n"
            "Questions? Our prescriptions are written by the Joyful Path Care Team.")
    got = extract(text, "https://www.joyfulpath.com/faq")
    assert got["practice_name"] == "Joyful Path"
    assert got["medical_partner"] is None


def test_the_fields_trends_and_other_doctors_habits_are_not_offers():
    text = ("Ketamine infusion centers have become increasingly popular in Florida.\n\n"
            "These treatments have shown promising results for depression.\n\n"
            "Other doctors may tell patients to take lozenges at home alone.")
    assert extract(text, "https://example.org/ketamine-florida")["routes"] == []


def test_a_list_of_the_forms_ketamine_comes_in_is_general():  # a guard: the code at the round's start agreed
    text = ("Types of Ketamine\n\nKetamine comes in a variety of forms, including:\n"
            "- (Intravenous) IV infusions\n- Intramuscular injections (IM)\n- Lozenges")
    assert extract(text, "https://example.org/types")["routes"] == []


def test_a_drug_compared_with_other_antidepressants_is_not_offered_by_route():
    text = ("Ketamine is also different than other antidepressants because it does not need to be taken every day; "
            "rather, it is administered from time to time by injection or nasal spray.")
    assert extract(text, "https://example.org/ketamine")["routes"] == []
