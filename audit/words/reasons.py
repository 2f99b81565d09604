"""Why a site, a run or a score is what it is, stored as a code with its values and said in the
reader's language where it is read.

A reason is a small dict: {"kind": "refused", "host": "127.0.0.1:18409"}. The crawler and the
application store reasons this way (site crawls, runs, unread pages, scores, the night's
summary); `reason_text` renders one (or a list of them) in the current language, so the same
store reads in Vietnamese on the dashboard and in English with MINHBACH_LANG=en, and the monthly
report (rendered in Vietnamese) never carries English. A value that is itself a reason (a
"cause") is rendered too. Text stored before reasons were codes is kept as {"kind": "text"}.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from minhbach.audit.words.i18n import N_, _, ngettext

Reason = dict[str, Any]

TEMPLATES = {
    # what a request came to (the crawler's failure kinds)
    "http_error": N_("the server answered HTTP error {status} ({host})"),
    "robots": N_("robots.txt does not allow crawling"),
    "redirect_loop": N_("a redirect loop or too many redirects ({host})"),
    "too_large_unpacked": N_("the answer is over the size limit once decompressed ({host})"),
    "too_large": N_("the answer is over the size limit ({host})"),
    "ignored": N_("the request was ignored ({host})"),
    "dns": N_("DNS error: the domain name was not found ({host})"),
    "refused": N_("the server refused the connection ({host})"),
    "timeout": N_("no answer in time ({host})"),
    "tls": N_("secure connection (TLS/HTTPS) error ({host})"),
    "tls_handshake": N_("no HTTPS connection: the server closed it during the TLS handshake ({host})"),
    "no_response": N_("the server closed the connection without a whole answer ({host})"),
    "download_error": N_("download error {error} ({host})"),
    "private_address": N_("the private address {address} ({host}) was refused; private addresses are crawled "
                          "only with --allow-private"),
    "offsite": N_("outside the site: {host}"),
    "time_budget": N_("the time set for this site ran out"),
    "page_cap": N_("the page limit was reached"),
    "parse_error": N_("error while parsing the page"),
    "binary_page": N_("the page sent binary content instead of HTML"),
    "empty_page": N_("the page has no readable HTML content"),
    "too_deep_page": N_("the page is nested too deeply to be read whole"),
    # what became of a site's home page
    "home_http_error": N_("the home page answered HTTP error {status}"),
    "home_unparsable": N_("the home page could not be read (error while parsing it)"),
    "home_not_html": N_("the home page is not an HTML page (Content-Type: {content_type})"),
    "home_empty": N_("the home page has no readable HTML content"),
    "home_too_deep": N_("the home page is nested too deeply to be read whole"),
    "home_script_shell": N_("the home page is only a frame drawn by JavaScript; a browser (chromium) is needed to "
                            "read its content"),
    "home_refused": N_("home page: {cause}"),
    # a site's crawl, a run
    "crawl_stopped": N_("the crawl stopped before this site was done"),
    "stopped_by_operator": N_("stopped by the operator"),
    "redis_gone": N_("Redis at {url} unreachable for {seconds} s: {error}"),
    "attempts_used": N_("not crawled: {attempts} attempts on the workers did not finish the site"),
    "attempts_used_because": N_("not crawled: {attempts} attempts on the workers did not finish the site "
                                "(last: {error})"),
    "lease_lost": N_("the worker lost its lease on the site's hosts: {error}"),
    # two audits compared (audit/judge/changes.py)
    "rubric_changed": N_("Rubric changed from {before} to {after}; audits under different rubrics are not compared"),
    "rubric_version_changed": N_("Rubric {rubric} changed from version {before} to {after}; score changes may "
                                 "come from the rubric"),
    "not_counted": N_("audit {audit} was made on a night the crawler could not reach the network; it is not "
                      "compared"),
    # a score
    "no_page": N_("No page could be crawled."),
    "unreachable": N_("The portal could not be reached."),
    "rubric_not_for_level": N_("Rubric {rubric} does not apply to the level {level}."),
    "nothing_judged": N_("No rule could be judged."),
    "not_enough_seen": N_("the applicable points judged were only {coverage_pct}%, and the rest could "
                          "change the grade"),
}

# How each kind of page left unread is named in "crawled in part: 3 pages ...".
UNREAD_LABELS = {
    "time_budget": N_("not downloaded (the site's time ran out)"), "page_cap": N_("not downloaded (page limit)"),
    "timeout": N_("timed out"), "no_response": N_("no answer"), "too_large": N_("too large"),
    "tls": N_("TLS error"), "dns": N_("DNS error"), "refused": N_("connection refused"),
    "robots": N_("blocked by robots.txt"), "private_address": N_("pointing to a private address"),
    "redirect_loop": N_("redirect loop"), "parse_error": N_("not parsable"), "other": N_("other error"),
}


def reason(kind: str, **values: Any) -> Reason:
    return {"kind": kind, **values}


def unread_label(kind: str) -> str:
    """`http_403` -> "HTTP error 403", `timeout` -> "timed out", in the reader's language."""
    if kind.startswith("http_"):
        return _("HTTP error {status}").format(status=kind[5:])
    return _(UNREAD_LABELS[kind]) if kind in UNREAD_LABELS else kind


def _incomplete(value: Reason) -> str:
    missed = ", ".join(ngettext("{n} page {label}", "{n} pages {label}", n).format(n=n, label=unread_label(kind))
                       for kind, n in value.get("missed", []))
    return _("crawled in part: {missed}").format(missed=missed)


def _collection_failure(value: Reason) -> str:
    """A night the crawler itself was cut off (audit/ops/offline.py)."""
    kinds = ", ".join(f"{unread_label(kind)} {n}" for kind, n in sorted(value.get("kinds", {}).items()))
    probes = value.get("probes", [])
    text = _("the crawler could not reach the network: {failed} of {sites} sites failed at the network level "
             "({kinds})").format(failed=value.get("failed", 0), sites=value.get("sites", 0), kinds=kinds)
    if probes:
        return text + "; " + _("no address of the connectivity check answered ({probes})").format(
            probes="; ".join(reason_text(probe) for probe in probes))
    return text


CUSTOM: dict[str, Callable[[Reason], str]] = {
    "collection_failure": _collection_failure,
    "incomplete": _incomplete,
    "text": lambda value: str(value.get("text", "")),
}


def is_reason(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("kind"), str)


def reason_text(value: Any) -> str:
    """A stored reason (a dict, a list of them, a plain string, or nothing) said in the
    current language."""
    if not value:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return "; ".join(text for text in (reason_text(part) for part in value) if text)
    if not is_reason(value):
        return str(value)
    kind = value["kind"]
    if kind in CUSTOM:
        return CUSTOM[kind](value)
    if kind not in TEMPLATES:
        return kind
    values = {key: reason_text(part) if is_reason(part) else part for key, part in value.items() if key != "kind"}
    try:
        return _(TEMPLATES[kind]).format(**values)
    except (KeyError, IndexError):  # a reason stored by a version with other values
        return _(TEMPLATES[kind])
