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

import importlib

import click

# command name -> "module:attribute"; a command's module is imported when that command runs (or --help lists
# it), so `ogi extract FILE` and `ogi search` do not load the crawler, the web server or the exporter
_COMMANDS = {
    "crawl": "ogi.cli.crawl:crawl", "demo": "ogi.cli.crawl:demo", "probe": "ogi.cli.probe:probe_command",
    "extract": "ogi.cli.read:extract_command", "search": "ogi.cli.read:search_command",
    "export": "ogi.cli.export:export_command", "status": "ogi.cli.status:status_command",
    "schedule": "ogi.cli.status:schedule_command", "completeness": "ogi.cli.completeness:completeness_command",
    "serve": "ogi.cli.serve:serve_command", "compare": "ogi.cli.compare:compare_command",
    "worker": "ogi.cli.worker:worker_command", "enqueue": "ogi.cli.worker:enqueue_command",
    "snapshot": "ogi.cli.snapshot:snapshot_command",
}


class _LazyGroup(click.Group):
    """A click group whose commands are imported on first use (start-up: README "Accuracy and speed")."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*_COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in _COMMANDS:
            module, attr = _COMMANDS[cmd_name].split(":")
            self.add_command(getattr(importlib.import_module(module), attr), cmd_name)
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> object:
        """A closed pipe on stdout (`ogi search … | head -1`) ends the command quietly with exit 0 (click would
        exit 1)."""
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            from ogi.cli.common import reader_gone

            reader_gone()


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ogi")
def main() -> None:
    """Crawl, extract and search China's government information-disclosure annual reports."""
