"""extract_page on small pages written for one behaviour each (the labelled set covers the whole pages)."""

import pytest

from directory.extraction import extract_page, facts_to_json
from tests.extraction.prose import states


def page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


def test_parentheses_give_modes_per_state():
    facts = extract_page(page(
        "<h2>Where we work</h2><ul><li>Connecticut (in-person and virtual)</li>"
        "<li>Florida, Maryland, and Virginia (virtual only)</li></ul>"
    ))
    assert states(facts) == {"CT": (True, True), "FL": (False, True), "MD": (False, True), "VA": (False, True)}


def test_abbreviation_list_after_licensed_in():
    facts = extract_page(page("<p>We are licensed in CT, MD, VA and FL.</p>"))
    assert set(states(facts)) == {"CT", "MD", "VA", "FL"}


def test_not_service_areas():
    facts = extract_page(page(
        "<p>Our founder was featured in the Washington Post and the New York Times.</p>"
        "<p>She studied at Indiana University and the University of Virginia.</p>"
        "<p>A study at a research site in Texas found similar results.</p>"
        "<p>Our office is at 2100 Virginia Ave NW, Washington, DC 20037.</p>"
        "<p>Georgia Mendes, LCSW, leads our groups.</p>"
    ))
    assert set(states(facts)) == {"DC"}


def test_degrees_and_post_nominals_are_not_states():
    facts = extract_page(page(
        "<h3>Jane Roe, MA, LPC</h3><h3>Rafael Quintero, MD</h3><p>Dr. Ann Lee, DO, PA-C</p>"
        "<div>IN PERSON OR ONLINE</div><p>OK, here is how it works.</p>"
    ))
    assert facts.states == []
    assert {clinician.name for clinician in facts.clinicians} == {"Jane Roe", "Rafael Quintero", "Ann Lee"}


def test_city_and_county_lists_imply_a_state():
    facts = extract_page(page("<p>We have offices in Naperville, Chicago, and Oak Brook.</p>"))
    assert states(facts) == {"IL": (True, None)}
    assert {(city.city, city.state) for city in facts.cities} == {
        ("Naperville", "IL"), ("Chicago", "IL"), ("Oak Brook", "IL")
    }
    county = extract_page(page("<p>Serving Fairfield and New Haven counties.</p>"))
    assert set(states(county)) == {"CT"}


def test_licensed_by_the_ct_department():
    facts = extract_page(page("<p>I am licensed by the CT Dept. of Public Health.</p>"))
    assert set(states(facts)) == {"CT"}


def test_clinicians_credentials_kinds_and_roles():
    facts = extract_page(page(
        "<p>Written by Lucrezia Mangione, LPC, LCPC, NCC, BC-TMH, DCEP</p>"
        "<h4>Priya Natarajan</h4><p>PMHNP-BC, APRN</p>"
    ))
    by_name = {clinician.name: clinician for clinician in facts.clinicians}
    lucrezia = by_name["Lucrezia Mangione"]
    assert [cred.code for cred in lucrezia.credentials] == ["LPC", "LCPC", "NCC", "BC-TMH", "DCEP"]
    assert {cred.kind for cred in lucrezia.credentials} == {"state_license", "national_certification"}
    assert lucrezia.credentials[1].license_class == "professional_counselor"
    assert lucrezia.role == "therapist"
    assert by_name["Priya Natarajan"].role == "prescriber"


def test_json_ld_physician_and_clinic():
    head = (
        '<script type="application/ld+json">{"@context":"https://schema.org","@type":"MedicalClinic",'
        '"name":"Summit Ketamine","telephone":"(801) 555-0107","address":{"@type":"PostalAddress",'
        '"addressLocality":"Salt Lake City","addressRegion":"UT","postalCode":"84111"},'
        '"employee":{"@type":"Physician","name":"Jonah Whitaker, MD"}}</script>'
    )
    facts = extract_page(page("<p>Welcome.</p>", head))
    assert facts.practice_name == "Summit Ketamine"
    assert facts.phones == ["+18015550107"]
    assert [(c.name, [cred.code for cred in c.credentials]) for c in facts.clinicians] == [("Jonah Whitaker", ["MD"])]
    assert states(facts) == {"UT": (True, None)}


def test_routes_negations_and_generic_text():
    facts = extract_page(page(
        "<p>Infusion clinics typically use IV ketamine. Spravato is an FDA-approved nasal spray.</p>"
        "<p>We offer sublingual lozenges in our office. We do not offer IV infusions or Spravato.</p>"
    ))
    assert facts.routes == ["oral_sublingual"]


def test_esketamine_intranasal_is_spravato_and_racemic_is_intranasal():
    spravato = extract_page(page("<p>We offer Spravato, the intranasal esketamine spray.</p>"))
    assert spravato.routes == ["esketamine_spravato"]
    racemic = extract_page(page("<p>We use compounded racemic ketamine as an intranasal spray.</p>"))
    assert racemic.routes == ["intranasal"]


def test_therapy_included_or_medical_only():
    kap = extract_page(page("<p>We offer ketamine-assisted psychotherapy with integration sessions.</p>"))
    assert kap.therapy_included is True
    medical = extract_page(page("<p>Our infusions are medical only: we do not provide psychotherapy.</p>"))
    assert medical.therapy_included is False
    neither = extract_page(page("<p>Call us to learn more.</p>"))
    assert neither.therapy_included is None


def test_medical_partner():
    assert extract_page(page("<p>We partner with Journey Clinical.</p>")).medical_partner == "Journey Clinical"
    independent = extract_page(page("<p>You will meet an independent medical provider.</p>"))
    assert independent.medical_partner == "independent medical provider"
    named = extract_page(page("<p>Ketamine is prescribed by our consulting physician, Dr. Harlan Pierce.</p>"))
    assert named.medical_partner == "Harlan Pierce"


def test_prices_are_not_phones_years_or_zips():
    facts = extract_page(page(
        "<p>Sessions are $185 per session; the package is $2,400. Since 2009. Call 203-555-0147.</p>"
        "<p>88 Elm Street, New Haven, CT 06510. Infusion clinics raised $1.2 million.</p>"
    ))
    assert [(price.amount_usd, price.unit) for price in facts.prices] == [(185.0, "session"), (2400.0, "package")]


def test_phones_e164_without_fax_or_crisis_lines():
    facts = extract_page(page(
        "<p>Office 410-555-0166 · Fax 410-555-0167</p><p><a href='tel:+13125550142'>Call</a></p>"
        "<p>In crisis? Call the Lifeline at 1-800-273-8255.</p>"
    ))
    assert facts.phones == ["+14105550166", "+13125550142"]


def test_emails_from_text_mailto_and_obfuscated():
    facts = extract_page(page(
        "<p>Write to Hello@Example-Practice.example.</p><a href='mailto:intake@practice.example?subject=Hi'>Email</a>"
        "<p>or team [at] practice [dot] example</p><img src='logo@2x.png'>"
    ))
    assert facts.emails == ["hello@example-practice.example", "team@practice.example", "intake@practice.example"]


def test_plain_text_pages():
    text = "Shoreline Therapy\n\nJane Roe, LCSW\n\nWe see clients in Connecticut (in-person and virtual).\n"
    facts = extract_page(text, url="http://x.example/page.txt")
    assert facts.clinicians[0].name == "Jane Roe"
    assert states(facts) == {"CT": (True, True)}
    same = extract_page(text.encode(), content_type="text/plain; charset=utf-8")
    assert states(same) == {"CT": (True, True)}


def test_every_fact_has_evidence_with_url_and_snippet():
    facts = extract_page(page("<p>Jane Roe, LPC, sees clients in Hartford, CT by telehealth for $150.</p>"),
                         url="http://practice.example/about")
    fields = {item.field for item in facts.evidence}
    assert {"clinicians", "states", "cities", "prices_usd"} <= fields
    assert all(item.url == "http://practice.example/about" and item.snippet for item in facts.evidence)


def test_hostile_text_is_text_not_markup():
    facts = extract_page(page(
        "<script>document.write('Jane Evil, LCSW')</script><style>.x{}</style>"
        "<h3>Avery Quill&lt;script&gt;alert(1)&lt;/script&gt;, LPCC</h3>"
    ))
    assert "document.write" not in facts.text
    assert "<script>alert(1)</script>" in facts.text  # shown literally, never executed or dropped silently
    assert [clinician.name for clinician in facts.clinicians] == ["Avery Quill"]


def test_bytes_in_any_declared_encoding():
    latin = page("<p>Ramón Esquivel, LCSW</p>").replace("utf-8", "iso-8859-1").encode("iso-8859-1")
    assert [c.name for c in extract_page(latin).clinicians] == ["Ramón Esquivel"]
    assert [c.name for c in extract_page(page("<p>Ramón Esquivel, LCSW</p>").encode()).clinicians] == [
        "Ramón Esquivel"
    ]


def test_empty_and_junk_pages_give_empty_facts():
    for content in ("", b"", "<html></html>", "\x00\x01binary", "just some words"):
        facts_to_json(extract_page(content))  # never raises
    assert extract_page("").clinicians == []


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<p>Jane Roe, Ph.D., LP</p>", ("Jane Roe", ["PhD", "LP"])),
        ("<p>Jane Roe MA LPC</p>", ("Jane Roe", ["MA", "LPC"])),
        ("<p>Jane Roe, M.A., L.P.C.</p>", ("Jane Roe", ["MA", "LPC"])),
        ("<p>Jane Q. Roe, LCSW</p>", ("Jane Q. Roe", ["LCSW"])),
        ("<p>Jane Roe (she/her), LCSW</p>", ("Jane Roe", ["LCSW"])),
        ("<h3>Jane Roe</h3><p>she/her · LCSW</p>", ("Jane Roe", ["LCSW"])),
        ("<h3>Jane Roe, LMHC-QS</h3>", ("Jane Roe", ["LMHC-QS"])),  # as written; lookup() gives LMHC's class
        ("<p>Ana de la Cruz, LMFT</p>", ("Ana de la Cruz", ["LMFT"])),
        ("<p>Written by: Dr. Mary-Kate O'Neil, PsyD</p>", ("Mary-Kate O'Neil", ["PsyD"])),
    ],
)
def test_ways_sites_write_names_and_post_nominals(markup, expected):
    facts = extract_page(page(markup))
    assert [(c.name, [cred.code for cred in c.credentials]) for c in facts.clinicians] == [expected]


@pytest.mark.parametrize("markup", ["<p>Visit Boston MA today</p>", "<p>Silver Spring, MD 20910</p>",
                                    "<h2>Our Team</h2><p>Office Manager</p>"])
def test_places_and_headings_are_not_people(markup):
    assert extract_page(page(markup)).clinicians == []


@pytest.mark.timeout(60)
def test_a_huge_run_on_block_stays_linear():
    """A hostile page: 20,000 words of names, codes, states and digits with no full stop (about 100 kB)."""
    import random
    import time

    rng = random.Random(1)
    words = ["Ann", "Roe", "LPC", "CT", "and", ",", "Virginia", "Suite", "123", "Main", "St", "in", "$", "(", ")",
             "Dr.", "-", "Washington"]
    junk = " ".join(rng.choice(words) for _ in range(20_000))
    extract_page(page("<p>warm up, Hartford, CT</p>"))
    started = time.process_time()
    facts_to_json(extract_page(page(f"<p>{junk}</p>")))
    assert time.process_time() - started < 30  # was minutes when context rules rescanned the whole block


def test_deeply_nested_markup_keeps_its_text():
    nested = "<div>" * 1000 + "Jane Roe, LPC" + "</div>" * 1000  # site builders nest deep; hostile pages deeper
    assert [c.name for c in extract_page(page(nested)).clinicians] == ["Jane Roe"]


def test_broken_json_ld_and_contentless_markup_do_not_stop_extraction():
    head = ('<script type="application/ld+json">{"@type": "Physician", "name": </script>'
            '<script type="application/ld+json">{"@type": "MedicalClinic", "name": "Good Clinic"}</script>')
    facts = extract_page(page("<p>Jane Roe, LPC</p>", head))
    assert facts.practice_name == "Good Clinic"
    assert [c.name for c in facts.clinicians] == ["Jane Roe"]
    assert extract_page("</td></tr></table>").clinicians == []


def test_outbound_links_of_interest():
    facts = extract_page(page(
        "<a href='https://practice.janeapp.example/book'>Book online</a><a href='/about'>About</a>"
        "<a href='https://www.journeyclinical.example/'>Our partner</a><a href='https://news.example/x'>News</a>"
    ), url="https://practice.example/")
    assert facts.links == ["https://practice.janeapp.example/book", "https://www.journeyclinical.example/"]
    assert [item.snippet for item in facts.evidence if item.field == "links"] == ["link: Book online",
                                                                                  "link: Our partner"]
