"""Seed lists: files of practice sites to crawl, one ``URL [STATES] [# note]`` a line.

The bundled list ``directory/data/seeds/us-kap.txt`` is a hand-compiled starting list of real US practice sites
that offer ketamine-assisted therapy (its header says where it came from and when). ``load_seed_list()`` reads
it, or any file in the same format (``kapdir crawl --seeds FILE`` uses it too): a line is a URL, optionally the
USPS codes of the states the site names (``CO,NM``, or ``-`` for none named) and a ``#`` comment. Every URL goes
through the one seed validator (``directory.egress.validate_seed``); a bad line is a one-line error naming the
file and line. One line per site: a second line for the same host is an error, not silently dropped.
"""

from dataclasses import dataclass
from pathlib import Path

import us

from directory.egress import BlockedAddress, Policy, validate_seed
from directory.errors import KapdirError

SEED_LIST = Path(__file__).parent / "data" / "seeds" / "us-kap.txt"

# The 50 states and DC: the places a US practice licence can be for (territories are not in the list's scope).
STATE_CODES = frozenset(state.abbr for state in us.states.STATES) | {"DC"}


@dataclass(frozen=True)
class SeedSite:
    url: str  # normalised by the seed validator
    states: tuple[str, ...]  # USPS codes the site names; empty when it names none
    line: int  # line number in the file, for messages


def site_host(url: str) -> str:
    """The host a seed stands for ('www.' dropped, non-default port kept): one line per host."""
    from crawler.links import site_key  # the crawler's own notion of one site

    return site_key(url)


def parse_states(text: str) -> tuple[str, ...]:
    if text == "-":
        return ()
    codes = tuple(code.strip() for code in text.split(","))
    bad = [code for code in codes if code not in STATE_CODES]
    if bad:
        raise KapdirError(f"{bad[0]!r} is not a US state code (use USPS codes like CO,NM or '-' for none)")
    if len(set(codes)) != len(codes):
        raise KapdirError(f"state list {text!r} names a state twice")
    return codes


def parse_seed_line(text: str, number: int, policy: Policy | None = None) -> SeedSite | None:
    """One line of a seed list, or None for a blank or comment line. Raises KapdirError (without the file name)."""
    fields = text.split("#", 1)[0].split()
    if not fields:
        return None
    if len(fields) > 2:
        raise KapdirError(f"expected 'URL [STATES] [# note]', got {len(fields)} fields")
    try:
        url = validate_seed(fields[0], policy, dns=False)  # DNS is the crawler's, on every request
    except BlockedAddress as exc:
        raise KapdirError(f"seed {fields[0]!r} refused: {exc}") from None
    states = parse_states(fields[1]) if len(fields) == 2 else ()
    return SeedSite(url=url, states=states, line=number)


def load_seed_list(path: Path | str | None = None, *, policy: Policy | None = None) -> list[SeedSite]:
    """The sites of a seed list file (default: the bundled US KAP list), in file order.

    Raises KapdirError with one line: '<file> line <n>: <what is wrong>'.
    """
    path = Path(path) if path is not None else SEED_LIST
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise KapdirError(f"cannot read seed list {path}: {exc}") from None
    sites: list[SeedSite] = []
    first_line_of: dict[str, int] = {}
    for number, text in enumerate(lines, 1):
        try:
            site = parse_seed_line(text, number, policy)
            if site is None:
                continue
            host = site_host(site.url)
            if host in first_line_of:
                raise KapdirError(f"{host} is already listed on line {first_line_of[host]} (one line per site)")
        except KapdirError as exc:
            raise KapdirError(f"{path} line {number}: {exc}") from None
        first_line_of[host] = number
        sites.append(site)
    return sites
