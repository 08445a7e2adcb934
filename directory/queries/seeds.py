"""Admin: the crawl seed list. Every seed URL is judged by the one validator, directory.egress.validate_seed."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from directory.egress import Policy, validate_seed
from directory.errors import KapdirError
from directory.models import Seed


@dataclass
class SeedRow:
    id: int
    url: str
    origin: str
    active: bool
    added_at: datetime
    listing_url: str | None = None

    @property
    def awaiting_approval(self) -> bool:
        """Seeds found on a listing stay off until an admin approves them."""
        return self.origin == "listing" and not self.active


def _row(seed: Seed) -> SeedRow:
    return SeedRow(id=seed.id, url=seed.url, origin=seed.origin, active=seed.active, added_at=seed.added_at,
                   listing_url=seed.listing_url)


def list_seeds(session: Session) -> list[SeedRow]:
    return [_row(s) for s in session.exec(select(Seed).order_by(Seed.url)).all()]


def add_seed(session: Session, *, url: str, origin: str = "admin", policy: Policy | None = None) -> SeedRow:
    clean = validate_seed(url, policy)
    existing = session.exec(select(Seed).where(Seed.url == clean)).first()
    if existing is not None:
        raise KapdirError(f"seed {clean} is already in the list")
    seed = Seed.model_validate({"url": clean, "origin": origin, "active": True})
    session.add(seed)
    session.commit()
    session.refresh(seed)
    return _row(seed)


def set_seed_active(session: Session, *, seed_id: int, active: bool, policy: Policy | None = None) -> None:
    """Turn a seed on or off; turning one on (approving a listing's find) checks it again, with DNS."""
    seed = session.get(Seed, seed_id)
    if seed is None:
        raise KapdirError(f"no seed with id {seed_id}")
    if active:
        validate_seed(seed.url, policy)
    seed.active = active
    session.add(seed)
    session.commit()
