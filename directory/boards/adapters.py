"""Name -> adapter class. The coverage and options of each source live in sources.toml, not here."""

from directory.boards.base import Source
from directory.boards.registry import SourceInfo, get_source
from directory.errors import KapdirError


def _classes() -> dict[str, type[Source]]:
    from directory.boards import compact, files, forms, npi, nursys, socrata

    return {
        "ct_socrata": socrata.ConnecticutSocrata, "wa_socrata": socrata.WashingtonSocrata,
        "il_socrata": socrata.IllinoisSocrata, "co_socrata": socrata.ColoradoSocrata,
        "tx_bhec": files.TexasBHEC, "fl_mqa": files.FloridaMQA, "md_bop": files.MarylandPhysicians,
        "oig_leie": files.OigLeie, "psypact": files.Psypact, "generic": files.GenericRoster,
        "npi": npi.NpiRegistry, "counseling_compact": compact.CounselingCompact,
        "va_dhp": forms.VirginiaDHP, "md_bpct": forms.MarylandBPCT, "nursys": nursys.NursysQuickConfirm,
    }


def make_adapter(name: str, **options) -> Source:
    """The adapter for source ``name`` (options: base_url, settings, timeout, page_size)."""
    info: SourceInfo = get_source(name)
    if info.manual:
        raise KapdirError(f"{name} is a manual source (the publisher asks not to be automated): "
                          f"check by hand at {info.public_url}")
    classes = _classes()
    cls = classes.get(name) or classes.get(info.adapter)
    if cls is None:
        raise KapdirError(f"{name}: no adapter {info.adapter!r}")
    return cls(info=info, **options)
