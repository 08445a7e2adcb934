"""The labelled set: its shape, the F1 target on it, and that the scorer really scores."""

import json
import shutil
from pathlib import Path

import pytest

from directory.errors import KapdirError
from directory.extraction.evaluation import FIELDS, TARGET_F1, evaluate, field_items

LABELLED = Path(__file__).parent / "labelled"
LABEL_KEYS = {"practice_name", "clinicians", "states", "cities", "routes", "group_or_retreat", "therapy_included",
              "medical_partner", "prices_usd", "phones", "emails"}


@pytest.fixture(scope="module")
def report():
    return evaluate(LABELLED)


def test_labelled_set_has_at_least_60_pages_of_both_kinds():
    pages = [path for path in LABELLED.iterdir() if path.suffix in {".html", ".txt"}]
    assert len(pages) >= 60
    assert {path.suffix for path in pages} == {".html", ".txt"}
    for path in pages:
        label = json.loads(path.with_suffix(".json").read_text())
        assert set(label) == LABEL_KEYS, path.name


def test_f1_meets_the_target_on_every_field(report):
    below = {name: round(score.f1, 3) for name, score in report.fields.items() if score.f1 < TARGET_F1}
    assert below == {}, report.mistakes


def test_every_field_is_exercised(report):
    # a field the set never states could not fail: each must have true items to find
    assert all(score.true_positives > 0 for score in report.fields.values()), report.as_dict()["fields"]


def test_a_wrong_label_lowers_the_score(tmp_path):
    shutil.copy(LABELLED / "p01_squarespace_ct_parens.html", tmp_path / "a.html")
    label = json.loads((LABELLED / "p01_squarespace_ct_parens.json").read_text())
    label["states"][0]["virtual"] = False
    label["phones"] = ["+12035550199"]
    (tmp_path / "a.json").write_text(json.dumps(label))
    scores = evaluate(tmp_path).fields
    assert scores["states"].f1 < 1 and scores["phones"].f1 == 0
    assert scores["routes"].f1 == 1


def test_field_items_normalise_what_may_differ():
    a = {"practice_name": "Willow Creek Counseling, PLLC", "clinicians": [{"name": "Dr. Jane A. Roe",
         "credentials": ["L.P.C."]}], "cities": [{"city": "Saint Petersburg", "state": "FL"}]}
    b = {"practice_name": "willow creek counseling", "clinicians": [{"name": "Jane Roe", "credentials": ["LPC"]}],
         "cities": [{"city": "St. Petersburg", "state": "FL"}]}
    for name in ("practice_name", "clinicians", "credentials", "cities"):
        assert field_items(a, name) == field_items(b, name)
    assert set(FIELDS) >= {"credentials", "states"}


def test_missing_or_broken_sets_are_clear_errors(tmp_path):
    with pytest.raises(KapdirError):
        evaluate(tmp_path / "nowhere")
    with pytest.raises(KapdirError):
        evaluate(tmp_path)  # empty
    (tmp_path / "x.html").write_text("<p>hi</p>")
    with pytest.raises(KapdirError):
        evaluate(tmp_path)  # no label
    (tmp_path / "x.json").write_text("{broken")
    with pytest.raises(KapdirError):
        evaluate(tmp_path)
