"""Evaluation on the labelled set: precision, recall and F1 per field (set-based per page, micro-averaged).

Each page `NAME.html` or `NAME.txt` has a label `NAME.json` in the `kapdir extract` shape (without url and
evidence). Every field becomes a set of comparable items per page (a clinician is a normalised name, a
credential is (name, code), a state is (state, in_person, virtual), a yes/no field is {value} when said); true
positives, false positives and false negatives are summed over all pages before precision and recall.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from directory.errors import KapdirError
from directory.extraction.geography import city_key
from directory.extraction.merge import person_key
from directory.extraction.output import SUPPORTED_SUFFIXES, extract_file
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
