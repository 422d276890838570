"""`python -m demosites`: start the demo portal and print its sites until Ctrl-C."""

from __future__ import annotations

import argparse
import logging
import time

from demosites import DemoPortal

logger = logging.getLogger(__name__)


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the ogi demo county portals on 127.0.0.1")
    parser.add_argument("--faults", action="store_true", help="add the failure-case sites (dead, bad)")
    args = parser.parse_args()
    with DemoPortal(faults=args.faults, fixed_ports=True) as portal:
        for site in portal.sites:
            print(f"{site.site_id:4} {site.platform:7} {site.name:12} {site.entry_url}")
        print(f"{sum(1 for r in portal.manifest() if not r.get('decoy'))} reports published; Ctrl-C to stop")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
