"""One badge per practice, and plain words for the codes pages show (the tables live in directory.vocab)."""

from collections.abc import Iterable

from directory.vocab import (  # the label tables live in directory.vocab; re-exported for the pages
    MODE_LABELS,
    ROUTE_LABELS,
    SETTING_LABELS,
    Badge,
    badge_for,
)

__all__ = ["MODE_LABELS", "ROUTE_LABELS", "SETTING_LABELS", "SORT_OPTIONS", "badge_of_counts", "offering_label",
           "practice_badge"]


def offering_label(kind: str, value: str) -> str:
    """Plain words for a route or setting code; other offer values are shown as the site wrote them."""
    labels = {"route": ROUTE_LABELS, "setting": SETTING_LABELS}.get(kind, {})
    return labels.get(value, value)


SORT_OPTIONS = {
    "best": "Best verified first",
    "distance": "Nearest first",
    "price": "Lowest price first",
    "name": "Name (A to Z)",
}




def practice_badge(verdicts: Iterable[str]) -> Badge:
    """One badge for a practice from its clinicians' verdicts for one state and mode.

    Verified when someone may serve you and nobody's record is a problem; a warning when authority is
    confirmed but someone has discipline or a problem; a problem when no one passes and a record
    contradicts the claim; otherwise unverified (a missing check never counts as a pass).
    """
    return badge_of_counts({badge_for(v): 1 for v in verdicts})


def badge_of_counts(counts: dict[str, int]) -> Badge:
    """practice_badge from per-badge counts (what the search aggregates in SQL)."""
    if counts.get(Badge.VERIFIED):
        return Badge.WARNING if counts.get(Badge.WARNING) or counts.get(Badge.PROBLEM) else Badge.VERIFIED
    if counts.get(Badge.WARNING):
        return Badge.WARNING
    if counts.get(Badge.PROBLEM):
        return Badge.PROBLEM
    return Badge.UNVERIFIED
