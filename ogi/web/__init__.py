"""The web UI: Datasette over the ogi database, with ogi's own search, completeness and indicator pages.

`ogi.serve` builds the Datasette instance; `metadata.py` writes its metadata (descriptions from
`corpus/schema.py` and the codebook, facets, canned queries); `plugins/ogi_plugin.py` is the Datasette
plugin (its hooks: SQL functions, routes, the guard of `guard.py`); `pages/` holds ogi's pages, one module
each (the completeness page renders `corpus.completeness`, the model `ogi completeness` prints; the report page
`/-/report/<id>` re-reads a report's tables through `report_tables.py` and explains its flags with
`ogi.flag_words`); `templates/` and `static/` hold what those pages look like.
"""

from __future__ import annotations

from pathlib import Path

WEB_DIR = Path(__file__).resolve().parent
PLUGINS_DIR = WEB_DIR / "plugins"
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"

# Name of the corpus database in URLs (/ogi/reports) whatever the file is called, and of the codebook.
DB_NAME = "ogi"
CODEBOOK_DB = "codebook"
