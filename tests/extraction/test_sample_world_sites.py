"""The extractor over every page of the bundled sample world, merged per site, against its ground truth.

The world (directory/sample_world) is written by another area; its truth sometimes records what a page does
not say (group_or_retreat False on sites that never mention groups), so this test holds each field to a floor
that the extractor meets today rather than to the labelled set's 0.95, and it skips fields the truth cannot
judge. The labelled set (test_evaluation.py) is the measure of quality.
"""

import pytest

from directory.extraction import extract_page, facts_to_json, merge_site, pdf_text
from directory.extraction.evaluation import FieldScore, field_items

world_module = pytest.importorskip("directory.sample_world.world")
sites_module = pytest.importorskip("directory.sample_world.sites")

FLOORS = {
    "practice_name": 0.95, "clinicians": 0.95, "credentials": 0.85, "states": 0.95, "cities": 0.9, "routes": 0.95,
    "therapy_included": 0.95, "medical_partner": 0.9, "prices_usd": 0.95, "phones": 0.95, "emails": 0.95,
}


def test_sample_world_sites_read_back():
    world = world_module.load_world()
    scores = {name: FieldScore() for name in FLOORS}
    for practice in world.practices:
        pages = []
        for path, (content_type, body) in sites_module.render_site(practice).items():
            url = practice.url.rstrip("/") + path
            if content_type.startswith("text/html"):
                pages.append(extract_page(body, url, content_type))
            elif content_type.startswith("application/pdf"):
                pages.append(extract_page(pdf_text(body), url, "text/plain"))
        got = facts_to_json(merge_site(pages))
        truth = world_module.site_truth(practice)
        for name, score in scores.items():
            expected, found = field_items(truth, name), field_items(got, name)
            score.true_positives += len(expected & found)
            score.false_positives += len(found - expected)
            score.false_negatives += len(expected - found)
    below = {name: round(score.f1, 3) for name, score in scores.items() if score.f1 < FLOORS[name]}
    assert below == {}
