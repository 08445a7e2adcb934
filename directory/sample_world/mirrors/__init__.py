"""Loopback mirrors of every license source, in each source's real format, serving the sample world's records.

    with start_board_mirrors(load_world()) as mirrors:
        settings.source_urls = mirrors.urls      # e.g. KAPDIR_SOURCE_URLS='{"ct_socrata": "http://127.0.0.1:..."}'
        mirrors.set_fault("ct_socrata", "429")   # down | 429 | 429_once | slow | garbage | shrunk

Also ``python -m directory.sample_world.mirrors --port N`` (see __main__.py).
"""

from collections.abc import Callable

from directory.sample_world.mirrors.core import FAULTS, Mirror, MirrorServer
from directory.sample_world.mirrors.data import Entry, filler_entries, world_entries
from directory.sample_world.schema import World

FILLER = 40  # fictional licensees per roster, so a cut-down roster ("shrunk") removes a large share


def _by_source(entries: list[Entry]) -> dict[str, list[Entry]]:
    out: dict[str, list[Entry]] = {}
    for entry in entries:
        out.setdefault(entry.record.source, []).append(entry)
    return out


def _factories() -> dict[str, Callable[[World, list[Entry]], Mirror]]:
    from directory.sample_world.mirrors import api, files, forms
    from directory.sample_world.mirrors.socrata import LAYOUTS, SocrataMirror

    factories: dict[str, Callable[[World, list[Entry]], Mirror]] = {
        name: (lambda world, entries, n=name: SocrataMirror(n, entries, filler_entries(n, FILLER)))
        for name in LAYOUTS
    }
    factories.update(files.FACTORIES)
    factories.update(api.FACTORIES)
    factories.update(forms.FACTORIES)
    return factories


class BoardMirrors:
    """Every source's mirror, each on its own loopback port (so each has its own robots.txt)."""

    def __init__(self, world: World, faults: dict[str, str] | None = None, port: int = 0):
        by_source = _by_source(world_entries(world))
        self.servers: dict[str, MirrorServer] = {}
        for offset, (name, factory) in enumerate(sorted(_factories().items())):
            mirror = factory(world, by_source.get(name, []))
            self.servers[name] = MirrorServer(mirror, port + offset if port else 0)
        for name, fault in (faults or {}).items():
            self.set_fault(name, fault)

    @property
    def urls(self) -> dict[str, str]:
        return {name: server.url for name, server in self.servers.items()}

    def mirror(self, name: str) -> Mirror:
        return self.servers[name].mirror

    def set_fault(self, name: str, fault: str | None) -> None:
        self.servers[name].mirror.set_fault(fault)

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()

    def __enter__(self) -> "BoardMirrors":
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def start_board_mirrors(world: World, faults: dict[str, str] | None = None, port: int = 0) -> BoardMirrors:
    """Start every mirror on 127.0.0.1 (ephemeral ports, or consecutive ports from ``port``)."""
    return BoardMirrors(world, faults=faults, port=port)


__all__ = ["FAULTS", "BoardMirrors", "start_board_mirrors"]
