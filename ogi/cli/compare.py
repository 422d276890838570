"""`ogi compare`: one agency's report against the year before, checks across years, copied reports, peers
(the models are corpus.compare and corpus.similarity; this module only prints them)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from typing import Any

import click

from ogi.cli.common import check_site_ids, console, db_option, format_option, report_filter_options
from ogi.cli.errors import OgiCommand, UserError

STATUS_WORDS = {"unchanged": "unchanged", "numbers_only": "only numbers changed", "changed": "text changed",
                "added": "new section", "removed": "section gone"}


def _fmt(v: float | None) -> str:
    return "" if v is None else f"{v:g}"


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(["" if c is None else c for c in r] for r in rows)
    return buf.getvalue()


def print_year_over_year(yoy: Any) -> None:
    """The comparison for people: both reports, the numbers with deltas, the sections, the flags."""
    from rich.markup import escape
    from rich.table import Table

    out = console()
    out.print(f"[bold]{escape(yoy.agency)}[/]  {escape(yoy.county or '')} {yoy.adcode or ''}")
    for side in (yoy.previous, yoy.current):
        if side is None:
            out.print(f"{yoy.year - 1}: no report in the corpus")
            continue
        out.print(f"{side.report_year}: report {side.report_id}, {side.form or '?'}, published "
                  f"{side.published_at or '?'}  {escape(side.source_url or '')}")
        for flag in side.flags + side.cross_year_flags:
            out.print(f"   flag: {escape(flag)}")
    table = Table(title="core numbers", title_justify="left")
    for col, justify in (("key", "left"), ("label", "left"), (str(yoy.year - 1), "right"), (str(yoy.year), "right"),
                         ("delta", "right")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for n in yoy.numbers:
        delta = "" if n.delta is None else f"{n.delta:+g}"
        table.add_row(n.key, n.label_zh, _fmt(n.previous), _fmt(n.current), delta)
    out.print(table)
    if yoy.similarity_prev_year is not None:
        out.print(f"text similarity to {yoy.year - 1}: {yoy.similarity_prev_year:.2f}")
    if yoy.nearest_peer:
        p = yoy.nearest_peer
        out.print(f"nearest peer (same county, {yoy.year}): {escape(p['agency'] or '?')} (report {p['report_id']}), "
                  f"similarity {p['similarity']:.2f}")
    if yoy.previous is None:
        return
    out.print("[bold]sections[/]")
    for s in yoy.sections:
        kept = f" (sentences kept {s.kept:.0%})" if s.kept is not None and s.status != "unchanged" else ""
        renamed = f" (was {escape(s.previous_heading)})" if s.previous_heading and s.previous_heading != s.heading else ""
        out.print(f"  {escape(s.heading or '(opening)')}{renamed}: {STATUS_WORDS[s.status]}{kept}")
        if s.status in ("changed", "numbers_only", "added", "removed"):
            for line in s.removed:
                out.print(f"    [red]- {escape(line)}[/]")
            for line in s.added:
                out.print(f"    [green]+ {escape(line)}[/]")


@click.command("compare", cls=OgiCommand)
@click.argument("agency", required=False)
@report_filter_options()
@click.option("--check", is_flag=True, help="List the cross-year flags (carried over ≠ carried forward, a form "
              "that goes back, published before the year was over) of the selected reports.")
@click.option("--similarity", "update", is_flag=True,
              help="Recompute every report's text similarity to its previous report and nearest peer (writes "
                   "the report_similarity table).")
@click.option("--copies", is_flag=True, help="List reports repeating last year's text or a peer's (see --min).")
@click.option("--against", type=click.Choice(["any", "prev", "peer"]), default="any", show_default=True,
              help="With --copies: the previous report, a peer, or either.")
@click.option("--min", "min_similarity", type=click.FloatRange(0, 1), default=0.9, show_default=True,
              help="With --copies: the lowest similarity listed.")
@click.option("--threshold", type=click.FloatRange(0.05, 0.95), default=0.5, show_default=True,
              help="With --similarity: peers sharing less text than this are not looked for (MinHash LSH).")
@click.option("--peers", "peer_key", metavar="KEY",
              help="Rank the agencies of --county or --province for --year by this core indicator "
                   "(e.g. core.requests_new), with the shares of requests granted, denied and reviewed.")
@click.option("--limit", type=click.IntRange(1, 100_000), help="At most this many rows (--check, --copies).")
@db_option()
@format_option("the result")
def compare_command(agency, selection, check, update, copies, against, min_similarity, threshold,
                    peer_key, limit, db, fmt) -> None:
    """Compare an agency's report with its report of the year before:  ogi compare 住房和城乡建设局 --year 2022
    --county 长子县. Also: --check (cross-year flags of the reports every filter selects), --similarity then
    --copies (copied reports), --peers KEY (an indicator across the agencies of a county or province).

    With AGENCY, --copies or --peers, --year is one year and --province/--county one place each."""
    modes = [m for m, on in (("AGENCY", agency), ("--check", check), ("--similarity", update),
                             ("--copies", copies), ("--peers", peer_key)) if on]
    if len(modes) != 1:
        raise click.UsageError("give AGENCY (with --year), or one of --check, --similarity, --copies, --peers"
                               if not modes else f"{' and '.join(modes)} cannot be combined")
    as_json, as_csv = fmt == "json", fmt == "csv"
    year, province, county = _single_filters(selection, check)
    check_site_ids(db, selection)
    from corpus.readonly import invalid_utf8

    if agency and (shown := invalid_utf8(agency)) is not None:
        raise click.UsageError(f"AGENCY {shown!r} is not valid UTF-8 text")
    from corpus.compare import CompareError

    try:
        if update:
            _similarity(db, threshold, as_json)
            return
        from corpus.readonly import open_readonly, reading

        conn = open_readonly(db)
        try:
            with reading(db):
                if agency:
                    if year is None:
                        raise click.UsageError("AGENCY needs --year (the later of the two years compared)")
                    _year_over_year(conn, agency, year, province, county, as_json, as_csv)
                elif check:
                    _check(conn, selection, limit, as_json, as_csv)
                elif copies:
                    _copies(conn, year, province, county, against, min_similarity, limit, as_json, as_csv)
                else:
                    _peers(conn, peer_key, year, province, county, as_json, as_csv)
        finally:
            conn.close()
    except CompareError as exc:
        raise UserError(str(exc)) from exc


def _similarity(db: str, threshold: float, as_json: bool) -> None:
    import tempfile

    from corpus.backend import open_store, raw_dir_for
    from corpus.db import StoreError
    from corpus.readonly import open_readonly
    from corpus.similarity import update_similarity

    open_readonly(db).close()  # an existing ogi database, or the usual message (a store would create one)
    try:
        # No raw bytes are read or written here: a PostgreSQL store without --raw-dir/OGI_RAW_DIR gets any directory.
        with open_store(db, raw_dir=raw_dir_for(db) or tempfile.gettempdir()) as store:
            run = update_similarity(store, threshold=threshold,
                                    progress=None if as_json else lambda m: click.echo(f"  {m}", err=True))
    except StoreError as exc:
        raise UserError(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(asdict(run), ensure_ascii=False))
        return
    click.echo(f"{run.reports} reports compared ({run.method}): {run.with_previous} with a previous report, "
               f"{run.with_peer} with a peer sharing ≥ {threshold:g} of its text")


def _year_over_year(conn, agency, year, province, county, as_json, as_csv) -> None:
    from corpus.compare import year_over_year

    yoy = year_over_year(conn, agency, year, province=province, county=county)
    if as_json:
        click.echo(json.dumps(yoy.to_json(), ensure_ascii=False, indent=2))
    elif as_csv:
        click.echo(_csv(["key", "label_zh", "previous", "current", "delta"],
                        [[n.key, n.label_zh, _fmt(n.previous), _fmt(n.current), _fmt(n.delta)] for n in yoy.numbers]),
                   nl=False)
    else:
        print_year_over_year(yoy)


def _single_filters(selection: Any, check: bool) -> tuple[int | None, str | None, str | None]:
    """(year, province, county) for the modes that compare within one year and place; --check takes every
    filter (corpus.selection), the other modes refuse what they cannot apply."""
    if check:
        return None, None, None
    extra = [opt for opt, name in (("--city", "cities"), ("--adcode", "adcodes"), ("--site", "site_ids"),
                                   ("--agency", "agencies"), ("--department", "departments"), ("--form", "forms"))
             if getattr(selection, name)]
    if selection.year_from is not None or selection.year_to is not None:
        extra.append("--from/--to")
    if extra:
        raise click.UsageError(f"{', '.join(extra)}: only with --check (the other modes take --year, --province, "
                               "--county)")
    for option, values in (("--year", selection.years), ("--province", selection.provinces),
                           ("--county", selection.counties)):
        if len(values) > 1:
            raise click.UsageError(f"{option} once here (repeat it with --check)")
    first = lambda values: values[0] if values else None  # noqa: E731
    return first(selection.years), first(selection.provinces), first(selection.counties)


def _check(conn, selection, limit, as_json, as_csv) -> None:
    from corpus.compare import cross_year_flags

    where, params = selection.where_on(conn, "r")
    flags = [f for fl in cross_year_flags(conn, where, params).values() for f in fl][:limit]
    names = {r[0]: r[1:] for r in conn.execute(
        f"SELECT report_id, agency, report_year FROM reports WHERE report_id IN ({', '.join('?' * len(flags))})",
        [f.report_id for f in flags])} if flags else {}
    rows = [[f.report_id, *names.get(f.report_id, ("", "")), f.check, f.value, f.prior_value, f.prior_report_id,
             f.message, f.evidence, f.prior_evidence] for f in flags]
    header = ["report_id", "agency", "report_year", "check", "value", "prior_value", "prior_report_id", "message",
              "evidence", "prior_evidence"]
    if as_json:
        click.echo(json.dumps([dict(zip(header, r, strict=True)) for r in rows], ensure_ascii=False, indent=2))
    elif as_csv:
        click.echo(_csv(header, rows), nl=False)
    elif not rows:
        click.echo("no cross-year flags in this selection")
    else:
        for r in rows:
            click.echo(f"{r[1]} {r[2]} (report {r[0]}): {r[3]}: {r[7]}")


def _copies(conn, year, province, county, against, min_similarity, limit, as_json, as_csv) -> None:
    from corpus.similarity import copies, has_similarity

    if not has_similarity(conn):
        raise UserError("no similarity scores in this database yet: run `ogi compare --similarity` first")
    found = copies(conn, min_similarity=min_similarity, against=against, year=year, province=province,
                   county=county, limit=limit)
    if as_json:
        click.echo(json.dumps([asdict(c) for c in found], ensure_ascii=False, indent=2))
    elif as_csv:
        header = list(asdict(found[0]).keys()) if found else ["report_id"]
        click.echo(_csv(header, [list(asdict(c).values()) for c in found]), nl=False)
    elif not found:
        click.echo(f"no report repeats ≥ {min_similarity:g} of another's text in this selection")
    else:
        for c in found:
            parts = []
            if c.similarity_prev_year is not None and c.similarity_prev_year >= min_similarity:
                parts.append(f"{c.similarity_prev_year:.2f} of {c.report_year - 1}'s text")
            if c.nearest_peer_similarity is not None and c.nearest_peer_similarity >= min_similarity:
                parts.append(f"{c.nearest_peer_similarity:.2f} like {c.nearest_peer_agency} (report {c.nearest_peer})")
            click.echo(f"{c.agency} {c.report_year} (report {c.report_id}): " + "; ".join(parts)
                       + (" [report changed since: run --similarity again]" if c.stale else ""))


def _peers(conn, key, year, province, county, as_json, as_csv) -> None:
    from corpus.compare import CORE_KEYS, peer_table

    if key not in CORE_KEYS:
        raise click.UsageError(f"--peers takes a core indicator: {', '.join(CORE_KEYS)}")
    if year is None:
        raise click.UsageError("--peers needs --year")
    if not (province or county):
        raise click.UsageError("--peers needs --county or --province (the peers compared)")
    rows = peer_table(conn, key, year, province=province, county=county)
    header = ["rank", "agency", "county", "adcode", key, "share_granted", "share_denied", "share_reviewed",
              "report_id"]
    data = [[r.rank, r.agency, r.county, r.adcode, r.value, r.share_granted, r.share_denied, r.share_reviewed,
             r.report_id] for r in rows]
    if as_json:
        click.echo(json.dumps([dict(zip(header, d, strict=True)) for d in data], ensure_ascii=False, indent=2))
    elif as_csv:
        click.echo(_csv(header, [[_fmt(c) if isinstance(c, float) else c for c in d] for d in data]), nl=False)
    elif not rows:
        click.echo(f"no reports for {year} in this county/province")
    else:
        from rich.table import Table

        t = Table(title=f"{key} {year}", title_justify="left")
        for h in ("rank", "agency", "county", "adcode", "value", "granted", "refused", "reviewed"):
            t.add_column(h)
        for d in data:
            t.add_row(*("" if c is None else f"{c:.1%}" if h.startswith("share") else _fmt(c) if isinstance(c, float)
                        else str(c) for h, c in zip(header[:-1], d[:-1], strict=True)))
        console().print(t)
