"""Site families, one module each, and the spider that runs them (portal.py).

A family is a `SiteFamily` subclass (crawler/spiders/base.py) in a module of this package; it registers
itself when the module is imported (`SiteFamily.__init_subclass__`), and `family_registry` imports
every module here. `detect_order` decides which family's `detect` is tried first; `fallback` families
(generic) come last. Nothing else lists family names: the registry CSV's `platform` column and
`ogi crawl --platform` ask `family_names()`.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil

from crawler.spiders.base import SiteFamily

_NOT_FAMILIES = {"base", "portal", "annual_module"}  # shared code, not families


@functools.cache
def _import_families() -> None:
    """Import every family module once (the spider asks for the registry on every page: 1,201 calls in a
    1,000-report crawl, 2.3 % of the crawl process when each walked the package again)."""
    for module in pkgutil.iter_modules(__path__):
        if module.name not in _NOT_FAMILIES and not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")


def family_registry() -> dict[str, type[SiteFamily]]:
    """Family name -> class, in detection order (fallback families last)."""
    _import_families()
    ordered = sorted(SiteFamily.registry.values(), key=lambda c: (c.fallback, c.detect_order, c.name))
    return {c.name: c for c in ordered}


def family_names() -> list[str]:
    """The names `--platform` and the registry's `platform` column accept."""
    return list(family_registry())
