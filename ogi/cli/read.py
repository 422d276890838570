"""`ogi search` (full text over the corpus) and `ogi extract` (one local file into a record)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ogi.cli.common import (
    check_site_ids,
    console,
    db_option,
    format_option,
    report_filter_options,
    without_dataframe_libraries,
    write_csv,
)
from ogi.cli.errors import OgiCommand


def print_hits(hits, total: int | None = None) -> None:
    """Search hits for people: agency, year, title, place, URL and the snippet with the match in bold; then
    how many reports match in all (`total`, when known)."""
    from rich.markup import escape

    out = console()
    if not hits:
        out.print("no matching reports")
        return
    for i, hit in enumerate(hits, 1):
        snippet = escape(hit.snippet).replace("\x02", "[bold yellow]").replace("\x03", "[/]")
        out.print(f"[bold]{i}. {escape(hit.agency or '?')} {hit.report_year or ''}[/]  {escape(hit.title or '')}")
        out.print(f"   {escape(' '.join(x for x in (hit.province, hit.county) if x))} {hit.adcode or ''}  {hit.source_url or ''}")
        out.print(f"   {snippet}")
    if total is not None:
        shown = f"{len(hits)} shown" + (" (raise --limit for more)" if total > len(hits) else "")
        out.print(f"{total} matching report{'s' if total != 1 else ''}; {shown}")


STAT_FIELDS = ("key", "value", "source", "confidence", "evidence")  # `ogi extract --format csv`
HIT_FIELDS = ("report_id", "agency", "report_year", "title", "province", "city", "county", "adcode", "source_url",
              "score", "snippet")


@click.command("search", cls=OgiCommand)
@click.argument("query", required=False, default="")
@report_filter_options()
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@db_option()
@format_option("hits")
def search_command(query, selection, limit, db, fmt) -> None:
    """Full-text search of the corpus; two-character Chinese words work (复议, 诉讼, 住建).

    Several words must all match; "quoted words" match as a phrase; OR between words matches either.
    No QUERY: the reports the filters select. A query starting with "-" goes after `--`:
    ogi search --year 2020 -- -复议
    """
    without_dataframe_libraries()  # most of this command's start-up otherwise
    from corpus.search import (  # opens the database read-only (corpus.readonly's messages)
        count_matches,
        search,
    )

    check_site_ids(db, selection)
    chosen = None if selection.is_empty() else selection
    if not query.strip() and chosen is None:
        raise click.UsageError("give a QUERY or at least one filter (--province, --year, ...)")
    hits = search(db, query, selection=chosen, limit=limit, marks=("\x02", "\x03"))
    if fmt == "table":
        total = count_matches(db, query, selection=chosen) if hits else 0
        print_hits(hits, total)
        return
    rows = []
    for h in hits:
        d = {k: getattr(h, k) for k in HIT_FIELDS}
        d["snippet"] = d["snippet"].replace("\x02", "[").replace("\x03", "]")
        rows.append(d)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        write_csv(list(HIT_FIELDS), ([d[k] for k in HIT_FIELDS] for d in rows))


@click.command("extract", cls=OgiCommand)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--url", help="Where the file came from (used for dates, format and provenance).")
@format_option("the full record (CSV: one row per statistic)")
def extract_command(path: Path, url, fmt) -> None:
    """Extract one local file (HTML, PDF, DOCX or text) into a record.

    --format json: the whole record; csv: its statistics, one row each (key, value, source, confidence,
    evidence); table: a summary for people."""
    if not path.exists():
        raise click.ClickException(f"{path} does not exist")
    if not path.is_file():  # a FIFO or device would be read forever
        raise click.ClickException(f"{path} is not a regular file")
    from extract import extract_path

    try:
        record = extract_path(path, url=url)
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror or exc}") from exc
    if fmt == "json":
        click.echo(json.dumps(record.to_json(), ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        write_csv(list(STAT_FIELDS), ([getattr(s, k) for k in STAT_FIELDS] for s in record.stats))
        return
    r = record
    lines = [
        f"report:        {'yes' if r.is_report else 'no'}",
        f"agency:        {r.agency or '-'}" + (f"  (printed: {r.agency_as_printed})" if r.agency_as_printed and r.agency_as_printed != r.agency else ""),
        f"department:    {r.department or '-'}",
        f"region:        {' '.join(x for x in (r.region.province, r.region.city, r.region.county) if x) or '-'}  {r.region.adcode or ''}",
        f"report year:   {r.report_year or '-'}",
        f"form:          {r.form or '-'}",
        f"published:     {r.published_at or '-'}   signed: {r.document_date or '-'}",
        f"text:          {len(r.text)} characters from {r.text_source or '-'}",
        f"statistics:    {len(r.stats)}",
    ]
    click.echo("\n".join(lines))
    for flag in r.flags:
        click.echo(f"flag:          {flag}")
    for err in r.errors:
        click.echo(f"error:         {err}")
