"""Which board sources could hold a record for a state and license class (directory/data/sources.toml).

The boards registry owns that table; verification needs only the names of the sources that can prove a given
kind of record. A ``Coverage`` is a callable ``(state, license_class, record_kind) -> [source names]``;
``verify_all(coverage=...)`` accepts another one (e.g. to ask what a new source would make checkable).
"""

from collections.abc import Callable

from directory.boards import registry

Coverage = Callable[[str, str | None, str], list[str]]


def registry_coverage(state: str, license_class: str | None, record_kind: str) -> list[str]:
    """Non-manual sources that cover the state and class with records of this kind.

    A manual source (one that asks not to be automated) is never fetched, so it cannot confirm anything.
    """
    return sorted(
        {
            info.name
            for info in registry.coverage(state, license_class)
            if not info.manual and record_kind in info.record_kinds
        }
    )


def manual_checks_for(state: str, license_classes: list[str | None]) -> list[registry.SourceInfo]:
    """Manual sources (never fetched) covering the state and any of the classes: where a person checks by hand."""
    found = {info.name: info for cls in license_classes for info in registry.manual_checks(state, cls)}
    return [found[name] for name in sorted(found)]
