"""Watch lists: the practices someone follows, keyed by the name or e-mail they type (no accounts).

The name is matched without regard to case or surrounding spaces. Each list has a random feed token: its Atom
feed URL names the token, never the name or e-mail.
"""

import secrets
import unicodedata
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from directory.errors import KapdirError
from directory.models import Practice, WatchedPractice, WatchList

NAME_MAX = 200


@dataclass
class WatchSummary:
    name: str
    feed_token: str
    practice_ids: list[int]
    practices: list[str]


def watch_key(name: str) -> str:
    """The normalised key of a typed name or e-mail; raises KapdirError for an empty or unusable one."""
    text = unicodedata.normalize("NFKC", name or "").strip()
    if not text:
        raise KapdirError("a watch list needs a name or e-mail")
    if len(text) > NAME_MAX:
        raise KapdirError(f"a watch list name is at most {NAME_MAX} characters")
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise KapdirError("a watch list name must not contain control characters")
    return text.casefold()


def find_watch(session: Session, name: str) -> WatchList | None:
    return session.exec(select(WatchList).where(WatchList.key == watch_key(name))).first()


def get_watch(session: Session, name: str) -> WatchList:
    found = find_watch(session, name)
    if found is None:
        raise KapdirError(f"no watch list named {name.strip()!r}")
    return found


def watch_by_token(session: Session, token: str) -> WatchList | None:
    return session.exec(select(WatchList).where(WatchList.feed_token == token)).first()


def watched_practice_ids(session: Session, watch: WatchList) -> list[int]:
    query = select(WatchedPractice.practice_id).where(WatchedPractice.watch_list_id == watch.id)
    return sorted(session.exec(query))


def add_to_watch(session: Session, name: str, practice_ids: list[int]) -> WatchList:
    """Create the list if needed and add the practices (already watched ones are left as they are); commits."""
    key = watch_key(name)
    known = set(session.exec(select(Practice.id).where(col(Practice.id).in_(practice_ids))))
    missing = sorted(set(practice_ids) - known)
    if missing:
        raise KapdirError(f"no practice with id {', '.join(map(str, missing))}")
    watch = find_watch(session, name)
    if watch is None:
        watch = WatchList.model_validate({"name": name.strip(), "key": key, "feed_token": secrets.token_urlsafe(16)})
        session.add(watch)
        try:
            session.flush()
        except IntegrityError:  # created meanwhile by another tab or process: use that one
            session.rollback()
            watch = get_watch(session, name)
    have = set(watched_practice_ids(session, watch))
    for practice_id in sorted(set(practice_ids) - have):
        session.add(WatchedPractice.model_validate({"watch_list_id": watch.id, "practice_id": practice_id}))
    try:
        session.commit()
    except IntegrityError:  # the same practice added meanwhile: it is watched, which is what was asked
        session.rollback()
    session.refresh(watch)
    return watch


def remove_from_watch(session: Session, name: str, practice_ids: list[int]) -> int:
    """Stop watching these practices; returns how many were removed. The list itself stays (it may be empty)."""
    watch = get_watch(session, name)
    rows = session.exec(select(WatchedPractice).where(WatchedPractice.watch_list_id == watch.id,
                                                      col(WatchedPractice.practice_id).in_(practice_ids))).all()
    for row in rows:
        session.delete(row)
    session.commit()
    return len(rows)


def summarise(session: Session, watch: WatchList) -> WatchSummary:
    ids = watched_practice_ids(session, watch)
    names = dict(session.exec(select(Practice.id, Practice.name).where(col(Practice.id).in_(ids))).all()) if ids else {}
    return WatchSummary(name=watch.name, feed_token=watch.feed_token, practice_ids=ids,
                        practices=[names.get(i) or f"practice {i}" for i in ids])


def list_watches(session: Session) -> list[WatchSummary]:
    return [summarise(session, w) for w in session.exec(select(WatchList).order_by(WatchList.key))]


def watches_of_practices(session: Session) -> dict[int, list[str]]:
    """practice id -> names of the watch lists that include it (for the webhook's payload)."""
    out: dict[int, list[str]] = {}
    query = select(WatchedPractice.practice_id, WatchList.name).join(
        WatchList, col(WatchList.id) == WatchedPractice.watch_list_id).order_by(WatchList.key)
    for practice_id, name in session.exec(query):
        out.setdefault(practice_id, []).append(name)
    return out
