"""Site profiles: per-site crawl quirks as data (``profiles.toml``), not as one spider per practice."""

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROFILES_FILE = Path(__file__).with_name("profiles.toml")


@dataclass(frozen=True)
class SiteProfile:
    keywords: tuple[str, ...]  # a link is worth following when its path or anchor text has one of these
    deny: tuple[str, ...]  # URL substrings never followed
    max_query_variants: int  # query-string variants of one path followed at most this often


@lru_cache(maxsize=1)
def _table() -> dict:
    with PROFILES_FILE.open("rb") as handle:
        return tomllib.load(handle)


def _extend(profile: SiteProfile, extra: dict) -> SiteProfile:
    return SiteProfile(
        keywords=profile.keywords + tuple(extra.get("keywords", ())),
        deny=profile.deny + tuple(extra.get("deny", ())),
        max_query_variants=int(extra.get("max_query_variants", profile.max_query_variants)),
    )


@lru_cache(maxsize=4096)
def _profile(host: str, builders: tuple[str, ...]) -> SiteProfile:
    table = _table()
    profile = _extend(SiteProfile((), (), 3), table["default"])
    for name in builders:
        profile = _extend(profile, table.get("builder", {})[name])
    return _extend(profile, table.get("site", {}).get(host, {}))


def profile_for(host: str, html: str = "") -> SiteProfile:
    """The default profile, plus the site builder's quirks (found by a marker in the page), plus the host's own."""
    builders = tuple(
        name for name, spec in _table().get("builder", {}).items() if spec.get("marker") and spec["marker"] in html
    )
    return _profile(host, builders)
