"""Hostile pages: a megabyte of one repeated token must cost seconds, not minutes (every pattern is linear, and the
text a pattern sees is capped). Before the fix, 40 kB of "a.a.a..." took over 20 s in the e-mail pattern."""

import time

import pytest

from directory.extraction import extract_page
from directory.extraction.document import MAX_BLOCK, MAX_PAGE_TEXT, MAX_SENTENCE, parse_html, parse_text

SIZE = 1_000_000
BOUND_S = 10.0  # generous: ~1 s each on an idle core, a few seconds on a loaded 2-core machine
TOKENS = {
    "dots": "a.",
    "dollars": "$1 ",
    "credentials": "LCSW, ",
    "capitalised words": "Jane ",
    "one capitalised word": "A",
    "digits": "1",
    "spaced digits": "1 ",
    "state names": "Ohio ",
    "state codes": "OH, ",
    "e-mail-like": "a@b.",
    "obfuscated e-mail-like": "a [at] b (dot) ",
    "phone-like": "555-",
    "nested tags": "<div><a href='/x'>",
    "unclosed anchors": "<a ",
    "list items": "<li>Ohio</li>",
    "names of practices": "At Aa Bb ",
    "doctors": "Dr. Jane Roe of Aa Bb ",
    "mixed": "Jane Roe, LCSW, Ohio $1 a.b@c.d 555-1234 ",
    "a list of names, some with titles": "Offered by Ann Lee MD, Bo Park, ",
    "towns with an inner capital": "McLean, ",
    "words run together": "TherapyColumbia, SC ",
    "a quoted researcher's post": "” says Ann Lee, MD, chief at ",
    "staff contact lines": "Wren: a@b.co\n\n",
    "a service at an acronym": "Ketamine at QBHC\n\n",
    "town names on lines of their own": "Round Rock\n",
    "menus of towns": "Round Rock\nCedar Park\n\n",
    "the practice's own list": "we use the following:\n- IV\n",
}


@pytest.mark.parametrize("content_type", ["text/html", "text/plain"])
@pytest.mark.parametrize("token", list(TOKENS.values()), ids=list(TOKENS))
def test_a_megabyte_of_one_token_is_read_in_seconds(token, content_type):
    page = token * (SIZE // len(token))
    started = time.perf_counter()
    facts = extract_page(page, "https://hostile.example/", content_type)
    elapsed = time.perf_counter() - started
    assert elapsed < BOUND_S, f"{len(page)} characters of {token!r} took {elapsed:.1f} s"
    assert len(facts.text.replace("\n", "")) <= MAX_PAGE_TEXT  # the page's text, capped (blocks joined by newlines)


def test_text_is_capped_per_page_block_and_sentence():
    html = "<p>Call 203-555-0147.</p><p>" + "word " * 100_000 + "</p>" + "<p>Call 860-555-0199.</p>"
    document = parse_html(html, "https://long.example/")
    assert sum(len(block.text) for block in document.blocks) <= MAX_PAGE_TEXT
    assert all(len(block.text) <= MAX_BLOCK for block in document.blocks)
    assert all(len(sentence) <= MAX_SENTENCE for block in document.blocks for sentence in block.sentences)
    facts = extract_page(html, "https://long.example/")
    assert facts.phones == ["+12035550147"]  # the number after the cap is not read
    text = parse_text("Licensed in Ohio.\n\n" + "x" * (2 * MAX_PAGE_TEXT), "https://long.example/a.txt")
    assert sum(len(block.text) for block in text.blocks) <= MAX_PAGE_TEXT


def test_bounded_patterns_still_read_ordinary_contacts():
    facts = extract_page(
        "<p>Write to jane.roe [at] cedar-hollow (dot) example (dot) com or intake@cedar-hollow.example.</p>"
        "<p>Sessions are $450 per session; the intake is 150 dollars.</p><p>Call (203) 555-0147.</p>",
        "https://cedar-hollow.example/",
    )
    assert facts.emails == ["intake@cedar-hollow.example", "jane.roe@cedar-hollow.example.com"]
    assert [(price.amount_usd, price.unit) for price in facts.prices] == [(450.0, "session"), (150.0, "consultation")]
    assert facts.phones == ["+12035550147"]


@pytest.mark.parametrize("content_type", ["text/html", "text/plain"])
def test_a_megabyte_of_the_name_its_own_domain_spells_is_read_in_seconds(content_type):
    # The practice-name reader matches title-case phrases against the domain: unbounded, 40 kB took 6 s.
    page = "Jane " * (SIZE // 5)
    started = time.perf_counter()
    extract_page(page, "https://janeroe.example/", content_type)
    assert time.perf_counter() - started < BOUND_S


@pytest.mark.parametrize("content_type", ["text/html", "text/plain"])
def test_a_megabyte_of_different_names_one_a_line_is_read_in_seconds(content_type):
    # Each line a full name the page could be about: the first-name test once per name line scanned the page
    # again (a 30 kB page took 2.4 s, a megabyte 7 s on an idle core); it now reads the page's first names once.
    letters = "aeiounrstl"
    names = [f"{chr(65 + i % 26)}{letters[i % 7:i % 7 + 3]}{letters[i // 7 % 10]} "
             f"{chr(65 + i // 26 % 26)}{letters[i // 3 % 8:i // 3 % 8 + 2]}{letters[i % 10]}{letters[i // 100 % 10]}"
             for i in range(SIZE // 12)]
    lines = names + [f"Book with {name.split()[0]}." for name in names[:2000]]
    page = ("".join(f"<p>{line}</p>" for line in lines) if content_type == "text/html" else "\n\n".join(lines))
    started = time.perf_counter()
    extract_page(page, "https://hostile.example/", content_type)
    elapsed = time.perf_counter() - started
    assert elapsed < BOUND_S, f"{len(names)} name lines took {elapsed:.1f} s"
