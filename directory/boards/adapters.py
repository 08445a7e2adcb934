"""The adapter registry, built from the Source classes themselves: each class names its ``adapter`` key and the
options it reads; sources.toml says which source uses which adapter. Adding a source is one small class (or none,
for a new state of an existing adapter) plus data."""

import pkgutil
from importlib import import_module

import directory.boards
from directory.boards.base import ADAPTERS, Source
from directory.boards.registry import SourceInfo, get_source
from directory.errors import KapdirError


def adapter_classes() -> dict[str, type[Source]]:
    """Every adapter class: importing the modules of directory.boards defines them, and each registers itself
    (Source.__init_subclass__) — no list of names to keep by hand."""
    for module in pkgutil.iter_modules(directory.boards.__path__):
        if not module.ispkg and not module.name.startswith("_"):
            import_module(f"directory.boards.{module.name}")
    return dict(ADAPTERS)


def adapter_class(name: str, adapter: str) -> type[Source]:
    cls = adapter_classes().get(adapter)
    if cls is None:
        raise KapdirError(f"{name}: no adapter {adapter!r} (known: {', '.join(sorted(adapter_classes()))})")
    return cls


def adapter_options(name: str, adapter: str) -> dict[str, type | tuple[type, ...]]:
    """The sources.toml keys this adapter reads beyond the common ones (the typed spec checks them)."""
    return dict(adapter_class(name, adapter).options)


def make_adapter(name: str, **options) -> Source:
    """The adapter for source ``name`` (options: base_url, settings, timeout, page_size)."""
    info: SourceInfo = get_source(name)
    if info.manual:
        raise KapdirError(f"{name} is a manual source (never fetched): {info.check_here()}")
    return adapter_class(name, info.adapter)(info=info, **options)
