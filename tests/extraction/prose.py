"""Helpers for tests that extract one behaviour from a few invented paragraphs."""

from directory.extraction import extract_page


def facts_of(*paragraphs: str):
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    return extract_page(f"<html><body>{body}</body></html>", url="https://practice.example/")


def text_facts(text: str, url: str = "https://practice.example/"):
    """The facts of a plain-text page (lines and blank-line paragraphs, as a text file is read)."""
    return extract_page(text.encode(), url=url, content_type="text/plain")


def states(facts) -> dict[str, tuple[bool | None, bool | None]]:
    return {fact.state: (fact.in_person, fact.virtual) for fact in facts.states}


def cities(facts) -> set[tuple[str, str | None]]:
    return {(city.city, city.state) for city in facts.cities}
