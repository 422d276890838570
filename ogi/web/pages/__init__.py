"""ogi's own pages of the web UI, one module each (search, completeness, indicator).

They live outside `ogi/web/plugins/` because Datasette loads every .py file of a plugins directory as a
plugin; `plugins/ogi_plugin.py` registers their routes. Shared here: the plugin configuration and the
codebook.
"""

from __future__ import annotations

from typing import Any

from ogi.codebook import load_codebook
from ogi.web import CODEBOOK_DB, DB_NAME

BOOK = load_codebook()[0]


def config(datasette: Any) -> dict[str, str]:
    """Names of the corpus and codebook databases in this Datasette (plugin config `ogi`, or the defaults)."""
    cfg = datasette.plugin_config("ogi") or {}
    return {"database": cfg.get("database", DB_NAME), "codebook": cfg.get("codebook", CODEBOOK_DB)}
