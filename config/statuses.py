"""The names of fetch outcomes and which of them can be judged: pages, probes and new-media accounts.

Kept at the bottom of the layers so that the crawler that writes them (crawler/status.py says which HTTP answers
and exceptions give which) and the checks that read them (checks/base.py, checks/accounts.py,
checks/availability.py) share one list. config/labels.py gives each its Chinese label.
"""

from __future__ import annotations

__all__ = [
    "ACCOUNT_STATUSES",
    "FETCH_STATUSES",
    "NOT_JUDGED",
    "UNUSABLE_ACCOUNT_STATUSES",
    "USABLE_ACCOUNT_STATUSES",
    "USABLE_FETCH_STATUSES",
]

#: statuses of a page observation (a column, a homepage, a probe)
FETCH_STATUSES = (
    "ok", "empty", "not_modified", "http_error", "timeout", "dns", "refused", "tls", "too_large",
    "redirect_loop", "redirect_offsite", "blocked", "parse_error", "network_error", "no_browser",
)
#: fetch statuses that say something about the page itself (anything else is our failure, not the unit's)
USABLE_FETCH_STATUSES = frozenset({"ok", "empty", "not_modified"})
#: statuses that say nothing about the site: our request was refused (``blocked``), or a redirect to a host that
#: is neither the unit's nor allowed by the config was not followed (``redirect_offsite``, crawler/redirects.py)
NOT_JUDGED = frozenset({"blocked", "redirect_offsite"})

#: statuses of a new-media account observation
ACCOUNT_STATUSES = (
    "ok", "empty", "blocked", "auth_expired", "rate_limited", "not_found", "parse_error", "timeout", "http_error",
    "network_error",
)
#: the platform answered and the answer was understood: freshness may be decided from these
USABLE_ACCOUNT_STATUSES = ("ok", "empty")
#: everything else: the account could not be read, which is never the unit's fault
UNUSABLE_ACCOUNT_STATUSES = tuple(s for s in ACCOUNT_STATUSES if s not in USABLE_ACCOUNT_STATUSES)
