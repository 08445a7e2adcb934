"""US states, cities and counties: names, USPS codes and the offline indexes that tie a city or county to a state.

State names and codes come from the `us` package; city and county names from the `zipcodes` package (built
once, lazily, on first use).
"""

import re
from functools import lru_cache

import us
import zipcodes

STATE_BY_NAME: dict[str, str] = {state.name: state.abbr for state in us.states.STATES}
STATE_BY_NAME["District of Columbia"] = "DC"
STATE_CODES: frozenset[str] = frozenset(STATE_BY_NAME.values())
NAME_BY_CODE: dict[str, str] = {code: name for name, code in STATE_BY_NAME.items()}

_NON_LETTERS = re.compile(r"[^a-z ]+")


def normalise_state(text: str | None) -> str | None:
    """'virginia', 'Va', 'VA', 'Washington, D.C.' -> USPS code; None if not a state. Idempotent on its output."""
    if not text:
        return None
    cleaned = text.strip().strip(".,;:")
    if cleaned.upper() in STATE_CODES and len(cleaned) == 2:
        return cleaned.upper()
    key = " ".join(_NON_LETTERS.sub(" ", cleaned.lower()).split())
    if key in {"washington dc", "washington d c", "dc", "d c", "district of columbia"}:
        return "DC"
    for name, code in STATE_BY_NAME.items():
        if name.lower() == key:
            return code
    return None


def city_key(name: str) -> str:
    return " ".join(_NON_LETTERS.sub(" ", name.lower().replace("saint ", "st ").replace("st. ", "st ")).split())


@lru_cache(maxsize=1)
def _indexes() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]], dict[tuple[str, str], int]]:
    cities: dict[str, set[str]] = {}
    counties: dict[str, set[str]] = {}
    zip_counts: dict[tuple[str, str], int] = {}
    for entry in zipcodes.list_all():
        state = entry["state"]
        if state not in STATE_CODES:
            continue
        key = city_key(entry["city"])
        cities.setdefault(key, set()).add(state)
        zip_counts[(key, state)] = zip_counts.get((key, state), 0) + 1
        for other in entry.get("acceptable_cities") or []:  # "Upper Arlington" is a Columbus ZIP's other name
            cities.setdefault(city_key(other), set()).add(state)
        county = entry.get("county") or ""
        if county:
            counties.setdefault(city_key(re.sub(r"\s+(County|Parish|Borough|city)$", "", county)), set()).add(state)
    return (
        {key: frozenset(states) for key, states in cities.items()},
        {key: frozenset(states) for key, states in counties.items()},
        zip_counts,
    )


def states_of_city(name: str) -> frozenset[str]:
    return _indexes()[0].get(city_key(name), frozenset())


def states_of_county(name: str) -> frozenset[str]:
    return _indexes()[1].get(city_key(name), frozenset())


def main_state_of_city(name: str, states: frozenset[str] | set[str]) -> str | None:
    """Of several states with a city of this name, the one where it is clearly the big city (by ZIP codes):
    Norfolk is Virginia's, not Connecticut's. None when no state clearly dominates."""
    counts = sorted(((_indexes()[2].get((city_key(name), state), 0), state) for state in states), reverse=True)
    if not counts or counts[0][0] == 0:
        return None
    if len(counts) == 1 or counts[0][0] >= 3 * max(counts[1][0], 1):
        return counts[0][1]
    return None


def is_city_in(name: str, state: str) -> bool:
    return state in states_of_city(name)
