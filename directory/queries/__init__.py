"""The dashboard's query layer: every read it makes and the few admin writes.

Keyword-only functions taking an explicit session; they return plain dataclasses (picklable, so the
dashboard can cache them). Pages only render what these return: no SQL and no rule lives in a page.
One module per concern; this package re-exports their public names so callers write `queries.<name>`.
"""

from directory.queries.compare import (
    Checklist,
    ChecklistItem,
    Comparison,
    compare_clinicians,
    compare_practices,
    vetting_checklist,
)
from directory.queries.geography import Place, find_place, haversine_miles, state_codes, state_name, zip_point
from directory.queries.history import (
    DueSummary,
    crawl_errors,
    crawl_history,
    crawl_runs_since,
    directory_counts,
    due_summary,
    source_freshness,
    sync_history,
    syncs_since,
    verifications_checked_since,
)
from directory.queries.labels import (
    MODE_LABELS,
    ROUTE_LABELS,
    SETTING_LABELS,
    SORT_OPTIONS,
    badge_of_counts,
    offering_label,
    practice_badge,
)
from directory.queries.provider import (
    ClinicianDetail,
    PracticeDetail,
    VerdictRow,
    board_link,
    clinician_choices,
    practice_choices,
    practice_detail,
    stale_note,
    states_with_practices,
)
from directory.queries.search import MapPoint, PracticeCard, SearchResult, search_practices
from directory.queries.seeds import SeedRow, add_seed, list_seeds, set_seed_active

__all__ = [
    "MODE_LABELS", "ROUTE_LABELS", "SETTING_LABELS", "SORT_OPTIONS", "Checklist", "ChecklistItem", "ClinicianDetail",
    "Comparison", "DueSummary", "MapPoint", "Place", "PracticeCard", "PracticeDetail", "SearchResult", "SeedRow",
    "VerdictRow", "add_seed", "badge_of_counts", "board_link", "clinician_choices", "compare_clinicians",
    "compare_practices", "crawl_errors", "crawl_history", "crawl_runs_since", "directory_counts", "due_summary",
    "find_place", "haversine_miles", "list_seeds", "offering_label", "practice_badge", "practice_choices",
    "practice_detail", "search_practices", "set_seed_active", "source_freshness", "stale_note", "state_codes",
    "state_name", "states_with_practices", "sync_history", "syncs_since",
    "verifications_checked_since", "vetting_checklist", "zip_point",
]
