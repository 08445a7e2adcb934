"""Evaluation on the labelled set: precision, recall and F1 per field (set-based per page, micro-averaged).

Each page `NAME.html` or `NAME.txt` has a label `NAME.json` in the `kapdir extract` shape (without url and
evidence). Every field becomes a set of comparable items per page (a clinician is a normalised name, a
credential is (name, code), a state is (state, in_person, virtual), a yes/no field is {value} when said); true
positives, false positives and false negatives are summed over all pages before precision and recall.
"""

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from directory.errors import KapdirError
from directory.extraction.geography import city_key
from directory.extraction.merge import person_key
from directory.extraction.output import SUPPORTED_SUFFIXES, extract_file, facts_to_json
from directory.extraction.page import extract_page
from directory.extraction.realsplit import DEV, TEST, real_split
from directory.extraction.taxonomy import lookup

FIELDS = (
    "practice_name",
    "clinicians",
    "credentials",
    "states",
    "cities",
    "routes",
    "group_or_retreat",
    "therapy_included",
    "medical_partner",
    "prices_usd",
    "phones",
    "emails",
)
TARGET_F1 = 0.95
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "tests" / "extraction" / "labelled"

_LEGAL = re.compile(r"\b(?:pllc|llc|inc|pc|llp|pa|lcsw|lpc|md|do|np|phd|psyd)\b")
_TITLE = re.compile(r"^(?:dr|an|a|the)\s+")


def _plain(text: str) -> str:
    text = text.lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    text = _LEGAL.sub(" ", text)
    text = " ".join(text.split())
    while _TITLE.match(text):
        text = _TITLE.sub("", text)
    return text


def _person(name: str) -> str:
    return "|".join(person_key(name))


def _code(code: str) -> str:
    info = lookup(code)
    return info.code if info else code.upper()


def field_items(page: dict[str, Any], name: str) -> set:
    """The comparable items of one field of one page (label or extractor output)."""
    value = page.get(name)
    if name in {"practice_name", "medical_partner"}:
        return {_plain(value)} if value else set()
    if name == "clinicians":
        return {_person(item["name"]) for item in value or []}
    if name == "credentials":
        return {(_person(item["name"]), _code(code)) for item in page.get("clinicians") or []
                for code in item["credentials"]}
    if name == "states":
        return {(item["state"], item["in_person"], item["virtual"]) for item in value or []}
    if name == "cities":
        return {(city_key(item["city"]), item["state"]) for item in value or []}
    if name in {"group_or_retreat", "therapy_included"}:
        return set() if value is None else {value}
    if name == "prices_usd":
        return {round(float(amount), 2) for amount in value or []}
    if name == "emails":
        return {email.lower() for email in value or []}
    return set(value or [])


@dataclass
class FieldScore:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float:
        said = self.true_positives + self.false_positives
        return self.true_positives / said if said else 1.0

    @property
    def recall(self) -> float:
        true = self.true_positives + self.false_negatives
        return self.true_positives / true if true else 1.0

    @property
    def f1(self) -> float:
        total = 2 * self.true_positives + self.false_positives + self.false_negatives
        return 2 * self.true_positives / total if total else 1.0


@dataclass
class EvalReport:
    pages: int
    fields: dict[str, FieldScore]
    mistakes: list[dict[str, Any]] = field(default_factory=list)  # per page and field: missed / extra items

    def as_dict(self) -> dict[str, Any]:
        return {
            "pages": self.pages,
            "target_f1": TARGET_F1,
            "fields": {
                name: {
                    "precision": round(score.precision, 4),
                    "recall": round(score.recall, 4),
                    "f1": round(score.f1, 4),
                    "tp": score.true_positives,
                    "fp": score.false_positives,
                    "fn": score.false_negatives,
                }
                for name, score in self.fields.items()
            },
            "mistakes": self.mistakes,
        }

    def below_target(self) -> list[str]:
        return [name for name, score in self.fields.items() if score.f1 < TARGET_F1]


def labelled_pages(directory: Path) -> list[tuple[Path, Path]]:
    pairs = []
    for page in sorted(directory.iterdir()):
        if page.suffix.lower() in SUPPORTED_SUFFIXES:
            label = page.with_suffix(".json")
            if not label.exists():
                raise KapdirError(f"labelled page {page.name} has no {label.name}")
            pairs.append((page, label))
    return pairs


def evaluate(directory: str | Path = DEFAULT_DIR) -> EvalReport:
    directory = Path(directory)
    if not directory.is_dir():
        raise KapdirError(f"no labelled set at {directory}")
    pairs = labelled_pages(directory)
    if not pairs:
        raise KapdirError(f"the labelled set at {directory} is empty")
    scores = {name: FieldScore() for name in FIELDS}
    mistakes: list[dict[str, Any]] = []
    for page_path, label_path in pairs:
        try:
            label = json.loads(label_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise KapdirError(f"{label_path.name} is not valid JSON: {exc}") from exc
        got = extract_file(page_path, url=f"http://labelled.example/{page_path.name}")
        for name in FIELDS:
            expected, found = field_items(label, name), field_items(got, name)
            score = scores[name]
            score.true_positives += len(expected & found)
            score.false_positives += len(found - expected)
            score.false_negatives += len(expected - found)
            if expected != found:
                mistakes.append({
                    "page": page_path.name,
                    "field": name,
                    "missed": sorted(map(str, expected - found)),
                    "extra": sorted(map(str, found - expected)),
                })
    return EvalReport(pages=len(pairs), fields=scores, mistakes=mistakes)


def eval_command(as_json: bool = False, directory: str | Path | None = None) -> None:
    """`kapdir eval`: the per-field table (or one JSON object)."""
    report = evaluate(directory or DEFAULT_DIR)
    if as_json:
        print(json.dumps(report.as_dict(), indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Extraction on {report.pages} labelled pages (target F1 >= {TARGET_F1})")
    for column in ("field", "precision", "recall", "F1", "TP", "FP", "FN"):
        table.add_column(column, justify="left" if column == "field" else "right")
    for name, score in report.fields.items():
        mark = "" if score.f1 >= TARGET_F1 else " (below target)"
        table.add_row(name, f"{score.precision:.3f}", f"{score.recall:.3f}", f"{score.f1:.3f}{mark}",
                      str(score.true_positives), str(score.false_positives), str(score.false_negatives))
    Console().print(table)


# ---------------------------------------------------------------------------------------------------------------
# Real pages: the accuracy figure. A folder in ../shared/realpages' layout (pages/NNN.txt starting "URL: ..." and a
# blank line, labels.jsonl written by hand; conventions in its LABELING.md) scored by the same metric as its
# score.py: per field micro P/R/F1 over pages, the headline the mean F1 over these 12 fields.

REAL_FIELDS = (
    "practice_name", "clinicians", "credentials", "states", "state_mode", "cities", "routes", "group_or_retreat",
    "therapy_included", "medical_partner", "prices", "phones",
)
_SURNAME_SKIP = {"dr", "jr", "sr", "ii", "iii", "md"}


def _norm(text: object) -> str:
    """score.py's norm: ASCII-folded, lower-case, runs of non-alphanumerics as one space."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _cred(text: object) -> str:
    return re.sub(r"[^A-Z0-9-]", "", str(text).upper())


def _surname(name: object) -> str:
    tokens = [token for token in _norm(name).split() if token not in _SURNAME_SKIP]
    return tokens[-1] if tokens else ""


def _contains(gold: str | None, found: str | None) -> bool:
    return bool(gold and found) and (_norm(gold) in _norm(found) or _norm(found) in _norm(gold))


def real_items(pid: str, label: dict[str, Any], got: dict[str, Any]) -> dict[str, tuple[set, set]]:
    """(found, expected) item sets per real-page field, as score.py compares them."""
    items: dict[str, tuple[set, set]] = {}
    name = got.get("practice_name")
    items["practice_name"] = (
        {pid} if _contains(label["practice_name"], name) else ({pid + "x"} if name else set()),
        {pid} if label["practice_name"] else set(),
    )
    people = got.get("clinicians") or []
    items["clinicians"] = (
        {_surname(c["name"]) for c in people if _surname(c.get("name", ""))},
        {_surname(c["name"]) for c in label["clinicians"]},
    )
    items["credentials"] = (
        {(_surname(c.get("name", "")), _cred(x)) for c in people for x in c.get("credentials") or []},
        {(_surname(c["name"]), _cred(x)) for c in label["clinicians"] for x in c["credentials"]},
    )
    found_states = {s.get("state"): s for s in got.get("states") or [] if isinstance(s, dict)}
    items["states"] = (set(found_states), {s["state"] for s in label["states"]})
    expected_modes, found_modes = set(), set()
    for state in label["states"]:
        for mode in ("in_person", "virtual"):
            if state[mode] is not None:  # only what the label says is scored, as in score.py
                expected_modes.add((state["state"], mode, state[mode]))
                value = (found_states.get(state["state"]) or {}).get(mode)
                if value is not None:
                    found_modes.add((state["state"], mode, value))
    items["state_mode"] = (found_modes, expected_modes)
    expected_cities = {(_norm(c["city"]), c["state"]) for c in label["cities"]}
    found_cities = set()
    for city in got.get("cities") or []:
        key = (_norm(city.get("city", "")), city.get("state"))
        found_cities.add((key[0], None) if (key[0], None) in expected_cities else key)
    items["cities"] = (found_cities, expected_cities)
    items["routes"] = (set(got.get("routes") or []), set(label["routes"]))
    for flag in ("group_or_retreat", "therapy_included"):
        value, expected = got.get(flag), label[flag]
        items[flag] = ({value} if value is not None else set(), {expected} if expected is not None else set())
    partner = got.get("medical_partner")
    items["medical_partner"] = (
        {"ok"} if _contains(label["medical_partner"], partner) else ({"bad"} if partner else set()),
        {"ok"} if label["medical_partner"] else set(),
    )
    items["prices"] = (
        {round(float(x), 2) for x in got.get("prices_usd") or [] if isinstance(x, (int, float))},
        {round(float(x), 2) for x in label.get("price_usd") or label.get("prices_usd") or []},
    )
    items["phones"] = (
        {re.sub(r"\D", "", p)[-10:] for p in got.get("phones") or []},
        {re.sub(r"\D", "", p)[-10:] for p in label["phones"]},
    )
    return items


def _real_f1(score: FieldScore) -> float:
    """score.py's convention: no item said and none expected is 1.0; said but nothing true is precision 0."""
    said = score.true_positives + score.false_positives
    precision = score.true_positives / said if said else (1.0 if not score.false_negatives else 0.0)
    true = score.true_positives + score.false_negatives
    recall = score.true_positives / true if true else 1.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass
class RealReport:
    part: str
    pages: int
    fields: dict[str, FieldScore]
    mistakes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def mean_f1(self) -> float:
        return sum(_real_f1(score) for score in self.fields.values()) / len(self.fields)

    def f1(self, name: str) -> float:
        return _real_f1(self.fields[name])

    def as_dict(self) -> dict[str, Any]:
        return {
            "part": self.part,
            "pages": self.pages,
            "mean_f1": round(self.mean_f1, 4),
            "fields": {
                name: {"f1": round(_real_f1(score), 4), "tp": score.true_positives, "fp": score.false_positives,
                       "fn": score.false_negatives}
                for name, score in self.fields.items()
            },
            "mistakes": self.mistakes,
        }


def read_real_pages(directory: Path) -> list[tuple[dict[str, Any], str, str]]:
    """(label, url, text) per page of a real-page folder; KapdirError when it is not one."""
    labels_path = directory / "labels.jsonl"
    if not labels_path.is_file():
        raise KapdirError(f"{directory} has no labels.jsonl (expected the layout of ../shared/realpages)")
    pages = []
    for number, line in enumerate(labels_path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            label = json.loads(line)
            page_path = directory / "pages" / f"{label['id']}.txt"
            raw = page_path.read_text(encoding="utf-8")
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise KapdirError(f"labels.jsonl line {number} is not a page label: {exc}") from exc
        except OSError as exc:
            raise KapdirError(f"labels.jsonl line {number}: cannot read its page: {exc.strerror}") from exc
        head, _, body = raw.partition("\n\n")
        pages.append((label, head.replace("URL:", "").strip(), body))
    if not pages:
        raise KapdirError(f"{labels_path} is empty")
    return pages


EXTRA = "extra"  # a second hand-labelled folder beside the first (DIR-extra): all of it is development material


def extra_folder(directory: str | Path) -> Path | None:
    """The extra real-page folder that sits beside DIR (`../shared/realpages-extra` for `../shared/realpages`)."""
    directory = Path(directory)
    extra = directory.parent / f"{directory.name}-extra"
    return extra if (extra / "labels.jsonl").is_file() else None


def _score_real(directory: Path, part_of, shown: set[str]) -> dict[str, RealReport]:
    """Score every page of a real-page folder into the report of its part (and 'all'); mistakes of the parts in
    `shown` are recorded, the others only counted."""
    reports: dict[str, RealReport] = {}
    for label, url, text in read_real_pages(directory):
        got = facts_to_json(extract_page(text.encode("utf-8"), url=url, content_type="text/plain"))
        part = part_of(label.get("url") or url)
        try:
            items = real_items(str(label["id"]), label, got)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise KapdirError(f"label {label['id']} is not in the labelling conventions: bad or missing {exc}") from exc
        for name in {part, "all"}:
            report = reports.setdefault(name, RealReport(name, 0, {field: FieldScore() for field in REAL_FIELDS}))
            report.pages += 1
            for field_name, (found, expected) in items.items():
                score = report.fields[field_name]
                score.true_positives += len(found & expected)
                score.false_positives += len(found - expected)
                score.false_negatives += len(expected - found)
        if part in shown:
            for field_name, (found, expected) in items.items():
                if found != expected:
                    reports[part].mistakes.append({"page": label["id"], "field": field_name,
                                                   "missed": sorted(map(str, expected - found)),
                                                   "extra": sorted(map(str, found - expected))})
    return reports


def evaluate_real(directory: str | Path, with_extra: bool = False) -> dict[str, RealReport]:
    """The dev and test parts of a real-page folder (split by URL hash, realsplit.py), scored separately, and
    'all'. Each page is extracted as plain text with its URL, as `kapdir extract page.txt --url URL` does. With
    `with_extra`, the folder beside it named DIR-extra, when present, is scored whole as part 'extra'."""
    directory = Path(directory)
    if not directory.is_dir():
        raise KapdirError(f"no real-page folder at {directory}")
    scored = _score_real(directory, real_split, shown={DEV})  # the test part is scored, never read
    reports = {part: scored.get(part) or RealReport(part, 0, {name: FieldScore() for name in REAL_FIELDS})
               for part in (DEV, TEST, "all")}
    extra = extra_folder(directory) if with_extra else None
    if extra is not None:
        reports[EXTRA] = _score_real(extra, lambda _url: EXTRA, shown={EXTRA})[EXTRA]
    return reports


def real_eval_command(directory: str | Path, as_json: bool = False) -> None:
    """`kapdir eval --real DIR`: per-field F1 on the dev and test parts of a real-page folder, and on the extra
    folder beside it (DIR-extra, all development) when present."""
    reports = evaluate_real(directory, with_extra=True)
    if as_json:
        print(json.dumps({part: report.as_dict() for part, report in reports.items()}, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    def table_of(title: str, columns: list[tuple[str, RealReport]]) -> Table:
        table = Table(title=title)
        table.add_column("field")
        for heading, report in columns:
            table.add_column(f"{heading} ({report.pages} pages)", justify="right")
        for name in REAL_FIELDS:
            table.add_row(name, *(f"{report.f1(name):.2f}" for _, report in columns))
        table.add_row("mean", *(f"{report.mean_f1:.3f}" for _, report in columns))
        return table

    console = Console()
    parts = [(part, reports[part]) for part in (DEV, TEST, "all") if reports[part].pages]
    console.print(table_of(f"Extraction on real pages in {directory} (F1 per field, micro over pages)", parts))
    if EXTRA in reports:
        console.print(table_of(f"Extraction on real pages in {extra_folder(directory)}",
                               [("extra (all development)", reports[EXTRA])]))
