"""States, modes and places: the offline ZIP table of the `zipcodes` package."""

import math
from dataclasses import dataclass
from functools import lru_cache

import us
import zipcodes

from directory.errors import KapdirError
from directory.vocab import (
    ServiceMode,
)


def state_name(code: str | None) -> str:
    found = us.states.lookup(code) if code else None
    return found.name if found else (code or "")


def state_codes() -> list[str]:
    """USPS codes of the states plus DC, sorted by name (what the "I am in" selector offers)."""
    # us.states.STATES is the 50 states; DC is added once (some `us` versions also list it among territories).
    states = [*us.states.STATES, us.states.DC]
    return [s.abbr for s in sorted(states, key=lambda s: s.name)]


def _require_state(state: str) -> str:
    code = (state or "").strip().upper()
    if code not in set(state_codes()):
        raise KapdirError(f"unknown state {state[:20]!r}: use a two-letter code such as FL")
    return code


def _require_mode(mode: str) -> str:
    try:
        return ServiceMode(mode).value
    except ValueError:
        raise KapdirError(f"unknown mode {str(mode)[:20]!r}: use in_person or virtual") from None


# --- places: the offline ZIP table of the `zipcodes` package ------------------------------------


@dataclass(frozen=True)
class Place:
    label: str
    lat: float
    lon: float


@lru_cache(maxsize=1)
def _zip_table() -> dict[str, tuple[float, float, str, str]]:
    table = {}
    for row in zipcodes.list_all():
        if row.get("lat") and row.get("long"):
            table[row["zip_code"]] = (float(row["lat"]), float(row["long"]), row["city"], row["state"])
    return table


def zip_point(zip_code: str | None) -> tuple[float, float] | None:
    found = _zip_table().get((zip_code or "").strip()[:5])
    return (found[0], found[1]) if found else None


def find_place(text: str, *, state: str) -> Place:
    """A ZIP code, or a city in `state`, to a point. Unknown places are a one-line error."""
    query = (text or "").strip()
    if not query:
        raise KapdirError("enter a city or a 5-digit ZIP code")
    if query[:5].isdigit():
        found = _zip_table().get(query[:5])
        if found is None:
            raise KapdirError(f"unknown ZIP code {query[:5]!r}")
        return Place(f"{found[2]}, {found[3]} {query[:5]}", found[0], found[1])
    city = query.split(",")[0].strip().lower()
    points = [(lat, lon) for lat, lon, c, st in _zip_table().values() if st == state and c.lower() == city]
    if not points:
        raise KapdirError(f"no city called {query[:60]!r} in {state_name(state)}")
    lat = sum(p[0] for p in points) / len(points)
    lon = sum(p[1] for p in points) / len(points)
    return Place(f"{query.split(',')[0].strip().title()}, {state}", lat, lon)


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    radius_miles = 3958.8
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * radius_miles * math.asin(math.sqrt(a))
