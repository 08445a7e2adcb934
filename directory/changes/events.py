"""Change events, derived on demand from records kapdir keeps anyway (never a second log of events).

| kind | derived from |
| --- | --- |
| ``new_problem``, ``expiry``, ``new_discipline``, ``exclusion``, ``verdict_changed`` | ``VerdictHistory``: a claim's
  verdict differs from its previous entry (grouped per clinician, verify run and before/after verdict) |
| ``state_verified``, ``state_lost`` | ``VerdictHistory``: the (state, mode) pairs some clinician of the practice is
  verified for, before and after a verify run (not on a practice's first verification) |
| ``practice_appeared`` | ``Practice.first_seen``; a ``Change`` "Site reachable again" |
| ``practice_vanished`` | ``Practice.gone_at``; a ``Change`` "Site unreachable ..." (``directory.store._mark_down``) |
| ``prices_changed``, ``states_changed`` | ``Fact`` rows (``prices_usd``, ``states``) valid before and after each crawl
  that recorded changes for the practice: a fact holds from its ``crawl_run_id`` until its ``superseded_at`` |

Each event has a stable ``id`` (the same records always give the same id: the webhook's "sent once" rests on it),
``before``, ``after``, ``when`` and ``why`` (the evidence: source, record, raw status, source URL, snippets).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, or_, select

from directory.models import Change, Clinician, Fact, Practice, VerdictHistory
from directory.vocab import Badge, Verdict, badge_for, verdict_label

# The wording directory.store writes into Change rows when a whole site stops or starts answering.
UNREACHABLE_PREFIX = "Site unreachable"
REACHABLE_AGAIN = "Site reachable again"
FIRST_CRAWLED = "First crawled"

KIND_LABELS = {
    "new_problem": "New problem",
    "expiry": "License expired",
    "new_discipline": "New discipline",
    "exclusion": "Exclusion",
    "verdict_changed": "Verdict changed",
    "state_verified": "State newly verified",
    "state_lost": "State no longer verified",
    "practice_appeared": "Practice appeared",
    "practice_vanished": "Practice vanished",
    "prices_changed": "Prices changed",
    "states_changed": "State list changed",
}
EVENT_KINDS = tuple(KIND_LABELS)
MODE_WORDS = {"in_person": "in person", "virtual": "virtual", "prescribing": "prescribing"}
_BADGE_RANK = {Badge.VERIFIED: 0, Badge.UNVERIFIED: 1, Badge.WARNING: 2, Badge.PROBLEM: 3}
EVIDENCE_KEYS = ("source", "record_id", "license_number", "raw_status", "expires", "source_as_of", "source_url",
                 "title", "holder_name", "discipline")


@dataclass
class Event:
    id: str
    kind: str
    practice_id: int
    practice: str  # the practice's name (crawled text: escape it wherever it is shown)
    when: datetime
    summary: str
    before: Any = None
    after: Any = None
    why: dict[str, Any] = field(default_factory=dict)
    clinician: str | None = None
    state: str | None = None
    mode: str | None = None

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["when"] = self.when.isoformat(timespec="seconds")
        data["label"] = self.label
        return data


def derive_events(session: Session, *, since: datetime | None = None,
                  practice_ids: Iterable[int] | None = None) -> list[Event]:
    """Every change event (newest first), optionally only those at or after ``since`` and of these practices."""
    wanted = None if practice_ids is None else set(practice_ids)
    if wanted is not None and not wanted:
        return []
    practices = {p.id: p for p in _rows(session, select(Practice), Practice.id, wanted)}
    events = [*_practice_events(session, practices, wanted), *_verdict_events(session, practices, since, wanted),
              *_crawl_fact_events(session, practices, since, wanted)]
    events = [e for e in events if since is None or e.when >= since]
    events.sort(key=lambda e: (e.when, e.id), reverse=True)
    return events


def _rows(session: Session, query, column, wanted: set[int] | None) -> list:
    if wanted is not None:
        query = query.where(col(column).in_(sorted(wanted)))
    return list(session.exec(query))


def _name(practice: Practice | None) -> str:
    if practice is None:
        return "(unknown practice)"
    return practice.name or practice.key


# --- practices appearing and vanishing ------------------------------------------------------------


def _practice_events(session: Session, practices: dict[int, Practice], wanted: set[int] | None) -> list[Event]:
    events = []
    for practice in practices.values():
        events.append(Event(
            id=f"appeared:{practice.id}", kind="practice_appeared", practice_id=practice.id,
            practice=_name(practice), when=practice.first_seen, before=None, after=practice.website,
            summary=f"{_name(practice)} was found and crawled for the first time",
            why={"source_url": practice.website}))
        if practice.gone_at is not None:
            events.append(Event(
                id=f"vanished:{practice.id}:{practice.gone_at:%Y%m%dT%H%M%S}", kind="practice_vanished",
                practice_id=practice.id, practice=_name(practice), when=practice.gone_at, before="listed",
                after="removed", summary=f"{_name(practice)} was removed from the directory",
                why={"source_url": practice.website}))
    query = select(Change).where(or_(col(Change.description).startswith(UNREACHABLE_PREFIX),
                                     Change.description == REACHABLE_AGAIN))
    for change in _rows(session, query, Change.practice_id, wanted):
        practice = practices.get(change.practice_id)
        down = change.description.startswith(UNREACHABLE_PREFIX)
        events.append(Event(
            id=f"{'unreachable' if down else 'reachable'}:{change.id}",
            kind="practice_vanished" if down else "practice_appeared", practice_id=change.practice_id,
            practice=_name(practice), when=change.at,
            before="reachable" if down else "unreachable", after="unreachable" if down else "reachable",
            summary=(f"{_name(practice)}'s website stopped answering; its last good facts are kept" if down
                     else f"{_name(practice)}'s website answers again"),
            why={"crawl": change.description, "crawl_run_id": change.crawl_run_id,
                 "source_url": practice.website if practice else None}))
    return events


# --- verdict changes ----------------------------------------------------------------------------


def _classify(before: str | None, after: str) -> str | None:
    """The event kind of a claim's verdict going from ``before`` (None: a new claim) to ``after``."""
    if before == after:
        return None
    if after == Verdict.EXPIRED:
        return "expiry"
    if after in (Verdict.EXCLUDED, Verdict.POSSIBLE_EXCLUSION):
        return "exclusion"
    if after in (Verdict.SUSPENDED_OR_REVOKED, Verdict.VERIFIED_WITH_DISCIPLINE):
        return "new_discipline"
    after_rank = _BADGE_RANK[badge_for(after)]
    if after_rank >= _BADGE_RANK[Badge.WARNING] and (before is None or after_rank > _BADGE_RANK[badge_for(before)]):
        return "new_problem"
    return "verdict_changed" if before is not None else None  # a new claim's plain verdict is no change


def _mode_text(mode: str | None) -> str:
    return MODE_WORDS.get(mode or "", mode or "")


def _scope(row: VerdictHistory) -> str:
    if row.claim_kind == "credential":
        return f"credential {row.credential_code or ''}".strip()
    return " ".join(filter(None, [row.state, _mode_text(row.mode)]))


def _why(row: VerdictHistory) -> dict[str, Any]:
    evidence = row.evidence or {}
    why = {key: evidence[key] for key in EVIDENCE_KEYS if evidence.get(key) not in (None, "")}
    why.update({"basis": row.basis, "checked_at": row.checked_at.isoformat(timespec="seconds"),
                "verify_run_id": row.verify_run_id})
    return why


def _run_key(row: VerdictHistory) -> tuple:
    return (row.recorded_at, row.verify_run_id or 0)


def _verdict_events(session: Session, practices: dict[int, Practice], since: datetime | None,
                    wanted: set[int] | None) -> list[Event]:
    query = select(VerdictHistory).order_by(VerdictHistory.recorded_at, VerdictHistory.id)
    if since is not None:  # only practices with history since then; their earlier rows give the "before"
        recent = select(VerdictHistory.practice_id).where(VerdictHistory.recorded_at >= since).distinct()
        query = query.where(col(VerdictHistory.practice_id).in_(recent))
    rows = _rows(session, query, VerdictHistory.practice_id, wanted)
    names = dict(session.exec(select(Clinician.id, Clinician.name).where(
        col(Clinician.id).in_(sorted({row.clinician_id for row in rows})))).all()) if rows else {}
    by_practice: dict[int, list[VerdictHistory]] = defaultdict(list)
    for row in rows:
        by_practice[row.practice_id].append(row)
    events: list[Event] = []
    for practice_id, history in by_practice.items():
        events += _practice_verdict_events(practices.get(practice_id), practice_id, history, names)
    return events


def _practice_verdict_events(practice: Practice | None, practice_id: int, history: list[VerdictHistory],
                             names: dict[int, str]) -> list[Event]:
    runs: dict[tuple, list[VerdictHistory]] = defaultdict(list)
    for row in history:
        runs[_run_key(row)].append(row)
    current: dict[str, VerdictHistory] = {}
    events: list[Event] = []
    for run_number, key in enumerate(sorted(runs)):
        run = runs[key]
        verified_before = _verified_pairs(current)
        groups: dict[tuple, list[tuple[VerdictHistory | None, VerdictHistory]]] = defaultdict(list)
        for row in run:
            previous = current.get(row.claim_key)
            before = previous.verdict if previous is not None and previous.event != "retired" else None
            current[row.claim_key] = row
            if row.event == "retired" or run_number == 0:
                continue  # a vanished claim shows as a state list change / state lost; the first run is the start
            kind = _classify(before, row.verdict)
            if kind:
                groups[(row.clinician_id, before, row.verdict, row.license_record_id, kind)].append((previous, row))
        for (clinician_id, before, after, _record, kind), pairs in groups.items():
            events.append(_verdict_event(practice, practice_id, names.get(clinician_id), kind, before, after, pairs))
        if run_number == 0:
            continue
        verified_after = _verified_pairs(current)
        when = run[0].recorded_at
        for state, mode in sorted(verified_after - verified_before):
            events.append(_state_event(practice, practice_id, "state_verified", state, mode, when, run, current))
        for state, mode in sorted(verified_before - verified_after):
            events.append(_state_event(practice, practice_id, "state_lost", state, mode, when, run, current))
    return events


def _verified_pairs(current: dict[str, VerdictHistory]) -> set[tuple[str, str]]:
    return {(row.state, row.mode) for row in current.values()
            if row.event != "retired" and row.claim_kind != "credential" and row.state and row.mode
            and badge_for(row.verdict) == Badge.VERIFIED}


def _verdict_event(practice, practice_id, clinician, kind, before, after, pairs) -> Event:
    rows = [row for _previous, row in pairs]
    first = rows[0]
    scopes = ", ".join(dict.fromkeys(_scope(row) for row in rows))
    who = clinician or "a clinician"
    summary = f"{who} ({scopes}): {verdict_label(before) if before else 'new claim'} -> {verdict_label(after)}"
    why = _why(first)
    why["claims"] = [row.claim_key for row in rows]
    previous = pairs[0][0]
    if previous is not None:
        why["before_evidence"] = {k: v for k, v in (previous.evidence or {}).items() if k in EVIDENCE_KEYS}
    return Event(
        id=f"verdict:{min(row.id for row in rows)}", kind=kind, practice_id=practice_id, practice=_name(practice),
        when=first.recorded_at, summary=summary, before=before, after=after, why=why, clinician=clinician,
        state=first.state if len({row.state for row in rows}) == 1 else None,
        mode=first.mode if len(rows) == 1 else None)


def _state_event(practice, practice_id, kind, state, mode, when, run, current) -> Event:
    verified = kind == "state_verified"
    behind = [row for row in run if row.state == state and row.mode == mode] or \
        [row for row in current.values() if row.state == state and row.mode == mode]
    why = _why(behind[0]) if behind else {}
    if not verified and behind and behind[0].event == "retired":
        why["basis"] = "The site no longer claims this; " + (why.get("basis") or "")
    run_id = run[0].verify_run_id or f"{when:%Y%m%dT%H%M%S}"
    word = "now verified" if verified else "no longer verified"
    return Event(
        id=f"state:{practice_id}:{run_id}:{state}:{mode}:{'verified' if verified else 'lost'}", kind=kind,
        practice_id=practice_id, practice=_name(practice), when=when,
        summary=f"{_name(practice)}: {state} ({_mode_text(mode)}) {word}",
        before="not verified" if verified else "verified", after="verified" if verified else "not verified",
        why=why, state=state, mode=mode)


# --- prices and state lists, from the crawl's facts ------------------------------------------------

FACT_FIELDS = {"prices_usd": "prices_changed", "states": "states_changed"}


def _fact_value(field_name: str, value: Any) -> str | None:
    if field_name == "states":
        state = value.get("state") if isinstance(value, dict) else value
        return state if isinstance(state, str) and state else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"${value:,.0f}" if float(value).is_integer() else f"${value:,.2f}"
    return None


def _crawl_fact_events(session: Session, practices: dict[int, Practice], since: datetime | None,
                       wanted: set[int] | None) -> list[Event]:
    """One event per practice, crawl and field whose set of values differs before and after that crawl."""
    query = select(Change.practice_id, Change.crawl_run_id, Change.at).where(
        col(Change.crawl_run_id).is_not(None), Change.description != FIRST_CRAWLED).distinct()
    if since is not None:
        query = query.where(Change.at >= since)
    points = _rows(session, query, Change.practice_id, wanted)
    if not points:
        return []
    facts_by_practice: dict[int, list[Fact]] = defaultdict(list)
    fact_query = select(Fact).where(col(Fact.field).in_(list(FACT_FIELDS)),
                                    col(Fact.practice_id).in_(sorted({p[0] for p in points})))
    for fact in session.exec(fact_query):
        facts_by_practice[fact.practice_id].append(fact)
    events = []
    for practice_id, run_id, at in points:
        facts = facts_by_practice.get(practice_id, [])
        if not any(f.crawl_run_id is not None and f.crawl_run_id < run_id for f in facts):
            continue  # the practice's first crawl with facts: its "appeared" event covers it
        for field_name, kind in FACT_FIELDS.items():
            event = _fact_change(practices.get(practice_id), practice_id, run_id, at, field_name, kind,
                                 [f for f in facts if f.field == field_name])
            if event is not None:
                events.append(event)
    return events


def _fact_change(practice, practice_id, run_id, at, field_name, kind, facts: list[Fact]) -> Event | None:
    def run_of(fact: Fact) -> int:
        return fact.crawl_run_id if fact.crawl_run_id is not None else 0

    held_before = [f for f in facts if run_of(f) < run_id and (f.superseded_at is None or f.superseded_at >= at)]
    held_after = [f for f in facts if run_of(f) <= run_id and (f.superseded_at is None or f.superseded_at > at)]
    before = {v for f in held_before if (v := _fact_value(field_name, f.value))}
    after = {v for f in held_after if (v := _fact_value(field_name, f.value))}
    if before == after:
        return None
    order = _state_order if field_name == "states" else _price_order
    added, removed = sorted(after - before, key=order), sorted(before - after, key=order)
    evidence = [f for f in held_after if run_of(f) == run_id and _fact_value(field_name, f.value) in added]
    evidence += [f for f in held_before if f.superseded_at == at and _fact_value(field_name, f.value) in removed]
    what = "prices" if field_name == "prices_usd" else "states"
    parts = [f"now lists {', '.join(added)}" if added else "", f"no longer lists {', '.join(removed)}" if removed
             else ""]
    return Event(
        id=f"{what}:{practice_id}:{run_id}", kind=kind, practice_id=practice_id, practice=_name(practice), when=at,
        summary=f"{_name(practice)} {' and '.join(filter(None, parts))} ({what})",
        before=sorted(before, key=order), after=sorted(after, key=order),
        why={"crawl_run_id": run_id, "added": added, "removed": removed,
             "evidence": [{"value": _fact_value(field_name, f.value), "snippet": f.snippet,
                           "source_url": f.source_url, "stated": f.superseded_at is None or f.superseded_at > at}
                          for f in _unique(evidence)][:20]})


def _unique(facts: list[Fact]) -> list[Fact]:
    seen, out = set(), []
    for fact in facts:
        key = (repr(fact.value), fact.snippet, fact.source_url)
        if key not in seen:
            seen.add(key)
            out.append(fact)
    return out


def _state_order(value: str) -> str:
    return value


def _price_order(value: str) -> float:
    try:
        return float(value.lstrip("$").replace(",", ""))
    except ValueError:
        return 0.0
