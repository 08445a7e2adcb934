"""Pure helpers of the crawler: links, site keys, profiles, decoding, Retry-After, outcomes, the ledger."""

import time

from hypothesis import given
from hypothesis import strategies as st

from crawler.decoding import decode_body
from crawler.ledger import MemoryLedger, record_from_json, record_to_json
from crawler.links import host_of, is_asset, is_outbound_of_interest, is_relevant, iter_anchors, site_key
from crawler.middlewares import retry_after_seconds
from crawler.profiles import profile_for
from directory.extraction.types import ClinicianFact, CredentialFact, PageFacts
from directory.store import PageRecord


def test_anchors_with_entities_nested_tags_and_broken_html():
    page = ('<a href="/team">Our <b>Team</b></a><A HREF=\'/fees?x=1&amp;y=2\'>Fees &amp; costs</A>'
            '<a class=x href=/faq>FAQ<a name="top">no href</a><a href="/unclosed">Unclosed')
    assert list(iter_anchors(page)) == [("/team", "Our Team"), ("/fees?x=1&y=2", "Fees & costs"), ("/faq", "FAQ"),
                                        ("/unclosed", "Unclosed")]


def test_anchor_scan_is_linear_on_hostile_pages():
    # Before the attributes stopped at "<", a megabyte of "<a " took a minute (the crawl process reads links
    # outside the extraction budget, so this scan must be cheap on its own).
    for token in ("<a ", '<a href="', "<a href=/x>", "<a href=/x>y</a>"):
        page = token * (1_000_000 // len(token))
        started = time.perf_counter()
        count = sum(1 for _ in iter_anchors(page))
        assert time.perf_counter() - started < 10, token
        assert count in (0, 1_000_000 // len(token))


@given(st.text(max_size=300))
def test_anchor_scan_never_fails_on_any_text(text):
    for href, label in iter_anchors("<a href=x>" + text):
        assert isinstance(href, str) and len(label) <= 200


def test_site_keys_and_link_kinds():
    assert site_key("http://WWW.CalmHarbor.example/team") == "calmharbor.example"
    assert host_of("http://127.0.0.1:8080/x") == "127.0.0.1:8080" and host_of("https://a.example:443/") == "a.example"
    assert is_asset("http://a.example/logo.PNG") and not is_asset("http://a.example/team")
    profile = profile_for("a.example")
    assert is_relevant("http://a.example/our-team", "", profile)
    assert is_relevant("http://a.example/p/123", "Ketamine-Assisted Psychotherapy", profile)
    assert not is_relevant("http://a.example/blog/2024/couch", "Our new couch", profile)
    assert is_outbound_of_interest("https://x.janeapp.com/", "")
    assert is_outbound_of_interest("https://x.example", "Book")
    assert not is_outbound_of_interest("https://www.facebook.com/calm", "Facebook")


def test_builder_quirks_come_from_the_profile_data():
    squarespace = profile_for("a.example", '<link href="https://static1.squarespace.com/x.css">')
    assert "?format=json" in squarespace.deny and "?format=json" not in profile_for("a.example").deny


def test_decoding_wrong_missing_and_broken_charsets():
    latin1 = "Renée Müller".encode("latin-1")
    assert decode_body(latin1, "utf-8")[0] == "Renée Müller" and "wrong" in decode_body(latin1, "utf-8")[1]
    assert decode_body(latin1, None) == ("Renée Müller", None, False)
    assert decode_body("Renée".encode(), "no-such-charset")[1].startswith("unknown charset")
    assert decode_body(b"caf\xc3\xa9", "utf-8") == ("café", None, False)


def test_retry_after_forms():
    assert retry_after_seconds(b"120") == 120
    assert retry_after_seconds(b"Wed, 21 Oct 2015 07:28:00 GMT") == 0  # in the past: now
    assert retry_after_seconds(b"soon") is None and retry_after_seconds(None) is None


def test_memory_ledger_budget_variants_and_completion():
    ledger = MemoryLedger()
    ledger.register_seeds({"a.example": "http://a.example/"})
    assert ledger.pop_seed() == "http://a.example/" and ledger.pop_seed() is None
    assert ledger.claim("a.example", "http://a.example/team", budget=2)
    assert not ledger.claim("a.example", "http://a.example/team", budget=2)  # once per URL
    assert not ledger.claim("a.example", "http://a.example/fees", budget=2)  # over budget
    assert [ledger.claim_variant("a.example", "/calendar", 2) for _ in range(3)] == [True, True, False]
    record = PageRecord(url="http://a.example/", site_key="a.example", outcome="ok")
    assert not ledger.finish("a.example", record)  # /team still outstanding
    assert ledger.finish("a.example", None)
    assert ledger.take_pages("a.example") == [record] and ledger.pending_total() == 0


def test_page_records_survive_the_redis_round_trip():
    facts = PageFacts(url="http://a.example/", clinicians=[ClinicianFact("Jane Roe", [CredentialFact("LCSW", "x")])])
    record = PageRecord(url="http://a.example/", site_key="a.example", outcome="ok", facts=facts, outbound=["b"])
    assert record_from_json(record_to_json(record)) == record
