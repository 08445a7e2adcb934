"""Which board sources could hold a record for a state and license class (directory/data/sources.toml).

The boards registry owns that table; verification needs only the names of the sources that can prove a given
kind of record. A ``Coverage`` is a callable ``(state, license_class, record_kind) -> [source names]`` so a
test can pin a table of its own with ``table_coverage``.
"""

from collections.abc import Callable, Iterable

from directory.boards import registry

Coverage = Callable[[str, str | None, str], list[str]]
ALL = "*"


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


def table_coverage(table: dict[str, tuple[Iterable[str], Iterable[str], Iterable[str]]]) -> Coverage:
    """A coverage from {source: (states, license_classes, record_kinds)}; "*" means every state or class."""
    frozen = {name: tuple(frozenset(part) for part in parts) for name, parts in table.items()}

    def coverage(state: str, license_class: str | None, record_kind: str) -> list[str]:
        return sorted(
            name
            for name, (states, classes, kinds) in frozen.items()
            if (state in states or ALL in states)
            and (license_class is None or license_class in classes or ALL in classes)
            and record_kind in kinds
        )

    return coverage
