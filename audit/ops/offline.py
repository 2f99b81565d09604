"""Whether a night's crawl saw the agencies or only the crawler's own cut-off network.

When at least `[nightly] offline_share` of the sites failed at the network level (DNS, refused,
timeout, no answer, TLS: crawler/failures.py NETWORK_KINDS) and none of `[nightly] probe_urls`
answers either, the night is a collection failure: the operators' alarm, not the agencies'
failure (judge/collection.py marks it). The probe runs only on such a night, so a normal night
costs nothing; with no probe address configured, the share alone decides. A province whose
sites all sit in one data centre that is down still reaches the probe: that night is the
sites' failure, and is told as such."""
from __future__ import annotations

import logging
import socket
import ssl
import urllib.error
import urllib.request
from collections import Counter
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from minhbach.audit.judge.collection import COLLECTION_FAILURE
from minhbach.audit.store.models import SiteCrawl
from minhbach.audit.words.reasons import Reason, is_reason, reason
from minhbach.crawler.failures import NETWORK_KINDS

log = logging.getLogger("minhbach.nightly")
PROBE_TIMEOUT = 10.0  # seconds for each probe address


def network_failures(session: Session, run_id: int) -> tuple[int, int, dict[str, int]]:
    """(sites that failed at the network level, sites of the run, their kinds counted)."""
    sites = session.execute(select(SiteCrawl.status, SiteCrawl.reason).where(SiteCrawl.run_id == run_id)).all()
    kinds: Counter[str] = Counter()
    for status, why in sites:
        if status == "unreachable" and is_reason(why) and why["kind"] in NETWORK_KINDS:
            kinds["tls" if why["kind"] == "tls_handshake" else why["kind"]] += 1
    return sum(kinds.values()), len(sites), dict(kinds)


def _probe_error(url: str, error: BaseException) -> Reason:
    host = urlsplit(url).netloc
    cause = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(cause, socket.gaierror):
        return reason("dns", host=host)
    if isinstance(cause, ConnectionRefusedError):
        return reason("refused", host=host)
    if isinstance(cause, (TimeoutError, socket.timeout)):
        return reason("timeout", host=host)
    if isinstance(cause, ssl.SSLError):
        return reason("tls", host=host)
    return reason("no_response", host=host)


def probe(urls: list[str], timeout: float = PROBE_TIMEOUT) -> tuple[str | None, list[Reason]]:
    """(the first address that answered anything, or None; why each one before it did not)."""
    failures: list[Reason] = []
    for url in urls:
        request = urllib.request.Request(url, method="GET", headers={"User-Agent": "minhbach-connectivity-check"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read(1024)
            return url, failures
        except urllib.error.HTTPError:
            return url, failures   # an HTTP error is an answer: the network works
        except (OSError, ValueError) as error:
            failures.append(_probe_error(url, error))
    return None, failures


def collection_failure(session: Session, run_id: int, share: float, probe_urls: list[str]) -> Reason | None:
    """The reason to store on the crawl run when the night reached nothing, else None."""
    failed, sites, kinds = network_failures(session, run_id)
    if sites == 0 or failed / sites < share:
        return None
    log.warning("crawl %s: %d of %d sites failed at the network level (%s); checking the crawler's own network",
                run_id, failed, sites, kinds)
    reached, failures = probe(probe_urls)
    if reached is not None:
        log.warning("the connectivity check reached %s: the sites themselves are down, the night counts", reached)
        return None
    return reason(COLLECTION_FAILURE, failed=failed, sites=sites, kinds=kinds, probes=failures)
