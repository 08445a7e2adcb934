"""The credential taxonomy: post-nominal codes as data (directory/data/credentials.csv) with one lookup.

Post-nominals are a tiny language: "LCPC" and "LPC" are one license class under two state titles, "PhD" is a
degree and "NCC" a national certification. The table says which is which; `lookup` normalises the way sites
write codes ("L.P.C.", "Ph.D.", "PMHNP–BC", "Licensed Clinical Social Worker").
"""

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from directory.vocab import PRESCRIBING_CLASSES, CredentialKind, LicenseClass, Role

TABLE_PATH = Path(__file__).resolve().parent.parent / "data" / "credentials.csv"

_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_DROPPED = re.compile(r"[.\s]+")


@dataclass(frozen=True)
class CredentialInfo:
    code: str  # canonical code, e.g. "LCPC", "PhD", "Licensed Psychologist"
    kind: CredentialKind
    license_class: LicenseClass | None
    issuer: str
    states: tuple[str, ...]  # where this is the state's own title (empty: used widely or not state-specific)
    aliases: tuple[str, ...]
    notes: str

    @property
    def is_license(self) -> bool:
        return self.kind is CredentialKind.STATE_LICENSE


def normalise_code(text: str) -> str:
    """A comparison key for a code as written: 'L.P.C.' -> 'LPC', 'Ph.D.' -> 'PHD'. Idempotent."""
    text = _DASHES.sub("-", text.replace("&", " and "))
    return _DROPPED.sub("", text).upper().strip("-,;:")


@lru_cache(maxsize=1)
def load_table() -> tuple[CredentialInfo, ...]:
    with TABLE_PATH.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(
        CredentialInfo(
            code=row["code"].strip(),
            kind=CredentialKind(row["kind"].strip()),
            license_class=LicenseClass(row["license_class"]) if row["license_class"].strip() else None,
            issuer=row["issuer"].strip(),
            states=tuple(s for s in row["states"].split("|") if s),
            aliases=tuple(a.strip() for a in row["aliases"].split("|") if a.strip()),
            notes=row["notes"].strip(),
        )
        for row in rows
    )


@lru_cache(maxsize=1)
def _index() -> dict[str, CredentialInfo]:
    index: dict[str, CredentialInfo] = {}
    for info in load_table():
        for written in (info.code, *info.aliases):
            index.setdefault(normalise_code(written), info)
    # Codes are also written without their hyphen ("LPCS", "PAC"): add those keys when unambiguous.
    for key, info in list(index.items()):
        index.setdefault(key.replace("-", ""), info)
    return index


def lookup(code: str) -> CredentialInfo | None:
    """The taxonomy entry for a code or spelled-out title as a site writes it; None if unknown."""
    if not code:
        return None
    key = normalise_code(code)
    info = _index().get(key)
    if info is None and "-" in key and len(key) <= 14:
        # a supervisor or level suffix on a known title ("LMHC-QS", "LPCC-S"): the title it qualifies
        base = _index().get(key.split("-", 1)[0])
        if base is not None and base.kind is CredentialKind.STATE_LICENSE:
            return base
    return info


def all_codes() -> list[str]:
    return [info.code for info in load_table()]


def role_for(codes: list[str]) -> Role:
    """Prescriber if any credential belongs to a prescribing class; nurse if only nursing; else therapist."""
    infos = [info for info in (lookup(code) for code in codes) if info is not None]
    classes = {info.license_class for info in infos if info.license_class is not None}
    if classes & PRESCRIBING_CLASSES:
        return Role.PRESCRIBER
    if classes == {LicenseClass.REGISTERED_NURSE}:
        return Role.NURSE
    return Role.THERAPIST
