"""The accuracy figure: extraction scored on real practice pages (../shared/realpages, never copied here), the dev
and the frozen test part reported apart; no rule names anything from that set; the seeds come out right.

Skipped with a one-line reason where ../shared is absent. The floors below are what the extractor reaches today
(dated in docs/extract-json.md), a little under, so that a regression fails.
"""

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from directory.extraction.evaluation import EXTRA, REAL_FIELDS, evaluate_real, read_real_pages
from directory.extraction.output import facts_to_json
from directory.extraction.page import extract_page
from directory.extraction.realsplit import DEV, TEST, real_split

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
REALPAGES = SHARED / "realpages"
EXTRA_PAGES = SHARED / "realpages-extra"  # a second hand-labelled set, all development material
PEOPLE3_PAGES = SHARED / "realpages-people3"  # a third hand-labelled set (people fields); its names are scanned for
# Later hand-labelled sets (issue 10, sixth round): their names are scanned for too
LATER_SETS = tuple(SHARED / f"realpages-{name}" for name in ("places4", "people4", "offers4"))
SEEDS = SHARED / "seeds"
KAPDIR = str(Path(sys.executable).parent / "kapdir")
needs_realpages = pytest.mark.skipif(not (REALPAGES / "labels.jsonl").is_file(), reason="../shared/realpages absent")
needs_extra = pytest.mark.skipif(not (EXTRA_PAGES / "labels.jsonl").is_file(),
                                 reason="../shared/realpages-extra absent")
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds absent")

# Floors reached on 2026-12-02 (docs/extract-json.md has the full tables), a little under what was measured.
MEAN_FLOOR = {DEV: 0.84, TEST: 0.58, EXTRA: 0.87}
# The place and offer fields (issue 10) per part; group_or_retreat has 1 dev and 2 test labels, too few to floor
# on the test part (it reads 0.00 there: a known gap, see the docs).
FIELD_FLOORS = {
    DEV: {"states": 0.95, "state_mode": 0.95, "cities": 0.92, "routes": 0.95, "group_or_retreat": 0.95,
          "therapy_included": 0.92, "medical_partner": 0.95, "prices": 0.95},
    TEST: {"states": 0.88, "state_mode": 0.80, "cities": 0.70, "routes": 0.75, "therapy_included": 0.80,
           "medical_partner": 0.95, "prices": 0.90},
    EXTRA: {"states": 0.92, "state_mode": 0.95, "cities": 0.85, "routes": 0.88, "group_or_retreat": 0.85,
            "therapy_included": 0.92, "medical_partner": 0.92, "prices": 0.97},
}


@pytest.fixture(scope="module")
def reports():
    return evaluate_real(REALPAGES, with_extra=True)


@needs_realpages
@needs_extra
def test_real_pages_score_at_least_the_floors(reports):
    for part, floor in MEAN_FLOOR.items():
        assert reports[part].mean_f1 >= floor, (part, reports[part].as_dict()["fields"])
        for name, field_floor in FIELD_FLOORS[part].items():
            assert reports[part].f1(name) >= field_floor, (part, name, reports[part].as_dict()["fields"][name])


@needs_realpages
def test_the_metric_is_score_py_s(reports):
    """Our scoring equals the scorer in ../shared/realpages on the same predictions, field by field."""
    spec = importlib.util.spec_from_file_location("realpages_score", REALPAGES / "score.py")
    score_py = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score_py)
    labels, preds = [], {}
    for label, url, text in read_real_pages(REALPAGES):
        labels.append(label)
        preds[label["id"]] = facts_to_json(extract_page(text.encode("utf-8"), url=url, content_type="text/plain"))
    theirs = score_py.score(labels, preds)
    assert list(theirs) == list(REAL_FIELDS)
    for name, tally in theirs.items():
        ours = reports["all"].fields[name]
        assert (ours.true_positives, ours.false_positives, ours.false_negatives) == (tally.tp, tally.fp, tally.fn), name
        assert reports["all"].f1(name) == pytest.approx(tally.prf()[2]), name


@needs_realpages
def test_parts_are_split_by_url_hash_and_both_reported(reports):
    labels = [label for label, _, _ in read_real_pages(REALPAGES)]
    test_part = [label for label in labels if real_split(label["url"]) == TEST]
    assert 0.2 < len(test_part) / len(labels) < 0.45
    assert reports[DEV].pages + reports[TEST].pages == reports["all"].pages == len(labels)
    assert reports[TEST].mistakes == []  # the test part is scored, never shown


def test_split_is_fixed():
    assert real_split("https://example.org/a") == real_split(" https://example.org/a ")
    parts = [real_split(f"https://example.org/{n}") for n in range(600)]
    assert 150 < parts.count(TEST) < 250 and set(parts) == {DEV, TEST}


@needs_realpages
def test_eval_real_command_prints_both_parts_as_json():
    run = subprocess.run([KAPDIR, "eval", "--real", str(REALPAGES), "--json"],
                         capture_output=True, text=True, timeout=300, cwd=REPO)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert set(out) == {DEV, TEST, "all"} | ({EXTRA} if EXTRA_PAGES.is_dir() else set())
    assert set(out[TEST]["fields"]) == set(REAL_FIELDS) and 0 <= out[TEST]["mean_f1"] <= 1


def test_eval_real_on_a_folder_that_is_not_one_is_a_one_line_error(tmp_path):
    def run() -> subprocess.CompletedProcess:
        return subprocess.run([KAPDIR, "eval", "--real", str(tmp_path)], capture_output=True, text=True, timeout=120,
                              cwd=REPO)

    def one_line_error(result: subprocess.CompletedProcess, words: str) -> None:
        assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr
        assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr

    one_line_error(run(), "labels.jsonl")  # no labels at all
    (tmp_path / "labels.jsonl").write_text('{"id": "001", "url": "https://a.example/"}\n')
    one_line_error(run(), "cannot read its page")
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "001.txt").write_text("URL: https://a.example/\n\nWe offer KAP in Ohio.\n")
    one_line_error(run(), "label 001")  # a label without the fields the conventions require


def test_eval_real_scores_a_small_folder_of_our_own(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "001.txt").write_text("URL: https://a.example/\n\nWe offer IV ketamine in Ohio.\n")
    label = {"id": "001", "url": "https://a.example/", "practice_name": None, "clinicians": [],
             "states": [{"state": "OH", "in_person": True, "virtual": None}], "cities": [], "routes": ["iv", "im"],
             "group_or_retreat": None, "therapy_included": None, "medical_partner": None, "price_usd": [],
             "phones": []}
    (tmp_path / "labels.jsonl").write_text(json.dumps(label) + "\n")
    report = evaluate_real(tmp_path)[real_split(label["url"])]
    assert report.pages == 1 and report.f1("states") == 1.0 and report.f1("state_mode") == 1.0
    assert (report.fields["routes"].true_positives, report.fields["routes"].false_negatives) == (1, 1)


# --- no rule names the set -------------------------------------------------------------------------------------

# Files that hold rules and data. The place gazetteer (places_index.json.gz) is left out: it is every US town,
# generated from the zipcodes package (a test compares the two), not a rule written from these pages; so is the
# crawler's seed list (directory/data/seeds/), which names practice sites to visit by design and is read by no rule.
RULE_FILES = sorted(
    [path for path in (REPO / "directory" / "extraction").rglob("*") if path.suffix in {".py", ".json", ".csv",
                                                                                       ".toml", ".txt"}]
    + [path for path in (REPO / "directory" / "data").rglob("*") if path.is_file() and path.suffix != ".gz"
       and "seeds" not in path.relative_to(REPO / "directory" / "data").parts]
)


def _label_lines() -> list[str]:
    lines = (REALPAGES / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    for folder in (EXTRA_PAGES, PEOPLE3_PAGES, *LATER_SETS):  # the other sets' names are scanned for too
        if (folder / "labels.jsonl").is_file():
            lines += (folder / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    return lines


def _names_in_labels() -> set[str]:
    names: set[str] = set()
    for line in _label_lines():
        if not line.strip():
            continue
        label = json.loads(line)
        names.update(filter(None, [label.get("practice_name"), label.get("medical_partner")]))
        for clinician in label.get("clinicians") or []:
            names.add(clinician["name"])
            words = [word for word in re.findall(r"[A-Za-z'’\-]+", clinician["name"]) if word.lower() != "dr"]
            if words:
                names.add(words[-1])  # the surname alone
        names.update(city["city"] for city in label.get("cities") or [])
    return {name.strip() for name in names if len(name.strip()) >= 4}


def _general_vocabulary() -> set[str]:
    """Words any rule may use although a labelled page also uses them as a name: words the pages themselves write
    in lower case mid-sentence ("hope", "bend", "clear": ordinary words before they are names) or this project's
    documentation does, state names and credential codes (the domain's vocabulary), and the outside prescribing
    services that LABELING.md and the scorer name as general examples ("Journey Clinical")."""
    prose = " ".join(text for folder in (REALPAGES, EXTRA_PAGES, PEOPLE3_PAGES, *LATER_SETS)
                     if (folder / "labels.jsonl").is_file()
                     for _, _, text in read_real_pages(folder))
    # the project's own prose too ("a pure function"): an everyday word a practice also uses as its name
    prose += " ".join(path.read_text(encoding="utf-8") for path in sorted((REPO / "docs").glob("*.md")))
    lower_words = {match.group(1) for match in re.finditer(r"\b[a-z]+ ([a-z][a-z'’\-]+)\b", prose)}
    from directory.extraction.geography import STATE_BY_NAME
    from directory.extraction.offerings import KNOWN_PARTNERS

    vocabulary = {word for word in lower_words}
    vocabulary |= {name.lower() for name in STATE_BY_NAME}
    # the national prescribing services the partner rule lists by design (a page naming one is not the rule's source)
    vocabulary |= {name.lower() for name in KNOWN_PARTNERS}
    vocabulary |= {line.split(",")[0].strip().lower() for line in
                   (REPO / "directory" / "data" / "credentials.csv").read_text().splitlines()[1:] if line}
    public = (REALPAGES / "LABELING.md").read_text() + (REALPAGES / "score.py").read_text()
    return {word for word in vocabulary} | {
        name.lower() for name in _names_in_labels() if re.search(rf"\b{re.escape(name)}\b", public)
    }


def rule_hits(names: set[str], paths: list[Path], root: Path) -> dict[str, set[str]]:
    """Which of `names` (whole words, any case) each file names."""
    pattern = re.compile(r"(?<![A-Za-z])(?:" + "|".join(re.escape(name) for name in sorted(names, key=len,
                                                                                                reverse=True))
                         + r")(?![A-Za-z])", re.I)
    found: dict[str, set[str]] = {}
    for path in paths:
        # a regex escape is not a word: "\\ball" is a word boundary before "all", not the name "Ball"
        text = re.sub(r"\\[bBwWsSdDAZ]", " ", path.read_text(encoding="utf-8", errors="replace"))
        for match in pattern.finditer(text):
            found.setdefault(str(path.relative_to(root)), set()).add(match.group(0))
    return found


@needs_realpages
def test_no_rule_names_a_practice_person_partner_or_town_of_the_real_set():
    general = _general_vocabulary()
    names = {name for name in _names_in_labels() if name.lower() not in general}
    assert len(names) > 30  # the scan has something to look for
    assert rule_hits(names, RULE_FILES, REPO) == {}


def test_the_scan_catches_a_name_in_a_rule_or_a_comment(tmp_path):
    (tmp_path / "rule.py").write_text('# "our lakeside office"\nTOWNS = ["Springfield"]\n')
    (tmp_path / "data.csv").write_text("code,label\nLPC,counselor\n")
    hits = rule_hits({"Lakeside", "Dana Whitfield", "Whitfield"}, sorted(tmp_path.iterdir()), tmp_path)
    assert hits == {"rule.py": {"lakeside"}}


# --- the seeds -------------------------------------------------------------------------------------------------

def _seed(number: str) -> dict:
    path = next(SEEDS.glob(f"{number}_*.txt"))
    return facts_to_json(extract_page(path.read_bytes(), url=f"https://seed.example/{path.name}",
                                      content_type="text/plain"))


@needs_seeds
def test_seed_001_offers_iv_im_and_esketamine():
    assert {"iv", "im", "esketamine_spravato"} <= set(_seed("001")["routes"])


@needs_seeds
def test_seed_000_offers_group_kap():
    assert _seed("000")["group_or_retreat"] is True


@needs_seeds
def test_no_seed_gets_a_state_it_does_not_state():
    from directory.extraction.geography import NAME_BY_CODE

    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for state in _seed(path.name.split("_")[0])["states"]:
            code = state["state"]
            assert re.search(rf"\b{code}\b|\b{NAME_BY_CODE[code]}\b", text), (path.name, code)


@needs_realpages
@needs_extra
def test_the_extra_set_is_scored_whole_and_its_mistakes_shown(reports):
    labels = [label for label, _, _ in read_real_pages(EXTRA_PAGES)]
    assert reports[EXTRA].pages == len(labels) and reports["all"].pages == reports[DEV].pages + reports[TEST].pages
    assert all(mistake["field"] in REAL_FIELDS for mistake in reports[EXTRA].mistakes)


@needs_realpages
@needs_extra
def test_eval_real_prints_the_extra_table():
    run = subprocess.run([KAPDIR, "eval", "--real", str(REALPAGES)], capture_output=True, text=True, timeout=300,
                         cwd=REPO)
    assert run.returncode == 0, run.stderr
    assert "extra (all development)" in run.stdout
