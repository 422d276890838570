"""`ogi completeness`: the agency × year matrix of `corpus.completeness`, as a table, CSV or JSON.

The model (states, default years, deadlines, counts) is `corpus.completeness`; the web page
`/-/completeness` renders the same one. This module only renders it for the terminal; the command is in ogi/cli/completeness.py.
"""

from __future__ import annotations

import csv
import io
import json

from corpus.completeness import (
    BEFORE_FIRST,
    FOUND,
    LABELS,
    LATE,
    NOT_COLLECTED,
    NOT_DUE,
    NOT_FOUND,
    RECORD_FIELDS,
    Cell,
    CompletenessMatrix,
)


def to_csv(matrix: CompletenessMatrix) -> str:
    """The matrix in long form: one line per agency × year."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=RECORD_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(matrix.records())
    return buf.getvalue()


def to_json(matrix: CompletenessMatrix) -> str:
    """The matrix in long form: one object per agency × year."""
    return json.dumps(matrix.records(), ensure_ascii=False, indent=2)


def cell_text(cell: Cell) -> str:
    """One cell of the terminal table, in rich markup."""
    if cell.state == FOUND:
        text = f"[red]late {cell.published_at[5:]}[/]" if cell.late else f"[green]✓ {(cell.published_at or '')[5:]}[/]"
        return text + ("[magenta]✎[/]" if cell.edited else "")
    return {NOT_FOUND: "[yellow]—[/]", NOT_COLLECTED: "[dim]n/c[/]", NOT_DUE: "[dim]…[/]",
            BEFORE_FIRST: ""}[cell.state]


def caption(counts: dict[str, int]) -> str:
    """The table's legend with the counts, in the model's words."""
    return (f"✓ {LABELS[FOUND]} {counts[FOUND]} ({LABELS[LATE]} {counts[LATE]}) · — {LABELS[NOT_FOUND]} "
            f"{counts[NOT_FOUND]} · n/c {LABELS[NOT_COLLECTED]} {counts[NOT_COLLECTED]} · … {LABELS[NOT_DUE]} "
            f"{counts[NOT_DUE]} · (blank) {LABELS[BEFORE_FIRST]} {counts[BEFORE_FIRST]} · ✎ edited after publication · * the government itself (deadline 31 March)")
