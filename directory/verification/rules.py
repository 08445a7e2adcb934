"""Interstate authorities as data (directory/data/compacts.toml): who may serve a state on what evidence.

The engine asks ``authorities()`` which rules exist and ``Authority.covers(...)`` whether one applies to a
claim; nothing about a particular compact is written in code.
"""

import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import us

from directory.errors import KapdirError
from directory.vocab import LicenseClass, RecordKind, ServiceMode, Verdict

COMPACTS_FILE = Path(__file__).resolve().parent.parent / "data" / "compacts.toml"

EVIDENCE_KINDS = frozenset({"privilege_in_state", "authority_anywhere", "multistate_license", "none"})
_FIELDS = frozenset(
    {
        "name", "citation", "operational", "operational_since", "evidence", "record_kind", "verdict",
        "license_classes", "in_person", "virtual", "prescribing", "members", "members_citation",
        "member_from", "issuing", "issuing_citation",
    }
)


def is_usps_code(code: str) -> bool:
    found = us.states.lookup(code) if isinstance(code, str) and len(code) == 2 and code.isupper() else None
    return found is not None and found.abbr == code


@dataclass(frozen=True)
class Authority:
    key: str
    name: str
    citation: str
    operational: bool
    evidence: str
    record_kind: RecordKind
    verdict: Verdict
    license_classes: frozenset[LicenseClass]
    modes: frozenset[ServiceMode]
    members: frozenset[str]
    member_from: dict[str, date] = field(default_factory=dict)
    issuing: dict[str, date] | None = None  # None: every member issues once operational
    operational_since: date | None = None

    def is_member(self, state: str, on: date) -> bool:
        return state in self.members and self.member_from.get(state, date.min) <= on

    def issues_in(self, state: str, on: date) -> bool:
        """Whether the authority actually grants something for a client in `state` on that day."""
        if not self.operational or self.evidence == "none":
            return False
        if self.operational_since and on < self.operational_since:
            return False
        if not self.is_member(state, on):
            return False
        if self.issuing is None:
            return True
        return state in self.issuing and self.issuing[state] <= on

    def covers(self, *, state: str, mode: ServiceMode, license_class: str | None, on: date) -> bool:
        return (
            mode in self.modes
            and (license_class is None or license_class in self.license_classes)
            and self.issues_in(state, on)
        )


def _dates(raw: object, where: str) -> dict[str, date]:
    if not isinstance(raw, dict):
        raise KapdirError(f"{where}: expected a table of STATE = date")
    out: dict[str, date] = {}
    for state, when in raw.items():
        if not is_usps_code(state) or not isinstance(when, date):
            raise KapdirError(f"{where}: {state!r} = {when!r} is not a USPS code and a date")
        out[state] = when
    return out


def _authority(key: str, raw: dict) -> Authority:
    where = f"compacts.toml [authorities.{key}]"
    unknown = set(raw) - _FIELDS
    if unknown:
        raise KapdirError(f"{where}: unknown keys {sorted(unknown)}")
    try:
        evidence = raw["evidence"]
        if evidence not in EVIDENCE_KINDS:
            raise KapdirError(f"{where}: evidence {evidence!r} is not one of {sorted(EVIDENCE_KINDS)}")
        members = list(raw.get("members", []))
        bad = [state for state in members if not is_usps_code(state)]
        if bad:
            raise KapdirError(f"{where}: members {bad} are not USPS codes")
        modes = {mode for mode in ServiceMode if raw.get(mode.value, False)}
        issuing = _dates(raw["issuing"], f"{where} issuing") if "issuing" in raw else None
        if issuing is not None and not set(issuing) <= set(members):
            raise KapdirError(f"{where}: issuing states {sorted(set(issuing) - set(members))} are not members")
        since = raw.get("operational_since")
        if since is not None and not isinstance(since, date):
            raise KapdirError(f"{where}: operational_since must be a date")
        return Authority(
            key=key,
            name=raw["name"],
            citation=raw["citation"],
            operational=bool(raw["operational"]),
            evidence=evidence,
            record_kind=RecordKind(raw["record_kind"]),
            verdict=Verdict(raw["verdict"]),
            license_classes=frozenset(LicenseClass(value) for value in raw["license_classes"]),
            modes=frozenset(modes),
            members=frozenset(members),
            member_from=_dates(raw.get("member_from", {}), f"{where} member_from"),
            issuing=issuing,
            operational_since=since,
        )
    except KeyError as exc:
        raise KapdirError(f"{where}: missing key {exc.args[0]!r}") from exc
    except ValueError as exc:  # an unknown enum value
        raise KapdirError(f"{where}: {exc}") from exc


def load_authorities(path: Path = COMPACTS_FILE) -> tuple[Authority, ...]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise KapdirError(f"cannot read {path}: {exc}") from exc
    table = data.get("authorities")
    if not isinstance(table, dict) or not table:
        raise KapdirError(f"{path}: no [authorities.*] tables")
    return tuple(_authority(key, raw) for key, raw in table.items())


@lru_cache
def authorities() -> tuple[Authority, ...]:
    return load_authorities()


def granting(record_kind: str, evidence: str | None = None) -> list[Authority]:
    """Operational authorities proven by records of this kind (and evidence style, if given)."""
    return [
        authority
        for authority in authorities()
        if authority.operational
        and authority.record_kind == record_kind
        and authority.evidence != "none"
        and (evidence is None or authority.evidence == evidence)
    ]
