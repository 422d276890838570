"""Offline demo portal: imitation county government websites on 127.0.0.1.

Used by `ogi demo` and by the crawler tests. Everything it serves is built
from this package's own files (the seed texts under `content/seeds/`); it never
reads ../shared at run time.
"""

from ogi.demo.server import DemoPortal, DemoSite

__all__ = ["DemoPortal", "DemoSite"]
