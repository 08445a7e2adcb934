"""merge_site: one practice from many pages; the same person is one clinician; contradictions are said."""

from directory.extraction import extract_page, merge_site


def html(body: str, title: str = "Shoreline Therapy") -> str:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>"


def test_same_person_across_pages_is_one_clinician():
    pages = [
        extract_page(html("<h3>Dr. Jane Roe</h3><p>Clinical Director</p>"), url="http://s.example/"),
        extract_page(html("<p>Jane Roe, LPC, NCC</p>"), url="http://s.example/team"),
        extract_page(html("<p>By Jane A. Roe, LPC</p>"), url="http://s.example/blog/post"),
        extract_page(html("<p>John Smith, LCSW</p>"), url="http://s.example/team"),
    ]
    site = merge_site(pages)
    assert sorted(clinician.name for clinician in site.clinicians) == ["Jane Roe", "John Smith"]
    jane = next(clinician for clinician in site.clinicians if clinician.name == "Jane Roe")
    assert [cred.code for cred in jane.credentials] == ["LPC", "NCC"]
    assert site.discrepancies == []


def test_contradicting_titles_are_kept_and_flagged():
    pages = [
        extract_page(html("<h3>Jane Roe</h3><p>LCSW</p>"), url="http://s.example/team"),
        extract_page(html("<p>Jane Roe, LMFT, sees couples.</p>"), url="http://s.example/bio"),
    ]
    site = merge_site(pages)
    assert [cred.code for cred in site.clinicians[0].credentials] == ["LCSW", "LMFT"]
    assert site.discrepancies == ["Jane Roe: team page: LCSW; bio page: LMFT"]


def test_states_and_other_fields_merge():
    pages = [
        extract_page(html("<p>Serving Connecticut (in-person and virtual).</p><p>Call 203-555-0147.</p>"),
                     url="http://s.example/"),
        extract_page(html("<p>We see Florida clients (virtual only). Sessions are $200.</p>"
                          "<p>We offer sublingual lozenges.</p>"), url="http://s.example/fees"),
        extract_page(html("<p>We see Florida clients in person too.</p>"), url="http://s.example/florida"),
    ]
    site = merge_site(pages)
    assert {(s.state, s.in_person, s.virtual) for s in site.states} == {("CT", True, True), ("FL", False, True)}
    assert site.discrepancies == ["FL in person: florida page says yes; fees page says no"]
    assert site.phones == ["+12035550147"]
    assert [price.amount_usd for price in site.prices] == [200.0]
    assert site.routes == ["oral_sublingual"]
    assert site.practice_name == "Shoreline Therapy"
    assert len(site.evidence) == sum(len(page.evidence) for page in pages)


def test_merge_of_nothing_is_empty():
    site = merge_site([])
    assert site.practice_name is None and site.clinicians == [] and site.discrepancies == []


def test_two_licenses_on_one_page_and_one_on_another_is_no_contradiction():
    pages = [
        extract_page(html("<p>Jane Roe, LCSW, LMFT</p>"), url="http://s.example/team"),
        extract_page(html("<h1>Jane Roe, LMFT</h1>"), url="http://s.example/team/jane-roe"),
    ]
    assert merge_site(pages).discrepancies == []


def test_titles_said_only_in_prose_do_not_make_a_contradiction_but_are_kept():
    pages = [
        extract_page(html("<p>Jordan Lee, LCSW</p><p>Jordan is a marriage and family therapist.</p>"),
                     url="http://s.example/team"),
        extract_page(html("<h1>Jordan Lee, LMFT</h1>"), url="http://s.example/team-members/jordan-lee"),
    ]
    site = merge_site(pages)
    jordan = site.clinicians[0]
    assert {cred.code: cred.source for cred in jordan.credentials} == {"LCSW": "post_nominal", "LMFT": "post_nominal"}
    assert site.discrepancies == ["Jordan Lee: team page: LCSW; bio page: LMFT"]
