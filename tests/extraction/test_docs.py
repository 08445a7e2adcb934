"""docs/extract-json.md stays true: its example output is what `kapdir extract` prints for its example page."""

import json
import re
from pathlib import Path

from directory.extraction import extract_file
from directory.extraction.output import facts_to_json
from directory.extraction.types import PageFacts

DOC = Path(__file__).resolve().parents[2] / "docs" / "extract-json.md"


def test_example_output_is_real(tmp_path):
    text = DOC.read_text(encoding="utf-8")
    page = re.search(r"```html\n(.*?)```", text, re.S).group(1)
    shown = json.loads(re.search(r"```json\n(.*?)```", text, re.S).group(1))
    path = tmp_path / "about.html"
    path.write_text(page, encoding="utf-8")
    assert extract_file(path, url="https://willowcreek.example/about") == shown


def test_every_printed_field_is_documented():
    text = DOC.read_text(encoding="utf-8")
    for key in facts_to_json(PageFacts(url=None)):
        assert f"| `{key}` |" in text, key
