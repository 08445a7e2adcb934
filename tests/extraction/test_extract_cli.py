"""`kapdir extract` and `kapdir eval` as a user runs them: a real child process, stdout and exit codes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from directory.errors import KapdirError
from directory.extraction import extract_file

KAPDIR = [sys.executable, "-c", "from directory.cli import main; main()"]
LABELLED = Path(__file__).parent / "labelled"
KEYS = ["url", "practice_name", "clinicians", "states", "cities", "routes", "group_or_retreat", "therapy_included",
        "medical_partner", "prices_usd", "phones", "emails", "evidence"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*KAPDIR, *args], capture_output=True, text=True, timeout=60)


def test_extract_prints_exactly_one_json_object_of_the_documented_shape():
    result = run("extract", str(LABELLED / "p01_squarespace_ct_parens.html"), "--url", "https://willow.example/kap")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)  # the whole of stdout is one JSON object
    assert list(payload) == KEYS
    assert payload["url"] == "https://willow.example/kap"
    assert payload["clinicians"][0] == {"name": "Marisol Okafor", "credentials": ["LPC", "LCPC", "NCC", "BC-TMH"],
                                        "npi": None, "licenses": []}
    assert {"state": "FL", "in_person": False, "virtual": True} in payload["states"]
    assert all(set(item) == {"field", "value", "snippet"} for item in payload["evidence"])


def test_extract_text_file():
    result = run("extract", str(LABELLED / "p03_throughout_tx_ca.txt"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["url"] is None


@pytest.mark.parametrize("make", ["missing", "directory", "pdf", "noext"])
def test_extract_bad_input_is_one_line_error(tmp_path, make):
    target = {"missing": tmp_path / "nope.html", "directory": tmp_path, "pdf": tmp_path / "x.pdf",
              "noext": tmp_path / "README"}[make]
    if make in {"pdf", "noext"}:
        target.write_text("x")
    result = run("extract", str(target))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("kapdir: error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    with pytest.raises(KapdirError):
        extract_file(target)


def test_eval_json_reports_every_field():
    result = run("eval", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["pages"] >= 60
    assert set(report["fields"]) >= {"practice_name", "clinicians", "states", "routes", "phones"}


def test_eval_table():
    result = run("eval")
    assert result.returncode == 0, result.stderr
    assert "precision" in result.stdout and "states" in result.stdout
