"""Build the golden-file corpus in tests/golden/ (run once; the output is committed).

Why a generator: every expected value is written from the *spec* the document was
rendered from (agency, region, dates, every table number), never from what the
extractor happens to output, so the corpus measures the extractor instead of
mirroring it. Output is deterministic (seeded numbers, reportlab `invariant=1`,
fixed DOCX zip dates); only the DOC/WPS files come from LibreOffice and are kept
as committed when `soffice` is missing.

    .venv/bin/python scripts/build_golden_corpus.py            # (re)build everything
    .venv/bin/python scripts/build_golden_corpus.py --only h01  # some documents

Documents: HTML (rowspan/colspan tables, blank cells, &nbsp;, numbers split across
<span>, header labels over two lines, table 三 labels over lines, label-less junk
rows, page chrome), GBK HTML with the charset only in <meta>, PDFs with ruled
tables (a table 三 continuing on the next page, with and without a repeated
header), fake-bold headings, running headers and page numbers, a scanned PDF,
DOCX with merged cells, a DOC and a WPS, decoys, and the five seeds.

The report text and tables are the demo portal's template (demosites/report_template.py) in
the golden wording; the generator itself is the package scripts/golden/: `spec` (agencies,
regions, numbers), `text` (the wording), `html_doc`, `pdf` (renderers), `expected` (the
expected JSON) and `catalogue` (every document).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.golden.catalogue import catalogue, decoy_specs, seed_documents, to_doc  # noqa: E402
from scripts.golden.expected import expected_json  # noqa: E402
from scripts.golden.spec import DOCS, EXPECTED, REGIONS, load_regions  # noqa: E402

logger = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", nargs="*", help="name prefixes to (re)build")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    REGIONS.update(load_regions())
    DOCS.mkdir(parents=True, exist_ok=True)
    EXPECTED.mkdir(parents=True, exist_ok=True)

    def wanted(name: str) -> bool:
        return not args.only or any(name.startswith(p) for p in args.only)

    def write(name: str, fname: str, data: bytes | None, exp: dict[str, Any]) -> None:
        if data is not None:
            (DOCS / fname).write_bytes(data)
        (EXPECTED / f"{name}.json").write_text(json.dumps(exp, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        logger.info("%-32s %s", fname, f"{len(data)} bytes" if data is not None else "(written by LibreOffice)")

    for spec, render, opts in catalogue():
        if not wanted(spec.name):
            continue
        data = render(spec)
        fname = f"{spec.name}.{spec.ext}"
        if opts.get("convert") in ("doc", "wps"):
            ok = to_doc(data, DOCS / fname)
            if not ok:
                raise SystemExit(f"cannot build {fname}: LibreOffice (soffice) is needed")
            write(spec.name, fname, None, expected_json(spec))
            continue
        write(spec.name, fname, data, expected_json(spec))
    for spec, data in decoy_specs():
        if wanted(spec.name):
            write(spec.name, f"{spec.name}.html", data, expected_json(spec))
    for name, data, exp in seed_documents():
        if wanted(name):
            write(name, exp["file"], data, exp)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
