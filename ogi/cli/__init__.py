"""`ogi`: the command line. A thin layer over the typed APIs of crawler/, corpus/, extract/ and ogi/.

One module per group of commands: crawl.py (crawl, demo), read.py (search, extract), export.py,
status.py (status, schedule), completeness.py, serve.py. Options that several commands share (--db, --json, ...) are
defined once, in common.py. Library errors become one-line `Error:` messages with an exit code in
one place, errors.py; user mistakes are click usage errors, never tracebacks.

Exit codes: 0 success; 1 a refused request (bad database, bad output directory, ...) or an unexpected
failure; 2 bad usage; and for `ogi crawl`/`ogi demo` 3 some site had errors or was unreachable or
blocked (details in the summary and the database), 4 another crawl holds the lock on this database,
130 interrupted.
"""

from __future__ import annotations

import click

from ogi.cli.compare import compare_command
from ogi.cli.completeness import completeness_command
from ogi.cli.crawl import crawl, demo
from ogi.cli.export import export_command
from ogi.cli.probe import probe_command
from ogi.cli.read import extract_command, search_command
from ogi.cli.serve import serve_command
from ogi.cli.snapshot import snapshot_command
from ogi.cli.status import schedule_command, status_command
from ogi.cli.worker import enqueue_command, worker_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ogi")
def main() -> None:
    """Crawl, extract and search China's government information-disclosure annual reports."""


for _command in (crawl, demo, probe_command, extract_command, search_command, export_command, status_command,
                 schedule_command, completeness_command, serve_command, compare_command, worker_command, enqueue_command):
    main.add_command(_command)
main.add_command(snapshot_command)
