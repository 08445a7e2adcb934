"""US states, cities and counties: names, USPS codes and the offline indexes that tie a city or county to a state.

State names and codes come from the `us` package; city and county names from the `zipcodes` package (built
once, lazily, on first use).
"""

import csv
import gzip
import json
import re
from functools import lru_cache
from pathlib import Path

import us
import zipcodes

STATE_BY_NAME: dict[str, str] = {state.name: state.abbr for state in us.states.STATES}
STATE_BY_NAME["District of Columbia"] = "DC"
STATE_CODES: frozenset[str] = frozenset(STATE_BY_NAME.values())
NAME_BY_CODE: dict[str, str] = {code: name for name, code in STATE_BY_NAME.items()}
# What a state's residents are called ("KAP for New Yorkers"): a page that serves them serves the state. Names
# shared with another place or people ("Washingtonians", "Hawaiians", "Georgians" of the country) are left out.
DEMONYMS: dict[str, str] = {
    "Alabamians": "AL", "Alaskans": "AK", "Arizonans": "AZ", "Arkansans": "AR", "Californians": "CA",
    "Coloradans": "CO", "Connecticuters": "CT", "Delawareans": "DE", "Floridians": "FL", "Idahoans": "ID",
    "Illinoisans": "IL", "Hoosiers": "IN", "Iowans": "IA", "Kansans": "KS", "Kentuckians": "KY",
    "Louisianans": "LA", "Mainers": "ME", "Marylanders": "MD", "Michiganders": "MI", "Minnesotans": "MN",
    "Mississippians": "MS", "Missourians": "MO", "Montanans": "MT", "Nebraskans": "NE", "Nevadans": "NV",
    "New Hampshirites": "NH", "New Jerseyans": "NJ", "New Yorkers": "NY", "North Carolinians": "NC",
    "North Dakotans": "ND", "Ohioans": "OH", "Oklahomans": "OK", "Oregonians": "OR", "Pennsylvanians": "PA",
    "Rhode Islanders": "RI", "South Carolinians": "SC", "South Dakotans": "SD", "Tennesseans": "TN",
    "Texans": "TX", "Utahns": "UT", "Vermonters": "VT", "Virginians": "VA", "West Virginians": "WV",
    "Wisconsinites": "WI", "Wyomingites": "WY",
}

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


_Indexes = tuple[dict[str, frozenset[str]], dict[str, frozenset[str]], dict[tuple[str, str], int]]
INDEX_PATH = Path(__file__).resolve().parent / "places_index.json.gz"


def build_place_index() -> dict:
    """City -> states, county -> states and ZIP counts per (city, state), from the zipcodes package. Slow
    (it materialises 42,000 ZIP records): the result ships as places_index.json.gz and is rebuilt by
    `python -m directory.extraction.geography` when zipcodes is upgraded (a test compares the two)."""
    cities: dict[str, set[str]] = {}
    counties: dict[str, set[str]] = {}
    zip_counts: dict[str, int] = {}
    for entry in zipcodes.list_all():
        state = entry["state"]
        if state not in STATE_CODES:
            continue
        key = city_key(entry["city"])
        cities.setdefault(key, set()).add(state)
        zip_counts[f"{key}|{state}"] = zip_counts.get(f"{key}|{state}", 0) + 1
        for other in entry.get("acceptable_cities") or []:  # "Upper Arlington" is a Columbus ZIP's other name
            cities.setdefault(city_key(other), set()).add(state)
        county = entry.get("county") or ""
        if county:
            counties.setdefault(city_key(re.sub(r"\s+(County|Parish|Borough|city)$", "", county)), set()).add(state)
    return {
        "zipcodes_version": zipcodes.__version__,
        "cities": {key: " ".join(sorted(states)) for key, states in sorted(cities.items())},
        "counties": {key: " ".join(sorted(states)) for key, states in sorted(counties.items())},
        "zip_counts": dict(sorted(zip_counts.items())),
    }


def write_place_index(path: Path = INDEX_PATH) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump(build_place_index(), handle, separators=(",", ":"))


def _load_place_index() -> dict:
    """The shipped index if it matches the installed zipcodes, else a fresh build (slower, same result)."""
    try:
        with gzip.open(INDEX_PATH, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):  # missing or unreadable: build it from the package
        return build_place_index()
    return data if data.get("zipcodes_version") == zipcodes.__version__ else build_place_index()


@lru_cache(maxsize=1)
def _indexes() -> _Indexes:
    data = _load_place_index()
    return (
        {key: frozenset(states.split()) for key, states in data["cities"].items()},
        {key: frozenset(states.split()) for key, states in data["counties"].items()},
        {tuple(key.split("|")): count for key, count in data["zip_counts"].items()},
    )


REGIONS_PATH = Path(__file__).resolve().parents[1] / "data" / "regions.csv"


@lru_cache(maxsize=1)
def named_regions() -> dict[str, frozenset[str]]:
    """Well-known areas that are no town ("the Bay Area", "the Twin Cities") and the states they lie in: a page
    names them as the area it serves (directory/data/regions.csv)."""
    with REGIONS_PATH.open(encoding="utf-8", newline="") as handle:
        return {row["region"]: frozenset(row["states"].split("|")) for row in csv.DictReader(handle)}


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


def is_town_name(name: str) -> bool:
    """A name that is surely a town, not a word that some hamlet happens to share ("Hope", "Day"): several words
    ("Maple Grove") or a place with at least three ZIP codes."""
    key = city_key(name)
    states = states_of_city(name)
    return bool(states) and (" " in key or any(_indexes()[2].get((key, state), 0) >= 3 for state in states))


def is_big_town(name: str) -> bool:
    """A town of several words or with at least eight ZIP codes somewhere: a name that, standing in a practice's
    name, is most likely the town (brand words such as "Alpine" or "Magnolia" are smaller places)."""
    key = city_key(name)
    return " " in key or any(_indexes()[2].get((key, state), 0) >= 8 for state in states_of_city(name))


def is_city_in(name: str, state: str) -> bool:
    return state in states_of_city(name)


if __name__ == "__main__":
    write_place_index()
    print(f"wrote {INDEX_PATH}")
