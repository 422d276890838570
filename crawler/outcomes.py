"""What happened to each site of a crawl: counts, errors, notes, and the statuses only the spider can
see (blocked, budget spent, entry refused, needs a family module, unreachable). A mixin of PortalSpider,
kept apart from the crawl flow so each reads on its own."""

from __future__ import annotations

import logging
from urllib.parse import urlparse

from scrapy.http import Response

from crawler.antibot import SiteBlocked
from crawler.budget import BudgetExceeded
from crawler.politeness import describe_failure
from crawler.scope import OffsiteRequest
from crawler.session import session_for
from crawler.traps import ColumnMoved, alternative_scheme, is_connect_failure

logger = logging.getLogger(__name__)


class SiteOutcomes:
    """Recording a site's counts, errors and status. Uses the spider's `crawler`, `site_by_id`, `request`,
    `parse_entry` and its per-site state (`_families`, `_by_host`, `_entry_failures`, `_over_budget`)."""

    def _runs(self):
        """This crawl's RunTracker once the spider is open (crawler/session.py), else None."""
        return session_for(self.crawler).runs

    def count(self, site_id: str, counter: str) -> None:
        if self._runs():
            self._runs().count(site_id, counter)

    def error(self, site_id: str, url: str, kind: str, message: str) -> None:
        if self._runs():
            self._runs().error(site_id, url, kind, message)
        else:
            logger.warning("[%s] %s %s: %s", site_id, kind, url, message)

    def note(self, site_id: str, message: str) -> None:
        """Something worth knowing about a site's crawl that is not a failure (kept in the run's message)."""
        logger.info("[%s] %s", site_id, message)
        if self._runs():
            self._runs().notes[site_id].append(message)

    def on_error(self, failure):
        request = failure.request
        site_id = request.meta.get("ogi_site")
        kind = request.meta.get("ogi_kind")
        if failure.check(SiteBlocked, ColumnMoved, OffsiteRequest, BudgetExceeded):
            return  # already recorded once by the middleware that raised it
        error_kind, reason = describe_failure(failure, "fetch_failed", request.url)
        entry = kind == "entry" and request.meta.get("ogi_hops", 0) == 0
        if error_kind == "robots_disallowed":
            self.error(site_id, request.url, "robots_disallowed", "robots.txt forbids this URL")
            if entry:
                self.site_blocked(site_id, "robots.txt disallows the entry URL", request.url, record=False)
            return
        other = alternative_scheme(request.url)
        if (entry and other and not request.meta.get("ogi_scheme_fallback") and error_kind != "private_address"
                and is_connect_failure(failure)):
            # http-only and https-only hosts (site-patterns §5): try the other scheme once.
            self.note(site_id, f"entry {request.url} failed ({reason}); trying {other}")
            yield self.request(other, site_id, "entry", self.parse_entry, ogi_hops=0, ogi_scheme_fallback=True,
                               ogi_failed_entry=request.url)
            return
        if kind == "entry" and error_kind == "fetch_failed":
            error_kind = "unreachable"
        self.error(site_id, request.url, error_kind, reason)
        if entry:
            self._entry_failed(self.site_by_id(site_id), reason if error_kind != "unreachable" else "")

    # -- hooks for middlewares and families -----------------------------------------------------------
    def site_blocked(self, site_id: str, reason: str, url: str, record: bool = True) -> None:
        """An anti-bot challenge (or robots.txt) stops this site: status `blocked` with the reason."""
        if record:
            self.error(site_id, url, "blocked", f"{reason}; no further requests sent to this site")
        if self._runs():
            self._runs().set_status(site_id, "blocked", f"blocked: {reason}")

    def site_budget_exceeded(self, site_id: str, reason: str, url: str) -> None:
        """A site spent its budget (crawler/budget.py): status `budget_exceeded`, nothing more is sent."""
        self._over_budget.add(site_id)
        self.error(site_id, url, "budget_exceeded", f"budget exceeded: {reason}; no further requests sent to this site")
        if self._runs():
            self._runs().set_status(site_id, "budget_exceeded", f"budget exceeded: {reason}")

    def entry_refused(self, site_id: str, message: str) -> None:
        """An entry URL that may not be fetched at all (not http(s), a private address)."""
        self._entry_failed(self.site_by_id(site_id), message)

    def site_needs_family(self, site_id: str, reason: str) -> None:
        """The site can only be read by a family module we do not have (JS shell, unknown pager)."""
        logger.warning("[%s] needs a family module: %s", site_id, reason)
        if self._runs():
            self._runs().set_status(site_id, "needs_family", reason)

    def site_outcome(self, site_id: str, counts) -> tuple[str, str] | None:
        """A status the run tracker cannot see from counts alone: the generic family found no column."""
        family = self._families.get(site_id)
        if family is not None and family.fallback and not counts["list_pages"]:
            return "needs_family", "no annual-report column found by link text or meta tags"
        return None

    def _note_moved_entry(self, site, response: Response) -> None:
        """An entry URL redirected to another host (domain migration) or reached by the other scheme."""
        if response.meta.get("ogi_hops", 0) != 0:
            return
        first = (response.meta.get("redirect_urls") or [None])[0] or response.meta.get("ogi_failed_entry")
        if not first:
            return
        old, new = urlparse(first), urlparse(response.url)
        if (old.scheme, old.netloc) != (new.scheme, new.netloc):
            self._by_host.setdefault(new.netloc, site)
            self.note(site.site_id, f"entry {first} now answers at {response.url}: update the registry")

    def _entry_failed(self, site, why: str = "") -> None:
        self._entry_failures[site.site_id] = self._entry_failures.get(site.site_id, 0) + 1
        if self._entry_failures[site.site_id] >= len(site.entry_urls) and self._runs():
            note = "no entry URL could be fetched" + (f" ({why})" if why else "")
            self._runs().set_status(site.site_id, "unreachable", note)
