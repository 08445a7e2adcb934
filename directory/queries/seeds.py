"""Admin: the crawl seed list."""

import ipaddress
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlmodel import Session, select

from directory.errors import KapdirError
from directory.models import (
    Seed,
)

_DEMO_ONLY_SUFFIXES = (".example", ".test", ".invalid", ".localhost", ".local", ".internal", ".lan", ".home.arpa")


def validate_seed_url(url: str, *, demo_mode: bool) -> str:
    """A seed must be an http(s) URL of a public host; private and loopback hosts only in demo mode.

    The check is DNS-free on purpose: it judges the URL as written (an IP literal or a host name).
    """
    text = (url or "").strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in {"http", "https"}:
        raise KapdirError(f"seed must be an http or https URL, not {parts.scheme or 'no scheme'!r}")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise KapdirError("seed URL has no host")
    if parts.username or parts.password:
        raise KapdirError("seed URL must not carry a user name or password")
    try:
        port = parts.port
    except ValueError:
        raise KapdirError("seed URL has an invalid port") from None
    address = _ip_literal(host)
    if address is not None:
        if not address.is_global and not demo_mode:
            raise KapdirError(f"seed host {host} is a private, loopback or reserved address")
    elif host == "localhost" or host.endswith(_DEMO_ONLY_SUFFIXES):
        if not demo_mode:
            raise KapdirError(f"seed host {host} is not a public host (allowed only in demo mode)")
    elif "." not in host or not host.rsplit(".", 1)[1].isalpha():
        raise KapdirError(f"seed host {host!r} is not a public host name")
    netloc = host if port is None else f"{host}:{port}"
    if ":" in host:
        netloc = f"[{host}]" if port is None else f"[{host}]:{port}"
    return f"{parts.scheme.lower()}://{netloc}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    # Numeric hosts in forms browsers and resolvers still accept (2130706433, 0x7f.1, 127.1) are addresses.
    pieces = host.split(".")
    if all(p and (p.isdigit() or (p.startswith("0x") and all(c in "0123456789abcdef" for c in p[2:]))) for p in pieces):
        try:
            return ipaddress.ip_address(_inet_aton(pieces))
        except ValueError:
            return ipaddress.ip_address("0.0.0.0")  # unparseable numeric host: treat as reserved
    return None


def _inet_aton(pieces: list[str]) -> int:
    numbers = [int(p, 16) if p.startswith("0x") else int(p, 8) if len(p) > 1 and p.startswith("0") else int(p)
               for p in pieces]
    if len(numbers) > 4:
        raise ValueError("too many parts")
    value = 0
    for number in numbers[:-1]:
        if number > 255:
            raise ValueError("part too large")
        value = value * 256 + number
    last_bits = 8 * (5 - len(numbers))
    if numbers[-1] >= 2**last_bits:
        raise ValueError("last part too large")
    return (value << last_bits) | numbers[-1]


@dataclass
class SeedRow:
    id: int
    url: str
    origin: str
    active: bool
    added_at: datetime


def list_seeds(session: Session) -> list[SeedRow]:
    seeds = session.exec(select(Seed).order_by(Seed.url)).all()
    return [SeedRow(id=s.id, url=s.url, origin=s.origin, active=s.active, added_at=s.added_at) for s in seeds]


def add_seed(session: Session, *, url: str, demo_mode: bool, origin: str = "admin") -> SeedRow:
    clean = validate_seed_url(url, demo_mode=demo_mode)
    existing = session.exec(select(Seed).where(Seed.url == clean)).first()
    if existing is not None:
        raise KapdirError(f"seed {clean} is already in the list")
    seed = Seed.model_validate({"url": clean, "origin": origin, "active": True})
    session.add(seed)
    session.commit()
    session.refresh(seed)
    return SeedRow(id=seed.id, url=seed.url, origin=seed.origin, active=seed.active, added_at=seed.added_at)


def set_seed_active(session: Session, *, seed_id: int, active: bool) -> None:
    seed = session.get(Seed, seed_id)
    if seed is None:
        raise KapdirError(f"no seed with id {seed_id}")
    seed.active = active
    session.add(seed)
    session.commit()
