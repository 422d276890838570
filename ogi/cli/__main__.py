"""`python -m ogi.cli` runs the `ogi` command (cron, systemd and the tests start crawls this way)."""

from ogi.cli import main

main()
